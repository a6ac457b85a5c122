"""Every caveat's own examples, one test each: `pass` sentences carry the caveat, `fail` sentences do not."""

from __future__ import annotations

import pytest

from auditor.models import Block, Page
from auditor.nlp import analyse_page
from checks.caveats import CaveatRuleSet, load_caveat_rules, present_caveats
from checks.rulepack import RULES_DIR, CaveatRule, parse_pack


def _cases() -> list[tuple[str, str, bool]]:
    cases = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        if "\nkind: caveats" not in path.read_text(encoding="utf-8"):
            continue
        _, rules = parse_pack(path, "caveats")
        for rule in rules:
            assert isinstance(rule, CaveatRule)
            cases += [(rule.id, text, True) for text in rule.examples.pass_]
            cases += [(rule.id, text, False) for text in rule.examples.fail]
    return cases


CASES = _cases()


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
    block = Block(index=0, kind="paragraph", text=text, heading_path=(), locator="p")
    page = analyse_page(
        Page(url="https://clinic.example/treatments/smp", source_kind="html", blocks=(block,))
    )
    assert (rule_id in present_caveats(page, ruleset)) == carries
