"""HTML to Page: one lxml parse and one walk give blocks in reading order, links, metadata and FAQs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree  # type: ignore[import-untyped]

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

# An lxml.etree element (lxml ships no type information).
_Element = Any
# Ruby annotations (<rt> readings, <rp> fallback brackets) are pronunciation aids, not the sentence itself.
_RUBY_TAGS = frozenset({"rt", "rp"})
# Descendants whose text is not the element's readable text (code, styles, inert templates, ruby readings).
_NOT_TEXT_TAGS = frozenset({"script", "style", "template", "rt", "rp"})
_ASCII_SPACES = frozenset(" \n\t\f\r")
# A hint that an attribute name written "{...}name" may stand for one the walk reads (the XPath below then
# finds such attributes on the parsed tree); it starts with a literal, so the regex engine skips ahead fast.
# libxml2 lower-cases attribute names, so the name may be written in any case.
_BRACED_ATTR_HINT = re.compile(
    r"\}(?i:alt|aria-label|class|content|data-src|href|hreflang|id|lang|name|property|rel|role|src|title|type)"
    r"(?![^\s/>=])"
)
_BRACED_ATTRS = etree.XPath("//@*[starts-with(name(), '{') and contains(name(), '}')]")
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# libxml2's tree builder limits (without XML_PARSE_HUGE): nesting depth, and the size of one text node in bytes.
_MAX_TREE_DEPTH = 256
_MAX_TREE_TEXT = 9_000_000  # a margin under 10,000,000
_AT_MAX_DEPTH = etree.XPath("boolean(/*" + "/*" * (_MAX_TREE_DEPTH - 1) + ")")
# Every attribute the walk reads; _unbrace_attributes settles these names only.
_READ_ATTRS = (
    "alt", "aria-label", "class", "content", "data-src", "href", "hreflang", "id", "lang", "name", "property",
    "rel", "role", "src", "title", "type",
)


class _Frame:
    """One open element during the walk; block-level frames own the text buffer inline children write to.

    A plain slotted class, not a dataclass: one is made for most elements, and its set-up is the walk's cost."""

    __slots__ = (
        "after_br", "buf", "children", "chrome", "chrome_root", "collected", "collector", "counts", "el",
        "flatten", "in_article", "in_main_el", "in_pre", "kind", "level", "locator", "mute", "name", "owner",
        "pos", "prefix", "ruby", "sectioned", "seen", "skip_text", "start",
    )

    def __init__(self, el: _Element, children: list[_Element], name: str, locator: str, prefix: str) -> None:
        self.el = el
        self.children = children
        self.name = name
        self.locator = locator
        self.prefix = prefix
        self.pos = 0
        self.counts: dict[str, int] | None = None  # tags among the children, counted on first need
        self.seen: dict[str, int] = {}
        self.kind: BlockKind = "paragraph"
        self.level = 0
        self.flatten = False
        self.skip_text = False  # inside <head>: no text, no line breaks
        self.ruby = False  # inside <rt>/<rp>: no text, though line breaks still count
        self.mute = False  # skip_text or ruby
        self.in_pre = False
        self.chrome = False
        self.chrome_root = ""
        self.in_main_el = False
        self.in_article = False
        self.sectioned = False
        self.owner: _Frame = self
        self.buf: list[str] = []
        self.after_br = False
        self.start = 0
        self.collector: _Frame | None = None
        self.collected: list[tuple[str, int, int]] = []


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
    words: list[int] = field(default_factory=list)  # count_words of each block (0 for chrome), counted once


def _tokens(el: _Element, name: str) -> tuple[str, ...]:
    value: str | None = el.get(name)
    return _split_tokens(value)


