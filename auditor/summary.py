"""Counts and health scores of a report document, computed from its findings after waivers are applied."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from auditor.models import CATEGORIES
from checks.health import site_health

COUNTED_STATES = frozenset({"new", "persisting", "expired_waiver"})


def _is_counted(finding: Mapping[str, Any]) -> bool:
    return str(finding.get("state", "new")) in COUNTED_STATES


def all_findings(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Page and site findings of a document, as the dicts it holds (the store marks their states in place)."""
    for page in doc.get("pages", []):
        yield from page.get("findings", [])
    yield from doc.get("site_findings", [])


def _html_urls(doc: Mapping[str, Any], site: str | None) -> list[str]:
    """Pages that count for the health score: HTML (or local documents) that were read, not failed fetches."""
    urls = []
    for page in doc.get("pages", []):
        if site is not None and page.get("site") != site:
            continue
        ctype = str(page.get("content_type") or "")
        if page.get("error") or not ("html" in ctype or ctype in ("markdown", "text")):
            continue
        urls.append(str(page["url"]))
    return urls


def summarise(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The `summary` block: counts leave waived findings out; health per site follows checks.health's formula."""
    counted = [f for f in all_findings(doc) if _is_counted(f)]
    by_severity = Counter(str(f["severity"]) for f in counted)
    by_category = Counter(str(f["category"]) for f in counted)
    waived = sum(1 for f in all_findings(doc) if f.get("state") == "waived")
    health = site_health(_html_urls(doc, None), counted)
    previous = doc.get("summary", {}).get("changes", {}) if isinstance(doc.get("summary"), Mapping) else {}
    states = Counter(str(f.get("state", "new")) for f in counted)
    return {
        "pages": len(doc.get("pages", [])),
        "findings": len(counted),
        "by_severity": {sev: by_severity.get(sev, 0) for sev in ("error", "warning", "info")},
        "by_category": {cat: by_category.get(cat, 0) for cat in CATEGORIES},
        "waived": waived,
        "health_score": health["health_score"],
        "category_scores": health["category_scores"],
        "changes": {
            "previous_run": previous.get("previous_run") if previous else None,
            "new": states.get("new", 0) + states.get("expired_waiver", 0),
            "persisting": states.get("persisting", 0),
            "resolved": len(doc.get("resolved", [])),
        },
    }


def site_scores(doc: Mapping[str, Any], site: str) -> dict[str, Any]:
    """Health of one site of a multi-site run, for the `sites` list."""
    urls = set(_html_urls(doc, site))
    counted = [f for f in all_findings(doc) if _is_counted(f) and f.get("url") in urls]
    return site_health(sorted(urls), counted)
