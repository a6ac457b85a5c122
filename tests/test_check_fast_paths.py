"""The checks' fast paths give what the plain definitions they replace give.

Each speed-up (a C-level selector query instead of a Python tree walk, lower-cased ASCII instead of
case-insensitive matching, a count instead of a per-item test, a memo) is checked against the straightforward
formulation, written out here, on tricky and on real input.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from question_pages import sample_pages

from auditor.config import Config
from auditor.models import AnalysedPage, Sentence
from auditor.nlp import analyse_pages
from checks import consistency, crawl_checks, seo_dom, seo_language, seo_neardup, seo_readability
from checks.caveats import load_caveat_rules
from checks.claims import load_claim_rules
from checks.matching import CompiledRules, page_text
from checks.rulepack import config_dir
from checks.site_index import SiteIndex, norm_url


@pytest.fixture(scope="module")
def real_pages() -> list[AnalysedPage]:
    """The demo clinic's pages, the safety guide and a few of the benchmark's generated pages, analysed."""
    return list(analyse_pages(sample_pages(4)))


# --- text folding ------------------------------------------------------------------------------------------

def test_fold_is_the_regex_fold_for_every_kind_of_whitespace() -> None:
    whitespace = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    rng = random.Random(1)
    pieces = [*whitespace, "a", "bc", "\u200b", "\ufeff", "é"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in [*texts, *whitespace]:
        assert seo_dom.fold(text) == re.sub(r"\s+", " ", text).strip()


# --- the document facts: elements found by selector queries -----------------------------------------------

SOUP = [
    "<a href='/x'>", "<a>", "</a>", "<img src=a.png>", "<svg>", "</svg>", "<math>", "</math>", "<mi>", "<mtext>",
    "<foreignObject>", "</foreignObject>", "<title>t</title>", "<head>", "</head>", "<body>", "<meta name=robots>",
    "<link rel=canonical href=/c>", "<base href=/b/>", "<template>", "</template>", "<noscript>", "</noscript>",
    "<table>", "<td>", "</table>", "<select>", "</select>", "<p>", "</p>", "text ", "<svg><a href=/s>s</a></svg>",
    "<math><annotation-xml encoding='text/html'><a>x</a></annotation-xml></math>", "<span hidden>", "</span>",
]


def _walk_oracle(tree: Any) -> list[tuple[int, bool | None]]:
    """(element, inside <head> for a <meta> or <link>) for each element DomFacts reads, by walking the tree and
    each element's ancestors in Python: the way the facts were gathered before the selector queries."""
    found = []
    for node in tree.root.traverse() if tree.root is not None else ():
        if node.tag not in ("meta", "link", "a", "img", "title", "base"):
            continue
        ancestors = []
        parent = node.parent
        while parent is not None and parent.tag not in ("-document", None):
            ancestors.append(parent.tag)
            parent = parent.parent
        if "svg" in ancestors or "math" in ancestors:
            continue
        found.append((node.mem_id, "head" in ancestors if node.tag in ("meta", "link") else None))
    return found


def _selected(tree: Any) -> list[tuple[int, bool | None]]:
    foreign = seo_dom._node_ids(tree, seo_dom._IN_FOREIGN_CONTENT)
    in_head = seo_dom._node_ids(tree, seo_dom._IN_HEAD)
    return [
        (n.mem_id, n.mem_id in in_head if n.tag in ("meta", "link") else None)
        for n in tree.css(seo_dom._FACT_ELEMENTS)
        if n.mem_id not in foreign
    ]


def test_selector_queries_find_the_elements_a_tree_walk_finds() -> None:
    rng = random.Random(2)
    for _ in range(1500):
        markup = "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 40)))
        tree = seo_dom.parse_like_a_browser(markup)
        assert _selected(tree) == _walk_oracle(tree), markup


def test_inner_text_of_a_plain_link_and_of_one_with_hidden_parts() -> None:
    facts = seo_dom._facts_from_markup(
        b"<a href=/a> Read\n more </a><a href=/b>Read <span hidden>secret</span>more<script>x</script></a>"
        b"<a href=/c></a><a href=/d><!-- c --></a>",
        "text/html",
        "https://c.example/",
    )
    assert [a.text for a in facts.anchors] == ["Read more", "Read more", "", ""]


# --- URL resolution asked per site origin ------------------------------------------------------------------

