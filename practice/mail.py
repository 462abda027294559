"""Outgoing email: logged in development, captured in tests, SMTP when configured."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def outbox(app: Flask | None = None) -> list[Message]:
    """Messages sent by the memory backend (tests read them here)."""
    return (app or current_app).extensions.setdefault("practice.mail_outbox", [])


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text email through the configured backend.

    Build the subject and body in the reader's language: inside
    `practice.i18n.in_language_of(reader)` (lazy strings are turned into text here, so they
    too take the language of the block this is called in)."""
    app = current_app
    message = Message(to=to, subject=str(subject), body=str(body))
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox(app).append(message)
    elif backend == "log":
        app.logger.info("Email to %s: %s\n%s", to, subject, body)
    elif backend == "smtp":
        _send_smtp(app, message)
    else:
        raise RuntimeError(f"Unknown mail backend {backend!r}")


def _send_smtp(app: Flask, message: Message) -> None:
    email = EmailMessage()
    email["From"] = app.config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(app.config["SMTP_HOST"], app.config["SMTP_PORT"], timeout=20) as smtp:
        if app.config["SMTP_STARTTLS"]:
            smtp.starttls()
        if app.config["SMTP_USERNAME"]:
            smtp.login(app.config["SMTP_USERNAME"], app.config["SMTP_PASSWORD"] or "")
        smtp.send_message(email)
