"""CSV exports, one per view, built from the same view data as the HTML so the two never disagree."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from reports.model import UNKNOWN_DEPTH, FindingView, ReportView
from reports.text import csv_cell

FINDING_COLUMNS = (
    "state",
    "severity",
    "category",
    "check_id",
    "rule",
    "url",
    "heading_path",
    "excerpt",
    "paragraph",
    "message",
    "why_it_matters",
    "suggestion",
    "source",
    "cue",
    "claim_type",
    "waiver_reviewer",
    "waiver_reason",
    "waiver_expires",
    "scope",
    "fingerprint",
)


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buf.getvalue()


def _finding_row(f: FindingView) -> tuple[Any, ...]:
    paragraph = f"{f.context.before}{f.context.mark}{f.context.after}" if f.context else ""
    return (
        f.state,
        f.severity,
        f.category,
        f.check_id,
        f.rule.failure_title,
        f.page.url,
        " > ".join(f.heading_path),
        f.excerpt,
        paragraph,
        f.message,
        f.rule.why,
        f.suggestion,
        f.rule.source,
        f.cue,
        f.claim_type,
        f.waiver.reviewer if f.waiver else "",
        f.waiver.reason if f.waiver else "",
        f.waiver.expires if f.waiver else "",
        f.scope,
        f.fingerprint,
    )


def findings_csv(view: ReportView) -> str:
    return _table(FINDING_COLUMNS, (_finding_row(f) for f in view.findings))


def compliance_csv(view: ReportView) -> str:
    """The register in the order the HTML shows it, rule by rule."""
    return _table(FINDING_COLUMNS, (_finding_row(f) for g in view.compliance for f in g.findings))


def questions_csv(view: ReportView) -> str:
    columns = (
        "id",
        "question",
        "priority",
        "answered",
        "best_url",
        "found_as",
        "score",
        "heading_path",
        "answer",
        "quality_notes",
        "where_to_answer",
        "advice",
    )
    rows = []
    for q in view.questions:
        best = q.best
        rows.append(
            (
                q.id,
                q.question,
                q.priority,
                "yes" if q.answered else "no",
                best.page.url if best else "",
                best.findable_as if best else "",
                "" if best is None or best.score is None else f"{best.score:.2f}",
                " > ".join(best.heading_path) if best else "",
                best.excerpt if best else "",
                "; ".join(best.quality) if best else "",
                "" if q.answered else "; ".join(p.url for p, _ in q.candidates),
                " ".join(q.advice),
            )
        )
    return _table(columns, rows)


def seo_csv(view: ReportView) -> str:
    columns = (
        "scope",
        "severity",
        "state",
        "check_id",
        "rule",
        "url",
        "message",
        "why_it_matters",
        "suggestion",
        "details",
        "fingerprint",
    )

    def row(f: FindingView) -> tuple[Any, ...]:
        details = "; ".join(
            f"{d.key}: {', '.join(text for text, _ in d.items)}" + (f" and {d.more} more" if d.more else "")
            for d in f.details
        )
        return (
            f.scope,
            f.severity,
            f.state,
            f.check_id,
            f.rule.failure_title,
            f.page.url,
            f.message,
            f.rule.why,
            f.suggestion,
            details,
            f.fingerprint,
        )

    rows = [row(f) for f in view.seo_site] + [row(f) for g in view.seo_groups for f in g.findings]
    return _table(columns, rows)


def pages_csv(view: ReportView) -> str:
    columns = (
        "url",
        "site",
        "title",
        "status",
        "depth",
        "word_count",
        "content_type",
        "errors",
        "warnings",
        "info",
        "worst",
        "fetch_error",
        "final_url",
        "meta_description",
        "answers",
    )
    rows = [
        (
            p.ref.url,
            p.site,
            p.title,
            "" if p.status is None else p.status,
            "" if p.ref.depth == UNKNOWN_DEPTH else p.ref.depth,
            p.word_count,
            p.content_type,
            p.count("error"),
            p.count("warning"),
            p.count("info"),
            p.worst,
            p.error,
            p.final.url if p.final else "",
            p.meta_description,
            "; ".join(p.answers),
        )
        for p in view.pages
    ]
    return _table(columns, rows)


def crawl_csv(view: ReportView) -> str:
    columns = ("kind", "url", "status", "detail", "redirect_chain", "check_id")
    rows: list[tuple[Any, ...]] = [
        (
            c.kind,
            c.page.url,
            "" if c.status is None else c.status,
            c.detail,
            " -> ".join(f"{label} ({status})" for label, status in c.chain),
            "",
        )
        for c in view.crawl
    ]
    rows += [("finding", f.page.url, "", f.message, "", f.check_id) for f in view.crawl_findings]
    return _table(columns, rows)


CSV_FILES = {
    "findings.csv": findings_csv,
    "compliance.csv": compliance_csv,
    "questions.csv": questions_csv,
    "seo.csv": seo_csv,
    "pages.csv": pages_csv,
    "crawl.csv": crawl_csv,
}


def render_csvs(view: ReportView) -> dict[str, str]:
    return {name: make(view) for name, make in CSV_FILES.items()}
