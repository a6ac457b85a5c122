"""Site-level SEO checks on small sites built for each rule: robots.txt, duplicates, links, sitemaps."""

from __future__ import annotations

from collections.abc import Sequence

from seo_helpers import ORIGIN, analysed, fetched, html_doc, of, site_findings

from auditor.config import Config
from auditor.models import AnalysedPage, FetchResult, Redirect, Site
from checks import site
from checks.registry import missing_docs, rules_index

LONG = " ".join(
    f"<p>Paragraph {i}: scalp micropigmentation places pigment in the scalp; the clinic explains risks, "
    "aftercare "
    f"and cost at a consultation before treatment number {i} begins.</p>"
    for i in range(12)
)


def u(path: str) -> str:
    return ORIGIN + path


def page(path: str, body: str = LONG, **kwargs: object) -> tuple[FetchResult, AnalysedPage]:
    title = str(kwargs.pop("title", f"Page {path} | Example Clinic"))
    description = str(
        kwargs.pop("description", f"All about {path} at Example Clinic, written for this page alone.")
    )
    head = str(kwargs.pop("head", ""))
    h1 = str(kwargs.pop("h1", path))
    document = html_doc(f"<h1>{h1}</h1>{body}", title=title, description=description, head=head)
    fetch = fetched(u(path), document, **kwargs)  # type: ignore[arg-type]
    return fetch, analysed(fetch)


def build(
    pages: Sequence[tuple[FetchResult, AnalysedPage]],
    extra_fetches: Sequence[FetchResult] = (),
    **kwargs: object,
) -> Site:
    return Site(
        name="clinic",
        root_url=u("/"),
        pages=tuple(ap for _, ap in pages),
        fetches=tuple(f for f, _ in pages) + tuple(extra_fetches),
        **kwargs,  # type: ignore[arg-type]
    )


def links(*paths: str) -> str:
    return "".join(f'<p><a href="{p}">Read about {p.strip("/")}</a></p>' for p in paths)


def test_every_site_rule_explains_itself() -> None:
    rules = rules_index(site.checks(Config()))
    assert len(rules) >= 17
    for rule in rules.values():
        assert rule.scope == "site" and missing_docs(rule) == [], rule.id


# --- robots.txt --------------------------------------------------------------------------------------------


def test_robots_txt_blocking_like_lighthouse() -> None:
    blocked = page("/private/smp")
    fine = page("/smp")
    robots = "User-agent: *\nDisallow: /private/\n\nUser-agent: Googlebot\nDisallow: /private/\n"
    found = of(site_findings(build([blocked, fine], robots_txt=robots, robots_status=200)), "SEO101")
    assert [f.url for f in found] == [u("/private/smp")]
    # One named bot allowed is enough for Lighthouse: bingbot has its own empty group.
    lenient = robots + "\nUser-agent: bingbot\nDisallow:\n"
    assert not of(site_findings(build([blocked], robots_txt=lenient, robots_status=200)), "SEO101")


def test_robots_txt_in_sitemap_but_skipped() -> None:
    the_site = build(
        [page("/")],
        robots_txt="User-agent: *\nDisallow: /offers/\n",
        robots_status=200,
        sitemap_urls=(u("/offers/spring"),),
        skipped=((u("/offers/spring"), "robots.txt disallows it"),),
    )
    assert [f.url for f in of(site_findings(the_site), "SEO101")] == [u("/offers/spring")]


def test_robots_txt_validity() -> None:
    bad = "Disallow: /x\nUser-agent: *\nDisalow: /y\nDisallow: y$z\nSitemap: /sitemap.xml\nUser-agent:\n"
    found = of(site_findings(build([page("/")], robots_txt=bad, robots_status=200)), "SEO102")
    errors = dict(found[0].details)["errors"]
    assert [line for line, _, _ in errors] == [1, 3, 4, 5, 6]
    assert found[0].url == u("/robots.txt")
    assert of(site_findings(build([page("/")], robots_txt="oops", robots_status=503)), "SEO102")
    assert not of(site_findings(build([page("/")], robots_txt="Not found", robots_status=404)), "SEO102")
    assert not of(site_findings(build([page("/")], robots_txt=None, robots_status=None)), "SEO102")


