"""Drafts before publication: Markdown, plain text, the clinic's corpus guide, and local-file errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.extract import extract_html, extract_markdown, extract_text, load_local_file
from auditor.models import Page

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "smp-safety-guide.txt"


def texts(page: Page) -> list[str]:
    return [b.text for b in page.blocks]


# --- Markdown -------------------------------------------------------------------------------------------


def test_markdown_front_matter_fills_title_description_and_lang() -> None:
    page = load_local_file(str(FIXTURES / "draft.md"))
    assert page.source_kind == "markdown"
    assert page.title == "Is scalp micropigmentation safe? | Alex James Clinic"
    assert page.title_count == 1
    assert page.meta_description == "What to know about scalp micropigmentation safety, pain and aftercare."
    assert page.lang == "en-GB"
    assert "title:" not in " ".join(texts(page))  # front matter is not prose


def test_markdown_headings_blocks_and_faqs() -> None:
    page = load_local_file(str(FIXTURES / "draft.md"))
    assert [(h.level, h.text) for h in page.headings] == [
        (1, "Is scalp micropigmentation safe?"),
        (2, "How SMP works"),
        (3, "Your consultation"),
        (2, "Does SMP hurt?"),
    ]
    design = next(b for b in page.blocks if b.text == "A hairline design you approve")
    assert design.kind == "list_item"
    assert design.heading_path == ("Is scalp micropigmentation safe?", "How SMP works", "Your consultation")
    kinds = {b.text: b.kind for b in page.blocks}
    assert kinds["I finally feel like myself again."] == "blockquote"
    assert kinds["£1,800"] == "table_cell"
    # Emphasis is rendered, not left as asterisks.
    assert "Most people describe it as mildly uncomfortable rather than painful." in kinds
    hurt = next(f for f in page.faqs if f.question == "Does SMP hurt?")
    assert hurt.source == "heading" and hurt.answer.startswith("Most people describe it")
    links = {link.text: link for link in page.links}
    assert links["NHS guide"].internal is False
    assert links["Book a consultation"].internal


def test_markdown_gives_the_same_model_as_equivalent_html() -> None:
    markdown = "# Aftercare\n\nKeep it **dry**.\n\n## Can I swim?\n\n- Not for two weeks\n"
    html = (
        "<html><body><h1>Aftercare</h1><p>Keep it <strong>dry</strong>.</p><h2>Can I swim?</h2>"
        "<ul><li>Not for two weeks</li></ul></body></html>"
    )
    md_page = extract_markdown(markdown, "draft.md")
    html_page = extract_html(html.encode(), "draft.md")
    shape = [(b.kind, b.text, b.heading_path, b.locator, b.in_main) for b in md_page.blocks]
    assert shape == [(b.kind, b.text, b.heading_path, b.locator, b.in_main) for b in html_page.blocks]
    assert md_page.faqs == html_page.faqs
    assert md_page.word_count == html_page.word_count
    assert md_page.content_hash == html_page.content_hash


def test_markdown_without_front_matter_and_with_a_rule_at_the_top() -> None:
    page = extract_markdown("---\n\nJust a horizontal rule first.\n", "x.md")
    assert page.title is None
    assert texts(page) == ["Just a horizontal rule first."]


def test_invalid_front_matter_is_reported() -> None:
    page = extract_markdown("---\ntitle: [unclosed\n---\nBody text.\n", "x.md")
    assert page.title is None
    assert texts(page) == ["Body text."]
    assert any("front matter" in w for w in page.parse_warnings)


def test_markdown_raw_html_details_become_faqs() -> None:
    source = "<details><summary>Is SMP permanent?</summary>\n\nIt fades gradually over years.\n\n</details>\n"
    (faq,) = extract_markdown(source, "x.md").faqs
    assert (faq.question, faq.answer, faq.source) == ("Is SMP permanent?", "It fades gradually over years.",
                                                      "details")


# --- plain text -----------------------------------------------------------------------------------------


def test_text_draft_outline() -> None:
    page = load_local_file(str(FIXTURES / "draft.txt"))
    assert page.source_kind == "text"
    assert page.title == "Scalp Micropigmentation Aftercare"
    assert [(h.level, h.text) for h in page.headings] == [
        (1, "Scalp Micropigmentation Aftercare"),
        (2, "What to expect"),
        (2, "Can I wash my hair?"),
        (2, "Questions"),
    ]
    # Hard-wrapped lines are joined back into one paragraph.
    intro = page.blocks[1]
    assert intro.text.startswith("Following your treatment") and intro.text.endswith("protect your results.")
    assert intro.locator == "line 3"
    assert intro.heading_path == ("Scalp Micropigmentation Aftercare",)
    items = [b for b in page.blocks if b.kind == "list_item"]
    assert [b.text for b in items] == [
        "Swimming pools and saunas for two weeks",
        "Direct sunlight without protection",
    ]
    assert items[0].heading_path == ("Scalp Micropigmentation Aftercare", "Can I wash my hair?")
    wash = next(f for f in page.faqs if f.question == "Can I wash my hair?")
    assert wash.answer.startswith("Avoid washing the scalp")
    assert "call the clinic" not in wash.answer  # stops at the next level-2 heading


def test_text_sentences_and_lead_ins_are_not_headings() -> None:
    page = extract_text(
        "Our clinic is in London.\nWe are open six days a week.\nThings to bring:\n- Photo ID\n", "x.txt"
    )
    assert page.headings == ()
    assert page.title is None
    assert [b.kind for b in page.blocks] == ["paragraph", "paragraph", "paragraph", "list_item"]


def test_long_question_line_is_prose_not_a_heading() -> None:
    long_question = " ".join(["word"] * 25) + "?"
    intro = "Intro paragraph that is long enough to be prose on its own line."
    page = extract_text(f"{intro}\n{long_question}\n", "x.txt")
    assert page.headings == ()


# --- the clinic's own guide -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_page() -> Page:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is not available")
    return load_local_file(str(CORPUS))


def test_corpus_guide_one_paragraph_per_line(corpus_page: Page) -> None:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(corpus_page.blocks) > 50
    # The file has one paragraph per line and every line is a finished sentence: each becomes its own block.
    assert texts(corpus_page) == lines
    assert {b.kind for b in corpus_page.blocks} == {"paragraph"}
    words = [token for b in corpus_page.blocks for token in b.text.split() if any(c.isalnum() for c in token)]
    assert corpus_page.word_count == len(words)
    assert corpus_page.encoding == "utf-8"
    assert corpus_page.url == str(CORPUS)


def test_corpus_guide_with_heading_lines_gets_an_outline() -> None:
    """The same one-line-per-paragraph shape with headings in it, as drafts of the guide are written."""
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is not available")
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    draft = "\n".join(
        ["Scalp Micropigmentation Safety Guide", *lines[:5], "What Is Scalp Micropigmentation", *lines[5:20],
         "Is scalp micropigmentation safe?", *lines[20:40], "Choosing a practitioner", *lines[40:]]
    )
    page = extract_text(draft, "guide.txt")
    assert page.title == "Scalp Micropigmentation Safety Guide"
    assert [(h.level, h.text) for h in page.headings] == [
        (1, "Scalp Micropigmentation Safety Guide"),
        (2, "What Is Scalp Micropigmentation"),
        (2, "Is scalp micropigmentation safe?"),
        (2, "Choosing a practitioner"),
    ]
    assert len(page.blocks) == len(lines) + 4
    paragraph = next(b for b in page.blocks if b.text == lines[25].strip())
    assert paragraph.heading_path == (
        "Scalp Micropigmentation Safety Guide",
        "Is scalp micropigmentation safe?",
    )
    safe = next(f for f in page.faqs if f.question == "Is scalp micropigmentation safe?")
    assert safe.answer.startswith(lines[20].strip()[:40])


# --- local files ----------------------------------------------------------------------------------------


def test_load_local_file_dispatches_by_suffix(tmp_path: Path) -> None:
    (tmp_path / "page.HTM").write_text("<title>T</title><p>Para</p>", encoding="utf-8")
    (tmp_path / "notes.markdown").write_text("# Head\n\nPara\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_bytes("Café prices start at £600 for scar camouflage.\n".encode("cp1252"))
    html = load_local_file(str(tmp_path / "page.HTM"))
    assert (html.source_kind, html.title, texts(html)) == ("html", "T", ["Para"])
    markdown = load_local_file(str(tmp_path / "notes.markdown"))
    assert (markdown.source_kind, [h.text for h in markdown.headings]) == ("markdown", ["Head"])
    text = load_local_file(str(tmp_path / "notes.txt"))
    assert text.source_kind == "text"
    assert texts(text) == ["Café prices start at £600 for scar camouflage."]
    assert text.encoding == "windows-1252"
    assert text.url == str(tmp_path / "notes.txt")


def _error(path: str) -> str:
    with pytest.raises(InputError) as caught:
        load_local_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(path)
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _error(str(tmp_path / "nope.html"))


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "site.html"
    folder.mkdir()
    assert "directory" in _error(str(folder))


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", "\ufeff  \n".encode("utf-8")])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(content)
    assert "empty" in _error(str(path))


def test_binary_file_renamed_html(tmp_path: Path) -> None:
    path = tmp_path / "photo.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    assert "binary" in _error(str(path))


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "brochure.pdf"
    path.write_bytes(b"%PDF-1.7")
    message = _error(str(path))
    assert ".pdf" in message and ".html" in message


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text", encoding="utf-8")
    path.chmod(0)
    try:
        assert "cannot read" in _error(str(path))
    finally:
        path.chmod(0o600)


def test_read_error_becomes_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root can read anything, so the permission failure is simulated at the one call that reads."""
    path = tmp_path / "locked.txt"
    path.write_text("text", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    message = _error(str(path))
    assert "cannot read" in message and "Permission denied" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    assert "not a regular file" in _error(str(path))
