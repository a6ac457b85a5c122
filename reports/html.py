"""The self-contained HTML report: Jinja2 with autoescaping, inline CSS, SVG and one hashed inline script."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from auditor.models import CATEGORIES
from reports import charts
from reports.model import (
    CATEGORY_LABELS,
    COMPLIANCE_CATEGORIES,
    SEVERITY_LABELS,
    STATE_LABELS,
    UNKNOWN_DEPTH,
    ReportView,
)
from reports.text import clip

COMPACT_PAGES = 300  # above this, page detail links to each rule's explanation instead of repeating it
SEO_PAGE_LIMIT = 100  # pages listed per check in the HTML; seo.csv has them all
CRAWL_KINDS = {
    "error": ("Fetch error", "sev-error"),
    "http": ("HTTP error", "sev-error"),
    "skipped": ("Skipped", "st-persisting"),
    "redirect": ("Redirect", "sev-info"),
}


def _asset(name: str) -> str:
    return resources.files("reports").joinpath("templates", name).read_text(encoding="utf-8")


@cache
def script_text() -> str:
    """The one inline script (filters); its hash goes into the page's CSP, so nothing else can run."""
    return _asset("filter.js").strip()


@cache
def css_text() -> str:
    return _asset("report.css")


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(script: str | None) -> str:
    """Injected markup stays inert even if escaping ever failed: no sources but our own hashed script."""
    script_src = f"'{script_hash(script)}'" if script else "'none'"
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {script_src}; base-uri 'none'; form-action 'none'"
    )


def _pct(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _grade(value: float | None) -> str:
    if value is None:
        return "flat"
    return "good" if value >= 90 else "fair" if value >= 70 else "poor"


def _when(value: Any, with_time: bool = True) -> str:
    """ISO 8601 as people read it: 25 Nov 2026, 20:15 UTC."""
    if not isinstance(value, str) or not value:
        return "unknown"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    day = f"{moment.day} {moment:%b %Y}"
    return f"{day}, {moment:%H:%M} UTC" if with_time else day


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _band(value: float) -> str:
    return "hi" if value >= 0.6 else "mid" if value >= 0.3 else "lo"


def _groupby_severity(rows: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """Rows already sorted worst first, grouped under one heading per severity."""
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.severity, []).append(row)
    return list(groups.items())


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports"),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml"), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=_pct,
        num=lambda v: f"{v:.1f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v),
        grade=_grade,
        band=_band,
        score2=lambda v: f"{v:.2f}",
        clip=clip,
        groupby_severity=_groupby_severity,
        when=_when,
        ms=_ms,
    )
    env.globals.update(
        CATEGORIES=CATEGORIES,
        CATEGORY_LABELS=CATEGORY_LABELS,
        SEVERITY_LABELS=SEVERITY_LABELS,
        SEVERITY_PLURALS={"error": "Errors", "warning": "Warnings", "info": "Info"},
        STATE_LABELS=STATE_LABELS,
        COMPLIANCE=COMPLIANCE_CATEGORIES,
        UNKNOWN_DEPTH=UNKNOWN_DEPTH,
        CRAWL_KINDS=CRAWL_KINDS,
        SEO_PAGE_LIMIT=SEO_PAGE_LIMIT,
        COMPACT_PAGES=COMPACT_PAGES,
    )
    return env


def render_charts(view: ReportView) -> dict[str, Markup]:
    """Our own SVG, sanitised in reports.charts, is the only markup that is not escaped on the way in."""
    if not view.trend:
        return {"trend": Markup(""), "findings": Markup("")}
    return {
        "trend": Markup(charts.trend_chart(view.trend)),
        "findings": Markup(charts.findings_chart(view.trend)),
    }


def render_html(
    view: ReportView, exports: Sequence[str] = (), with_script: bool = True, page_detail: bool = True
) -> str:
    script = script_text() if with_script else None
    template = environment().get_template("report.html")
    return template.render(
        r=view,
        csp=content_security_policy(script),
        css=Markup(css_text()),
        script=Markup(script) if script else None,
        charts=render_charts(view),
        exports=list(exports),
        detail_pages=view.pages if page_detail else (),
    )
