"""Page SEO checks on pages written for each rule: what fails, what passes, and what is not applicable."""

from __future__ import annotations

import pytest
from seo_helpers import ORIGIN, html_doc, ids, of, page_at, page_findings

from auditor.config import Config, SeoConfig
from auditor.extract import extract_html
from auditor.models import Page
from auditor.nlp import analyse_pages
from checks import seo
from checks.registry import CheckContext, missing_docs, rules_index

URL = ORIGIN + "/treatments/smp"
LONG_TEXT = " ".join(
    f"<p>Scalp micropigmentation session {i} places fine dots of pigment in the scalp. The clinic explains "
    "the "
    "risks, the aftercare and the cost before any treatment starts.</p>"
    for i in range(20)
)


def clean_page() -> str:
    og = (
        '<meta property="og:title" content="SMP in Leeds">'
        '<meta property="og:description" content="Scalp micropigmentation at our Leeds clinic.">'
        '<meta property="og:image" content="https://clinic.example/og.png">'
    )
    return html_doc(f"<h1>Scalp micropigmentation</h1><h2>How it works</h2>{LONG_TEXT}", head=og)


def test_a_clean_page_draws_no_finding() -> None:
    assert page_findings(page_at(URL, clean_page())) == []


def test_every_page_rule_explains_itself() -> None:
    rules = rules_index(seo.checks(Config()))
    assert len(rules) >= 28
    for rule in rules.values():
        assert rule.category == "seo"
        assert missing_docs(rule) == [], rule.id


# --- Lighthouse rules ------------------------------------------------------------------------------------


def test_noindex_meta_and_header_block_indexing() -> None:
    meta = page_at(URL, html_doc(LONG_TEXT, head='<meta name="robots" content="noindex">'))
    assert ids(page_findings(meta)) >= {"SEO001"}
    header = page_at(URL, html_doc(LONG_TEXT), headers=[("X-Robots-Tag", "none")])
    assert "SEO001" in ids(page_findings(header))
    # Addressed to one bot only: Lighthouse passes while any bot may index the page.
    one_bot = page_at(URL, html_doc(LONG_TEXT, head='<meta name="googlebot" content="noindex">'))
    assert "SEO001" not in ids(page_findings(one_bot))
    lower_header = page_at(URL, html_doc(LONG_TEXT), headers=[("X-Robots-Tag", "googlebot: noindex")])
    assert "SEO001" not in ids(page_findings(lower_header))


def test_unavailable_after_counts_only_once_past() -> None:
    past = page_at(
        URL, html_doc(LONG_TEXT, head='<meta name="robots" content="unavailable_after: 2001-05-04">')
    )
    future = page_at(
        URL, html_doc(LONG_TEXT, head='<meta name="robots" content="unavailable_after: 2999-05-04">')
    )
    assert "SEO001" in ids(page_findings(past))
    assert "SEO001" not in ids(page_findings(future))


def test_missing_and_blank_titles() -> None:
    missing = of(page_findings(page_at(URL, html_doc(LONG_TEXT, title=None))), "SEO002")
    blank = of(page_findings(page_at(URL, html_doc(LONG_TEXT, title="  "))), "SEO002")
    assert missing and missing[0].severity == "error" and "no title" in missing[0].message
    assert blank and "empty" in blank[0].message


def test_meta_description_missing_or_empty() -> None:
    assert of(page_findings(page_at(URL, html_doc(LONG_TEXT, description=None))), "SEO003")
    assert of(page_findings(page_at(URL, html_doc(LONG_TEXT, description=" "))), "SEO003")


def test_http_status_is_judged_only_with_a_response() -> None:
    error_page = page_at(URL, html_doc(LONG_TEXT, title=None), status=503)
    found = page_findings(error_page)
    assert ids(found) == {"SEO004"}, "an error page is reported for its status alone"
    local = extract_html(html_doc(LONG_TEXT).encode(), "draft.html")
    assert not of(page_findings(next(analyse_pages([local]))), "SEO004")


def test_generic_link_text_grouped_per_phrase() -> None:
    body = LONG_TEXT + (
        '<p><a href="/a">Read more</a> <a href="/b">read more</a> <a href="/c" rel="nofollow">click here</a> '
        '<a href="#top">here</a> <a href="/prices">Scalp micropigmentation prices</a></p>'
    )
    found = of(page_findings(page_at(URL, html_doc(body))), "SEO005")
    assert len(found) == 1
    assert found[0].evidence is not None and found[0].evidence.excerpt.lower() == "read more"
    assert dict(found[0].details)["hrefs"] == (ORIGIN + "/a", ORIGIN + "/b")


