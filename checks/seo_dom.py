"""The document facts Lighthouse's SEO gatherers collect: head metas, links, anchors, images.

Lighthouse reads a few raw facts that content extraction rightly folds away: the raw `href` of a canonical or
hreflang link and whether it sits in <head> or <body>, anchors that have no `href` at all, an anchor's `role`,
`id` and `name`, and an image's `role`, `title` and ARIA labels. When the fetched bytes are on the page
(`Page.fetch.body`) they are read here with the HTML5 parsing algorithm browsers use (Lexbor, through
selectolax); for local files the facts come from the extracted Page, the closest a draft on disk allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor.encoding import decode_bytes
from auditor.models import Page
from checks.seo_robots import parse_link_header

_SPECIAL_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/<>?@\\^|\[\]]")


@dataclass(frozen=True)
class LinkElement:
    rel: str  # the whole rel attribute, lower-cased, as Lighthouse compares it ("canonical", "alternate")
    href_raw: str
    hreflang: str
    source: str  # "head", "body" or "headers"


@dataclass(frozen=True)
class Anchor:
    raw_href: str | None  # None when the element has no href attribute
    text: str  # visible text (innerText), whitespace folded
    rel: str
    role: str = ""
    id: str = ""
    name: str = ""
    locator: str = ""


@dataclass(frozen=True)
class ImageElement:
    src: str
    alt: str | None
    role: str = ""
    title: str = ""
    aria_label: str = ""
    aria_labelledby: str = ""
    hidden: bool = False
    locator: str = ""


@dataclass(frozen=True)
class DomFacts:
    title: str | None  # document.title: the first <title> in tree order, whitespace folded
    metas: tuple[tuple[str, str], ...]  # (name lower-cased, content) of <meta> in <head>
    link_elements: tuple[LinkElement, ...]
    anchors: tuple[Anchor, ...]
    images: tuple[ImageElement, ...]
    base_url: str  # what relative URLs resolve against (the final URL, or <base href>)
    from_markup: bool  # False when rebuilt from the extracted Page (no bytes available)


def fold(text: str) -> str:
    r"""Runs of whitespace as one space, none at the ends. str.split() splits on exactly the characters a regex
    whitespace class matches (str.isspace), so this is re.sub(r"\s+", " ", text).strip(), in a fraction of the
    time: it runs on every link text and on each page's whole main text."""
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def whatwg_parse(url: str, base: str | None = None) -> str | None:
    """The serialised URL a browser's `new URL(url, base)` gives, or None where it would throw."""
    raw = url.strip()
    try:
        joined = urljoin(base, raw) if base else raw
        parts = urlsplit(joined)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not scheme or not re.fullmatch(r"[a-z][a-z0-9+.\-]*", scheme):
        return None
    netloc = parts.netloc
    if scheme in _SPECIAL_PORTS or scheme == "file":
        host = (parts.hostname or "").lower()
        if scheme != "file" and not host:
            return None
        if host and _FORBIDDEN_HOST.search(host.strip("[]") if host.startswith("[") else host):
            return None
        auth = netloc.rsplit("@", 1)[0] + "@" if "@" in netloc else ""
        shown_host = f"[{host}]" if ":" in host else host
        netloc = (
            auth
            + shown_host
            + (f":{port}" if port is not None and port != _SPECIAL_PORTS.get(scheme) else "")
        )
        path = parts.path or "/"
        return urlunsplit((scheme, netloc, path, parts.query, parts.fragment)) + (
            "?" if joined.endswith("?") and not parts.query else ""
        )
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def resolves(url: str, base: str) -> bool:
    """`whatwg_parse(url, base) is not None`, asked once per reference and site rather than per page.

    Whether a reference resolves depends only on the scheme and host the result ends up with, and those come
    from the reference itself or from the base's scheme and host (netloc), never from the base's path, query
    or fragment. So the answer against the base equals the answer against "scheme://netloc/": a menu link
    repeated on every page is parsed once. A base without a host (where a path like "//x" could become one)
    is asked as it is."""
    origin = _scheme_and_host(base)
    if origin is None:
        return whatwg_parse(url, base) is not None
    return _resolves_against(url, origin)


