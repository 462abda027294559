"""A browser's user agent in plain words ("Safari on an iPhone"). Plain functions, no Flask.

Only these words are stored with a session, so a person can tell their own devices apart on
the account page; the raw user agent is never kept.
"""

from __future__ import annotations

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
    return "An unknown browser"
