"""HTML to Page: one lxml parse and one walk give blocks in reading order, links, metadata and FAQs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.element import CData, NavigableString, Tag

from auditor.encoding import decode_bytes
from auditor.extract_outline import (
    RawBlock,
    build_blocks,
    content_hash,
    count_words,
    fold,
    heading_faqs,
)
from auditor.jsonld import parse_json_ld, schema_faqs
from auditor.models import BlockKind, FaqPair, FetchResult, Heading, Image, JsonLd, Link, Page, SourceKind

# Elements whose start and end break the flow of text, as CSS display:block does in a browser.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "html", "legend", "li", "listing", "main", "menu", "nav", "ol", "p", "pre",
    "search", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp",
})
# Never reader-visible text (or, for iframes and media, someone else's document).
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "select", "datalist", "audio", "video", "textarea",
})
_HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_KIND_BY_TAG: dict[str, BlockKind] = {
    "li": "list_item",
    "td": "table_cell",
    "th": "table_cell",
    "dt": "faq_question",
    "dd": "faq_answer",
    "summary": "faq_question",
    "details": "faq_answer",
    "blockquote": "blockquote",
}
_SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME_CLASS = re.compile(r"cookie|consent|gdpr")
_BANNER_TOKEN = re.compile(r"(?:^|[-_])banner(?:$|[-_])")
_CHROME_TOKENS = frozenset({
    "breadcrumb", "breadcrumbs", "skip-link", "skip-links", "skiplink", "navbar", "nav", "navigation", "menu",
    "main-menu", "sidebar",
})
# Site header/footer names; like <header>/<footer> they are chrome only outside article/main/section.
_FRAME_TOKENS = frozenset({
    "header", "footer", "site-header", "site-footer", "masthead", "colophon", "page-footer",
})
# Body classes such as "cookies-not-set" (set by cookie plugins) must not turn the whole page into chrome.
_NEVER_CHROME = frozenset({"html", "body", "main", "article"})
_SKIP_TEXT = re.compile(r"^\s*skip\b", re.IGNORECASE)
_RESOLVABLE_SCHEMES = frozenset({"http", "https", "ftp", "file"})
_URL_NOISE = re.compile(r"[\t\n\r]")


@dataclass(slots=True)
class _Frame:
    """One open element during the walk; block-level frames own the text buffer inline children write to."""

    children: Sequence[object]
    locator: str
    prefix: str
    kind: BlockKind = "paragraph"
    level: int = 0
    flatten: bool = False
    skip_text: bool = False
    chrome: bool = False
    chrome_root: str = ""
    in_main_el: bool = False
    in_article: bool = False
    sectioned: bool = False
    name: str = ""
    pos: int = 0
    counts: dict[str, int] | None = None  # tags among the children, counted on first need
    seen: dict[str, int] = field(default_factory=dict)
    owner: _Frame | None = None
    buf: list[str] = field(default_factory=list)
    after_br: bool = False
    start: int = 0
    collector: _Frame | None = None
    collected: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    kind: BlockKind
    text: str
    locator: str
    chrome: bool
    chrome_root: str
    in_main_el: bool
    in_article: bool
    level: int


@dataclass
class _Found:
    """What the walk gathers besides blocks; turned into the Page's fields once the base URL is known."""

    blocks: list[_Pending] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    metas: list[tuple[str, str]] = field(default_factory=list)
    head_links: list[tuple[tuple[str, ...], str, str]] = field(default_factory=list)  # rel, href, hreflang
    links: list[tuple[str, str, tuple[str, ...], str]] = field(default_factory=list)  # href, text, rel, loc
    images: list[Image] = field(default_factory=list)
    json_ld: list[JsonLd] = field(default_factory=list)
    faqs: list[FaqPair] = field(default_factory=list)
    faq_question_blocks: set[int] = field(default_factory=set)
    base: str | None = None
    lang: str | None = None
    saw_main: bool = False


def _attr(el: Tag, name: str) -> str | None:
    value = el.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return " ".join(value)


def _tokens(el: Tag, name: str) -> tuple[str, ...]:
    value = el.get(name)
    if value is None:
        return ()
    items = value.split() if isinstance(value, str) else list(value)
    return tuple(v.lower() for v in items if v)


def _is_chrome(el: Tag, name: str, sectioned: bool) -> bool:
    """Navigation, site header/footer, asides, cookie banners: on the page, but not what the page says."""
    if name in ("nav", "aside"):
        return True
    if name in _NEVER_CHROME:
        return False
    role = (_attr(el, "role") or "").strip().lower()
    if role in _CHROME_ROLES and role not in ("banner", "contentinfo"):
        return True
    names = _tokens(el, "class") + _tokens(el, "id")
    if any(_CHROME_CLASS.search(t) or t in _CHROME_TOKENS for t in names):
        return True
    framing = (
        (name in ("header", "footer") and not sectioned)
        or role in ("banner", "contentinfo")
        or (not sectioned and any(t in _FRAME_TOKENS for t in names))
        or any(_BANNER_TOKEN.search(t) and "hero" not in t for t in names)
    )
    # A header or banner that holds the page's own headline is a title area or hero, not chrome.
    return framing and el.find("h1") is None