@lru_cache(maxsize=1024)
def _scheme_and_host(base: str) -> str | None:
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/", "", "")) if parts.netloc else None


@lru_cache(maxsize=8192)
def _resolves_against(url: str, origin: str) -> bool:
    return whatwg_parse(url, origin) is not None


def origin_of(url: str) -> str | None:
    """A URL's origin; None (an opaque origin) for schemes without one, like mailto:, data: or file:."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SPECIAL_PORTS:
        return None
    port = parts.port
    host = (parts.hostname or "").lower()
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _SPECIAL_PORTS[scheme] else "")


def without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


_SKIP_TEXT = frozenset({"script", "style", "template", "noscript"})


def _attrs(node: Any) -> dict[str, str | None]:
    attrs: dict[str, str | None] = dict(node.attributes)
    return attrs


def _get(attrs: dict[str, str | None], name: str) -> str | None:
    return attrs.get(name) if name in attrs else None


def _self_hidden(attrs: dict[str, str | None]) -> bool:
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return "hidden" in attrs or "display:none" in style or "visibility:hidden" in style


def _ancestors(node: Any) -> list[Any]:
    out = []
    parent = node.parent
    while parent is not None and parent.tag not in ("-document", None):
        out.append(parent)
        parent = parent.parent
    return out


def _is_hidden(node: Any) -> bool:
    for each in [node, *_ancestors(node)]:
        attrs = _attrs(each)
        if _self_hidden(attrs) or (attrs.get("aria-hidden") or "").strip().lower() == "true":
            return True
    return False


def _inner_text(node: Any) -> str:
    """Text as innerText gives it: no script/style, nothing hidden, whitespace folded."""
    first = node.first_child
    if first is None:
        return ""
    if first.next is None and first.tag == "-text":
        return fold(first.text(deep=False) or "")  # most links: one run of text, nothing to skip
    parts: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        tag = current.tag
        if tag == "-text":
            parts.append(current.text(deep=False) or "")
            continue
        if tag in _SKIP_TEXT or (current is not node and _self_hidden(_attrs(current))):
            continue
        stack.extend(reversed(list(current.iter(include_text=True))))
    return fold("".join(parts))


def parse_like_a_browser(text: str) -> Any:
    """The page's tree as a browser builds it: the HTML5 tree-construction algorithm, in Lexbor's C
    implementation (selectolax). Broken markup reads as in Chromium: a <title> in the body still names the
    page, a second <head>'s metas join the first, an unclosed <a> closes and reopens where Chromium's does."""
    from selectolax.lexbor import LexborHTMLParser  # type: ignore[import-untyped, unused-ignore]

    return LexborHTMLParser(text)


# The elements DomFacts reads; those inside <svg> or <math> (SVG's own <title>, <a> and <link>) are not the
# document's; <meta> and <link> count only inside <head>. Lexbor's selector engine finds each set in C, in
# document order, instead of a Python walk over every node and up every found element's ancestors.
# (Lexbor's :is() and :not() around these compound selectors drop matches in some trees, so each is spelt out.)
_FACT_TAGS = ("meta", "link", "a", "img", "title", "base")
_FACT_ELEMENTS = ", ".join(_FACT_TAGS)
_IN_FOREIGN_CONTENT = ", ".join(f"{outer} {tag}" for outer in ("svg", "math") for tag in _FACT_TAGS)
_IN_HEAD = "head meta, head link"


def _node_ids(tree: Any, selector: str) -> set[int]:
    return {node.mem_id for node in tree.css(selector)}


@lru_cache(maxsize=16)
def _facts_from_markup(body: bytes, content_type: str | None, url: str) -> DomFacts:
    tree = parse_like_a_browser(decode_bytes(body, content_type).text)
    base_url = url
    title: str | None = None
    metas: list[tuple[str, str]] = []
    links: list[LinkElement] = []
    anchors: list[Anchor] = []
    images: list[ImageElement] = []
    counts: dict[str, int] = {}
    foreign = _node_ids(tree, _IN_FOREIGN_CONTENT)
    in_head_ids = _node_ids(tree, _IN_HEAD)
    for node in tree.css(_FACT_ELEMENTS):
        if node.mem_id in foreign:
            continue
        tag = node.tag
        in_head = node.mem_id in in_head_ids
        attrs = _attrs(node)
        counts[tag] = counts.get(tag, 0) + 1
        locator = f"{tag}:nth-of-type-in-document({counts[tag]})"
        if tag == "title":
            if title is None:
                title = fold(node.text(deep=True) or "")
        elif tag == "base":
            href = _get(attrs, "href")
            if href is not None and base_url == url:
                base_url = whatwg_parse(href, url) or url
        elif tag == "meta":
            if in_head:
                metas.append(((_get(attrs, "name") or "").lower(), _get(attrs, "content") or ""))
        elif tag == "link":
            links.append(
                LinkElement(
                    rel=(_get(attrs, "rel") or "").lower(),
                    href_raw=_get(attrs, "href") or "",
                    hreflang=_get(attrs, "hreflang") or "",
                    source="head" if in_head else "body",
                )
            )
        elif tag == "a":
            anchors.append(
                Anchor(
                    raw_href=(attrs["href"] or "") if "href" in attrs else None,
                    text=_inner_text(node),
                    rel=(_get(attrs, "rel") or "").lower(),
                    role=_get(attrs, "role") or "",
                    id=_get(attrs, "id") or "",
                    name=_get(attrs, "name") or "",
                    locator=locator,
                )
            )
        else:
            images.append(
                ImageElement(
                    src=_get(attrs, "src") or "",
                    alt=(attrs["alt"] or "") if "alt" in attrs else None,
                    role=(_get(attrs, "role") or "").strip().lower(),
                    title=_get(attrs, "title") or "",
                    aria_label=_get(attrs, "aria-label") or "",
                    aria_labelledby=_get(attrs, "aria-labelledby") or "",
                    hidden=_is_hidden(node),
                    locator=locator,
                )
            )
    return DomFacts(title, tuple(metas), tuple(links), tuple(anchors), tuple(images), base_url, True)


def _facts_from_page(page: Page) -> DomFacts:
    links: list[LinkElement] = []
    if page.canonical:
        links.append(LinkElement("canonical", page.canonical, "", "head"))
    links.extend(LinkElement("alternate", href, lang, "head") for lang, href in page.hreflang)
    anchors = tuple(
        Anchor(link.href, link.text, " ".join(link.rel), locator=link.locator) for link in page.links
    )
    images = tuple(ImageElement(img.src, img.alt, locator=img.locator) for img in page.images)
    metas = list(page.meta)
    if page.meta_description is not None and not any(name == "description" for name, _ in metas):
        metas.append(("description", page.meta_description))
    if page.robots and not any(name == "robots" for name, _ in metas):
        metas.append(("robots", ", ".join(page.robots)))
    return DomFacts(
        page.title, tuple(metas), tuple(links), anchors, images, page.final_url or page.url, False
    )


def dom_facts(page: Page) -> DomFacts:
    """Facts from the fetched bytes when present, else from the extracted page; plus Link headers."""
    fetch = page.fetch
    url = page.final_url or page.url
    if fetch is not None and fetch.body and page.source_kind == "html":
        facts = _facts_from_markup(fetch.body, fetch.header("content-type"), url)
    else:
        facts = _facts_from_page(page)
    if fetch is None:
        return facts
    header_links = [
        LinkElement(
            rel=entry.get("rel", "").lower(),
            href_raw=entry.get("uri", ""),
            hreflang=entry.get("hreflang", ""),
            source="headers",
        )
        for entry in parse_link_header(v for k, v in fetch.headers if k.lower() == "link")
    ]
    if not header_links:
        return facts
    return DomFacts(
        facts.title,
        facts.metas,
        facts.link_elements + tuple(header_links),
        facts.anchors,
        facts.images,
        facts.base_url,
        facts.from_markup,
    )
