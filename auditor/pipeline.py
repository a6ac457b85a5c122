"""The one place that knows the order: targets -> fetch or read -> extract -> language -> checks -> store -> reports."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import os
import pickle
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from auditor.config import Config, SiteConfig
from auditor.engine import engine_digest
from auditor.errors import InputError
from auditor.extract import extract_html, load_local_file, looks_binary
from auditor.models import AnalysedPage, FetchResult, Finding, Page, Site
from auditor.nlp import analyse_pages
from auditor.serialise import finding_to_dict, page_entry, rule_to_dict
from auditor.store import Store
from checks.internal import check_failed_finding
from checks.registry import (
    AnyCheck,
    CheckContext,
    PageCheck,
    PreparingCheck,
    RuleInfo,
    Selection,
    SiteCheck,
    load_checks,
    rules_index,
)

log = logging.getLogger(__name__)

RunKind = Literal["audit", "run", "scheduled", "demo"]
LOCAL_SITE = "local files"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_WARM_UP_PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scalp micropigmentation: questions</title>'
    b'<meta name="description" content="What to expect from scalp micropigmentation."></head><body><main>'
    b"<h1>Is scalp micropigmentation safe?</h1><p>Yes, scalp micropigmentation is generally safe when it is done "
    b"by a trained practitioner with sterile equipment. Results vary from person to person, the pigment fades "
    b"over the years and most clients book a top-up session. We discuss the risks, the aftercare and the price "
    b"of two or three sessions at a free consultation, so you know what the treatment involves before you "
    b"decide whether it is right for you.</p></main></body></html>"
)
# Below this many expected pages a process pool costs more (each worker loads spaCy and the rule packs) than it saves.
POOL_MIN_PAGES = 12
# How often a run renews its site lock while it records pages (the lock itself lasts six hours).
LOCK_RENEW_SECONDS = 600.0


@dataclass(frozen=True)
class PageResult:
    """A document after extraction, language analysis, every page check and the site checks' map step.

    `page` is the slim form site checks read (no sentences, blocks or body: see `slim`); `prepared` holds each
    preparing site check's summary of the whole page; `stored` is what the store keeps so that an unchanged page
    in a later run is taken as it is, without parsing or checking it again.
    """

    page: AnalysedPage
    findings: tuple[Finding, ...]
    prepared: Mapping[str, Any]
    stored: bytes = b""

    def __reduce__(self) -> tuple[Any, ...]:
        """A result crosses from a worker to the main process as its stored form alone: the page, findings and
        summaries are already packed (and compressed) in it, so packing them a second time would only double
        the worker's pickling and the bytes sent."""
        if self.stored:
            return (_result_from_stored, (self.stored,))
        return (PageResult, (self.page, self.findings, self.prepared, self.stored))


def slim(analysed: AnalysedPage) -> AnalysedPage:
    """What the site stage keeps of a page: the whole text and the body go once the map step has read them."""
    page = analysed.page
    fetch = page.fetch
    return AnalysedPage(
        page=replace(page, blocks=(), fetch=replace(fetch, body=b"") if fetch is not None else None),
        sentences=(),
    )


def selection_of(config: Config) -> Selection:
    c = config.checks
    return Selection(
        select=tuple(c.select),
        ignore=tuple(c.ignore),
        per_page_ignores=tuple((glob, tuple(ids)) for glob, ids in c.per_page_ignores.items()),
    )


def config_digest(config: Config) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16]


