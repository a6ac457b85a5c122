"""Turns model objects into the plain dicts of the JSON report contract (docs/report-contract.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.models import Evidence, FetchResult, Finding, Page
from checks.registry import RuleInfo


def _jsonable(value: Any) -> Any:
    """Details hold tuples and nested tuples; JSON wants lists and string keys."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def evidence_to_dict(ev: Evidence | None) -> dict[str, Any] | None:
    if ev is None:
        return None
    return {
        "excerpt": ev.excerpt,
        "context": ev.context,
        "start": ev.start,
        "end": ev.end,
        "heading_path": list(ev.heading_path),
        "locator": ev.locator,
        "block_index": ev.block_index,
    }


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "check_id": f.check_id,
        "category": f.category,
        "claim_type": f.claim_type if f.category in ("claims", "accuracy") else None,
        "severity": f.severity,
        "url": f.url,
        "message": f.message,
        "suggestion": f.suggestion,
        "evidence": evidence_to_dict(f.evidence),
        "cue": f.cue,
        "details": _jsonable(dict(f.details)),
        "fingerprint": f.fingerprint,
        "state": "new",
        "waiver": None,
    }


def rule_to_dict(rule: RuleInfo) -> dict[str, Any]:
    return {
        "title": rule.title,
        "failure_title": rule.failure_title,
        "category": rule.category,
        "severity": rule.severity,
        "rationale": rule.rationale,
        "source": rule.source,
        "suggestion": rule.suggestion,
        "claim_type": rule.claim_type,
        "scope": rule.scope,
    }


def page_entry(
    *,
    site: str,
    url: str,
    page: Page | None,
    fetch: FetchResult | None,
    findings: list[Finding],
    depth: int | None,
) -> dict[str, Any]:
    """One element of the report's `pages` list; fetch facts kept so the next run can ask conditionally."""
    entry: dict[str, Any] = {
        "url": url,
        "site": site,
        "status": fetch.status if fetch else (page.status if page else None),
        "final_url": (fetch.final_url if fetch else None) or (page.final_url if page else None),
        "content_type": fetch.content_type if fetch else (page.source_kind if page else None),
        "title": page.title if page else None,
        "meta_description": page.meta_description if page else None,
        "word_count": page.word_count if page else 0,
        "content_hash": page.content_hash if page else None,
        "depth": depth,
        "elapsed": round(fetch.elapsed, 4) if fetch else None,
        "redirects": [
            {"url": r.url, "status": r.status, "location": r.location} for r in (fetch.redirect_chain if fetch else ())
        ],
        "error": fetch.error if fetch else None,
        "fetch_headers": {
            "etag": fetch.header("etag") if fetch else None,
            "last_modified": fetch.header("last-modified") if fetch else None,
        },
        "findings": [finding_to_dict(f) for f in findings],
    }
    return entry
