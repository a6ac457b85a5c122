"""CRL rules: what went wrong while fetching the site, one finding per fault, from Site.fetches/skipped."""

from __future__ import annotations

import codecs
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from auditor.models import FetchResult, Finding, Severity, Site
from checks.registry import CheckContext, RuleDocs, RuleInfo

_RFC9110 = "RFC 9110, HTTP Semantics (https://www.rfc-editor.org/rfc/rfc9110)"
_RFC9309 = "RFC 9309, Robots Exclusion Protocol (https://www.rfc-editor.org/rfc/rfc9309)"
_GOOGLE_CRAWL = (
    "Google Search Central: HTTP status codes, network and DNS errors "
    "(https://developers.google.com/search/docs/crawling-indexing/http-network-errors)"
)
_HTML_ENCODING = (
    "WHATWG HTML Standard, specifying the document's character encoding "
    "(https://html.spec.whatwg.org/multipage/semantics.html#charset)"
)


def _rule(
    rid: str,
    title: str,
    failure: str,
    severity: Severity,
    rationale: str,
    source: str,
    suggestion: str,
    what: str,
    why: str,
    example: str,
    instead: str,
    references: tuple[str, ...],
) -> RuleInfo:
    return RuleInfo(
        id=rid,
        title=title,
        failure_title=failure,
        category="crawl",
        severity=severity,
        rationale=rationale,
        source=source,
        suggestion=suggestion,
        docs=RuleDocs(what=what, why=why, example=example, instead=instead, references=references),
        scope="site",
        origin=__name__,
    )