class Analyser:
    """Extraction, language and checks for one process: spaCy and the rule packs are loaded once, here."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.selection = selection_of(config)
        self.checks: list[AnyCheck] = load_checks(config)
        self.rules: dict[str, RuleInfo] = rules_index(self.checks)
        self.page_checks = [c for c in self.checks if isinstance(c, PageCheck) and self._wanted(c)]
        self.site_checks = [c for c in self.checks if isinstance(c, SiteCheck) and self._wanted(c)]
        self.preparing = [c for c in self.site_checks if isinstance(c, PreparingCheck)]
        self.engine = engine_digest(config)

    def _wanted(self, check: AnyCheck) -> bool:
        return any(self.selection.rule_enabled(r.id) for r in check.rules())

    def _keep(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if self.selection.enabled_for(f.check_id, f.url)]

    def context(self, options: Mapping[str, Any] | None = None) -> CheckContext:
        return CheckContext(config=self.config, options=dict(options or {}))

    def warm_up(self) -> None:
        """Run one small page through everything, so what the checks load on first use (spaCy's stop-word lists
        for sixteen languages alone take seconds) is loaded here: forked workers then share one copy instead of
        each loading its own."""
        self.check_page(extract_html(_WARM_UP_PAGE, "http://warm-up.invalid/faq/"))

    def page_from_fetch(self, fetch: FetchResult) -> Page | None:
        """Only successful HTML is parsed; everything else is left to the crawl checks, which see every fetch."""
        if fetch.error_kind is not None and not fetch.truncated:
            return None
        if fetch.status is None or not 200 <= fetch.status < 300:
            return None
        ctype = fetch.content_type
        if ctype and ctype not in HTML_TYPES:
            return None
        if not fetch.body or looks_binary(fetch.body):
            return None
        return extract_html(fetch.body, fetch.requested_url, fetch)

    def check_page(self, page: Page) -> PageResult:
        return self.check_analysed(next(analyse_pages([page])))

    def check_analysed(self, analysed: AnalysedPage) -> PageResult:
        ctx = self.context()
        findings: list[Finding] = []
        for check in self.page_checks:
            try:
                findings.extend(check.check_page(analysed, ctx))
            except Exception as exc:  # a broken check must not lose the page or the run
                log.exception("check %s failed on %s", check.name, analysed.page.url)
                findings.append(check_failed_finding(check.name, analysed.page.url, exc))
        kept = tuple(self._keep(findings))
        prepared: dict[str, Any] = {}
        for site_check in self.preparing:
            try:
                prepared[site_check.name] = site_check.prepare_page(analysed, kept, ctx)
            except Exception as exc:
                log.exception("site check %s failed on %s", site_check.name, analysed.page.url)
                kept += tuple(self._keep([check_failed_finding(site_check.name, analysed.page.url, exc)]))
        page = slim(analysed)
        return PageResult(page, kept, prepared, stored_result(self.engine, page, kept, prepared))

    def check_fetch(self, fetch: FetchResult, unchanged_hash: str | None = None) -> PageResult | Page | None:
        """Analyse a fetched page; when its content hash equals `unchanged_hash`, return the bare Page instead
        so the caller reuses the stored result (language analysis and the checks are the expensive part)."""
        page = self.page_from_fetch(fetch)
        if page is None:
            return None
        if unchanged_hash is not None and page.content_hash == unchanged_hash:
            return page
        return self.check_page(page)

    def check_site(
        self, site: Site, page_findings: Mapping[str, Sequence[Finding]] | None = None
    ) -> tuple[list[Finding], dict[str, Any]]:
        ctx = self.context({"page_findings": page_findings or {}})
        findings: list[Finding] = []
        data: dict[str, Any] = {}
        for check in self.site_checks:
            try:
                findings.extend(check.check_site(site, ctx))
                site_data = getattr(check, "site_data", None)
                if callable(site_data):
                    for key, value in site_data(site, ctx).items():
                        if isinstance(value, list) and isinstance(data.get(key), list):
                            data[key].extend(value)
                        else:
                            data[key] = value
            except Exception as exc:
                log.exception("site check %s failed on %s", check.name, site.name)
                findings.append(check_failed_finding(check.name, site.root_url or site.name, exc))
        return self._keep(findings), data

    def start_gathering(self) -> dict[str, Any]:
        return {check.name: check.start() for check in self.preparing}

    def gather(self, gathering: Mapping[str, Any], result: PageResult) -> None:
        for check in self.preparing:
            part = result.prepared.get(check.name)
            if part is not None:
                check.gather(gathering[check.name], part)


# --- process-pool plumbing: one Analyser per worker process --------------------------------------------------

# An audit makes millions of short-lived objects (tokens, sentences, findings) that reference counting frees, and
# few reference cycles; at Python's default threshold (700) the cycle collector ran about once per page in each
# process and a full collection walked every page kept so far. Measured on the 2,000-page bench: collector time
# fell from about 0.9 s to 0.2-0.4 s per process. Forked workers inherit the setting.
_GC_THRESHOLDS = (20_000, 20, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


_WORKER: Analyser | None = None


def _init_worker(config: Config) -> None:
    """A forked worker already holds the parent's Analyser (set just before the pool starts), shared copy-on-write;
    a spawned one builds its own."""
    global _WORKER
    gc.set_threshold(*_GC_THRESHOLDS)
    if _WORKER is None or _WORKER.config is not config:
        _WORKER = Analyser(config)


def _work_fetch(fetch: FetchResult, unchanged_hash: str | None) -> PageResult | Page | None:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.check_fetch(fetch, unchanged_hash)


# --- targets ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: Literal["url", "file"]
    value: str


def classify_targets(targets: Sequence[str]) -> list[Target]:
    """A target is an http(s) URL or a local file; anything else is a usage error named in one line."""
    out: list[Target] = []
    for raw in targets:
        parts = urlsplit(raw)
        if parts.scheme in ("http", "https"):
            if not parts.hostname:
                raise InputError(f"{raw}: not a valid URL (no host)")
            out.append(Target("url", raw))
        elif parts.scheme and len(parts.scheme) > 1 and "://" in raw:
            raise InputError(f"{raw}: only http:// and https:// URLs can be audited")
        else:
            out.append(Target("file", raw))
    if not out:
        raise InputError("nothing to audit: give at least one URL or file")
    return out


def _site_name_for(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _root_of(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}/"


def _page_key(url: str) -> str:
    """The same page whatever the case of its host or a fragment: what makes two fetches one page."""
    p = urlsplit(url)
    return f"{p.scheme.lower()}://{p.netloc.lower()}{p.path or '/'}" + (f"?{p.query}" if p.query else "")


_RESULT_FORMAT = b"cca-result-1:"


def stored_result(engine: str, page: AnalysedPage, findings: tuple[Finding, ...], prepared: Mapping[str, Any]) -> bytes:
    """What the store keeps of a page's analysis, marked with the engine that made it."""
    body = zlib.compress(pickle.dumps((page, findings, dict(prepared)), protocol=pickle.HIGHEST_PROTOCOL), 1)
    return _RESULT_FORMAT + engine.encode("ascii") + b":" + body


