"""The SMP question pack: what it asks, that it validates, and that each question's own examples behave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.config import Config
from auditor.errors import RuleError
from auditor.extract import extract_text
from auditor.models import Finding, Site
from auditor.nlp import analyse_pages
from checks.question_pack import RULES_DIR, Question, load_pack, parse_pack
from checks.questions import QuestionCoverageCheck
from checks.registry import CheckContext

PACK = load_pack("smp")

# The questions the issue says the SMP pack asks at least.
REQUIRED = (
    "is scalp micropigmentation safe",
    "does scalp micropigmentation hurt",
    "can scalp micropigmentation go wrong",
    "how long does scalp micropigmentation last",
    "does scalp micropigmentation fade",
    "can scalp micropigmentation be removed",
    "does scalp micropigmentation damage hair follicles",
    "does scalp micropigmentation regrow hair",
    "how many sessions does scalp micropigmentation take",
    "how much does scalp micropigmentation cost",
    "is scalp micropigmentation permanent",
)


def _by_text(text: str) -> Question:
    for q in PACK.questions:
        if q.question.rstrip("?").lower() == text:
            return q
    raise AssertionError(f"the SMP pack does not ask {text!r}")


def test_pack_asks_every_required_question() -> None:
    for text in REQUIRED:
        q = _by_text(text)
        assert q.id.startswith("QST")
        assert q.priority in ("high", "medium", "low")
        assert q.expected.fact
    assert len({q.id for q in PACK.questions}) == len(PACK.questions)


def test_expected_answers_carry_the_issue_s_rules() -> None:
    assert _by_text("does scalp micropigmentation regrow hair").expected.polarity == "no"
    permanent = _by_text("is scalp micropigmentation permanent").expected
    assert "yes" in permanent.wrong_polarities and permanent.qualified_by
    safe = _by_text("is scalp micropigmentation safe").expected
    assert any(p.text == "trained" for p in safe.must_say)
    hurt = _by_text("does scalp micropigmentation hurt").expected
    assert any(f.phrase.text == "painless" and f.claim_type == "painless" for f in hurt.must_not_say)


def test_synonyms_expand_concepts() -> None:
    hurt = _by_text("does scalp micropigmentation hurt")
    words = {p.text for c in hurt.asks for p in c.phrases}
    assert {"hurt", "painful", "pain"} <= words
    assert {p.text for p in PACK.subject.terms} >= {"scalp micropigmentation", "smp", "hair tattoo"}


def _site(text: str) -> Site:
    pages = list(analyse_pages([extract_text(text, "draft.txt")]))
    return Site(name="example", root_url=None, pages=tuple(pages))


def _audit(text: str) -> tuple[dict[str, Any], list[Finding]]:
    check = QuestionCoverageCheck(Config(), packs=[PACK])
    site = _site(text)
    ctx = CheckContext(config=Config())
    findings = list(check.check_site(site, ctx))
    data = check.site_data(site, ctx)
    return {q["id"]: q for q in data["questions"]}, findings


CASES = [
    (q, kind, text)
    for q in PACK.questions
    for kind, texts in (
        ("answers", q.examples.answers),
        ("wrong", q.examples.wrong),
        ("unrelated", q.examples.unrelated),
    )
    for text in texts
]


@pytest.mark.parametrize(
    ("question", "kind", "text"), CASES, ids=[f"{q.id}-{k}-{i}" for i, (q, k, _) in enumerate(CASES)]
)
def test_question_examples(question: Question, kind: str, text: str) -> None:
    """Every example in the pack is a test: answers are found and accurate, wrong ones are caught."""
    by_id, findings = _audit(text)
    entry = by_id[question.id]
    wrong = [f for f in findings if f.check_id == "ACC101" and question.id in dict(f.details)["question_ids"]]
    if kind == "unrelated":
        assert not entry["answered"], entry["best"]
        return
    assert entry["answered"], entry["pages"]
    if kind == "answers":
        assert not wrong, wrong[0].message
        assert entry["accurate"] is True
    else:
        assert wrong, f"no accuracy finding for: {text}"
        assert wrong[0].claim_type is not None or question.expected.claim_type is None
        lead = PACK.question(dict(wrong[0].details)["question_id"])
        assert lead.expected.fact in wrong[0].message and text in wrong[0].message
        assert entry["accurate"] is False


def _raw() -> dict[str, Any]:
    data = yaml.safe_load((RULES_DIR / "questions_smp.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d["questions"][0].update(id="SAFE-1"), "id must start with QST"),
        (lambda d: d["questions"][1].update(id=d["questions"][0]["id"]), "used twice"),
        (lambda d: d["questions"][0]["expected"].update(polarity="maybe"), "expected.polarity"),
        (lambda d: d["questions"][0]["expected"].update(fact=""), "expected.fact"),
        (lambda d: d["questions"][0]["expected"].update(wrong_polarities=["yes"]), "expected polarity"),
        (lambda d: d["questions"][0].update(question="Is SMP safe"), "ending with '?'"),
        (lambda d: d["questions"][0].update(colour="blue"), "unknown key"),
        (lambda d: d["questions"][0].update(asks=[]), "'asks'"),
        (lambda d: d["questions"][0].update(requires="weeks"), "requires must be"),
        (lambda d: d["questions"][0]["expected"].update(range=[5, 1]), "expected.range"),
    ],
)
def test_invalid_packs_name_file_question_and_reason(mutate: Any, reason: str) -> None:
    data = _raw()
    qid = data["questions"][0]["id"]
    mutate(data)
    with pytest.raises(RuleError) as info:
        parse_pack(data, "questions_test.yaml")
    message = str(info.value)
    assert message.startswith("questions_test.yaml")
    assert reason in message
    assert "question" in message or qid in message


def test_a_pack_by_path_and_a_missing_pack(tmp_path: Path) -> None:
    copy = tmp_path / "mine.yaml"
    copy.write_text((RULES_DIR / "questions_smp.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_pack(str(copy)).name == "smp"
    with pytest.raises(RuleError, match="not found"):
        load_pack("no-such-pack")
