"""A fast, lenient pass over HTML for the links to crawl next; full extraction is the extract layer's job."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree  # type: ignore[import-untyped]

_PARSER = etree.HTMLParser(recover=True, no_network=True, remove_comments=True, remove_pis=True)
_LINKS = etree.XPath("//a[@href]|//area[@href]|//base[@href]|//meta[@name]")


@dataclass(frozen=True)
class PageLinks:
    """Absolute link targets in document order. `nofollow` is recorded but not obeyed: an auditor must see
    every page the site links to, whatever it asks search engines to do."""

    urls: tuple[str, ...]
    nofollow: bool = False
    nofollow_links: int = 0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def absolute(base: str, origin: str, href: str) -> str | None:
    """Resolve quickly: most hrefs are absolute or root-relative, which need no full urljoin."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    head = href[:11].lower()
    if head.startswith(("http://", "https://")):
        return href
    if href.startswith("/") and not href.startswith("//"):
        return origin + href
    if head.startswith(("mailto:", "tel:", "javascript:", "data:", "sms:", "ftp:", "file:")):
        return None
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def extract_links(body: bytes, url: str) -> PageLinks:
    """Links of one HTML page resolved against its <base href> (when present) or its final URL."""
    if not body.strip():
        return PageLinks(())
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return PageLinks(())
    if root is None:
        return PageLinks(())
    elements = _LINKS(root)
    base = url
    for el in elements:
        if el.tag == "base":
            href = (el.get("href") or "").strip()
            if href:
                base = urljoin(url, href)
            break
    origin = _origin(base)
    urls: list[str] = []
    nofollow = False
    nofollow_links = 0
    for el in elements:
        tag = el.tag
        if tag == "meta":
            if (el.get("name") or "").lower() == "robots" and "nofollow" in (el.get("content") or "").lower():
                nofollow = True
            continue
        if tag == "base":
            continue
        target = absolute(base, origin, el.get("href") or "")
        if target is None:
            continue
        if "nofollow" in (el.get("rel") or "").lower():
            nofollow_links += 1
        urls.append(target)
    return PageLinks(tuple(urls), nofollow, nofollow_links)
