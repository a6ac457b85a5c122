"""Figures stated about the treatment (sessions, years, price, session length), compared across pages."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from auditor.config import Config, QuestionsConfig
from auditor.models import AnalysedPage, Block, Evidence, Finding, Site
from checks.answers import (
    NUMBER_WORDS,
    Seq,
    SubjectTerms,
    parse_range,
    seq_from_sentence,
    subject_of,
    text_guard,
    warning_cue,
)
from checks.question_pack import QuestionPack, load_packs
from checks.registry import CheckContext, PageCheck, RuleDocs, RuleInfo, SiteCheck, gathered

FactKind = Literal["sessions", "longevity", "price", "session_length"]
ORIGIN = "checks.consistency"
_MAX_NAMED = 10  # other pages named in one finding's details
INFINITE = math.inf

_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(w for w in NUMBER_WORDS if " " not in w and w != "single") + ")"
_SPAN = rf"{_NUM}(?:\s*(?:-|–|—|to|or|and)\s*{_NUM})?"


@dataclass(frozen=True)
class _Caseless:
    """A pattern matched regardless of case: compiled so (`anycase`), and as written (`lower`) for lower-cased
    ASCII text, where it finds the same spans several times faster (see _SentenceText)."""

    anycase: re.Pattern[str]
    lower: re.Pattern[str]


def _caseless(pattern: str) -> _Caseless:
    if re.search(r"[A-Z]", re.sub(r"\\.", "", pattern)):  # an upper-case letter would break the twin
        raise ValueError(f"write the caseless pattern in lower case: {pattern}")
    return _Caseless(re.compile(pattern, re.IGNORECASE), re.compile(pattern))


# Each fact: the words that state it, the words that must be near (what the number is about), and the words
# that mean the number is about something else (a laser course, a deposit, a practitioner's career).
# Up to two words between a number and "sessions" ("two to three SMP sessions"), but not "14 days between".
_GAP = r"(?:(?!days?\b|weeks?\b|months?\b|hours?\b|between\b|apart\b)[a-z]+\s+){0,2}"
_SESSIONS_RE = _caseless(
    rf"\b(?:{_SPAN}|a single|single|one)[\s-]+{_GAP}(?:sessions?|sittings?|appointments?|visits?)\b",
)
_SESSIONS_NOT = _caseless(  # the sentence is about another course of sessions
    r"\b(?:laser|removal|remove|lighten\w*|top-?ups?|touch-?ups?|refresh|maintenance|patch test)\b",
)
_SESSIONS_LOCAL_NOT = _caseless(  # just before the figure: a particular session, not how many
    r"\b(?:per|each|every|first|second|third|final|last|after|between|extra|additional)\W*(?:\w+\W+)?$",
)
_YEARS_RE = _caseless(
    rf"\b{_SPAN}\s*\+?\s*(?:years?|yrs?)\b|\b(?:forever|for life|a lifetime|lifetime|permanent(?:ly)?)\b",
)
_YEARS_CUE = _caseless(
    r"\b(?:last\w*|fade\w*|soften\w*|top-?ups?|touch-?ups?|refresh\w*|longevity|results?|pigment|forever|"
    r"lifetime|permanent\w*)\b",
)
_YEARS_NOT = _caseless(
    r"\b(?:experience|established|founded|since|ago|practis\w*|practic\w*|trained|training|barber|career|old|"
    r"aged?|younger|older|certificate|warranty|guarantee\w*|under \d+|over \d+s)\b",
)
_MONEY_RE = _caseless(r"[£$€]\s?\d[\d,]*(?:\.\d+)?(?:\s?k\b)?")
_PRICE_CUE = _caseless(r"\b(?:costs?|price[sd]?|pricing|priced|from|starts?|starting|pay|charge[sd]?|fee)\b")
_PRICE_NOT = _caseless(
    r"\b(?:deposit|consultations?|finance|interest|monthly|per month|a month|discount|off|save|saving|"
    r"voucher|"
    r"gift|per session|each session|top-?ups?|touch-?ups?|refresh|laser|removal|lightening|plans?|over|above|"
    r"under|below)\b",
)
_AREAS = {
    "hairline": _caseless(r"\bhairline\b"),
    "crown": _caseless(r"\bcrown\b"),
    "full head": _caseless(r"\bfull[\s-]head\b"),
    "women": _caseless(r"\b(?:women|woman|female|ladies)\b"),
    "scar": _caseless(r"\bscars?\b"),
    "density": _caseless(r"\bdensity\b"),
}
_HOURS_RE = _caseless(rf"\b{_SPAN}[\s-]*(?:hours?|hrs?|minutes?|mins?)\b")
# The figure must sit next to what it measures: "each session takes two to four hours", "a three-hour
# session".
_HOURS_CUE = _caseless(r"\b(?:sessions?|sittings?|appointments?|treatment|procedure)\b(?!-)")
_HOURS_WINDOW = 40
_HOURS_NOT = _caseless(
    r"\b(?:before|after|hours? (?:before|after)|wait|avoid|apart|between sessions|patch test|notice|"
    r"cancel\w*|"
    r"drink|alcohol|caffeine|laser|removal|consultation|walk|drive|station|parking|away)\b",
)

_KIND_NOUN: dict[str, str] = {
    "sessions": "the number of sessions",
    "longevity": "how long results last",
    "price": "the price",
    "session_length": "how long a session takes",
}
_RULE_OF: dict[str, str] = {
    "sessions": "ACC102",
    "longevity": "ACC103",
    "price": "ACC104",
    "session_length": "ACC105",
}
_CLAIM_OF: dict[str, str | None] = {
    "sessions": "one_session",
    "longevity": "permanent",
    "price": None,
    "session_length": None,
}
_REFS = (
    "https://www.asa.org.uk/codes-and-rulings/advertising-codes/non-broadcast-code.html",
    "https://developers.google.com/search/docs/fundamentals/creating-helpful-content",
)


def _rule(
    rid: str,
    what: str,
    example: str,
    instead: str,
    severity: Literal["error", "warning"],
    claim_type: str | None,
) -> RuleInfo:
    return RuleInfo(
        id=rid,
        title=f"Pages agree on {what}",
        failure_title=f"Pages disagree on {what}",
        category="accuracy",
        severity=severity,
        rationale=(
            f"When one page gives one figure for {what} and another page a different one, at least one of "
            "them "
            "is wrong, and a patient who reads both trusts neither."
        ),
        source="CAP Code rule 3.1 (misleading advertising); consistency of published facts",
        suggestion=f"State {what} the same way on every page (and update all of them when it changes).",
        docs=RuleDocs(
            what=(
                f"Figures for {what} are read from every page (numbers and number words, ranges included) "
                "and "
                "compared; a page whose figure does not overlap the figure on another page is reported, "
                "naming "
                "both places. Negated, conditional and hedged figures, and figures about another treatment, "
                "are "
                "left out. Where pages disagree, the side that the question pack's usual range supports, or "
                "that "
                "more pages state, is taken as the reference."
            ),
            why="Two answers to one question on one site undermine both; the odd one out is usually stale.",
            example=example,
            instead=instead,
            references=_REFS,
        ),
        scope="site",
        claim_type=claim_type,
        origin=ORIGIN,
    )


RULES: tuple[RuleInfo, ...] = (
    _rule(
        "ACC102",
        "the number of sessions",
        'The FAQ says "two to three sessions"; a treatment page says "completed in one session".',
        'Every page says "usually two to three sessions".',
        "error",
        "one_session",
    ),
    _rule(
        "ACC103",
        "how long results last",
        'The FAQ says "a top-up every 4 to 6 years"; a blog post says "results last 8 to 10 years".',
        "Every page gives the same span of years.",
        "error",
        "permanent",
    ),
    _rule(
        "ACC104",
        "the price",
        'The pricing page says "£1,800 to £2,400" for a full head; a treatment page says "from £2,900".',
        "Quote prices from one place (the pricing page) and link to it.",
        "warning",
        None,
    ),
    _rule(
        "ACC105",
        "how long a session takes",
        'One page says "each session takes two to four hours"; another says "a 45-minute session".',
        "Give the same session length everywhere.",
        "warning",
        None,
    ),
)


@dataclass(frozen=True)
class Fact:
    """One figure stated on one page, with where it is, so a finding can name both places."""

    kind: FactKind
    lo: float
    hi: float
    text: str  # the words that state it, as written
    url: str
    sentence: str
    block: Block
    start: int  # span of the sentence within the block text
    end: int
    product: str = ""  # for prices: which area or service the price is for

    @property
    def value(self) -> str:
        if self.hi == INFINITE:
            return "permanent" if self.kind == "longevity" else f"from {self.lo:g}"
        return f"{self.lo:g}" if self.lo == self.hi else f"{self.lo:g} to {self.hi:g}"

    def overlaps(self, other: Fact) -> bool:
        return not (self.hi < other.lo or other.hi < self.lo)


class _SentenceText:
    """One sentence's text, searched regardless of case.

    Case-insensitive matching costs Python's regex engine several times a plain match, and these patterns run
    on every sentence that states a figure. An ASCII sentence (nearly all of them) is lower-cased once and
    searched with the patterns as written: the spans found are the same, because the patterns' letters are all
    lower-case and an ASCII character matches one of them regardless of case exactly when its lower-case form
    is that letter (the other characters that do, such as the long s and the Kelvin sign, are not ASCII), and
    lower-casing ASCII keeps every offset. Words are still read from the sentence as written."""

    __slots__ = ("_lower", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lower = text.lower() if text.isascii() else None

    def search(self, pattern: _Caseless, start: int = 0, end: int | None = None) -> bool:
        """Whether the pattern occurs in text[start:end]."""
        if self._lower is None:
            return pattern.anycase.search(self.text[start:end]) is not None
        return pattern.lower.search(self._lower[start:end]) is not None

    def spans(self, pattern: _Caseless) -> list[tuple[int, int]]:
        """(start, end) of each match, as pattern.anycase.finditer(text) gives them."""
        if self._lower is None:
            return [m.span() for m in pattern.anycase.finditer(self.text)]
        return [m.span() for m in pattern.lower.finditer(self._lower)]


_FIGURE_WORDS = r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|single|forever|lifetime|life|permanent)"
_FIGURE_WORD = re.compile(_FIGURE_WORDS, re.IGNORECASE)
_ASCII_FIGURE = re.compile(r"[0-9]|" + _FIGURE_WORDS)  # for lower-cased ASCII text: digits are 0-9 there
_FROM = re.compile(r"\b(?:from|starts?|starting)\b")


def _may_state_figure(text: str) -> bool:
    """A pound sign, a digit or a number word: a sentence without any states no figure."""
    if "£" in text:
        return True
    if text.isascii():
        return _ASCII_FIGURE.search(text.lower()) is not None
    return any(map(str.isdigit, text)) or _FIGURE_WORD.search(text) is not None


def _money(text: str) -> float | None:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if m is None:
        return None
    value = float(m.group(0).replace(",", ""))
    return value * 1000 if re.search(r"\dk\b|\d\s?k\b", text, re.IGNORECASE) else value


def _sentence_ok(seq: Seq, subject: SubjectTerms) -> bool:
    """A question, a warning about other clinics or a sentence about another treatment states no fact."""
    if seq.question or warning_cue(seq) is not None:
        return False
    return subject_of(seq, subject)[0] != "other"


def _facts_in(text: str, seq: Seq, subject: SubjectTerms) -> Iterable[tuple[FactKind, float, float, str, str]]:
    """(kind, low, high, words, product) for every figure in one sentence that it states as a fact."""
    if not _sentence_ok(seq, subject):
        return
    sentence = _SentenceText(text)
    if not sentence.search(_SESSIONS_NOT):
        for start, end in sentence.spans(_SESSIONS_RE):
            if text_guard(text, start) is not None or sentence.search(_SESSIONS_LOCAL_NOT, 0, start):
                continue
            words = text[start:end]
            rng = parse_range(words)
            if rng is not None:
                yield "sessions", rng[0], rng[1], words, ""
    if sentence.search(_YEARS_CUE) and not sentence.search(_YEARS_NOT):
        for start, end in sentence.spans(_YEARS_RE):
            if text_guard(text, start) is not None:
                continue
            words = text[start:end]
            if re.match(r"(?i)forever|for life|a lifetime|lifetime|permanent", words):
                yield "longevity", INFINITE, INFINITE, words, ""
                continue
            rng = parse_range(words)
            if rng is not None:
                yield "longevity", rng[0], rng[1], words, ""
    if sentence.search(_PRICE_CUE) and not sentence.search(_PRICE_NOT):
        amounts = [(span, _money(text[span[0] : span[1]])) for span in sentence.spans(_MONEY_RE)]
        amounts = [(span, v) for span, v in amounts if v is not None and text_guard(text, span[0]) is None]
        if amounts:
            product = ",".join(sorted(name for name, rx in _AREAS.items() if sentence.search(rx)))
            first_start = amounts[0][0][0]
            values = [v for _, v in amounts[:2] if v is not None]
            lead = text[max(0, first_start - 25) : first_start].lower()
            open_ended = len(values) == 1 and _FROM.search(lead) is not None
            lo, hi = min(values), (INFINITE if open_ended else max(values))
            words = text[first_start : amounts[min(1, len(amounts) - 1)][0][1]]
            yield "price", lo, hi, ("from " if open_ended else "") + words, product
    if sentence.search(_HOURS_CUE) and not sentence.search(_HOURS_NOT):
        for start, end in sentence.spans(_HOURS_RE):
            if text_guard(text, start) is not None or not sentence.search(
                _HOURS_CUE, max(0, start - _HOURS_WINDOW), end + _HOURS_WINDOW
            ):
                continue
            words = text[start:end]
            rng = parse_range(words)
            if rng is None:
                continue
            minutes = 1.0 if re.search(r"(?i)min", words) else 60.0
            yield "session_length", rng[0] * minutes, rng[1] * minutes, words, ""


def extract_facts(ap: AnalysedPage, subject: SubjectTerms) -> list[Fact]:
    """Every figure the page states about the treatment, in reading order (main content only)."""
    blocks = {b.index: b for b in ap.page.blocks if b.in_main and b.kind != "heading"}
    facts: list[Fact] = []
    for sentence in ap.sentences:
        block = blocks.get(sentence.block_index)
        if block is None or not _may_state_figure(sentence.text):
            continue
        seq = seq_from_sentence(sentence)
        for kind, lo, hi, words, product in _facts_in(sentence.text, seq, subject):
            facts.append(
                Fact(
                    kind,
                    lo,
                    hi,
                    words,
                    ap.page.url,
                    sentence.text,
                    block,
                    sentence.start,
                    sentence.end,
                    product,
                )
            )
    return facts


def _expected_ranges(packs: Sequence[QuestionPack]) -> dict[str, tuple[float, float]]:
    """The packs' usual ranges (years, sessions) serve as the reference when two pages disagree evenly."""
    out: dict[str, tuple[float, float]] = {}
    for pack in packs:
        for q in pack.questions:
            if q.expected.range is None:
                continue
            if q.requires == "count":
                out.setdefault("sessions", q.expected.range)
            elif q.requires == "duration":
                out.setdefault("longevity", q.expected.range)
    return out


