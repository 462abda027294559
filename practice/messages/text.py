"""A message as a page shows it: plain text, its line breaks kept, web links made into safe
links. Nothing the writer types becomes markup: no HTML, no images."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# An http(s) address up to the first space or angle bracket; a sentence's closing punctuation
# stays outside the link.
LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?)]}’”"


def render_message(text: str | None) -> Markup:
    parts: list[str] = []
    last = 0
    source = text or ""
    for found in LINK.finditer(source):
        address = found.group(0).rstrip(TRAILING)
        end = found.start() + len(address)
        parts.append(str(escape(source[last : found.start()])))
        parts.append(
            f'<a href="{escape(address)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{escape(address)}</a>'
        )
        last = end
    parts.append(str(escape(source[last:])))
    # Every piece was escaped above; only the links and line breaks are markup.
    html = "<br>\n".join("".join(parts).split("\n"))
    return Markup(html)  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