FETCH_FAILED = _rule(
    "CRL001",
    "Page could be fetched",
    "Page could not be fetched (connection failed)",
    "error",
    "Visitors and search engines that cannot connect to a page cannot read it; nothing on it can be audited.",
    _GOOGLE_CRAWL,
    "Ask whoever hosts the site to check the server, its HTTPS certificate and its firewall for this "
    "address.",
    "Reports pages whose connection failed: refused or reset connections, TLS (HTTPS certificate) errors, "
    "responses that break the HTTP protocol, and bodies compressed in a way that cannot be read.",
    "A page that fails for our crawler usually fails for some visitors and for search engines too, and every "
    "other check is blind to it.",
    "The server accepts the connection and closes it at once (a connection reset); or the certificate has "
    "expired, so HTTPS fails.",
    "A page that answers with HTTP 200 over a valid HTTPS certificate.",
    (_GOOGLE_CRAWL, _RFC9110),
)
TIMEOUT = _rule(
    "CRL002",
    "Page answered in time",
    "Page timed out",
    "error",
    "A page that does not finish loading within the time limit is as good as missing to a visitor.",
    _GOOGLE_CRAWL,
    "Ask the developers why this page is so slow (server load, a slow database query, an external call) "
    "and fix it; retrying later may show whether it is intermittent.",
    "Reports pages that did not connect, send a response, or finish sending it within the configured "
    "connect, read and total time limits, after the configured retries. A server that sends a "
    "trickle of bytes "
    "for ever (a slow drip) is stopped by the total limit.",
    "Slow or hanging pages lose visitors and are crawled less by search engines; they also could not "
    "be audited.",
    "The server takes 90 seconds to produce the page, or sends one byte every few seconds.",
    "A page that is served completely within a few seconds.",
    (_GOOGLE_CRAWL, "web.dev: Time to First Byte (https://web.dev/articles/ttfb)"),
)
SERVER_ERROR = _rule(
    "CRL003",
    "Page served without a server error",
    "Page returned a server error (5xx)",
    "error",
    "A 5xx status means the site broke while building the page; visitors see an error instead of content.",
    _RFC9110,
    "Send the URL and the time of the audit to the developers so they can look up the error in the "
    "server logs.",
    "Reports pages that still answered with an HTTP 5xx status (500, 502, 503, 504...) after the configured "
    "retries with backoff.",
    "Search engines drop pages that keep failing, and visitors leave; a persistent 5xx is a broken page.",
    "HTTP 500 Internal Server Error on a treatment page.",
    "The page answers HTTP 200 with its content.",
    (_RFC9110, _GOOGLE_CRAWL),
)
CLIENT_ERROR = _rule(
    "CRL004",
    "Linked page exists",
    "Page not found or refused (4xx)",
    "error",
    "A page the site itself links to, or lists in its sitemap, answers with an error: a dead end for "
    "visitors.",
    _RFC9110,
    "Restore the page, redirect its address (301) to the best replacement, or remove the links to it.",
    "Reports internal pages (found through the site's own links or sitemap) that answered with an HTTP 4xx "
    "status other than 429: 404 Not Found, 410 Gone, 403 Forbidden and the like.",
    "Broken internal links waste visitors' trust and search engines' crawl time, and hide content that was "
    "meant to be read.",
    "The menu links to /treatments/scalp-scars but that page was renamed and now answers 404.",
    "Link to the page's current address, or redirect the old address to it with a 301.",
    (_RFC9110, _GOOGLE_CRAWL),
)
RATE_LIMITED = _rule(
    "CRL005",
    "Page served without rate limiting",
    "Page refused: too many requests (429)",
    "warning",
    "The server refused the page because of our request rate even after we waited as it asked; the page "
    "went unaudited.",
    "RFC 6585 section 4, 429 Too Many Requests (https://www.rfc-editor.org/rfc/rfc6585#section-4)",
    "Lower crawl.per_host_concurrency or raise crawl.delay for this site, or ask the host to allow the "
    "auditor's user agent.",
    "Reports pages that still answered HTTP 429 after the configured retries, each of which waited for the "
    "server's Retry-After time (up to crawl.max_retry_after).",
    "A rate-limited page could not be audited; a very strict limit may also be refusing real search engines.",
    "HTTP 429 with Retry-After: 120 on every request after the tenth.",
    "A crawl slow enough for the server, or a server that allows a polite crawler.",
    ("RFC 6585 section 4 (https://www.rfc-editor.org/rfc/rfc6585#section-4)", _GOOGLE_CRAWL),
)
REDIRECT_PROBLEM = _rule(
    "CRL006",
    "Redirects end on a page",
    "Redirect loop or too many redirects",
    "error",
    "Redirects that loop or go on too long never reach a page; browsers show an error instead.",
    _RFC9110,
    "Make the first address redirect straight (one 301) to the page's final address, and remove the loop.",
    "Reports redirect chains that come back to an address already visited (a loop), that exceed "
    "crawl.max_redirects hops, or that redirect without a usable Location header.",
    "Browsers give up on redirect loops; search engines stop following long chains, so the page is lost.",
    "/offers redirects to /offers/, which redirects back to /offers.",
    "One permanent (301) redirect from the old address to the final page.",
    (
        _RFC9110,
        "Google Search Central: redirects "
        "(https://developers.google.com/search/docs/crawling-indexing/301-redirects)",
    ),
)
TOO_LARGE = _rule(
    "CRL007",
    "Page is a reasonable size",
    "Page is too large (cut at the size limit)",
    "warning",
    "The page, after decompression, is bigger than the configured limit; we read only the start of it.",
    "Google Search Central: Googlebot reads the first 15 MB of an HTML file "
    "(https://developers.google.com/search/docs/crawling-indexing/googlebot)",
    "Find out why the page is so big (embedded images or data, an endless list, a misconfigured server) and "
    "make it smaller.",
    "Reports responses whose body was longer than crawl.max_body_bytes once decompressed; the body "
    "is read only "
    "up to that limit while it streams, so a huge page or a compression bomb cannot exhaust memory.",
    "Content past the limit is not audited here and is likely to be ignored by search engines too; a tiny "
    "compressed file that inflates to gigabytes is a hostile response.",
    "A 50 MB page of inline data, or 100 KB of gzip that inflates to 100 MB of zeros.",
    "Pages well under a megabyte of HTML, with images as separate files.",
    (
        "Google Search Central, Googlebot file size limit "
        "(https://developers.google.com/search/docs/crawling-indexing/googlebot)",
    ),
)
NOT_HTML = _rule(
    "CRL008",
    "Page is HTML",
    "Not an HTML page (recorded, not analysed)",
    "info",
    "The address serves a file that is not HTML (a PDF, an image, a download), so its text is not audited.",
    "WHATWG MIME Sniffing Standard (https://mimesniff.spec.whatwg.org/)",
    "If the file holds marketing or medical copy, publish that copy as an HTML page so it can be audited.",
    "Lists internal addresses whose Content-Type is something other than HTML. They are recorded so the "
    "inventory is complete, but their content is not parsed.",
    "Claims in a PDF brochure reach readers just as page copy does, but this audit cannot read them.",
    "/downloads/price-list.pdf served as application/pdf.",
    "An HTML page for the content, with the PDF as an optional download.",
    ("WHATWG MIME Sniffing Standard (https://mimesniff.spec.whatwg.org/)",),
)
BINARY_AS_HTML = _rule(
    "CRL009",
    "HTML pages hold text",
    "Binary file served as an HTML page",
    "error",
    "The server says the page is HTML but sends binary data; browsers show garbage and the page "
    "cannot be read.",
    "WHATWG MIME Sniffing Standard (https://mimesniff.spec.whatwg.org/)",
    "Ask the developers to serve this file with its real Content-Type, or to restore the HTML page "
    "that should "
    "be at this address.",
    "Reports responses labelled text/html whose body is binary: it holds NUL bytes, many control "
    "characters, or "
    "the signature of an image, PDF or archive.",
    "A wrong Content-Type is a server fault that shows visitors a page of garbage and hides the real "
    "content.",
    "A PNG image served with Content-Type: text/html.",
    "Images served as image/png and pages served as text/html containing HTML.",
    ("WHATWG MIME Sniffing Standard (https://mimesniff.spec.whatwg.org/)",),
)
CHARSET = _rule(
    "CRL010",
    "Page declares a valid character set",
    "Character set missing, unknown or wrong",
    "warning",
    "Without a correct character set, accented letters, currency signs and punctuation can display as "
    "gibberish.",
    _HTML_ENCODING,
    'Serve the page as UTF-8 and say so: Content-Type: text/html; charset=utf-8 and <meta charset="utf-8"> '
    "as the first thing in <head>, and save the page's text as UTF-8.",
    "Reports HTML pages with non-ASCII text but no declared character set, pages that declare a "
    "character set "
    "Python does not know, and pages whose bytes are not valid in the declared (or default UTF-8) encoding.",
    "Mis-decoded text looks careless on a medical site (\u201cÂ£99\u201d instead of \u201c£99\u201d) and can "
    "change what a sentence appears to say; the audit may also misread it.",
    "A page labelled charset=utf-8 whose text was saved as Windows-1252, so \u00e9 arrives as an "
    "invalid byte.",
    'UTF-8 text, declared in the Content-Type header and in <meta charset="utf-8">.',
    (
        _HTML_ENCODING,
        "W3C: Declaring character encodings in HTML "
        "(https://www.w3.org/International/questions/qa-html-encoding-declarations)",
    ),
)
ROBOTS_BLOCKED = _rule(
    "CRL011",
    "Page open to crawlers",
    "Not crawled: blocked by robots.txt",
    "info",
    "robots.txt asks crawlers like ours not to fetch this address, so it was not audited.",
    _RFC9309,
    "If the page should be audited (and found by search engines), remove the Disallow rule that covers it; "
    "if it is private on purpose, nothing needs doing.",
    "Lists internal addresses that were found (in links, redirects or sitemaps) but not fetched because "
    "robots.txt disallows them for our user agent. When robots.txt itself cannot be read (a server "
    "error or no "
    "answer) RFC 9309 says to treat the whole site as disallowed, and every page is listed here.",
    "A page blocked by mistake is also invisible to search engines; a page blocked on purpose is simply "
    "outside the audit, which a reviewer should know.",
    "Disallow: /treatments/ in robots.txt hides every treatment page.",
    "Disallow only what must stay out of search results (admin, basket, internal search).",
    (
        _RFC9309,
        "Google Search Central: robots.txt introduction "
        "(https://developers.google.com/search/docs/crawling-indexing/robots/intro)",
    ),
)
NOT_CRAWLED = _rule(
    "CRL012",
    "Everything in scope was crawled",
    "Pages not crawled: trap, scope or budget",
    "info",
    "Some addresses were left out on purpose: an endless URL space (a crawl trap), the configured scope, or "
    "the page, depth or request limits.",
    "Google Search Central: managing crawl budget and URL parameters "
    "(https://developers.google.com/search/docs/crawling-indexing/large-site-managing-crawl-budget)",
    "For a trap, stop the site generating endless addresses (or mark those links nofollow and block them in "
    "robots.txt); for limits, raise max_pages, max_depth or the budgets if the pages matter.",
    "Summarises, per site section and reason, the internal addresses that were found but not fetched: "
    '"trap" (endless calendars, query-parameter explosions, session ids in paths, ever-deeper or repeating '
    'paths), "out_of_scope" (include/exclude rules), "max_pages", "max_depth" and "budget".',
    "Endless address spaces waste search engines' crawl budget on worthless pages; pages past a limit were "
    "not audited, so the report is incomplete for them.",
    "A calendar whose 'next month' link goes on for ever: /events/2031/07, /events/2031/08, ...",
    "Finite navigation: link to real event pages, and keep filters out of crawlable links.",
    (
        "Google Search Central: crawl budget "
        "(https://developers.google.com/search/docs/crawling-indexing/large-site-managing-crawl-budget)",
    ),
)
SLOW = _rule(
    "CRL013",
    "Page responds quickly",
    "Slow response",
    "warning",
    "The page took longer than crawl.slow_response_seconds to arrive in full.",
    "web.dev: Time to First Byte (https://web.dev/articles/ttfb)",
    "Ask the developers to cache the page or speed up whatever builds it (often a plugin or database query).",
    "Reports pages that were served successfully but took longer than crawl.slow_response_seconds from the "
    "request to the last byte (politeness waits excluded).",
    "Slow pages lose visitors before they read anything, and search engines crawl slow sites less.",
    "A treatment page that takes 5 seconds to arrive while the rest of the site takes half a second.",
    "A page served from cache in well under a second.",
    ("web.dev: Time to First Byte (https://web.dev/articles/ttfb)", _GOOGLE_CRAWL),
)
UNSAFE = _rule(
    "CRL014",
    "Address is public",
    "Address refused: private or local network",
    "error",
    "The address (or a redirect on the way to it) points into a private, local or cloud-metadata network, "
    "which the auditor refuses to contact.",
    "OWASP: Server-Side Request Forgery Prevention "
    ""
    "(https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html)",
    "Check the address and its redirects; to audit a site on a private network on purpose, set "
    "crawl.allow_private: true.",
    "Reports start URLs and redirect targets whose host resolves to a loopback, private, link-local, "
    "reserved "
    "or metadata address while crawl.allow_private is false.",
    "Public pages that redirect into a private network are broken for visitors, and fetching such addresses "
    "would let a hostile page probe the auditor's own network.",
    "http://clinic.example/login redirects to http://10.0.0.5/login.",
    "Public addresses only, or crawl.allow_private: true for an intranet audit.",
    (
        "OWASP SSRF Prevention Cheat Sheet "
        "(https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html)",
    ),
)