def stored_engine(blob: bytes | None) -> str | None:
    """The engine digest a stored result was made by, read without unpacking it."""
    if not blob or not blob.startswith(_RESULT_FORMAT):
        return None
    engine, sep, _ = bytes(blob[len(_RESULT_FORMAT) : len(_RESULT_FORMAT) + 80]).partition(b":")
    return engine.decode("ascii", "replace") if sep else None


def load_result(blob: bytes | None, engine: str) -> PageResult | None:
    """A stored result, only when the same engine made it; anything else (older format, other rules, damaged
    data) is None and costs a fresh analysis, never a wrong one."""
    if not blob or stored_engine(blob) != engine:
        return None
    start = len(_RESULT_FORMAT) + len(engine) + 1
    try:
        page, findings, prepared = pickle.loads(zlib.decompress(blob[start:]))
    except Exception:
        return None
    if not isinstance(page, AnalysedPage) or not isinstance(findings, tuple) or not isinstance(prepared, dict):
        return None
    return PageResult(page, findings, prepared, bytes(blob))


def _result_from_stored(blob: bytes) -> PageResult:
    engine = stored_engine(blob)
    result = load_result(blob, engine) if engine else None
    if result is None:
        raise ValueError("a page result that cannot be unpacked")
    return result


class _Shared:
    """One copy of what many pages repeat (navigation and footer links, logos, header fields): a slim page
    arrives from a worker with its own copies, and two thousand pages of the same menu add up."""

    def __init__(self) -> None:
        self.seen: dict[Any, Any] = {}

    def one(self, value: Any) -> Any:
        return self.seen.setdefault(value, value)

    def page(self, analysed: AnalysedPage) -> AnalysedPage:
        page = analysed.page
        fetch = page.fetch
        if fetch is not None:
            fetch = replace(fetch, headers=tuple(self.one(h) for h in fetch.headers))
        return replace(
            analysed,
            page=replace(
                page,
                links=tuple(self.one(link) for link in page.links),
                images=tuple(self.one(image) for image in page.images),
                headings=tuple(self.one(heading) for heading in page.headings),
                meta=tuple(self.one(pair) for pair in page.meta),
                fetch=fetch,
            ),
        )


