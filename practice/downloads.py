"""Download responses, their file names written per RFC 6266 (never a raw label in a header)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

_UNSAFE_ASCII = re.compile(r'[^\x20-\x7e]|["\\%;]')


def attachment(filename: str) -> str:
    """A Content-Disposition value: an ASCII fallback name for old clients, and the real name
    as ``filename*=UTF-8''...`` (RFC 5987), so any label survives any server (a header must
    be Latin-1; gunicorn refuses more) and a quote in a label cannot end the value early."""
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _UNSAFE_ASCII.sub("", folded).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(body: bytes, mimetype: str, filename: str) -> Response:
    """A file to save, named filename, kept out of every cache."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": attachment(filename), "Cache-Control": "no-store"},
    )
