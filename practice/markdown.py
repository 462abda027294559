"""Markdown for exercise purposes and instructions: CommonMark with raw HTML switched off.

Only exercise texts (a library's or a clinician's own) go through it, never what clients write,
so the rendered HTML is kept by its text: every worksheet page shows its instructions."""

from __future__ import annotations

from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@cache
def _renderer() -> MarkdownIt:
    # html=False renders any HTML in the text as text; markdown-it also refuses javascript: links.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@lru_cache(maxsize=256)
def render_markdown(text: str | None) -> Markup:
    """Safe HTML for Markdown text written by clinicians or shipped in the library."""
    # The vetted exception to "no Markup": raw HTML is disabled in the renderer above.
    return Markup(_renderer().render(text or ""))  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
