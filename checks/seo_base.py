"""Shared plumbing of the SEO checks: one rule per check object, findings and applicability."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from auditor.config import Config, SeoConfig
from auditor.models import AnalysedPage, Evidence, Finding, Page, Severity, Site
from checks.registry import CheckContext, RuleDocs, RuleInfo, Scope, gathered


def make_rule(
    rule_id: str,
    *,
    title: str,
    failure_title: str,
    severity: Severity,
    rationale: str,
    source: str,
    suggestion: str,
    what: str,
    why: str,
    example: str,
    instead: str,
    references: Sequence[str],
    scope: Scope = "page",
    origin: str = "checks.seo",
) -> RuleInfo:
    return RuleInfo(
        id=rule_id,
        title=title,
        failure_title=failure_title,
        category="seo",
        severity=severity,
        rationale=rationale,
        source=source,
        suggestion=suggestion,
        docs=RuleDocs(what=what, why=why, example=example, instead=instead, references=tuple(references)),
        scope=scope,
        origin=origin,
    )


# The site-wide SEO rules (links, robots, duplicates) are listed under checks.site, where they run.
make_site_rule = partial(make_rule, scope="site", origin="checks.site")


def finding(
    rule: RuleInfo,
    url: str,
    message: str,
    *,
    suggestion: str | None = None,
    key: str | None = None,
    evidence: Evidence | None = None,
    details: Iterable[tuple[str, Any]] = (),
    severity: Severity | None = None,
) -> Finding:
    """A finding of `rule`; without evidence the key (default: the rule id) keeps the fingerprint stable."""
    if evidence is None and key is None:
        key = rule.id
    return Finding(
        check_id=rule.id,
        category=rule.category,
        severity=severity or rule.severity,
        url=url,
        message=message,
        suggestion=suggestion or rule.suggestion,
        evidence=evidence,
        details=tuple(details),
        key=key,
    )


_LAST_MAIN_TEXT: list[tuple[Page, str]] = []


def main_text(page: Page) -> str:
    """`page.main_text`, which joins the main blocks anew on every read: the language, readability and
    duplicate-content rules read it one after the other, so the last page's is kept (by identity)."""
    last = _LAST_MAIN_TEXT[0] if _LAST_MAIN_TEXT else None
    if last is not None and last[0] is page:
        return last[1]
    text = page.main_text
    _LAST_MAIN_TEXT[:] = [(page, text)]
    return text


PageFn = Callable[[AnalysedPage, SeoConfig, RuleInfo], Iterable[Finding]]
SiteFn = Callable[[Site, SeoConfig, RuleInfo, CheckContext], Iterable[Finding]]
# A site rule's map step: one page's small summary (picklable, without the page), or None when the page takes
# no part; and its reduce step: the rule given the summaries by page URL.
PrepareFn = Callable[[AnalysedPage, SeoConfig], Any]
PreparedSiteFn = Callable[[Site, SeoConfig, RuleInfo, CheckContext, Mapping[str, Any]], Iterable[Finding]]


def is_html(page: Page) -> bool:
    return page.source_kind == "html"


def is_error_status(page: Page) -> bool:
    status = page.fetch.status if page.fetch is not None else page.status
    return status is not None and status >= 400


@dataclass(frozen=True)
class Gate:
    """Where a page check applies; elsewhere it stays silent rather than report a pass it did not test."""

    kinds: tuple[str, ...] = (
        "html",
    )  # <title>, <meta>, <link>: nothing to check in a Markdown or text draft
    needs_fetch: bool = False  # HTTP facts: status, headers, timing
    skip_error_pages: bool = True  # a 404 page is reported once, by its status, not for its missing copy

    def allows(self, page: Page) -> bool:
        if page.source_kind not in self.kinds:
            return False
        if self.needs_fetch and page.fetch is None:
            return False
        return not (self.skip_error_pages and is_error_status(page))


class SeoPageCheck:
    """A page check carrying exactly one rule, so `select`/`ignore` by id switches it on or off."""

    def __init__(self, rule: RuleInfo, fn: PageFn, seo: SeoConfig, gate: Gate | None = None) -> None:
        self.rule = rule
        self.name = f"seo:{rule.id}"
        self._fn = fn
        self._seo = seo
        self._gate = gate or Gate()

    def rules(self) -> Sequence[RuleInfo]:
        return (self.rule,)

    def check_page(self, page: AnalysedPage, ctx: CheckContext) -> Iterable[Finding]:
        del ctx
        if not self._gate.allows(page.page):
            return []
        return list(self._fn(page, self._seo, self.rule))


class SeoSiteCheck:
    """A site check carrying one rule; reads the Site (and the page findings the pipeline passes) only."""

    def __init__(self, rule: RuleInfo, fn: SiteFn, seo: SeoConfig) -> None:
        self.rule = rule
        self.name = f"seo:{rule.id}"
        self._fn = fn
        self._seo = seo

    def rules(self) -> Sequence[RuleInfo]:
        return (self.rule,)

    def check_site(self, site: Site, ctx: CheckContext) -> Iterable[Finding]:
        return list(self._fn(site, self._seo, self.rule, ctx))


class PreparingSeoSiteCheck(SeoSiteCheck):
    """A one-rule site check that needs what a slim page lacks (main text, raw markup): a PreparingCheck
    (checks.registry) whose `prepare` summarises each page where it is analysed, and whose rule reads the
    summaries by page URL. Keyed by URL, the summaries do not depend on the order pages arrive in (a URL is
    one page of a site: the crawler fetches each address once, and a local file has one path)."""

    def __init__(self, rule: RuleInfo, fn: PreparedSiteFn, seo: SeoConfig, prepare: PrepareFn) -> None:
        super().__init__(rule, self._with_summaries, seo)
        self._reduce = fn
        self._prepare = prepare

    def prepare_page(
        self, page: AnalysedPage, findings: Sequence[Finding], ctx: CheckContext
    ) -> tuple[str, Any] | None:
        del findings, ctx
        summary = self._prepare(page, self._seo)
        return None if summary is None else (page.page.url, summary)

    def start(self) -> dict[str, Any]:
        return {}

    def gather(self, gathered: dict[str, Any], prepared: tuple[str, Any] | None) -> None:
        if prepared is not None:
            url, summary = prepared
            gathered[url] = summary

    def _with_summaries(self, site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
        return self._reduce(site, seo, rule, ctx, gathered(self, site, ctx))


def seo_config(config: Config | None) -> SeoConfig:
    return config.checks.seo if config is not None else SeoConfig()


def short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
