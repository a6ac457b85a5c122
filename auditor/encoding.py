"""Bytes to text: finds the real character encoding (BOM, HTTP, <meta>, detection) and spots binary bodies."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of formats that are never a web page, even when served or named as one.
_MAGIC: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"PK\x03\x04",  # ZIP, DOCX, XLSX
    b"PK\x05\x06",
    b"\x1f\x8b",  # GZIP
    b"BZh91",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # old MS Office
    b"\x7fELF",
    b"wOFF",
    b"wOF2",
    b"OggS",
    b"ID3",
    b"fLaC",
    b"\x00\x00\x01\x00",  # ICO
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x1a\x45\xdf\xa3",  # WebM / Matroska
)

# WHATWG treats these labels as windows-1252, as every browser does.
_WHATWG_ALIASES: dict[str, str] = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "x-user-defined": "cp1252",
    "unicode": "utf-8",  # a <meta> cannot truthfully declare UTF-16: the bytes were already ASCII-readable
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}

_SINGLE_BYTE_PREFIXES = ("cp12", "iso8859", "latin", "cp8", "koi8", "mac-", "mac_", "tis-620", "cp874")

_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^\s;"']+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_.:+-]+)""", re.IGNORECASE)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_REPLACEMENT_UTF8 = "\ufffd".encode()

# Detection is only consulted for bytes that are neither declared nor valid UTF-8; a sample is enough.
_DETECT_SAMPLE = 64 * 1024
_PRESCAN = 4096
_CONTROL = frozenset(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)  # deleted by translate: the controls remain


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, and what was wrong with the declaration (for Page.parse_warnings)."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def display_name(codec: str) -> str:
    """The name a web developer recognises (windows-1252, iso-8859-15), not Python's cp1252/iso8859_15."""
    name = codecs.lookup(codec).name
    if name.startswith("cp125"):
        return "windows-" + name[2:]
    if name.startswith("iso8859-"):
        return "iso-" + name[3:]
    return name


def _codec_for(label: str) -> str | None:
    """Map a declared label to a Python codec the way browsers do; None when nobody knows the label."""
    key = label.strip().strip("\"'").lower()
    key = _WHATWG_ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    found = _HTTP_CHARSET.search(content_type)
    return found.group(1) if found else None


def meta_charset(body: bytes) -> str | None:
    """The charset a browser's pre-scan would see in <meta charset> or http-equiv, or the XML declaration."""
    head = body[:_PRESCAN]
    found = _META_CHARSET.search(head)
    if found:
        return found.group(1).decode("ascii", "replace")
    xml = _XML_DECL.search(head)
    return xml.group(1).decode("ascii", "replace") if xml else None


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(_SINGLE_BYTE_PREFIXES)


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        return None


def _invalid_utf8_count(body: bytes, text: str) -> int:
    return text.count("\ufffd") - body.count(_REPLACEMENT_UTF8)


def _mostly_utf8(body: bytes) -> bool:
    """Stray bad bytes in UTF-8 text, as opposed to a different encoding altogether."""
    text = body.decode("utf-8", "replace")
    bad = _invalid_utf8_count(body, text)
    good = len(_UTF8_MULTIBYTE.findall(body))
    return good > 0 and good >= bad


def _detect(body: bytes) -> str:
    """charset-normalizer, preferring windows-1252 (the web's default) when it fits as well as the best."""
    results = list(from_bytes(body[:_DETECT_SAMPLE]))
    if not results:
        return "cp1252"
    best = results[0]
    for match in results:
        if match.encoding in ("cp1252", "latin_1", "iso8859_15") and match.chaos <= best.chaos + 0.02:
            return "cp1252"
    return codecs.lookup(best.encoding).name


def _has_non_ascii(body: bytes) -> bool:
    return not body.isascii()


def decode_bytes(body: bytes, content_type: str | None, *, html: bool = True) -> Decoded:
    """BOM, then the HTTP charset, then <meta>, then detection; bad bytes are replaced, never raised."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(bom_codec, "replace"), display_name(bom_codec))

    warnings: list[str] = []
    declared_http = http_charset(content_type)
    declared_meta = meta_charset(body) if html else None
    declared: list[tuple[str, str]] = []
    if declared_http:
        declared.append(("the HTTP Content-Type header", declared_http))
    if declared_meta:
        declared.append(("<meta charset>", declared_meta))

    valid: list[tuple[str, str]] = []
    for where, label in declared:
        known = _codec_for(label)
        if known is None:
            warnings.append(f"charset {label!r} declared in {where} is not a known encoding")
        else:
            valid.append((where, known))
    codec: str | None = None
    source = ""
    if valid:
        source, codec = valid[0]
        if len(valid) == 2 and valid[1][1] != codec:
            warnings.append(
                f"the HTTP header declares {display_name(codec)} but <meta charset> declares "
                f"{display_name(valid[1][1])}"
            )

    if codec is not None:
        text = _strict(body, codec)
        if text is not None:
            if _is_single_byte(codec) and _has_non_ascii(body) and _strict(body, "utf-8") is not None:
                warnings.append(
                    f"{source} declares {display_name(codec)} but the content is UTF-8; read as UTF-8"
                )
                return Decoded(body.decode("utf-8"), "utf-8", tuple(warnings))
            return Decoded(text, display_name(codec), tuple(warnings))
        if codec == "utf-8" and _mostly_utf8(body):
            text = body.decode("utf-8", "replace")
            count = _invalid_utf8_count(body, text)
            warnings.append(f"{count} invalid UTF-8 byte sequence(s) replaced")
            return Decoded(text, "utf-8", tuple(warnings))
        if codec != "utf-8" and not _is_single_byte(codec):
            warnings.append(
                f"content is not valid {display_name(codec)} as declared in {source}; bad bytes replaced"
            )
            return Decoded(body.decode(codec, "replace"), display_name(codec), tuple(warnings))
        detected = _strict_utf8_or_detect(body)
        warnings.append(
            f"{source} declares {display_name(codec)} but the content is not; "
            f"read as {display_name(detected)}"
        )
        return Decoded(body.decode(detected, "replace"), display_name(detected), tuple(warnings))

    found = _strict_utf8_or_detect(body)
    if html and _has_non_ascii(body) and not declared:
        warnings.append(f"no character encoding declared; detected {display_name(found)}")
    return Decoded(body.decode(found, "replace"), display_name(found), tuple(warnings))


def _strict_utf8_or_detect(body: bytes) -> str:
    if _strict(body, "utf-8") is not None:
        return "utf-8"
    if _mostly_utf8(body):
        return "utf-8"
    return _detect(body)


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, encoding name); what was wrong with the declaration reaches the Page through decode_bytes."""
    decoded = decode_bytes(body, content_type)
    return decoded.text, decoded.encoding


def looks_binary(body: bytes) -> bool:
    """True for images, archives, PDFs and other non-text bodies, so they are never parsed as pages."""
    if not body:
        return False
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return False
    if body.startswith(_MAGIC):
        return True
    if body[:4] == b"RIFF" and body[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return True
    if body[4:8] == b"ftyp":  # MP4, MOV, HEIC, AVIF
        return True
    sample = body[:4096]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))  # counted in C, not byte by byte
    return controls / len(sample) > 0.05
