"""The claims and caveats packs' own examples as test cases, and the one-paragraph page each is judged on."""

from __future__ import annotations

from typing import Literal

from auditor.models import AnalysedPage, Block, Page
from auditor.nlp import analyse_page
from checks.rulepack import RULES_DIR, CaveatRule, ClaimRule, PackKind, parse_pack


def example_cases(kind: PackKind, marked: Literal["fail", "pass"]) -> list[tuple[str, str, bool]]:
    """(rule id, text, True for a `marked` example) for every bundled pack of `kind`, marked ones first:
    the claims engine must flag its `fail` examples, the caveats engine must find its `pass` ones."""
    rule_type = ClaimRule if kind == "claims" else CaveatRule
    cases = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        if f"\nkind: {kind}" not in path.read_text(encoding="utf-8"):
            continue
        _, rules = parse_pack(path, kind)
        for rule in rules:
            assert isinstance(rule, rule_type)
            fail, pass_ = rule.examples.fail, rule.examples.pass_
            first, then = (fail, pass_) if marked == "fail" else (pass_, fail)
            cases += [(rule.id, text, True) for text in first]
            cases += [(rule.id, text, False) for text in then]
    return cases


def one_block_page(text: str, url: str) -> AnalysedPage:
    """A page holding `text` as its only paragraph, analysed as the engines see a real one."""
    block = Block(index=0, kind="paragraph", text=text, heading_path=(), locator="p")
    return analyse_page(Page(url=url, source_kind="html", blocks=(block,)))
