"""Crawls one site: breadth-first over in-scope links, then the sitemap's orphans, streaming each result.

Pages are handed to `on_fetch` as they arrive, so the caller can analyse them while the crawl goes on.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import itertools
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.config import CrawlConfig, SiteConfig
from auditor.crawl.client import make_client
from auditor.crawl.fetch import Fetcher
from auditor.crawl.links import extract_links
from auditor.crawl.politeness import Budget, Gates
from auditor.crawl.progress import CrawlStats, ProgressSink
from auditor.crawl.robots import RobotsCache, RobotsRules
from auditor.crawl.safety import check_target_allowed as _check_allowed
from auditor.crawl.scope import Normaliser, Scope, TrapGuard
from auditor.crawl.sitemaps import USUAL_LOCATIONS, SitemapSet, collect
from auditor.errors import UnsafeTargetError
from auditor.models import FetchResult

ORPHAN_DEPTH = -1  # a page known only from a sitemap: no link path leads to it from the start URLs
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})

OnFetch = Callable[[FetchResult], "Awaitable[None] | None"]


@dataclass(frozen=True)
class PreviousFetch:
    """What the last run stored about a URL, for conditional requests.

    `links` (the stored page's link targets) is optional: when given, a page answered with 304 still leads the
    crawl on to the pages it links to; when None, the crawl falls back to re-checking every URL seen before.
    """

    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    links: tuple[str, ...] | None = None


@dataclass(frozen=True, repr=False)
class CrawlOutcome:
    fetches: tuple[FetchResult, ...]  # every URL fetched (HTML or not, failed or not), 304s too (body b"")
    sitemap_urls: tuple[str, ...]
    robots_txt: str | None
    robots_status: int | None
    depths: tuple[tuple[str, int], ...]
    skipped: tuple[tuple[str, str], ...]  # (url, reason)
    requests: int = 0  # requests sent, robots.txt, sitemaps, redirects and retries included
    peak_host_concurrency: int = 0
    nofollow_pages: tuple[str, ...] = ()  # pages whose meta robots says nofollow (followed anyway)

    def __repr__(self) -> str:
        # Short on purpose: asyncio.run() reprs its main task's result on exit (via the SIGINT handler), and a
        # full repr of thousands of page bodies costs seconds.
        return (
            f"CrawlOutcome(fetches={len(self.fetches)}, skipped={len(self.skipped)}, "
            f"requests={self.requests}, robots_status={self.robots_status})"
        )


def conditional_headers(previous: PreviousFetch | None) -> dict[str, str] | None:
    if previous is None:
        return None
    headers: dict[str, str] = {}
    if previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    return headers or None


def _looks_like_html(fetch: FetchResult) -> bool:
    ctype = fetch.content_type
    if ctype not in HTML_TYPES:
        return False
    head = fetch.body[:1024]
    if b"\x00" in head:
        return False
    return ctype != "" or head.lstrip()[:1] == b"<"


class SiteCrawl:
    """The state of one site's crawl; `run` is the whole of it."""

    def __init__(
        self,
        site: SiteConfig,
        crawl: CrawlConfig,
        previous: Mapping[str, PreviousFetch] | None,
        on_fetch: OnFetch | None,
        progress: ProgressSink | None,
        retain: Callable[[FetchResult], FetchResult] | None = None,
    ) -> None:
        self.site = site
        self.crawl = crawl
        self.normalise = Normaliser(crawl.drop_query_params, crawl.strip_trailing_slash)
        self.previous: dict[str, PreviousFetch] = {}
        for url, prev in (previous or {}).items():
            key = self.normalise(url) or url
            self.previous[key] = prev
        self.on_fetch = on_fetch
        self.progress = progress
        self.retain = retain
        starts = [n for n in (self.normalise(u) for u in site.start_urls) if n]
        self.start_urls = list(dict.fromkeys(starts))
        self.scope = Scope(site, self.start_urls)
        self.traps = TrapGuard(crawl)
        self.fetches: list[FetchResult] = []
        self.depths: dict[str, int] = {}
        self.skipped: dict[str, str] = {}
        self.sitemap_urls: list[str] = []
        self.nofollow: list[str] = []
        self.errors = 0
        self._frontier: list[tuple[int, int, str, int]] = []
        self._queued: dict[str, int] = {}
        self._taken: set[str] = set()  # fetched, in flight, or refused for good
        self._expanded: set[str] = set()
        self._seq = itertools.count()
        self._pages = 0
        self._in_flight = 0
        self._cond = asyncio.Condition()
        self._orphans_released = False
        self._previous_seeded = False
        self._started = time.monotonic()
        self._robots: RobotsCache | None = None
        self._sitemap_task: asyncio.Task[SitemapSet] | None = None

    # -- frontier -------------------------------------------------------------------------------------------

    def _skip(self, url: str, reason: str) -> None:
        if url not in self.skipped:
            self.skipped[url] = reason
        if reason not in ("max_depth", "max_pages"):
            self._taken.add(url)

    def _push(self, url: str, depth: int) -> None:
        self._queued[url] = depth
        priority = depth if depth >= 0 else self.site.max_depth + 1
        heapq.heappush(self._frontier, (priority, next(self._seq), url, depth))
        if self.skipped.get(url) in ("max_depth", "max_pages"):
            del self.skipped[url]

    def _consider(self, url: str, depth: int, *, from_link: bool = True) -> None:
        """Decide what to do with a discovered URL (normalised): queue it, record why not, or ignore it."""
        if url in self._taken:
            return
        queued = self._queued.get(url)
        if queued is not None:
            if 0 <= depth < queued or (queued < 0 <= depth):
                self._push(url, depth)
            return
        if not self.scope.same_site(url):
            return  # other sites' pages are the links checks' business, not the crawl's
        if not self.scope.allows(url):
            self._skip(url, "out_of_scope")
            return
        if depth > self.site.max_depth:
            self._skip(url, "max_depth")
            return
        if self._pages + len(self._queued) >= self.site.max_pages:
            self._skip(url, "max_pages")
            return
        robots = self._robots
        if robots is not None and robots.allowed_now(url) is False:
            self._skip(url, "robots")
            return
        if from_link:
            trap = self.traps.check(url)
            if trap is not None:
                self._skip(url, "trap")
                return
        self._push(url, depth)

    async def _next(self) -> tuple[str, int] | None:
        async with self._cond:
            while True:
                if self._frontier:
                    _, _, url, depth = heapq.heappop(self._frontier)
                    if self._queued.get(url) != depth:
                        continue  # a stale entry: the URL was re-queued at a better depth
                    del self._queued[url]
                    if url in self._taken:
                        continue
                    if self._pages >= self.site.max_pages:
                        self._skip(url, "max_pages")
                        continue
                    self._taken.add(url)
                    self._pages += 1
                    self._in_flight += 1
                    return url, depth
                if self._in_flight == 0:
                    if not self._orphans_released:
                        self._orphans_released = True
                        await self._release_orphans()
                        continue
                    self._cond.notify_all()
                    return None
                await self._cond.wait()

    async def _finished_one(self, found: list[tuple[str, int]]) -> None:
        async with self._cond:
            for url, depth in found:
                self._consider(url, depth)
            self._in_flight -= 1
            self._cond.notify_all()

    async def _release_orphans(self) -> None:
        """Once links run out, pages known only from sitemaps are crawled too (robots and scope apply)."""
        if self._sitemap_task is None:
            return
        found = await self._sitemap_task
        seen: set[str] = set()
        for raw in found.urls:
            url = self.normalise(raw)
            if url is None or url in seen:
                continue
            seen.add(url)
            self.sitemap_urls.append(url)
            if url in self._taken or url in self._queued or url in self.depths:
                continue
            if self.scope.same_site(url):
                self._consider(url, ORPHAN_DEPTH, from_link=False)

    # -- work ------------------------------------------------------------------------------------------------

    async def _worker(self, fetcher: Fetcher) -> None:
        while True:
            item = await self._next()
            if item is None:
                return
            url, depth = item
            found: list[tuple[str, int]] = []
            try:
                found = await self._process(fetcher, url, depth)
            finally:
                await self._finished_one(found)

    async def _process(self, fetcher: Fetcher, url: str, depth: int) -> list[tuple[str, int]]:
        assert self._robots is not None
        robots = self._robots
        allowed = robots.allowed_now(url)
        if allowed is None:
            allowed = await robots.allowed(url)
        if not allowed:
            self._skip(url, "robots")
            self._pages -= 1
            return []
        previous = self.previous.get(url)

        def hop_check(target: str) -> str | None:
            normal = self.normalise(target)
            if normal is not None and robots.allowed_now(normal) is False:
                self._skip(normal, "robots")
                return "robots"
            return None

        headers = conditional_headers(previous)
        try:
            result = await fetcher.get(url, depth=depth, headers=headers, hop_check=hop_check)
        except Exception as exc:  # a fault of ours must cost one page, never the crawl
            result = FetchResult(
                requested_url=url,
                final_url=url,
                status=None,
                depth=depth,
                error_kind="internal",
                error=f"{type(exc).__name__}: {exc}",
            )
        if result.error_kind == "budget":
            self._skip(url, "budget")
            self._pages -= 1
            return []
        final = self.normalise(result.final_url) or result.final_url
        self._taken.add(final)
        position = len(self.fetches)
        self.fetches.append(result)
        if depth >= 0:
            self.depths[url] = depth
        if result.error_kind is not None or (result.status or 0) >= 400:
            self.errors += 1
        await self._emit(result)
        try:
            return self._discover(url, final, result, depth, previous)
        except Exception:  # unparseable markup that even lxml's recovery rejects: the page leads nowhere
            return []
        finally:
            if self.retain is not None:
                self.fetches[position] = self.retain(result)

    def _discover(
        self, url: str, final: str, result: FetchResult, depth: int, previous: PreviousFetch | None
    ) -> list[tuple[str, int]]:
        if depth < 0 or final in self._expanded:
            return []  # sitemap orphans are fetched, not expanded; a page reached twice is read once
        child = depth + 1
        if result.status == 304:
            self._expanded.add(final)
            if previous is not None and previous.links is not None:
                return [(n, child) for n in (self.normalise(u) for u in previous.links) if n]
            if not self._previous_seeded:
                self._previous_seeded = True
                return [(u, child) for u in self.previous]
            return []
        status = result.status or 0
        if not 200 <= status < 300 or not _looks_like_html(result) or not self.scope.allows(final):
            return []
        self._expanded.add(final)
        links = extract_links(result.body, result.final_url)
        if links.nofollow:
            self.nofollow.append(url)
        found: list[tuple[str, int]] = []
        for target in links.urls:
            normal = self.normalise(target)
            if normal is not None:
                found.append((normal, child))
        return found

    async def _emit(self, result: FetchResult) -> None:
        if self.on_fetch is not None:
            maybe = self.on_fetch(result)
            if inspect.isawaitable(maybe):
                await maybe
        self._report()

    def _report(self, final: bool = False) -> None:
        if self.progress is None:
            return
        self.progress.update(
            CrawlStats(
                site=self.site.name,
                done=len(self.fetches),
                queued=len(self._queued),
                errors=self.errors,
                elapsed=time.monotonic() - self._started,
                final=final,
            )
        )

    async def _sitemaps(self, fetcher: Fetcher, rules: RobotsRules | None) -> SitemapSet:
        seeds = list(dict.fromkeys([*(rules.sitemaps if rules else []), *self.site.sitemaps]))
        cap = {"max_files": self.crawl.max_sitemaps, "max_urls": self.crawl.max_sitemap_urls}
        try:
            if seeds:
                return await collect(fetcher, seeds, **cap)
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.start_urls[0]))
            found = SitemapSet()
            for path in USUAL_LOCATIONS:
                found = await collect(fetcher, [origin + path], **cap)
                if found.urls:
                    break
            return found
        except Exception as exc:  # a broken sitemap must never stop the crawl of the pages themselves
            return SitemapSet(errors=[("sitemap", f"{type(exc).__name__}: {exc}")])

    async def run(self) -> CrawlOutcome:
        loop_starts: list[str] = []
        for url in self.start_urls:
            try:
                if not self.crawl.allow_private:
                    await asyncio.to_thread(_check_allowed, url, False)
                loop_starts.append(url)
            except UnsafeTargetError:
                self._skip(url, "unsafe_address")
        robots_txt: str | None = None
        robots_status: int | None = None
        requests = peak = 0
        if loop_starts:
            async with make_client(self.crawl) as client:
                gates = Gates(self.crawl.per_host_concurrency, self.crawl.delay)
                fetcher = Fetcher(
                    client, self.crawl, gates, Budget(self.crawl.request_budget, self.crawl.per_host_budget)
                )
                self._robots = RobotsCache(fetcher, self.crawl.user_agent, self.crawl.respect_robots)
                rules = await self._robots.rules_for(loop_starts[0])
                robots_txt, robots_status = rules.text, rules.status
                self._sitemap_task = asyncio.create_task(self._sitemaps(fetcher, rules))
                async with self._cond:
                    for url in loop_starts:
                        self._push(url, 0)
                workers = [asyncio.create_task(self._worker(fetcher)) for _ in range(self.crawl.concurrency)]
                try:
                    await asyncio.gather(*workers)
                finally:
                    for task in workers:
                        task.cancel()
                    if not self._sitemap_task.done():
                        self._sitemap_task.cancel()
                requests, peak = fetcher.requests, gates.peak
        self._report(final=True)
        if self.progress is not None:
            self.progress.close()
        return CrawlOutcome(
            fetches=tuple(self.fetches),
            sitemap_urls=tuple(self.sitemap_urls),
            robots_txt=robots_txt,
            robots_status=robots_status,
            depths=tuple(self.depths.items()),
            skipped=tuple(self.skipped.items()),
            requests=requests,
            peak_host_concurrency=peak,
            nofollow_pages=tuple(self.nofollow),
        )


