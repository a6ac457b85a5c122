"""Fetches one URL the careful way: redirects hop by hop, retries with backoff, time and size limits.

Every failure becomes a FetchResult with `error_kind` set (see models.FetchResult), never an exception, so one
bad page cannot stop a crawl. The error kinds are:
  connect, reset, tls, protocol, bad_encoding  the server could not be reached or talked nonsense
  timeout                                   connect, read or total time limit exceeded (slow drip included)
  too_large                                 body cut at crawl.max_body_bytes (after decompression)
  redirect_loop, too_many_redirects, bad_redirect
  unsafe_address                            a hop resolved to an address we refuse (see safety.py)
  budget                                    the request budget ran out before this URL could be fetched
  internal                                  an unexpected fault in the crawler itself, confined to this URL
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from auditor.config import CrawlConfig
from auditor.crawl.body import UnsupportedEncoding, read_capped
from auditor.crawl.politeness import Budget, Gates
from auditor.errors import UnsafeTargetError
from auditor.models import FetchResult, Redirect

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_ERRORS = frozenset({"timeout", "connect", "reset"})
_DRAIN_BYTES = 65_536

# A hop decision: None to follow the redirect, or the reason it must not be followed (e.g. "robots").
HopCheck = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Attempt:
    """One request/response exchange, before redirects are followed."""

    url: str
    status: int | None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    elapsed: float = 0.0
    error: str | None = None
    error_kind: str | None = None
    truncated: bool = False

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> tuple[str, str]:
    """(error_kind, one-line description) for a network-level failure."""
    chain = _chain(exc)
    text = "; ".join(str(e) for e in chain if str(e)) or type(exc).__name__
    if any(isinstance(e, UnsafeTargetError) for e in chain):
        return "unsafe_address", str(next(e for e in chain if isinstance(e, UnsafeTargetError)))
    if any(isinstance(e, httpx.ConnectTimeout) for e in chain):
        return "timeout", "no connection within the connect time limit"
    if any(isinstance(e, httpx.ReadTimeout) for e in chain):
        return "timeout", "the server went silent for longer than the read time limit"
    if any(isinstance(e, (TimeoutError, httpx.TimeoutException)) for e in chain):
        return "timeout", "the exchange exceeded a time limit"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSL" in text or "CERTIFICATE" in text.upper():
        return "tls", text
    if any(isinstance(e, ConnectionResetError) for e in chain) or "disconnected" in text.lower():
        return "reset", text
    if any(isinstance(e, (httpx.ReadError, httpx.WriteError)) for e in chain):
        return "reset", text
    if any(isinstance(e, httpx.ConnectError) for e in chain):
        return "connect", text
    if any(isinstance(e, (httpx.RemoteProtocolError, httpx.LocalProtocolError)) for e in chain):
        return "protocol", text
    return "connect", text


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """Shared by every fetch of a crawl: one client, one set of host gates, one budget."""

    def __init__(self, client: httpx.AsyncClient, crawl: CrawlConfig, gates: Gates, budget: Budget) -> None:
        self.client = client
        self.crawl = crawl
        self.gates = gates
        self.budget = budget
        self.requests = 0
        self.retries = 0

    async def get(
        self,
        url: str,
        *,
        depth: int = 0,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        hop_check: HopCheck | None = None,
        max_redirects: int | None = None,
    ) -> FetchResult:
        """Fetch `url`, following redirects ourselves so every hop is recorded, re-checked and loop-proof."""
        limit = self.crawl.max_redirects if max_redirects is None else max_redirects
        chain: list[Redirect] = []
        visited = {url}
        current = url
        elapsed = 0.0
        while True:
            attempt = await self._with_retries(current, headers, max_bytes or self.crawl.max_body_bytes)
            elapsed += attempt.elapsed
            status = attempt.status
            if attempt.error_kind is not None or status not in REDIRECT_STATUSES:
                return self._result(url, attempt, chain, elapsed, depth)
            location = attempt.header("location")
            target = _resolve(current, location)
            if target is None:
                return self._result(
                    url,
                    attempt,
                    chain,
                    elapsed,
                    depth,
                    "bad_redirect",
                    f"HTTP {status} redirect without a usable Location header",
                )
            chain.append(Redirect(url=current, status=status, location=target))
            if target in visited:
                return self._result(
                    url,
                    attempt,
                    chain,
                    elapsed,
                    depth,
                    "redirect_loop",
                    f"redirect loop: {target} was already visited in this chain",
                )
            if len(chain) > limit:
                return self._result(
                    url, attempt, chain, elapsed, depth, "too_many_redirects", f"more than {limit} redirects"
                )
            refusal = hop_check(target) if hop_check is not None else None
            if refusal is not None:
                return self._result(url, attempt, chain, elapsed, depth)
            visited.add(target)
            current = target

    def _result(
        self,
        requested: str,
        attempt: Attempt,
        chain: list[Redirect],
        elapsed: float,
        depth: int,
        error_kind: str | None = None,
        error: str | None = None,
    ) -> FetchResult:
        return FetchResult(
            requested_url=requested,
            final_url=attempt.url,
            status=attempt.status,
            headers=attempt.headers,
            body=attempt.body,
            elapsed=round(elapsed, 4),
            redirect_chain=tuple(chain),
            error=error or attempt.error,
            error_kind=error_kind or attempt.error_kind,
            truncated=attempt.truncated,
            depth=depth,
        )

    async def _with_retries(self, url: str, headers: Mapping[str, str] | None, cap: int) -> Attempt:
        netloc = urlsplit(url).netloc
        gate = self.gates.get(netloc)
        attempt = Attempt(url=url, status=None)
        for number in range(self.crawl.retries + 1):
            if not self.budget.take(netloc):
                return Attempt(
                    url=url,
                    status=None,
                    error_kind="budget",
                    error="the request budget for this run or host is spent",
                )
            async with gate.slot():
                self.requests += 1
                attempt = await self._once(url, headers, cap)
            if number >= self.crawl.retries or not _retryable(attempt):
                return attempt
            wait = retry_after_seconds(attempt.header("retry-after"))
            if wait is not None:
                if wait > self.crawl.max_retry_after:
                    return attempt  # the server wants more patience than config allows: report it as is
                gate.push_back(wait)
            else:
                base = self.crawl.retry_backoff * (2**number)
                wait = base + random.uniform(0, base / 2)
            self.retries += 1
            await asyncio.sleep(wait)
        return attempt

    async def _once(self, url: str, headers: Mapping[str, str] | None, cap: int) -> Attempt:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.crawl.timeout.total):
                async with self.client.stream("GET", url, headers=headers) as response:
                    pairs = tuple((k, v) for k, v in response.headers.multi_items())
                    if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
                        # Drain a small body so the connection can be reused; a big one is dropped with it.
                        await _drain(response)
                        return Attempt(url, response.status_code, pairs, b"", time.perf_counter() - started)
                    try:
                        body = await read_capped(response, cap)
                    except UnsupportedEncoding as exc:
                        return Attempt(
                            url,
                            response.status_code,
                            pairs,
                            b"",
                            time.perf_counter() - started,
                            f"the body uses a compression we did not ask for ({exc})",
                            "bad_encoding",
                        )
                    except zlib.error as exc:
                        return Attempt(
                            url,
                            response.status_code,
                            pairs,
                            b"",
                            time.perf_counter() - started,
                            f"the compressed body is corrupt ({exc})",
                            "bad_encoding",
                        )
                    elapsed = time.perf_counter() - started
                    if body.truncated:
                        return Attempt(
                            url,
                            response.status_code,
                            pairs,
                            body.data,
                            elapsed,
                            f"body larger than {cap} bytes; cut there",
                            "too_large",
                            True,
                        )
                    return Attempt(url, response.status_code, pairs, body.data, elapsed)
        except TimeoutError:
            return Attempt(
                url,
                None,
                elapsed=time.perf_counter() - started,
                error_kind="timeout",
                error=f"no complete response within {self.crawl.timeout.total:g} s",
            )
        except (httpx.HTTPError, OSError, UnsafeTargetError, ssl.SSLError) as exc:
            kind, text = classify(exc)
            return Attempt(url, None, elapsed=time.perf_counter() - started, error_kind=kind, error=text)


async def _drain(response: httpx.Response) -> None:
    with contextlib.suppress(UnsupportedEncoding, zlib.error):
        await read_capped(response, _DRAIN_BYTES)


def _retryable(attempt: Attempt) -> bool:
    if attempt.error_kind is not None:
        return attempt.error_kind in RETRY_ERRORS
    return attempt.status in RETRY_STATUSES


def _resolve(base: str, location: str | None) -> str | None:
    if not location or not location.strip():
        return None
    try:
        target = urljoin(base, location.strip())
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return target.split("#", 1)[0]
