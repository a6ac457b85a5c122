"""HTML extraction on clinic pages: reading order, outline, main content, links, metadata, JSON-LD, FAQs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.extract import extract_html
from auditor.extract_outline import count_words
from auditor.models import Block, FetchResult, Page

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"
PAGE_URL = "https://www.alexjamesclinic.example/treatments/scalp-micropigmentation/"


def clinic_bytes() -> bytes:
    return (FIXTURES / "clinic-smp.html").read_bytes()


@pytest.fixture(scope="module")
def clinic() -> Page:
    return extract_html(clinic_bytes(), PAGE_URL)


def block_with(page: Page, start: str) -> Block:
    matches = [b for b in page.blocks if b.text.startswith(start)]
    assert len(matches) == 1, f"expected one block starting {start!r}, got {[b.text for b in matches]}"
    return matches[0]


# --- reading order and outline -------------------------------------------------------------------------


def test_blocks_follow_reading_order(clinic: Page) -> None:
    expected = [
        "Scalp Micropigmentation", "Scalp micropigmentation (SMP) is", "How SMP works", "Each impression",
        "Your consultation", "Before any pigment", "A patch test", "A hairline design",
        "Is scalp micropigmentation safe?", "When performed by", "Results vary", "I finally feel",
        "A client, 2023", "Risks and side effects", "Redness for a day", "Prices", "Treatment", "From",
        "Full scalp", "£1,800", "Scar camouflage", "£600", "Frequently asked questions",
        "Does scalp micropigmentation hurt?", "Most people describe", "Can SMP be removed?",
        "Laser treatment", "Will SMP regrow hair?", "No. SMP is", "How many sessions",
        "Usually two or three.",
        "Read more about",
    ]
    main = [b.text for b in clinic.blocks if b.in_main]
    assert len(main) == len(expected)
    for text, start in zip(main, expected, strict=True):
        assert text.startswith(start)
    assert [b.index for b in clinic.blocks] == list(range(len(clinic.blocks)))


def test_heading_paths_form_an_outline(clinic: Page) -> None:
    consult = block_with(clinic, "Before any pigment is applied")
    assert consult.heading_path == ("Scalp Micropigmentation", "How SMP works", "Your consultation")
    assert consult.kind == "paragraph"
    # A new h2 closes the previous h2 and its h3.
    safe = block_with(clinic, "When performed by a trained practitioner")
    assert safe.heading_path == ("Scalp Micropigmentation", "Is scalp micropigmentation safe?")
    risks = block_with(clinic, "Redness for a day or two")
    assert risks.heading_path[-1] == "Risks and side effects"
    h3 = block_with(clinic, "Risks and side effects")
    assert h3.kind == "heading"
    assert h3.heading_path == ("Scalp Micropigmentation", "Is scalp micropigmentation safe?")
    lead = block_with(clinic, "Scalp micropigmentation (SMP) is a cosmetic")
    assert lead.heading_path == ("Scalp Micropigmentation",)


def test_headings_are_listed_with_level_and_locator(clinic: Page) -> None:
    levels = [(h.level, h.text) for h in clinic.headings]
    assert levels[:3] == [(1, "Scalp Micropigmentation"), (2, "How SMP works"), (3, "Your consultation")]
    assert clinic.headings[0].locator == "body > main > article > h1"


def test_locators_are_css_like_paths(clinic: Page) -> None:
    consult = block_with(clinic, "Before any pigment is applied")
    assert consult.locator == "body > main > article > section:nth-of-type(1) > p:nth-of-type(2)"
    item = block_with(clinic, "A patch test where appropriate")
    assert item.locator == "body > main > article > section:nth-of-type(1) > ul > li:nth-of-type(1)"


def test_block_kinds(clinic: Page) -> None:
    assert block_with(clinic, "A hairline design you approve before treatment starts").kind == "list_item"
    assert block_with(clinic, "I finally feel like myself again.").kind == "blockquote"
    assert block_with(clinic, "£1,800").kind == "table_cell"
    assert block_with(clinic, "Does scalp micropigmentation hurt?").kind == "faq_question"
    assert block_with(clinic, "Most people describe it as mildly").kind == "faq_answer"
    assert block_with(clinic, "Will SMP regrow hair?").kind == "faq_question"
    assert block_with(clinic, "No. SMP is a cosmetic procedure").kind == "faq_answer"
    # Direct text of a <div> without <p> is a paragraph too.
    assert block_with(clinic, "Results vary from person to person").kind == "paragraph"


def test_inline_markup_does_not_split_blocks(clinic: Page) -> None:
    item = block_with(clinic, "A hairline design")
    assert item.text == "A hairline design you approve before treatment starts"


def test_script_style_noscript_template_svg_text_is_not_content(clinic: Page) -> None:
    everything = " ".join(b.text for b in clinic.blocks)
    for hidden in ("dataLayer", "font-family", "enable JavaScript", "Template text", "svg text", "icon"):
        assert hidden not in everything


# --- main content and chrome ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        "Skip to content",
        "We use cookies",
        "Accept all cookies",
        "Prices and finance options",
        "Home / Treatments",
        "Related treatments",
        "Hair loss consultation",
        "Alex James Clinic, 1 Example Street",
    ],
)
def test_chrome_is_not_main(clinic: Page, start: str) -> None:
    assert block_with(clinic, start).in_main is False


def test_word_count_covers_main_blocks_only(clinic: Page) -> None:
    assert clinic.word_count == sum(count_words(b.text) for b in clinic.blocks if b.in_main)
    assert clinic.word_count < sum(count_words(b.text) for b in clinic.blocks)
    assert "cookies" not in clinic.main_text
    assert "Care Quality Commission" not in clinic.main_text
    assert "Scalp micropigmentation (SMP) is a cosmetic procedure" in clinic.main_text


def test_chrome_changes_leave_count_and_hash_alone(clinic: Page) -> None:
    longer_footer = clinic_bytes().replace(
        b"<footer>", b"<footer><p>" + b"Opening hours Monday to Saturday nine until six. " * 20 + b"</p>"
    )
    other = extract_html(longer_footer, PAGE_URL)
    assert other.word_count == clinic.word_count
    assert other.content_hash == clinic.content_hash


def test_content_hash_ignores_cosmetic_markup(clinic: Page) -> None:
    source = clinic_bytes().decode("utf-8")
    cosmetic = re.sub(r"\n\s+", "\n", source).replace('<p class="lead">', '<p class="lead intro" id="x">')
    cosmetic = cosmetic.replace("<em>before</em>", "<strong>before</strong>")
    assert extract_html(cosmetic.encode(), PAGE_URL).content_hash == clinic.content_hash
    edited = source.replace("two or three sessions", "three or four sessions")
    assert extract_html(edited.encode(), PAGE_URL).content_hash != clinic.content_hash
    assert re.fullmatch(r"[0-9a-f]{64}", clinic.content_hash)


def test_page_without_main_uses_body_minus_chrome() -> None:
    page = extract_html((FIXTURES / "cms-legacy.html").read_bytes(), "https://hairclinic.example/aftercare")
    assert block_with(page, "SMP Aftercare").in_main
    assert block_with(page, "For the first four days").in_main
    for chrome in ("Home | Aftercare", "Latest news", "New clinic opening", "Copyright Hair Clinic"):
        assert block_with(page, chrome).in_main is False
    # CMS text: double <br> splits paragraphs, text around a nested <p> stays in order.
    assert block_with(page, "Keep the scalp out of direct sunlight").in_main
    texts = [b.text for b in page.blocks]
    slight = texts.index("Slight redness is normal and usually settles within a day or two.")
    assert texts[slight + 1].startswith("If redness lasts longer")
    assert texts[slight + 2] == "Mild itching is common while the scalp heals."


def test_article_is_preferred_when_it_holds_the_text() -> None:
    body = (
        "<body><div class='promo'>Spring offer: ten percent off all consultations this month only</div>"
        "<article><h1>Aftercare</h1><p>" + "Keep the scalp dry for four days after each session. " * 5
        + "</p></article><div>Subscribe to our newsletter for clinic news</div></body>"
    )
    page = extract_html(body.encode(), "https://clinic.example/aftercare")
    assert block_with(page, "Keep the scalp dry").in_main
    assert block_with(page, "Spring offer").in_main is False
    assert block_with(page, "Subscribe").in_main is False


def test_small_article_does_not_hide_the_page() -> None:
    body = (
        "<body><h1>Scalp micropigmentation</h1><p>" + "SMP is a cosmetic procedure for hair loss. " * 10
        + "</p><article><p>Great results, thank you!</p></article></body>"
    )
    page = extract_html(body.encode(), "https://clinic.example/smp")
    assert all(b.in_main for b in page.blocks)


def test_hero_banner_with_the_headline_is_content() -> None:
    body = (
        "<body><div class='hero-banner'><h1>SMP in London</h1><p>Natural-looking results.</p></div>"
        "<div class='banner notice'>We are closed on bank holidays</div></body>"
    )
    page = extract_html(body.encode(), "https://clinic.example/")
    assert block_with(page, "Natural-looking results.").in_main
    assert block_with(page, "We are closed").in_main is False


def test_cookie_plugin_body_class_does_not_hide_the_page() -> None:
    body = b"<body class='page cookies-not-set'><p>SMP is a cosmetic procedure.</p></body>"
    page = extract_html(body, "https://clinic.example/")
    assert page.blocks[0].in_main
    assert page.word_count == 5


def test_site_header_holding_the_h1_is_content() -> None:
    body = (
        "<body><header><h1>Scar camouflage</h1><nav><a href='/'>Home</a></nav></header>"
        "<div><p>Pigment can soften the look of scars.</p></div><footer><p>Clinic address</p></footer></body>"
    )
    page = extract_html(body.encode(), "https://clinic.example/scars")
    assert block_with(page, "Scar camouflage").in_main
    assert block_with(page, "Pigment can soften").heading_path == ("Scar camouflage",)
    assert block_with(page, "Home").in_main is False
    assert block_with(page, "Clinic address").in_main is False


# --- links, images, metadata ----------------------------------------------------------------------------


def test_links_resolve_against_base_and_classify(clinic: Page) -> None:
    links = {link.href: link for link in clinic.links}
    practitioners = links["../about/"]
    assert practitioners.url == "https://www.alexjamesclinic.example/about/"  # <base> is /treatments/
    assert practitioners.rel == ("nofollow",)
    assert practitioners.internal
    assert practitioners.text == "our practitioners"
    for scheme_href in ("mailto:hello@alexjamesclinic.example", "tel:+442000000000", "javascript:void(0)"):
        assert links[scheme_href].url is None
        assert links[scheme_href].internal is False
    nhs = links["https://www.nhs.uk/conditions/hair-loss/"]
    assert nhs.internal is False
    assert nhs.rel == ("noopener", "external")
    # Same host without "www." and over http is still the clinic's own site.
    assert links["http://alexjamesclinic.example/blog/"].internal


def test_link_text_uses_aria_label_and_image_alt(clinic: Page) -> None:
    texts = {link.href: link.text for link in clinic.links}
    assert texts["/contact/"] == "Contact us"
    assert texts["/"] in ("Alex James Clinic home", "Home")
    logo = next(link for link in clinic.links if link.locator.endswith("header > a"))
    assert logo.text == "Alex James Clinic home"


def test_data_url_and_relative_links_without_base() -> None:
    page = extract_html(
        b'<p><a href="data:text/html,hi">d</a><a href=" ../x?y=1#z ">x</a><a href="//cdn.example/a">c</a>'
        b'<a href="https://www.site.example:8443/p">port</a></p>',
        "https://site.example/dir/page",
    )
    links = page.links
    assert links[0].url is None
    assert links[1].url == "https://site.example/x?y=1#z"
    assert links[1].href == " ../x?y=1#z "
    assert links[2].url == "https://cdn.example/a" and not links[2].internal
    assert links[3].internal is False  # another port is another site


def test_images_keep_missing_and_empty_alt_apart(clinic: Page) -> None:
    alts = {img.src: img.alt for img in clinic.images}
    assert alts["before-after.jpg"] == ""
    assert alts["clinic-room.jpg"] is None
    assert alts["/static/logo.svg"] == "Alex James Clinic home"


def test_head_metadata(clinic: Page) -> None:
    assert clinic.title == "Scalp Micropigmentation in London | Alex James Clinic"
    assert clinic.title_count == 1
    assert (clinic.meta_description or "").startswith("Scalp micropigmentation (SMP) at Alex James")
    assert clinic.canonical == PAGE_URL
    assert clinic.robots == ("index", "follow", "max-snippet:-1", "noarchive")
    assert clinic.lang == "en-GB"
    assert clinic.meta_value("og:title") == "Scalp Micropigmentation | Alex James Clinic"
    assert clinic.meta_value("viewport") == "width=device-width, initial-scale=1"
    assert ("robots", "index, FOLLOW, max-snippet:-1") in clinic.meta
    assert clinic.hreflang == (
        ("en-gb", "https://www.alexjamesclinic.example/treatments/scalp-micropigmentation/"),
        ("x-default", "https://www.alexjamesclinic.example/smp/"),
    )
    assert clinic.html_size == len(clinic_bytes())
    assert clinic.source_kind == "html"


def test_fetch_facts_and_x_robots_tag() -> None:
    fetch = FetchResult(
        requested_url="http://clinic.example/a",
        final_url="https://clinic.example/a/",
        status=200,
        headers=(
            ("Content-Type", "text/html; charset=utf-8"),
            ("X-Robots-Tag", "noindex, NoFollow"),
            ("x-robots-tag", "googlebot: noarchive"),
            ("X-Robots-Tag", "bingbot: nosnippet"),
            ("X-Robots-Tag", "unavailable_after: 2030-01-01"),
        ),
        body=b"<p>Hello</p>",
    )
    page = extract_html(fetch.body, fetch.requested_url, fetch)
    assert page.status == 200
    assert page.final_url == "https://clinic.example/a/"
    assert page.x_robots_tag == ("noindex", "nofollow", "noarchive", "unavailable_after: 2030-01-01")
    assert page.fetch is fetch
    assert extract_html(b"<p>x</p>", "https://clinic.example/").x_robots_tag == ()


def test_links_resolve_against_the_url_after_redirects() -> None:
    fetch = FetchResult(
        requested_url="https://clinic.example/smp",
        final_url="https://www.clinic.example/treatments/smp/",
        status=200,
        body=b'<p><a href="../prices/">Prices</a></p>',
    )
    page = extract_html(fetch.body, fetch.requested_url, fetch)
    assert page.url == "https://clinic.example/smp"
    assert page.links[0].url == "https://www.clinic.example/treatments/prices/"
    assert page.links[0].internal


def test_two_canonicals_are_reported() -> None:
    page = extract_html(
        b'<head><link rel="canonical" href="/a"><link rel="canonical" href="/b"></head><p>x</p>',
        "https://clinic.example/page",
    )
    assert page.canonical == "https://clinic.example/a"
    assert any("canonical" in w for w in page.parse_warnings)


# --- JSON-LD and FAQs -----------------------------------------------------------------------------------


def test_json_ld_valid_and_invalid_are_both_kept(clinic: Page) -> None:
    assert len(clinic.json_ld) == 2
    valid, invalid = clinic.json_ld
    assert valid.error is None
    assert isinstance(valid.data, dict) and "@graph" in valid.data
    assert invalid.data is None
    assert invalid.error is not None and invalid.error.startswith("invalid JSON")
    assert '"Organization"' in invalid.raw
    assert valid.locator.startswith("head > script")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("", "empty"), ('{"a": NaN}', "NaN"), ("{'a': 1}", "invalid JSON"), ("<!-- {} -->", "invalid JSON")],
)
def test_json_ld_is_parsed_strictly(raw: str, fragment: str) -> None:
    html = f'<script type="application/ld+json">{raw}</script><p>x</p>'
    (item,) = extract_html(html.encode(), "https://clinic.example/").json_ld
    assert item.data is None
    assert item.error is not None and fragment in item.error


def test_faq_from_schema_graph_with_id_reference(clinic: Page) -> None:
    schema = [f for f in clinic.faqs if f.source == "schema"]
    assert [f.question for f in schema] == ["Is scalp micropigmentation safe?", "How long does SMP last?"]
    assert schema[0].answer == (
        "SMP is considered low-risk when performed by a trained practitioner using sterile equipment."
    )
    assert schema[1].answer == "Results typically last several years & may need a top-up."


def test_faq_from_details_and_dl(clinic: Page) -> None:
    details = {f.question: f for f in clinic.faqs if f.source == "details"}
    assert details["Does scalp micropigmentation hurt?"].answer == (
        "Most people describe it as mildly uncomfortable rather than painful."
    )
    assert details["Can SMP be removed?"].answer.startswith("Laser treatment can lighten")
    question_block = clinic.blocks[details["Can SMP be removed?"].block_index or 0]
    assert question_block.text == "Can SMP be removed?"
    dl = {f.question: f.answer for f in clinic.faqs if f.source == "dl"}
    assert dl == {
        "Will SMP regrow hair?": "No. SMP is a cosmetic procedure and does not stimulate hair growth.",
        "How many sessions will I need?": "Usually two or three.",
    }
    # A <summary> question is not counted again as a question heading.
    assert not [f for f in clinic.faqs if f.source == "heading" and f.question.startswith("Does scalp")]


def test_faq_from_question_headings(clinic: Page) -> None:
    headings = {f.question: f for f in clinic.faqs if f.source == "heading"}
    safe = headings["Is scalp micropigmentation safe?"]
    assert safe.answer.startswith("When performed by a trained practitioner")
    # The answer runs through the h3 below it but stops at the next h2.
    assert "Poorly placed pigment" in safe.answer
    assert "£1,800" not in safe.answer
    assert clinic.blocks[safe.block_index or 0].kind == "heading"
    assert clinic.blocks[safe.block_index or 0].text == safe.question
    assert "Prices" not in headings and "Frequently asked questions" not in headings


def test_question_headings_in_page_chrome_are_not_faqs() -> None:
    html = (
        b"<main><h2>What is SMP?</h2><p>A cosmetic pigment treatment.</p></main>"
        b"<footer><h3>Why choose us?</h3><p>Twenty years of experience.</p></footer>"
    )
    faqs = extract_html(html, "https://clinic.example/").faqs
    assert [f.question for f in faqs] == ["What is SMP?"]


def test_faq_schema_accepts_list_types_and_nested_pages() -> None:
    html = """<script type="application/ld+json">
    [{"@type": "WebPage", "mainEntity": {"@type": ["FAQPage"], "mainEntity":
      {"@type": "Question", "text": "Is SMP permanent?",
       "acceptedAnswer": [{"@type": "Answer", "text": "It fades gradually."}]}}}]
    </script><p>x</p>"""
    faqs = extract_html(html.encode(), "https://clinic.example/").faqs
    assert [(f.question, f.answer, f.source) for f in faqs] == [
        ("Is SMP permanent?", "It fades gradually.", "schema")
    ]


# --- broken markup --------------------------------------------------------------------------------------


BROKEN = {
    "unclosed tags": (
        b"<html><head><title>Unclosed</title></head><body><div><p>First <b>bold <i>both"
        b"<p>Second paragraph<ul><li>one<li>two</ul><div>Trailing",
        "Unclosed",
        ["First bold both", "Second paragraph", "one", "two", "Trailing"],
    ),
    "duplicate head": (
        b"<html><head><title>Head one</title></head><head><meta name='description' content='Second head'>"
        b"</head><body><p>Body text</p></body></html>",
        "Head one",
        ["Body text"],
    ),
    "title in body": (
        b"<html><body><p>Before</p><title>Late title</title><p>After</p></body></html>",
        "Late title",
        ["Before", "After"],
    ),
    "no html element": (
        b"<title>Bare</title><h1>Heading</h1>Loose text<p>Para",
        "Bare",
        ["Heading", "Loose text", "Para"],
    ),
    "stray close tags and garbage": (
        b"</div></p><p>Kept</p></span><<>>&&<p>Also kept",
        None,
        ["Kept", "<<>>&&", "Also kept"],
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_markup_reads_like_a_browser(name: str) -> None:
    body, title, texts = BROKEN[name]
    page = extract_html(body, "https://clinic.example/")
    assert page.title == title
    assert [b.text for b in page.blocks] == texts


def test_duplicate_head_metadata_is_still_read() -> None:
    page = extract_html(BROKEN["duplicate head"][0], "https://clinic.example/")
    assert page.meta_description == "Second head"
    assert page.title_count == 1


def test_two_titles_are_counted() -> None:
    page = extract_html(b"<title> One </title><title>Two</title><p>x</p>", "https://clinic.example/")
    assert page.title == "One"
    assert page.title_count == 2


def test_deep_nesting_and_empty_input_do_not_crash() -> None:
    deep = extract_html(b"<div>" * 5000 + b"deep text", "https://clinic.example/")
    assert [b.text for b in deep.blocks] == ["deep text"]
    empty = extract_html(b"", "https://clinic.example/")
    assert empty.blocks == () and empty.title is None and empty.word_count == 0


def test_heading_faq_answer_skips_an_interleaved_aside() -> None:
    html = (
        b"<main><h2>Does SMP hurt?</h2><aside><p>Book now</p></aside><p>Most describe mild discomfort.</p>"
        b"<h2>Prices</h2><p>From 600 pounds.</p></main>"
    )
    (faq,) = extract_html(html, "https://clinic.example/").faqs
    assert faq.answer == "Most describe mild discomfort."
