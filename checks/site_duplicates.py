"""Site checks for sameness across indexable pages: duplicate titles and descriptions, copied text."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from auditor.config import SeoConfig
from auditor.models import AnalysedPage, Evidence, Finding, Site
from checks.registry import CheckContext, RuleInfo
from checks.seo_base import finding, main_text, make_site_rule, short
from checks.seo_dom import fold
from checks.seo_neardup import clusters, compact_signature, shingles, similar_sets, sorted_unique
from checks.site_index import RobotsMetas, SiteIndex, indexed, robots_metas

AHREFS_ISSUES = "https://help.ahrefs.com/en/collections/2818447-site-audit-issues"
GOOGLE_DUPES = "https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls"
INDEXABLE_NOTE = (
    " Only indexable pages take part: answering 2xx, not noindex, and not naming another address as "
    "canonical."
)

DUPLICATE_TITLES = make_site_rule(
    "SEO103",
    title="Page titles are unique",
    failure_title="Several pages share the same title",
    severity="warning",
    rationale="Pages with the same title compete with each other in search, and searchers cannot tell them "
    "apart.",
    source="Google Search Central: title links; Ahrefs Site Audit 'Duplicate pages without canonical'",
    suggestion="Give each page its own title naming what is specific to it (treatment, location, question).",
    what="Groups indexable pages by their title (case and spacing ignored) and reports every page of a "
    "group of "
    "two or more, naming the others." + INDEXABLE_NOTE,
    why="Search engines pick one of the look-alikes to show, often not the one you want.",
    example="Three treatment pages all titled 'Example Clinic | Home'.",
    instead="'Scalp Micropigmentation | Example Clinic', 'Hair Transplant Aftercare | Example Clinic', ...",
    references=("https://developers.google.com/search/docs/appearance/title-link", AHREFS_ISSUES),
)

DUPLICATE_DESCRIPTIONS = make_site_rule(
    "SEO104",
    title="Meta descriptions are unique",
    failure_title="Several pages share the same meta description",
    severity="warning",
    rationale="A description copied across pages does not describe any of them well and is often replaced by "
    "search engines.",
    source="Google Search Central: meta description snippets; Ahrefs Site Audit 'Duplicate meta "
    "descriptions'",
    suggestion="Write a description for each page that summarises that page alone.",
    what="Groups indexable pages by their meta description (case and spacing ignored) and reports every "
    "page of "
    "a group of two or more." + INDEXABLE_NOTE,
    why="Identical descriptions make different pages look the same in results and lose clicks.",
    example="Every page: 'Welcome to Example Clinic, the leading clinic in Leeds.'",
    instead="One description per page, about that page.",
    references=("https://developers.google.com/search/docs/appearance/snippet", AHREFS_ISSUES),
)

EXACT_DUPLICATE = make_site_rule(
    "SEO105",
    title="Each page's main content is its own",
    failure_title="Pages have identical main content",
    severity="warning",
    rationale="Identical pages split links and rankings between them; search engines index one and ignore "
    "the rest.",
    source="Google Search Central: consolidate duplicate URLs",
    suggestion="Keep one of the identical pages and 301-redirect the others to it, or point their canonical "
    "link at it.",
    what="Compares the main content of indexable pages (menus, headers and footers left out, whitespace and "
    "case folded) and reports pages whose text is identical, naming the others." + INDEXABLE_NOTE,
    why="Duplicates waste crawl effort and dilute the page that should rank.",
    example="/smp and /scalp-micropigmentation serving the same article.",
    instead="/smp redirecting (301) to /scalp-micropigmentation.",
    references=(GOOGLE_DUPES, AHREFS_ISSUES),
)

NEAR_DUPLICATE = make_site_rule(
    "SEO106",
    title="Pages are not near-copies of each other",
    failure_title="Pages are near-copies of each other",
    severity="warning",
    rationale="Location or service pages that differ by a few words look like doorway pages and rarely all "
    "rank.",
    source="Google Search Central: spam policies (doorway pages) and duplicate content",
    suggestion="Make each page genuinely different (local details, specific questions, real results), or "
    "merge "
    "them into one page and redirect the rest.",
    what="Splits the main text of indexable pages into overlapping 5-word shingles "
    "(checks.seo.shingle_words) and "
    "reports pairs whose shingle sets overlap by at least checks.seo.near_duplicate_threshold (Jaccard, "
    "default "
    "0.9), found with MinHash and LSH banding and confirmed exactly. Pages under "
    "checks.seo.near_duplicate_min_words words are left to the thin-content check; identical pages are "
    "SEO105's." + INDEXABLE_NOTE,
    why="Search engines fold near-copies together and may treat a set of them as low-quality doorway pages.",
    example="/smp-leeds and /smp-york with the same 600 words and only the town name changed.",
    instead="Each town page with its own directions, team, results and local questions.",
    references=(
        "https://developers.google.com/search/docs/essentials/spam-policies#doorways",
        GOOGLE_DUPES,
        "Broder (1997), On the resemblance and containment of documents (shingles, MinHash)",
    ),
)


def _indexable_pages(index: SiteIndex) -> list[AnalysedPage]:
    return [ap for ap in index.html_pages() if index.is_indexable(ap)]


def _count(n: int) -> str:
    return f"{n} other page{'s' if n > 1 else ''}"


def _group_findings(
    rule: RuleInfo,
    index: SiteIndex,
    value_of: Callable[[AnalysedPage], str | None],
    what: str,
) -> list[Finding]:
    groups: dict[str, list[AnalysedPage]] = defaultdict(list)
    shown: dict[str, str] = {}
    for ap in _indexable_pages(index):
        raw = value_of(ap)
        text = fold(raw or "")
        if not text:
            continue
        groups[text.lower()].append(ap)
        shown.setdefault(text.lower(), text)
    out = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        urls = sorted(ap.page.url for ap in members)
        for ap in members:
            others = [u for u in urls if u != ap.page.url]
            out.append(
                finding(
                    rule,
                    ap.page.url,
                    f"This page has the same {what} as {_count(len(others))}: "
                    f"{', '.join(others[:3])}{' ...' if len(others) > 3 else ''}.",
                    evidence=Evidence(excerpt=short(shown[key], 200)),
                    key=f"{what}:{key}",
                    details=(("duplicates", tuple(others)),),
                )
            )
    return out


def _duplicate_titles(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, robots: Mapping[str, RobotsMetas]
) -> Iterable[Finding]:
    del seo
    return _group_findings(rule, indexed(site, ctx, robots), lambda ap: ap.page.title, "title")


def _duplicate_descriptions(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, robots: Mapping[str, RobotsMetas]
) -> Iterable[Finding]:
    del seo
    index = indexed(site, ctx, robots)
    return _group_findings(rule, index, lambda ap: ap.page.meta_description, "meta description")


# --- SEO105 / SEO106: main text. A slim page (checks.registry.PreparingCheck) has no text, so each page's
# text is summarised where the page is analysed: its key (for identical text) and its shingles (for near
# copies), with the robots metas indexability needs.


@dataclass(frozen=True, slots=True, eq=False)
class TextKey:
    """SEO105's summary of one page: its robots metas and the SHA-256 of its folded main text."""

    robots: RobotsMetas
    key: bytes


