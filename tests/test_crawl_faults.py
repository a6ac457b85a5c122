"""A crawl of the fault server: one finding per fault with the right id, robots obeyed, concurrency capped."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from faultserver import (
    CLEAN_PATHS,
    CRAWL_DELAY,
    EXPECTED_FINDINGS,
    ROBOTS_DISALLOWED,
    FaultServer,
    fault_server,
)

from auditor.config import Config, CrawlConfig, SiteConfig, TimeoutConfig
from auditor.crawl import CrawlOutcome, crawl_site
from auditor.models import FetchResult, Finding, Site
from checks.crawl_checks import CrawlChecks
from checks.registry import CheckContext

PER_HOST = 3
CRAWL = CrawlConfig(
    allow_private=True,
    concurrency=8,
    per_host_concurrency=PER_HOST,
    retries=1,
    retry_backoff=0.1,
    timeout=TimeoutConfig(connect=1.0, read=1.5, total=2.5),
    max_body_bytes=1_000_000,
    slow_response_seconds=0.5,
    max_query_variants=3,
    max_numeric_variants=8,
    calendar_years_ahead=1,
    request_budget=200,
)


@dataclass
class Run:
    server: FaultServer
    outcome: CrawlOutcome
    streamed: list[FetchResult]
    findings: list[Finding]


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with fault_server() as server:
        site = SiteConfig(name="faults", start_urls=[server.base + "/"], exclude=["/out/*"])
        streamed: list[FetchResult] = []

        async def on_fetch(fetch: FetchResult) -> None:
            streamed.append(fetch)

        outcome = asyncio.run(crawl_site(site, CRAWL, on_fetch=on_fetch))
        model = Site(
            name="faults",
            root_url=server.base,
            fetches=outcome.fetches,
            skipped=outcome.skipped,
            robots_txt=outcome.robots_txt,
            robots_status=outcome.robots_status,
        )
        findings = list(CrawlChecks().check_site(model, CheckContext(config=Config(crawl=CRAWL))))
        yield Run(server, outcome, streamed, findings)


def _by_path(run: Run) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for finding in run.findings:
        found[finding.url.removeprefix(run.server.base)].append(finding.check_id)
    return found


def test_one_finding_per_fault_with_the_right_id(run: Run) -> None:
    found = _by_path(run)
    for path, check_id in EXPECTED_FINDINGS.items():
        assert found.get(path) == [check_id], (path, found.get(path))


def test_clean_pages_have_no_crawl_findings(run: Run) -> None:
    found = _by_path(run)
    fetched = {f.requested_url.removeprefix(run.server.base) for f in run.outcome.fetches}
    for path in CLEAN_PATHS:
        assert path in fetched, path
        assert path not in found, (path, found.get(path))


def test_traps_and_scope_are_reported_once_per_section(run: Run) -> None:
    found = _by_path(run)
    assert found["/infinite/"] == ["CRL012"]
    assert found["/calendar/"] == ["CRL012"]
    assert found["/out/"] == ["CRL012"]
    reasons = {url.removeprefix(run.server.base): why for url, why in run.outcome.skipped}
    assert reasons["/out/page"] == "out_of_scope"
    assert any(p.startswith("/infinite/") and why == "trap" for p, why in reasons.items())
    # The endless generators were cut short by the trap defences, not by the page limit.
    assert sum(p.startswith("/infinite/") for p in run.server.paths()) <= 2 * CRAWL.max_numeric_variants
    year = dt.date.today().year
    assert not any(p.startswith(f"/calendar/{year + 3}") for p in run.server.paths())


def test_robots_txt_forbidden_paths_are_never_fetched(run: Run) -> None:
    paths = run.server.paths()
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith(ROBOTS_DISALLOWED)]
    # The disallowed page listed in the sitemap was not fetched either, but is reported as blocked.
    assert f"{run.server.base}/private/secret" in run.outcome.sitemap_urls


def test_per_host_concurrency_never_exceeded(run: Run) -> None:
    assert run.server.max_in_flight <= PER_HOST
    assert run.server.max_in_flight >= 2  # the crawl did work in parallel
    assert run.outcome.peak_host_concurrency <= PER_HOST


def test_crawl_delay_spaces_request_starts(run: Run) -> None:
    # The gate spaces starts on our side; the server sees them with the jitter of a busy loop, so the rate is
    # judged over windows of five requests: no five ever started faster than Crawl-delay allows.
    starts = sorted(run.server.starts())
    window = 4
    spans = [starts[i + window] - starts[i] for i in range(len(starts) - window)]
    assert len(starts) > 30
    assert min(spans) >= window * CRAWL_DELAY * 0.75


def test_retry_after_is_honoured_and_transient_errors_retried(run: Run) -> None:
    first, second = run.server.starts("/ratelimited-once")
    assert second - first >= 0.9  # Retry-After: 1
    assert run.server.hits("/flaky") == 2  # a 503, then the page
    assert run.server.hits("/error500") == CRAWL.retries + 1
    assert run.server.hits("/missing") == 1  # a 404 is not retried


def test_within_budget_and_every_request_accounted_for(run: Run) -> None:
    assert run.outcome.requests <= CRAWL.request_budget
    assert len(run.server.paths()) == run.outcome.requests


def test_results_stream_as_they_arrive(run: Run) -> None:
    assert [f.requested_url for f in run.streamed] == [f.requested_url for f in run.outcome.fetches]
    assert len(run.outcome.fetches) == len({f.requested_url for f in run.outcome.fetches})


def test_sitemap_orphans_are_fetched_without_a_depth(run: Run) -> None:
    orphan = f"{run.server.base}/orphan"
    fetch = next(f for f in run.outcome.fetches if f.requested_url == orphan)
    assert fetch.status == 200 and fetch.depth == -1
    depths = dict(run.outcome.depths)
    assert orphan not in depths
    assert depths[f"{run.server.base}/"] == 0 and depths[f"{run.server.base}/ok"] == 1


def test_bodies_are_capped_while_streaming(run: Run) -> None:
    by_path = {f.requested_url.removeprefix(run.server.base): f for f in run.outcome.fetches}
    for path in ("/huge", "/bomb"):
        fetch = by_path[path]
        assert fetch.truncated and fetch.error_kind == "too_large"
        assert len(fetch.body) == CRAWL.max_body_bytes
    assert by_path["/redirect-ok"].final_url == f"{run.server.base}/ok"
    assert [r.status for r in by_path["/redirect-ok"].redirect_chain] == [301]
    assert len(by_path["/loop-a"].redirect_chain) == 2
