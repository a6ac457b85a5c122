"""Site health scores in the manner of Ahrefs: the share of HTML pages that carry no error-level finding.

Formula (also in docs/seo.md):

    health_score            = 100 × |{p ∈ H : no error-level finding counts against p}| / |H|
    category_scores[c]      = 100 × |{p ∈ H : no error-level finding of category c counts against p}| / |H|

where H is the set of HTML pages audited (the URLs passed in, duplicates ignored). A finding counts against
the page named by its `url`; a finding about a link target (a broken internal link) also counts against every
page listed in its `linked_from` detail, because those pages are where the fault is fixed. Findings whose
pages are not in H (a 404 address that is not an HTML page of the audit) do not move any score. Warnings and
notices never lower the score: like Ahrefs, the score answers "how many pages are free of real errors".
With no HTML pages the scores are 100.0 by convention (nothing was found wrong), and callers should show the
page count beside them. Scores are rounded to one decimal place.

The functions are pure: they read what they are given and never touch the store or the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.models import CATEGORIES, Finding

ERROR = "error"
LINKED_FROM = "linked_from"


def _field(finding: Finding | Mapping[str, Any], name: str) -> Any:
    if isinstance(finding, Mapping):
        return finding.get(name)
    return getattr(finding, name, None)


def _details(finding: Finding | Mapping[str, Any]) -> dict[str, Any]:
    raw = _field(finding, "details")
    if isinstance(raw, Mapping):
        return dict(raw)
    out: dict[str, Any] = {}
    if isinstance(raw, (list, tuple)):
        for item in raw:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                out[str(item[0])] = item[1]
    return out


def pages_charged(finding: Finding | Mapping[str, Any]) -> set[str]:
    """The pages a finding counts against: its url, plus the pages linking to it for link-target findings."""
    pages: set[str] = set()
    url = _field(finding, "url")
    if url:
        pages.add(str(url))
    linked = _details(finding).get(LINKED_FROM)
    if isinstance(linked, (list, tuple)):
        pages.update(str(u) for u in linked if u)
    return pages


def _score(clean: int, total: int) -> float:
    return 100.0 if total == 0 else round(100.0 * clean / total, 1)


def site_health(
    html_page_urls: Sequence[str], findings: Iterable[Finding | Mapping[str, Any]]
) -> dict[str, Any]:
    """{"health_score": float, "category_scores": {category: float}} by the module docstring's formula."""
    pages = set(html_page_urls)
    with_error: set[str] = set()
    by_category: dict[str, set[str]] = {category: set() for category in CATEGORIES}
    for finding in findings:
        if _field(finding, "severity") != ERROR:
            continue
        charged = pages_charged(finding) & pages
        with_error |= charged
        category = str(_field(finding, "category") or "")
        by_category.setdefault(category, set()).update(charged)
    total = len(pages)
    return {
        "health_score": _score(total - len(with_error), total),
        "category_scores": {
            category: _score(total - len(hit), total) for category, hit in by_category.items() if category
        },
    }


def page_has_error(
    url: str, findings: Iterable[Finding | Mapping[str, Any]], category: str | None = None
) -> bool:
    """Whether one page would count as unhealthy, optionally within one category; for per-page badges."""
    for finding in findings:
        if _field(finding, "severity") != ERROR:
            continue
        if category is not None and _field(finding, "category") != category:
            continue
        if url in pages_charged(finding):
            return True
    return False