def _link_text(el: Tag) -> str:
    """The accessible name a screen reader or search engine gives the link."""
    label = fold(_attr(el, "aria-label") or "")
    if label:
        return label
    parts = [el.get_text()]
    parts.extend(_attr(img, "alt") or "" for img in el.find_all("img"))
    text = fold(" ".join(parts))
    return text or fold(_attr(el, "title") or "")


def _is_skip_link(el: Tag, href: str) -> bool:
    if not href.strip().startswith("#"):
        return False
    if any("skip" in t for t in _tokens(el, "class")):
        return True
    return bool(_SKIP_TEXT.match(el.get_text()))


class _Walker:
    """One iterative pass over the tree: deeply nested broken markup must not hit the recursion limit."""

    def __init__(self) -> None:
        self.found = _Found()

    def flush(self, owner: _Frame) -> None:
        if not owner.buf:
            return
        joined = "".join(owner.buf)
        owner.buf.clear()
        owner.after_br = False
        if joined.isspace():
            return
        text = fold(joined)
        if text:
            self.found.blocks.append(
                _Pending(owner.kind, text, owner.locator or "body", owner.chrome, owner.chrome_root,
                         owner.in_main_el, owner.in_article, owner.level)
            )

    def walk(self, soup: BeautifulSoup) -> _Found:
        root = _Frame(children=soup.contents, locator="", prefix="")
        root.owner = root
        stack = [root]
        while stack:
            frame = stack[-1]
            if frame.pos >= len(frame.children):
                stack.pop()
                self.close(frame)
                continue
            child = frame.children[frame.pos]
            frame.pos += 1
            owner = frame.owner
            assert owner is not None
            if isinstance(child, Tag):
                opened = self.open(child, frame, owner)
                if opened is not None:
                    stack.append(opened)
            elif (type(child) is NavigableString or type(child) is CData) and not frame.skip_text:
                owner.buf.append(child)
                if owner.after_br and not child.isspace():
                    owner.after_br = False
        return self.found

    def locator_for(self, frame: _Frame, name: str) -> str:
        """CSS-like path; :nth-of-type only where a parent has several children of that tag."""
        counts = frame.counts
        if counts is None:
            counts = frame.counts = {}
            for child in frame.children:
                if isinstance(child, Tag):
                    counts[child.name] = counts.get(child.name, 0) + 1
        index = frame.seen[name] = frame.seen.get(name, 0) + 1
        step = name if counts.get(name, 1) == 1 else f"{name}:nth-of-type({index})"
        return frame.prefix + step

    def open(self, el: Tag, parent: _Frame, owner: _Frame) -> _Frame | None:
        name = el.name
        locator = self.locator_for(parent, name)
        found = self.found
        if name in _SKIP_TAGS:
            if name == "script" and (_attr(el, "type") or "").strip().lower() == "application/ld+json":
                found.json_ld.append(parse_json_ld("".join(str(c) for c in el.contents), locator))
            return None
        if name == "title":
            found.titles.append(fold(el.get_text()))
            return None
        if name == "meta":
            self.meta(el)
            return None
        if name == "link":
            rel = _tokens(el, "rel")
            href = _attr(el, "href")
            if rel and href is not None:
                found.head_links.append((rel, href, (_attr(el, "hreflang") or "").strip()))
            return None
        if name == "base":
            href = _attr(el, "href")
            if found.base is None and href is not None:
                found.base = href
            return None
        if name == "img":
            src = _attr(el, "src") or _attr(el, "data-src") or ""
            found.images.append(Image(src=src, alt=_attr(el, "alt"), locator=locator))
            return None
        if name == "br":
            if parent.skip_text:
                return None
            if owner.flatten or not owner.after_br:
                owner.buf.append(" " if owner.flatten else "\n")
                owner.after_br = not owner.flatten
            else:  # two line breaks in a row: the paragraph break of CMS pages without <p>
                self.flush(owner)
            return None
        if name == "hr":
            self.flush(owner)
            return None
        if name == "html":
            lang = _attr(el, "lang")
            if found.lang is None and lang and lang.strip():
                found.lang = lang.strip()

        skip_link = False
        if name == "a":
            href = _attr(el, "href")
            if href is not None:
                found.links.append((href, _link_text(el), _tokens(el, "rel"), locator))
                skip_link = _is_skip_link(el, href)

        level = _HEADING_LEVEL.get(name, 0)
        block = (name in _BLOCK_TAGS or skip_link or bool(level)) and not owner.flatten
        frame = _Frame(
            children=el.contents,
            locator=locator,
            prefix="" if name == "html" else locator + " > ",
            name=name,
            flatten=owner.flatten or bool(level),
            skip_text=parent.skip_text or name == "head",
            chrome=parent.chrome or skip_link or _is_chrome(el, name, parent.sectioned),
            in_main_el=parent.in_main_el or name == "main" or _attr(el, "role") == "main",
            in_article=parent.in_article or name == "article",
            sectioned=parent.sectioned or name in _SECTIONING,
            collector=parent.collector,
        )
        if frame.chrome:
            frame.chrome_root = parent.chrome_root if parent.chrome else locator
        if frame.in_main_el:
            found.saw_main = True
        if name in ("details", "dl"):
            frame.collector = frame
        if block:
            self.flush(owner)
            frame.owner = frame
            frame.level = level
            frame.kind = "heading" if level else _KIND_BY_TAG.get(name, owner.kind)
            frame.start = len(found.blocks)
        else:
            frame.owner = owner
        return frame

    def meta(self, el: Tag) -> None:
        key = _attr(el, "name") or _attr(el, "property")
        if key is None or not key.strip():
            return
        self.found.metas.append((key.strip().lower(), (_attr(el, "content") or "").strip()))

    def close(self, frame: _Frame) -> None:
        if frame.owner is not frame:
            return
        found = self.found
        if frame.level:
            found.headings.append(Heading(frame.level, fold("".join(frame.buf)), frame.locator))
        self.flush(frame)
        end = len(found.blocks)
        collector = frame.collector
        if frame.name in ("summary", "dt", "dd") and collector is not None and collector is not frame:
            collector.collected.append((frame.name, frame.start, end))
        if frame.name == "details":
            self.details_pair(frame, end)
        elif frame.name == "dl":
            self.dl_pairs(frame)

    def _text(self, ranges: list[tuple[int, int]]) -> str:
        return fold(" ".join(b.text for s, e in ranges for b in self.found.blocks[s:e]))

    def details_pair(self, frame: _Frame, end: int) -> None:
        summary = [(s, e) for name, s, e in frame.collected if name == "summary"][:1]
        if not summary or summary[0][0] == summary[0][1]:
            return
        q_start, q_end = summary[0]
        answer = [(frame.start, q_start), (q_end, end)]
        self.add_pair(self._text(summary), self._text(answer), "details", frame.locator, q_start, q_end)

    def dl_pairs(self, frame: _Frame) -> None:
        """Each run of <dt> with the <dd>s after it is one pair (a <dl> may wrap groups in <div>s)."""
        groups: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = []
        for name, start, end in frame.collected:
            if name == "dt":
                if not groups or groups[-1][1]:
                    groups.append(([], []))
                groups[-1][0].append((start, end))
            elif groups:
                groups[-1][1].append((start, end))
        for questions, answers in groups:
            if answers:
                self.add_pair(self._text(questions), self._text(answers), "dl", frame.locator,
                              questions[0][0], questions[-1][1])

    def add_pair(
        self, question: str, answer: str, source: Literal["details", "dl"], locator: str, start: int, end: int
    ) -> None:
        if not question:
            return
        self.found.faqs.append(FaqPair(question, answer, source, locator, start))
        self.found.faq_question_blocks.update(range(start, end))


