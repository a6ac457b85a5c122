"""The claims engine on the issue's sentences and what reviewers rely on: cues, evidence, severities."""

from __future__ import annotations

import pytest

from auditor.config import Config
from auditor.models import AnalysedPage, Block, Finding, Page
from auditor.nlp import analyse_page
from checks.claims import ClaimRuleSet, ClaimsCheck, checks, evaluate, load_claim_rules
from checks.registry import CheckContext, missing_docs
from checks.rulepack import ClaimRule


@pytest.fixture(scope="module")
def ruleset() -> ClaimRuleSet:
    return load_claim_rules(["smp"])


def analysed(
    *texts: str,
    url: str = "https://clinic.example/treatments/smp",
    heading: tuple[str, ...] = ("Scalp micropigmentation",),
) -> AnalysedPage:
    blocks = tuple(
        Block(
            index=i, kind="paragraph", text=t, heading_path=heading, locator=f"main > p:nth-of-type({i + 1})"
        )
        for i, t in enumerate(texts)
    )
    return analyse_page(Page(url=url, source_kind="html", blocks=blocks))


def live(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


def types_of(findings: list[Finding]) -> set[str | None]:
    return {f.claim_type for f in live(findings)}


def test_permanent_in_one_session_is_two_findings(ruleset: ClaimRuleSet) -> None:
    found = live(evaluate(analysed("Permanent results in one session!"), ruleset))
    assert {(f.check_id, f.claim_type, f.severity) for f in found} == {
        ("CLM001", "permanent", "error"),
        ("CLM002", "one_session", "error"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "SMP is not permanent.",
        "Be wary of any clinic that promises permanent results.",
        "Claims of instant results should be approached with caution.",
        "Scalp micropigmentation is semi-permanent.",
        "Is SMP painful?",
        "Traditional tattoos are designed to be permanent.",
    ],
)
def test_safe_uses_of_trigger_words_are_not_flagged(ruleset: ClaimRuleSet, text: str) -> None:
    assert live(evaluate(analysed(text), ruleset)) == []


@pytest.mark.parametrize(
    ("text", "cue_kind"),
    [
        ("SMP is not permanent.", "negation 'not'"),
        ("Be wary of any clinic that promises permanent results.", "warning frame"),
        ("Claims of instant results should be approached with caution.", "warning frame"),
        ("Traditional tattoos are designed to be permanent.", "other subject 'Traditional tattoos'"),
        ("Is SMP permanent?", "question"),
    ],
)
def test_a_cleared_claim_says_which_cue_cleared_it(ruleset: ClaimRuleSet, text: str, cue_kind: str) -> None:
    found = evaluate(analysed(text), ruleset, report_cleared=True)
    assert found, "the claim should be matched and reported as cleared"
    assert all(f.severity == "info" and dict(f.details).get("cleared") for f in found)
    assert any(f.cue and f.cue.startswith(cue_kind) and f.cue.endswith("cleared this") for f in found), found


def test_cleared_claims_are_silent_by_default(ruleset: ClaimRuleSet) -> None:
    assert evaluate(analysed("SMP is not permanent."), ruleset) == []


@pytest.mark.parametrize(
    ("text", "claim_type"),
    [
        ("No risk, no pain, no downtime.", "safe_absolute"),
        ("No risk, no pain, no downtime.", "painless"),
        ("No risk, no pain, no downtime.", "trivialising"),
        ("You won't feel a thing.", "painless"),
        ("Our pigments will never fade.", "permanent"),
        ("Nobody will ever know you had it done.", "undetectable"),
    ],
)
def test_a_negation_inside_the_claim_is_the_claim(ruleset: ClaimRuleSet, text: str, claim_type: str) -> None:
    assert claim_type in types_of(evaluate(analysed(text), ruleset))


def test_negation_scopes_over_the_claim_not_anywhere_earlier(ruleset: ClaimRuleSet) -> None:
    # "No needles" denies needles, not the permanence that follows the comma.
    assert "permanent" in types_of(evaluate(analysed("No needles, no surgery, permanent results."), ruleset))
    # A "not" earlier in another clause does not clear a later claim.
    text = "SMP is not a hair transplant; the results are permanent."
    assert "permanent" in types_of(evaluate(analysed(text), ruleset))


def test_a_quoted_testimonial_still_counts(ruleset: ClaimRuleSet) -> None:
    text = "“The results are permanent and it was totally painless,” says Mark from Leeds."
    found = live(evaluate(analysed(text), ruleset))
    assert {f.claim_type for f in found} >= {"permanent", "painless"}
    assert all(f.severity == "error" for f in found)
    assert all("quoted" in dict(f.details) for f in found)


def test_a_disclaimer_elsewhere_does_not_clear_an_overclaim(ruleset: ClaimRuleSet) -> None:
    page = analysed("Permanent results guaranteed.", "Results may vary from person to person.")
    found = live(evaluate(page, ruleset))
    assert {f.claim_type for f in found} == {"permanent", "guaranteed"}
    assert all(f.severity == "error" for f in found)


def test_results_may_vary_in_the_same_sentence_is_not_a_hedge(ruleset: ClaimRuleSet) -> None:
    found = live(
        evaluate(analysed("Permanent results for every client (individual results may vary)."), ruleset)
    )
    assert [(f.claim_type, f.severity) for f in found if f.claim_type == "permanent"] == [
        ("permanent", "error")
    ]


def test_comparatives_are_lowered_to_a_warning(ruleset: ClaimRuleSet) -> None:
    for text in (
        "SMP is more permanent than cosmetic fibres.",
        "SMP provides a more permanent visual consistency.",
    ):
        found = live(evaluate(analysed(text), ruleset))
        assert [(f.claim_type, f.severity) for f in found] == [("permanent", "warning")], text
        assert found[0].cue is not None and found[0].cue.startswith("comparative")
        assert found[0].cue.endswith("lowered this to a warning")


def test_hedges_lower_and_say_which_hedge(ruleset: ClaimRuleSet) -> None:
    found = live(evaluate(analysed("Results are typically permanent."), ruleset))
    assert [(f.claim_type, f.severity, f.cue) for f in found] == [
        ("permanent", "warning", "hedge 'typically' lowered this to a warning")
    ]


def test_other_subjects_clear_but_our_own_claims_do_not(ruleset: ClaimRuleSet) -> None:
    assert live(evaluate(analysed("Hair transplants can regrow hair in thinning areas."), ruleset)) == []
    assert live(evaluate(analysed("Finasteride may slow hair loss in some men."), ruleset)) == []
    assert "regrowth" in types_of(evaluate(analysed("Our SMP regrows hair in thinning areas."), ruleset))
    assert "permanent" in types_of(evaluate(analysed("Unlike tattoos, our SMP is permanent."), ruleset))


def test_a_finding_points_at_the_sentence_in_its_block(ruleset: ClaimRuleSet) -> None:
    block = "Welcome to our clinic. Enjoy permanent results with SMP. Call us today."
    page = analysed("Opening hours are on the contact page.", block, heading=("Treatments", "SMP"))
    [finding] = live(evaluate(page, ruleset))
    rule = next(r for r in ruleset.rules if r.id == finding.check_id)
    evidence = finding.evidence
    assert evidence is not None
    assert evidence.excerpt == "Enjoy permanent results with SMP."
    assert evidence.context == block
    assert evidence.start is not None and evidence.end is not None
    assert block[evidence.start : evidence.end] == evidence.excerpt
    assert evidence.block_index == 1
    assert evidence.heading_path == ("Treatments", "SMP")
    assert evidence.locator == "main > p:nth-of-type(2)"
    assert finding.message == f"{rule.failure_title}: “Enjoy permanent results with SMP.”"
    assert finding.suggestion == rule.suggestion
    assert finding.category == "claims" and finding.claim_type == "permanent"
    assert finding.url == "https://clinic.example/treatments/smp"
    assert finding.fingerprint


def test_accuracy_rules_report_in_the_accuracy_category(ruleset: ClaimRuleSet) -> None:
    found = live(evaluate(analysed("SMP stimulates new hair growth."), ruleset))
    assert [(f.category, f.claim_type) for f in found] == [("accuracy", "regrowth")]
    assert found[0].check_id.startswith("ACC")


def test_a_repeated_sentence_is_one_finding(ruleset: ClaimRuleSet) -> None:
    page = analysed("Permanent results.", "Some other text here.", "Permanent   results.")
    assert len(live(evaluate(page, ruleset))) == 1


def test_the_check_module_provides_documented_rules_from_the_pack() -> None:
    [check] = checks(Config())
    assert isinstance(check, ClaimsCheck)
    rules = list(check.rules())
    assert {r.claim_type for r in rules} >= {
        "permanent",
        "one_session",
        "instant",
        "guaranteed",
        "painless",
        "safe_absolute",
        "regrowth",
        "undetectable",
        "trivialising",
        "credentials",
        "pressure",
        "works_for_all",
    }
    for rule in rules:
        assert missing_docs(rule) == [], rule.id
        assert rule.origin == "checks/rules/smp_claims.yaml"
        assert rule.category == ("accuracy" if rule.id.startswith("ACC") else "claims")
    found = list(check.check_page(analysed("Guaranteed results!"), CheckContext(config=Config())))
    assert [f.claim_type for f in found] == ["guaranteed"]


def test_report_cleared_comes_from_config() -> None:
    config = Config.model_validate({"checks": {"claims": {"report_cleared": True}}})
    [check] = checks(config)
    found = list(check.check_page(analysed("SMP is not permanent."), CheckContext(config=config)))
    assert [(f.severity, f.claim_type) for f in found] == [("info", "permanent")]


def test_rules_decide_which_cues_clear_or_lower(ruleset: ClaimRuleSet) -> None:
    # A rule that lists no cues at all flags the sentence whatever surrounds it.
    base = next(r for r in ruleset.rules if r.id == "CLM001")
    strict = ClaimRule.model_validate({**base.model_dump(by_alias=True), "cleared_by": [], "lowered_by": []})
    from checks.claims import judge

    page = analysed("SMP is not permanent.")
    sentence = page.sentences[0]
    start = sentence.tokens.index("permanent")
    assert judge(base, sentence, start, start + 1).severity is None
    assert judge(strict, sentence, start, start + 1).severity == "error"
