"""What the route fuzz sends: hostile path and form values, and the forms it finds in pages.

The forms come from two places, so no field escapes: the HTML of every page the fuzz reads (the
fields a browser would send, with their current values) and the WTForms forms a view builds
(fields a page did not show, e.g. a POST-only action whose button is hidden in this state).
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from wtforms import Field

from tests.factories import PASSWORD

EMAIL = "fuzz@example.com"  # each post gets its own address in its place (addresses are unique)
HUGE = "99999999999999999999"  # beyond 64 bits

# Values for an <int:> path argument; each replaces a real id of the signed-in user.
HOSTILE_INTS = {
    "huge int": HUGE,
    "2**63": "9223372036854775808",
    "negative": "-1",
    "NUL": "%00",
    "dot-dot": "..",
    "long": "9" * 400,
}
# Values for a string path argument (already percent-encoded, as they go on the wire).
HOSTILE_STRINGS = {
    "NUL": "%00",
    "dot-dot": "..",
    "unicode": "%C3%A9%F0%9F%99%82%E2%80%AE%E2%80%8B",  # é, an emoji, RTL override, ZWSP
    "long": "x" * 5000,
    "huge int": HUGE,
}
HOSTILE_DAYS = {  # more for a <day> argument, which the views read as a date
    "far future": "9999-12-31",
    "year one": "0001-01-01",
    "no such day": "2026-02-30",
}
# Values for one form field, the others keeping the page's own values.
HOSTILE_VALUES = {
    "NUL": "a\x00b",
    "100 KB": "é" * 51_200,
    "RTL and zero-width": "\u202eevil\u200b\u200d\ufeff\u2066x",
    "letters (NaN)": "NaN",  # letters to int() and dates, a number to Decimal and float
    "huge int": HUGE,
}
EXTRA_FIELDS = {
    "zz_extra": "a\x00b",
    "f_no_such_question": "extra",
    "id": HUGE,
    "couple_id": HUGE,
    "user_id": HUGE,
}


class PageForms(HTMLParser):
    """The POST forms of one page (action path -> {name: [values]}), and the query parameters
    its links and GET forms use (path -> names)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.posts: dict[str, dict[str, list[str]]] = {}
        self.queries: dict[str, set[str]] = {}
        self.hidden: set[tuple[str, str]] = set()  # (action, name) of hidden inputs
        self._action = ""
        self._form: dict[str, list[str]] | None = None
        self._get_action: str | None = None
        self._select: str | None = None
        self._select_first: bool = False
        self._textarea: str | None = None
        self._checked: set[str] = set()

    def _path(self, url: str | None) -> tuple[str, str]:
        parts = urlsplit(urljoin(self.page, url or self.page))
        return parts.path, parts.query

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            path, query = self._path(a["href"])
            self.queries.setdefault(path, set()).update(k for k, _ in parse_qsl(query, True))
        elif tag == "form":
            path, _query = self._path(a.get("action"))
            if a.get("method", "get").lower() == "post":
                self._form = self.posts.setdefault(path, {})
                self._action = path
                self._checked = set()
            else:
                self._get_action = path
        elif tag in ("input", "button", "select", "textarea") and a.get("name"):
            self._field(tag, a)
        elif tag == "option" and self._select and self._form is not None:
            values = self._form.setdefault(self._select, [])
            if "selected" in a or not values:
                values[:] = [a.get("value", "")]

    def _field(self, tag: str, a: dict[str, str]) -> None:
        name = a["name"]
        if self._form is None:
            if self._get_action is not None:
                self.queries.setdefault(self._get_action, set()).add(name)
            return
        kind = a.get("type", "text").lower()
        if kind == "hidden":
            self.hidden.add((self._action, name))
        if tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = [""]
        elif kind in ("checkbox", "radio"):
            value = a.get("value", "on")
            if "checked" in a:
                if name not in self._checked:
                    self._form[name] = []
                self._checked.add(name)
                self._form[name].append(value)
            elif name not in self._form:
                self._form[name] = [value]
        else:
            self._form.setdefault(name, [a.get("value") or _plausible(kind)])

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form, self._get_action = None, None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _plausible(kind: str) -> str:
    """A value for an empty input, so that a post gets past the fields not under test."""
    today = date.today().isoformat()
    return {
        "hidden": "",
        "email": EMAIL,
        "password": PASSWORD,
        "date": today,
        "datetime-local": f"{today}T12:00",
        "time": "12:00",
        "number": "1",
    }.get(kind, "fuzz words")


def baseline(field: Field) -> list[str]:
    """A plausible value for a WTForms field that no page showed."""
    choices = getattr(field, "choices", None)
    if choices:
        first = next(iter(field.iter_choices()), None)
        if first is not None:
            return [str(first[0])]
    kind = type(field).__name__
    if "Date" in kind and "Time" in kind:
        return [date.today().isoformat() + "T12:00"]
    if "Date" in kind:
        return [date.today().isoformat()]
    if any(word in kind for word in ("Integer", "Decimal", "Float")):
        return ["1"]
    if "Boolean" in kind:
        return ["y"]
    if "Email" in kind or "email" in field.name:
        return [EMAIL]
    if "Password" in kind:
        return [PASSWORD]
    value = field._value() if hasattr(field, "_value") else ""
    return [str(value or "x")]
