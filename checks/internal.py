"""The rule behind "a check could not run": the engine reports it, so a broken check never looks like a pass."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.models import Finding, Site
from checks.registry import CheckContext, RuleDocs, RuleInfo

CHECK_FAILED = RuleInfo(
    id="CRL090",
    title="Every check ran",
    failure_title="A check could not run on this page",
    category="crawl",
    severity="error",
    rationale="A check that fails silently would look like a pass; the page has not really been audited for it.",
    source="Clinic Content Auditor engine (DESIGN.md: a check that cannot run says so and never reports a pass)",
    suggestion="Re-run the audit; if it persists, report the message with the page URL to the auditor's maintainers.",
    docs=RuleDocs(
        what="Raised by the engine when a check stops with an internal error on a page or a site.",
        why="Without it, a page whose check crashed would show no findings and be read as clean.",
        example="A rule pack pattern that cannot handle an unusual page layout.",
        instead="Nothing to change on the page; the auditor itself needs fixing.",
        references=("docs/report-contract.md",),
    ),
    scope="page",
    origin=__name__,
)


def check_failed_finding(check_name: str, url: str, exc: BaseException) -> Finding:
    return Finding(
        check_id=CHECK_FAILED.id,
        category="crawl",
        severity="error",
        url=url,
        message=f"The {check_name} check could not run here ({type(exc).__name__}: {exc}).",
        suggestion=CHECK_FAILED.suggestion,
        key=check_name,
    )


class EngineRules:
    """Carries the engine's own rules into the registry; its findings come from the pipeline, not from here."""

    name = "engine"

    def rules(self) -> Sequence[RuleInfo]:
        return (CHECK_FAILED,)

    def check_site(self, site: Site, ctx: CheckContext) -> Iterable[Finding]:
        del site, ctx
        return ()


def checks(config: object) -> list[EngineRules]:
    del config
    return [EngineRules()]