def test_crawlable_anchors_follow_lighthouse() -> None:
    bad = LONG_TEXT + '<p><a href="javascript:void(0)">Book</a> <a onclick="go()">Prices</a></p>'
    found = of(page_findings(page_at(URL, html_doc(bad))), "SEO006")
    assert {dict(f.details)["href"] for f in found} == {"javascript:void(0)", "(no href)"}
    ok = LONG_TEXT + (
        '<p><a href="/x">X</a> <a id="top"></a> <a name="n"></a> <a role="button" onclick="m()">Menu</a> '
        '<a href="mailto:a@b.example">Mail</a> <a href="javascript:openChat()">Chat</a></p>'
    )
    assert not of(page_findings(page_at(URL, html_doc(ok))), "SEO006")


def test_image_alt_like_axe() -> None:
    body = LONG_TEXT + (
        '<img src="/a.png"><img src="/b.png" alt=" "><img src="/c.png" alt="">'
        '<img src="/d.png" role="presentation"><img src="/e.png" aria-label="Hairline">'
        '<img src="/f.png" hidden><div aria-hidden="true"><img src="/g.png"></div>'
    )
    found = of(page_findings(page_at(URL, html_doc(body))), "SEO007")
    assert sorted(dict(f.details)["src"] for f in found) == ["/a.png", "/b.png"]


def test_hreflang_codes_and_absolute_hrefs() -> None:
    head = (
        '<link rel="alternate" hreflang="en-GB" href="https://clinic.example/en">'
        '<link rel="alternate" hreflang="x-default" href="https://clinic.example/">'
        '<link rel="alternate" hreflang="english" href="https://clinic.example/en">'
        '<link rel="alternate" hreflang="fr" href="/fr">'
    )
    found = of(page_findings(page_at(URL, html_doc(LONG_TEXT, head=head))), "SEO008")
    assert sorted(dict(f.details)["hreflang"] for f in found) == ["english", "fr"]


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        ('<link rel="canonical" href="/treatments/smp">', "canonical:relative"),
        (
            '<link rel="canonical" href="https://clinic.example/a">'
            '<link rel="canonical" href="https://clinic.example/b">',
            "canonical:conflict",
        ),
        ('<link rel="canonical" href="https://clinic.example/">', "canonical:root"),
        ('<link rel="canonical" href="http://exa mple.com/">', "canonical:invalid"),
    ],
)
def test_canonical_failures(head: str, reason: str) -> None:
    found = of(page_findings(page_at(URL, html_doc(LONG_TEXT, head=head))), "SEO009")
    assert [f.key for f in found] == [reason]


def test_canonical_header_and_self_reference() -> None:
    own = page_at(URL, html_doc(LONG_TEXT, head=f'<link rel="canonical" href="{URL}">'))
    assert not of(page_findings(own), "SEO009")
    header = page_at(URL, html_doc(LONG_TEXT), headers=[("Link", f'<{ORIGIN}/>; rel="canonical"')])
    assert [f.key for f in of(page_findings(header), "SEO009")] == ["canonical:root"]


# --- beyond Lighthouse -------------------------------------------------------------------------------------


def test_title_and_description_lengths_follow_config() -> None:
    short = page_at(URL, html_doc(LONG_TEXT, title="SMP", description="Short."))
    found = page_findings(short)
    assert of(found, "SEO010") and of(found, "SEO011")
    relaxed = Config.model_validate({"checks": {"seo": {"title_min": 2, "description_min": 3}}})
    assert not (ids(page_findings(short, relaxed)) & {"SEO010", "SEO011"})
    long_title = page_at(URL, html_doc(LONG_TEXT, title="Scalp micropigmentation " * 4))
    assert "cut it off" in of(page_findings(long_title), "SEO010")[0].message


def test_h1_count_and_heading_skips() -> None:
    none = page_at(URL, html_doc("<h2>Intro</h2>" + LONG_TEXT))
    assert of(page_findings(none), "SEO012")[0].key == "h1:none"
    two = page_at(URL, html_doc("<h1>A</h1><h1>B</h1>" + LONG_TEXT))
    assert of(page_findings(two), "SEO012")[0].key == "h1:many"
    skip = of(page_findings(page_at(URL, html_doc("<h1>A</h1><h2>B</h2><h4>C</h4>" + LONG_TEXT))), "SEO013")
    assert len(skip) == 1 and skip[0].evidence is not None and skip[0].evidence.excerpt == "C"