RULES: tuple[RuleInfo, ...] = (
    FETCH_FAILED,
    TIMEOUT,
    SERVER_ERROR,
    CLIENT_ERROR,
    RATE_LIMITED,
    REDIRECT_PROBLEM,
    TOO_LARGE,
    NOT_HTML,
    BINARY_AS_HTML,
    CHARSET,
    ROBOTS_BLOCKED,
    NOT_CRAWLED,
    SLOW,
    UNSAFE,
)

_FETCH_ERROR_RULE = {
    "connect": FETCH_FAILED,
    "reset": FETCH_FAILED,
    "tls": FETCH_FAILED,
    "protocol": FETCH_FAILED,
    "bad_encoding": FETCH_FAILED,
    "timeout": TIMEOUT,
    "redirect_loop": REDIRECT_PROBLEM,
    "too_many_redirects": REDIRECT_PROBLEM,
    "bad_redirect": REDIRECT_PROBLEM,
    "too_large": TOO_LARGE,
    "unsafe_address": UNSAFE,
}
_ERROR_WORDS = {
    "connect": "the server could not be reached",
    "reset": "the server cut the connection before the page arrived",
    "tls": "the secure (HTTPS) connection failed, usually a certificate problem",
    "protocol": "the server's answer did not follow the HTTP protocol",
    "bad_encoding": "the page was compressed in a way that cannot be read",
    "timeout": "the page did not arrive within the time limit",
    "redirect_loop": "its redirects go round in a loop",
    "too_many_redirects": "it redirects too many times in a row",
    "bad_redirect": "it redirects without saying where to",
    "unsafe_address": "it leads to a private or local network address",
}
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_SKIP_WORDS = {
    "out_of_scope": "outside the configured scope (include/exclude rules)",
    "max_pages": "beyond the max_pages limit",
    "max_depth": "deeper than the max_depth limit",
    "trap": "a likely crawl trap (an endless or repetitive address pattern)",
    "budget": "beyond the request budget",
}
_LINKED_FROM_MAX = 20


