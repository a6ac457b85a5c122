"""Each claims rule's own examples, one test each: `fail` sentences are flagged by it, `pass` are not."""

from __future__ import annotations

import pytest

from auditor.models import Block, Page
from auditor.nlp import analyse_page
from checks.claims import ClaimRuleSet, evaluate, load_claim_rules
from checks.rulepack import RULES_DIR, ClaimRule, parse_pack


def _cases() -> list[tuple[str, str, bool]]:
    cases = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        header = path.read_text(encoding="utf-8")
        if "\nkind: claims" not in header:
            continue
        _, rules = parse_pack(path, "claims")
        for rule in rules:
            assert isinstance(rule, ClaimRule)
            cases += [(rule.id, text, True) for text in rule.examples.fail]
            cases += [(rule.id, text, False) for text in rule.examples.pass_]
    return cases


CASES = _cases()


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
    block = Block(index=0, kind="paragraph", text=text, heading_path=(), locator="p")
    findings = evaluate(
        analyse_page(Page(url="https://clinic.example/x", source_kind="html", blocks=(block,))), ruleset
    )
    flagged = any(f.check_id == rule_id and f.severity in ("error", "warning") for f in findings)
    assert flagged == must_flag, [(f.check_id, f.severity, f.cue) for f in findings]
