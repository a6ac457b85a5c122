"""The extraction entrance: HTML, Markdown and plain-text drafts and local files all become one Page."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from auditor.encoding import decode_body, decode_bytes, looks_binary
from auditor.errors import InputError
from auditor.extract_html import extract_html, page_from_html
from auditor.extract_markdown import extract_markdown
from auditor.extract_outline import RawBlock, build_blocks, content_hash, count_words, fold, heading_faqs
from auditor.models import BlockKind, Heading, Page

__all__ = [
    "decode_body",
    "extract_html",
    "extract_markdown",
    "extract_text",
    "load_local_file",
    "looks_binary",
]

_SUFFIX_KIND = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}
_MAX_LOCAL_BYTES = 50 * 1024 * 1024

_HASH_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,3}[.)])\s+(\S.*)$")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
_TERMINAL = (".", "!", "?", ":", ";", '"', "”", "’", ")")
_HEADING_MAX_WORDS = 12
_QUESTION_MAX_WORDS = 20
_WRAP_WIDTH = 100  # hard-wrapped drafts break lines before this; one-paragraph-per-line files run longer


def _words(line: str) -> int:
    return len(line.split())


def _short(line: str) -> bool:
    """Shaped like a heading: few words, no sentence break, not ending as a sentence or a lead-in does."""
    stripped = line.rstrip()
    return (
        _words(stripped) < _HEADING_MAX_WORDS
        and not stripped.endswith((".", ",", ";", ":"))
        and _SENTENCE_BREAK.search(stripped) is None
    )


def _question_line(line: str) -> bool:
    return line.rstrip().endswith("?") and _words(line) <= _QUESTION_MAX_WORDS


def _text_units(text: str) -> list[tuple[BlockKind, str, int, int]]:
    """(kind, text, first line number, heading level) in reading order."""
    lines = text.splitlines()
    units: list[tuple[BlockKind, str, int, int]] = []
    current: list[str] = []
    current_kind: BlockKind = "paragraph"
    current_line = 0
    previous: str | None = None  # the last line of the open paragraph or list item

    def flush() -> None:
        nonlocal current, previous
        if current:
            units.append((current_kind, fold(" ".join(current)), current_line, 0))
        current = []
        previous = None

    def next_content(i: int) -> str | None:
        for later in lines[i + 1 :]:
            if later.strip():
                return later.strip()
        return None

    first_content = True
    for i, raw in enumerate(lines):
        line = raw.strip()
        number = i + 1
        if not line:
            flush()
            continue
        is_first = first_content
        first_content = False
        hashed = _HASH_HEADING.match(line)
        if hashed:
            flush()
            units.append(("heading", fold(hashed.group(2)), number, len(hashed.group(1))))
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            current, current_kind, current_line, previous = [item.group(1)], "list_item", number, line
            continue
        wrapped = previous is not None and len(previous) <= _WRAP_WIDTH and not previous.endswith(_TERMINAL)
        if wrapped:
            current.append(line)
            previous = line
            continue
        following = next_content(i)
        # A heading is followed by a paragraph (or a list); a line running on in lower case is wrapped prose.
        heading = _question_line(line) or (
            _short(line)
            and following is not None
            and not following[0].islower()
            and (not _short(following) or bool(_LIST_ITEM.match(following)))
        )
        if heading:
            flush()
            units.append(("heading", fold(line), number, 1 if is_first else 2))
            continue
        flush()
        current, current_kind, current_line, previous = [line], "paragraph", number, line
    flush()
    return units


def extract_text(text: str, url: str) -> Page:
    """Plain-text drafts: paragraphs by blank line or by line, short lines and questions as headings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    raw = [
        RawBlock(kind, body, f"line {number}", True, level, "main")
        for kind, body, number, level in _text_units(text)
    ]
    blocks = build_blocks(raw)
    title = raw[0].text if raw and raw[0].kind == "heading" and raw[0].level == 1 else None
    texts = [b.text for b in blocks]
    return Page(
        url=url,
        source_kind="text",
        title=title,
        title_count=1 if title is not None else 0,
        headings=tuple(Heading(rb.level, rb.text, rb.locator) for rb in raw if rb.kind == "heading"),
        blocks=blocks,
        faqs=tuple(heading_faqs(raw)),
        word_count=sum(count_words(t) for t in texts),
        content_hash=content_hash(texts),
        html_size=len(text.encode("utf-8")),
        encoding="utf-8",
    )


def load_local_file(path: str) -> Page:
    """A draft on disk as a Page (url = the path as given); every problem is one InputError line naming it."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: file not found")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if not p.is_file():
        raise InputError(f"{path}: not a regular file")
    kind = _SUFFIX_KIND.get(p.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: unsupported file type {p.suffix or '(no suffix)'}; "
            "expected .html, .htm, .md, .markdown or .txt"
        )
    try:
        size = p.stat().st_size
        if size > _MAX_LOCAL_BYTES:
            raise InputError(f"{path}: file is too large ({size:,} bytes; the limit is {_MAX_LOCAL_BYTES:,})")
        body = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if looks_binary(body):
        raise InputError(f"{path}: looks like binary data (an image, archive or PDF?), not {kind} text")
    decoded = decode_bytes(body, None, html=kind == "html")
    if not decoded.text.strip():
        raise InputError(f"{path}: file is empty")
    if kind == "html":
        return page_from_html(
            decoded.text, path, html_size=len(body), encoding=decoded.encoding, warnings=decoded.warnings
        )
    page = extract_markdown(decoded.text, path) if kind == "markdown" else extract_text(decoded.text, path)
    return dataclasses.replace(
        page,
        encoding=decoded.encoding,
        html_size=len(body),
        parse_warnings=decoded.warnings + page.parse_warnings,
    )