def _host_key(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return "\x00invalid"
    if host.startswith("www."):
        host = host[4:]
    return f"{host}:{port}" if port and port not in (80, 443) else host


def _resolve(base: str, href: str) -> str | None:
    """Absolute URL as a browser would follow it; None for javascript:, mailto:, tel:, data: and the like."""
    cleaned = _URL_NOISE.sub("", href.strip())
    try:
        scheme = urlsplit(cleaned).scheme.lower()
        if scheme and scheme not in _RESOLVABLE_SCHEMES:
            return None
        return urljoin(base, cleaned)
    except ValueError:
        return None


def _directives(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            directive = part.strip().lower()
            if directive and directive not in out:
                out.append(directive)
    return tuple(out)


_KNOWN_DIRECTIVE_KEYS = frozenset({
    "max-snippet", "max-image-preview", "max-video-preview", "unavailable_after",
})


def _x_robots(fetch: FetchResult | None) -> tuple[str, ...]:
    """X-Robots-Tag values; "googlebot: noindex" applies to us, "bingbot: noindex" does not."""
    if fetch is None:
        return ()
    values: list[str] = []
    for key, value in fetch.headers:
        if key.lower() != "x-robots-tag":
            continue
        agent, sep, rest = value.partition(":")
        agent_key = agent.strip().lower()
        if sep and " " not in agent_key and agent_key not in _KNOWN_DIRECTIVE_KEYS and "," not in agent_key:
            if agent_key in ("googlebot", "*"):
                values.append(rest)
            continue
        values.append(value)
    return _directives(values)


def _resolve_main(pending: list[_Pending], saw_main: bool) -> list[bool]:
    """<main> when it holds text; else <article> when it holds most of the text; else all but chrome."""
    words = [count_words(p.text) for p in pending]
    content = [(p, w) for p, w in zip(pending, words, strict=True) if not p.chrome]
    total = sum(w for _, w in content)
    if saw_main and sum(w for p, w in content if p.in_main_el) > 0:
        return [not p.chrome and p.in_main_el for p in pending]
    article_words = sum(w for p, w in content if p.in_article)
    if article_words and article_words * 2 >= total:
        return [not p.chrome and p.in_article for p in pending]
    return [not p.chrome for p in pending]


def parse_html(text: str, url: str) -> tuple[_Found, list[RawBlock]]:
    """The walk and main-content decision on already-decoded HTML; shared with the Markdown extractor."""
    # multi_valued_attributes=None: splitting class/rel for every element costs more than the whole walk.
    soup = BeautifulSoup(text, "lxml", multi_valued_attributes=None)
    found = _Walker().walk(soup)
    in_main = _resolve_main(found.blocks, found.saw_main)
    raw = [
        RawBlock(p.kind, p.text, p.locator, main, p.level, p.chrome_root or ("main" if main else "other"))
        for p, main in zip(found.blocks, in_main, strict=True)
    ]
    return found, raw


def page_from_html(
    text: str,
    url: str,
    *,
    source_kind: SourceKind = "html",
    html_size: int = 0,
    encoding: str | None = None,
    warnings: tuple[str, ...] = (),
    fetch: FetchResult | None = None,
) -> Page:
    found, raw = parse_html(text, url)
    # After redirects a browser resolves relative links against where it landed, not where it was sent.
    document_url = fetch.final_url if fetch is not None and fetch.final_url else url
    base = document_url
    if found.base is not None:
        base = _resolve(document_url, found.base) or document_url
    page_host = _host_key(document_url)

    links: list[Link] = []
    for href, link_text, rel, locator in found.links:
        absolute = _resolve(base, href)
        internal = absolute is not None and _host_key(absolute) == page_host
        links.append(Link(href, absolute, link_text, rel, internal, locator))

    canonicals = [href for rel, href, _ in found.head_links if "canonical" in rel]
    hreflang = [
        (lang, _resolve(base, href) or href)
        for rel, href, lang in found.head_links
        if "alternate" in rel and lang
    ]
    parse_warnings = list(warnings)
    if len(canonicals) > 1:
        parse_warnings.append(f"{len(canonicals)} canonical links; search engines may ignore all of them")

    metas = found.metas
    description = next((v for k, v in metas if k == "description"), None)
    robots = _directives([v for k, v in metas if k in ("robots", "googlebot")])

    blocks = build_blocks(raw)
    visible_faqs = found.faqs + heading_faqs(raw, found.faq_question_blocks)
    visible_faqs.sort(key=lambda f: f.block_index if f.block_index is not None else -1)
    json_ld = tuple(found.json_ld)
    main_texts = [b.text for b in blocks if b.in_main]
    return Page(
        url=url,
        source_kind=source_kind,
        status=fetch.status if fetch else None,
        final_url=fetch.final_url if fetch else None,
        title=found.titles[0] if found.titles else None,
        meta_description=description,
        canonical=_resolve(base, canonicals[0]) if canonicals else None,
        robots=robots,
        x_robots_tag=_x_robots(fetch),
        lang=found.lang,
        headings=tuple(found.headings),
        blocks=blocks,
        links=tuple(links),
        images=tuple(found.images),
        json_ld=json_ld,
        faqs=tuple(schema_faqs(json_ld) + visible_faqs),
        meta=tuple(metas),
        hreflang=tuple(hreflang),
        title_count=len(found.titles),
        word_count=sum(count_words(t) for t in main_texts),
        content_hash=content_hash(main_texts),
        html_size=html_size,
        encoding=encoding,
        fetch=fetch,
        parse_warnings=tuple(parse_warnings),
    )


def extract_html(body: bytes, url: str, fetch: FetchResult | None = None) -> Page:
    """Bytes as fetched (or read) to a Page; never raises on broken markup or bad bytes."""
    content_type = fetch.header("content-type") if fetch is not None else None
    decoded = decode_bytes(body, content_type)
    return page_from_html(
        decoded.text,
        url,
        html_size=len(body),
        encoding=decoded.encoding,
        warnings=decoded.warnings,
        fetch=fetch,
    )
