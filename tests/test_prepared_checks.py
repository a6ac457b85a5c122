"""Site checks split into a map and a reduce (checks.registry.PreparingCheck) find the same from the slim pages
a full run keeps as from whole pages.

Each site is checked twice: the plain way, from whole pages (each check summarises them itself), and the way
the pipeline does it: every page summarised on its own, the summary pickled and unpickled (as across the
process boundary), gathered in a shuffled order, and the checks run on slim pages (no sentences, no blocks,
no fetched body). Findings and site data must be identical. The sites are built so that the converted rules
do fire (figures that disagree, copied and near-copied text, a noindex only the markup shows), and the slim
pages without the summaries are shown to give different findings, so the comparison cannot pass by finding
nothing.
"""

from __future__ import annotations

import dataclasses
import pickle
import random
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from seo_helpers import ORIGIN, analysed, crawled_demo_site, fetched, html_doc

from auditor.config import Config
from auditor.models import AnalysedPage, FetchResult, Site
from checks import site as site_checks
from checks.consistency import ConsistencyCheck
from checks.registry import CheckContext, PreparingCheck, SiteCheck
from checks.site_duplicates import TextPrint

CONFIG = Config()
CTX = CheckContext(config=CONFIG)
PREPARED_RULES = {"SEO101", "SEO103", "SEO104", "SEO105", "SEO106", "SEO110", "SEO111", "SEO114", "SEO115"}


def all_site_checks() -> list[SiteCheck]:
    return [*site_checks.checks(CONFIG), ConsistencyCheck(CONFIG)]


def slim_fetch(fetch: FetchResult | None) -> FetchResult | None:
    return None if fetch is None else dataclasses.replace(fetch, body=b"")


def slim_page(ap: AnalysedPage) -> AnalysedPage:
    """The page as the main process keeps it in a full run: no sentences, no blocks, no fetched body."""
    page = dataclasses.replace(ap.page, blocks=(), fetch=slim_fetch(ap.page.fetch))
    return dataclasses.replace(ap, page=page, sentences=())


def across_a_process(summary: Any) -> Any:
    return pickle.loads(pickle.dumps(summary))


def slim_site(whole: Site, checks: Sequence[SiteCheck], seed: int, with_prepared: bool = True) -> Site:
    """The Site the pipeline hands the site checks: slim pages (in arrival order), and each preparing check's
    page summaries gathered in that same shuffled order."""
    arrival = list(whole.pages)
    random.Random(seed).shuffle(arrival)
    prepared: dict[str, Any] = {}
    for check in checks:
        if with_prepared and isinstance(check, PreparingCheck):
            acc = check.start()
            for ap in arrival:
                check.gather(acc, across_a_process(check.prepare_page(ap, (), CTX)))
            prepared[check.name] = acc
    fetches = tuple(f for f in (slim_fetch(f) for f in whole.fetches) if f is not None)
    return dataclasses.replace(whole, pages=tuple(slim_page(ap) for ap in arrival), fetches=fetches, prepared=prepared)


Outcome = tuple[set[tuple[str, str, str, str, str, str]], dict[str, Any]]


def run(the_site: Site, checks: Sequence[SiteCheck]) -> Outcome:
    """Every finding (rule, url, fingerprint, message, details, evidence) and the merged site data."""
    found: set[tuple[str, str, str, str, str, str]] = set()
    data: dict[str, Any] = {}
    for check in checks:
        for f in check.check_site(the_site, CTX):
            found.add((f.check_id, f.url, f.fingerprint, f.message, repr(f.details), repr(f.evidence)))
        site_data = getattr(check, "site_data", None)
        if callable(site_data):
            data[check.name] = site_data(the_site, CTX)
    return found, data


def rule_ids(outcome: Outcome) -> set[str]:
    return {entry[0] for entry in outcome[0]}


def assert_slim_matches_whole(whole: Site, must_fire: set[str], must_need_summaries: set[str]) -> None:
    """`must_fire`: rules that find something on the whole pages; `must_need_summaries`: rules whose findings
    differ on slim pages without the summaries (so their summaries are what keeps them right)."""
    checks = all_site_checks()
    plain = run(whole, checks)
    assert must_fire <= rule_ids(plain), must_fire - rule_ids(plain)
    for seed in (1, 2, 3):
        fresh = all_site_checks()  # a new run: nothing cached on the check objects
        slim = run(slim_site(whole, fresh, seed), fresh)
        assert slim[0] == plain[0], (seed, slim[0] ^ plain[0])
        assert slim[1] == plain[1]
    # Without the summaries the slim pages lose exactly what the converted rules read.
    naive = run(slim_site(whole, checks, 1, with_prepared=False), checks)
    lost = {entry[0] for entry in plain[0] ^ naive[0]}
    assert must_need_summaries <= lost <= PREPARED_RULES | {"ACC102", "ACC103", "ACC104", "ACC105"}, lost


# --- a hand-built site: every converted rule fires ----------------------------------------------------------

WORDS = [f"word{i}" for i in range(400)]
TEXT = " ".join(WORDS)
NEAR = " ".join([*WORDS[:-3], "different", "ending", "here"])
SESSIONS = "Most clients need two to three sessions."
NOINDEX_IN_NOSCRIPT = '<noscript><meta name="robots" content="noindex"></noscript>'  # the markup's, not extraction's


