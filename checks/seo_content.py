"""Page checks beyond Lighthouse: title and description length, headings, language, viewport, Open Graph, thin
content, readability, URL hygiene, page weight and response time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from auditor.config import SeoConfig
from auditor.models import AnalysedPage, Evidence, Finding, Page
from checks.registry import RuleInfo
from checks.seo_base import Gate, PageFn, finding, main_text, make_rule, short
from checks.seo_dom import fold
from checks.seo_langcodes import is_valid_language
from checks.seo_language import is_english, mismatch, primary_subtag
from checks.seo_readability import readability, sentence_words
from checks.seo_robots import blocking_directives

GOOGLE_TITLE = "https://developers.google.com/search/docs/appearance/title-link"
GOOGLE_SNIPPET = "https://developers.google.com/search/docs/appearance/snippet"
GOOGLE_URL = "https://developers.google.com/search/docs/crawling-indexing/url-structure"
AHREFS_ISSUES = "https://help.ahrefs.com/en/collections/2818447-site-audit-issues"


def _noindex(page: Page) -> bool:
    """Marked noindex in the page or its headers: its copy does not compete in search."""
    directives = ", ".join(page.robots + page.x_robots_tag)
    return bool(blocking_directives(directives, datetime.now(UTC)))


# --- SEO010 title length ------------------------------------------------------------------------------------

TITLE_LENGTH = make_rule(
    "SEO010",
    title="The title is a good length",
    failure_title="The title is too short or too long",
    severity="warning",
    rationale="Search results show roughly the first 60 characters of a title; a very short one wastes the "
    "space.",
    source="Google Search Central: title links; Ahrefs Site Audit 'Title too long / too short'",
    suggestion="Write a title of about 20-60 characters that names the treatment and the clinic, most "
    "important "
    "words first.",
    what="Measures the page title in characters (whitespace folded) against checks.seo.title_min and "
    "title_max (default 20 and 60). A missing title is SEO002's finding, not this one.",
    why="Long titles are cut off with '...', often losing the clinic's name or location; very short ones do "
    "not "
    "say enough to earn the click.",
    example="<title>Home</title>  or  a 95-character title listing every treatment",
    instead="<title>Scalp Micropigmentation in Leeds | Example Clinic</title>",
    references=(GOOGLE_TITLE, AHREFS_ISSUES),
)


def _title_length(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    title = fold(ap.page.title or "")
    if not title:
        return []
    n = len(title)
    if n < seo.title_min:
        message = f"The title is only {n} characters ('{title}'); aim for {seo.title_min}-{seo.title_max}."
    elif n > seo.title_max:
        message = (
            f"The title is {n} characters, so search results will cut it off after about {seo.title_max}."
        )
    else:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            message,
            key="title-length",
            evidence=Evidence(excerpt=title),
            details=(("length", n),),
        )
    ]


# --- SEO011 description length ------------------------------------------------------------------------------

DESCRIPTION_LENGTH = make_rule(
    "SEO011",
    title="The meta description is a good length",
    failure_title="The meta description is too short or too long",
    severity="info",
    rationale="Search results show about 150-160 characters of a description; a very short one is often "
    "replaced.",
    source="Google Search Central: meta description snippets; Ahrefs Site Audit 'Meta description too "
    "long/short'",
    suggestion="Write a meta description of about 70-160 characters: what the page offers and why to click.",
    what="Measures the meta description in characters against checks.seo.description_min and description_max "
    "(default 70 and 160). A missing description is SEO003's finding.",
    why="Search engines cut long descriptions mid-sentence and tend to ignore very short ones in favour of "
    "text "
    "picked from the page.",
    example='<meta name="description" content="SMP clinic.">',
    instead='<meta name="description" content="Natural-looking scalp micropigmentation in Leeds. See real '
    "results, "
    'prices and what to expect from your first consultation.">',
    references=(GOOGLE_SNIPPET, AHREFS_ISSUES),
)


def _description_length(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    text = fold(ap.page.meta_description or "")
    if not text:
        return []
    n = len(text)
    if n < seo.description_min:
        aim = f"{seo.description_min}-{seo.description_max}"
        message = f"The meta description is only {n} characters; aim for {aim}."
    elif n > seo.description_max:
        message = (
            f"The meta description is {n} characters; search results cut it off after about "
            f"{seo.description_max}."
        )
    else:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            message,
            key="description-length",
            evidence=Evidence(excerpt=short(text, 200)),
            details=(("length", n),),
        )
    ]


# --- SEO012 one H1 ------------------------------------------------------------------------------------------

ONE_H1 = make_rule(
    "SEO012",
    title="The page has exactly one H1 heading",
    failure_title="The page has no H1 heading, or more than one",
    severity="warning",
    rationale="The H1 is the page's headline for readers and search engines; none or several blur the topic.",
    source="Ahrefs Site Audit 'H1 tag missing or empty' / 'Multiple H1 tags'; W3C WAI page structure "
    "tutorial",
    suggestion="Give the page one H1 that states its main topic, and use H2/H3 for the sections under it.",
    what="Counts the <h1> headings (in Markdown, '# ' headings) with text.",
    why="A single clear headline tells visitors and search engines what the page is about at a glance.",
    example="<h1>Welcome</h1> ... <h1>Our treatments</h1>",
    instead="<h1>Scalp micropigmentation in Leeds</h1> ... <h2>How the treatment works</h2>",
    references=(
        "https://www.w3.org/WAI/tutorials/page-structure/headings/",
        AHREFS_ISSUES,
    ),
)


def _one_h1(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    h1s = [h for h in ap.page.headings if h.level == 1 and h.text.strip()]
    if len(h1s) == 1:
        return []
    if not h1s:
        return [finding(rule, ap.page.url, "The page has no H1 heading.", key="h1:none")]
    names = "; ".join(f"'{short(h.text, 50)}'" for h in h1s[:4])
    return [
        finding(
            rule,
            ap.page.url,
            f"The page has {len(h1s)} H1 headings ({names}); it should have one.",
            key="h1:many",
            evidence=Evidence(excerpt=h1s[1].text, locator=h1s[1].locator),
            details=(("h1", tuple(h.text for h in h1s)),),
        )
    ]


# --- SEO013 heading levels ----------------------------------------------------------------------------------

HEADING_ORDER = make_rule(
    "SEO013",
    title="Heading levels do not skip",
    failure_title="Heading levels skip a level",
    severity="info",
    rationale="Headings form the page's outline; jumping from H2 to H4 breaks it for screen readers and "
    "crawlers.",
    source="W3C WAI headings tutorial; axe-core rule heading-order",
    suggestion="Use heading levels in order: an H3 belongs under an H2, an H4 under an H3. Style size with "
    "CSS, "
    "not with the heading level.",
    what="Walks the headings in order and reports each one more than one level deeper than the heading "
    "before it.",
    why="The outline is how assistive technology and search engines understand which section a passage "
    "belongs "
    "to.",
    example="<h2>Aftercare</h2><h4>Washing your scalp</h4>",
    instead="<h2>Aftercare</h2><h3>Washing your scalp</h3>",
    references=(
        "https://www.w3.org/WAI/tutorials/page-structure/headings/",
        "https://dequeuniversity.com/rules/axe/4.10/heading-order",
    ),
)


def _heading_order(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    out = []
    previous = 0
    for heading in ap.page.headings:
        if not heading.text.strip():
            continue
        if previous and heading.level > previous + 1:
            out.append(
                finding(
                    rule,
                    ap.page.url,
                    f"The heading '{short(heading.text, 60)}' is an H{heading.level} straight after an "
                    f"H{previous}; an H{previous + 1} is missing in between.",
                    evidence=Evidence(excerpt=heading.text, locator=heading.locator),
                    key=f"h{previous}>h{heading.level}:{heading.text}",
                )
            )
        previous = heading.level
    return out


# --- SEO014 lang present / SEO015 lang matches the content --------------------------------------------------

LANG_PRESENT = make_rule(
    "SEO014",
    title="The page declares its language",
    failure_title="The page does not declare a valid language",
    severity="warning",
    rationale="The lang attribute tells browsers, screen readers and search engines which language the page "
    "is in.",
    source="WCAG 2.x SC 3.1.1 Language of Page (axe-core rules html-has-lang, html-lang-valid)",
    suggestion='Add the language to the <html> tag, e.g. <html lang="en-GB">.',
    what="Reads the lang attribute of <html>; fails when it is missing, blank, or its primary part is not a "
    "registered language code.",
    why="Screen readers pick their voice from it, browsers offer translation from it, and search engines "
    "use it "
    "as a hint for which searchers to show the page to.",
    example='<html>  or  <html lang="english">',
    instead='<html lang="en-GB">',
    references=(
        "https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html",
        "https://dequeuniversity.com/rules/axe/4.10/html-has-lang",
    ),
)


def _lang_present(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    lang = (ap.page.lang or "").strip()
    if not lang:
        return [
            finding(rule, ap.page.url, "The page does not say which language it is written in.", key="lang")
        ]
    code = lang.replace("_", "-").split("-")[0]
    if not is_valid_language(code):
        return [
            finding(
                rule, ap.page.url, f"The page's language '{lang}' is not a valid language code.", key="lang"
            )
        ]
    return []


LANG_MATCHES = make_rule(
    "SEO015",
    title="The declared language matches the text",
    failure_title="The declared language does not match the text",
    severity="warning",
    rationale="A page declared as one language but written in another is shown to the wrong searchers.",
    source="WCAG 2.x SC 3.1.1 Language of Page; Google Search Central: managing multi-regional sites",
    suggestion="Set <html lang> to the language the page is actually written in (often a template default "
    'such as lang="en" was left on a translated page).',
    what="Guesses the language of the main text from its function words ('the', 'und', 'les', 'que'...) "
    "using "
    "spaCy's stop-word lists for 16 European languages, and reports when another language's function words "
    "clearly outnumber (by at least two to one, and at least a fifth of all words) those of the declared "
    "language. Needs checks.seo.language_min_words words (default 40); says nothing when unsure.",
    why="Browsers offer to translate the page needlessly, screen readers mispronounce it, and search "
    "engines may "
    "show it to people who cannot read it.",
    example='<html lang="en"> on a page written in German',
    instead='<html lang="de">',
    references=(
        "https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html",
        "https://developers.google.com/search/docs/specialty/international/managing-multi-regional-sites",
    ),
)


def _lang_matches(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    lang = ap.page.lang
    if not lang:
        return []
    guess = mismatch(lang, main_text(ap.page), seo.language_min_words)
    if guess is None:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            f"The page says it is in '{lang}', but its text reads as '{guess.language}'.",
            key=f"lang-mismatch:{primary_subtag(lang)}>{guess.language}",
            details=(("declared", lang), ("detected", guess.language), ("share", round(guess.share, 2))),
        )
    ]


# --- SEO016 viewport ----------------------------------------------------------------------------------------

VIEWPORT = make_rule(
    "SEO016",
    title="The page has a mobile viewport",
    failure_title="The page has no mobile viewport",
    severity="warning",
    rationale="Without a viewport tag phones show a shrunken desktop page; search engines index the mobile "
    "view.",
    source="Lighthouse audit viewport (core/audits/viewport.js); Google Search Central: mobile-first "
    "indexing",
    suggestion='Add <meta name="viewport" content="width=device-width, initial-scale=1"> to the <head>.',
    what='Looks for <meta name="viewport"> whose content sets width or initial-scale, as Lighthouse\'s '
    "viewport "
    "audit does.",
    why="Most clinic enquiries come from phones; an unreadable mobile page loses them and ranks lower.",
    example="<head><title>...</title></head>  (no viewport)",
    instead='<meta name="viewport" content="width=device-width, initial-scale=1">',
    references=(
        "Lighthouse audit viewport (lighthouse-core/audits/viewport.js)",
        "https://developer.chrome.com/docs/lighthouse/pwa/viewport/",
        "https://developers.google.com/search/docs/crawling-indexing/mobile/mobile-sites-mobile-first-indexing",
    ),
)


def _viewport(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    content = ap.page.meta_value("viewport")
    if content is None:
        return [
            finding(
                rule, ap.page.url, "The page has no viewport tag, so phones show it shrunk.", key="viewport"
            )
        ]
    if not re.search(r"\b(width|initial-scale)\s*=", content, re.IGNORECASE):
        return [
            finding(
                rule,
                ap.page.url,
                f"The viewport tag ('{content}') sets neither width nor initial-scale.",
                key="viewport",
            )
        ]
    return []


# --- SEO017 Open Graph --------------------------------------------------------------------------------------

OPEN_GRAPH = make_rule(
    "SEO017",
    title="The page has Open Graph title, description and image",
    failure_title="The page lacks Open Graph tags",
    severity="info",
    rationale="Facebook, LinkedIn, WhatsApp and others build the preview of a shared link from Open Graph "
    "tags.",
    source="The Open Graph protocol (ogp.me)",
    suggestion="Add og:title, og:description and og:image meta tags so shared links show a proper preview.",
    what='Looks for <meta property="og:title">, og:description and og:image with content (the list is '
    "checks.seo.open_graph_properties) and names the ones missing.",
    why="A link shared by a happy client is free advertising; without these tags it shows a bare address or "
    "a "
    "random image.",
    example="(no og: tags)",
    instead='<meta property="og:title" content="Scalp micropigmentation in Leeds">\n'
    '<meta property="og:image" content="https://clinic.example/img/results.jpg">',
    references=("https://ogp.me/",),
)


def _open_graph(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    missing = [name for name in seo.open_graph_properties if not (ap.page.meta_value(name) or "").strip()]
    if not missing:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            f"The page has no {', '.join(missing)}, so shared links get a poor preview.",
            key="og:" + ",".join(sorted(missing)),
            details=(("missing", tuple(missing)),),
        )
    ]


# --- SEO018 thin content ------------------------------------------------------------------------------------

THIN = make_rule(
    "SEO018",
    title="The page has substantial content",
    failure_title="The page has little content",
    severity="warning",
    rationale="Pages with very little text rarely rank and seldom answer a visitor's questions.",
    source="Google Search Central: helpful, people-first content; Ahrefs Site Audit 'Low word count'",
    suggestion="Expand the page with what a prospective client wants to know: who it suits, how it works, "
    "risks, recovery, results and cost, or merge it into a fuller page.",
    what="Counts the words of the page's main content (menus, headers and footers excluded) and reports "
    "pages "
    "under checks.seo.thin_content_words (default 300). Pages marked noindex are left alone.",
    why="Search engines favour pages that answer a question fully; a short page loses to a competitor's "
    "thorough one.",
    example="A treatment page with a headline, two sentences and a booking button.",
    instead="A treatment page that explains the procedure, suitability, risks, aftercare and pricing.",
    references=(
        "https://developers.google.com/search/docs/fundamentals/creating-helpful-content",
        AHREFS_ISSUES,
    ),
)


def _thin(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    page = ap.page
    if _noindex(page) or page.word_count >= seo.thin_content_words:
        return []
    return [
        finding(
            rule,
            page.url,
            f"The page's main content is only {page.word_count} words (the threshold is "
            f"{seo.thin_content_words}).",
            key="thin",
            details=(("words", page.word_count),),
        )
    ]


# --- SEO019 Flesch / SEO020 long sentences ------------------------------------------------------------------

READABILITY = make_rule(
    "SEO019",
    title="The text is easy to read",
    failure_title="The text is hard to read",
    severity="info",
    rationale="Prospective clients skim; dense text with long words loses them before they reach the booking "
    "button.",
    source="Flesch (1948) reading ease; UK Government Digital Service content design guidance",
    suggestion="Use shorter sentences and everyday words: 'hair loss' rather than 'alopecia', one idea per "
    "sentence.",
    what="Computes the Flesch reading ease of the main text of English pages (206.835 - 1.015 x words per "
    "sentence - 84.6 x syllables per word) and reports scores under checks.seo.readability_min_flesch "
    "(default 50, 'fairly difficult' and below). Needs readability_min_words words (default 100).",
    why="Scores under 50 read like academic papers; most health information guidelines aim for 60 or more.",
    example="Micropigmentation constitutes a non-surgical intervention facilitating the aesthetic "
    "simulation of "
    "follicular density.",
    instead="Scalp micropigmentation is a non-surgical treatment. Tiny dots of pigment make thin hair look "
    "fuller.",
    references=(
        "https://en.wikipedia.org/wiki/Flesch%E2%80%93Kincaid_readability_tests",
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
    ),
)

LONG_SENTENCES = make_rule(
    "SEO020",
    title="Few sentences are long",
    failure_title="Many sentences are long",
    severity="info",
    rationale="Sentences over about 20 words are much harder to follow, on phones above all.",
    source="Yoast readability analysis (sentence length); UK GDS content design guidance",
    suggestion="Split long sentences: keep most under 20 words, one point per sentence.",
    what="Counts the main-content sentences with more than checks.seo.long_sentence_words words (default "
    "20) and "
    "reports when they are more than long_sentence_share of all sentences (default 25%). Needs "
    "readability_min_sentences sentences (default 5).",
    why="Readers lose the thread of long sentences, and key facts such as risks or aftercare get buried.",
    example="A 45-word sentence covering the consultation, the sessions, the aftercare and the results at "
    "once.",
    instead="Four short sentences, one for each.",
    references=(
        "https://yoast.com/help/sentence-length-check/",
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
    ),
)


def _readability(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    text = main_text(ap.page)
    if not is_english(ap.page.lang, text, seo.readability_min_words):
        return []
    figures = readability(ap, seo.long_sentence_words)
    if figures.words < seo.readability_min_words or figures.sentences < seo.readability_min_sentences:
        return []
    if figures.flesch >= seo.readability_min_flesch:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            f"The main text scores {figures.flesch:.0f} for reading ease (aim for "
            f"{seo.readability_min_flesch:.0f} "
            "or more): it reads as difficult.",
            key="flesch",
            details=(("flesch", figures.flesch), ("words", figures.words), ("sentences", figures.sentences)),
        )
    ]


def _long_sentences(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    figures = readability(ap, seo.long_sentence_words)
    if figures.sentences < seo.readability_min_sentences or figures.long_share <= seo.long_sentence_share:
        return []
    evidence = None
    longest = figures.longest
    if longest is not None:
        block = next((b for b in ap.page.blocks if b.index == longest.block_index), None)
        evidence = Evidence(
            excerpt=longest.text,
            start=longest.start,
            end=longest.end,
            context=block.text if block else None,
            heading_path=block.heading_path if block else (),
            locator=block.locator if block else None,
            block_index=longest.block_index,
        )
    longest_words = len(sentence_words(longest)) if longest is not None else 0
    return [
        finding(
            rule,
            ap.page.url,
            f"{figures.long_sentences} of {figures.sentences} sentences ({figures.long_share:.0%}) are "
            "longer than "
            f"{seo.long_sentence_words} words; the longest has {longest_words}.",
            key="long-sentences",
            evidence=evidence,
            details=(("long", figures.long_sentences), ("sentences", figures.sentences)),
        )
    ]


# --- SEO021 URL hygiene -------------------------------------------------------------------------------------

URL_HYGIENE = make_rule(
    "SEO021",
    title="The address is clean",
    failure_title="The address is hard to read or share",
    severity="info",
    rationale="Short lower-case addresses with hyphens are easier to read, share and remember, and avoid "
    "duplicate pages.",
    source="Google Search Central: URL structure best practices; Ahrefs Site Audit URL issues",
    suggestion="Use short, lower-case addresses with hyphens between words, e.g. "
    "/treatments/scalp-micropigmentation, "
    "and keep session ids out of links.",
    what="Reports, per page address: upper-case letters in the path, underscores in the path, addresses "
    "longer "
    "than checks.seo.long_url_chars (default 115), and session parameters in the query "
    "(checks.seo.session_params, such as sid or PHPSESSID).",
    why="Upper-case and session variants create several addresses for one page (duplicate content); "
    "underscores join words for search engines; long addresses get cut in results and chats.",
    example="/Treatments/Scalp_Micropigmentation?PHPSESSID=8a7c...",
    instead="/treatments/scalp-micropigmentation",
    references=(GOOGLE_URL, AHREFS_ISSUES),
)


def _url_hygiene(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    url = ap.page.url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return []
    out = []
    if any(c.isupper() for c in parts.path):
        out.append(
            (
                "uppercase",
                f"The address {url} has capital letters; addresses are case-sensitive, so this "
                "invites duplicates and broken links.",
            )
        )
    if "_" in parts.path:
        out.append(
            ("underscore", f"The address {url} uses underscores; hyphens separate words for search engines.")
        )
    if len(url) > seo.long_url_chars:
        out.append(("long", f"The address is {len(url)} characters long (over {seo.long_url_chars})."))
    session = {p.lower() for p in seo.session_params}
    found = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True) if k.lower() in session})
    if ";jsessionid=" in parts.path.lower():
        found.append("jsessionid")
    if found:
        out.append(
            (
                "session",
                f"The address carries a session parameter ({', '.join(found)}), which creates "
                "a new address for every visitor.",
            )
        )
    return [finding(rule, url, message, key=f"url:{kind}") for kind, message in out]


# --- SEO022 large HTML / SEO023 slow response ---------------------------------------------------------------

LARGE_HTML = make_rule(
    "SEO022",
    title="The HTML is a reasonable size",
    failure_title="The HTML is very large",
    severity="warning",
    rationale="Very large HTML is slow on phones and may be cut off by search engine crawlers.",
    source="Google Search Central: Googlebot fetches the first 15 MB; web.dev: avoid an excessive DOM size",
    suggestion="Slim the page: remove inline images (data: URLs), unused markup and huge inline scripts, or "
    "split very long pages.",
    what="Compares the size of the HTML document in bytes with checks.seo.large_html_bytes (default "
    "500,000).",
    why="Heavy pages load slowly on mobile data, and slow pages lose visitors and rankings.",
    example="A 2 MB page with base64 before/after photos inlined.",
    instead="The same page with images as separate, compressed files.",
    references=(
        "https://developers.google.com/search/docs/crawling-indexing/googlebot#how-googlebot-accesses-your-site",
        "https://developer.chrome.com/docs/lighthouse/performance/dom-size/",
    ),
)


def _large_html(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    size = ap.page.html_size
    if size <= seo.large_html_bytes:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            f"The page's HTML is {size / 1000:,.0f} kB (over {seo.large_html_bytes / 1000:,.0f} kB).",
            key="large-html",
            details=(("bytes", size),),
        )
    ]


SLOW = make_rule(
    "SEO023",
    title="The server responds quickly",
    failure_title="The server responds slowly",
    severity="warning",
    rationale="A slow first response delays everything else on the page and reduces how much search engines "
    "crawl.",
    source="web.dev: Time to First Byte; Google Search Central: crawl budget",
    suggestion="Ask the web host or developer to speed up this page: caching, a faster plan, or fewer slow "
    "plugins.",
    what="Compares the time the page took to download during the audit with checks.seo.slow_response_seconds "
    "(default 3). Not applicable to local files.",
    why="Visitors leave pages that take seconds to appear; search engines crawl slow sites less often.",
    example="GET /treatments -> 200 after 4.8 s",
    instead="GET /treatments -> 200 after 0.4 s",
    references=(
        "https://web.dev/articles/ttfb",
        "https://developers.google.com/search/docs/crawling-indexing/large-site-managing-crawl-budget",
    ),
)


def _slow(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    fetch = ap.page.fetch
    if fetch is None or fetch.elapsed <= seo.slow_response_seconds:
        return []
    return [
        finding(
            rule,
            ap.page.url,
            f"The page took {fetch.elapsed:.1f} s to load (over {seo.slow_response_seconds:g} s).",
            key="slow",
            details=(("seconds", round(fetch.elapsed, 3)),),
        )
    ]


# --- SEO027 canonical names another page ------------------------------------------------------------------

CANONICAL_ELSEWHERE = make_rule(
    "SEO027",
    title="The page is its own canonical",
    failure_title="The page names another page as canonical",
    severity="warning",
    rationale="A canonical pointing at another address asks search engines to show that page instead of "
    "this one.",
    source="Google Search Central: consolidate duplicate URLs; Ahrefs Site Audit 'Non-canonical page'",
    suggestion="If this page should appear in search results, point its canonical link at its own address; "
    "keep "
    "a canonical to another page only when this page really is a copy of it.",
    what="Resolves the page's canonical link and reports it when it names a different address (ignoring the "
    "fragment, the case of the host and a default port). Redirect targets are followed: a canonical equal to "
    "the address the page was finally served from is fine.",
    why="Treatment pages are meant to rank; one canonicalised to another page will not be shown, usually by "
    "accident (a copied template).",
    example='On /treatments/smp-for-women: <link rel="canonical" '
    'href="https://clinic.example/treatments/smp">',
    instead='<link rel="canonical" href="https://clinic.example/treatments/smp-for-women">',
    references=(
        "https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls",
        AHREFS_ISSUES,
    ),
)


def _same_address(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    try:
        ports = (pa.port or _PORTS.get(pa.scheme.lower())) == (pb.port or _PORTS.get(pb.scheme.lower()))
    except ValueError:
        return a == b
    return (
        pa.scheme.lower() == pb.scheme.lower()
        and (pa.hostname or "") == (pb.hostname or "")
        and ports
        and (pa.path or "/") == (pb.path or "/")
        and pa.query == pb.query
    )


_PORTS = {"http": 80, "https": 443}


def _canonical_elsewhere(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    page = ap.page
    canonical = page.canonical
    if not canonical or urlsplit(canonical).scheme not in ("http", "https"):
        return []
    if urlsplit(page.url).scheme not in ("http", "https"):
        return []  # a local draft has no address of its own to compare with
    if any(_same_address(canonical, own) for own in (page.url, page.final_url) if own):
        return []
    return [
        finding(
            rule,
            page.url,
            f"The page's canonical link points to {canonical}, so search engines will show that page instead "
            "of this one.",
            key=f"canonical-elsewhere:{canonical}",
            details=(("canonical", canonical),),
        )
    ]


_DOCS_AND_DRAFTS = Gate(kinds=("html", "markdown", "text"))
_NOT_TEXT = Gate(kinds=("html", "markdown"))

CONTENT_RULES: tuple[tuple[RuleInfo, PageFn, Gate], ...] = (
    (TITLE_LENGTH, _title_length, Gate()),
    (DESCRIPTION_LENGTH, _description_length, Gate()),
    (ONE_H1, _one_h1, _NOT_TEXT),
    (HEADING_ORDER, _heading_order, _NOT_TEXT),
    (LANG_PRESENT, _lang_present, Gate()),
    (LANG_MATCHES, _lang_matches, Gate()),
    (VIEWPORT, _viewport, Gate()),
    (OPEN_GRAPH, _open_graph, Gate()),
    (THIN, _thin, _DOCS_AND_DRAFTS),
    (READABILITY, _readability, _DOCS_AND_DRAFTS),
    (LONG_SENTENCES, _long_sentences, _DOCS_AND_DRAFTS),
    (URL_HYGIENE, _url_hygiene, Gate(needs_fetch=True)),
    (LARGE_HTML, _large_html, Gate()),
    (SLOW, _slow, Gate(needs_fetch=True, skip_error_pages=False)),
    (CANONICAL_ELSEWHERE, _canonical_elsewhere, Gate()),
)