def test_lang_missing_invalid_and_mismatched() -> None:
    assert of(page_findings(page_at(URL, html_doc(LONG_TEXT, lang=None))), "SEO014")
    assert of(page_findings(page_at(URL, html_doc(LONG_TEXT, lang="english"))), "SEO014")
    german = " ".join(
        "<p>Die Behandlung dauert in der Regel zwei bis drei Sitzungen, und das Ergebnis hält mehrere Jahre. "
        "Wir beraten Sie gern in unserer Klinik und beantworten alle Fragen zu Kosten und Nachsorge.</p>"
        for _ in range(3)
    )
    mismatch = of(page_findings(page_at(URL, html_doc("<h1>SMP</h1>" + german, lang="en"))), "SEO015")
    assert mismatch and dict(mismatch[0].details)["detected"] == "de"
    assert not of(page_findings(page_at(URL, html_doc("<h1>SMP</h1>" + german, lang="de-DE"))), "SEO015")


def test_viewport_and_open_graph() -> None:
    html = html_doc("<h1>A</h1>" + LONG_TEXT).replace(
        '<meta name="viewport" content="width=device-width, initial-scale=1">', ""
    )
    found = page_findings(page_at(URL, html))
    assert of(found, "SEO016")
    og = of(found, "SEO017")
    assert og and dict(og[0].details)["missing"] == ("og:title", "og:description", "og:image")


def test_thin_content_skips_noindex_pages() -> None:
    thin = page_at(URL, html_doc("<h1>A</h1><p>Book now.</p>"))
    assert of(page_findings(thin), "SEO018")
    hidden = page_at(
        URL, html_doc("<h1>A</h1><p>Book now.</p>", head='<meta name="robots" content="noindex">')
    )
    assert not of(page_findings(hidden), "SEO018")


def test_readability_and_long_sentences() -> None:
    dense = " ".join(
        "<p>Micropigmentation constitutes a sophisticated non-surgical intervention facilitating the "
        "aesthetic "
        "simulation of follicular density through meticulously positioned intradermal pigmentation deposits, "
        "consequently necessitating comprehensive preliminary consultation regarding contraindications.</p>"
        for _ in range(8)
    )
    found = page_findings(page_at(URL, html_doc("<h1>SMP</h1>" + dense)))
    flesch = of(found, "SEO019")
    assert flesch and dict(flesch[0].details)["flesch"] < 50
    long_ones = of(found, "SEO020")
    assert long_ones and long_ones[0].evidence is not None and long_ones[0].evidence.block_index is not None
    assert not ({"SEO019", "SEO020"} & ids(page_findings(page_at(URL, clean_page()))))


def test_readability_only_for_english() -> None:
    dense = " ".join(
        "<p>Die mikropigmentierungsbehandlung beinhaltet außerordentlich komplizierte dermatologische "
        "Verfahrensschritte hinsichtlich pigmentierungstechnischer Besonderheiten.</p>"
        for _ in range(12)
    )
    assert not of(page_findings(page_at(URL, html_doc("<h1>SMP</h1>" + dense, lang="de"))), "SEO019")


def test_url_hygiene_reasons() -> None:
    url = ORIGIN + "/Treatments/Scalp_Micropigmentation?PHPSESSID=abc123"
    keys = {f.key for f in of(page_findings(page_at(url, clean_page())), "SEO021")}
    assert keys == {"url:uppercase", "url:underscore", "url:session"}
    long_url = ORIGIN + "/" + "-".join(["scalp-micropigmentation"] * 6)
    assert {f.key for f in of(page_findings(page_at(long_url, clean_page())), "SEO021")} == {"url:long"}


def test_large_html_and_slow_response() -> None:
    cfg = Config.model_validate({"checks": {"seo": {"large_html_bytes": 1000, "slow_response_seconds": 1.0}}})
    found = page_findings(page_at(URL, clean_page(), elapsed=2.5), cfg)
    assert of(found, "SEO022") and of(found, "SEO023")
    assert not ({"SEO022", "SEO023"} & ids(page_findings(page_at(URL, clean_page(), elapsed=0.2))))