PIECES = ["/", "//", "\\", "?", "#", ":", "@", "[", "]", "a", "b.example", "http", "https", "mailto", "..", ".",
          "%", " ", "\t", "\n", "x:y", "80", "99999", ":abc", "user:pw", "[::1]", "é", "^", "|"]
BASES = ["http://c.example/a/b.html", "https://c.example:8443/x/", "http://user@h.example/p?q#f",
         "HTTP://C.Example:80/", "file:///tmp/x.html", "http:/nohost/x", "//h.example/x", "mailto:a@b",
         "http://[::1]/x", "http://h:abc/", "http://[bad/x", "x", "", " http://sp.example/ x", "foo://h.example/x"]


def test_resolves_answers_as_whatwg_parse_does() -> None:
    rng = random.Random(3)
    for base in BASES:
        for _ in range(400):
            ref = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 7)))
            for url in (ref, "/" + ref, "//" + ref, "http:" + ref, "https://" + ref, "../" + ref):
                assert seo_dom.resolves(url, base) == (seo_dom.whatwg_parse(url, base) is not None), (url, base)


# --- language: function words counted once -----------------------------------------------------------------


def _plain_scores(text: str) -> tuple[dict[str, float], int]:
    words = [w.lower() for w in seo_language._WORD.findall(text)]
    if not words:
        return {}, 0
    lists = seo_language.stop_words()
    return {code: sum(1 for w in words if w in lex) / len(words) for code, lex in lists.items()}, len(words)


def test_language_scores_match_the_word_by_word_count(real_pages: list[AnalysedPage]) -> None:
    texts = [ap.page.main_text for ap in real_pages] + [
        "Der Preis ist nicht hoch, und die Behandlung ist sicher.",
        "Don't worry: it's the clinic’s rock'n'roll approach, l'été.",
        "İstanbul ſix KELVIN K café naïve 42 x_y",
        "",
        "'''",
    ]
    for text in texts:
        assert seo_language.language_scores(text) == _plain_scores(text)


# --- readability: syllables and word counts by token --------------------------------------------------------


def test_readability_figures_match_the_plain_count(real_pages: list[AnalysedPage]) -> None:
    for ap in real_pages:
        main = {b.index for b in ap.page.blocks if b.in_main}
        sentences = [s for s in ap.sentences if s.block_index in main and seo_readability.sentence_words(s)]
        words = [seo_readability.sentence_words(s) for s in sentences]
        figures = seo_readability._readability(ap, 20)
        assert figures.sentences == len(sentences)
        assert figures.words == sum(map(len, words))
        syllable_count = sum(seo_readability.syllables(t) for ws in words for t in ws)
        assert figures.flesch == seo_readability.flesch_reading_ease(figures.words, figures.sentences, syllable_count)
        assert figures.long_sentences == sum(1 for ws in words if len(ws) > 20)


# --- near-duplicates: words, unique values, signatures -------------------------------------------------------


def test_ascii_word_split_is_the_word_pattern() -> None:
    rng = random.Random(4)
    alphabet = "ab0-'’ _.,\n\tZ"
    for _ in range(20000):
        low = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))).lower()
        assert seo_neardup._words(low) == seo_neardup._WORD.findall(low), low


def test_sorted_unique_and_signature_match_numpy_definitions() -> None:
    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 7, 300):
        values = rng.integers(0, 40, size=size, dtype=np.uint64)
        got, want = seo_neardup.sorted_unique(values), np.unique(values)
        assert got.dtype == want.dtype and np.array_equal(got, want)
    hashes = seo_neardup.shingles(" ".join(f"w{i % 97}" for i in range(800)), 5)
    with np.errstate(over="ignore"):
        shifted = (seo_neardup._A[:, None] * hashes[None, :]) >> np.uint64(32)
    assert np.array_equal(seo_neardup.signature(hashes), shifted.min(axis=1))


# --- consistency: lower-cased ASCII instead of case-insensitive matching ------------------------------------

SENTENCES = [
    "Most clients need TWO to Three Sessions, each session takes 2-4 Hours.",
    "Results Last 4-6 YEARS; it is Permanent, from £1,800 for a Full-Head.",
    "Prices start at $2.5K for the Crown; women's density treatment costs £2,400.",
    "Per session: a Single sitting of 45 Mins after the patch test.",
    "ſingle ſeſſion, İstanbul, KELVIN K: one sitting.",
    "No figures here at all.",
    "Twenty-one clients, 1st visit, ² and ① and ٣.",
]


