"""The PDF export: WeasyPrint typesets the print layout of the HTML report, when it is installed."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def _weasyprint() -> Any | None:
    try:
        import weasyprint  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: installed but its system libraries are missing
        log.debug("PDF export unavailable: %s", exc)
        return None
    return weasyprint


def pdf_available() -> bool:
    return _weasyprint() is not None


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report needs nothing from outside; a PDF renderer must not fetch either."""
    if url.startswith("data:"):
        module = _weasyprint()
        assert module is not None
        result: dict[str, Any] = module.default_url_fetcher(url, *args, **kwargs)
        return result
    raise ValueError(f"refusing to fetch {url!r} while rendering the report PDF")


def render_pdf(html: str) -> bytes | None:
    """PDF bytes, or None when WeasyPrint is not installed."""
    module = _weasyprint()
    if module is None:
        return None
    # WeasyPrint warns about every SVG presentation property it does not know; the PDF is fine without them.
    weasy_log = logging.getLogger("weasyprint")
    level = weasy_log.level
    weasy_log.setLevel(logging.ERROR)
    try:
        document = module.HTML(string=html, url_fetcher=_refuse)
        data: bytes = document.write_pdf()
    finally:
        weasy_log.setLevel(level)
    return data
