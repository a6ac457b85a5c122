"""Question coverage on pages written for the tests: headings, FAQ items, structured data, quality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.config import Config
from auditor.extract import extract_html, load_local_file
from auditor.models import Evidence, Finding, Page, Site
from auditor.nlp import analyse_pages
from checks.question_pack import load_pack
from checks.questions import RULES, QuestionCoverageCheck, page_units, score_unit, upper_bound
from checks.registry import CheckContext, missing_docs

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "questions"
ROOT = "https://clinic.example/"

SAFE = "QST-SMP-SAFE"
HURT = "QST-SMP-HURT"
FADE = "QST-SMP-FADE"
LAST = "QST-SMP-LAST"
REGROW = "QST-SMP-REGROW"
PERMANENT = "QST-SMP-PERMANENT"
COST = "QST-SMP-COST"


def page(name: str) -> Page:
    path = FIXTURES / name
    if path.suffix == ".html":
        return extract_html(path.read_bytes(), ROOT + path.stem)
    return load_local_file(str(path))


def audit(*pages: Page, options: dict[str, Any] | None = None) -> tuple[dict[str, dict[str, Any]], list[Finding]]:
    site = Site(name="Example clinic", root_url=ROOT, pages=tuple(analyse_pages(pages)))
    check = QuestionCoverageCheck(Config())
    ctx = CheckContext(config=Config(), options=options or {})
    findings = list(check.check_site(site, ctx))
    data = check.site_data(site, ctx)
    json.dumps(data)  # the report contract is JSON
    return {q["id"]: q for q in data["questions"]}, findings


def of(findings: list[Finding], rule: str, qid: str | None = None) -> list[Finding]:
    return [
        f
        for f in findings
        if f.check_id == rule
        and (qid is None or qid == dict(f.details).get("question_id") or qid in dict(f.details).get("question_ids", ()))
    ]


def test_every_rule_explains_itself() -> None:
    assert [r.id for r in RULES] == [
        "QST001",
        "QST002",
        "QST003",
        "QST004",
        "QST005",
        "QST006",
        "QST007",
        "ACC101",
        "ACC106",
    ]
    for rule in RULES:
        assert not missing_docs(rule), (rule.id, missing_docs(rule))
        assert rule.scope == "site"


def test_question_as_a_heading() -> None:
    qs, findings = audit(page("heading.html"))
    best = qs[HURT]["best"]
    assert qs[HURT]["answered"] and best is not None
    assert best["url"] == ROOT + "heading"
    assert best["findable_as"] == "heading"
    assert best["heading_path"][-1] == "Does scalp micropigmentation hurt?"
    assert best["excerpt"].startswith("Most clients feel only mild discomfort")
    assert best["locator"] and 0.5 <= best["score"] <= 1
    assert any("direct reply" in note for note in best["quality"])
    assert not of(findings, "QST002", HURT) and not of(findings, "QST003", HURT)
    assert not of(findings, "ACC101")
    # the page is about SMP but says nothing about cost: that question stays unanswered
    assert not qs[COST]["answered"] and qs[COST]["best"] is None


def test_question_as_a_details_faq_item() -> None:
    qs, findings = audit(page("details.html"))
    best = qs[SAFE]["best"]
    assert best is not None and best["findable_as"] == "faq"
    assert best["excerpt"].startswith("Yes. Scalp micropigmentation is considered safe")
    assert qs[SAFE]["accurate"] is True
    assert not of(findings, "ACC106", SAFE)  # it ties safety to a trained practitioner


def test_question_only_in_faqpage_json_ld_is_not_visible() -> None:
    qs, findings = audit(page("schema_only.html"))
    best = qs[PERMANENT]["best"]
    assert best is not None and best["findable_as"] == "faq_schema"
    assert any("not visible" in note for note in best["quality"])
    hidden = of(findings, "QST006")
    assert len(hidden) == 1
    assert "Is scalp micropigmentation permanent?" in hidden[0].message
    assert hidden[0].url == ROOT + "schema_only"
    assert dict(hidden[0].details)["question_id"] == PERMANENT


def test_faq_schema_that_disagrees_with_the_page() -> None:
    qs, findings = audit(page("schema_disagree.html"))
    assert qs[FADE]["best"]["findable_as"] == "faq"  # the visible heading is also in the FAQPage markup
    disagree = of(findings, "QST007")
    assert len(disagree) == 1
    assert "never fade" in disagree[0].message and "Yes, gradually" in disagree[0].message
    assert not of(findings, "QST006")  # reported once, as the stronger fault
    wrong = of(findings, "ACC101", FADE)
    assert wrong and wrong[0].claim_type == "permanent"


def test_paraphrased_heading_counts_on_meaning() -> None:
    qs, _ = audit(page("paraphrased.html"))
    best = qs[HURT]["best"]
    assert best is not None, qs[HURT]["pages"]
    assert best["heading_path"][-1] == "How will my scalp feel during the procedure?"
    assert best["findable_as"] == "heading"
    assert any("feel" in m for m in best["matched"])  # the reason is given, not just a number


def test_reply_buried_in_the_fourth_sentence() -> None:
    qs, findings = audit(page("buried.html"))
    assert qs[HURT]["answered"]
    buried = of(findings, "QST003", HURT)
    assert len(buried) == 1
    details = dict(buried[0].details)
    assert details["reply_sentence"] == 3
    assert details["reply"].startswith("Most people feel only mild discomfort")
    assert "sentence 4" in buried[0].message
    assert buried[0].evidence is not None and buried[0].evidence.excerpt.startswith("At our clinic")


def test_wrong_answer_is_an_accuracy_finding_quoting_both() -> None:
    qs, findings = audit(page("wrong.html"))
    assert qs[REGROW]["answered"] and qs[REGROW]["accurate"] is False
    wrong = of(findings, "ACC101", REGROW)
    assert len(wrong) == 1
    finding = wrong[0]
    assert finding.category == "accuracy" and finding.severity == "error"
    assert finding.claim_type == "regrowth"
    assert "Scalp micropigmentation stimulates new hair growth" in finding.message  # the answer
    assert "does not regrow hair" in finding.message  # the expected fact
    assert dict(finding.details)["expected_polarity"] == "no"
    assert finding.evidence is not None and finding.evidence.block_index is not None


def test_short_answer_and_missing_condition() -> None:
    _, findings = audit(page("short.html"))
    short = of(findings, "QST004", SAFE)
    assert short and "too short" in short[0].message
    missing = of(findings, "ACC106", SAFE)
    assert missing and "trained practitioner" in missing[0].message
    assert not of(findings, "ACC101", SAFE)  # a plain "yes" to "is it safe" is incomplete, not contradicted


def test_unanswered_question_suggests_where_to_answer_it() -> None:
    _, findings = audit(page("heading.html"), page("pricing.html"))
    cost = of(findings, "QST001", COST)
    assert len(cost) == 1
    finding = cost[0]
    assert finding.url == ROOT + "pricing"  # the page whose topic is closest
    assert "How much does scalp micropigmentation cost?" in finding.message
    assert ROOT + "pricing" in finding.suggestion
    assert finding.key == COST and finding.evidence is None


def test_answer_carrying_a_claims_finding() -> None:
    pg = page("heading.html")
    answer = next(b for b in pg.blocks if b.text.startswith("Most clients feel only mild discomfort"))
    claim = Finding(
        check_id="CLM005",
        category="claims",
        severity="error",
        url=pg.url,
        message="An absolute comfort claim.",
        evidence=Evidence(excerpt="the treatment stays manageable", block_index=answer.index),
        claim_type="painless",
    )
    qs, findings = audit(pg, options={"page_findings": {pg.url: [claim]}})
    flagged = of(findings, "QST005", HURT)
    assert len(flagged) == 1 and "CLM005" in flagged[0].message
    assert any("claims finding" in note for note in qs[HURT]["best"]["quality"])
    _, without = audit(pg)
    assert not of(without, "QST005")


def test_files_audited_together_are_one_site() -> None:
    qs, findings = audit(page("draft.txt"), page("details.html"))
    assert qs[LAST]["best"]["url"].endswith("draft.txt")
    assert qs[SAFE]["best"]["url"] == ROOT + "details"
    for entry in qs.values():
        assert set(entry) >= {"id", "question", "answered", "best", "pages"}
        for row in entry["pages"]:
            assert set(row) >= {"url", "score"}
        if entry["best"] is not None:
            assert set(entry["best"]) >= {
                "url",
                "excerpt",
                "score",
                "findable_as",
                "heading_path",
                "locator",
                "quality",
            }
    assert all(f.category in ("questions", "accuracy") for f in findings)


def test_fingerprints_are_stable_between_runs() -> None:
    _, first = audit(page("buried.html"), page("wrong.html"))
    _, second = audit(page("buried.html"), page("wrong.html"))
    assert [f.fingerprint for f in first] == [f.fingerprint for f in second]
    assert len({f.fingerprint for f in first}) == len(first)


def test_the_pruning_bound_never_underestimates() -> None:
    """The engine skips units whose upper bound cannot beat a page's best; the bound must really bound."""
    pack = load_pack("smp")
    checked = 0
    pages = [page(p.name) for p in sorted(FIXTURES.iterdir())]
    for analysed in analyse_pages(pages):
        for unit in page_units(analysed, pack.subject):
            for q in pack.questions:
                scored = score_unit(q, unit, pack.subject)
                if scored is not None:
                    checked += 1
                    assert scored.score <= upper_bound(q, unit, pack.subject) + 1e-9, (q.id, unit.snippet_text)
    assert checked > 20