def _in_range(f: Fact, ranges: dict[str, tuple[float, float]]) -> bool | None:
    rng = ranges.get(f.kind)
    if rng is None:
        return None
    return rng[0] <= f.lo and f.hi <= rng[1]


def compare(facts: Sequence[Fact], ranges: dict[str, tuple[float, float]]) -> list[tuple[Fact, list[Fact]]]:
    """The out-of-line facts, each with the facts on other pages it disagrees with (best-supported first).

    A fact is out of line when a fact on another page does not overlap it and that other fact is at least as
    well supported: inside the pack's usual range when this one is not, or stated (overlapping) on as many
    pages. When two sides tie on both, both are reported, each naming the other.
    """
    groups: dict[tuple[str, str], list[Fact]] = {}
    for f in facts:
        groups.setdefault((f.kind, f.product), []).append(f)
    out: list[tuple[Fact, list[Fact]]] = []
    for (_kind, _product), group in sorted(groups.items()):
        if len({f.url for f in group}) < 2:
            continue
        # Work on distinct values: a large site states the same few figures on hundreds of pages.
        by_value: dict[tuple[float, float], list[Fact]] = {}
        for f in group:
            by_value.setdefault((f.lo, f.hi), []).append(f)
        values = sorted(by_value)
        pages = {v: {f.url for f in by_value[v]} for v in values}
        overlapping = {v: [w for w in values if not (v[1] < w[0] or w[1] < v[0])] for v in values}
        support = {v: len(set().union(*(pages[w] for w in overlapping[v]))) for v in values}
        reported: set[str] = set()
        for f in group:
            if f.url in reported:
                continue
            mine = (f.lo, f.hi)
            mine_in = _in_range(f, ranges)
            stronger_values = []
            for w in values:
                if w in overlapping[mine] or not pages[w] - {f.url}:
                    continue
                theirs_in = _in_range(by_value[w][0], ranges)
                if mine_in is not None and theirs_in is not None and mine_in != theirs_in:
                    if theirs_in:
                        stronger_values.append(w)
                    continue
                if support[w] >= support[mine]:
                    stronger_values.append(w)
            if not stronger_values:
                continue
            stronger = [g for w in stronger_values for g in by_value[w] if g.url != f.url]
            # name the best-supported page first; among equals a main page before a deep one (a blog post)
            stronger.sort(key=lambda g: (-support[(g.lo, g.hi)], _depth(g.url), g.url, g.block.index))
            out.append((f, stronger[:_MAX_NAMED]))
            reported.add(f.url)
    return out


