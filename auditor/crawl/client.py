"""Builds the shared httpx client: HTTP/1.1 keep-alive, our timeouts and user agent, redirects left to us."""

from __future__ import annotations

import httpcore
import httpx

from auditor.config import CrawlConfig
from auditor.crawl.safety import GuardedBackend

# We decode bodies ourselves (see fetch.py) so the size cap counts decompressed bytes as they are produced;
# only encodings the standard library can stream with a bounded output are asked for.
ACCEPT_ENCODING = "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def timeouts(crawl: CrawlConfig) -> httpx.Timeout:
    """Connect and read limits per operation; the total limit is enforced around each fetch by the fetcher."""
    t = crawl.timeout
    return httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.total)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with a connection pool whose network backend checks every address it dials.

    httpx does not expose the network backend, so the pool is rebuilt with the same settings; the transport's
    request handling and error mapping stay httpx's.
    """

    def __init__(self, crawl: CrawlConfig, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, http1=True, http2=False, trust_env=False, retries=0)
        old = self._pool
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=GuardedBackend(httpcore.AnyIOBackend(), crawl.allow_private),
        )
        del old


def make_client(crawl: CrawlConfig) -> httpx.AsyncClient:
    """One client per crawl: connections are reused across pages (keep-alive), and never across runs."""
    limits = httpx.Limits(
        max_connections=max(crawl.concurrency, crawl.per_host_concurrency),
        max_keepalive_connections=max(crawl.concurrency, crawl.per_host_concurrency),
        keepalive_expiry=30.0,
    )
    return httpx.AsyncClient(
        transport=GuardedTransport(crawl, limits),
        timeout=timeouts(crawl),
        follow_redirects=False,
        trust_env=False,
        headers={
            "User-Agent": crawl.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
            "Accept-Language": "en",
        },
    )
