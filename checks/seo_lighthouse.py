"""Page checks that give Lighthouse's SEO verdicts on the same page, rule for rule.

Audits mirrored: is-crawlable, document-title, meta-description, http-status-code, link-text,
crawlable-anchors, image-alt, hreflang and canonical (robots-txt and robots.txt blocking: checks/site.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from auditor.config import SeoConfig
from auditor.models import AnalysedPage, Evidence, Finding
from checks.registry import RuleInfo
from checks.seo_base import Gate, PageFn, finding, make_rule, short
from checks.seo_dom import dom_facts, origin_of, resolves, whatwg_parse, without_fragment
from checks.seo_langcodes import is_valid_language
from checks.seo_robots import crawlability

LH = "Lighthouse audit"
LH_DOCS = "https://developer.chrome.com/docs/lighthouse/seo/"
LH_VERSION_NOTE = "Logic as in Lighthouse 12.2.3, the version bench/lighthouse_parity.py runs."

# Lighthouse 12.2.3 core/audits/seo/link-text.js: one list for all languages, trimmed, lower-cased.
LINK_TEXT_BLOCKLIST = frozenset(
    {
        # English
        "click here",
        "click this",
        "go",
        "here",
        "information",
        "learn more",
        "more",
        "more info",
        "more information",
        "right here",
        "read more",
        "see more",
        "start",
        "this",
        # Japanese
        "ここをクリック",
        "こちらをクリック",
        "リンク",
        "続きを読む",
        "続く",
        "全文表示",
        # Spanish
        "click aquí",
        "click aqui",
        "clicka aquí",
        "clicka aqui",
        "pincha aquí",
        "pincha aqui",
        "aquí",
        "aqui",
        "más",
        "mas",
        "más información",
        "más informacion",
        "mas información",
        "mas informacion",
        "este",
        "enlace",
        "este enlace",
        "empezar",
        # Portuguese
        "clique aqui",
        "ir",
        "mais informação",
        "mais informações",
        "mais",
        "veja mais",
        # Korean
        "여기",
        "여기를 클릭",
        "클릭",
        "링크",
        "자세히",
        "자세히 보기",
        "계속",
        "이동",
        "전체 보기",
        # Swedish
        "här",
        "klicka här",
        "läs mer",
        "mer",
        "mer info",
        "mer information",
        # Tamil
        "அடுத்த பக்கம்",
        "மறுபக்கம்",
        "முந்தைய பக்கம்",
        "முன்பக்கம்",
        "மேலும் அறிக",
        "மேலும் தகவலுக்கு",
        "மேலும் தரவுகளுக்கு",
        "தயவுசெய்து இங்கே அழுத்தவும்",
        "இங்கே கிளிக் செய்யவும்",
        # Persian
        "اطلاعات بیشتر",
        "اطلاعات",
        "این",
        "اینجا بزنید",
        "اینجا کلیک کنید",
        "اینجا",
        "برو",
        "بیشتر بخوانید",
        "بیشتر بدانید",
        "بیشتر",
        "شروع",
    }
)
_JS_VOID = re.compile(r"javascript:void(\(|)0(\)|)")
_WS = re.compile(r"\s")


def _now() -> datetime:
    return datetime.now(UTC)


# --- SEO001 is-crawlable (meta robots and X-Robots-Tag; robots.txt is site-level, SEO101) -------------------

INDEXABLE = make_rule(
    "SEO001",
    title="Search engines may index the page",
    failure_title="The page tells search engines not to index it",
    severity="error",
    rationale="A page marked noindex (or past its unavailable_after date) is dropped from search results.",
    source=f"{LH} is-crawlable; Google Search Central: robots meta tag and X-Robots-Tag",
    suggestion="If this page should be found in search, remove 'noindex' (or 'none') from the robots meta "
    "tag "
    "and the X-Robots-Tag header, and remove any past 'unavailable_after' date.",
    what="Reads the robots meta tags in <head> (robots, and googlebot/bingbot/duckduckbot/archive.org_bot) "
    "and "
    "the X-Robots-Tag response headers. Fails, as Lighthouse does, only when the generic rules and every one "
    "of Googlebot, bingbot, DuckDuckBot and archive.org_bot are blocked by noindex, none or a past "
    "unavailable_after date. Blocking through robots.txt is reported by SEO101.",
    why="Search engines will not list a page they are told not to index, however good its content.",
    example='<meta name="robots" content="noindex, follow">   or   X-Robots-Tag: noindex',
    instead='<meta name="robots" content="index, follow"> (or no robots meta tag at all)',
    references=(
        "Lighthouse audit is-crawlable (lighthouse-core/audits/seo/is-crawlable.js; core/audits/seo/ since "
        "v10)",
        f"{LH_DOCS}is-crawlable/",
        "https://developers.google.com/search/docs/crawling-indexing/robots-meta-tag",
        LH_VERSION_NOTE,
    ),
)


def _indexable(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    page = ap.page
    facts = dom_facts(page)
    headers = page.fetch.headers if page.fetch is not None else ()
    verdict = crawlability(page.final_url or page.url, facts.metas, headers, None, _now())
    if not verdict.blocked:
        return []
    sources = "; ".join(verdict.sources) or "directives for every search engine"
    return [
        finding(
            rule,
            page.url,
            f"This page tells search engines not to list it ({sources}).",
            key="indexability",
            details=(("sources", verdict.sources),),
        )
    ]


# --- SEO002 document-title ----------------------------------------------------------------------------------

TITLE = make_rule(
    "SEO002",
    title="The page has a title",
    failure_title="The page has no title",
    severity="error",
    rationale="The title is the blue headline of a search result and the name of the browser tab.",
    source=f"{LH} document-title (axe-core rule document-title, WCAG 2.4.2)",
    suggestion="Add a <title> in the page's <head> that says what the page offers, e.g. "
    "'Scalp Micropigmentation in Leeds | Clinic Name'.",
    what="Reads document.title as a browser computes it (the first <title> element anywhere in the document, "
    "whitespace folded) and fails when it is missing or blank.",
    why="Without a title, search engines invent one from the page, often badly, and the result is clicked "
    "less.",
    example="<head><meta charset='utf-8'></head>  (no <title>)  or  <title>   </title>",
    instead="<title>Scalp Micropigmentation in Leeds | Example Clinic</title>",
    references=(
        "Lighthouse audit document-title (lighthouse-core/audits/accessibility/document-title.js; axe-core "
        "check doc-has-title)",
        f"{LH_DOCS}document-title/",
        "https://developers.google.com/search/docs/appearance/title-link",
    ),
)


def _title(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    facts = dom_facts(ap.page)
    if facts.title:
        return []
    message = "The page title is empty." if facts.title is not None else "This page has no title."
    return [finding(rule, ap.page.url, message, key="title")]


# --- SEO003 meta-description --------------------------------------------------------------------------------

DESCRIPTION = make_rule(
    "SEO003",
    title="The page has a meta description",
    failure_title="The page has no meta description",
    severity="warning",
    rationale="Search engines often show the meta description under the title in results; without one they "
    "pick "
    "a snippet themselves.",
    source=f"{LH} meta-description",
    suggestion='Add <meta name="description" content="..."> to the <head>: one or two sentences (about '
    "70-160 "
    "characters) that tell a searcher what they will find on the page.",
    what='Finds the first <meta name="description"> in <head>; fails when there is none or its content is '
    "blank.",
    why="A written summary is the page's pitch in search results; an automatic snippet is often a stray "
    "sentence.",
    example='<meta name="description" content="">',
    instead='<meta name="description" content="Scalp micropigmentation at our Leeds clinic: how it works, '
    "what "
    'it costs, and what recovery is like.">',
    references=(
        "Lighthouse audit meta-description (lighthouse-core/audits/seo/meta-description.js)",
        f"{LH_DOCS}meta-description/",
        "https://developers.google.com/search/docs/appearance/snippet",
    ),
)


def _description(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    facts = dom_facts(ap.page)
    meta = next((m for m in facts.metas if m[0] == "description"), None)
    if meta is None:
        return [finding(rule, ap.page.url, "This page has no meta description.", key="description")]
    if not meta[1].strip():
        return [finding(rule, ap.page.url, "The page's meta description is empty.", key="description")]
    return []


# --- SEO004 http-status-code --------------------------------------------------------------------------------

HTTP_STATUS = make_rule(
    "SEO004",
    title="The page answers with a success status",
    failure_title="The page answers with an error status",
    severity="error",
    rationale="Search engines drop pages that answer 4xx or 5xx; visitors see an error instead of the "
    "content.",
    source=f"{LH} http-status-code",
    suggestion="Restore the page, or redirect its address (301) to the page that replaced it and update "
    "links.",
    what="Reads the HTTP status of the page's final response; fails for 400 to 599. Not applicable to local "
    "files (no response to read).",
    why="A page that errors cannot rank, and links pointing at it waste the trust they carry.",
    example="GET /treatments/smp -> 404 Not Found",
    instead="GET /treatments/smp -> 200 OK (or 301 to the new address)",
    references=(
        "Lighthouse audit http-status-code (lighthouse-core/audits/seo/http-status-code.js)",
        f"{LH_DOCS}http-status-code/",
    ),
)


def _http_status(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    fetch = ap.page.fetch
    if fetch is None or fetch.status is None or not 400 <= fetch.status <= 599:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            f"The page answers with HTTP status {fetch.status}, so search engines treat it as missing or "
            "broken.",
            key=f"status:{fetch.status}",
            details=(("status", fetch.status),),
        )
    ]


# --- SEO005 link-text ---------------------------------------------------------------------------------------

LINK_TEXT = make_rule(
    "SEO005",
    title="Links have descriptive text",
    failure_title="Links do not have descriptive text",
    severity="warning",
    rationale="Search engines and screen readers use link text to understand where a link leads.",
    source=f"{LH} link-text",
    suggestion="Replace generic link text such as 'click here' or 'read more' with words that name the "
    "destination, e.g. 'read our scalp micropigmentation aftercare guide'.",
    what="Looks at every followed link (not nofollow, javascript:, mailto: or a link to the same page) and "
    "fails "
    "when its visible text, trimmed and lower-cased, is one of Lighthouse's generic phrases ('click here', "
    "'here', 'more', 'read more', 'learn more', 'go', 'start', 'this'... and their Spanish, Portuguese, "
    "Swedish, Japanese, Korean, Tamil and Persian equivalents).",
    why="'Click here' says nothing about the page behind it, so it passes no meaning to search engines and "
    "forces screen-reader users to guess.",
    example='<a href="/pricing">Click here</a> for prices.',
    instead='See <a href="/pricing">scalp micropigmentation prices</a>.',
    references=(
        "Lighthouse audit link-text (lighthouse-core/audits/seo/link-text.js)",
        f"{LH_DOCS}link-text/",
        LH_VERSION_NOTE + " Newer Lighthouse also fails a link whose text is a bare URL and uses the page "
        "language's list only.",
    ),
)


def _anchor_href(raw: str | None, base: str) -> str:
    """HTMLAnchorElement.href: '' without href, else the resolved URL (or the raw text)."""
    if raw is None:
        return ""
    return whatwg_parse(raw, base) or raw


def _link_text(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    page = ap.page
    facts = dom_facts(page)
    final = page.final_url or page.url
    failing: dict[str, list[tuple[str, str]]] = {}
    final_parsed = whatwg_parse(final)
    for anchor in facts.anchors:
        text = anchor.text.strip()
        if text.lower() not in LINK_TEXT_BLOCKLIST:
            continue  # asked first: the rest needs the href resolved, and nearly every link text passes
        href = _anchor_href(anchor.raw_href, facts.base_url)
        if not href or "nofollow" in anchor.rel:
            continue
        lowered = href.lower()
        if lowered.startswith(("javascript:", "mailto:")):
            continue
        if final_parsed is not None and without_fragment(href) == without_fragment(final_parsed):
            continue
        failing.setdefault(text.lower(), []).append((text, href))
    out = []
    for lowered, items in failing.items():
        shown = items[0][0]
        count = f"{len(items)} links say" if len(items) > 1 else "A link says"
        out.append(
            finding(
                rule,
                page.url,
                f"{count} only '{shown}', which does not tell readers or search engines where it leads.",
                key=f"link-text:{lowered}",
                evidence=Evidence(excerpt=shown),
                details=(("hrefs", tuple(href for _, href in items)),),
            )
        )
    return out


# --- SEO006 crawlable-anchors -------------------------------------------------------------------------------

CRAWLABLE_ANCHORS = make_rule(
    "SEO006",
    title="Links are crawlable",
    failure_title="Some links cannot be followed by search engines",
    severity="warning",
    rationale="Search engines discover pages by following href attributes; links that work only through "
    "JavaScript hide the pages behind them.",
    source=f"{LH} crawlable-anchors",
    suggestion='Give every link a real address in its href (e.g. href="/treatments/smp"); use a <button> for '
    "actions that are not navigation.",
    what="Checks every <a> element as Lighthouse does: ignores those with a role, mailto: links, named "
    "anchors "
    "(<a id=...> or <a name=...> without href); fails a file: link, an <a> without an href, "
    'href="javascript:void(0)", or an href a browser cannot parse.',
    why="A menu built from <a onclick=...> or javascript:void(0) links leaves whole sections of the site "
    "invisible to crawlers.",
    example='<a onclick="openPage(\'prices\')">Prices</a>   <a href="javascript:void(0)">Book</a>',
    instead='<a href="/prices">Prices</a>   <button type="button">Book</button>',
    references=(
        "Lighthouse audit crawlable-anchors (lighthouse-core/audits/seo/crawlable-anchors.js)",
        f"{LH_DOCS}crawlable-anchors/",
        "https://developers.google.com/search/docs/crawling-indexing/links-crawlable",
        LH_VERSION_NOTE,
    ),
)


def _anchor_fails(raw_href: str | None, role: str, anchor_id: str, name: str, base: str) -> bool:
    raw = _WS.sub("", raw_href or "")
    if role.strip():
        return False
    if raw.startswith("mailto:"):
        return False
    if raw == "" and anchor_id:
        return False
    if raw.startswith("file:"):
        return True
    if name.strip():
        return False
    # _anchor_href(raw_href, base) == "": no href at all, or an empty one that does not resolve either
    if raw_href is None or (raw_href == "" and not resolves("", base)):
        return True
    if _JS_VOID.search(raw):
        return True
    return not resolves(raw, base)


def _crawlable_anchors(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    facts = dom_facts(ap.page)
    failing: dict[str, list[str]] = {}
    for anchor in facts.anchors:
        if _anchor_fails(anchor.raw_href, anchor.role, anchor.id, anchor.name, facts.base_url):
            shown = "(no href)" if anchor.raw_href is None else anchor.raw_href.strip() or "(empty href)"
            failing.setdefault(shown, []).append(anchor.text)
    out = []
    for shown, texts in failing.items():
        label = f" ('{short(texts[0], 40)}')" if texts and texts[0] else ""
        many = f"{len(texts)} links" if len(texts) > 1 else "A link"
        out.append(
            finding(
                rule,
                ap.page.url,
                f"{many}{label} cannot be followed by search engines: href is {shown}.",
                key=f"anchor:{shown}",
                evidence=Evidence(excerpt=texts[0]) if texts and texts[0] else None,
                details=(("href", shown), ("texts", tuple(texts))),
            )
        )
    return out


# --- SEO007 image-alt ---------------------------------------------------------------------------------------

IMAGE_ALT = make_rule(
    "SEO007",
    title="Images have alt text",
    failure_title="Images have no alt text",
    severity="warning",
    rationale="Alt text is how search engines and screen readers know what an image shows.",
    source=f"{LH} image-alt (axe-core rule image-alt, WCAG 1.1.1)",
    suggestion='Add an alt attribute describing each image, e.g. alt="Hairline after scalp '
    'micropigmentation"; '
    'use alt="" only for purely decorative images.',
    what="Checks every visible <img> as axe-core does for Lighthouse: it passes with an alt attribute (even "
    "empty), an aria-label, aria-labelledby, a non-empty title, or role=presentation/none; it fails without "
    "any "
    "of these, and when alt holds only spaces.",
    why="Images without alt text are invisible to image search and to people using screen readers, and a "
    "before/after photo is often the most persuasive thing on a clinic page.",
    example='<img src="/img/before-after.jpg">',
    instead='<img src="/img/before-after.jpg" alt="Client before and after three SMP sessions">',
    references=(
        "Lighthouse audit image-alt (lighthouse-core/audits/accessibility/image-alt.js; axe-core rule "
        "image-alt)",
        "https://dequeuniversity.com/rules/axe/4.10/image-alt",
        "https://developers.google.com/search/docs/appearance/google-images#use-descriptive-alt-text",
    ),
)


def _image_fails(alt: str | None, role: str, title: str, aria_label: str, aria_labelledby: str) -> bool:
    presentational = role in ("presentation", "none")
    if alt is not None and alt != "" and not alt.strip() and not presentational:
        return True  # alt-space-value
    return not (
        alt is not None or aria_label.strip() or aria_labelledby.strip() or title.strip() or presentational
    )


def _image_alt(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    facts = dom_facts(ap.page)
    out = []
    seen: set[str] = set()
    for image in facts.images:
        if image.hidden:
            continue
        if not _image_fails(image.alt, image.role, image.title, image.aria_label, image.aria_labelledby):
            continue
        src = image.src or "(no src)"
        if src in seen:
            continue
        seen.add(src)
        reason = "alt text made only of spaces" if image.alt is not None else "no alt text"
        out.append(
            finding(
                rule,
                ap.page.url,
                f"The image {short(src, 70)} has {reason}.",
                key=f"img:{src}",
                details=(("src", src),),
            )
        )
    return out


# --- SEO008 hreflang ----------------------------------------------------------------------------------------

HREFLANG = make_rule(
    "SEO008",
    title="hreflang links are valid",
    failure_title="hreflang links are not valid",
    severity="warning",
    rationale="hreflang tells search engines which language version of a page to show to whom; invalid "
    "entries "
    "are ignored.",
    source=f"{LH} hreflang",
    suggestion='Use a real language code (e.g. hreflang="en-GB", "fr", or "x-default") and a full address '
    "starting with https:// in every hreflang link.",
    what='Checks each <link rel="alternate" hreflang> in <head> and each hreflang entry of a Link header: '
    "the "
    "language part must be a registered language subtag (or x-default) and the href must start with http: or "
    "https:.",
    why='A wrong code such as hreflang="english" or a relative href makes search engines ignore the entry, '
    "so "
    "visitors may land on the wrong language version.",
    example='<link rel="alternate" hreflang="english" href="/en/">',
    instead='<link rel="alternate" hreflang="en" href="https://clinic.example/en/">',
    references=(
        "Lighthouse audit hreflang (lighthouse-core/audits/seo/hreflang.js)",
        f"{LH_DOCS}hreflang/",
        "https://developers.google.com/search/docs/specialty/international/localized-versions",
    ),
)


def hreflang_code_ok(code: str) -> bool:
    if code.lower() == "x-default":
        return True
    return is_valid_language(code.split("-")[0])


def _hreflang(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    facts = dom_facts(ap.page)
    out = []
    for link in facts.link_elements:
        if link.rel != "alternate" or not link.hreflang or link.source == "body":
            continue
        reasons = []
        if not hreflang_code_ok(link.hreflang):
            reasons.append(f"'{link.hreflang}' is not a language code")
        if not link.href_raw.lower().startswith(("http:", "https:")):
            reasons.append(f"'{link.href_raw}' is not a full address")
        if reasons:
            out.append(
                finding(
                    rule,
                    ap.page.url,
                    f"An hreflang link is invalid: {' and '.join(reasons)}.",
                    key=f"hreflang:{link.hreflang}|{link.href_raw}",
                    details=(("hreflang", link.hreflang), ("href", link.href_raw), ("source", link.source)),
                )
            )
    return out


# --- SEO009 canonical ---------------------------------------------------------------------------------------

CANONICAL = make_rule(
    "SEO009",
    title="The canonical link is valid",
    failure_title="The canonical link is not valid",
    severity="warning",
    rationale="The canonical link tells search engines which address to show in results; a wrong one can "
    "hide "
    "the page or merge it into another.",
    source=f"{LH} canonical",
    suggestion='Give the page exactly one <link rel="canonical"> in its <head>, with the full https:// '
    "address "
    "of this page (or of the true original, if this page is a copy).",
    what="Reads rel=canonical links in <head> and in Link headers as Lighthouse does and fails when one is "
    "not a "
    "valid absolute URL, when several point to different URLs, when it points to another language version "
    "listed in hreflang, or when it points to the site's home page from a deeper page.",
    why="Search engines treat the canonical as the page's real address; a relative, conflicting or home-page "
    "canonical can remove the page from results entirely.",
    example='<link rel="canonical" href="/">  on /treatments/smp',
    instead='<link rel="canonical" href="https://clinic.example/treatments/smp">',
    references=(
        "Lighthouse audit canonical (lighthouse-core/audits/seo/canonical.js)",
        f"{LH_DOCS}canonical/",
        "https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls",
    ),
)


def canonical_problem(ap: AnalysedPage) -> tuple[str, str] | None:
    """(key, message) of Lighthouse's canonical failure on this page, or None when it passes or is N/A."""
    page = ap.page
    facts = dom_facts(page)
    final = page.final_url or page.url
    unique: list[str] = []
    hreflang_urls: set[str] = set()
    invalid: str | None = None
    relative: str | None = None
    for link in facts.link_elements:
        if link.source == "body":
            continue
        base = final if link.source == "headers" else facts.base_url
        if link.rel == "canonical":
            if not link.href_raw:
                continue
            resolved = whatwg_parse(link.href_raw, base)
            if resolved is None:
                invalid = link.href_raw
            elif whatwg_parse(link.href_raw) is None:
                relative = link.href_raw
            elif resolved not in unique:
                unique.append(resolved)
        elif link.rel == "alternate" and link.hreflang and link.href_raw:
            resolved_alt = whatwg_parse(link.href_raw, base)
            if resolved_alt:
                hreflang_urls.add(resolved_alt)
    if invalid is not None:
        return "invalid", f"The canonical link '{invalid}' is not a valid address."
    if relative is not None:
        return (
            "relative",
            f"The canonical link '{relative}' is not a full address (it must start with https://).",
        )
    if not unique:
        return None
    if len(unique) > 1:
        return "conflict", f"The page names {len(unique)} different canonical addresses: {', '.join(unique)}."
    canonical = unique[0]
    base_url = whatwg_parse(final) or final
    if base_url in hreflang_urls and canonical in hreflang_urls and base_url != canonical:
        return "hreflang", (
            f"The canonical link points to another language version ({canonical}) instead of this page."
        )
    if (
        origin_of(canonical) == origin_of(base_url)
        and urlsplit(canonical).path == "/"
        and (urlsplit(base_url).path not in ("", "/"))
    ):
        return "root", "The canonical link points to the home page, so search engines may drop this page."
    return None


