"""robots.txt per origin, parsed by Protego, read the way RFC 9309 says: what it forbids is never fetched."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from auditor.crawl.fetch import Fetcher

ROBOTS_MAX_BYTES = 512_000  # RFC 9309 lets crawlers stop at 500 KiB
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309: follow at least five


@dataclass
class RobotsRules:
    """The rules of one origin. Status 4xx means no rules; 5xx or no answer means everything is disallowed
    (RFC 9309 section 2.3.1.4), so an unreachable robots.txt never turns into a licence to crawl."""

    origin: str
    status: int | None
    text: str | None
    parser: Protego | None = None
    disallow_all: bool = False
    error: str | None = None
    sitemaps: list[str] = field(default_factory=list)

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def product_token(user_agent: str) -> str:
    """The name robots.txt groups match against: the product token before the first '/' or space."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0] or user_agent


def parse_robots(origin: str, status: int | None, body: bytes, error: str | None = None) -> RobotsRules:
    if status is not None and 200 <= status < 300:
        text = body.decode("utf-8", errors="replace")
        parser = Protego.parse(text)
        return RobotsRules(origin, status, text, parser, sitemaps=list(parser.sitemaps))
    if status is not None and 400 <= status < 500:
        return RobotsRules(origin, status, None)
    return RobotsRules(
        origin, status, None, disallow_all=True, error=error or f"robots.txt answered HTTP {status}"
    )


class RobotsCache:
    """Fetches each origin's robots.txt once, even when many workers ask at the same moment."""

    def __init__(self, fetcher: Fetcher, user_agent: str, enabled: bool = True) -> None:
        self._fetcher = fetcher
        self.user_agent = user_agent
        self.token = product_token(user_agent)
        self.enabled = enabled
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def known(self, url: str) -> RobotsRules | None:
        return self._rules.get(origin_of(url))

    async def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        rules = self._rules.get(origin)
        if rules is not None:
            return rules
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self._rules.get(origin)
            if rules is None:
                rules = await self._load(origin)
                self._rules[origin] = rules
                delay = rules.crawl_delay(self.token)
                if delay is not None and self.enabled:
                    gate_delay = min(delay, self._fetcher.crawl.max_crawl_delay)
                    self._fetcher.gates.set_delay(urlsplit(origin).netloc, gate_delay)
        return rules

    async def _load(self, origin: str) -> RobotsRules:
        result = await self._fetcher.get(
            origin + "/robots.txt", max_bytes=ROBOTS_MAX_BYTES, max_redirects=ROBOTS_MAX_REDIRECTS
        )
        if result.error_kind == "too_large":  # the first 500 KiB are what counts
            return parse_robots(origin, result.status, result.body)
        if result.error_kind is not None:
            return parse_robots(origin, None, b"", result.error)
        return parse_robots(origin, result.status, result.body)

    def allowed_now(self, url: str) -> bool | None:
        """True/False when this origin's rules are loaded; None when they still have to be fetched."""
        if not self.enabled:
            return True
        rules = self._rules.get(origin_of(url))
        if rules is None:
            return None
        return rules.allowed(url, self.token)

    async def allowed(self, url: str) -> bool:
        if not self.enabled:
            return True
        rules = await self.rules_for(url)
        return rules.allowed(url, self.token)
