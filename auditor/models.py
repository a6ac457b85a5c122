"""The immutable data model every stage shares: what was fetched, what a page holds, what a check found."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
Category = Literal["claims", "caveats", "questions", "accuracy", "seo", "crawl"]
BlockKind = Literal[
    "paragraph", "list_item", "heading", "faq_question", "faq_answer", "table_cell", "blockquote"
]
SourceKind = Literal["html", "markdown", "text"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
CATEGORIES: tuple[str, ...] = ("claims", "caveats", "questions", "accuracy", "seo", "crawl")


@dataclass(frozen=True)
class Redirect:
    """One hop of a redirect chain, kept so loops and long chains can be reported."""

    url: str
    status: int
    location: str


@dataclass(frozen=True)
class FetchResult:
    """What the network gave us for one URL; the only network fact any later stage sees."""

    requested_url: str
    final_url: str
    status: int | None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = field(default=b"", repr=False)  # a repr of a whole page body would cost seconds in logs
    elapsed: float = 0.0
    redirect_chain: tuple[Redirect, ...] = ()
    error: str | None = None
    # One of: connect, reset, tls, protocol, bad_encoding, timeout, too_large (cut at the size cap,
    # truncated=True), redirect_loop, too_many_redirects, bad_redirect, unsafe_address, budget.
    # auditor/crawl/fetch.py says what each means.
    error_kind: str | None = None
    truncated: bool = False
    depth: int = 0

    def header(self, name: str) -> str | None:
        """Header lookup that ignores case, as HTTP does."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    locator: str


@dataclass(frozen=True)
class Block:
    """A unit of reading-order text; findings point at blocks so a reviewer sees the sentence in place."""

    index: int
    kind: BlockKind
    text: str
    heading_path: tuple[str, ...]
    locator: str
    in_main: bool = True


@dataclass(frozen=True)
class Link:
    href: str  # as written in the page
    url: str | None  # absolute, resolved against the base; None when not resolvable
    text: str
    rel: tuple[str, ...] = ()
    internal: bool = False
    locator: str = ""


@dataclass(frozen=True)
class Image:
    src: str
    alt: str | None
    locator: str = ""


@dataclass(frozen=True)
class JsonLd:
    """One JSON-LD script: parsed data, or the raw text and the parse error, never silently dropped."""

    raw: str
    data: Any = None
    error: str | None = None
    locator: str = ""


@dataclass(frozen=True)
class FaqPair:
    question: str
    answer: str
    source: Literal["schema", "details", "heading", "dl"]
    locator: str = ""
    block_index: int | None = None


@dataclass(frozen=True)
class Page:
    """Everything checks may know about one document; built once by extraction and never changed."""

    url: str
    source_kind: SourceKind
    status: int | None = None
    final_url: str | None = None
    title: str | None = None
    meta_description: str | None = None
    canonical: str | None = None
    robots: tuple[str, ...] = ()  # meta robots directives, lower-case
    x_robots_tag: tuple[str, ...] = ()
    lang: str | None = None
    headings: tuple[Heading, ...] = ()
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = ()
    images: tuple[Image, ...] = ()
    json_ld: tuple[JsonLd, ...] = ()
    faqs: tuple[FaqPair, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()  # other <meta name/property> pairs, lower-case names
    hreflang: tuple[tuple[str, str], ...] = ()  # (lang, href)
    title_count: int = 0
    word_count: int = 0
    content_hash: str = ""
    html_size: int = 0
    encoding: str | None = None
    fetch: FetchResult | None = None
    parse_warnings: tuple[str, ...] = ()

    def meta_value(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.meta:
            if key == lname:
                return value
        return None

    @property
    def main_blocks(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.in_main)

    @property
    def main_text(self) -> str:
        return "\n".join(b.text for b in self.main_blocks)


CueKind = Literal["negation", "hedge", "warning", "question", "other_subject", "comparative", "quoted"]


@dataclass(frozen=True)
class Cue:
    """A context cue that changes what a matched phrase means (NegEx/ConText-style), with its trigger."""

    kind: CueKind
    trigger: str
    start: int  # token offsets within the sentence
    end: int
    scope: tuple[int, int] | None = None  # token span the cue governs (NegEx-style); None = the whole sentence


@dataclass(frozen=True)
class Sentence:
    text: str
    block_index: int
    start: int  # character span within the block text
    end: int
    lemmas: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class AnalysedPage:
    """A page and its sentences: the language layer's output, the input of every check."""

    page: Page
    sentences: tuple[Sentence, ...] = ()


@dataclass(frozen=True)
class Evidence:
    excerpt: str
    start: int | None = None  # span of the excerpt within `context`
    end: int | None = None
    context: str | None = None  # the whole block the excerpt sits in
    heading_path: tuple[str, ...] = ()
    locator: str | None = None
    block_index: int | None = None


_WS = re.compile(r"\s+")


def normalise_evidence(text: str) -> str:
    """Whitespace and case folded, so a re-flowed page keeps the same fingerprints."""
    return _WS.sub(" ", text).strip().lower()


def fingerprint(check_id: str, url: str, evidence_key: str) -> str:
    """Stable id of a finding across runs: the same rule, page and evidence give the same value."""
    digest = hashlib.sha256(
        f"{check_id}\x1f{url}\x1f{normalise_evidence(evidence_key)}".encode()
    ).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class Finding:
    check_id: str
    category: Category
    severity: Severity
    url: str
    message: str
    suggestion: str = ""
    evidence: Evidence | None = None
    claim_type: str | None = None
    cue: str | None = None  # the context cue that lowered (or would have cleared) this finding
    details: tuple[tuple[str, Any], ...] = ()
    key: str | None = None  # what identifies it on the page when there is no excerpt
    fingerprint: str = field(default="")

    def __post_init__(self) -> None:
        if not self.fingerprint:
            basis = self.key if self.key is not None else (self.evidence.excerpt if self.evidence else "")
            object.__setattr__(self, "fingerprint", fingerprint(self.check_id, self.url, basis))


RunStatus = Literal["running", "complete", "partial", "failed"]


@dataclass(frozen=True)
class Site:
    """One audited site (or a set of local files audited together): what site checks read."""

    name: str
    root_url: str | None
    pages: tuple[AnalysedPage, ...] = ()
    fetches: tuple[FetchResult, ...] = ()  # every fetch, HTML or not, failed or not
    sitemap_urls: tuple[str, ...] = ()
    robots_txt: str | None = None
    robots_status: int | None = None
    depths: tuple[tuple[str, int], ...] = ()  # (url, link depth from the start URLs)
    skipped: tuple[tuple[str, str], ...] = ()  # (url, reason) not fetched: robots, scope, budget
    # Per-check gatherings of page summaries made where each page was analysed (checks.registry.PreparingCheck).
    # Empty when a Site is built from whole pages: each check then summarises `pages` itself, with the same result.
    prepared: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