# --- duplicates
# ----------------------------------------------------------------------------------------------


def test_duplicate_titles_and_descriptions_on_indexable_pages_only() -> None:
    a = page("/a", title="SMP | Clinic", description="Same words.")
    b = page("/b", title="smp |  clinic", description="Same words.")
    hidden = page("/c", title="SMP | Clinic", head='<meta name="robots" content="noindex">')
    copy = page("/d", title="SMP | Clinic", head=f'<link rel="canonical" href="{u("/a")}">')
    found = site_findings(build([a, b, hidden, copy]))
    assert sorted(f.url for f in of(found, "SEO103")) == [u("/a"), u("/b")]
    assert sorted(f.url for f in of(found, "SEO104")) == [u("/a"), u("/b")]
    assert dict(of(found, "SEO103")[0].details)["duplicates"] == (u("/b"),)


def test_exact_and_near_duplicate_main_content() -> None:
    base_words = [f"word{i}" for i in range(400)]
    text = " ".join(base_words)
    near = " ".join([*base_words[:-3], "different", "ending", "here"])
    other = " ".join(f"other{i}" for i in range(400))
    pages = [
        page("/leeds", f"<p>{text}</p>", h1="SMP"),
        page("/leeds-copy", f"<p>{text}</p>", h1="SMP"),
        page("/york", f"<p>{near}</p>", h1="SMP"),
        page("/blog", f"<p>{other}</p>", h1="SMP"),
    ]
    found = site_findings(build(pages))
    assert sorted(f.url for f in of(found, "SEO105")) == [u("/leeds"), u("/leeds-copy")]
    near_found = of(found, "SEO106")
    assert sorted(f.url for f in near_found) == [u("/leeds"), u("/leeds-copy"), u("/york")]
    york = next(f for f in near_found if f.url == u("/york"))
    assert dict(york.details)["duplicates"] == (u("/leeds"), u("/leeds-copy"))
    stricter = Config.model_validate({"checks": {"seo": {"near_duplicate_threshold": 0.995}}})
    assert not of(site_findings(build(pages), stricter), "SEO106")


# --- links and redirects ----------------------------------------------------------------------------------


def test_broken_links_name_every_linking_page() -> None:
    home = page("/", LONG + links("/gone", "/ok"))
    prices = page("/prices", LONG + links("/gone"))
    ok = page("/ok")
    gone = fetched(u("/gone"), "<p>Not found</p>", status=404)
    found = of(site_findings(build([home, prices, ok], [gone])), "SEO107")
    assert len(found) == 1 and found[0].url == u("/gone") and found[0].severity == "error"
    assert dict(found[0].details)["linked_from"] == (u("/"), u("/prices"))


def test_redirect_chains_loops_and_links_to_redirects() -> None:
    home = page("/", LONG + links("/old", "/loop", "/moved"))
    final = page("/new")
    chain = fetched(
        u("/old"),
        html_doc(LONG),
        final_url=u("/new"),
        redirects=[Redirect(u("/old"), 301, "/older"), Redirect(u("/older"), 301, "/new")],
    )
    single = fetched(
        u("/moved"), html_doc(LONG), final_url=u("/new"), redirects=[Redirect(u("/moved"), 301, "/new")]
    )
    loop = FetchResult(
        requested_url=u("/loop"),
        final_url=u("/loop"),
        status=301,
        error="redirect loop",
        error_kind="redirect_loop",
        redirect_chain=(Redirect(u("/loop"), 301, "/loop/"), Redirect(u("/loop/"), 301, "/loop")),
    )
    found = site_findings(build([home, final], [chain, single, loop]))
    assert [f.url for f in of(found, "SEO108")] == [u("/old")]
    loops = of(found, "SEO109")
    assert [f.url for f in loops] == [u("/loop")] and dict(loops[0].details)["linked_from"] == (u("/"),)
    to_redirects = of(found, "SEO117")
    assert sorted(dict(f.details)["href"] for f in to_redirects) == ["/moved", "/old"]


