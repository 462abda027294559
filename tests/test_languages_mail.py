"""Emails and the own-words export in their reader's language: partners of one couple may read
Mend in different languages, and each email or file goes out in its own reader's.

The Spanish assertions need the merged catalogue (practice/translations/es/LC_MESSAGES/
messages.po with parts/i21-mail-cli.po filled in); the helper tests at the top need nothing.
"""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import db
from practice.i18n import in_language, language_of
from practice.mail import outbox, send_mail
from practice.models import Couple, User
from practice.reminders import send_reminders
from tests.factories import World

UTC = ZoneInfo("UTC")
INJURED, INVOLVED, CLINICIAN = "ia@client.test", "va@client.test", "a@clinic.test"


def _set_language(app: Flask, email: str, language: str) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).language = language
        db.session.commit()


def _mail_to(app: Flask, email: str):
    return [m for m in outbox(app) if m.to == email]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# The helpers: a person's own choice, else the practice's; no request needed.


def test_language_of_is_the_persons_choice_else_the_practices(app: Flask) -> None:
    class Person:
        def __init__(self, language: str) -> None:
            self.language = language

    with app.app_context():
        assert language_of(Person("es")) == "es"
        assert language_of(Person("")) == "en"  # no choice: the practice default
        assert language_of(Person("xx")) == "en"  # not a language Mend speaks
        assert language_of(None) == "en"
        app.config["LOCALE"] = "es"
        assert language_of(Person("")) == "es"
        assert language_of(Person("en")) == "en"


def test_in_language_sets_the_locale_without_a_request_and_restores_it(app: Flask) -> None:
    with app.app_context():
        assert str(get_locale()) == "en"
        with in_language("es"):
            assert str(get_locale()) == "es"
            with in_language("en"):
                assert str(get_locale()) == "en"
            assert str(get_locale()) == "es"
        assert str(get_locale()) == "en"
        with in_language("xx"):  # unknown: the practice's language, never an error
            assert str(get_locale()) == "en"


def test_send_mail_turns_lazy_strings_into_text(app: Flask) -> None:
    from flask_babel import lazy_gettext

    with app.app_context():
        send_mail("x@example.test", lazy_gettext("Good morning."), lazy_gettext("Hello,"))
    sent = outbox(app)[-1]
    assert isinstance(sent.subject, str) and isinstance(sent.body, str)
    assert sent.subject == "Good morning."


# Each email in its reader's language (needs the merged Spanish catalogue).


def test_a_spanish_reader_gets_the_reminder_in_spanish_and_their_partner_in_english(
    app: Flask, world: World
) -> None:
    _set_language(app, INJURED, "es")
    with app.app_context():
        send_reminders(db.session, date.today(), UTC)
        db.session.commit()
    (spanish,) = _mail_to(app, INJURED)
    (english,) = _mail_to(app, INVOLVED)
    assert "que hacer en Mend" in spanish.subject and spanish.subject.startswith("Hoy tienes")
    assert "Hola:" in spanish.body and "Ajustes" in spanish.body
    assert "to do in Mend" not in spanish.body and "Settings" not in spanish.body
    assert english.subject == "You have 2 things to do in Mend today"
    assert english.body.startswith("Hello,") and "under Settings" in english.body
    assert "Hoy" not in english.body


def test_the_clinicians_digest_is_in_the_clinicians_language(
    app: Flask, world: World, as_user
) -> None:
    _set_language(app, CLINICIAN, "es")
    as_user(INVOLVED).submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": date.today().isoformat(), "status": "crossed", "note": "private note"},
    )
    with app.app_context():
        send_reminders(db.session, date.today(), UTC)
        db.session.commit()
    (digest,) = _mail_to(app, CLINICIAN)
    assert digest.subject == "Mend: alertas nuevas esta mañana"
    assert "Couple A: 1 alerta nueva (1 grave)" in digest.body  # the label is data, as written
    assert "Buenos días." in digest.body and "private note" not in digest.body
    # The partners' reminders of the same run stay in their own (English) language.
    assert all("to do in Mend today" in m.subject for m in _mail_to(app, INVOLVED))


def test_a_message_notice_goes_out_in_each_readers_language(app: Flask, world: World) -> None:
    """Clinician A wrote to all three: the Spanish reader's notice is not the English one.
    (The notice's words live in practice/messages/notices.py; the language is chosen by the
    job that sends it.)"""
    from practice.jobs.tasks import send_message_notice

    _set_language(app, INJURED, "es")
    with app.app_context():
        for email in (INJURED, INVOLVED):
            db.session.scalar(select(User).where(User.email == email)).message_notices = "immediate"
        db.session.commit()
        couple = db.session.get(Couple, world.couple_a)
        readers = {p.user.email: p.user_id for p in couple.partners}
        for email in (INJURED, INVOLVED):
            assert send_message_notice(readers[email], couple.id, "together") == "sent"
        with in_language("es"):
            spanish_subject = _("You have a new message in Mend")
    (spanish,) = _mail_to(app, INJURED)
    (english,) = _mail_to(app, INVOLVED)
    assert english.subject == "You have a new message in Mend"
    assert spanish_subject != "You have a new message in Mend"  # the catalogue has it
    assert spanish.subject == spanish_subject
    assert spanish.body != english.body


def test_a_notice_written_by_a_spanish_reader_is_in_the_english_readers_language(
    app: Flask, world: World, as_user
) -> None:
    """The email is composed inside the author's request (no Redis): the reader's language,
    not the author's, decides."""
    _set_language(app, INJURED, "es")
    with app.app_context():
        db.session.scalar(select(User).where(User.email == CLINICIAN)).message_notices = "immediate"
        db.session.commit()
    outbox(app).clear()
    as_user(INJURED).submit("/messages/private", {"body": "Hola"})
    notices = _mail_to(app, CLINICIAN)
    assert notices and all(m.subject == "You have a new message in Mend" for m in notices)


# The own-words export in its reader's language.


def test_the_own_words_export_is_in_its_readers_language(app: Flask, world: World, as_user) -> None:
    _set_language(app, INJURED, "es")
    spanish = _pdf_text(as_user(INJURED).get("/settings/my-words.pdf").data)
    english = _pdf_text(as_user(INVOLVED).get("/settings/my-words.pdf").data)
    assert "Tus respuestas" in spanish and "Límites que propusiste o aceptaste" in spanish
    assert "Your answers" not in spanish
    assert "Confidencial" in spanish and "Página 1 de" in spanish  # the page margins too
    assert "Your answers" in english and "Boundaries you proposed or agreed to" in english
    assert "Tus respuestas" not in english


def test_the_export_can_be_printed_in_a_language_without_a_request(
    app: Flask, world: World
) -> None:
    from practice.exports.pdf import export_html
    from practice.exports.services import client_export

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == INJURED))
        user.display_name = "مريم"  # any script: kept apart from the sentence around it
        data = client_export(db.session, user.partner)
        spanish = export_html(data, "es")
        english = export_html(data)
    assert '<html lang="es">' in spanish and "Tus respuestas" in spanish
    assert "<bdi>مريم</bdi>" in spanish and "<bdi>مريم</bdi>" in english
    assert '<html lang="en">' in english and "Your answers" in english
