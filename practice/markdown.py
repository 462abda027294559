"""Markdown for exercise purposes and instructions: CommonMark with raw HTML switched off and
no images (an image's alt text is shown as plain text: nothing is fetched from anywhere).

Only exercise texts (a library's or a clinician's own) go through it, never what clients write,
so the rendered HTML is kept by its text: every worksheet page shows its instructions."""

from __future__ import annotations

from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup


@cache
def _renderer() -> MarkdownIt:
    # html=False renders any HTML in the text as text; markdown-it also refuses javascript: links.
    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    renderer.add_render_rule("image", _image_as_text)
    return renderer


def _image_as_text(self, tokens, idx, options, env) -> str:
    # An <img> would fetch from wherever its author pointed (and tell that host who reads it).
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


@lru_cache(maxsize=256)
def render_markdown(text: str | None) -> Markup:
    """Safe HTML for Markdown text written by clinicians or shipped in the library."""
    # The vetted exception to "no Markup": raw HTML is disabled in the renderer above.
    return Markup(_renderer().render(text or ""))  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
