"""A browser's user agent in plain words ("Safari on an iPhone"). Plain functions, no Flask.

Only these words are stored with a session, so a person can tell their own devices apart on
the account page; the raw user agent is never kept.
"""

from __future__ import annotations

from flask_babel import gettext as _

from practice.i18n import lazy_gettext as _l

# Order matters: an Edge user agent also names Chrome and Safari; Chrome's also names Safari.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)

_SYSTEMS = (
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "an Android phone or tablet"),
    ("CrOS", "a Chromebook"),
    ("Windows", "a Windows computer"),
    ("Macintosh", "a Mac"),
    ("Mac OS X", "a Mac"),
    ("Linux", "a Linux computer"),
)


# The kinds of device as the reader's language says them (the stored words are English).
_SYSTEM_WORDS = {
    "an iPhone": _l("an iPhone"),
    "an iPad": _l("an iPad"),
    "an Android phone or tablet": _l("an Android phone or tablet"),
    "a Chromebook": _l("a Chromebook"),
    "a Windows computer": _l("a Windows computer"),
    "a Mac": _l("a Mac"),
    "a Linux computer": _l("a Linux computer"),
}
_UNKNOWN = "An unknown browser"


def describe_device(user_agent: str | None) -> str:
    """The browser and the kind of device, in words; "An unknown browser" when unclear."""
    agent = (user_agent or "")[:512]
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser:
        return browser
    if system:
        return f"A browser on {system}"
    return _UNKNOWN


def device_in_words(stored: str | None) -> str:
    """The stored words of describe_device in the reader's language (browser names as they are)."""
    if not stored or stored == _UNKNOWN:
        return _("An unknown browser")
    browser, _on, system = stored.rpartition(" on ")
    if system not in _SYSTEM_WORDS:
        return stored
    if browser == "A browser":
        return _("A browser on %(system)s", system=_SYSTEM_WORDS[system])
    return _("%(browser)s on %(system)s", browser=browser, system=_SYSTEM_WORDS[system])
