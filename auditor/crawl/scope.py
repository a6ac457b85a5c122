"""What the crawl may visit: URL normalisation, same-site and include/exclude rules, crawl-trap defences."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

from url_normalize import url_normalize

from auditor.config import CrawlConfig, SiteConfig

_SCHEMES = ("http", "https")
# Session ids carried as path parameters (Java, PHP) are dropped: the same page under a new id every visit.
_MATRIX_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid|session_id)=[^/?#]*", re.IGNORECASE)
# Session ids carried as whole path segments cannot be dropped safely, so such URLs are treated as traps.
_PATH_SESSION = re.compile(
    r"/\([A-Z]\([A-Za-z0-9_-]{8,}\)\)"  # ASP.NET cookieless sessions: /(S(abc...))/
    r"|/(?:sid|sessionid|session|sess|jsessionid|phpsessid)[=_-]?[0-9a-fA-F]{16,}(?:/|$)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"(?<!\d)((?:19|20|21)\d\d)(?:[-/_.]?(0[1-9]|1[0-2]))?(?!\d)")
_NORMALISE_CACHE_MAX = 200_000


def _compile_globs(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(fnmatch.translate(p.lower())) for p in patterns]


class Normaliser:
    """One spelling per page, so the crawl never fetches a page twice under two spellings.

    Lower-cased scheme and host, default ports and dot segments removed, percent-encoding made canonical
    (by url-normalize), fragment dropped, tracking and session parameters dropped by config, remaining query
    parameters sorted, and optionally the trailing slash removed. Results are cached because navigation links
    repeat on every page.
    """

    def __init__(self, drop_query_params: Sequence[str] = (), strip_trailing_slash: bool = False) -> None:
        self._drop = _compile_globs(drop_query_params)
        self._strip_slash = strip_trailing_slash
        self._cache: dict[str, str | None] = {}

    def __call__(self, url: str) -> str | None:
        cached = self._cache.get(url, "")
        if cached != "":
            return cached
        result = self._normalise(url)
        if len(self._cache) >= _NORMALISE_CACHE_MAX:
            self._cache.clear()
        self._cache[url] = result
        return result

    def _normalise(self, url: str) -> str | None:
        url = url.strip()
        if not url:
            return None
        url = url.split("#", 1)[0]
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in _SCHEMES:
            return None
        try:
            normal = url_normalize(url)
            parts = urlsplit(normal or "")
        except (ValueError, UnicodeError):
            return None
        if not parts.hostname:
            return None
        path = _MATRIX_SESSION.sub("", parts.path) or "/"
        if self._strip_slash and len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        query = self._query(parts.query)
        return urlunsplit((parts.scheme, parts.netloc, path, query, ""))

    def _query(self, query: str) -> str:
        if not query:
            return ""
        kept = []
        for pair in query.split("&"):
            if not pair:
                continue
            name = unquote(pair.split("=", 1)[0]).lower()
            if any(rx.match(name) for rx in self._drop):
                continue
            kept.append(pair)
        kept.sort()
        return "&".join(kept)


def site_host(host: str) -> str:
    """A site is its host name without a leading www. (ports and http/https are one site)."""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


class Scope:
    """Same-site by default, narrowed by include globs and excluded by exclude globs.

    A glob that starts with "/" is matched against the path and query; any other glob against the whole URL.
    """

    def __init__(self, site: SiteConfig, start_urls: Sequence[str]) -> None:
        self.hosts = {site_host(urlsplit(u).hostname or "") for u in start_urls}
        self._include = [
            (p.startswith("/"), rx) for p, rx in zip(site.include, _compile_globs(site.include), strict=True)
        ]
        self._exclude = [
            (p.startswith("/"), rx) for p, rx in zip(site.exclude, _compile_globs(site.exclude), strict=True)
        ]

    def same_site(self, url: str) -> bool:
        return site_host(urlsplit(url).hostname or "") in self.hosts

    @staticmethod
    def _matches(url: str, globs: list[tuple[bool, re.Pattern[str]]]) -> bool:
        if not globs:
            return False
        parts = urlsplit(url)
        path = (parts.path + ("?" + parts.query if parts.query else "")).lower()
        full = url.lower()
        return any(rx.match(path if on_path else full) for on_path, rx in globs)

    def allows(self, url: str) -> bool:
        """In scope: on the site, matched by an include glob (when there are any) and by no exclude glob."""
        if not self.same_site(url):
            return False
        if self._include and not self._matches(url, self._include):
            return False
        return not self._matches(url, self._exclude)


def numeric_template(url: str) -> str | None:
    """The URL with every run of digits replaced by '#'; None when it has no digits to vary."""
    parts = urlsplit(url)
    tail = parts.path + ("?" + parts.query if parts.query else "")
    if not _DIGITS.search(tail):
        return None
    return parts.netloc + _DIGITS.sub("#", tail)


class TrapGuard:
    """Stops endless URL spaces before they eat the page budget.

    Each rule names a trap seen in the wild: over-long URLs and deep paths (relative links that nest forever),
    a path segment repeated over and over (/a/b/a/b/...), session ids in paths, query-parameter explosions
    (sort/filter permutations of one page), endless calendars (dates far in the future) and long runs of URLs
    that differ only in their numbers (next-month and next-page links without end). The guard only judges
    newly discovered URLs; start URLs are never refused.
    """

    def __init__(self, crawl: CrawlConfig, today: _dt.date | None = None) -> None:
        self._crawl = crawl
        self._year = (today or _dt.date.today()).year
        self._query_variants: dict[str, set[str]] = defaultdict(set)
        self._numeric: dict[str, set[str]] = defaultdict(set)

    def check(self, url: str) -> str | None:
        """The trap kind this URL falls into, or None when it may be crawled; counts it when accepted."""
        crawl = self._crawl
        if len(url) > crawl.max_url_length:
            return "long_url"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > crawl.max_path_segments:
            return "deep_path"
        if segments:
            counts: dict[str, int] = defaultdict(int)
            for seg in segments:
                counts[seg] += 1
            if max(counts.values()) >= crawl.max_repeated_segment:
                return "repeated_segment"
        if _PATH_SESSION.search(parts.path):
            return "session_id"
        if self._is_calendar(parts.path + "?" + parts.query):
            return "calendar"
        path_key = parts.netloc + parts.path
        if parts.query:
            seen = self._query_variants[path_key]
            if parts.query not in seen and len(seen) >= crawl.max_query_variants:
                return "query_explosion"
        template = numeric_template(url)
        if template is not None:
            variants = self._numeric[template]
            if url not in variants and len(variants) >= crawl.max_numeric_variants:
                return "numeric_variants"
            variants.add(url)
        if parts.query:
            self._query_variants[path_key].add(parts.query)
        return None

    def _is_calendar(self, text: str) -> bool:
        limit = self._year + self._crawl.calendar_years_ahead
        for match in _DATE.finditer(text):
            year = int(match.group(1))
            if match.group(2) is None and not re.search(
                r"(?:year|yr|date|calendar)[=/_-]?$", text[: match.start()], re.IGNORECASE
            ):
                continue  # a bare four-digit number is only a year when something says so
            if year > limit or year < 1990:
                return True
        return False
