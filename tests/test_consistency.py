"""Figures stated on several pages (sessions, years, price, session length) must agree; odd ones are named."""

from __future__ import annotations

from auditor.config import Config
from auditor.extract import extract_text
from auditor.models import Finding, Site
from auditor.nlp import analyse_pages
from checks.consistency import RULES, ConsistencyCheck, extract_facts
from checks.question_pack import load_pack
from checks.questions import RULES as QUESTION_RULES
from checks.registry import CHECK_MODULES, CheckContext, missing_docs

BASE = "https://clinic.example/"


def site(**pages: str) -> Site:
    built = [extract_text(text, BASE + name) for name, text in pages.items()]
    return Site(name="Example clinic", root_url=BASE, pages=tuple(analyse_pages(built)))


def audit(**pages: str) -> list[Finding]:
    return list(ConsistencyCheck(Config()).check_site(site(**pages), CheckContext(config=Config())))


def facts(text: str) -> list[tuple[str, str]]:
    (page,) = site(p=text).pages
    return [(f.kind, f.value) for f in extract_facts(page, load_pack("smp").subject)]


def test_rules_are_registered_documented_and_distinct() -> None:
    assert "checks.consistency" in CHECK_MODULES
    ids = [r.id for r in RULES]
    assert ids == ["ACC102", "ACC103", "ACC104", "ACC105"]
    assert not set(ids) & {r.id for r in QUESTION_RULES}
    for rule in RULES:
        assert rule.category == "accuracy" and rule.scope == "site"
        assert not missing_docs(rule), rule.id
    assert {r.id: r.claim_type for r in RULES} == {
        "ACC102": "one_session",
        "ACC103": "permanent",
        "ACC104": None,
        "ACC105": None,
    }


def test_sessions_stated_differently_on_two_pages() -> None:
    findings = audit(
        faq="Most clients need two to three sessions, spaced 10 to 14 days apart.",
        women="Unlike men's SMP, women's density treatment is usually completed in one session.",
        treatment="Most clients need two to three SMP sessions.",
    )
    assert [f.check_id for f in findings] == ["ACC102"]
    finding = findings[0]
    assert finding.url == BASE + "women" and finding.claim_type == "one_session"
    details = dict(finding.details)
    assert details["stated"] == "one session" and details["value"] == "1"
    assert details["other_url"] in (BASE + "faq", BASE + "treatment")
    assert {d["url"] for d in details["disagreeing_pages"]} == {BASE + "faq", BASE + "treatment"}
    # both places are named, with their words
    assert BASE + "women" not in finding.message and details["other_url"] in finding.message
    assert "one session" in finding.message and "two to three" in finding.message
    assert finding.evidence is not None and "completed in one session" in finding.evidence.excerpt


def test_two_pages_that_tie_are_settled_by_the_usual_range() -> None:
    findings = audit(
        a="Most clients need two to three sessions.",
        b="SMP is completed in a single session.",
    )
    assert [(f.check_id, f.url) for f in findings] == [("ACC102", BASE + "b")]


def test_negated_hedged_and_unrelated_figures_are_not_facts() -> None:
    assert facts("SMP cannot be completed in one session; most clients need two or three.") == []
    assert facts("Treatment is spread over several visits rather than a single appointment.") == []
    assert facts("Laser removal usually takes six to eight sessions.") == []
    assert facts("Daniel has 10 years of experience in SMP.") == []
    assert facts("We are five minutes' walk from the station.") == []
    assert facts("We leave 10 to 14 days between sessions.") == []
    assert facts("Is one session enough?") == []
    assert facts("Be wary of clinics that promise results in one session.") == []


def test_facts_read_as_ranges() -> None:
    assert facts("Most clients book a top-up every 4 to 6 years.") == [("longevity", "4 to 6")]
    assert facts("Your results will last forever.") == [("longevity", "permanent")]
    assert facts("Each session takes two to four hours.") == [("session_length", "120 to 240")]
    assert facts("Full-head SMP costs between £1,800 and £2,400.") == [("price", "1800 to 2400")]
    assert facts("Hairline-only work starts from £950.") == [("price", "from 950")]


def test_longevity_odd_one_out() -> None:
    findings = audit(
        faq="Most clients book a top-up every 4 to 6 years.",
        aftercare="SMP is semi-permanent and most clients book a top-up every 4 to 6 years.",
        blog="With good care, most clients can expect their results to last 8 to 10 years.",
    )
    assert [(f.check_id, f.url, f.claim_type) for f in findings] == [("ACC103", BASE + "blog", "permanent")]


def test_prices_compare_like_with_like() -> None:
    findings = audit(
        pricing="Full-head SMP costs between £1,800 and £2,400. Hairline-only work starts from £950.",
        offer="Full-head SMP now costs from £3,000.",
    )
    assert {f.check_id for f in findings} == {"ACC104"}
    assert {f.url for f in findings} == {BASE + "pricing", BASE + "offer"}  # an even split: both are named
    assert all(dict(f.details)["product"] == "full head" for f in findings)


def test_session_length() -> None:
    findings = audit(
        a="Each session takes two to four hours.",
        b="Each session takes about 45 minutes.",
        c="Each SMP session takes around three hours.",
    )
    assert [(f.check_id, f.url) for f in findings] == [("ACC105", BASE + "b")]


def test_one_page_alone_is_never_inconsistent() -> None:
    assert audit(only="Most clients need two to three sessions. Some finish in one session.") == []
