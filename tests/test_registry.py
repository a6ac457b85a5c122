"""The registry: selection semantics, and every rule documents itself (a rule without docs fails here)."""

from __future__ import annotations

import pytest

from auditor.config import Config
from checks.registry import Selection, load_checks, missing_docs, rules_index


def test_select_and_ignore_by_prefix() -> None:
    sel = Selection(select=("ALL",), ignore=("SEO",))
    assert sel.rule_enabled("CLM001")
    assert not sel.rule_enabled("SEO004")


def test_longest_selector_wins() -> None:
    sel = Selection(select=("SEO004",), ignore=("SEO",))
    assert sel.rule_enabled("SEO004")
    assert not sel.rule_enabled("SEO005")


def test_nothing_selected() -> None:
    assert not Selection(select=("CLM",)).rule_enabled("SEO001")


def test_per_page_ignores() -> None:
    sel = Selection(per_page_ignores=(("*/privacy*", ("CAV", "QST001")),))
    assert not sel.enabled_for("CAV002", "https://x.test/privacy-policy")
    assert not sel.enabled_for("QST001", "https://x.test/privacy")
    assert sel.enabled_for("QST002", "https://x.test/privacy")
    assert sel.enabled_for("CAV002", "https://x.test/treatments")


@pytest.fixture(scope="module")
def all_rules() -> dict[str, object]:
    return dict(rules_index(load_checks(Config())))


def test_every_rule_is_documented(all_rules: dict[str, object]) -> None:
    problems = {rid: missing_docs(rule) for rid, rule in all_rules.items()}  # type: ignore[arg-type]
    assert not {rid: m for rid, m in problems.items() if m}


def test_rule_ids_carry_their_category_prefix(all_rules: dict[str, object]) -> None:
    prefixes = {"claims": "CLM", "caveats": "CAV", "questions": "QST", "accuracy": "ACC", "seo": "SEO", "crawl": "CRL"}
    for rid, rule in all_rules.items():
        assert rid.startswith(prefixes[rule.category]), rid  # type: ignore[attr-defined]


def test_each_category_has_rules(all_rules: dict[str, object]) -> None:
    categories = {rule.category for rule in all_rules.values()}  # type: ignore[attr-defined]
    assert categories == {"claims", "caveats", "questions", "accuracy", "seo", "crawl"}
