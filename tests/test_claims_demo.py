"""The demo clinic site: planted claims are found in the right type; safe uses of trigger words are not."""

from __future__ import annotations

import pytest
from demo_pages import EXPECTED, demo_page

from auditor.models import Finding
from checks.claims import ClaimRuleSet, evaluate, load_claim_rules

pytestmark = pytest.mark.skipif(not EXPECTED, reason="the demo site is not present")


def norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


@pytest.fixture(scope="module")
def ruleset() -> ClaimRuleSet:
    return load_claim_rules(["smp"])


def live(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_planted_claims_are_found_and_nothing_else(ruleset: ClaimRuleSet, rel: str) -> None:
    found = live(evaluate(demo_page(rel), ruleset))
    for claim in EXPECTED[rel]["claims"]:
        kind = claim["claim_type"]
        assert any(
            f.claim_type == kind and f.evidence and norm(claim["excerpt"]) in norm(f.evidence.excerpt)
            for f in found
        ), (claim, [(f.claim_type, f.evidence.excerpt if f.evidence else "") for f in found])
    if EXPECTED[rel]["clean_claims"]:
        assert found == [], [(f.check_id, f.evidence.excerpt if f.evidence else "") for f in found]


@pytest.mark.parametrize("rel", sorted(r for r in EXPECTED if EXPECTED[r]["safe_uses"]))
def test_safe_uses_are_not_flagged(ruleset: ClaimRuleSet, rel: str) -> None:
    found = live(evaluate(demo_page(rel), ruleset))
    for safe in EXPECTED[rel]["safe_uses"]:
        clashes = [f for f in found if f.evidence and norm(safe["excerpt"]) in norm(f.evidence.excerpt)]
        assert clashes == [], (safe, [(f.check_id, f.cue) for f in clashes])
