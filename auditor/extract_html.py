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
# The lookahead for the names' first letters makes the many "}" of inline CSS and scripts fail fast (3x faster).
_BRACED_ATTR_HINT = re.compile(
    r"\}(?=[aAcCdDhHiIlLnNpPrRsStT])"
    r"(?i:alt|aria-label|class|content|data-src|href|hreflang|id|lang|name|property|rel|role|src|title|type)"
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

    A plain slotted class, not a dataclass: one is made for most elements, and its set-up is the walk's cost, so
    each field is set once, from the parent's and the element's own facts."""

    __slots__ = (
        "after_br", "buf", "children", "chrome", "chrome_root", "collected", "collector", "el", "flatten",
        "in_article", "in_main_el", "in_pre", "kind", "level", "locator", "mute", "name", "owner", "pos", "prefix",
        "ruby", "sectioned", "skip_text", "start", "steps",
    )

    def __init__(
        self,
        el: _Element,
        name: str,
        locator: str,
        parent: _Frame,
        block: bool,
        level: int,
        start: int,
        chrome: bool,
        in_main_el: bool,
        mute: bool,
    ) -> None:
        """A frame for el, a child of parent; block: el opens a block of its own (start: the blocks before it)."""
        owner = parent.owner
        self.el = el
        self.children: list[_Element] = list(el)
        self.name = name
        self.locator = locator
        self.prefix = "" if name == "html" else locator + " > "
        self.pos = 0
        self.steps: list[str] | None = None  # the children's locator steps, worked out on first need
        if block:
            self.owner: _Frame = self
            self.kind: BlockKind = "heading" if level else _KIND_BY_TAG.get(name, owner.kind)
            self.level = level
            self.start = start
        else:  # inline: writes to the block around it; kind, level and start are never read
            self.owner = owner
            self.kind = "paragraph"
            self.level = 0
            self.start = 0
        self.flatten: bool = owner.flatten or bool(level)
        self.skip_text: bool = parent.skip_text or name == "head"  # inside <head>: no text, no line breaks
        self.ruby: bool = parent.ruby or name in _RUBY_TAGS  # inside <rt>/<rp>: no text, though line breaks still count
        self.mute = mute  # skip_text or ruby
        self.in_pre: bool = parent.in_pre or name == "pre"
        self.chrome = chrome
        self.chrome_root: str = (parent.chrome_root if parent.chrome else locator) if chrome else ""
        self.in_main_el = in_main_el
        self.in_article: bool = parent.in_article or name == "article"
        self.sectioned: bool = parent.sectioned or name in _SECTIONING
        self.buf: list[str] = []
        self.after_br = False
        if name == "details" or name == "dl":
            self.collector: _Frame | None = self
            self.collected: list[tuple[str, int, int]] = []
        else:
            self.collector = parent.collector
            self.collected = _NOTHING_COLLECTED

    @classmethod
    def root(cls, tops: list[_Element]) -> _Frame:
        """The frame around the document's top elements: a block (blocks outside every element are "body")."""
        frame = cls.__new__(cls)
        frame.el = None
        frame.children = tops
        frame.name = frame.locator = frame.prefix = frame.chrome_root = ""
        frame.pos = frame.level = frame.start = 0
        frame.steps = None
        frame.owner = frame
        frame.kind = "paragraph"
        frame.flatten = frame.skip_text = frame.ruby = frame.mute = frame.in_pre = frame.chrome = False
        frame.in_main_el = frame.in_article = frame.sectioned = frame.after_br = False
        frame.buf = []
        frame.collector = None
        frame.collected = _NOTHING_COLLECTED
        return frame


# What non-collector frames hold as collected; only <details> and <dl> frames are ever appended to.
_NOTHING_COLLECTED: list[tuple[str, int, int]] = []


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
    main_words: int = 0  # words in the blocks chosen as the main text


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


def _text_content(el: _Element, ruby: bool, alts: list[str] | None = None) -> str:
    """The element's readable text: its text and its descendants', less scripts, styles, templates and ruby
    readings (all of it, for an element that is itself inside a ruby reading).

    alts, when given, also gets the alt text ("" for none) of every <img> below the element, readable or not, in
    document order: a link's name needs both, and one pass over its subtree is cheaper than two."""
    if ruby:
        if alts is not None:
            alts.extend(img.get("alt") or "" for img in el.iterdescendants("img"))
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
        if type(tag) is str:
            if tag not in _NOT_TEXT_TAGS:
                if alts is not None and tag == "img":
                    alts.append(child.get("alt") or "")
                child_text = child.text
                if child_text:
                    parts.append(child_text)
                if len(child):
                    if tail:
                        stack.append(tail)
                    stack.append(iter(child))
                    continue
            elif alts is not None and len(child):  # no text from here, but its images still name the link
                alts.extend(img.get("alt") or "" for img in child.iterdescendants("img"))
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
        alts: list[str] = []
        text = fold(" ".join([_text_content(el, ruby, alts), *alts]))
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
# Blocks that always get a frame: the root element, and the FAQ collectors that pair up their children.
_FRAMED_BLOCKS = frozenset({"html", "details", "dl"})
_NO_CHILDREN: list[_Element] = []  # never added to
# Skipped elements that add nothing but their tail (a <script> may hold JSON-LD): an inline element holding only
# these and text, such as a link or button with an <svg> icon, needs no frame of its own.
_INERT_TAGS = _SKIP_TAGS - {"script"}


def _sibling_steps(children: list[_Element]) -> list[str]:
    """Each child's locator step: its tag, with :nth-of-type(n) where the parent has several children of that tag."""
    if len(children) == 1:
        tag = children[0].tag
        return [tag if type(tag) is str else ""]
    counts: dict[str, int] = {}
    for child in children:
        tag = child.tag
        if type(tag) is str:
            counts[tag] = counts.get(tag, 0) + 1
    seen: dict[str, int] = {}
    steps: list[str] = []
    for child in children:
        tag = child.tag
        if type(tag) is not str:
            steps.append("")
        elif counts[tag] == 1:
            steps.append(tag)
        else:
            index = seen[tag] = seen.get(tag, 0) + 1
            steps.append(f"{tag}:nth-of-type({index})")
    return steps


# Tags a child must not have for its parent block to be a simple block (see _Walker.simple_block): elements with
# an action of their own, blocks, headings, muting ruby readings.
_NOT_IN_SIMPLE_BLOCK = frozenset({*_LEAF_ACTION, *_BLOCK_TAGS, *_HEADING_LEVEL, *_MUTING_TAGS})


def _only_inert(el: _Element) -> bool:
    """Whether every child of el is an _INERT_TAGS element (an icon, a media element...)."""
    for child in el:
        tag = child.tag
        if type(tag) is not str or tag not in _INERT_TAGS:
            return False
    return True


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
        root = _Frame.root(tops)
        stack = [root]
        open_element = self.open
        close = self.close
        while stack:
            frame = stack[-1]
            children = frame.children
            # The children not yet seen, in a tight loop until one opens a frame of its own to walk first.
            for pos in range(frame.pos, len(children)):
                child = children[pos]
                name = child.tag
                if type(name) is str:
                    opened = open_element(child, name, frame, pos)
                    if opened is not None:
                        frame.pos = pos + 1
                        stack.append(opened)
                        break
                tail = child.tail
                if tail and not frame.mute:
                    owner = frame.owner
                    owner.buf.append(tail)
                    if owner.after_br and not tail.isspace():
                        owner.after_br = False
            else:
                stack.pop()
                if frame.owner is frame:  # an inline frame has nothing to close
                    close(frame)
                if stack:  # text after the element's end tag belongs to its parent's flow
                    tail = frame.el.tail
                    parent = stack[-1]
                    if tail and not parent.mute:
                        owner = parent.owner
                        owner.buf.append(tail)
                        if owner.after_br and not tail.isspace():
                            owner.after_br = False
        return self.found

    @staticmethod
    def locator(parent: _Frame, pos: int) -> str:
        """CSS-like path of the parent's child at pos; :nth-of-type only where a parent has several of its tag."""
        steps = parent.steps
        if steps is None:
            steps = parent.steps = _sibling_steps(parent.children)
        return parent.prefix + steps[pos]

    def open(self, el: _Element, name: str, parent: _Frame, pos: int) -> _Frame | None:
        """Handle one element (pos: its place among parent's children); a frame when its children are to be walked
        (or it is a block to close)."""
        owner = parent.owner
        action = _LEAF_ACTION.get(name)
        if action is not None:
            self.leaf(el, name, action, parent, owner, pos)
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
                locator = self.locator(parent, pos)
                rel = el.get("rel")
                found.links.append((href, _link_text(el, parent.ruby), _split_tokens(rel) if rel else (), locator))
                skip_link = "#" in href and _is_skip_link(el, href, parent.ruby)

        level = _HEADING_LEVEL.get(name, 0)
        block = (level > 0 or skip_link or name in _BLOCK_TAGS) and not owner.flatten
        role = el.get("role")
        in_main_el = parent.in_main_el or name == "main" or role == "main"
        if in_main_el:
            found.saw_main = True
        mute = parent.mute or name in _MUTING_TAGS
        if (
            block and not mute and name not in _FRAMED_BLOCKS
            and self.simple_block(el, name, parent, pos, locator, level, skip_link, role, in_main_el)
        ):
            return None
        if not block and (not len(el) or _only_inert(el)):
            # An inline element with no child elements (or only icons and the like) only adds its text to the flow
            # it sits in.
            if not mute:
                text = el.text
                if text:
                    owner.buf.append(text)
                    if owner.after_br and not text.isspace():
                        owner.after_br = False
                for child in el:
                    tail = child.tail
                    if tail:
                        owner.buf.append(tail)
                        if owner.after_br and not tail.isspace():
                            owner.after_br = False
            return None

        if not locator:
            locator = self.locator(parent, pos)
        chrome = parent.chrome or skip_link or _is_chrome(el, name, role, parent.sectioned)
        start = 0
        if block:
            if owner.buf:
                self.flush(owner)
            start = len(found.blocks)
        frame = _Frame(el, name, locator, parent, block, level, start, chrome, in_main_el, mute)
        if not mute:
            text = el.text
            if text:
                target = frame.owner
                target.buf.append(text)
                if target.after_br and not text.isspace():
                    target.after_br = False
        if not frame.children:  # nothing to walk: close it now rather than push and pop it
            self.close(frame)
            return None
        return frame

    def simple_block(
        self,
        el: _Element,
        name: str,
        parent: _Frame,
        pos: int,
        locator: str,
        level: int,
        skip_link: bool,
        role: str | None,
        in_main_el: bool,
    ) -> bool:
        """A block (not muted, not a collector) holding nothing but text and inline elements without children, as
        most paragraphs, list items and headings do, done in one go: what open() and close() would do with a frame
        for it, and open() and walk() with its children, without the frame (its set-up is most of a block's cost).

        False, having changed nothing, when a child is not that simple: an element of its own, an action or
        a ruby reading, a block, a skip link (a block too). The chrome verdict is wanted only if it holds text."""
        text = el.text
        parts = [text] if text else []
        children = list(el) if len(el) else _NO_CHILDREN
        links: list[tuple[int, _Element, str]] = []  # position, <a>, href
        main_child = False
        for index, child in enumerate(children):
            tag = child.tag
            if type(tag) is not str or tag in _NOT_IN_SIMPLE_BLOCK or len(child):
                return False
            if tag == "a":
                href = child.get("href")
                if href is not None:
                    if "#" in href and _is_skip_link(child, href, False):
                        return False
                    links.append((index, child, href))
            if not in_main_el and child.get("role") == "main":
                main_child = True
            text = child.text
            if text:
                parts.append(text)
            tail = child.tail
            if tail:
                parts.append(tail)

        found = self.found
        owner = parent.owner
        if owner.buf:
            self.flush(owner)
        start = len(found.blocks)
        if not locator:
            locator = self.locator(parent, pos)
        if links:
            prefix = locator + " > "
            steps = _sibling_steps(children)
            for index, child, href in links:
                rel = child.get("rel")
                found.links.append(
                    (href, _link_text(child, False), _split_tokens(rel) if rel else (), prefix + steps[index])
                )
        if main_child:
            found.saw_main = True
        joined = "".join(parts)
        if level:
            found.headings.append(Heading(level, fold(joined), locator))
        if joined and not joined.isspace():
            text = fold(joined)
            if text:
                chrome = parent.chrome or skip_link or _is_chrome(el, name, role, parent.sectioned)
                found.blocks.append(
                    _Pending("heading" if level else _KIND_BY_TAG.get(name, owner.kind), text, locator, chrome,
                             (parent.chrome_root if parent.chrome else locator) if chrome else "", in_main_el,
                             parent.in_article or name == "article", level)
                )
        collector = parent.collector
        if collector is not None and name in ("summary", "dt", "dd"):
            collector.collected.append((name, start, len(found.blocks)))
        return True

    def leaf(self, el: _Element, name: str, action: int, parent: _Frame, owner: _Frame, pos: int) -> None:
        """Elements whose content the walk never enters: skipped media and code, metadata, breaks, images."""
        found = self.found
        if action == _SKIP:
            if name == "script" and (el.get("type") or "").strip().lower() == "application/ld+json":
                locator = self.locator(parent, pos)
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
            found.images.append(Image(src=src, alt=el.get("alt"), locator=self.locator(parent, pos)))
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


def _resolve_main(pending: list[_Pending], saw_main: bool) -> tuple[list[bool], int]:
    """<main> when it holds text; else <article> when it holds most of the text; else all but chrome. With it, the
    words of the text chosen (chrome never counts towards the main text or the page's word count).

    Words are counted once per sort of content block (in <main> or not, in <article> or not), on its texts joined
    by newlines: no word spans a line break, so that is the sum over its blocks, in a few calls instead of one
    per block."""
    texts: dict[tuple[bool, bool], list[str]] = {}
    for p in pending:
        if not p.chrome:
            texts.setdefault((p.in_main_el, p.in_article), []).append(p.text)
    words = {where: count_words("\n".join(group)) for where, group in texts.items()}
    main_words = words.get((True, True), 0) + words.get((True, False), 0)
    if saw_main and main_words > 0:
        return [not p.chrome and p.in_main_el for p in pending], main_words
    article_words = words.get((True, True), 0) + words.get((False, True), 0)
    total = sum(words.values())
    if article_words and article_words * 2 >= total:
        return [not p.chrome and p.in_article for p in pending], article_words
    return [not p.chrome for p in pending], total


def parse_html(text: str, url: str) -> tuple[_Found, list[RawBlock]]:
    """The walk and main-content decision on already-decoded HTML; shared with the Markdown extractor."""
    found = _Walker().walk(_top_elements(text))
    in_main, found.main_words = _resolve_main(found.blocks, found.saw_main)
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
        word_count=found.main_words,
        content_hash=content_hash(main_texts, folded=True),  # the walk folds every block's text, none empty
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
