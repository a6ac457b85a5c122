"""The check registry: rule metadata, the check protocols, and selection by id, prefix and URL glob."""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from auditor.models import AnalysedPage, Category, Finding, Severity, Site

Scope = Literal["page", "site"]

# Modules that provide checks. Each exposes `checks(config) -> list[PageCheck | SiteCheck]`.
CHECK_MODULES: tuple[str, ...] = (
    "checks.internal",
    "checks.crawl_checks",
    "checks.seo",
    "checks.claims",
    "checks.caveats",
    "checks.questions",
    "checks.consistency",
    "checks.site",
)


@dataclass(frozen=True)
class RuleDocs:
    """The fixed documentation sections `auditor rules explain` prints, in the manner of Ruff's rule pages."""

    what: str
    why: str
    example: str
    instead: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class RuleInfo:
    """Everything a reviewer needs to judge a finding without reading our code."""

    id: str
    title: str  # the passing state, e.g. "Page has a title"
    failure_title: str  # e.g. "Page has no title"
    category: Category
    severity: Severity
    rationale: str  # why it matters, one or two sentences
    source: str  # the guideline or standard behind it
    suggestion: str  # what to do instead
    docs: RuleDocs
    scope: Scope = "page"
    claim_type: str | None = None
    origin: str = ""  # where the rule is defined (a module or a rule pack file)


@dataclass(frozen=True)
class CheckContext:
    """What a check may read besides the page: the validated configuration and nothing that does I/O."""

    config: Any  # auditor.config.Config; typed loosely so checks need not import the config module
    options: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class PageCheck(Protocol):
    """A check of one page. Pure: reads the analysed page, returns findings, touches nothing else."""

    name: str

    def rules(self) -> Sequence[RuleInfo]: ...

    def check_page(self, page: AnalysedPage, ctx: CheckContext) -> Iterable[Finding]: ...


@runtime_checkable
class SiteCheck(Protocol):
    """A check of a whole site (duplicates, broken links, question coverage...). Pure like a page check."""

    name: str

    def rules(self) -> Sequence[RuleInfo]: ...

    def check_site(self, site: Site, ctx: CheckContext) -> Iterable[Finding]: ...


@runtime_checkable
class PreparingCheck(SiteCheck, Protocol):
    """A site check split into a map and a reduce, so its per-page work runs where each page is analysed.

    The pipeline calls `prepare_page` in the worker pool right after the page checks (in parallel, and stored
    with the page so an unchanged page next week skips it), then `gather`s each small summary into the
    accumulator from `start` as pages arrive and hands it over as `site.prepared[check.name]`; the whole
    analysed page never has to reach, or stay in, the main process. `check_site` must give the same result
    from `site.pages` alone (see `gathered`), and must not depend on the order pages arrive in.
    """

    def prepare_page(self, page: AnalysedPage, findings: Sequence[Finding], ctx: CheckContext) -> Any: ...

    def start(self) -> Any: ...

    def gather(self, gathered: Any, prepared: Any) -> None: ...


def gathered(check: PreparingCheck, site: Site, ctx: CheckContext) -> Any:
    """The check's page summaries: as the pipeline gathered them, or worked out now from the whole pages."""
    found = site.prepared.get(check.name)
    if found is not None:
        return found
    page_findings: Mapping[str, Sequence[Finding]] = ctx.options.get("page_findings") or {}
    acc = check.start()
    for page in site.pages:
        check.gather(acc, check.prepare_page(page, page_findings.get(page.page.url, ()), ctx))
    return acc


def _matches(rule_id: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector that names this rule (by id or prefix); 0 when none does."""
    best = 0
    for sel in selectors:
        sel = sel.strip().upper()
        if sel == "ALL":
            best = max(best, 1)
        elif rule_id.upper().startswith(sel):
            best = max(best, len(sel) + 1)
    return best


@dataclass(frozen=True)
class Selection:
    """Which rules run where: `select`/`ignore` by id or prefix (longest wins, like Ruff) and per-URL ignores."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_page_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def rule_enabled(self, rule_id: str) -> bool:
        sel = _matches(rule_id, self.select)
        ign = _matches(rule_id, self.ignore)
        return sel > 0 and sel >= ign if ign else sel > 0

    def enabled_for(self, rule_id: str, url: str) -> bool:
        if not self.rule_enabled(rule_id):
            return False
        return not any(fnmatch.fnmatch(url, glob) and _matches(rule_id, ids) for glob, ids in self.per_page_ignores)


AnyCheck = PageCheck | SiteCheck


def load_checks(config: Any) -> list[AnyCheck]:
    """Instantiate every check from every check module; the order is stable so reports are too."""
    found: list[AnyCheck] = []
    for module_name in CHECK_MODULES:
        module = importlib.import_module(module_name)
        factory = module.checks
        found.extend(factory(config))
    return found


def rules_index(checks: Iterable[AnyCheck]) -> dict[str, RuleInfo]:
    """All rules by id; two checks claiming one id is a programming error caught by the tests."""
    index: dict[str, RuleInfo] = {}
    for check in checks:
        for rule in check.rules():
            if rule.id in index:
                raise ValueError(f"rule id {rule.id} is defined twice ({index[rule.id].origin}, {rule.origin})")
            index[rule.id] = rule
    return index


def missing_docs(rule: RuleInfo) -> list[str]:
    """The metadata a rule lacks; every rule must explain itself to a reviewer."""
    missing = [
        name
        for name in ("title", "failure_title", "rationale", "source", "suggestion")
        if not str(getattr(rule, name)).strip()
    ]
    for name in ("what", "why", "example", "instead"):
        if not str(getattr(rule.docs, name)).strip():
            missing.append(f"docs.{name}")
    if not rule.docs.references:
        missing.append("docs.references")
    return missing
