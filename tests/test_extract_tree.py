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
