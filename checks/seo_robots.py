"""Crawler directives as Lighthouse reads them: robots.txt, meta robots and X-Robots-Tag."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_tz
from functools import lru_cache
from urllib.parse import quote, urlsplit

# Lighthouse's is-crawlable audit fails a page only when every one of these agents is blocked; None stands for
# the generic case (meta name="robots", an unprefixed X-Robots-Tag, the robots.txt group "*").
BOT_USER_AGENTS: tuple[str | None, ...] = (None, "Googlebot", "bingbot", "DuckDuckBot", "archive.org_bot")
BLOCKING_DIRECTIVES = frozenset({"noindex", "none"})
UNAVAILABLE_AFTER = "unavailable_after"


# --- robots.txt matching, as the robots-parser package (3.0.1) that Lighthouse uses -------------------------


@dataclass(frozen=True)
class RobotsRule:
    pattern: str
    allow: bool
    line: int


_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_NEWLINES = re.compile(r"\r\n|\r|\n")
# encodeURI leaves these alone; Python's quote() already keeps letters, digits and "_.-~".
_ENCODE_URI_SAFE = ";,/?:@&=+$!*'()#"


def _upper_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(0).upper(), text)


def _normalise_pattern(pattern: str) -> str:
    """encodeURI, keep existing escapes, upper-case them: robots-parser's normaliseEncoding."""
    return _upper_escapes(quote(pattern, safe=_ENCODE_URI_SAFE).replace("%25", "%"))


@lru_cache(maxsize=4096)
def _url_path(url: str) -> str:
    """Path and query as a WHATWG URL serialises them (non-ASCII and spaces percent-encoded). Remembered: a
    page's URL is matched against robots.txt for each of the five agents, twice."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe="/%!$&'()*+,;=:@[]|^~-._")
    query = "?" + quote(parts.query, safe="/%!$&()*+,;=:@[]|^~-._?`{}\\") if parts.query else ""
    return _upper_escapes(path + query)


def pattern_matches(pattern: str, path: str) -> bool:
    """Google's robots.txt matching (robots.cc), as robots-parser ports it: "*" any run, final "$" end."""
    lengths = [0]
    for p, char in enumerate(pattern):
        if char == "$" and p + 1 == len(pattern):
            return lengths[-1] == len(path)
        if char == "*":
            lengths = list(range(lengths[0], len(path) + 1))
            continue
        lengths = [n + 1 for n in lengths if n < len(path) and path[n] == char]
        if not lengths:
            return False
    return True


def _format_agent(agent: str) -> str:
    agent = agent.lower()
    slash = agent.find("/")
    if slash > -1:
        agent = agent[:slash]
    return agent.strip()


class RobotsTxt:
    """A parsed robots.txt: exact agent groups, else "*"; longest match wins, allow on ties."""

    def __init__(self, content: str) -> None:
        self.rules: dict[str, list[RobotsRule]] = {}
        current: list[str] = []
        none_agent_state = True
        for number, raw in enumerate(_NEWLINES.split(content), start=1):
            line = raw.split("#", 1)[0]
            if ":" not in line:
                continue
            name, value = (part.strip() for part in line.split(":", 1))
            if not name:
                continue
            directive = name.lower()
            if directive == "user-agent":
                if none_agent_state:
                    current = []
                if value:
                    current.append(_format_agent(value))
            elif directive in ("allow", "disallow", "crawl-delay"):
                for agent in current:
                    group = self.rules.setdefault(agent, [])
                    if directive != "crawl-delay" and value:
                        group.append(RobotsRule(_normalise_pattern(value), directive == "allow", number))
            none_agent_state = directive != "user-agent"

    def _rules_for(self, user_agent: str | None) -> list[RobotsRule]:
        agent = _format_agent(user_agent or "*")
        if agent in self.rules:  # an empty group still counts: it allows everything for that agent
            return self.rules[agent]
        return self.rules.get("*", [])

    def matching_rule(self, url: str, user_agent: str | None = None) -> RobotsRule | None:
        path = _url_path(url)
        best: RobotsRule | None = None
        for rule in self._rules_for(user_agent):
            if not pattern_matches(rule.pattern, path):
                continue
            if (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
            ):
                best = rule
        return best

    def is_allowed(self, url: str, user_agent: str | None = None) -> bool:
        rule = self.matching_rule(url, user_agent)
        return rule is None or rule.allow