def test_canonical_to_another_page() -> None:
    other = page_at(URL, html_doc(LONG_TEXT, head=f'<link rel="canonical" href="{ORIGIN}/treatments/other">'))
    assert of(page_findings(other), "SEO027")
    own = page_at(
        URL,
        html_doc(LONG_TEXT, head='<link rel="canonical" href="HTTPS://CLINIC.EXAMPLE:443/treatments/smp#x">'),
    )
    assert not of(page_findings(own), "SEO027")


# --- structured data
# -----------------------------------------------------------------------------------------


def _jsonld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


def test_jsonld_parse_errors_are_reported() -> None:
    html = html_doc(LONG_TEXT, head=_jsonld('{"@type": "MedicalClinic", "name": "X",}'))
    found = of(page_findings(page_at(URL, html)), "SEO024")
    assert found and "invalid JSON" in found[0].message


def test_required_and_recommended_properties_by_name() -> None:
    clinic = _jsonld('{"@context": "https://schema.org", "@type": "MedicalClinic", "name": "Example Clinic"}')
    found = page_findings(page_at(URL, html_doc(LONG_TEXT, head=clinic)))
    required = of(found, "SEO025")
    assert required and dict(required[0].details)["missing"] == ("address",)
    recommended = dict(of(found, "SEO026")[0].details)["missing"]
    assert "telephone" in recommended and "openingHoursSpecification or openingHours" in recommended


def test_faq_and_article_requirements_inside_graph() -> None:
    graph = _jsonld(
        '{"@context": "https://schema.org", "@graph": ['
        '{"@type": "FAQPage", "mainEntity": [{"@type": "Question", "name": "Does it hurt?", '
        '"acceptedAnswer": {"@type": "Answer", "text": "A little."}}, {"@type": "Question", "name": '
        '"Cost?"}]},'
        '{"@type": "BlogPosting", "headline": "SMP myths", "author": {"@type": "Person"}}]}'
    )
    body = LONG_TEXT + "<h2>Does it hurt?</h2><p>A little.</p><h2>Cost?</h2>"
    found = of(page_findings(page_at(URL, html_doc(body, head=graph))), "SEO025")
    missing = {dict(f.details)["type"]: dict(f.details)["missing"] for f in found}
    assert missing["FAQPage"] == ("mainEntity[2].acceptedAnswer",)
    assert missing["Article"] == ("datePublished",)


def test_faq_schema_must_be_visible() -> None:
    faq = _jsonld(
        '{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": ['
        '{"@type": "Question", "name": "Does SMP hurt?", "acceptedAnswer": {"@type": "Answer", '
        '"text": "Most clients describe it as mildly uncomfortable rather than painful."}},'
        '{"@type": "Question", "name": "Do you offer finance?", "acceptedAnswer": {"@type": "Answer", '
        '"text": "Yes, interest-free plans are available on treatments over one thousand pounds."}}]}'
    )
    body = (
        LONG_TEXT
        + "<h2>Does SMP hurt?</h2>"
        + "<p>Most clients describe it as mildly uncomfortable rather than painful.</p>"
    )
    found = of(page_findings(page_at(URL, html_doc(body, head=faq))), "SEO028")
    assert [f.evidence.excerpt for f in found if f.evidence] == ["Do you offer finance?"]


# --- applicability
# ---------------------------------------------------------------------------------------------


def test_markdown_drafts_get_only_content_rules() -> None:
    from auditor.extract import extract_markdown

    page = extract_markdown("# SMP\n\nBook now.\n", "draft.md")
    assert isinstance(page, Page)
    found = page_findings(next(analyse_pages([page])))
    assert ids(found) <= {"SEO012", "SEO013", "SEO018", "SEO019", "SEO020", "SEO028"}
    assert "SEO018" in ids(found)


def test_checks_take_thresholds_from_config() -> None:
    cfg = Config.model_validate({"checks": {"seo": {"thin_content_words": 5}}})
    assert isinstance(cfg.checks.seo, SeoConfig)
    thin = page_at(URL, html_doc("<h1>A</h1><p>Book a free consultation with our trained team today.</p>"))
    assert of(page_findings(thin), "SEO018") and not of(page_findings(thin, cfg), "SEO018")
    ctx = CheckContext(config=cfg)
    assert all(check.check_page(thin, ctx) is not None for check in seo.checks(cfg))
