"""A partner who reads Spanish sees the client pages in Spanish; their partner keeps English.

These assert words from practice/translations/es/parts/i21-client.po, so they pass once the
lead has merged the helpers' parts into es/LC_MESSAGES/messages.po (issue 21).
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import update

from practice.db import db
from practice.mail import outbox
from practice.models import User
from tests.factories import World

SPANISH_READER = "ia@client.test"
ENGLISH_READER = "va@client.test"


@pytest.fixture
def spanish(app: Flask, world: World, as_user):
    """Couple A's injured partner, who chose Spanish; a browser signed in as them."""
    with app.app_context():
        db.session.execute(update(User).where(User.email == SPANISH_READER).values(language="es"))
        db.session.commit()
    return as_user(SPANISH_READER)


def _page(browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_today_is_in_spanish(spanish) -> None:
    html = _page(spanish, "/today")
    assert '<html lang="es">' in html
    assert "<h1>Hoy</h1>" in html
    assert "Los pasos pequeños cuentan. Haz lo que puedas." in html
    assert ">Respuestas</a>" in html and ">Cerrar sesión</button>" in html  # the menu


def test_a_worksheet_is_in_spanish(spanish, world: World) -> None:
    html = _page(spanish, f"/tasks/{world.assignment_a}/{date.today().isoformat()}")
    assert ">Guardar borrador</button>" in html
    assert "Cuando lo envíes, ¿quién podrá leerlo?" in html
    assert "Solo mi terapeuta" in html
    # The autosave script's words come from the page, in the reader's language.
    assert '"unsaved": "Cambios sin guardar\\u2026"' in html or "Cambios sin guardar" in html


def test_a_worksheet_refusal_is_in_spanish(spanish, world: World) -> None:
    url = f"/tasks/{world.assignment_a}/{date.today().isoformat()}"
    page = spanish.get(url).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    refused = spanish.post(url, data={"csrf_token": token, "action": "submit", "f_nope": "x"})
    assert refused.status_code == 400
    assert "Esta página envió respuestas que este ejercicio escrito no tiene." in refused.get_data(
        as_text=True
    )


def test_check_ins_are_in_spanish(spanish) -> None:
    html = _page(spanish, "/checkins")
    assert "<h1>Mis registros</h1>" in html
    assert "Últimos 30 días" in html


def test_answers_are_in_spanish(spanish) -> None:
    html = _page(spanish, "/answers")
    assert "<h1>Respuestas</h1>" in html
    assert "Todo lo que puedo leer" in html


def test_messages_are_in_spanish(spanish) -> None:
    inbox = _page(spanish, "/messages")
    assert "Escribe a tu terapeuta entre sesiones" in inbox
    assert "Antes de escribir" in inbox
    thread = _page(spanish, "/messages/private")
    assert "Tu pareja no puede verla ni saber que existe." in thread
    assert ">Enviar</button>" in thread


def test_account_and_settings_are_in_spanish(spanish) -> None:
    account = _page(spanish, "/account")
    assert "<h1>Tu cuenta</h1>" in account
    assert "Dónde tienes la sesión abierta" in account
    settings = _page(spanish, "/settings")
    assert "Recordatorios por correo" in settings


def test_the_partner_who_reads_english_keeps_english(spanish, as_user) -> None:
    html = _page(as_user(ENGLISH_READER), "/today")
    assert "<h1>Today</h1>" in html and "Small steps count." in html
    assert "Los pasos pequeños" not in html


def test_sign_in_is_in_the_browsers_language(app: Flask) -> None:
    browser = app.test_client()
    html = browser.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<h1>Iniciar sesión</h1>" in html
    assert "Hola de nuevo. Tómate tu tiempo." in html
    assert "¿Has olvidado tu contraseña?" in html
    refused = browser.post(
        "/login",
        data={"email": "nobody@client.test", "password": "wrong"},
        headers={"Accept-Language": "es"},
    )
    assert refused.status_code in (200, 400)


def test_a_failed_sign_in_says_so_in_spanish(app: Flask, world: World) -> None:
    from tests.conftest import sign_in

    browser = app.test_client()
    browser.get("/login", headers={"Accept-Language": "es"})
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    html = sign_in(browser, SPANISH_READER, "not the password").get_data(as_text=True)
    assert "no coinciden con ninguna cuenta activa" in html


def test_a_reset_email_is_in_the_account_holders_language(spanish, app: Flask) -> None:
    # Asked for from a browser that reads English: the email follows the person it is for.
    browser = app.test_client()
    browser.get("/forgot-password", headers={"Accept-Language": "en"})
    browser.submit("/forgot-password", {"email": SPANISH_READER})
    (message,) = [m for m in outbox(app) if m.to == SPANISH_READER]
    assert message.subject == "Elige una contraseña nueva para Mend"
    assert "el enlace funciona una sola vez, durante una hora" in message.body


def test_device_names_are_in_the_readers_language(spanish, app: Flask) -> None:
    from practice.auth.devices import device_in_words

    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert device_in_words("Safari on an iPhone") == "Safari en un iPhone"
        assert device_in_words("A browser on a Mac") == "Un navegador en un Mac"
        assert device_in_words(None) == "Un navegador desconocido"
    assert device_in_words("Firefox on a Linux computer") == "Firefox on a Linux computer"