# Every byte but the control characters that do not occur in text (tab, newline, form feed, carriage return and
# escape do): deleting these from a chunk leaves only the telling ones, counted in C rather than byte by byte.
_NOT_TELLING = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))


def looks_binary(body: bytes) -> bool:
    """Binary, not text: a file signature, a NUL byte, or many control characters near the start."""
    head = body[:8192]
    if not head:
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, _NOT_TELLING))
    return controls > len(head) * 0.1


def declared_charset(fetch: FetchResult) -> tuple[str | None, str]:
    """(charset, where declared) from the BOM, the Content-Type header or a <meta> in the first 4 KB."""
    body = fetch.body
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8", "byte order mark"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "byte order mark"
    header = fetch.header("content-type") or ""
    match = _HEADER_CHARSET.search(header)
    if match:
        return match.group(1).strip().lower(), "Content-Type header"
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        return meta.group(1).decode("ascii", "replace").lower(), "<meta> tag"
    return None, ""


def charset_problem(fetch: FetchResult) -> str | None:
    """A sentence on what is wrong with the page's character set, or None when it is fine."""
    body = fetch.body
    charset, where = declared_charset(fetch)
    if charset is not None:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            return (
                f"The page declares the character set \u201c{charset}\u201d ({where}), "
                "which is not a known one."
            )
        try:
            body.decode(codec)
        except UnicodeDecodeError as exc:
            return (
                f"The page says its text is {charset} ({where}) but contains bytes that are not valid "
                f"{charset} (first at byte {exc.start}), so some characters will show as gibberish."
            )
        return None
    if body.isascii():
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            "The page declares no character set and its text is not valid UTF-8 (first bad byte at "
            f"{exc.start}), so browsers must guess and accented characters may show as gibberish."
        )
    return (
        "The page declares no character set, so browsers must guess how to read its accented or special "
        "characters."
    )


