"""Small text helpers the views share: safe links, short labels, the highlighted excerpt, plain words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)", re.S)
_WS = re.compile(r"\s+")

CONTEXT_RADIUS = 120  # characters of paragraph kept either side of a highlighted excerpt


def safe_href(url: Any) -> str | None:
    """A scraped URL may only become a link when it is plainly http(s); anything else stays text.

    Browsers drop tabs and newlines inside a scheme ("java\\tscript:"), so a URL with any control character is
    refused outright rather than cleaned.
    """
    if not isinstance(url, str):
        return None
    candidate = url.strip(" ")
    if not candidate or _CONTROL.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if not candidate.lower().startswith(("http://", "https://")):
        return None
    return candidate


def short_url(url: str, roots: tuple[str, ...] = ()) -> str:
    """The path a marketing manager recognises: the site root is dropped, the root reads "Home page"."""
    for root in roots:
        base = root.rstrip("/")
        if base and url.startswith(base) and url[len(base) : len(base) + 1] in ("", "/", "?", "#"):
            rest = url[len(base) :]
            return rest if rest not in ("", "/") else "Home page"
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            return url[len(prefix) :]
    return url


def first_sentence(text: str) -> str:
    """The one-sentence "why it matters": rationales may run on, the report keeps the first sentence."""
    text = _WS.sub(" ", text or "").strip()
    match = _SENTENCE.match(text)
    return match.group(1) if match else text


def clip(text: str, limit: int) -> str:
    text = text or ""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…"


@dataclass(frozen=True, slots=True)
class Highlight:
    """A paragraph split around the excerpt; the parts are escaped separately and the middle is marked."""

    before: str
    mark: str
    after: str


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def highlight(excerpt: str, context: Any, start: Any, end: Any, radius: int = CONTEXT_RADIUS) -> Highlight:
    """Place the excerpt inside its paragraph; offsets that disagree with the text fall back to a search.

    Long paragraphs are trimmed to `radius` characters either side at word boundaries so a report of a large
    site stays small and the marked sentence stays in view.
    """
    excerpt = excerpt or ""
    if not isinstance(context, str) or not context:
        return Highlight("", excerpt, "")
    s, e = _as_int(start), _as_int(end)
    if (
        s is None
        or e is None
        or not (0 <= s <= e <= len(context))
        or (excerpt and context[s:e].strip() != excerpt.strip())
    ):
        found = context.find(excerpt) if excerpt else -1
        if found < 0:
            lowered = context.lower().find(excerpt.lower()) if excerpt else -1
            found = lowered
        if found < 0:
            # The excerpt is not in the paragraph: show the paragraph and the excerpt on its own.
            return Highlight(clip(context, 2 * radius) + " … ", excerpt, "")
        s, e = found, found + len(excerpt)
    before, mark, after = context[:s], context[s:e], context[e:]
    if len(before) > radius:
        cut = before[-radius:]
        space = cut.find(" ")
        before = "…" + (cut[space + 1 :] if 0 <= space < 40 else cut)
    if len(after) > radius:
        cut = after[:radius]
        space = cut.rfind(" ")
        after = (cut[:space] if space > radius - 40 else cut) + "…"
    return Highlight(before, mark, after)


def collapse_messages(messages: Sequence[str], limit: int = 12) -> str:
    """Many findings of one rule on one page in a line: repeats counted, a shared lead-in said once.

    "An image has no alt text: /a.jpg" and "…: /b.jpg" read "An image has no alt text: /a.jpg, /b.jpg".
    Past `limit` distinct messages the line says how many more there are (the CSV files list them all).
    """
    counts = Counter(messages)
    distinct = list(counts)
    if not distinct:
        return ""

    def times(msg: str) -> str:
        return f" (×{counts[msg]})" if counts[msg] > 1 else ""

    if len(distinct) == 1:
        return distinct[0] + times(distinct[0])
    shown, rest = distinct[:limit], len(distinct) - limit
    more = f" and {rest} more" if rest > 0 else ""
    head, sep, _ = distinct[0].partition(": ")
    lead = head + sep
    if sep and len(head) >= 4 and all(m.startswith(lead) for m in distinct):
        return lead + ", ".join(m[len(lead) :] + times(m) for m in shown) + more
    return " · ".join(m + times(m) for m in shown) + more


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def csv_cell(value: Any) -> Any:
    """Spreadsheet programs run cells that start with = + - @ as formulas; scraped text must stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
