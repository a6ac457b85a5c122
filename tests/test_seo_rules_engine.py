"""The engines under the SEO rules: robots.txt, directives, URLs, languages, schema paths, readability and
near-duplicate detection."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from checks.seo_dom import whatwg_parse
from checks.seo_langcodes import is_valid_language, valid_language_codes
from checks.seo_language import guess_language, mismatch
from checks.seo_neardup import band_shape, clusters, jaccard, shingles, similar_pairs
from checks.seo_readability import flesch_reading_ease, syllables
from checks.seo_robots import (
    RobotsTxt,
    blocking_directives,
    crawlability,
    header_user_agent,
    parse_directive_date,
    parse_link_header,
    pattern_matches,
    validate_robots_txt,
)
from checks.site_index import norm_url
from checks.structured_data import iter_nodes, missing_paths, specs_for

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/fish", "/fish.html", True),
        ("/fish", "/Fish.html", False),
        ("/fish*.php", "/fishheads/catfish.php?p=1", True),
        ("/*.php$", "/filename.php", True),
        ("/*.php$", "/filename.php?x", False),
        ("/fish/", "/fish", False),
        ("*", "/anything", True),
        ("/a$b", "/a$b", True),
    ],
)
def test_pattern_matching_like_google(pattern: str, path: str, expected: bool) -> None:
    assert pattern_matches(pattern, path) is expected


def test_groups_longest_match_and_allow_on_ties() -> None:
    robots = RobotsTxt(
        "User-agent: *\nDisallow: /private/\nAllow: /private/open\n"
        "User-agent: Googlebot\nUser-agent: bingbot/2.0\nDisallow: /\nAllow: /$\n"
        "User-agent: other\nDisallow: /page\nAllow: /page\n"
    )
    assert not robots.is_allowed("https://c.example/private/x")
    assert robots.is_allowed("https://c.example/private/open/x")
    assert not robots.is_allowed("https://c.example/page", "Googlebot")
    assert robots.is_allowed("https://c.example/", "Googlebot")
    assert not robots.is_allowed("https://c.example/x", "bingbot")
    assert robots.is_allowed("https://c.example/page", "other")
    rule = robots.matching_rule("https://c.example/private/x")
    assert rule is not None and rule.line == 2


def test_encoded_paths_match_percent_escapes() -> None:
    robots = RobotsTxt("User-agent: *\nDisallow: /café\n")
    assert not robots.is_allowed("https://c.example/caf%C3%A9/menu")
    assert not robots.is_allowed("https://c.example/café/menu")


def test_validation_reports_each_bad_line() -> None:
    errors = validate_robots_txt(
        "# ok\nAllow: /a\nUser-agent: *\nDisallow: /b$/c\nFoo: bar\nno colon here\nSitemap: "
        "ftp://c.example/s.xml\n"
        "Sitemap: mailto:x@y\nDisallow: b\n"
    )
    assert [(e.line_number, e.message) for e in errors] == [
        (2, "No user-agent specified"),
        (4, '"$" should only be used at the end of the pattern'),
        (5, "Unknown directive"),
        (6, "Syntax not understood"),
        (8, "Invalid sitemap URL protocol"),
        (9, 'Pattern should either be empty, start with "/" or "*"'),
    ]
    assert validate_robots_txt("User-agent: *\nDisallow:\nCrawl-delay: 3\nContent-Signal: search=yes\n") == []


def test_directives_and_dates() -> None:
    assert blocking_directives("index, NOINDEX , nofollow", NOW) == ["noindex"]
    assert blocking_directives("none", NOW) == ["none"]
    assert blocking_directives("unavailable_after: 25 Jun 2010 15:00:00 PST", NOW)
    assert not blocking_directives("unavailable_after: 2030-01-01T00:00:00Z", NOW)
    assert not blocking_directives("unavailable_after: not a date", NOW)
    assert parse_directive_date("2020-01-01") == datetime(2020, 1, 1, tzinfo=UTC)
    assert header_user_agent("googlebot: noindex") == "googlebot"
    assert header_user_agent("unavailable_after: 2020-01-01") is None
    assert header_user_agent("noindex, unavailable_after: 2020") is None


def test_crawlability_needs_every_bot_blocked() -> None:
    url = "https://c.example/p"
    everyone = crawlability(url, [("robots", "noindex")], [], None, NOW)
    assert everyone.blocked and everyone.blocked_agents[0] == "*"
    # A bot-specific meta overrides the generic one for that bot: Googlebot may index, so the page passes.
    overridden = crawlability(url, [("robots", "noindex"), ("googlebot", "index")], [], None, NOW)
    assert not overridden.blocked
    robots = RobotsTxt("User-agent: *\nDisallow: /p\n")
    assert crawlability(url, [], [], robots, NOW).robots_txt_blocks
    header = crawlability(url, [], [("X-Robots-Tag", "Googlebot: noindex")], None, NOW)
    assert not header.blocked and header.blocked_agents == ("Googlebot",)


def test_link_header_parsing() -> None:
    links = parse_link_header(['<https://c.example/>; rel="canonical", </fr>; rel=alternate; hreflang="fr"'])
    assert links == [
        {"uri": "https://c.example/", "rel": "canonical"},
        {"uri": "/fr", "rel": "alternate", "hreflang": "fr"},
    ]


def test_whatwg_urls_and_normal_form() -> None:
    assert whatwg_parse("HTTPS://Clinic.Example:443") == "https://clinic.example/"
    assert whatwg_parse("/a b", "https://c.example/x/") == "https://c.example/a b"
    assert whatwg_parse("/relative") is None
    assert whatwg_parse("http://exa mple.com/") is None
    assert whatwg_parse("http://c.example:99999/") is None
    assert norm_url("HTTPS://C.example:443/a?utm_source=x&id=2#top", ["utm_*"]) == "https://c.example/a?id=2"


def test_language_codes_from_lighthouse() -> None:
    assert len(valid_language_codes()) > 8000
    assert is_valid_language("en") and is_valid_language("FR") and is_valid_language("yue")
    assert not is_valid_language("english") and not is_valid_language("xx") and not is_valid_language("")


def test_language_guess_needs_clear_evidence() -> None:
    english = (
        "The clinic explains the risks and the aftercare to every client before the treatment begins. " * 3
    )
    guess, _ = guess_language(english)
    assert guess is not None and guess.language == "en"
    assert mismatch("en-GB", english, 20) is None
    assert mismatch("fr", english, 20) is not None
    assert mismatch("fr", "Scalp micropigmentation.", 20) is None, "too few words to judge"
    assert mismatch("zh", english, 20) is None, "a declared language we cannot judge is left alone"


def test_schema_paths() -> None:
    node = {"@type": "https://schema.org/Dentist", "name": "X", "address": "1 High St"}
    assert [s.name for s in specs_for(node)] == ["LocalBusiness"]
    assert missing_paths(node, "address.postalCode") == ["address.postalCode"]
    assert missing_paths(node, "telephone|url") == ["telephone or url"]
    clinic = {"@type": ["MedicalClinic", "LocalBusiness"]}
    assert [s.name for s in specs_for(clinic)] == ["MedicalClinic"]
    faq = {"@type": "FAQPage", "mainEntity": [{"name": "Q1", "acceptedAnswer": {"text": "A"}}, {"name": ""}]}
    assert missing_paths(faq, "mainEntity[].name") == ["mainEntity[2].name"]
    assert missing_paths(faq, "mainEntity[].acceptedAnswer.text") == ["mainEntity[2].acceptedAnswer"]
    page = {"@type": "WebPage", "mainEntity": {"@type": "MedicalProcedure", "name": "SMP"}}
    assert [n.get("@type") for n in iter_nodes({"@graph": [page]})] == ["WebPage", "MedicalProcedure"]


def test_readability_figures() -> None:
    assert [syllables(w) for w in ("the", "treatment", "micropigmentation", "made")] == [1, 2, 6, 1]
    assert flesch_reading_ease(100, 10, 130) == pytest.approx(206.835 - 10.15 - 109.98, abs=0.1)
    assert flesch_reading_ease(0, 0, 0) == 0.0


def test_near_duplicates_exact_and_scaled() -> None:
    assert band_shape(0.9) == (16, 8)
    base = " ".join(f"w{i}" for i in range(300))
    a, b = shingles(base, 5), shingles(base.replace("w150", "changed"), 5)
    assert 0.95 < jaccard(a, b) < 1.0
    rng = random.Random(7)
    vocabulary = [f"v{i}" for i in range(5000)]
    texts = {f"p{i}": " ".join(rng.choice(vocabulary) for _ in range(300)) for i in range(600)}
    texts["p0-copy"] = texts["p0"].replace(texts["p0"].split()[10], "edited", 1)
    pairs = similar_pairs(texts, 0.9)  # banding compares likely pairs only; bench/seo_neardup.py times 2,000
    assert [(p.first, p.second) for p in pairs] == [("p0", "p0-copy")]
    assert clusters(pairs) == [["p0", "p0-copy"]]