def u(path: str) -> str:
    return ORIGIN + path


def page(
    path: str, body: str, title: str | None = None, head: str = "", h1: str | None = None
) -> tuple[FetchResult, AnalysedPage]:
    document = html_doc(
        f"<h1>{h1 or path}</h1>{body}",
        title=title or f"Page {path} | Example Clinic",
        description=f"All about {path} at Example Clinic, written for this page alone.",
        head=head,
    )
    fetch = fetched(u(path), document)
    return fetch, analysed(fetch)


def built_site() -> Site:
    pages = [
        page("/leeds", f"<p>{SESSIONS}</p><p>{TEXT}</p>", title="SMP | Clinic", h1="SMP"),
        page("/leeds-copy", f"<p>{SESSIONS}</p><p>{TEXT}</p>", title="SMP | Clinic", h1="SMP"),
        page("/york", f"<p>{SESSIONS}</p><p>{NEAR}</p>", h1="SMP"),
        page(
            "/women",
            "<p>Women's density treatment is usually completed in one session.</p>"
            '<p>Full head SMP costs £2,900.</p><p><a href="/york">York</a> <a href="/leeds">Leeds</a></p>',
        ),
        page("/pricing", "<p>Full head SMP costs from £1,800 to £2,400.</p><p>Each session takes two to four hours.</p>"),
        page("/quick", "<p>A 45-minute session is all it takes.</p>"),
        # noindex only where a browser parses it: left out of the duplicates, a bad canonical/sitemap target
        page("/hidden", f"<p>{SESSIONS}</p><p>{TEXT}</p>", title="SMP | Clinic", head=NOINDEX_IN_NOSCRIPT, h1="SMP"),
        page(
            "/canon",
            "<p>A page that names the hidden one as its canonical.</p>",
            head=f'<link rel="canonical" href="{u("/hidden")}"><link rel="alternate" hreflang="fr" href="{u("/hidden")}">',
        ),
        # robots.txt blocks it; its own noindex sits in <body>, where Lighthouse does not read it
        page("/private/smp", '<p>Private.</p><meta name="robots" content="noindex">'),
    ]
    return Site(
        name="clinic",
        root_url=u("/"),
        pages=tuple(ap for _, ap in pages),
        fetches=tuple(f for f, _ in pages),
        sitemap_urls=tuple(u(p) for p in ("/leeds", "/leeds-copy", "/women", "/pricing", "/hidden")),
        robots_txt="User-agent: *\nDisallow: /private/\n",
        robots_status=200,
    )


def test_slim_pages_with_summaries_find_what_whole_pages_find() -> None:
    needing = {"ACC102", "ACC104", "ACC105", "SEO101", "SEO103", "SEO105", "SEO106", "SEO110", "SEO111", "SEO115"}
    assert_slim_matches_whole(built_site(), needing | {"SEO114"}, needing)


def test_the_duplicates_are_the_same_pages_with_the_same_similarity() -> None:
    whole = built_site()
    plain, _ = run(whole, all_site_checks())
    checks = all_site_checks()
    slim, _ = run(slim_site(whole, checks, 7), checks)
    for found in (plain, slim):
        exact = sorted(url for rule, url, *_ in found if rule == "SEO105")
        near = {url: details for rule, url, _, _, details, _ in found if rule == "SEO106"}
        assert exact == [u("/leeds"), u("/leeds-copy")]  # /hidden has the same text but is noindex
        assert sorted(near) == [u("/leeds"), u("/leeds-copy"), u("/york")]
        assert "('similarity', 0.985)" in near[u("/york")]


def test_a_page_summary_is_small_and_holds_no_page() -> None:
    whole = built_site()
    (near,) = [c for c in site_checks.checks(CONFIG) if c.name == "seo:SEO106"]
    assert isinstance(near, PreparingCheck)
    leeds = next(ap for ap in whole.pages if ap.page.url == u("/leeds"))
    url, summary = across_a_process(near.prepare_page(leeds, (), CTX))
    assert url == u("/leeds") and isinstance(summary, TextPrint)
    assert summary.shingles.dtype == np.uint32 and summary.signature.dtype == np.uint32
    assert len(summary.signature) == 128 and summary.robots == ()
    assert len(pickle.dumps(summary)) < 5 * len(summary.shingles) + 1500
    thin = next(ap for ap in whole.pages if ap.page.url == u("/quick"))
    assert near.prepare_page(thin, (), CTX) is None  # too short to compare: nothing to carry


def test_consistency_facts_come_in_one_order_whatever_the_arrival() -> None:
    whole = built_site()
    orders = []
    for seed in (1, 2, 3, 4):
        check = ConsistencyCheck(CONFIG)
        slim = slim_site(whole, [check], seed)
        orders.append([(f.url, f.block.index, f.start, f.kind, f.text) for f in check.facts(slim, CTX)])
    assert orders[0] and all(order == orders[0] for order in orders)
    assert [key[:3] for key in orders[0]] == sorted(key[:3] for key in orders[0])


# --- the demo clinic, served and crawled ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_site() -> Iterator[Site]:
    yield crawled_demo_site()


def test_demo_site_slim_matches_whole(demo_site: Site) -> None:
    assert_slim_matches_whole(demo_site, {"ACC102", "ACC103", "SEO103"}, {"ACC102", "ACC103"})
