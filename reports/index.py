"""The index page that lists every run, newest first, with a link to each report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from reports.atomic import write_atomic
from reports.html import content_security_policy, css_text, environment
from reports.text import safe_href


@dataclass(frozen=True, slots=True)
class RunRow:
    id: str
    kind: str
    started: str
    status: str
    health: float | None
    findings: int | None
    errors: int | None
    sites: str
    link: str | None


def _local_link(link: Any) -> str | None:
    """A link the index may follow: a relative path inside the reports folder, or plain http(s)."""
    if not isinstance(link, str) or not link:
        return None
    if safe_href(link):
        return link
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("/", "\\")) or any(ord(c) < 32 for c in link):
        return None
    return link


def _row(entry: Mapping[str, Any]) -> RunRow:
    """Accepts a history-style entry ({"run", "summary", "sites"}) or a flat row with the same facts."""
    run: Mapping[str, Any] = entry.get("run") or entry
    summary: Mapping[str, Any] = entry.get("summary") or {}
    run_id = str(run.get("id") or "")
    health = summary.get("health_score", entry.get("health_score", entry.get("health")))
    findings = summary.get("findings", entry.get("findings"))
    errors = (summary.get("by_severity") or {}).get("error", entry.get("errors"))
    sites = ", ".join(str(s.get("name") or "") for s in entry.get("sites") or [] if isinstance(s, Mapping))
    link = entry.get("link", f"{run_id}/report.html" if run_id else None)
    return RunRow(
        id=run_id,
        kind=str(run.get("kind") or ""),
        started=str(run.get("started") or ""),
        status=str(run.get("status") or ""),
        health=float(health) if isinstance(health, (int, float)) and not isinstance(health, bool) else None,
        findings=findings if isinstance(findings, int) and not isinstance(findings, bool) else None,
        errors=errors if isinstance(errors, int) and not isinstance(errors, bool) else None,
        sites=sites,
        link=_local_link(link),
    )


def render_index(runs: Sequence[Mapping[str, Any]]) -> str:
    rows = sorted((_row(r) for r in runs), key=lambda r: (r.started, r.id), reverse=True)
    template = environment().get_template("index.html")
    return template.render(rows=rows, csp=content_security_policy(None), css=Markup(css_text()))


def write_index(runs: Sequence[Mapping[str, Any]], out_dir: Path) -> Path:
    """index.html in `out_dir`; each run's link defaults to `<run id>/report.html` relative to it."""
    return write_atomic(Path(out_dir) / "index.html", render_index(runs))
