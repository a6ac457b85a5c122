"""Each claims rule's own examples, one test each: `fail` sentences are flagged by it, `pass` are not."""

from __future__ import annotations

import pytest
from pack_examples import example_cases, one_block_page

from checks.claims import ClaimRuleSet, evaluate, load_claim_rules

CASES = example_cases("claims", marked="fail")


@pytest.fixture(scope="module")
def ruleset() -> ClaimRuleSet:
    return load_claim_rules(["smp"])


def test_there_are_examples_for_every_claim_type() -> None:
    assert len({rule_id for rule_id, _, _ in CASES}) >= 12
    assert any(flag for _, _, flag in CASES) and any(not flag for _, _, flag in CASES)


@pytest.mark.parametrize(
    ("rule_id", "text", "must_flag"),
    CASES,
    ids=[f"{r}-{'fail' if f else 'pass'}-{i}" for i, (r, _, f) in enumerate(CASES)],
)
def test_rule_example(ruleset: ClaimRuleSet, rule_id: str, text: str, must_flag: bool) -> None:
    findings = evaluate(one_block_page(text, "https://clinic.example/x"), ruleset)
    flagged = any(f.check_id == rule_id and f.severity in ("error", "warning") for f in findings)
    assert flagged == must_flag, [(f.check_id, f.severity, f.cue) for f in findings]