def _depth(url: str) -> int:
    path = urlsplit(url).path if "://" in url else url
    return path.strip("/").count("/")


def _qconfig(config: Any) -> QuestionsConfig:
    qc = getattr(getattr(config, "checks", None), "questions", None)
    return qc if isinstance(qc, QuestionsConfig) else QuestionsConfig()


def _reading_order(fact: Fact) -> tuple[str, int, int]:
    return fact.url, fact.block.index, fact.start


class ConsistencyCheck:
    """Site check: the same fact (sessions, years, price, session length) stated differently on two pages.

    A map/reduce check (checks.registry.PreparingCheck): each page's facts are read where the page is
    analysed (they need its sentences and blocks, which the pages a site check gets no longer carry) and
    compared across the site here.
    """

    name = "consistency"

    def __init__(self, config: Config | None = None, packs: Sequence[QuestionPack] | None = None) -> None:
        self.packs: tuple[QuestionPack, ...] = tuple(packs) if packs is not None else load_packs(_qconfig(config).packs)

    def rules(self) -> Sequence[RuleInfo]:
        return RULES

    def prepare_page(self, page: AnalysedPage, findings: Sequence[Finding], ctx: CheckContext) -> list[Fact]:
        """The page's facts: small (each holds its sentence and block), and none at all on most pages."""
        del findings, ctx
        return extract_facts(page, self.packs[0].subject)

    def start(self) -> list[Fact]:
        return []

    def gather(self, gathered: list[Fact], prepared: list[Fact]) -> None:
        gathered.extend(prepared)

    def facts(self, site: Site, ctx: CheckContext) -> list[Fact]:
        """Every fact on the site, by page URL and then in reading order (block, then sentence start).

        Pages arrive in no fixed order, and `compare` reports the first out-of-line fact of each page and
        breaks ties between equals by position in the list, so the list is put in one order first. The sort
        is stable: facts found in one sentence keep the order extraction gave them (left to right).
        """
        collected: list[Fact] = gathered(self, site, ctx)
        return sorted(collected, key=_reading_order)

    def check_site(self, site: Site, ctx: CheckContext) -> Iterable[Finding]:
        ranges = _expected_ranges(self.packs)
        findings: list[Finding] = []
        for fact, others in compare(self.facts(site, ctx), ranges):
            ref = others[0]
            noun = _KIND_NOUN[fact.kind]
            also = sorted({g.url for g in others} - {ref.url})
            also_text = f" (and {len(also)} other page{'s' if len(also) > 1 else ''})" if also else ""
            usual = ranges.get(fact.kind)
            usual_text = f" The usual figure is {usual[0]:g} to {usual[1]:g}." if usual else ""
            findings.append(
                Finding(
                    check_id=_RULE_OF[fact.kind],
                    category="accuracy",
                    severity="error" if fact.kind in ("sessions", "longevity") else "warning",
                    url=fact.url,
                    message=(
                        f'This page and {ref.url} disagree on {noun}: this page says "{fact.text}" '
                        f'("{fact.sentence.strip()}"), but {ref.url} says "{ref.text}" '
                        f'("{ref.sentence.strip()}")'
                        f"{also_text}."
                    ),
                    suggestion=(
                        f"Make every page state {noun} the same way; check which figure is current and "
                        "correct the "
                        f"other page.{usual_text}"
                    ),
                    evidence=Evidence(
                        excerpt=fact.sentence,
                        start=fact.start,
                        end=fact.end,
                        context=fact.block.text,
                        heading_path=fact.block.heading_path,
                        locator=fact.block.locator,
                        block_index=fact.block.index,
                    ),
                    claim_type=_CLAIM_OF[fact.kind],
                    details=(
                        ("fact", fact.kind),
                        ("value", fact.value),
                        ("stated", fact.text),
                        ("other_url", ref.url),
                        ("other_value", ref.value),
                        ("other_stated", ref.text),
                        ("other_excerpt", ref.sentence),
                        ("other_locator", ref.block.locator),
                        ("disagreeing_pages", [{"url": g.url, "stated": g.text} for g in others]),
                        ("product", fact.product or None),
                    ),
                    key=f"{fact.kind}:{fact.product}:{fact.text.lower()}",
                )
            )
        return findings


def checks(config: Config) -> list[PageCheck | SiteCheck]:
    return [ConsistencyCheck(config)]