def _split_tokens(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(v.lower() for v in value.split() if v)


def _chrome_verdict(name: str, cls: str | None, ident: str | None, role_value: str | None, sectioned: bool) -> int:
    """Navigation, site header/footer, asides, cookie banners: on the page, but not what the page says.
    0: content; 1: chrome; 2: chrome unless it holds an <h1> (a header or banner with the page's own headline
    is a title area or hero, not chrome)."""
    if name in ("nav", "aside"):
        return 1
    if name in _NEVER_CHROME:
        return 0
    role = (role_value or "").strip().lower()
    if role in _CHROME_ROLES and role not in ("banner", "contentinfo"):
        return 1
    names = _split_tokens(cls) + _split_tokens(ident)
    if any(_CHROME_CLASS.search(t) or t in _CHROME_TOKENS for t in names):
        return 1
    framing = (
        (name in ("header", "footer") and not sectioned)
        or role in ("banner", "contentinfo")
        or (not sectioned and any(t in _FRAME_TOKENS for t in names))
        or any(_BANNER_TOKEN.search(t) and "hero" not in t for t in names)
    )
    return 2 if framing else 0


# Verdicts by (tag, class, id, role, sectioned): a site repeats the same few class names on every page.
_VERDICTS: dict[tuple[str, str | None, str | None, str | None, bool], int] = {}
_MAX_VERDICTS = 5_000  # bounded: a crawl worker lives for a whole site


def _is_chrome(el: _Element, name: str, role: str | None, sectioned: bool) -> bool:
    """_chrome_verdict, remembered by attribute values; only a framing verdict looks into the element."""
    cls = el.get("class")
    ident = el.get("id")
    if cls is None and ident is None and role is None:
        if name in ("nav", "aside"):
            return True
        if name not in ("header", "footer") or sectioned:
            return False
        verdict = 2
    else:
        key = (name, cls, ident, role, sectioned)
        found = _VERDICTS.get(key)
        if found is None:
            if len(_VERDICTS) >= _MAX_VERDICTS:
                _VERDICTS.clear()
            found = _VERDICTS[key] = _chrome_verdict(name, cls, ident, role, sectioned)
        verdict = found
    return verdict == 1 or (verdict == 2 and next(el.iterdescendants("h1"), None) is None)


def _text_content(el: _Element, ruby: bool) -> str:
    """The element's readable text: its text and its descendants', less scripts, styles, templates and ruby
    readings (all of it, for an element that is itself inside a ruby reading)."""
    if ruby:
        return ""
    text: str = el.text or ""
    if not len(el):
        return text
    parts = [text]
    # Iterators of open elements, and the tail each leaves once its subtree is done; no recursion limit.
    stack: list[Any] = [iter(el)]
    while stack:
        top = stack[-1]
        if type(top) is str:
            parts.append(top)
            stack.pop()
            continue
        child = next(top, None)
        if child is None:
            stack.pop()
            continue
        tail = child.tail
        tag = child.tag
        if type(tag) is str and tag not in _NOT_TEXT_TAGS:
            if child.text:
                parts.append(child.text)
            if len(child):
                if tail:
                    stack.append(tail)
                stack.append(iter(child))
                continue
        if tail:
            parts.append(tail)
    return "".join(parts)


def _link_text(el: _Element, ruby: bool) -> str:
    """The accessible name a screen reader or search engine gives the link."""
    label = el.get("aria-label")
    if label:
        label = fold(label)
        if label:
            return label
    if len(el):
        parts = [_text_content(el, ruby)]
        parts.extend(img.get("alt") or "" for img in el.iterdescendants("img"))
        text = fold(" ".join(parts))
    else:
        text = "" if ruby else fold(el.text or "")
    if text:
        return text
    title = el.get("title")
    return fold(title) if title else ""


def _is_skip_link(el: _Element, href: str, ruby: bool) -> bool:
    if not href.strip().startswith("#"):
        return False
    if any("skip" in t for t in _tokens(el, "class")):
        return True
    return bool(_SKIP_TEXT.match(_text_content(el, ruby)))


def _script_text(el: _Element, in_pre: bool) -> str:
    """Script source as read for JSON-LD; outside <pre>, source of nothing but ASCII whitespace reads as one
    newline (or space), as Beautiful Soup gave it before, so JsonLd.raw stays the same across versions."""
    text: str = el.text or ""
    if text and not in_pre and all(c in _ASCII_SPACES for c in text):
        return "\n" if "\n" in text else " "
    return text


def _unbraced_name(name: str) -> str:
    """An attribute written {ns}local is read as local (xml:local for the XML namespace); no browser does this,
    but Beautiful Soup did, and the Page must not change with the parser underneath."""
    if not (name.startswith("{") and "}" in name):
        return name
    namespace, local = name[1:].split("}", 1)
    prefix = "xml" if namespace == _XML_NS else None
    if not local:
        return str(prefix)
    return f"{prefix}:{local}" if prefix else local


def _unbrace_attributes(top: _Element, text: str) -> None:
    """Settle the attributes the walk reads on elements with "{ns}name" attributes (a later one wins)."""
    if _BRACED_ATTR_HINT.search(text) is None:
        return
    owners: dict[int, _Element] = {}
    for value in _BRACED_ATTRS(top):
        el = value.getparent()
        owners.setdefault(id(el), el)
    for el in owners.values():
        settled = {_unbraced_name(k): v for k, v in el.items()}
        for name in _READ_ATTRS:
            value = settled.get(name)
            if value is not None:
                el.set(name, value)
            elif el.get(name) is not None:
                del el.attrib[name]


class _Node:
    """An element of a document libxml2's tree builder would cut short (see _top_elements): the few lxml element
    features the walk uses, built from the parser's events, which have no such limits."""

    __slots__ = ("attrib", "children", "tag", "tail", "text")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        self.tag = tag
        self.attrib = attrib
        self.children: list[_Node] = []
        self.text: str | None = None
        self.tail: str | None = None

    def get(self, name: str) -> str | None:
        return self.attrib.get(name)

    def __iter__(self) -> Iterator[_Node]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def iterdescendants(self, tag: str) -> Iterator[_Node]:
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            if node.tag == tag:
                yield node
            stack.extend(reversed(node.children))


class _NodeBuilder:
    """lxml parser target: the parse events as a tree of _Node, attributes named as Beautiful Soup named them."""

    def __init__(self) -> None:
        self.tops: list[_Node] = []
        self.open: list[_Node] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        node = _Node(tag, {_unbraced_name(k): v for k, v in attrib.items()})
        (self.open[-1].children if self.open else self.tops).append(node)
        self.open.append(node)

    def end(self, tag: str) -> None:
        self.open.pop()

    def data(self, data: str) -> None:
        if self.open:
            parent = self.open[-1]
            if parent.children:
                last = parent.children[-1]
                last.tail = (last.tail or "") + data
            else:
                parent.text = (parent.text or "") + data
        elif self.tops:
            # Only whitespace lands outside every element (libxml2 opens <html><body> for any other text), and
            # it joins no block; kept for the tails the walk reads, dropped before the first element.
            last = self.tops[-1]
            last.tail = (last.tail or "") + data

    def close(self) -> list[_Node]:
        return self.tops


def _parser_events(text: str) -> list[_Node]:
    try:
        tops: list[_Node] = _parse(text, None, _NodeBuilder())
    except (UnicodeDecodeError, LookupError, etree.ParserError):
        tops = _parse(text.encode("utf-8"), "utf8", _NodeBuilder())
    return tops


def _top_elements(text: str) -> list[_Element]:
    """Parse with libxml2's HTML parser fed the text in one piece, as Beautiful Soup's "lxml" builder did, so the
    tree (implied html/head/body, auto-closed tags, a second <html> for content after </html>) is the same.
    Comments are dropped at parse time: the walk never reads them, and text around one joins up.

    libxml2's tree builder stops the whole parse at 256 nested elements and at a 10 MB text node, limits its
    parser (and so Beautiful Soup) does not have; such documents are built from the parse events instead."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) * 4 >= _MAX_TREE_TEXT and len(text.encode("utf-8", "surrogatepass")) >= _MAX_TREE_TEXT:
        return _parser_events(text)
    try:
        root = _parse(text, None)
    except (UnicodeDecodeError, LookupError, etree.ParserError):
        root = _parse(text.encode("utf-8"), "utf8")
    if root is None:  # empty, blank, or nothing but comments
        return []
    if _AT_MAX_DEPTH(root):
        return _parser_events(text)
    first = root
    while (previous := first.getprevious()) is not None:
        first = previous
    tops = [first, *first.itersiblings()]
    _unbrace_attributes(root, text)
    return [el for el in tops if type(el.tag) is str]


def _parse(markup: str | bytes, encoding: str | None, target: _NodeBuilder | None = None) -> Any:
    parser = etree.HTMLParser(
        recover=True, encoding=encoding, remove_comments=True, remove_pis=True, target=target
    )
    parser.feed(markup)
    return parser.close()


# What open() does with elements that never get a frame of their own.
_SKIP, _TITLE, _META, _LINK, _BASE, _IMG, _BR, _HR = range(8)
_LEAF_ACTION: dict[str, int] = {
    **dict.fromkeys(_SKIP_TAGS, _SKIP),
    "title": _TITLE, "meta": _META, "link": _LINK, "base": _BASE, "img": _IMG, "br": _BR, "hr": _HR,
}
_MUTING_TAGS = frozenset({"head", *_RUBY_TAGS})
_NO_CHILDREN: list[_Element] = []


def _count_tags(children: list[_Element]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for child in children:
        tag = child.tag
        if type(tag) is str:
            counts[tag] = counts.get(tag, 0) + 1
    return counts


class _Walker:
    """One iterative pass over the tree: deeply nested broken markup must not hit the recursion limit."""

    def __init__(self) -> None:
        self.found = _Found()

    def flush(self, owner: _Frame) -> None:
        buf = owner.buf
        if not buf:
            return
        joined = "".join(buf)
        buf.clear()
        owner.after_br = False
        if joined.isspace():
            return
        text = fold(joined)
        if text:
            self.found.blocks.append(
                _Pending(owner.kind, text, owner.locator or "body", owner.chrome, owner.chrome_root,
                         owner.in_main_el, owner.in_article, owner.level)
            )

    def walk(self, tops: list[_Element]) -> _Found:
        root = _Frame(None, tops, "", "", "")
        stack = [root]
        open_element = self.open
        close = self.close
        while stack:
            frame = stack[-1]
            children = frame.children
            pos = frame.pos
            if pos >= len(children):
                stack.pop()
                close(frame)
                if stack:  # text after the element's end tag belongs to its parent's flow
                    tail = frame.el.tail
                    parent = stack[-1]
                    if tail and not parent.mute:
                        owner = parent.owner
                        owner.buf.append(tail)
                        if owner.after_br and not tail.isspace():
                            owner.after_br = False
                continue
            child = children[pos]
            frame.pos = pos + 1
            name = child.tag
            if type(name) is str:
                opened = open_element(child, name, frame)
                if opened is not None:
                    stack.append(opened)
                    continue
            tail = child.tail
            if tail and not frame.mute:
                owner = frame.owner
                owner.buf.append(tail)
                if owner.after_br and not tail.isspace():
                    owner.after_br = False
        return self.found

    def locator(self, parent: _Frame, name: str, index: int) -> str:
        """CSS-like path; :nth-of-type only where a parent has several children of that tag."""
        counts = parent.counts
        if counts is None:
            counts = parent.counts = _count_tags(parent.children)
        step = name if counts.get(name, 1) == 1 else f"{name}:nth-of-type({index})"
        return parent.prefix + step

    def open(self, el: _Element, name: str, parent: _Frame) -> _Frame | None:
        """Handle one element; a frame when its children are to be walked (or it is a block to close)."""
        seen = parent.seen
        index = seen[name] = seen.get(name, 0) + 1
        owner = parent.owner
        action = _LEAF_ACTION.get(name)
        if action is not None:
            self.leaf(el, name, action, parent, owner, index)
            return None
        found = self.found
        if name == "html":
            lang = el.get("lang")
            if found.lang is None and lang and lang.strip():
                found.lang = lang.strip()

        locator = ""
        skip_link = False
        if name == "a":
            href = el.get("href")
            if href is not None:
                locator = self.locator(parent, name, index)
                found.links.append((href, _link_text(el, parent.ruby), _tokens(el, "rel"), locator))
                skip_link = _is_skip_link(el, href, parent.ruby)

        level = _HEADING_LEVEL.get(name, 0)
        block = (name in _BLOCK_TAGS or skip_link or bool(level)) and not owner.flatten
        role = el.get("role")
        in_main_el = parent.in_main_el or name == "main" or role == "main"
        if in_main_el:
            found.saw_main = True
        mute = parent.mute or name in _MUTING_TAGS
        if not block and not len(el):
            # An inline element with no child elements only adds its text to the flow it sits in.
            if not mute:
                text = el.text
                if text:
                    owner.buf.append(text)
                    if owner.after_br and not text.isspace():
                        owner.after_br = False
            return None

        if not locator:
            locator = self.locator(parent, name, index)
        frame = _Frame(el, list(el) if len(el) else _NO_CHILDREN, name, locator,
                       "" if name == "html" else locator + " > ")
        frame.flatten = owner.flatten or bool(level)
        frame.skip_text = parent.skip_text or name == "head"
        frame.ruby = parent.ruby or name in _RUBY_TAGS
        frame.mute = mute
        frame.in_pre = parent.in_pre or name == "pre"
        chrome = frame.chrome = parent.chrome or skip_link or _is_chrome(el, name, role, parent.sectioned)
        if chrome:
            frame.chrome_root = parent.chrome_root if parent.chrome else locator
        frame.in_main_el = in_main_el
        frame.in_article = parent.in_article or name == "article"
        frame.sectioned = parent.sectioned or name in _SECTIONING
        frame.collector = frame if name in ("details", "dl") else parent.collector
        if block:
            self.flush(owner)
            frame.level = level
            frame.kind = "heading" if level else _KIND_BY_TAG.get(name, owner.kind)
            frame.start = len(found.blocks)
        else:
            frame.owner = owner
        if not mute:
            text = el.text
            if text:
                target = frame.owner
                target.buf.append(text)
                if target.after_br and not text.isspace():
                    target.after_br = False
        if frame.children is _NO_CHILDREN:  # nothing to walk: close it now rather than push and pop it
            self.close(frame)
            return None
        return frame

    def leaf(self, el: _Element, name: str, action: int, parent: _Frame, owner: _Frame, index: int) -> None:
        """Elements whose content the walk never enters: skipped media and code, metadata, breaks, images."""
        found = self.found
        if action == _SKIP:
            if name == "script" and (el.get("type") or "").strip().lower() == "application/ld+json":
                locator = self.locator(parent, name, index)
                found.json_ld.append(parse_json_ld(_script_text(el, parent.in_pre), locator))
        elif action == _TITLE:
            found.titles.append(fold(_text_content(el, parent.ruby)))
        elif action == _META:
            self.meta(el)
        elif action == _LINK:
            rel = _tokens(el, "rel")
            href = el.get("href")
            if rel and href is not None:
                found.head_links.append((rel, href, (el.get("hreflang") or "").strip()))
        elif action == _BASE:
            href = el.get("href")
            if found.base is None and href is not None:
                found.base = href
        elif action == _IMG:
            src = el.get("src") or el.get("data-src") or ""
            found.images.append(Image(src=src, alt=el.get("alt"), locator=self.locator(parent, name, index)))
        elif action == _BR:
            if parent.skip_text:
                return
            if owner.flatten or not owner.after_br:
                owner.buf.append(" " if owner.flatten else "\n")
                owner.after_br = not owner.flatten
            else:  # two line breaks in a row: the paragraph break of CMS pages without <p>
                self.flush(owner)
        else:  # _HR
            self.flush(owner)

    def meta(self, el: _Element) -> None:
        key = el.get("name") or el.get("property")
        if key is None or not key.strip():
            return
        self.found.metas.append((key.strip().lower(), (el.get("content") or "").strip()))

    def close(self, frame: _Frame) -> None:
        if frame.owner is not frame:
            return
        found = self.found
        if frame.level:
            found.headings.append(Heading(frame.level, fold("".join(frame.buf)), frame.locator))
        self.flush(frame)
        end = len(found.blocks)
        collector = frame.collector
        name = frame.name
        if name in ("summary", "dt", "dd") and collector is not None and collector is not frame:
            collector.collected.append((name, frame.start, end))
        if name == "details":
            self.details_pair(frame, end)
        elif name == "dl":
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


@lru_cache(maxsize=4096)
def _host_key(url: str) -> str:
    """Host (less www.) and non-default port; cached, as a site's pages link the same URLs over and over."""
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


def _origin(base: str) -> str | None:
    """scheme://host of an http(s) base URL; None when it has none or does not parse."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


# Root-relative hrefs ("/treatments/") resolved, by (origin, href): urljoin reads nothing of the base but its
# scheme and host for them, and every page of a site repeats its menu and footer hrefs.
_ROOTED: dict[tuple[str, str], str | None] = {}
_MAX_ROOTED = 10_000


def _resolve_link(base: str, origin: str | None, href: str) -> str | None:
    """_resolve(base, href), remembered across pages for root-relative hrefs (origin: _origin(base))."""
    if origin is None or href[:1] != "/" or href[1:2] == "/":
        return _resolve(base, href)
    key = (origin, href)
    if key in _ROOTED:
        return _ROOTED[key]
    if len(_ROOTED) >= _MAX_ROOTED:
        _ROOTED.clear()
    absolute = _ROOTED[key] = _resolve(base, href)
    return absolute


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


def _resolve_main(pending: list[_Pending], saw_main: bool, words: list[int]) -> list[bool]:
    """<main> when it holds text; else <article> when it holds most of the text; else all but chrome."""
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
    found = _Walker().walk(_top_elements(text))
    # Chrome never counts towards the main text or the page's word count, so its words are not counted.
    found.words = [0 if p.chrome else count_words(p.text) for p in found.blocks]
    in_main = _resolve_main(found.blocks, found.saw_main, found.words)
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
    origin = _origin(base)
    resolved: dict[str, str | None] = {}  # a page's menus and footer repeat hrefs; urljoin is the dear step
    for href, link_text, rel, locator in found.links:
        if href in resolved:
            absolute = resolved[href]
        else:
            absolute = resolved[href] = _resolve_link(base, origin, href)
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
        word_count=sum(w for w, b in zip(found.words, blocks, strict=True) if b.in_main),
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