@dataclass(frozen=True, slots=True, eq=False)
class TextPrint:
    """SEO106's summary of one page: its robots metas, text key, shingle hashes folded to 32 bits (sorted,
    unique: half the memory of a 2,000-page site's worth of 64-bit ones, at the cost of a collision odds of about
    one in four billion per pair of shingles) and MinHash signature (uint32, from the 64-bit hashes)."""

    robots: RobotsMetas
    key: bytes
    shingles: np.ndarray
    signature: np.ndarray


_LAST_KEY: list[tuple[AnalysedPage, bytes]] = []


def _text_key(ap: AnalysedPage) -> bytes:
    """SEO105 and SEO106 summarise the same page one after the other: the last page's key is kept (by
    identity) so the main text is folded and hashed once."""
    last = _LAST_KEY[0] if _LAST_KEY else None
    if last is not None and last[0] is ap:
        return last[1]
    key = hashlib.sha256(fold(main_text(ap.page)).lower().encode()).digest()
    _LAST_KEY[:] = [(ap, key)]
    return key


def _may_be_content(ap: AnalysedPage, seo: SeoConfig) -> bool:
    """What one page can tell of `_content_pages`; indexability needs the whole site, so it is left to the
    reduce step."""
    return ap.page.source_kind == "html" and ap.page.word_count >= seo.near_duplicate_min_words


