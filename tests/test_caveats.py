"""Required caveats on treatment pages: which pages, what wordings carry them, what findings say."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from auditor.config import Config
from auditor.models import AnalysedPage, Block, FaqPair, Finding, JsonLd, Page
from auditor.nlp import analyse_page
from checks.caveats import CaveatRuleSet, CaveatsCheck, TreatmentSettings, checks, evaluate, load_caveat_rules
from checks.registry import CheckContext, missing_docs

INTRO = [
    "Scalp micropigmentation (SMP) is a non-surgical treatment recreating the look of closely shaved hair.",
    "The procedure places tiny impressions of pigment in the upper layers of the scalp to add density.",
    "Each SMP session lasts two to four hours, and most clients need two or three sessions.",
    "The treatment suits many kinds of hair loss, from a receding hairline to thinning at the crown.",
]
CAVEATS = {
    "CAV001": "Results vary from person to person, depending on skin type and lifestyle.",
    "CAV002": "Every treatment starts with a consultation and, where needed, a patch test.",
    "CAV003": "Like any procedure that breaks the skin, SMP carries some risks, such as infection.",
    "CAV004": "Follow our aftercare advice; the pigment fades gradually and most clients book a top-up.",
    "CAV005": "All treatments are carried out by practitioners trained in SMP techniques and scalp anatomy.",
}
FILLER = (
    "Our clinic is a short walk from the station, with parking behind the building and step-free access. "
    "We are open six days a week, with late appointments on Thursdays for people who work office hours."
)
PADDING = [FILLER] * 3  # long enough (150+ words) to be judged by topic


@pytest.fixture(scope="module")
def ruleset() -> CaveatRuleSet:
    return load_caveat_rules(["smp"])


def page_of(
    texts: list[str],
    url: str = "https://clinic.example/treatments/smp",
    faqs: bool = False,
    footer: list[str] | None = None,
) -> AnalysedPage:
    blocks = [Block(i, "paragraph", t, ("SMP",), f"main p:nth-of-type({i + 1})") for i, t in enumerate(texts)]
    for text in footer or []:
        blocks.append(Block(len(blocks), "paragraph", text, (), "footer p", in_main=False))
    pairs = (FaqPair("Is SMP right for me?", texts[0], "schema"),) if faqs else ()
    words = sum(len(b.text.split()) for b in blocks if b.in_main)
    return analyse_page(Page(url=url, source_kind="html", blocks=tuple(blocks), faqs=pairs, word_count=words))


def missing(findings: list[Finding]) -> set[str]:
    return {f.check_id for f in findings}


SETTINGS = TreatmentSettings.from_config(Config().checks.caveats)


def test_a_treatment_page_with_every_caveat_has_no_findings(ruleset: CaveatRuleSet) -> None:
    assert evaluate(page_of([*INTRO, *CAVEATS.values()]), ruleset, SETTINGS) == []


def test_each_missing_caveat_is_one_page_finding_with_a_sentence_to_add(ruleset: CaveatRuleSet) -> None:
    texts = [*INTRO, CAVEATS["CAV001"], CAVEATS["CAV002"], CAVEATS["CAV004"]]
    findings = evaluate(page_of(texts), ruleset, SETTINGS)
    assert missing(findings) == {"CAV003", "CAV005"}
    by_id = {r.id: r for r in ruleset.rules}
    for finding in findings:
        rule = by_id[finding.check_id]
        assert finding.category == "caveats" and finding.severity == rule.severity
        assert finding.key == rule.name and finding.evidence is None
        assert finding.suggestion == rule.suggestion and finding.suggestion.startswith("Add: ")
        assert finding.message.startswith(rule.failure_title)
        assert "'*/treatments/*'" in finding.message  # why the page counts as a treatment page
    assert {f.key for f in findings} == {"risks", "training"}


@pytest.mark.parametrize(
    ("caveat", "sentence"),
    [
        ("CAV001", "Individual results will differ."),
        ("CAV001", "Every scalp is different, so longevity differs between clients."),
        ("CAV002", "We carry out a patch test 48 hours before your first session."),
        ("CAV003", "No cosmetic procedure is entirely without risk."),
        ("CAV003", "Possible side effects include redness and swelling for a day or two."),
        ("CAV004", "Avoid swimming and saunas for the first week."),
        ("CAV004", "Expect the pigment to soften over time; a colour boost keeps it crisp."),
        ("CAV005", "Your practitioner is licensed and insured, with years of experience."),
    ],
)
def test_caveats_are_matched_by_meaning(ruleset: CaveatRuleSet, caveat: str, sentence: str) -> None:
    others = [text for cid, text in CAVEATS.items() if cid != caveat]
    assert missing(evaluate(page_of([*INTRO, *others]), ruleset, SETTINGS)) == {caveat}
    assert evaluate(page_of([*INTRO, *others, sentence]), ruleset, SETTINGS) == []


@pytest.mark.parametrize(
    ("caveat", "sentence"),
    [
        ("CAV003", "A completely risk-free treatment with no side effects."),
        ("CAV004", "Our pigments never fade, so no top-ups are needed."),
    ],
)
def test_a_denial_of_the_caveat_does_not_carry_it(ruleset: CaveatRuleSet, caveat: str, sentence: str) -> None:
    others = [text for cid, text in CAVEATS.items() if cid != caveat]
    assert missing(evaluate(page_of([*INTRO, *others, sentence]), ruleset, SETTINGS)) == {caveat}


def test_a_caveat_only_in_the_footer_does_not_count(ruleset: CaveatRuleSet) -> None:
    others = [text for cid, text in CAVEATS.items() if cid != "CAV001"]
    page = page_of([*INTRO, *others], footer=["Results may vary."])
    assert missing(evaluate(page, ruleset, SETTINGS)) == {"CAV001"}


def test_pages_about_the_treatment_are_found_by_topic(ruleset: CaveatRuleSet) -> None:
    landing = page_of([*INTRO, *PADDING], url="https://clinic.example/hair-loss-leeds")
    assert missing(evaluate(landing, ruleset, SETTINGS)) == set(CAVEATS)
    off_topic = page_of(
        [FILLER, FILLER, "We also sell gift vouchers for any treatment."],
        url="https://clinic.example/opening-hours",
    )
    assert evaluate(off_topic, ruleset, SETTINGS) == []
    no_topic = dataclasses.replace(SETTINGS, detect_by_topic=False)
    assert evaluate(landing, ruleset, no_topic) == []


@pytest.mark.parametrize(
    ("url", "title", "schema"),
    [
        ("https://clinic.example/blog/what-to-expect", None, None),  # an article address
        ("https://clinic.example/", None, None),  # the home page
        ("https://clinic.example/smp-prices", "SMP prices in Leeds", None),  # a price list
        ("https://clinic.example/smp-guide", None, "FAQPage"),  # structured data of another kind
    ],
)
def test_pages_informing_about_the_treatment_are_not_treatment_pages(
    ruleset: CaveatRuleSet, url: str, title: str | None, schema: str | None
) -> None:
    apage = page_of([*INTRO, *PADDING], url=url)
    page = dataclasses.replace(
        apage.page, title=title, json_ld=(JsonLd(raw="{}", data={"@type": schema}),) if schema else ()
    )
    assert evaluate(AnalysedPage(page, apage.sentences), ruleset, SETTINGS) == []


def test_structured_data_of_a_service_makes_a_treatment_page(ruleset: CaveatRuleSet) -> None:
    apage = page_of(INTRO[:2], url="https://clinic.example/laser-removal")
    graph = {"@context": "https://schema.org", "@graph": [{"@type": ["Service"], "name": "SMP removal"}]}
    page = dataclasses.replace(apage.page, json_ld=(JsonLd(raw="{}", data=graph),))
    findings = evaluate(AnalysedPage(page, apage.sentences), ruleset, SETTINGS)
    assert missing(findings) == set(CAVEATS)
    assert "structured data describes a service" in findings[0].message


def test_short_pages_are_not_treatment_pages_by_topic_alone(ruleset: CaveatRuleSet) -> None:
    page = page_of(
        ["SMP treatment: book your SMP session. SMP procedure. SMP."], url="https://clinic.example/news/1"
    )
    assert evaluate(page, ruleset, SETTINGS) == []


def test_contact_and_privacy_pages_are_excluded_unless_they_answer_questions(ruleset: CaveatRuleSet) -> None:
    contact = page_of([*INTRO, *PADDING], url="https://clinic.example/contact-us")
    assert evaluate(contact, ruleset, SETTINGS) == []
    contact_with_faqs = page_of([*INTRO, *PADDING], url="https://clinic.example/contact-us", faqs=True)
    assert missing(evaluate(contact_with_faqs, ruleset, SETTINGS)) == set(CAVEATS)
    privacy = page_of([*INTRO], url="https://clinic.example/smp-privacy-policy")
    assert evaluate(privacy, ruleset, SETTINGS) == []


def test_the_check_module_provides_documented_caveat_rules() -> None:
    [check] = checks(Config())
    assert isinstance(check, CaveatsCheck)
    rules = list(check.rules())
    assert [r.id for r in rules] == ["CAV001", "CAV002", "CAV003", "CAV004", "CAV005"]
    for rule in rules:
        assert rule.category == "caveats" and missing_docs(rule) == []
        assert rule.origin == "checks/rules/smp_caveats.yaml"
    found = list(check.check_page(page_of(INTRO), CheckContext(config=Config())))
    assert {f.key for f in found} == {"results_vary", "consultation", "risks", "aftercare", "training"}


def test_the_clinic_guide_carries_every_caveat(ruleset: CaveatRuleSet, corpus_guide: Path) -> None:
    from auditor.extract import extract_text

    page = analyse_page(
        extract_text(corpus_guide.read_text(encoding="utf-8"), "https://clinic.example/smp-guide")
    )
    assert evaluate(page, ruleset, SETTINGS) == []