@dataclass
class _SiteRun:
    """What one site's audit accumulates before its site checks run."""

    name: str
    root_url: str | None
    pages: dict[str, AnalysedPage] = field(default_factory=dict)  # slim pages by address
    gathering: dict[str, Any] = field(default_factory=dict)  # the preparing site checks' accumulators
    reused: int = 0  # pages taken unchanged from the previous run
    shared: _Shared = field(default_factory=_Shared)


class Pipeline:
    """Runs audits end to end and records them; the CLI, the demo and the scheduler all come through here."""

    def __init__(self, config: Config, store: Store | None = None, progress: bool = False) -> None:
        self.config = config
        self.store = store if store is not None else Store.from_config(config)
        self.progress = progress
        self.analyser = Analyser(config)

    # -- entrances ------------------------------------------------------------------------------------------

    def audit(
        self,
        targets: Sequence[str],
        *,
        crawl: bool = False,
        max_pages: int | None = None,
        kind: RunKind = "audit",
    ) -> str:
        """Ad-hoc audit of URLs and local files. Input errors are raised before anything is recorded."""
        parsed = classify_targets(targets)
        local_pages = [load_local_file(t.value) for t in parsed if t.kind == "file"]
        urls = [t.value for t in parsed if t.kind == "url"]
        from auditor.crawl import check_target_allowed

        for url in urls:
            check_target_allowed(url, self.config.crawl)
        single_fetches: dict[str, list[FetchResult]] = {}
        if not crawl:
            for url in urls:
                fetch = asyncio.run(self._fetch_one(url))
                if fetch.status is None:
                    raise InputError(f"{url}: cannot fetch ({fetch.error or fetch.error_kind or 'no response'})")
                single_fetches.setdefault(_site_name_for(url), []).append(fetch)

        site_names = sorted(single_fetches) if not crawl else sorted({_site_name_for(u) for u in urls})
        if local_pages:
            site_names.append(LOCAL_SITE)
        run_id = self.store.start_run(kind, list(targets), config_digest(self.config), site_names)
        status = "complete"
        try:
            if local_pages:
                self._audit_pages(run_id, self._new_site(LOCAL_SITE, None), local_pages)
            if crawl:
                for name in sorted({_site_name_for(u) for u in urls}):
                    starts = [u for u in urls if _site_name_for(u) == name]
                    site_cfg = SiteConfig(
                        name=name,
                        start_urls=starts,
                        max_pages=max_pages or SiteConfig.model_fields["max_pages"].default,
                    )
                    status = self._merge_status(status, self._audit_site(run_id, site_cfg))
            else:
                for name, fetches in sorted(single_fetches.items()):
                    self._audit_fetches(run_id, self._new_site(name, _root_of(fetches[0].requested_url)), fetches)
        except BaseException:
            self.store.finish_run(run_id, "failed")
            raise
        self._finish(run_id, status)
        return run_id

    def run_sites(self, kind: RunKind = "run", owner: str | None = None) -> tuple[list[str], list[str]]:
        """Audit the configured sites, one run per site, each under a database lock. Returns (run ids, busy sites)."""
        if not self.config.sites:
            raise InputError(f"{self.config.source}: no sites configured (add a `sites:` list)")
        owner = owner or f"{os.uname().nodename}:{os.getpid()}"
        run_ids: list[str] = []
        busy: list[str] = []
        for site_cfg in self.config.sites:
            if not self.store.acquire_site_lock(site_cfg.name, owner):
                busy.append(site_cfg.name)
                continue
            try:
                run_id = self.store.start_run(kind, list(site_cfg.start_urls), config_digest(self.config), [site_cfg.name])
                keep_lock = partial(self._renew_site_lock, site_cfg.name, owner)
                try:
                    status = self._audit_site(run_id, site_cfg, keep_lock)
                except BaseException:
                    self.store.finish_run(run_id, "failed")
                    raise
                self._finish(run_id, status)
                run_ids.append(run_id)
            finally:
                self.store.release_site_lock(site_cfg.name, owner)
        return run_ids, busy

    def _renew_site_lock(self, site: str, owner: str) -> None:
        """Push the site lock's expiry on while pages are still being recorded: a crawl longer than the lock's
        lifetime must not let another process take the site over half way."""
        if not self.store.acquire_site_lock(site, owner):
            log.warning("site %s: the site lock was taken over by another process during this run", site)

    # -- stages ---------------------------------------------------------------------------------------------

    async def _fetch_one(self, url: str) -> FetchResult:
        from auditor.crawl import fetch_url

        return await fetch_url(url, self.config.crawl)

    def _finish(self, run_id: str, status: str) -> None:
        self.store.record_rules(run_id, {rid: rule_to_dict(r) for rid, r in self.analyser.rules.items()})
        self.store.finish_run(run_id, status)

    @staticmethod
    def _merge_status(a: str, b: str) -> str:
        return "partial" if "partial" in (a, b) else a

    def _new_site(self, name: str, root_url: str | None) -> _SiteRun:
        return _SiteRun(name, root_url, gathering=self.analyser.start_gathering())

    def _record_result(self, writer: _PageWriter, site: _SiteRun, url: str, result: PageResult | None,
                       fetch: FetchResult | None, depth: int | None) -> None:
        entry = page_entry(
            site=site.name,
            url=url,
            page=result.page.page if result else None,
            fetch=fetch,
            findings=list(result.findings) if result else [],
            depth=depth,
        )
        if result is not None:
            entry["analysis_blob"] = result.stored
            site.pages[url] = site.shared.page(result.page)
            self.analyser.gather(site.gathering, result)
        writer.add(entry)

    def _site_model(self, site: _SiteRun, **crawl_facts: Any) -> Site:
        return Site(
            name=site.name,
            root_url=site.root_url,
            pages=tuple(site.pages.values()),
            prepared=site.gathering,
            **crawl_facts,
        )

    def _audit_pages(self, run_id: str, site: _SiteRun, pages: Sequence[Page]) -> None:
        with _PageWriter(self.store, run_id, site.name) as writer:
            for page in pages:
                self._record_result(writer, site, page.url, self.analyser.check_page(page), None, None)
        self._site_stage(run_id, site, self._site_model(site))

    def _audit_fetches(self, run_id: str, site: _SiteRun, fetches: Sequence[FetchResult]) -> None:
        with _PageWriter(self.store, run_id, site.name) as writer:
            for fetch in fetches:
                result = self.analyser.check_fetch(fetch)
                assert not isinstance(result, Page), "no previous hash given, so never an unchanged page"
                self._record_result(writer, site, fetch.requested_url, result, fetch, 0)
        self._site_stage(run_id, site, self._site_model(site, fetches=tuple(fetches)))

    def _audit_site(self, run_id: str, site_cfg: SiteConfig, keep_lock: Callable[[], None] | None = None) -> str:
        """Crawl one site, analysing pages in a process pool while the crawl goes on; returns the run status.
        `keep_lock` renews the site lock the run holds, if it holds one."""
        with fewer_collections():
            return asyncio.run(self._crawl_site(run_id, site_cfg, keep_lock))

    def _executor(self, expected_pages: int) -> tuple[Executor, int]:
        """The pool the pages are analysed in, and how many pages it works on at once."""
        workers = self.config.crawl.workers or (os.cpu_count() or 1)
        if workers > 1 and expected_pages >= POOL_MIN_PAGES:
            global _WORKER
            self.analyser.warm_up()
            # Forked workers share this process's loaded language model and rule packs copy-on-write; frozen
            # first, so the collector's bookkeeping does not copy every inherited page in each worker.
            _WORKER = self.analyser
            gc.freeze()
            pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(self.config,))
            return pool, workers
        return ThreadPoolExecutor(max_workers=1), 1

    def _previous(self, site_name: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """The last run's pages, and conditional-request facts for those whose stored result this engine can
        reuse: for the others (new rules, new code) a conditional request would only get a 304 for a page that
        must be read again."""
        from auditor.crawl import PreviousFetch

        previous_pages = self.store.previous_fetches(site_name)
        previous: dict[str, Any] = {}
        for url, p in previous_pages.items():
            reusable = stored_engine(p.get("analysis_head")) == self.analyser.engine
            p["reusable"] = reusable
            headers = (p.get("fetch_headers") or {}) if reusable else {}
            previous[url] = PreviousFetch(
                url=url,
                etag=headers.get("etag"),
                last_modified=headers.get("last_modified"),
                content_hash=p.get("content_hash") if reusable else None,
            )
        return previous_pages, previous

    def _stored_result(self, prev: Mapping[str, Any] | None) -> PageResult | None:
        """An unchanged page's stored result, read and unpacked here: a worker would only pack it up again."""
        if prev is None or not prev.get("reusable"):
            return None
        return load_result(self.store.stored_analysis(int(prev["page_id"])), self.analyser.engine)

    async def _crawl_site(self, run_id: str, site_cfg: SiteConfig, keep_lock: Callable[[], None] | None) -> str:
        from auditor.crawl import crawl_site
        from checks.crawl_checks import without_body

        site = self._new_site(site_cfg.name, _root_of(site_cfg.start_urls[0]))
        previous_pages, previous = self._previous(site_cfg.name)
        loop = asyncio.get_running_loop()
        executor, workers = self._executor(site_cfg.max_pages)
        in_process = isinstance(executor, ThreadPoolExecutor)
        # Fetched bodies wait here for a free worker; beyond a few per worker the crawl waits instead, so a fast
        # server does not fill memory with pages the workers will not reach for minutes.
        in_flight = asyncio.Semaphore(4 * workers)
        tasks: list[asyncio.Task[None]] = []
        depths: dict[str, int] = {}
        revalidated: dict[str, FetchResult] = {}

        work: Callable[[FetchResult, str | None], PageResult | Page | None] = (
            self.analyser.check_fetch if in_process else _work_fetch
        )

        def reuse(prev: Mapping[str, Any] | None) -> PageResult | None:
            result = self._stored_result(prev)
            if result is not None:
                site.reused += 1
            return result

        read_pages: set[str] = set()
        writer = _PageWriter(self.store, run_id, site.name, keep_alive=keep_lock)

        async def handle(fetch: FetchResult) -> None:
            try:
                await analyse(fetch)
            finally:
                in_flight.release()

        async def analyse(fetch: FetchResult) -> None:
            url = fetch.requested_url
            prev = previous_pages.get(url)
            result: PageResult | None = None
            not_modified = fetch.status == 304
            if not_modified:
                # The site checks must see the page as it stands (200 at its address), not as "not modified".
                fetch = replace(fetch, status=(prev or {}).get("status") or 200, body=b"")
                revalidated[url] = fetch
            # A redirect whose target was already read as a page of its own is a fact about the redirect, not a
            # second copy of the page (its findings would otherwise be reported twice).
            final_key = _page_key(fetch.final_url or url)
            if fetch.redirect_chain and final_key in read_pages:
                self._record_result(writer, site, url, None, fetch, depths.get(url))
                return
            read_pages.add(final_key)
            if not_modified:
                result = reuse(prev)
                if result is None:  # a 304 for a page whose stored result cannot be used: fetch it whole
                    from auditor.crawl import fetch_url

                    fresh = await fetch_url(url, self.config.crawl)
                    fetch = replace(fresh, depth=fetch.depth)
                    revalidated[url] = without_body(fetch)
                    outcome = await loop.run_in_executor(executor, work, fetch, None)
                    result = outcome if isinstance(outcome, PageResult) else None
            else:
                prev_hash = prev.get("content_hash") if prev is not None and prev.get("reusable") else None
                outcome = await loop.run_in_executor(executor, work, fetch, prev_hash)
                if isinstance(outcome, Page):
                    result = reuse(prev)
                    if result is None:
                        outcome = await loop.run_in_executor(executor, work, fetch, None)
                if isinstance(outcome, PageResult):
                    result = outcome
            self._record_result(writer, site, url, result, fetch, depths.get(url))

        async def on_fetch(fetch: FetchResult) -> None:
            depths[fetch.requested_url] = fetch.depth
            await in_flight.acquire()
            tasks.append(asyncio.create_task(handle(fetch)))

        progress_sink = None
        if self.progress:
            from auditor.crawl.progress import RichProgress

            progress_sink = RichProgress()
        try:
            with writer:
                outcome = await crawl_site(
                    site_cfg,
                    self.config.crawl,
                    previous=previous,
                    on_fetch=on_fetch,
                    progress=progress_sink,
                    retain=without_body,
                )
                await asyncio.gather(*tasks)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
            if not in_process:
                gc.unfreeze()
        previous_pages.clear()  # the last run's pages and findings are not needed by the site checks
        previous.clear()
        depths.update(dict(outcome.depths))
        site_model = self._site_model(
            site,
            fetches=tuple(revalidated.get(f.requested_url, f) for f in outcome.fetches),
            sitemap_urls=outcome.sitemap_urls,
            robots_txt=outcome.robots_txt,
            robots_status=outcome.robots_status,
            depths=outcome.depths,
            skipped=outcome.skipped,
        )
        log.info("%s: %d pages, %d taken unchanged from the previous run", site.name, len(site.pages), site.reused)
        self._site_stage(run_id, site, site_model)
        return "complete"

    def _site_stage(self, run_id: str, site: _SiteRun, site_model: Site) -> None:
        findings, data = self.analyser.check_site(site_model)
        if site_model.skipped:
            data["skipped"] = [{"url": u, "reason": r, "site": site.name} for u, r in site_model.skipped]
        # `reused`: pages that had not changed since the last run, whose stored result was taken as it was.
        entry = {"name": site.name, "root_url": site.root_url, "pages": len(site_model.pages), "reused": site.reused}
        self.store.record_site(run_id, entry, [finding_to_dict(f) for f in findings], data)


class _PageWriter:
    """Pages reach the store in small batches (one transaction each), not one by one: per page the main
    process then spends its time on the crawl and the site checks. A batch waits at most `max_wait` seconds,
    so an interrupted run loses at most that much of its record."""

    def __init__(
        self,
        store: Store,
        run_id: str,
        site: str,
        size: int = 64,
        max_wait: float = 1.0,
        keep_alive: Callable[[], None] | None = None,
        keep_alive_every: float = LOCK_RENEW_SECONDS,
    ) -> None:
        self.store, self.run_id, self.site = store, run_id, site
        self.size, self.max_wait = size, max_wait
        self.entries: list[dict[str, Any]] = []
        self.since = 0.0
        self.keep_alive, self.keep_alive_every = keep_alive, keep_alive_every
        self.kept_alive = time.monotonic()

    def add(self, entry: dict[str, Any]) -> None:
        if not self.entries:
            self.since = time.monotonic()
        self.entries.append(entry)
        if len(self.entries) >= self.size or time.monotonic() - self.since >= self.max_wait:
            self.flush()

    def flush(self) -> None:
        if self.entries:
            entries, self.entries = self.entries, []
            self.store.record_pages(self.run_id, self.site, entries)
        if self.keep_alive is not None and time.monotonic() - self.kept_alive >= self.keep_alive_every:
            self.kept_alive = time.monotonic()
            self.keep_alive()

    def __enter__(self) -> _PageWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()


def render_stored_run(store: Store, run_id: str, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """Reports are written from the stored run alone, so `auditor report RUN` gives the same files later."""
    from reports import render_run

    doc = store.load_document(run_id)
    sites = [s["name"] for s in doc.get("sites", [])]
    history = store.history(site=sites[0] if len(sites) == 1 else None)
    history = [h for h in history if h["run"]["id"] != run_id and h["run"]["started"] <= doc["run"]["started"]]
    return render_run(doc, out_dir, formats, history)


def run_configured_sites(config: Config, kind: RunKind = "scheduled") -> list[str]:
    """The scheduler's job: audit every configured site once; sites locked by another process are skipped."""
    pipeline = Pipeline(config)
    try:
        run_ids, busy = pipeline.run_sites(kind=kind)
        for name in busy:
            log.warning("site %s is being audited by another process; skipped", name)
        return run_ids
    finally:
        pipeline.store.close()