def _section(url: str) -> str:
    """The address's first path segment, so skipped addresses are summarised per part of the site."""
    parts = urlsplit(url)
    first = parts.path.lstrip("/").split("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}/{first + '/' if first else ''}"


class CrawlChecks:
    """Turns the crawl's record into findings: one per failed or odd fetch, one per robots-blocked address,
    one per section and reason for addresses left out."""

    name = "crawl"

    def rules(self) -> Sequence[RuleInfo]:
        return RULES

    def check_site(self, site: Site, ctx: CheckContext) -> Iterable[Finding]:
        slow_after = _slow_threshold(ctx)
        linked_from = _linked_from(site)
        found: list[Finding] = []
        for fetch in site.fetches:
            found.extend(self._fetch_findings(fetch, slow_after, linked_from.get(fetch.requested_url, ())))
        found.extend(self._skipped_findings(site))
        return found

    def _fetch_findings(
        self, fetch: FetchResult, slow_after: float, linked: tuple[str, ...]
    ) -> list[Finding]:
        url = fetch.requested_url
        details: tuple[tuple[str, Any], ...] = (("linked_from", list(linked)),) if linked else ()
        primary = _primary(fetch)
        out: list[Finding] = []
        if primary is not None:
            rule, message, key = primary
            facts = _facts(fetch)
            out.append(
                Finding(
                    check_id=rule.id,
                    category="crawl",
                    severity=rule.severity,
                    url=url,
                    message=message,
                    suggestion=rule.suggestion,
                    key=key,
                    details=details + facts,
                )
            )
        if (
            fetch.error_kind is None
            and fetch.status is not None
            and fetch.status < 400
            and fetch.elapsed > slow_after
        ):
            out.append(
                Finding(
                    check_id=SLOW.id,
                    category="crawl",
                    severity=SLOW.severity,
                    url=url,
                    message=f"The page took {fetch.elapsed:.1f} s to arrive (the limit is {slow_after:g} s).",
                    suggestion=SLOW.suggestion,
                    key="slow",
                    details=(("elapsed", fetch.elapsed),),
                )
            )
        return out

    def _skipped_findings(self, site: Site) -> list[Finding]:
        out: list[Finding] = []
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        robots_unreadable = site.robots_status is None or site.robots_status >= 500
        for url, reason in site.skipped:
            if reason == "robots":
                why = (
                    "robots.txt could not be read, and the robots standard says a site whose robots.txt "
                    "fails must be treated as closed to crawlers"
                    if robots_unreadable and site.robots_txt is None
                    else "the site's robots.txt asks crawlers like ours not to fetch it"
                )
                out.append(
                    Finding(
                        check_id=ROBOTS_BLOCKED.id,
                        category="crawl",
                        severity=ROBOTS_BLOCKED.severity,
                        url=url,
                        message=f"This address was not audited because {why}.",
                        suggestion=ROBOTS_BLOCKED.suggestion,
                        key="robots",
                    )
                )
            elif reason == "unsafe_address":
                out.append(
                    Finding(
                        check_id=UNSAFE.id,
                        category="crawl",
                        severity=UNSAFE.severity,
                        url=url,
                        message="This address was not fetched: it points into a private or local network.",
                        suggestion=UNSAFE.suggestion,
                        key="unsafe_address",
                    )
                )
            else:
                groups[(reason, _section(url))].append(url)
        for (reason, section), urls in sorted(groups.items()):
            words = _SKIP_WORDS.get(reason, reason)
            count = len(urls)
            noun = "address was" if count == 1 else "addresses were"
            out.append(
                Finding(
                    check_id=NOT_CRAWLED.id,
                    category="crawl",
                    severity=NOT_CRAWLED.severity,
                    url=section,
                    message=f"{count} {noun} under {section} not crawled: {words}.",
                    suggestion=NOT_CRAWLED.suggestion,
                    key=f"{reason}:{section}",
                    details=(("reason", reason), ("count", count), ("examples", sorted(urls)[:10])),
                )
            )
        return out


def _slow_threshold(ctx: CheckContext) -> float:
    crawl = getattr(ctx.config, "crawl", None)
    value = getattr(crawl, "slow_response_seconds", None)
    return float(value) if isinstance(value, (int, float)) else 3.0


def _linked_from(site: Site) -> dict[str, tuple[str, ...]]:
    pages: dict[str, list[str]] = defaultdict(list)
    for analysed in site.pages:
        page = analysed.page
        for link in page.links:
            sources = pages[link.url] if link.internal and link.url else None
            if sources is not None and len(sources) < _LINKED_FROM_MAX and page.url not in sources:
                sources.append(page.url)
    return {url: tuple(sources) for url, sources in pages.items()}


def _facts(fetch: FetchResult) -> tuple[tuple[str, Any], ...]:
    facts: list[tuple[str, Any]] = [("status", fetch.status)]
    if fetch.error_kind:
        facts.append(("error_kind", fetch.error_kind))
    if fetch.error:
        facts.append(("error", fetch.error))
    if fetch.redirect_chain:
        facts.append(("redirects", [f"{r.status} {r.url} -> {r.location}" for r in fetch.redirect_chain]))
    return tuple(facts)


def _primary(fetch: FetchResult) -> tuple[RuleInfo, str, str] | None:
    """The one fault that explains this fetch, causes first: network, then status, size, content."""
    kind = fetch.error_kind
    if kind is not None and kind in _FETCH_ERROR_RULE:
        rule = _FETCH_ERROR_RULE[kind]
        if rule is TOO_LARGE:
            size = len(fetch.body)
            return (
                rule,
                (
                    f"The page is larger than the {size:,}-byte limit (after decompression); only the "
                    "first part was read and audited."
                ),
                "too_large",
            )
        return rule, f"The page could not be audited: {_ERROR_WORDS.get(kind, kind)}.", kind
    if kind is not None:
        return FETCH_FAILED, f"The page could not be fetched ({fetch.error or kind}).", kind
    status = fetch.status
    if status is None:
        return FETCH_FAILED, "The page could not be fetched (no response).", "no_response"
    if status == 429:
        return (
            RATE_LIMITED,
            (
                "The server refused the page with \u201ctoo many requests\u201d (HTTP 429), "
                "even after waiting as it asked."
            ),
            "429",
        )
    if status >= 500:
        return SERVER_ERROR, f"The page answered with a server error (HTTP {status}).", "5xx"
    if 400 <= status < 500:
        return CLIENT_ERROR, f"The page answered HTTP {status}: it is missing or refused.", "4xx"
    if fetch.truncated:
        return TOO_LARGE, "The page is larger than the size limit; only the first part was read.", "too_large"
    if not 200 <= status < 300:
        return None
    ctype = fetch.content_type
    if ctype and ctype not in HTML_TYPES:
        return (
            NOT_HTML,
            (f"This address serves {ctype}, not an HTML page; it is listed but its content is not audited."),
            "not_html",
        )
    if looks_binary(fetch.body):
        return (
            BINARY_AS_HTML,
            (
                "The server labels this address as an HTML page but sends binary data "
                "(an image, a download or corrupted content)."
            ),
            "binary",
        )
    problem = charset_problem(fetch)
    if problem is not None:
        return CHARSET, problem, "charset"
    return None


def without_body(fetch: FetchResult) -> FetchResult:
    """The fetch as these checks need it kept: its body only when the body decides a finding (binary data, a bad
    character set, a cut-off page), so a long crawl need not hold every page's bytes for the site stage."""
    if not fetch.body:
        return fetch
    bare = replace(fetch, body=b"")
    return fetch if _primary(bare) != _primary(fetch) else bare


def checks(config: object) -> list[CrawlChecks]:
    del config
    return [CrawlChecks()]
