"""Per-host manners: at most N requests in flight, a minimum gap between request starts, request budgets."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostGate:
    """One per host. The gap applies between request starts, so Crawl-delay: 1 means one request a second
    even when several connections are open; a Retry-After pushes the next start for the whole host."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._lock = asyncio.Lock()
        self.delay = delay
        self._last_start = float("-inf")
        self._hold_until = 0.0
        self.in_flight = 0
        self.peak = 0

    def push_back(self, seconds: float) -> None:
        """Hold every request to this host for `seconds` (the server asked us to wait)."""
        self._hold_until = max(self._hold_until, time.monotonic() + seconds)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            async with self._lock:
                # Read the delay at each start, so a Crawl-delay learnt meanwhile applies at once.
                wait = max(self._hold_until, self._last_start + self.delay) - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last_start = time.monotonic()
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1


class Gates:
    """Gates by host:port, created on first use with the configured concurrency and delay."""

    def __init__(self, per_host_concurrency: int, delay: float) -> None:
        self._concurrency = per_host_concurrency
        self._delay = delay
        self._gates: dict[str, HostGate] = {}

    def get(self, netloc: str) -> HostGate:
        gate = self._gates.get(netloc)
        if gate is None:
            gate = self._gates[netloc] = HostGate(self._concurrency, self._delay)
        return gate

    def set_delay(self, netloc: str, delay: float) -> None:
        """robots.txt's Crawl-delay raises (never lowers) the configured delay for its host."""
        gate = self.get(netloc)
        gate.delay = max(self._delay, delay)

    @property
    def peak(self) -> int:
        return max((g.peak for g in self._gates.values()), default=0)


class Budget:
    """Caps on requests per run and per host, retries and redirect hops included: a hostile or broken site
    cannot make one audit send unbounded traffic."""

    def __init__(self, total: int, per_host: int) -> None:
        self.total = total
        self.per_host = per_host
        self.used = 0
        self.by_host: dict[str, int] = defaultdict(int)

    def take(self, netloc: str) -> bool:
        if self.used >= self.total or self.by_host[netloc] >= self.per_host:
            return False
        self.used += 1
        self.by_host[netloc] += 1
        return True
