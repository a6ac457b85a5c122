"""The view model: what each report view shows, as plain typed objects the templates and CSV writers read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.models import SEVERITY_RANK
from reports.text import Highlight

COMPLIANCE_CATEGORIES = ("claims", "caveats", "accuracy")
COUNTED_STATES = frozenset({"new", "persisting", "expired_waiver"})
STATE_ORDER = ("expired_waiver", "new", "persisting", "waived", "resolved")
STATE_LABELS = {
    "new": "New",
    "persisting": "Persisting",
    "waived": "Waived",
    "expired_waiver": "Waiver expired",
    "resolved": "Resolved",
}
SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Info"}
CATEGORY_LABELS = {
    "claims": "Claims",
    "caveats": "Caveats",
    "questions": "Questions",
    "accuracy": "Accuracy",
    "seo": "SEO",
    "crawl": "Crawl",
}
FINDABLE_LABELS = {
    "heading": "as a heading",
    "faq": "in an FAQ",
    "faq_schema": "in FAQ schema",
    "body": "in body text",
}
UNKNOWN_DEPTH = 99
TOP_FIXES = 10
MATRIX_COLUMNS = 10
DETAIL_ITEMS = 25  # list values shown per detail before "and N more"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    failure_title: str
    category: str
    severity: str
    why: str
    rationale: str
    source: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class PageRef:
    """A page as other views point at it: inside the report when we have its detail, else the live URL."""

    url: str
    label: str
    anchor: str | None
    href: str | None
    depth: int


@dataclass(frozen=True, slots=True)
class Waiver:
    reviewer: str
    reason: str
    expires: str
    created: str


@dataclass(frozen=True, slots=True)
class Detail:
    key: str
    items: tuple[tuple[str, str | None], ...]  # (text, safe href)
    more: int


@dataclass(slots=True)
class FindingView:
    anchor: str
    fingerprint: str
    check_id: str
    category: str
    severity: str
    state: str
    scope: str  # page | site
    page: PageRef
    site: str
    rule: Rule
    message: str
    suggestion: str
    excerpt: str
    context: Highlight | None
    heading_path: tuple[str, ...]
    locator: str
    cue: str
    claim_type: str
    waiver: Waiver | None
    details: tuple[Detail, ...]

    @property
    def counted(self) -> bool:
        return self.state in COUNTED_STATES

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True, slots=True)
class Score:
    label: str
    score: float | None
    delta: float | None


@dataclass(frozen=True, slots=True)
class SiteScore:
    name: str
    root: PageRef | None
    pages: int
    health: Score
    categories: tuple[Score, ...]


@dataclass(frozen=True, slots=True)
class Fix:
    rank: int
    rule: Rule
    severity: str
    findings: int
    pages: tuple[PageRef, ...]
    page_count: int
    message: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class RuleGroup:
    rule: Rule
    severity: str
    findings: tuple[FindingView, ...]
    page_count: int
    pages: tuple[tuple[PageRef, int, str], ...] = ()  # (page, findings on it, first message)


@dataclass(frozen=True, slots=True)
class PageRule:
    """One rule's findings on one page: listed one by one when they quote text, else summed up in a line."""

    rule: Rule
    severity: str
    anchor: str | None  # where the report explains the rule
    findings: tuple[FindingView, ...]
    itemised: bool
    summary: str
    states: str


@dataclass(slots=True)
class PageView:
    ref: PageRef
    site: str
    status: int | None
    final: PageRef | None
    content_type: str
    title: str
    meta_description: str
    word_count: int
    elapsed: float | None
    redirects: tuple[tuple[str, str, int | None, str], ...]  # (url, label, status, location)
    error: str
    findings: list[FindingView] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # target questions best answered here
    rules: tuple[PageRule, ...] = ()

    @property
    def chain(self) -> tuple[tuple[str, int | None], ...]:
        return tuple((label, status) for _, label, status, _ in self.redirects)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity and f.counted)

    @property
    def worst(self) -> str:
        worst = ""
        for f in self.findings:
            if f.counted and (not worst or SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]):
                worst = f.severity
        return worst or "ok"


@dataclass(frozen=True, slots=True)
class Answer:
    page: PageRef
    excerpt: str
    score: float | None
    findable_as: str
    heading_path: tuple[str, ...]
    locator: str
    quality: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuestionView:
    id: str
    question: str
    priority: str
    answered: bool
    best: Answer | None
    cells: tuple[float | None, ...]  # score per matrix column
    best_column: int | None
    candidates: tuple[tuple[PageRef, float | None], ...]  # where to answer it
    advice: tuple[str, ...]  # suggestions of question findings about this question


@dataclass(frozen=True, slots=True)
class CrawlRow:
    kind: str  # error | http | redirect | skipped | finding
    page: PageRef
    status: int | None
    detail: str
    chain: tuple[tuple[str, int | None], ...] = ()  # (label, status) per hop


@dataclass(frozen=True, slots=True)
class TrendPoint:
    label: str
    run_id: str
    health: float | None
    sites: tuple[tuple[str, float | None], ...]
    by_severity: tuple[int, int, int]  # error, warning, info


@dataclass
class ReportView:
    run: Mapping[str, Any]
    title: str
    schema_version: Any
    sites: tuple[SiteScore, ...]
    overall: Score
    categories: tuple[Score, ...]
    summary: Mapping[str, Any]
    changes: dict[str, int]
    previous_run: str
    by_severity: dict[str, int]
    fixes: tuple[Fix, ...]
    trend: tuple[TrendPoint, ...]
    compliance: tuple[RuleGroup, ...]
    compliance_count: int
    questions: tuple[QuestionView, ...]
    matrix: tuple[PageRef, ...]
    seo_site: tuple[FindingView, ...]
    seo_groups: tuple[RuleGroup, ...]
    seo_count: int
    pages: tuple[PageView, ...]
    crawl: tuple[CrawlRow, ...]
    crawl_findings: tuple[FindingView, ...]
    findings: tuple[FindingView, ...]  # every finding, page and site, plus the resolved ones
    filters: dict[str, tuple[tuple[str, str], ...]]