def _canonical(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    problem = canonical_problem(ap)
    if problem is None:
        return []
    key, message = problem
    return [finding(rule, ap.page.url, message, key=f"canonical:{key}")]


# Rules, their functions and where they apply, in report order.
LIGHTHOUSE_RULES: tuple[tuple[RuleInfo, PageFn, Gate], ...] = (
    (INDEXABLE, _indexable, Gate()),
    (TITLE, _title, Gate()),
    (DESCRIPTION, _description, Gate()),
    (HTTP_STATUS, _http_status, Gate(needs_fetch=True, skip_error_pages=False)),
    (LINK_TEXT, _link_text, Gate()),
    (CRAWLABLE_ANCHORS, _crawlable_anchors, Gate()),
    (IMAGE_ALT, _image_alt, Gate()),
    (HREFLANG, _hreflang, Gate()),
    (CANONICAL, _canonical, Gate()),
)

# Which Lighthouse audit each rule mirrors (robots-txt and robots.txt blocking: checks/site.py).
LIGHTHOUSE_AUDIT_OF: dict[str, str] = {
    "SEO001": "is-crawlable",
    "SEO002": "document-title",
    "SEO003": "meta-description",
    "SEO004": "http-status-code",
    "SEO005": "link-text",
    "SEO006": "crawlable-anchors",
    "SEO007": "image-alt",
    "SEO008": "hreflang",
    "SEO009": "canonical",
}
