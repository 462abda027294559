"""Names, couple labels and answers in any script: pages, PDFs (fonts that have the glyphs)
and file names.

The report's bundled fonts (reports/fonts) carry Arabic and Hebrew (a DejaVu Sans subset) and
Chinese, Japanese and Korean (Droid Sans Fallback), so a machine with no such system fonts
still prints them; the checks below read which embedded font drew each letter.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from flask import Flask
from pypdf import PdfReader

from practice.analytics.data import Period
from practice.db import db
from practice.models import Assignment, Couple, utcnow
from practice.reporting.pipeline import report_html
from practice.reporting.printing import print_pdf
from tests.factories import World, make_response

INJURED = "王芳 İşik"
INVOLVED = "مريم דנה"
LABEL = "Łódź · 王芳 & مريم · דנה"
ANSWER = "王芳 wrote: 我们在努力 · مريم كتبت · דנה כתבה · İşik, Łódź"
WORDS = ("王芳", "İşik", "Łódź", "مريم", "דנה", "我们在努力")
RTL_NAMES = ("مريم", "דנה")
PERIOD = Period(date.today() - timedelta(days=13), date.today() + timedelta(days=1))


def _arrange(app: Flask, world: World) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        couple.label = LABEL
        couple.partner("injured").user.display_name = INJURED
        couple.partner("involved").user.display_name = INVOLVED
        make_response(
            db.session,
            db.session.get(Assignment, world.assignment_a),
            "injured",
            days_ago=2,
            answers={"answer_1": ANSWER, "mood": 6},
            visibility="shared",
        )
        db.session.commit()


def _report(app: Flask, world: World, audience: str) -> bytes:
    with app.app_context():
        html = report_html(db.session, world.couple_a, PERIOD, audience, utcnow(), ZoneInfo("UTC"))
    return print_pdf(html)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


_BFCHAR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _drawn_by(pdf: bytes) -> dict[str, set[str]]:
    """For each character drawn, the embedded fonts that drew it with a real glyph (not glyph
    0, .notdef): read from each font's ToUnicode map."""
    drawn: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                f"{font['/BaseFont']} is not embedded"
            )
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for glyph, code in _BFCHAR.findall(cmap):
                if int(glyph, 16) == 0:
                    continue
                text = bytes.fromhex(code).decode("utf-16-be", errors="replace")
                for char in text:
                    drawn.setdefault(char, set()).add(name)
    return drawn


def _script_font(char: str) -> str:
    if "\u0590" <= char <= "\u06ff":
        return "Mend-Arabic-Hebrew"
    if "\u3000" <= char <= "\u9fff":
        return "Mend-CJK"
    return "Mend-Inter"


def _assert_glyphs(pdf: bytes, words) -> None:
    drawn = _drawn_by(pdf)
    for char in "".join(words).replace(" ", ""):
        fonts = drawn.get(char, set())
        assert any(f.startswith(_script_font(char)) for f in fonts), (char, fonts)


def test_the_report_prints_every_script_with_a_bundled_font(app: Flask, world: World) -> None:
    _arrange(app, world)
    for audience in ("clinician", "couple"):
        pdf = _report(app, world, audience)
        text = _text(pdf)
        for word in WORDS:
            assert word in text, (audience, word)
        _assert_glyphs(pdf, WORDS)


def test_a_partners_own_copy_prints_their_name_and_answers(
    app: Flask, world: World, as_user
) -> None:
    _arrange(app, world)
    pdf = as_user("ia@client.test").get("/settings/my-words.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _text(pdf.data)
    for word in ("王芳", "İşik", "我们在努力", "مريم", "דנה"):
        assert word in text, word
    _assert_glyphs(pdf.data, ("王芳", "İşik", "我们在努力", "مريم", "דנה"))


def _saved_name(header: str) -> str:
    header.encode("ascii")  # a header a server may send
    assert re.search(r'filename="[^"\\]*"', header)
    return unquote(re.search(r"filename\*=UTF-8''([^;\s]+)$", header).group(1), errors="strict")


def test_downloads_are_named_with_the_label_in_its_own_script(
    app: Flask, world: World, as_user
) -> None:
    _arrange(app, world)
    clinician = as_user("a@clinic.test")
    report = clinician.get(f"/reports/{world.report_a}")
    assert report.status_code == 200
    name = _saved_name(report.headers["Content-Disposition"])
    assert name.startswith("mend-") and name.endswith(".pdf")
    for word in ("Łódź", "王芳", "مريم", "דנה"):
        assert word in name, name
    export = clinician.get(f"/couples/{world.couple_a}/export.json")
    assert _saved_name(export.headers["Content-Disposition"]).endswith(".json")


def test_pages_show_the_names(app: Flask, world: World, as_user) -> None:
    _arrange(app, world)
    clinician = as_user("a@clinic.test")
    for url in (f"/couples/{world.couple_a}", "/couples/", f"/couples/{world.couple_a}/responses"):
        html = clinician.get(url).get_data(as_text=True)
        assert "Łódź" in html and "王芳" in html, url
    detail = clinician.get(f"/couples/{world.couple_a}").get_data(as_text=True)
    assert INJURED in detail and INVOLVED in detail
    answers = as_user("va@client.test").get("/answers").get_data(as_text=True)
    assert ANSWER in answers  # the injured partner's shared answer, as written


class _Isolation(HTMLParser):
    """Text nodes holding a right-to-left name, and whether an ancestor isolates them."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.loose: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.VOID:
            return
        isolated = tag == "bdi" or "dir" in dict(attrs)
        self.stack.append((tag, isolated))

    def handle_endtag(self, tag) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data) -> None:
        if not any(name in data for name in RTL_NAMES):
            return
        tags = [t for t, _ in self.stack]
        if {"title", "script", "style", "option", "textarea"} & set(tags):
            return
        if not any(isolated for _, isolated in self.stack):
            self.loose.append(f"<{tags[-1] if tags else ''}> {data.strip()[:80]}")


def test_right_to_left_names_are_isolated_on_pages(app: Flask, world: World, as_user) -> None:
    """An Arabic or Hebrew name inside an English (or Spanish) sentence sits in <bdi> or an
    element with dir, so it does not scramble the line around it."""
    _arrange(app, world)
    pages = {
        "a@clinic.test": [
            "/couples/",
            f"/couples/{world.couple_a}",
            f"/couples/{world.couple_a}/responses",
            f"/couples/{world.couple_a}/messages",
            f"/couples/{world.couple_a}/insights",
        ],
        "ia@client.test": ["/today", "/answers", "/messages"],
        "va@client.test": ["/today", "/answers", "/messages"],
    }
    loose = []
    for email, urls in pages.items():
        browser = as_user(email)
        for url in urls:
            reader = _Isolation()
            reader.feed(browser.get(url).get_data(as_text=True))
            loose += [f"{email} {url}: {text}" for text in reader.loose]
    assert not loose, "\n".join(loose)
