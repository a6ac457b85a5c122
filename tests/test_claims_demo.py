"""The demo clinic site: planted claims are found in the right type; safe uses of trigger words are not."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.extract import load_local_file
from auditor.models import AnalysedPage, Finding
from auditor.nlp import analyse_page
from checks.claims import ClaimRuleSet, evaluate, load_claim_rules

DEMO = Path(__file__).resolve().parents[1] / "auditor" / "demo"


def _expected() -> dict[str, Any]:
    path = DEMO / "expected.yaml"
    if not path.exists():
        return {}
    pages: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["pages"]
    return pages


EXPECTED = _expected()
pytestmark = pytest.mark.skipif(not EXPECTED, reason="the demo site is not present")


def demo_page(rel: str) -> AnalysedPage:
    page = load_local_file(str(DEMO / "site" / rel))
    return analyse_page(dataclasses.replace(page, url="https://demo.example/" + EXPECTED[rel]["url"]))


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
