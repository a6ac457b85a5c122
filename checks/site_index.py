"""Lookups over one crawled site: URL normal form, what each address answered, which pages link where."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from auditor.models import AnalysedPage, FetchResult, Page, Site
from checks.registry import CheckContext
from checks.seo_dom import dom_facts
from checks.seo_robots import BOT_USER_AGENTS, blocking_directives, crawlability

_DEFAULT_PORTS = {"http": 80, "https": 443}


def norm_url(url: str, drop_params: Sequence[str] = ()) -> str:
    """One spelling per address, so links, fetches and sitemap entries meet: lower-case scheme and host, no
    default port or fragment, "/" for an empty path, and the query parameters the crawler drops removed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    query = parts.query
    if query and drop_params:
        kept = [
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if not any(fnmatch.fnmatch(k.lower(), p.lower()) for p in drop_params)
        ]
        query = urlencode(kept)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


@dataclass(frozen=True)
class Answer:
    """What fetching one address led to: its status, whether it redirected and where, and any failure."""

    url: str
    status: int | None
    redirected: bool
    final_url: str
    error_kind: str | None
    error: str | None
    hops: int

    @property
    def is_loop(self) -> bool:
        return self.error_kind == "redirect_loop"

    @property
    def is_error(self) -> bool:
        """4xx/5xx, no answer at all, or redirects that never reach a page (a loop, or too many hops)."""
        if self.is_loop:
            return True
        if self.status is not None:
            return self.status >= 400 or 300 <= self.status < 400
        return self.error_kind is not None and self.error_kind not in ("too_large", "timeout")

    @property
    def describe(self) -> str:
        if self.status is not None:
            return f"HTTP {self.status}"
        return self.error_kind or self.error or "no response"


RobotsMetas = tuple[tuple[str, str], ...]
_ROBOTS_NAMES = frozenset({"robots", *(agent.lower() for agent in BOT_USER_AGENTS if agent)})


def robots_metas(page: Page) -> RobotsMetas:
    """The page's <meta> robots rules (`robots` and the named bots'), the only metas `crawlability` reads.

    Read from the fetched markup as a browser parses it (checks.seo_dom.dom_facts), so they must be taken
    where the whole page is analysed: a slim page (no body, see checks.registry.PreparingCheck) falls back to
    the extracted metas, which differ: extraction skips <noscript> and counts metas outside <head>."""
    return tuple(meta for meta in dom_facts(page).metas if meta[0] in _ROBOTS_NAMES)


def page_blocked_by_directives(
    page: Page, now: datetime | None = None, metas: RobotsMetas | None = None
) -> bool:
    """noindex as Lighthouse reads it (meta robots for every bot, X-Robots-Tag), robots.txt aside.

    `metas` are the page's `robots_metas` when they were taken earlier from the whole page; None reads them
    from the page now."""
    head = robots_metas(page) if metas is None else metas
    headers = page.fetch.headers if page.fetch is not None else ()
    verdict = crawlability(page.final_url or page.url, head, headers, None, now or datetime.now(UTC))
    if verdict.blocked:
        return True
    # A plain noindex the extractor saw (local drafts, or directives Lighthouse reads per bot) counts too.
    return bool(blocking_directives(", ".join(page.robots + page.x_robots_tag), now or datetime.now(UTC)))