# --- robots.txt validation, as Lighthouse's robots-txt audit ------------------------------------------------

_DIRECTIVE_SAFELIST = frozenset(
    {
        "user-agent",
        "disallow",
        "allow",
        "sitemap",
        "crawl-delay",
        "clean-param",
        "host",
        "request-rate",
        "visit-time",
        "noindex",
        "content-signal",
        "license",
    }
)
_SITEMAP_SCHEMES = frozenset({"http", "https", "ftp"})


@dataclass(frozen=True)
class RobotsError:
    line_number: int
    line: str
    message: str


def _valid_sitemap_url(value: str) -> str | None:
    """None when Lighthouse would accept it, else its reason."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return "Invalid sitemap URL"
    if not parts.scheme or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", parts.scheme):
        return "Invalid sitemap URL"
    if parts.scheme.lower() not in _SITEMAP_SCHEMES:
        return "Invalid sitemap URL protocol"
    if not parts.netloc:
        return "Invalid sitemap URL"
    return None


def _directive_error(name: str, value: str) -> str | None:
    if name not in _DIRECTIVE_SAFELIST:
        return "Unknown directive"
    if name == "sitemap":
        return _valid_sitemap_url(value)
    if name == "user-agent" and not value:
        return "No user-agent specified"
    if name in ("allow", "disallow"):
        if value and value[0] not in "/*":
            return 'Pattern should either be empty, start with "/" or "*"'
        dollar = value.find("$")
        if dollar != -1 and dollar != len(value) - 1:
            return '"$" should only be used at the end of the pattern'
    return None


def validate_robots_txt(content: str) -> list[RobotsError]:
    """Every line Lighthouse's robots-txt audit would reject, with its reason."""
    errors: list[RobotsError] = []
    in_group = False
    for number, raw in enumerate(_NEWLINES.split(content), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ":" not in line:
            errors.append(RobotsError(number, raw, "Syntax not understood"))
            continue
        name, value = line.split(":", 1)
        name, value = name.strip().lower(), value.strip()
        problem = _directive_error(name, value)
        if problem:
            errors.append(RobotsError(number, raw, problem))
            continue
        if name == "user-agent":
            in_group = True
        elif not in_group and name in ("allow", "disallow"):
            errors.append(RobotsError(number, raw, "No user-agent specified"))
    return errors


# --- meta robots and X-Robots-Tag ---------------------------------------------------------------------------

_DATE_FORMATS = (
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    "%d %B %Y %H:%M:%S",
    "%d %B %Y",
    "%b %d %Y %H:%M:%S",
    "%b %d %Y",
    "%B %d %Y",
    "%Y/%m/%d",
    "%m/%d/%Y",
)


def parse_directive_date(text: str) -> datetime | None:
    """The date forms JavaScript's Date.parse accepts in practice: ISO 8601, RFC 822/850/1123 and friends."""
    text = text.strip()
    if not text:
        return None
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    rfc = parsedate_tz(text.replace("-", " "))
    if rfc is not None:
        year, month, day, hour, minute, second = rfc[:6]
        offset = rfc[9] or 0
        try:
            stamp = datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp() - offset
        except ValueError:
            return None
        return datetime.fromtimestamp(stamp, tz=UTC)
    cleaned = re.sub(r"\s+", " ", text.replace("-", " ").replace(",", " ")).strip()
    cleaned = re.sub(r"\s(UTC|GMT|Z)$", "", cleaned, flags=re.IGNORECASE)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def is_unavailable(directive: str, now: datetime) -> bool:
    """`unavailable_after: <date>` with a date already past (Lighthouse: Date.parse(...) < Date.now())."""
    parts = directive.split(":")
    if len(parts) <= 1 or parts[0] != UNAVAILABLE_AFTER:
        return False
    when = parse_directive_date(":".join(parts[1:]))
    return when is not None and when < now


def blocking_directives(directives: str, now: datetime) -> list[str]:
    """The comma-separated directives that keep a page out of the index (noindex, none, past dates)."""
    found = []
    for raw in directives.split(","):
        directive = raw.lower().strip()
        if directive in BLOCKING_DIRECTIVES or is_unavailable(directive, now):
            found.append(directive)
    return found


def header_user_agent(value: str) -> str | None:
    """The agent an X-Robots-Tag value is addressed to ("googlebot: noindex"), as Lighthouse reads it."""
    match = re.match(r"^([^,:]+):", value)
    if match and match.group(1).lower() != UNAVAILABLE_AFTER:
        return match.group(1)
    return None


@dataclass(frozen=True)
class Crawlability:
    """Lighthouse's verdict and its reasons; `sources` are the generic blocking directives it would list."""

    blocked: bool
    blocked_agents: tuple[str, ...]
    sources: tuple[str, ...]
    robots_txt_blocks: bool  # robots.txt alone blocks every agent


def _blocking_for_agent(
    agent: str | None,
    metas: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
    robots: RobotsTxt | None,
    url: str,
    now: datetime,
) -> list[str]:
    sources: list[str] = []
    meta = None
    if agent:
        meta = next((m for m in metas if m[0] == agent.lower()), None)
    if meta is None:
        meta = next((m for m in metas if m[0] == "robots"), None)
    if meta is not None and blocking_directives(meta[1], now):
        sources.append(f'<meta name="{meta[0]}" content="{meta[1]}">')
    for name, value in headers:
        if name.lower() != "x-robots-tag":
            continue
        addressed = header_user_agent(value)
        if addressed is not None and addressed != agent:
            continue
        directives = value.strip()
        if agent and value.startswith(f"{agent}:"):
            directives = value.replace(f"{agent}:", "", 1)
        if blocking_directives(directives, now):
            sources.append(f"X-Robots-Tag: {value}")
    if robots is not None and not robots.is_allowed(url, agent):
        rule = robots.matching_rule(url, agent)
        where = f" (line {rule.line})" if rule is not None else ""
        sources.append(f"robots.txt{where}")
    return sources


def crawlability(
    url: str,
    metas: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
    robots: RobotsTxt | None,
    now: datetime,
) -> Crawlability:
    """Lighthouse is-crawlable: blocked only when the generic case and every named bot are all blocked."""
    blocked_agents: list[str] = []
    generic: list[str] = []
    robots_only: list[bool] = []
    for agent in BOT_USER_AGENTS:
        sources = _blocking_for_agent(agent, metas, headers, robots, url, now)
        if sources:
            blocked_agents.append(agent or "*")
        if agent is None:
            generic = sources
        robots_only.append(robots is not None and not robots.is_allowed(url, agent))
    return Crawlability(
        blocked=len(blocked_agents) == len(BOT_USER_AGENTS),
        blocked_agents=tuple(blocked_agents),
        sources=tuple(generic),
        robots_txt_blocks=all(robots_only),
    )


def parse_link_header(values: Iterable[str]) -> list[dict[str, str]]:
    """`Link:` response headers as {uri, rel, hreflang...} dicts, as Lighthouse reads them."""
    links: list[dict[str, str]] = []
    for value in values:
        for match in re.finditer(r"<([^>]*)>((?:\s*;\s*[^,;<]+)*)", value):
            entry = {"uri": match.group(1).strip()}
            for param in match.group(2).split(";"):
                if "=" not in param:
                    continue
                key, val = param.split("=", 1)
                entry[key.strip().lower()] = val.strip().strip('"')
            links.append(entry)
    return links
