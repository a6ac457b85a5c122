"""render_run: every requested export of one run, rendered in memory first, then written atomically."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError
from reports.atomic import write_atomic
from reports.csv import CSV_FILES, render_csvs
from reports.html import render_html
from reports.json import render_json
from reports.pdf import pdf_available, render_pdf
from reports.views import build

FORMATS = ("html", "json", "csv", "pdf")
PDF_AUTO_LIMIT = 3000  # findings; above this a PDF is made only when "pdf" is asked for
PDF_PAGE_DETAIL_LIMIT = (
    300  # larger sites keep page detail in the HTML only; a PDF of thousands of pages helps no one
)


def _exports(formats: Sequence[str], pdf: bool) -> list[str]:
    names = []
    if "json" in formats:
        names.append("report.json")
    if "csv" in formats:
        names.extend(CSV_FILES)
    if pdf:
        names.append("report.pdf")
    return names


def render_run(
    doc: Mapping[str, Any],
    out_dir: Path,
    formats: Sequence[str] = ("html", "json", "csv"),
    history: Sequence[Mapping[str, Any]] = (),
) -> list[Path]:
    """Write report.html, report.json, the CSV files and report.pdf (with WeasyPrint) into `out_dir`.

    Nothing is written until everything has rendered, and each file is replaced atomically, so a failure
    leaves the previous report as it was.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    view = build(doc, history)
    if "pdf" in formats and not pdf_available():
        raise AuditorError(
            "The PDF export needs WeasyPrint: pip install weasyprint (and its Pango libraries)."
        )
    # With WeasyPrint installed the PDF comes with the HTML, unless the run is so large that typesetting it
    # would hold up the run; then it is made only on request.
    auto_pdf = "html" in formats and len(view.findings) <= PDF_AUTO_LIMIT
    want_pdf = ("pdf" in formats or auto_pdf) and pdf_available()
    files: dict[str, str | bytes] = {}
    if "html" in formats:
        files["report.html"] = render_html(view, exports=_exports(formats, want_pdf))
    if "json" in formats:
        files["report.json"] = render_json(doc) + "\n"
    if "csv" in formats:
        # A byte-order mark so spreadsheet programs read the text as UTF-8.
        files.update({name: "\ufeff" + text for name, text in render_csvs(view).items()})
    if want_pdf:
        print_html = render_html(
            view, with_script=False, page_detail=len(view.pages) <= PDF_PAGE_DETAIL_LIMIT
        )
        pdf = render_pdf(print_html)
        if pdf is not None:
            files["report.pdf"] = pdf
    return [write_atomic(out_dir / name, data) for name, data in files.items()]
