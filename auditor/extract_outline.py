"""What every extractor shares: heading paths, question-heading FAQs, word counts and the content hash."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from auditor.models import Block, BlockKind, FaqPair

_INVISIBLE = str.maketrans({"\u00ad": None, "\u200b": None, "\ufeff": None})
# The ASCII whitespace str.split() splits on, less the space; and the length from which fold() looks for none.
_ASCII_BREAKS = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_LONG_TEXT = 80
_WORD = re.compile(r"[^\W_]+(?:['’.,\-][^\W_]+)*")  # "it’s", "well-known", "1,200" are one word each
# ASCII bytes by their part in a _WORD match: "a" letters and digits, "p" the marks that may join two runs of them,
# " " everything else (on ASCII text _WORD's classes reduce to these, and "’" cannot occur).
_ASCII_WORD_CLASSES = bytes(
    ord("a") if chr(c).isalnum() else ord("p") if chr(c) in "'.,-" else ord(" ") for c in range(128)
) + b" " * 128
_QUESTION_START = re.compile(
    r"^\W*(how|what|why|when|is|are|can|does|do|will|should|which|who)\b", re.IGNORECASE
)


class RawBlock(NamedTuple):
    """A block before its heading path and index are known; level is set for headings only.

    A named tuple, not a frozen dataclass: as immutable, and made several times faster (one per block)."""

    kind: BlockKind
    text: str
    locator: str
    in_main: bool = True
    level: int = 0
    scope: str = ""  # blocks share an outline only within one scope: the main text, or one nav, footer...


def fold(text: str) -> str:
    """Runs of whitespace to one space: markup indentation and line wrapping are not content.

    str.split() splits on exactly the characters the regex \\s matches (str.isspace), about 3x faster. Long ASCII
    text that is already folded (a paragraph written on one line) is returned as it is: checking that in C costs
    half of splitting it into words and joining them again."""
    if len(text) > _LONG_TEXT and text.isascii() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        raw = text.encode("ascii")
        if len(raw.translate(None, _ASCII_BREAKS)) == len(raw):
            return text
    if "\u00ad" in text or "\u200b" in text or "\ufeff" in text:
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


def count_words(text: str) -> int:
    """How many _WORD matches the text holds.

    ASCII text (nearly every page) is counted in C, about 3x faster than the regex finds the matches: a match
    starts at every run of letters and digits except one joined to the run before it by a single joining mark,
    so with each byte mapped to its class ("a" run, "p" mark, " " other) the starts are the "a"s after " ", " p"
    or "pp", and an "a" or "pa" opening the text. Words never span a line break, so texts joined by newlines
    count as the sum of their parts."""
    if not text.isascii():
        return len(_WORD.findall(text))
    classes = text.encode("ascii").translate(_ASCII_WORD_CLASSES)
    return (
        classes.count(b" a") + classes.count(b" pa") + classes.count(b"ppa")
        + (classes[:1] == b"a") + (classes[:2] == b"pa")
    )


def is_question(text: str) -> bool:
    """Ends in "?" or opens with a question word: how searchers phrase what a page should answer."""
    stripped = text.strip()
    return bool(stripped) and (stripped.endswith("?") or bool(_QUESTION_START.match(stripped)))


def content_hash(texts: Iterable[str], *, folded: bool = False) -> str:
    """sha256 of the main text with whitespace folded, so re-indented or re-wrapped markup keeps its hash.

    folded: every text is already fold()ed and none is empty, so their join with spaces needs no folding."""
    joined = " ".join(texts)
    return hashlib.sha256((joined if folded else fold(joined)).encode("utf-8")).hexdigest()


def build_blocks(raw: Sequence[RawBlock]) -> tuple[Block, ...]:
    """Index the blocks and give each the outline it sits under; each piece of page chrome has its own.

    A scope's outline changes only at its headings, so the path below each heading is made once, there, and
    shared by the blocks up to the next."""
    stacks: dict[str, list[tuple[int, str]]] = {}
    paths: dict[str, tuple[str, ...]] = {}  # by scope: the outline its next non-heading block sits under
    blocks: list[Block] = []
    for index, rb in enumerate(raw):
        scope = rb.scope
        if rb.kind == "heading" and rb.level:
            stack = stacks.setdefault(scope, [])
            while stack and stack[-1][0] >= rb.level:
                stack.pop()
            path = tuple(text for _, text in stack)
            stack.append((rb.level, rb.text))
            paths[scope] = (*path, rb.text)
        else:
            path = paths.get(scope, ())
        blocks.append(Block(index, rb.kind, rb.text, path, rb.locator, rb.in_main))
    return tuple(blocks)


def heading_faqs(raw: Sequence[RawBlock], taken: set[int] | None = None) -> list[FaqPair]:
    """Question-shaped headings, answered by what follows up to the next heading of same or higher level."""
    taken = taken or set()
    pairs: list[FaqPair] = []
    for index, rb in enumerate(raw):
        # Widget titles in page chrome ("Why choose us?") are not the page answering a question.
        if rb.kind != "heading" or not rb.level or not rb.in_main or index in taken:
            continue
        if not is_question(rb.text):
            continue
        answer: list[str] = []
        for follower in raw[index + 1 :]:
            if follower.scope != rb.scope:  # an aside or banner between heading and answer
                continue
            if follower.kind == "heading" and follower.level and follower.level <= rb.level:
                break
            answer.append(follower.text)
        pairs.append(FaqPair(rb.text, fold(" ".join(answer)), "heading", rb.locator, index))
    return pairs
