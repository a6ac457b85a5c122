"""The lxml walk keeps what the Beautiful Soup walk read: where an lxml tree and a soup differ by construction."""

from __future__ import annotations

from auditor.extract import extract_html

URL = "https://clinic.example/"


def texts(body: bytes) -> list[str]:
    return [b.text for b in extract_html(body, URL).blocks]


def test_ruby_readings_are_not_read_as_text() -> None:
    page = extract_html(
        "<p>Kanji <ruby>漢<rt>kan</rt><rp>(</rp></ruby> end</p><a href='/r'>x<rt>y</rt>z</a>".encode(), URL
    )
    assert [b.text for b in page.blocks] == ["Kanji 漢 end", "xz"]
    assert page.links[0].text == "xz"


def test_link_text_leaves_out_scripts_styles_and_templates_but_keeps_image_alt() -> None:
    body = b"<a href='/a'>Book <script>var x</script><style>.a{}</style><template>t</template>now<img alt='icon'></a>"
    (link,) = extract_html(body, URL).links
    assert link.text == "Book now icon"


def test_blank_json_ld_scripts_keep_their_raw_text() -> None:
    body = b"<script type='application/ld+json'>  \n  </script><pre><script type='application/ld+json'>  </script></pre>"
    items = extract_html(body, URL).json_ld
    assert [(j.raw, j.error) for j in items] == [("\n", "empty JSON-LD script"), ("  ", "empty JSON-LD script")]


def test_content_after_the_closing_html_tag_is_read() -> None:
    assert texts(b"<html><body><p>in</p></body></html><p>after</p>") == ["in", "after"]


def test_nesting_past_libxml2_tree_depth_loses_nothing() -> None:
    assert texts(b"<p>x</p><svg>" + b"<g>" * 300 + b"</svg><p>after svg</p>") == ["x", "after svg"]
    assert texts(b"<div>" * 300 + b"deep text" + b"</div>" * 300 + b"<p>after</p>") == ["deep text", "after"]


def test_text_around_a_comment_joins_up() -> None:
    assert texts(b"<p>one<!-- c -->two</p><p title='<!-- not -->'>t</p>") == ["onetwo", "t"]


def test_documents_without_elements_give_an_empty_page() -> None:
    for body in (b"", b"  \n", b"<!-- x -->", b"<!DOCTYPE html>"):
        page = extract_html(body, URL)
        assert page.blocks == () and page.title is None and page.links == ()


def test_word_count_matches_the_word_pattern_and_adds_up_over_lines() -> None:
    from auditor.extract_outline import _WORD, count_words

    samples = [
        "", " ", "a", "-a", "--a", "a-", "a--b", "a-b-c", "a.b.c", "a. b", "it's well-known: 1,200 (or 1.5k)",
        "'quoted' -dash- a..b a.,b _under_score_ x_y", "tab\tnew\nline\x1ffour", "café it’s naïve",
        "Read more. Book now! 3-4 sessions, 2.5 hours",
    ]
    for text in samples:
        assert count_words(text) == len(_WORD.findall(text)), text
    assert count_words("\n".join(samples)) == sum(count_words(text) for text in samples)


def test_fold_keeps_long_folded_text_and_folds_the_rest() -> None:
    from auditor.extract_outline import fold

    line = "Scalp micropigmentation takes two or three sessions, a week or so apart. " * 3
    assert fold(line) == line.strip()
    assert fold(line.strip()) == line.strip()
    for messy in (line.replace(". ", ".\n"), line.replace(" ", "  "), line.replace(" ", "\t"), "\x1c" + line):
        assert fold(messy) == " ".join(messy.split())
    assert fold(line.replace("two", "t\u00adwo")) == line.strip()


def test_link_name_keeps_image_alt_from_anywhere_inside_the_link() -> None:
    body = b"<a href='/a'>Book<template><img alt='A'></template> now<rt><img alt='B'>r</rt><img alt='C'></a>"
    (link,) = extract_html(body, URL).links
    assert link.text == "Book now A B C"


def test_icons_inside_links_add_nothing_to_the_text_but_their_titles_name_the_link() -> None:
    body = b"<footer><a href='/f'><svg><title>Logo</title><path d='M1'/></svg>Home</a> <span><svg/>x</span></footer>"
    page = extract_html(body, URL)
    assert [b.text for b in page.blocks] == ["Home x"]
    assert [link.text for link in page.links] == ["LogoHome"]


def test_links_in_paragraphs_and_list_items_get_their_own_locators() -> None:
    body = b"<ul><li><a href='/a'>A</a></li><li>b <a href='/b' rel='NoFollow'>B</a> <a href='#c'>C</a></li></ul>"
    page = extract_html(body, URL)
    assert [(link.locator, link.rel) for link in page.links] == [
        ("body > ul > li:nth-of-type(1) > a", ()),
        ("body > ul > li:nth-of-type(2) > a:nth-of-type(1)", ("nofollow",)),
        ("body > ul > li:nth-of-type(2) > a:nth-of-type(2)", ()),
    ]
    assert [b.text for b in page.blocks] == ["A", "b B C"]


def test_a_skip_link_inside_a_list_item_is_a_chrome_block_of_its_own() -> None:
    page = extract_html(b"<main><ul><li>a <a href='#main'>Skip to content</a> b</li></ul><p>Body</p></main>", URL)
    assert [(b.text, b.in_main) for b in page.blocks] == [("a", True), ("Skip to content", False), ("b", True),
                                                            ("Body", True)]
