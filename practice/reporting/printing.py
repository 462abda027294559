"""Step 4: print HTML to PDF with WeasyPrint, in a separate render process, never in a web
worker. WeasyPrint may fetch only Mend's own report assets."""

from __future__ import annotations

import logging
import mimetypes
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask_babel import gettext as _

from practice.paths import REPORTS_DIR
from practice.reporting.slots import NoSlot, UnsafeFolder, printing_slot

log = logging.getLogger(__name__)

RENDER_SECONDS = 60
RENDER_MEMORY_BYTES = 1_500 * 1024 * 1024
RENDERS_PER_PROCESS = 50  # recycle a render process so WeasyPrint's memory stays bounded


class RenderError(RuntimeError):
    """The report could not be printed (too slow, too big, or broken); shown plainly."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Serve files from the report designs folder; refuse everything else."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"Refused to fetch {parts.scheme or 'relative'} URL")
            root = REPORTS_DIR.resolve()
            path = Path(unquote(parts.path)).resolve()
            if root not in path.parents or not path.is_file():
                raise ValueError("Refused to fetch a file outside the report designs")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind}, 200)

    return AssetFetcher


def print_pdf(html: str) -> bytes:
    """PDF bytes for report HTML (in this process: the render pool calls it)."""
    from weasyprint import HTML

    base = REPORTS_DIR.resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base, url_fetcher=_fetcher_class()())
    return document.write_pdf(
        uncompressed_pdf=False,
        presentational_hints=False,
        optimize_images=True,
        attachments=[],
    )


RENDER_NICENESS = 10

HARFBUZZ_SUBSET = (
    "libharfbuzz-subset.so.0 is missing (Debian: apt-get install libharfbuzz-subset0): WeasyPrint "
    "falls back to fontTools to subset the report's fonts, which printed reports about 1.6 "
    "times slower here, with a warning on every print."
)
BUNDLED_FONTS = ("Inter-Regular.otf", "Inter-Bold.otf", "Inter-Italic.otf", "Inter-BoldItalic.otf")


def _library(*names: str) -> bool:
    import ctypes
    import ctypes.util

    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            found = ctypes.util.find_library(name.removeprefix("lib").split(".so")[0])
            if found:
                return True
            continue
        return True
    return False


def system_warnings() -> list[str]:
    """What the machine lacks for printing reports well, in plain words (empty: nothing)."""
    warnings = []
    if not _library("libpango-1.0.so.0"):
        warnings.append(
            "libpango-1.0.so.0 is missing (Debian: apt-get install libpango-1.0-0): reports "
            "cannot be printed at all."
        )
    if not _library("libharfbuzz-subset.so.0"):
        warnings.append(HARFBUZZ_SUBSET)
    missing = [f for f in BUNDLED_FONTS if not (REPORTS_DIR / "fonts" / f).is_file()]
    if missing:
        warnings.append(f"The report's bundled fonts are missing: {', '.join(missing)}.")
    return warnings


def _init_render_process() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (RENDER_MEMORY_BYTES, RENDER_MEMORY_BYTES))
    # Pages come first: a report may take a little longer when the machine is busy.
    os.nice(RENDER_NICENESS)
    import weasyprint  # noqa: F401  (import once per render process)


def pool_size() -> int:
    return max(1, (os.cpu_count() or 2) - 1)


@cache
def render_pool() -> ProcessPoolExecutor:
    """The render processes (cores minus one, at least one), started on first use."""
    for warning in system_warnings():
        log.warning("Reports: %s", warning)
    return ProcessPoolExecutor(
        max_workers=pool_size(),
        mp_context=get_context("spawn"),
        initializer=_init_render_process,
        max_tasks_per_child=RENDERS_PER_PROCESS,
    )


def _print_in_pool(html: str, deadline: float) -> bytes:
    future = render_pool().submit(print_pdf, html)
    try:
        return future.result(timeout=max(deadline - time.monotonic(), 0.001))
    except FutureTimeout as exc:
        future.cancel()
        raise RenderError(_("The report took too long to print. Try a shorter period.")) from exc


def _replace_pool() -> None:
    """Drop a broken pool; the next print starts a new one."""
    broken = render_pool()
    render_pool.cache_clear()
    broken.shutdown(wait=False, cancel_futures=True)
    log.warning("A report render process died; the render processes were started again")


def render(html: str, timeout: float = RENDER_SECONDS) -> bytes:
    """Print in a render process, waiting at most `timeout` seconds in all: for a slot (no
    more reports print at once on the machine than it has cores minus one), then for the
    print."""
    deadline = time.monotonic() + timeout
    try:
        with printing_slot(pool_size(), deadline):
            try:
                return _print_in_pool(html, deadline)
            except BrokenProcessPool:
                # A render process died (killed, out of memory): the pool is unusable for
                # every later report until it is replaced. Replace it, and try this one again.
                _replace_pool()
                try:
                    return _print_in_pool(html, deadline)
                except BrokenProcessPool as exc:
                    _replace_pool()
                    raise RenderError(
                        _(
                            "The report could not be printed just now. Please try again; if it "
                            "happens again, try a shorter period."
                        )
                    ) from exc
    except NoSlot as exc:
        raise RenderError(
            _(
                "Other reports are printing and this one could not start in time. "
                "Please try again in a minute."
            )
        ) from exc
    except UnsafeFolder as exc:
        log.error("Reports cannot print: %s", exc)
        raise RenderError(
            _(
                "Reports cannot be printed on this server right now. Your administrator can see "
                "why in the server's log."
            )
        ) from exc
    except MemoryError as exc:
        raise RenderError(_("The report was too large to print. Try a shorter period.")) from exc
