"""The clinic guide (good copy, body text only) answers the safety questions and not the price question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.config import Config
from auditor.extract import load_local_file
from auditor.models import Finding, Site
from auditor.nlp import analyse_pages
from checks.questions import QuestionCoverageCheck
from checks.registry import CheckContext

Audit = tuple[dict[str, dict[str, Any]], list[Finding]]
GUIDE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "smp-safety-guide.txt"

ANSWERED = {
    "QST-SMP-SAFE": "Is scalp micropigmentation safe?",
    "QST-SMP-HURT": "Does scalp micropigmentation hurt?",
    "QST-SMP-WRONG": "Can scalp micropigmentation go wrong?",
    "QST-SMP-FOLLICLE": "Does scalp micropigmentation damage hair follicles?",
    "QST-SMP-REGROW": "Does scalp micropigmentation regrow hair?",
    "QST-SMP-FADE": "Does scalp micropigmentation fade?",
    "QST-SMP-REMOVE": "Can scalp micropigmentation be removed?",
}


@pytest.fixture(scope="module")
def audit() -> Audit:
    if not GUIDE.exists():
        pytest.skip("../shared/corpus/smp-safety-guide.txt is not present")
    pages = tuple(analyse_pages([load_local_file(str(GUIDE))]))
    site = Site(name="guide", root_url=None, pages=pages)
    check = QuestionCoverageCheck(Config())
    ctx = CheckContext(config=Config())
    findings = list(check.check_site(site, ctx))
    data = check.site_data(site, ctx)
    return {q["id"]: q for q in data["questions"]}, findings


def test_guide_answers_the_safety_questions(audit: Audit) -> None:
    questions, _ = audit
    for qid, text in ANSWERED.items():
        entry = questions[qid]
        assert entry["question"] == text
        assert entry["answered"], (qid, entry["pages"])
        assert entry["accurate"] is True, (qid, entry["best"])


def test_guide_says_smp_does_not_regrow_hair(
    audit: Audit,
) -> None:
    questions, _ = audit
    best = questions["QST-SMP-REGROW"]["best"]
    assert best is not None
    assert "does not stimulate or regrow hair" in best["excerpt"]
    assert any("agrees with the expected answer" in note for note in best["quality"])
    assert best["findable_as"] == "body"  # the guide has no headings: findable only in body text


def test_guide_does_not_answer_the_price(audit: Audit) -> None:
    questions, findings = audit
    cost = questions["QST-SMP-COST"]
    assert not cost["answered"] and cost["best"] is None
    unanswered = [f for f in findings if f.check_id == "QST001"]
    assert any(dict(f.details)["question_id"] == "QST-SMP-COST" for f in unanswered)


def test_good_copy_draws_no_accuracy_finding(
    audit: Audit,
) -> None:
    _, findings = audit
    accuracy = [f for f in findings if f.category == "accuracy"]
    assert not accuracy, [f.message for f in accuracy]


def test_findings_have_distinct_fingerprints(audit: Audit) -> None:
    _, findings = audit
    assert len({f.fingerprint for f in findings}) == len(findings)