def test_canonical_and_hreflang_targets() -> None:
    fr = page("/fr", head=f'<link rel="alternate" hreflang="en" href="{u("/en")}">')
    en = page(
        "/en",
        head=(
            f'<link rel="canonical" href="{u("/moved")}">'
            f'<link rel="alternate" hreflang="fr" href="{u("/fr")}">'
            f'<link rel="alternate" hreflang="de" href="{u("/de")}">'
            f'<link rel="alternate" hreflang="es" href="{u("/es")}">'
        ),
    )
    es = page("/es", head='<meta name="robots" content="noindex">')
    moved = fetched(
        u("/moved"), html_doc(LONG), final_url=u("/en"), redirects=[Redirect(u("/moved"), 301, "/en")]
    )
    missing = fetched(u("/de"), "<p>gone</p>", status=410)
    found = site_findings(build([fr, en, es], [moved, missing]))
    canonical = of(found, "SEO110")
    assert [f.url for f in canonical] == [u("/en")] and "redirects" in canonical[0].message
    targets = {dict(f.details)["hreflang"]: f.message for f in of(found, "SEO111")}
    assert set(targets) == {"de", "es"} and "410" in targets["de"] and "noindex" in targets["es"]
    returns = of(found, "SEO112")
    assert [(f.url, dict(f.details)["href"]) for f in returns] == [(u("/en"), u("/es"))]


# --- sitemap and depth -------------------------------------------------------------------------------------


def test_orphans_sitemap_coverage_and_bad_entries() -> None:
    home = page("/", LONG + links("/linked", "/unlisted", "/hidden"))
    linked = page("/linked", LONG + links("/orphan-link-to-self"))
    orphan = page("/orphan", LONG + links("/orphan"))
    unlisted = page("/unlisted")
    hidden = page("/hidden", head='<meta name="robots" content="noindex">')
    gone = fetched(u("/gone"), "gone", status=404)
    sitemap = (u("/"), u("/linked"), u("/orphan"), u("/gone"), u("/hidden"))
    found = site_findings(build([home, linked, orphan, unlisted, hidden], [gone], sitemap_urls=sitemap))
    assert [f.url for f in of(found, "SEO113")] == [u("/orphan")]
    assert [f.url for f in of(found, "SEO114")] == [u("/unlisted")]
    assert sorted(f.url for f in of(found, "SEO115")) == [u("/gone"), u("/hidden")]
    no_sitemap = site_findings(build([home, linked, unlisted]))
    assert not of(no_sitemap, "SEO114") and not of(no_sitemap, "SEO113")


def test_crawl_depth_threshold() -> None:
    deep = page("/a/b/c/d/e")
    shallow = page("/a")
    the_site = build([deep, shallow], depths=((u("/a/b/c/d/e"), 5), (u("/a"), 1)))
    assert [f.url for f in of(site_findings(the_site), "SEO116")] == [u("/a/b/c/d/e")]
    relaxed = Config.model_validate({"checks": {"seo": {"max_crawl_depth": 6}}})
    assert not of(site_findings(the_site, relaxed), "SEO116")


def test_redirected_page_is_one_document() -> None:
    """A page reached through a redirect and at its own address is one page, not a duplicate pair."""
    target = page("/new")
    via = fetched(
        u("/old"), target[0].body.decode(), final_url=u("/new"), redirects=[Redirect(u("/old"), 301, "/new")]
    )
    found = site_findings(build([target, (via, analysed(via))]))
    assert not of(found, "SEO103") and not of(found, "SEO105")
