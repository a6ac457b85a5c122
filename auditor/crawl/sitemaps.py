"""Sitemaps: <urlset> and <sitemapindex> files, plain or gzipped, found via robots.txt and the usual places.

We parse them ourselves with lxml rather than letting a sitemap library fetch them, so every sitemap request
goes through the same safety checks, politeness gates and budget as any page.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped]

from auditor.crawl.fetch import Fetcher

SITEMAP_MAX_BYTES = 52_428_800  # the sitemaps protocol's own limit on an uncompressed file
USUAL_LOCATIONS = ("/sitemap.xml", "/sitemap_index.xml")


@dataclass
class SitemapSet:
    urls: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def gunzip_capped(data: bytes, cap: int = SITEMAP_MAX_BYTES) -> bytes:
    """Inflate a .gz sitemap without letting a bomb past `cap` bytes."""
    obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = obj.decompress(data, cap)
    return out


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1].lower()


def parse_sitemap(data: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) from one sitemap file; a broken file gives what could be read."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gunzip_capped(data)
        except zlib.error:
            return [], []
    data = data.lstrip()
    if not data:
        return [], []
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    kind = _local(root.tag)
    pages: list[str] = []
    children: list[str] = []
    for element in root.iter():
        if _local(element.tag) != "loc" or not element.text:
            continue
        loc = element.text.strip()
        if not loc:
            continue
        parent = element.getparent()
        parent_kind = _local(parent.tag) if parent is not None else ""
        if kind == "sitemapindex" or parent_kind == "sitemap":
            children.append(loc)
        elif parent_kind == "url":
            pages.append(loc)
    return pages, children


async def collect(fetcher: Fetcher, seeds: Iterable[str], *, max_files: int, max_urls: int) -> SitemapSet:
    """Breadth-first over sitemap indexes, each file fetched at most once, within the file and URL caps."""
    found = SitemapSet()
    queue = list(dict.fromkeys(seeds))
    seen = set(queue)
    while queue and len(found.fetched) < max_files and len(found.urls) < max_urls:
        url = queue.pop(0)
        result = await fetcher.get(url, max_bytes=SITEMAP_MAX_BYTES)
        found.fetched.append(url)
        if result.error_kind is not None or result.status is None or not 200 <= result.status < 300:
            found.errors.append((url, result.error or f"HTTP {result.status}"))
            continue
        pages, children = parse_sitemap(result.body)
        found.urls.extend(pages[: max_urls - len(found.urls)])
        for child in children:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return found