async def crawl_site(
    site: SiteConfig,
    crawl: CrawlConfig,
    *,
    previous: Mapping[str, PreviousFetch] | None = None,
    on_fetch: OnFetch | None = None,
    progress: ProgressSink | None = None,
    retain: Callable[[FetchResult], FetchResult] | None = None,
) -> CrawlOutcome:
    """Crawl one configured site within its scope, limits and budget; never raises for what a site does.

    `retain` says what the outcome keeps of each fetch once it has been handed to `on_fetch` (a caller that
    analyses bodies as they arrive need not hold two thousand of them until the crawl ends)."""
    return await SiteCrawl(site, crawl, previous, on_fetch, progress, retain).run()


async def fetch_url(url: str, crawl: CrawlConfig) -> FetchResult:
    """One page, ad hoc: safety-checked up front (raises UnsafeTargetError), every other failure recorded."""
    await asyncio.to_thread(_check_allowed, url, crawl.allow_private)
    async with make_client(crawl) as client:
        gates = Gates(crawl.per_host_concurrency, crawl.delay)
        fetcher = Fetcher(client, crawl, gates, Budget(crawl.request_budget, crawl.per_host_budget))
        return await fetcher.get(url)


def check_target_allowed(url: str, crawl: CrawlConfig) -> None:
    """Raise UnsafeTargetError (one clear line) when `url` resolves to an address config does not allow."""
    _check_allowed(url, crawl.allow_private)