def prepare_text_key(ap: AnalysedPage, seo: SeoConfig) -> TextKey | None:
    return TextKey(robots_metas(ap.page), _text_key(ap)) if _may_be_content(ap, seo) else None


def prepare_text_print(ap: AnalysedPage, seo: SeoConfig) -> TextPrint | None:
    if not _may_be_content(ap, seo):
        return None
    hashes = shingles(main_text(ap.page), seo.shingle_words)
    folded = sorted_unique((hashes ^ (hashes >> np.uint64(32))).astype(np.uint32))
    return TextPrint(robots_metas(ap.page), _text_key(ap), folded, compact_signature(hashes))


def _content_pages(
    site: Site, seo: SeoConfig, ctx: CheckContext, summaries: Mapping[str, TextKey | TextPrint]
) -> list[AnalysedPage]:
    """Indexable HTML pages long enough to compare, that have a summary (all of them, from a whole run)."""
    index = indexed(site, ctx, {url: s.robots for url, s in summaries.items()})
    return [
        ap
        for ap in index.html_pages()
        if ap.page.word_count >= seo.near_duplicate_min_words and ap.page.url in summaries and index.is_indexable(ap)
    ]


def _exact_duplicates(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, keys: Mapping[str, TextKey]
) -> Iterable[Finding]:
    groups: dict[bytes, list[str]] = defaultdict(list)
    for ap in _content_pages(site, seo, ctx, keys):
        groups[keys[ap.page.url].key].append(ap.page.url)
    out = []
    for urls in groups.values():
        if len(urls) < 2:
            continue
        for url in sorted(urls):
            others = sorted(u for u in urls if u != url)
            out.append(
                finding(
                    rule,
                    url,
                    f"This page's main text is identical to {', '.join(others[:3])}"
                    f"{' and others' if len(others) > 3 else ''}.",
                    key="duplicate-content",
                    details=(("duplicates", tuple(others)),),
                )
            )
    return out


def _near_duplicates(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, prints: Mapping[str, TextPrint]
) -> Iterable[Finding]:
    pages = {ap.page.url: prints[ap.page.url] for ap in _content_pages(site, seo, ctx, prints)}
    sets = {url: p.shingles for url, p in pages.items()}
    signatures = {url: p.signature for url, p in pages.items()}
    pairs = [
        p
        for p in similar_sets(sets, seo.near_duplicate_threshold, signatures)
        if pages[p.first].key != pages[p.second].key
    ]
    score: dict[tuple[str, str], float] = {(p.first, p.second): p.similarity for p in pairs}
    out = []
    for group in clusters(pairs):
        for url in group:
            others = [u for u in group if u != url]
            best = max(score.get((min(url, o), max(url, o)), 0.0) for o in others)
            out.append(
                finding(
                    rule,
                    url,
                    f"This page's main text is {best:.0%} the same as {', '.join(others[:3])}"
                    f"{' and others' if len(others) > 3 else ''}.",
                    key="near-duplicate",
                    details=(("duplicates", tuple(others)), ("similarity", best)),
                )
            )
    return out
