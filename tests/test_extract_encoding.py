"""Encodings are detected, never assumed; wrong or missing declarations are reported; binary is spotted."""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
from pathlib import Path

import pytest

from auditor.extract import decode_body, extract_html, looks_binary
from auditor.models import FetchResult

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"
TEXT = "Café – “safe” when done well, £1,500, naïve façade"


def html(text: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><p>{text}</p></body></html>"


def fetched(body: bytes, content_type: str) -> FetchResult:
    return FetchResult(
        requested_url="https://clinic.example/",
        final_url="https://clinic.example/",
        status=200,
        headers=(("Content-Type", content_type),),
        body=body,
    )


def test_windows_1252_declared_in_meta() -> None:
    body = (FIXTURES / "windows-1252.html").read_bytes()
    page = extract_html(body, "https://clinique.example/")
    assert page.encoding == "windows-1252"
    assert page.title == "Micropigmentation capillaire – Clinique"
    assert any("« sûre » lorsqu’elle" in b.text and "1 500 €" in b.text for b in page.blocks)
    assert page.parse_warnings == ()
    assert page.lang == "fr"


def test_iso_8859_1_label_reads_as_windows_1252_like_browsers() -> None:
    body = html(TEXT, '<meta charset="ISO-8859-1">').encode("cp1252")
    text, encoding = decode_body(body, None)
    assert TEXT in text
    assert encoding == "windows-1252"


def test_utf8_without_declaration_is_detected_and_noted() -> None:
    body = html(TEXT).encode("utf-8")
    page = extract_html(body, "https://clinic.example/")
    assert page.encoding == "utf-8"
    assert page.blocks[0].text == TEXT
    assert any("no character encoding declared" in w for w in page.parse_warnings)


def test_pure_ascii_without_declaration_is_not_noted() -> None:
    page = extract_html(html("Plain words").encode("ascii"), "https://clinic.example/")
    assert page.parse_warnings == ()


def test_windows_1252_without_declaration_is_detected() -> None:
    text, encoding = decode_body(html(TEXT).encode("cp1252"), None)
    assert TEXT in text
    assert encoding == "windows-1252"


@pytest.mark.parametrize(
    ("bom_body", "expected"),
    [
        (codecs.BOM_UTF8 + html(TEXT).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + html(TEXT).encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + html(TEXT).encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_bom_wins_over_every_declaration(bom_body: bytes, expected: str) -> None:
    text, encoding = decode_body(bom_body, "text/html; charset=iso-8859-1")
    assert encoding == expected
    assert TEXT in text
    assert not text.startswith("\ufeff")
    assert looks_binary(bom_body) is False


def test_http_charset_beats_meta_and_conflict_is_noted() -> None:
    body = html(TEXT, '<meta charset="windows-1252">').encode("utf-8")
    page = extract_html(body, "https://clinic.example/", fetched(body, "text/html; charset=UTF-8"))
    assert page.encoding == "utf-8"
    assert page.blocks[0].text == TEXT
    assert any("HTTP header declares utf-8" in w for w in page.parse_warnings)


def test_wrong_declared_charset_latin1_header_on_utf8_bytes() -> None:
    body = html("Café naïve façade").encode("utf-8")  # only bytes that are valid windows-1252 too
    page = extract_html(body, "https://clinic.example/", fetched(body, "text/html; charset=iso-8859-1"))
    assert page.encoding == "utf-8"
    assert page.blocks[0].text == "Café naïve façade"
    assert any("content is UTF-8" in w for w in page.parse_warnings)


def test_wrong_declared_charset_utf8_meta_on_windows_1252_bytes() -> None:
    body = html(TEXT, '<meta charset="utf-8">').encode("cp1252")
    page = extract_html(body, "https://clinic.example/")
    assert page.encoding == "windows-1252"
    assert page.blocks[0].text == TEXT
    assert any("declares utf-8 but the content is not" in w for w in page.parse_warnings)


def test_invalid_utf8_bytes_are_replaced_not_raised() -> None:
    body = html(TEXT, '<meta charset="utf-8">').encode("utf-8").replace(b"</p>", b" bad \xff\xfe\xc3</p>")
    page = extract_html(body, "https://clinic.example/")
    assert page.encoding == "utf-8"
    assert page.blocks[0].text.startswith(TEXT)
    assert "\ufffd" in page.blocks[0].text
    assert any("invalid UTF-8" in w for w in page.parse_warnings)


def test_unknown_declared_charset_is_noted_and_content_still_read() -> None:
    body = html(TEXT).encode("utf-8")
    text, encoding = decode_body(body, "text/html; charset=x-made-up")
    assert TEXT in text and encoding == "utf-8"
    page = extract_html(body, "https://clinic.example/", fetched(body, "text/html; charset=x-made-up"))
    assert any("x-made-up" in w for w in page.parse_warnings)


def test_decode_body_never_raises_on_random_bytes() -> None:
    noise = bytes(range(256)) * 8
    text, encoding = decode_body(noise, "text/html; charset=utf-8")
    assert isinstance(text, str) and encoding


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"GIF89a\x01\x00\x01\x00",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        gzip.compress(b"<html></html>"),
        b"RIFF\x24\x00\x00\x00WEBPVP8 ",
        b"<html>\x00\x00\x00</html>",
        bytes(range(1, 32)) * 20,
    ],
)
def test_binary_bodies_are_spotted(body: bytes) -> None:
    assert looks_binary(body)


def test_zip_is_binary() -> None:
    assert looks_binary(_zip_bytes())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<!DOCTYPE html><p>Hello</p>",
        TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        b"line\r\n\tindented\x0c",
    ],
)
def test_text_bodies_are_not_binary(body: bytes) -> None:
    assert looks_binary(body) is False


def test_looks_binary_counts_control_bytes_as_a_byte_loop_does() -> None:
    """The control-byte share is counted in C; it must agree with counting byte by byte."""
    import random

    from auditor.encoding import _CONTROL

    rng = random.Random(11)
    for _ in range(3000):
        pool = rng.choice([bytes(range(1, 32)), bytes(range(1, 256)), b"abc\t\n\x1b\x0c\r", b"ab\x01\x02", b"text "])
        body = b"<" + bytes(rng.choice(pool) for _ in range(rng.choice([1, 9, 90, 900]))) * rng.choice([1, 12])
        sample = body[:4096]
        share = sum(1 for b in sample if b in _CONTROL) / len(sample)
        assert looks_binary(body) == (share > 0.05)
