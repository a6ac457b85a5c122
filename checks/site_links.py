"""Site checks on how pages point at each other: broken links, redirects, canonical and hreflang targets,
sitemap coverage and click depth."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from auditor.config import SeoConfig
from auditor.models import AnalysedPage, FetchResult, Finding, Site
from checks.registry import CheckContext, RuleInfo
from checks.seo_base import finding, make_site_rule
from checks.site_index import Answer, RobotsMetas, SiteIndex, index_for, indexed

GOOGLE = "https://developers.google.com/search/docs"
AHREFS_ISSUES = "https://help.ahrefs.com/en/collections/2818447-site-audit-issues"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- SEO107 broken internal links ---------------------------------------------------------------------------

BROKEN_LINKS = make_site_rule(
    "SEO107",
    title="Internal links work",
    failure_title="Internal links lead to broken pages",
    severity="error",
    rationale="A link to a missing page is a dead end for visitors and wastes the trust search engines pass "
    "along links.",
    source="Google Search Central: links and HTTP status codes; Ahrefs Site Audit '4XX page' / 'broken "
    "links'",
    suggestion="Update each linking page to point at the right address, or restore the missing page (or "
    "redirect "
    "its old address to the new one).",
    what="Follows every internal link of every audited page to what the crawl got for that address (after "
    "redirects) and reports addresses answering 4xx or 5xx, or not answering at all, naming every page that "
    "links to them. Addresses the crawl did not fetch (outside scope or budget) are not judged.",
    why="Broken links frustrate people ready to book and tell search engines the site is poorly maintained.",
    example='<a href="/treatmnets/smp">  ->  404 Not Found',
    instead='<a href="/treatments/smp">  ->  200 OK',
    references=(f"{GOOGLE}/crawling-indexing/http-network-errors", AHREFS_ISSUES),
)


def _broken_links(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    del seo
    index = index_for(site, ctx)
    out = []
    for target in sorted(index.linked_from):
        answer = index.answers.get(target)
        if answer is None or not answer.is_error or answer.is_loop:
            continue  # a redirect loop is SEO109's finding, which names the linking pages too
        linkers = index.linkers(target)
        shown = index.shown_url.get(target, answer.url)
        via = f" (it redirects to {answer.final_url})" if answer.redirected else ""
        out.append(
            finding(
                rule,
                shown,
                f"Links to {shown} are broken: it answers {answer.describe}{via}. "
                f"Linked from {_plural(len(linkers), 'page')}: {', '.join(linkers[:5])}"
                f"{' ...' if len(linkers) > 5 else ''}.",
                key="broken-link",
                details=(("linked_from", linkers), ("status", answer.status), ("error", answer.error_kind)),
            )
        )
    return out


# --- SEO108 redirect chains / SEO109 redirect loops ---------------------------------------------------------

REDIRECT_CHAIN = make_site_rule(
    "SEO108",
    title="Redirects take one step",
    failure_title="Redirect chains",
    severity="warning",
    rationale="Each extra redirect slows the visit and leaks some of the link's value; crawlers give up on "
    "long "
    "chains.",
    source="Google Search Central: redirects and Google Search; Ahrefs Site Audit 'Redirect chain'",
    suggestion="Point links and the first redirect straight at the final address, so there is a single hop.",
    what="Reports every fetched address that took more than checks.seo.max_redirect_hops redirects (default "
    "1) to "
    "reach its final page, listing the hops and the pages that link to it.",
    why="Old redirects pile up after each site redesign; visitors on phones feel every extra hop.",
    example="/smp -> /smp/ -> /treatments/smp -> /treatments/scalp-micropigmentation",
    instead="/smp -> /treatments/scalp-micropigmentation",
    references=(f"{GOOGLE}/crawling-indexing/301-redirects", AHREFS_ISSUES),
)

REDIRECT_LOOP = make_site_rule(
    "SEO109",
    title="Redirects end at a page",
    failure_title="Redirect loop",
    severity="error",
    rationale="A redirect loop never reaches a page: browsers show an error and search engines drop the "
    "address.",
    source="Google Search Central: redirects; Ahrefs Site Audit 'Redirect loop'",
    suggestion="Fix the redirect rules so this address ends on a real page (often a conflict between two "
    "plugins, or between http/https and www rules).",
    what="Reports fetched addresses whose redirects return to an address already visited (or that the "
    "crawler "
    "stopped as a loop).",
    why="Nobody can reach the page, and every link to it is wasted.",
    example="/about -> /about/ -> /about",
    instead="/about -> /about/ (200 OK)",
    references=(f"{GOOGLE}/crawling-indexing/301-redirects", AHREFS_ISSUES),
)


def _is_loop(index: SiteIndex, fetch: FetchResult) -> bool:
    """The crawler stopped it as a loop, or an address comes back within the chain."""
    if fetch.error_kind == "redirect_loop":
        return True
    seen = [index.norm(hop.url) for hop in fetch.redirect_chain]
    if not seen:
        return False
    return len(set(seen)) < len(seen) or index.norm(fetch.final_url or "") in seen


def _redirects(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, loops: bool
) -> Iterable[Finding]:
    index = index_for(site, ctx)
    out = []
    seen: set[str] = set()
    for fetch in site.fetches:
        key = index.norm(fetch.requested_url)
        if key in seen:
            continue
        seen.add(key)
        final = fetch.final_url or fetch.requested_url
        locations = [hop.url for hop in fetch.redirect_chain[1:]] + [final]
        is_loop = _is_loop(index, fetch)
        linkers = index.linkers(fetch.requested_url)
        if loops and is_loop:
            path = " -> ".join([fetch.requested_url, *locations])
            out.append(
                finding(
                    rule,
                    fetch.requested_url,
                    f"{fetch.requested_url} redirects in a loop ({path}) and never reaches a page.",
                    key="redirect-loop",
                    details=(("hops", tuple(locations)), ("linked_from", linkers)),
                )
            )
        elif not loops and not is_loop and len(fetch.redirect_chain) > seo.max_redirect_hops:
            path = " -> ".join([fetch.requested_url, *locations])
            out.append(
                finding(
                    rule,
                    fetch.requested_url,
                    f"{fetch.requested_url} takes {len(fetch.redirect_chain)} redirects to reach its page: "
                    f"{path}.",
                    key="redirect-chain",
                    details=(("hops", tuple(locations)), ("linked_from", linkers)),
                )
            )
    return out


def _redirect_chains(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    return _redirects(site, seo, rule, ctx, loops=False)


def _redirect_loops(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    return _redirects(site, seo, rule, ctx, loops=True)


# --- SEO110 canonical target / SEO111 hreflang target / SEO112 hreflang return links ------------------------


def _target_problem(index: SiteIndex, url: str) -> str | None:
    """Why an address is a bad target for a canonical or hreflang link; None when fine or unknown."""
    answer: Answer | None = index.answer(url)
    if answer is not None:
        if answer.is_error:
            return f"answers {answer.describe}"
        if answer.redirected:
            return f"redirects to {answer.final_url}"
    target = index.page(url)
    if target is not None and index.is_noindex(target):
        return "is marked noindex"
    return None


CANONICAL_TARGET = make_site_rule(
    "SEO110",
    title="Canonical links point at live, indexable pages",
    failure_title="Canonical links point at redirects, errors or noindex pages",
    severity="warning",
    rationale="A canonical must name the final, indexable address; pointing it at a redirect, an error or a "
    "noindex page sends search engines mixed signals and they may ignore it.",
    source="Google Search Central: consolidate duplicate URLs; Ahrefs Site Audit 'Canonical points to "
    "redirect / "
    "4XX / noindex'",
    suggestion="Change the canonical link to the final address of the page you want shown in search results.",
    what="For each audited page whose canonical names another address, looks up what the crawl got for that "
    "address: a redirect, a 4xx/5xx or no answer, or a page marked noindex is reported. Targets the crawl "
    "did "
    "not fetch are not judged.",
    why="Search engines follow the canonical to decide which page to rank; a broken target can leave both "
    "pages "
    "out.",
    example='<link rel="canonical" href="https://clinic.example/old-smp-page">  (301 to /treatments/smp)',
    instead='<link rel="canonical" href="https://clinic.example/treatments/smp">',
    references=(f"{GOOGLE}/crawling-indexing/consolidate-duplicate-urls", AHREFS_ISSUES),
)


def _canonical_targets(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, robots: Mapping[str, RobotsMetas]
) -> Iterable[Finding]:
    del seo
    index = indexed(site, ctx, robots)
    out = []
    for ap in index.html_pages():
        canonical = ap.page.canonical
        if not canonical or not index.canonical_elsewhere(ap):
            continue
        problem = _target_problem(index, canonical)
        if problem:
            out.append(
                finding(
                    rule,
                    ap.page.url,
                    f"The page's canonical link points to {canonical}, which {problem}.",
                    key=f"canonical-target:{index.norm(canonical)}",
                    details=(("canonical", canonical),),
                )
            )
    return out


HREFLANG_TARGET = make_site_rule(
    "SEO111",
    title="hreflang links point at live, indexable pages",
    failure_title="hreflang links point at redirects, errors or noindex pages",
    severity="warning",
    rationale="Search engines ignore an hreflang alternate that redirects, fails or is noindex, so that "
    "language version is not offered.",
    source="Google Search Central: localized versions of your page; Ahrefs Site Audit hreflang issues",
    suggestion="Point each hreflang link at the final, indexable address of that language version.",
    what="For each hreflang alternate of each audited page (other than the page itself), looks up what the "
    "crawl "
    "got for it and reports redirects, 4xx/5xx or no answer, and noindex pages. Unfetched targets are not "
    "judged.",
    why="Visitors from another country or language end up on the wrong version, or on an error.",
    example='<link rel="alternate" hreflang="fr" href="https://clinic.example/fr/smp">  (404)',
    instead='<link rel="alternate" hreflang="fr" href="https://clinic.example/fr/traitements/smp">',
    references=(f"{GOOGLE}/specialty/international/localized-versions", AHREFS_ISSUES),
)


def _own_keys(index: SiteIndex, ap: AnalysedPage) -> set[str]:
    keys = {index.norm(ap.page.url)}
    if ap.page.final_url:
        keys.add(index.norm(ap.page.final_url))
    return keys


def _hreflang_targets(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, robots: Mapping[str, RobotsMetas]
) -> Iterable[Finding]:
    del seo
    index = indexed(site, ctx, robots)
    out = []
    for ap in index.html_pages():
        own = _own_keys(index, ap)
        for lang, href in ap.page.hreflang:
            if index.norm(href) in own:
                continue
            problem = _target_problem(index, href)
            if problem:
                out.append(
                    finding(
                        rule,
                        ap.page.url,
                        f"The hreflang link for '{lang}' points to {href}, which {problem}.",
                        key=f"hreflang-target:{lang}:{index.norm(href)}",
                        details=(("hreflang", lang), ("href", href)),
                    )
                )
    return out


HREFLANG_RETURN = make_site_rule(
    "SEO112",
    title="hreflang links are confirmed by return links",
    failure_title="hreflang links lack return links",
    severity="warning",
    rationale="Search engines only trust an hreflang pair when each page lists the other; one-way links are "
    "ignored.",
    source="Google Search Central: localized versions ('bidirectional' links)",
    suggestion="Add the matching hreflang link on the other language version, pointing back to this page.",
    what="For each hreflang alternate B of an audited page A (B not A itself), when B was audited too, "
    "checks "
    "that B lists A among its own hreflang links.",
    why="Without the return link the language versions are not connected, and searchers may be shown the "
    "wrong "
    "one.",
    example="/en/smp lists /fr/smp as hreflang=fr, but /fr/smp has no hreflang link to /en/smp.",
    instead="Both pages list both versions (and themselves).",
    references=(f"{GOOGLE}/specialty/international/localized-versions#html",),
)


def _hreflang_return(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    del seo
    index = index_for(site, ctx)
    out = []
    for ap in index.html_pages():
        own = _own_keys(index, ap)
        for lang, href in ap.page.hreflang:
            if index.norm(href) in own:
                continue
            other = index.page(href)
            if other is None:
                continue
            back = {index.norm(h) for _, h in other.page.hreflang}
            if back & own:
                continue
            out.append(
                finding(
                    rule,
                    ap.page.url,
                    f"This page names {href} as its '{lang}' version, but that page does not link back to it "
                    "with hreflang.",
                    key=f"hreflang-return:{index.norm(href)}",
                    details=(("hreflang", lang), ("href", href)),
                )
            )
    return out


# --- SEO113 orphans / SEO114 missing from sitemap / SEO115 bad sitemap entries ------------------------------

ORPHAN = make_site_rule(
    "SEO113",
    title="Sitemap pages are linked from the site",
    failure_title="Orphan pages: in the sitemap but not linked",
    severity="warning",
    rationale="A page no other page links to is hard for visitors to find and looks unimportant to search "
    "engines.",
    source="Ahrefs Site Audit 'Orphan page (has no incoming internal links)'; Google Search Central: links",
    suggestion="Link to this page from related pages (a treatment overview, the FAQ, the menu), or remove it "
    "from the sitemap if it is obsolete.",
    what="Reports sitemap addresses that no audited page links to (the home page excepted). Addresses whose "
    "sitemap entry is broken are SEO115's.",
    why="Internal links are how both people and crawlers discover a page and judge its importance.",
    example="/offers/spring-2024 listed in sitemap.xml, linked from nowhere.",
    instead="Linked from /offers or removed from the sitemap.",
    references=(AHREFS_ISSUES, f"{GOOGLE}/crawling-indexing/links-crawlable"),
)


def _sitemap_keys(index: SiteIndex, site: Site) -> dict[str, str]:
    return {index.norm(u): u for u in site.sitemap_urls}


def _is_home(index: SiteIndex, site: Site, key: str) -> bool:
    return bool(site.root_url) and key == index.norm(site.root_url or "")


def _orphans(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    del seo
    index = index_for(site, ctx)
    linked = set(index.linked_from)
    out = []
    for key, url in sorted(_sitemap_keys(index, site).items()):
        if key in linked or _is_home(index, site, key):
            continue
        answer = index.answers.get(key)
        if answer is not None and (answer.is_error or answer.redirected):
            continue
        page = index.page(url)
        if page is not None and _own_keys(index, page) & linked:
            continue
        out.append(
            finding(
                rule,
                url,
                f"{url} is in the sitemap, but no page of the site links to it.",
                key="orphan",
            )
        )
    return out


NOT_IN_SITEMAP = make_site_rule(
    "SEO114",
    title="Linked pages are in the sitemap",
    failure_title="Indexable pages missing from the sitemap",
    severity="info",
    rationale="The sitemap is the list of pages you want indexed; leaving pages out makes them slower to be "
    "found "
    "and updated.",
    source="Google Search Central: build and submit a sitemap",
    suggestion="Add this page to the sitemap (most CMS sitemap plugins have a setting per page or post "
    "type).",
    what="When the site has a sitemap, reports indexable pages (2xx, not noindex, canonical to themselves) "
    "that "
    "are linked from the site but not listed in it.",
    why="Pages outside the sitemap are crawled less often, so changes to them reach search results later.",
    example="/treatments/smp-aftercare linked from the menu but absent from sitemap.xml.",
    instead="<url><loc>https://clinic.example/treatments/smp-aftercare</loc></url> in sitemap.xml",
    references=(f"{GOOGLE}/crawling-indexing/sitemaps/build-sitemap",),
)


def _not_in_sitemap(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, robots: Mapping[str, RobotsMetas]
) -> Iterable[Finding]:
    del seo
    if not site.sitemap_urls:
        return []
    index = indexed(site, ctx, robots)
    sitemap = set(_sitemap_keys(index, site))
    out = []
    for ap in index.html_pages():
        own = _own_keys(index, ap)
        if own & sitemap or not (own & set(index.linked_from)) or not index.is_indexable(ap):
            continue
        out.append(
            finding(
                rule,
                ap.page.url,
                "This page is linked from the site but is not listed in the sitemap.",
                key="not-in-sitemap",
            )
        )
    return out


BAD_SITEMAP_ENTRY = make_site_rule(
    "SEO115",
    title="Sitemap entries are live, indexable pages",
    failure_title="Sitemap lists redirects, errors or noindex pages",
    severity="warning",
    rationale="A sitemap should list only final, indexable addresses; dead or redirected entries make search "
    "engines trust the sitemap less.",
    source="Google Search Central: build and submit a sitemap; Ahrefs Site Audit '3XX/4XX/noindex page in "
    "sitemap'",
    suggestion="Remove the entry from the sitemap or replace it with the page's current address.",
    what="Looks up each sitemap address in the crawl and reports those that redirect, answer 4xx/5xx or not "
    "at "
    "all, or are marked noindex. Entries the crawl did not fetch are not judged.",
    why="Search engines spend their visits on the sitemap's list; broken entries waste them and the real "
    "pages "
    "wait.",
    example="<loc>https://clinic.example/old-prices</loc>  ->  404",
    instead="<loc>https://clinic.example/prices</loc>  ->  200",
    references=(f"{GOOGLE}/crawling-indexing/sitemaps/build-sitemap", AHREFS_ISSUES),
)


def _bad_sitemap_entries(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, robots: Mapping[str, RobotsMetas]
) -> Iterable[Finding]:
    del seo
    index = indexed(site, ctx, robots)
    out = []
    for url in sorted(_sitemap_keys(index, site).values()):
        problem = _target_problem(index, url)
        if problem:
            out.append(
                finding(
                    rule,
                    url,
                    f"The sitemap lists {url}, which {problem}.",
                    key="sitemap-entry",
                    details=(("problem", problem),),
                )
            )
    return out


# --- SEO116 crawl depth -------------------------------------------------------------------------------------

DEPTH = make_site_rule(
    "SEO116",
    title="Pages are a few clicks from the start",
    failure_title="Pages are many clicks deep",
    severity="info",
    rationale="Pages many clicks from the home page get crawled less often and are seen as less important.",
    source="Ahrefs Site Audit 'Page has more than N clicks depth'; Google Search Central: site structure",
    suggestion="Link to this page from a higher-level page (a treatment hub, the menu or the FAQ) so it is "
    "within a few clicks of the home page.",
    what="Reads each audited page's link depth from the crawl's start addresses and reports pages deeper "
    "than "
    "checks.seo.max_crawl_depth (default 4).",
    why="Visitors rarely click more than three or four times to find an answer; crawlers behave alike.",
    example="Home > Blog > Page 7 > 2019 > Post about SMP aftercare (depth 5).",
    instead="Home > Aftercare guide (depth 1), linking to the post.",
    references=(AHREFS_ISSUES, "https://developers.google.com/search/docs/fundamentals/seo-starter-guide"),
)


def _depth(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    index = index_for(site, ctx)
    out = []
    seen: set[str] = set()
    for url, depth in site.depths:
        key = index.norm(url)
        if depth <= seo.max_crawl_depth or key in seen:
            continue
        seen.add(key)
        ap = index.page(url)
        if ap is None or ap.page.source_kind != "html":
            continue
        out.append(
            finding(
                rule,
                ap.page.url,
                f"This page is {depth} clicks from the start page (more than {seo.max_crawl_depth}).",
                key="depth",
                details=(("depth", depth),),
            )
        )
    return out


# --- SEO117 links to redirects ----------------------------------------------------------------------------

LINKS_TO_REDIRECTS = make_site_rule(
    "SEO117",
    title="Internal links point straight at pages",
    failure_title="Internal links point at redirects",
    severity="info",
    rationale="A link to an old address that redirects costs visitors a round trip and passes a little less "
    "value than a direct link.",
    source="Google Search Central: redirects; Ahrefs Site Audit 'Page has links to redirect'",
    suggestion="Update the link to the final address it redirects to.",
    what="Reports, per audited page, internal links whose address answered with a redirect (to a working "
    "page; "
    "broken targets are SEO107's), naming the address each one ends at.",
    why="Redirected links pile up after redesigns; fixing them makes pages faster and keeps the link "
    "structure "
    "clear to search engines.",
    example='<a href="/treatments/smp">  ->  301 to /treatments/scalp-micropigmentation',
    instead='<a href="/treatments/scalp-micropigmentation">',
    references=(f"{GOOGLE}/crawling-indexing/301-redirects", AHREFS_ISSUES),
)


def _links_to_redirects(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    del seo
    index = index_for(site, ctx)
    out = []
    # Per link address: its normal form when it answered with a redirect to a working page, else None. Pages
    # share most of their links (menus, footers), so each address is looked up once.
    redirecting: dict[str, str | None] = {}
    for ap in index.html_pages():
        reported: set[str] = set()
        for link in ap.page.links:
            if not (link.internal and link.url):
                continue
            if link.url in redirecting:
                key = redirecting[link.url]
            else:
                key = None
                if link.url.startswith(("http://", "https://")):
                    normal = index.norm(link.url)
                    target = index.answers.get(normal)
                    if target is not None and target.redirected and not target.is_error:
                        key = normal
                redirecting[link.url] = key
            if key is None or key in reported:
                continue
            reported.add(key)
            answer = index.answers[key]
            out.append(
                finding(
                    rule,
                    ap.page.url,
                    f"The link to {link.href} redirects to {answer.final_url}; link to the final address "
                    "instead.",
                    key=f"links-to-redirect:{key}",
                    details=(("href", link.href), ("final_url", answer.final_url)),
                )
            )
    return out