def test_caseless_patterns_find_the_spans_case_insensitive_matching_finds() -> None:
    patterns = [v for v in vars(consistency).values() if isinstance(v, consistency._Caseless)]
    patterns += list(consistency._AREAS.values())
    assert len(patterns) >= 15
    for text in SENTENCES:
        sentence = consistency._SentenceText(text)
        for pattern in patterns:
            assert sentence.spans(pattern) == [m.span() for m in pattern.anycase.finditer(text)]
            for start, end in ((0, None), (0, 10), (5, 30)):
                assert sentence.search(pattern, start, end) == (pattern.anycase.search(text[start:end]) is not None)


def test_figure_prefilter_is_the_plain_test() -> None:
    for text in SENTENCES:
        plain = (
            "£" in text
            or any(map(str.isdigit, text))
            or re.search(r"(?i)\b(?:one|two|three|four|five|six|seven|eight|nine|ten|single|forever|lifetime|life|"
                         r"permanent)", text) is not None
        )
        assert consistency._may_state_figure(text) == plain


def test_a_caseless_pattern_must_be_written_in_lower_case() -> None:
    with pytest.raises(ValueError, match="lower case"):
        consistency._caseless(r"\bSessions\b")
    assert consistency._caseless(r"\bsessions\W\S").lower.pattern == r"\bsessions\W\S"


# --- claims and caveats: candidate entries by need bits -----------------------------------------------------


def _plain_candidates(rules: CompiledRules, lemmas: tuple[str, ...], lowers: tuple[str, ...]) -> set[int]:
    """Entries with no needs, or whose every need has one of its values in the sentence."""
    words = {"lemma": set(lemmas), "lower": set(lowers)}
    return {
        id(entry)
        for entry in rules._entries
        if all(not values.isdisjoint(words[kind]) for kind, values in entry.needs)
    }


def _rule_sets() -> Iterator[CompiledRules]:
    config = Config()
    yield load_claim_rules(config.checks.claims.rule_packs, config_dir(config)).compiled
    yield load_caveat_rules(config.checks.caveats.rule_packs, config_dir(config)).compiled


def test_candidates_are_the_entries_whose_needs_the_sentence_meets(real_pages: list[AnalysedPage]) -> None:
    found_any = False
    for rules in _rule_sets():
        for ap in real_pages:
            text = page_text(ap.sentences)
            for number in range(len(text.sentences)):
                got = {id(e) for e in rules._candidates(text.lemmas[number], text.lowers[number], set())}
                assert got == _plain_candidates(rules, text.lemmas[number], text.lowers[number])
                found_any = found_any or bool(got)
    assert found_any


def test_skipped_rules_leave_the_candidates() -> None:
    rules = next(_rule_sets())
    sentence = Sentence(
        text="It lasts a lifetime.",
        block_index=0,
        start=0,
        end=20,
        lemmas=("it", "last", "a", "lifetime", "."),
        tokens=("It", "lasts", "a", "lifetime", "."),
    )
    text = page_text((sentence,))
    everything = rules._candidates(text.lemmas[0], text.lowers[0], set())
    assert everything
    owners = {rules._entry_rule[rules._entries.index(e)] for e in everything}
    assert rules._candidates(text.lemmas[0], text.lowers[0], owners) == []


# --- crawl checks, site index ------------------------------------------------------------------------------


def test_looks_binary_counts_control_bytes_as_the_byte_loop_did() -> None:
    rng = random.Random(6)

    def plain(body: bytes) -> bool:
        head = body[:8192]
        if not head:
            return False
        if head.startswith(crawl_checks._BINARY_MAGIC) or b"\x00" in head:
            return True
        return sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27)) > len(head) * 0.1

    for _ in range(3000):
        pool = rng.choice([bytes(range(1, 32)), bytes(range(256)), b"abc\t\n\x1b\x0c\r", b"ab\x01\x02", b"text "])
        body = bytes(rng.choice(pool) for _ in range(rng.choice([1, 9, 90, 900]))) * rng.choice([1, 12])
        assert crawl_checks.looks_binary(body) == plain(body)


def test_site_index_norm_is_norm_url_remembered() -> None:
    from auditor.models import Site

    index = SiteIndex(site=Site(name="s", root_url=None), drop_params=("utm_*",))
    urls = ["HTTP://C.Example:80/a?utm_source=x&b=1#f", "https://c.example", "http://[bad/", "/relative", " x "]
    for url in urls * 2:
        assert index.norm(url) == norm_url(url, ("utm_*",))
    assert set(index.normal_forms) == set(urls)
