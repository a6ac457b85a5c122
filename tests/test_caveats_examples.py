"""Every caveat's own examples, one test each: `pass` sentences carry the caveat, `fail` sentences do not."""

from __future__ import annotations

import pytest
from pack_examples import example_cases, one_block_page

from checks.caveats import CaveatRuleSet, load_caveat_rules, present_caveats

CASES = example_cases("caveats", marked="pass")


@pytest.fixture(scope="module")
def ruleset() -> CaveatRuleSet:
    return load_caveat_rules(["smp"])


def test_every_required_caveat_has_examples() -> None:
    assert {rule_id for rule_id, _, _ in CASES} == {"CAV001", "CAV002", "CAV003", "CAV004", "CAV005"}


@pytest.mark.parametrize(
    ("rule_id", "text", "carries"),
    CASES,
    ids=[f"{r}-{'pass' if c else 'fail'}-{i}" for i, (r, _, c) in enumerate(CASES)],
)
def test_caveat_example(ruleset: CaveatRuleSet, rule_id: str, text: str, carries: bool) -> None:
    page = one_block_page(text, "https://clinic.example/treatments/smp")
    assert (rule_id in present_caveats(page, ruleset)) == carries