@dataclass
class SiteIndex:
    """Built once per site check run; every lookup is by normal form (see norm_url)."""

    site: Site
    drop_params: Sequence[str] = ()
    answers: dict[str, Answer] = field(default_factory=dict)
    pages: dict[str, AnalysedPage] = field(default_factory=dict)
    linked_from: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    shown_url: dict[str, str] = field(default_factory=dict)  # normal form -> the address as first written
    noindex: dict[str, bool] = field(default_factory=dict)
    meta_robots: dict[str, RobotsMetas] = field(default_factory=dict)  # normal form -> robots_metas, if gathered
    # Each address's normal form, once: a site's few thousand addresses are met hundreds of thousands of times
    # (every link of every page, in several rules), and norm_url is pure for a given drop_params.
    normal_forms: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def norm(self, url: str) -> str:
        known = self.normal_forms.get(url)
        if known is None:
            known = self.normal_forms[url] = norm_url(url, self.drop_params)
        return known

    @classmethod
    def build(cls, site: Site, drop_params: Sequence[str] = ()) -> SiteIndex:
        index = cls(site=site, drop_params=tuple(drop_params))
        for fetch in site.fetches:
            index._add_fetch(fetch)
        web: dict[str, bool] = {}  # link URL -> whether it is http(s), asked once per address
        norm, linked_from, shown_url = index.norm, index.linked_from, index.shown_url
        for ap in site.pages:
            page = ap.page
            for url in (page.url, page.final_url):
                if url:
                    index.pages.setdefault(norm(url), ap)
            if page.fetch is not None and norm(page.url) not in index.answers:
                index._add_fetch(page.fetch)
            own = {norm(u) for u in (page.url, page.final_url) if u}
            for link in page.links:
                url = link.url
                if not (link.internal and url):
                    continue
                is_web = web.get(url)
                if is_web is None:
                    is_web = web[url] = urlsplit(url).scheme in ("http", "https")
                if is_web:
                    key = norm(url)
                    if key in own:
                        continue  # a page linking to itself does not make it reachable
                    linked_from[key].add(page.url)
                    if key not in shown_url:
                        shown_url[key] = url.split("#", 1)[0]
        return index

    def _add_fetch(self, fetch: FetchResult) -> None:
        final = fetch.final_url or fetch.requested_url
        chain = fetch.redirect_chain
        answer = Answer(
            url=fetch.requested_url,
            status=fetch.status,
            redirected=bool(chain) or self.norm(final) != self.norm(fetch.requested_url),
            final_url=final,
            error_kind=fetch.error_kind,
            error=fetch.error,
            hops=len(chain),
        )
        self.answers.setdefault(self.norm(fetch.requested_url), answer)
        for hop_number, hop in enumerate(chain):
            remaining = len(chain) - hop_number
            self.answers.setdefault(
                self.norm(hop.url),
                Answer(hop.url, fetch.status, True, final, fetch.error_kind, fetch.error, remaining),
            )
        if not chain or self.norm(final) != self.norm(fetch.requested_url):
            self.answers.setdefault(
                self.norm(final), Answer(final, fetch.status, False, final, fetch.error_kind, fetch.error, 0)
            )

    def answer(self, url: str) -> Answer | None:
        return self.answers.get(self.norm(url))

    def page(self, url: str) -> AnalysedPage | None:
        return self.pages.get(self.norm(url))

    def learn_robots(self, metas: Mapping[str, RobotsMetas]) -> None:
        """Take pages' `robots_metas` (by page URL) gathered where each whole page was analysed, so noindex
        is judged on a slim page as on the whole one; a verdict already made without them is made again."""
        for url, page_metas in metas.items():
            key = self.norm(url)
            if self.meta_robots.get(key) != page_metas:
                self.meta_robots[key] = page_metas
                self.noindex.pop(key, None)

    def is_noindex(self, ap: AnalysedPage) -> bool:
        key = self.norm(ap.page.url)
        if key not in self.noindex:
            self.noindex[key] = page_blocked_by_directives(ap.page, metas=self.meta_robots.get(key))
        return self.noindex[key]

    def canonical_elsewhere(self, ap: AnalysedPage) -> bool:
        """The page names another address as its canonical: it declares itself a copy, rightly excluded."""
        canonical = ap.page.canonical
        if not canonical:
            return False
        own = {self.norm(ap.page.url)} | ({self.norm(ap.page.final_url)} if ap.page.final_url else set())
        return self.norm(canonical) not in own

    def is_indexable(self, ap: AnalysedPage) -> bool:
        page = ap.page
        status = page.fetch.status if page.fetch is not None else page.status
        if status is not None and not 200 <= status < 300:
            return False
        return not self.is_noindex(ap) and not self.canonical_elsewhere(ap)

    def linkers(self, url: str) -> tuple[str, ...]:
        return tuple(sorted(self.linked_from.get(self.norm(url), ())))

    def html_pages(self) -> Iterable[AnalysedPage]:
        """HTML documents, each once: a page reached through a redirect is the page it landed on."""
        chosen: dict[str, AnalysedPage] = {}
        for ap in self.site.pages:
            if ap.page.source_kind != "html":
                continue
            key = self.norm(ap.page.final_url or ap.page.url)
            current = chosen.get(key)
            if current is None or (self.norm(current.page.url) != key and self.norm(ap.page.url) == key):
                chosen[key] = ap
        return list(chosen.values())


_CACHE: dict[int, tuple[Site, SiteIndex]] = {}


def index_for(site: Site, ctx: CheckContext | None = None) -> SiteIndex:
    """One index per Site object across the site checks of a run (a Site never changes once built)."""
    cached = _CACHE.get(id(site))
    if cached is not None and cached[0] is site:
        return cached[1]
    crawl = getattr(ctx.config, "crawl", None) if ctx is not None else None
    drop = tuple(getattr(crawl, "drop_query_params", ()) or ())
    index = SiteIndex.build(site, drop)
    _CACHE.clear()
    _CACHE[id(site)] = (site, index)
    return index


def indexed(site: Site, ctx: CheckContext | None, robots: Mapping[str, RobotsMetas]) -> SiteIndex:
    """`index_for`, with the pages' `robots_metas` a preparing site check gathered (see learn_robots)."""
    index = index_for(site, ctx)
    index.learn_robots(robots)
    return index


def page_robots(ap: AnalysedPage, seo: object) -> RobotsMetas | None:
    """The page summary of a site rule that only needs indexability (checks.seo_base.PreparingSeoSiteCheck):
    the robots metas of an HTML page; other pages have no markup to read."""
    del seo
    return robots_metas(ap.page) if ap.page.source_kind == "html" else None
