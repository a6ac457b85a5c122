"""The question engine's fast paths read what the plain helpers read: one pass over a sentence instead of many
phrase searches, word tests before the fact searches, a first hit found without finding the rest. Each is held
here to a plain reading (the way the engine read it before) over real sentences: the demo clinic, the safety
guide and generated clinic copy, and, for the stated facts, texts made to hit every pattern's edges."""

from __future__ import annotations

import pickle
import random

import pytest
from question_pages import sample_pages

from auditor.config import Config
from auditor.models import Page
from auditor.nlp import analyse_pages
from checks import answers
from checks.answers import (
    FACT_KINDS,
    Hit,
    Phrase,
    Seq,
    SubjectTerms,
    find_all,
    find_fact,
    first_hit,
    is_direct,
    seq_from_sentence,
)
from checks.question_pack import Question
from checks.questions import QuestionCoverageCheck, _first_of, _read_view, _view, page_units


def _pages() -> list[Page]:
    return sample_pages(6)


@pytest.fixture(scope="module")
def check() -> QuestionCoverageCheck:
    return QuestionCoverageCheck(Config())


@pytest.fixture(scope="module")
def seqs() -> list[Seq]:
    return [seq_from_sentence(s) for ap in analyse_pages(_pages()) for s in ap.sentences]


def _plain_find_all(seq: Seq, phrases: tuple[Phrase, ...]) -> list[Hit]:
    """find_all as first written: every start, the longest phrase there, then drop hits inside earlier ones."""
    best: dict[int, Hit] = {}
    for start in range(len(seq.keys)):
        for phrase in phrases:
            pk = phrase.keys
            if pk and seq.keys[start : start + len(pk)] == pk:
                old = best.get(start)
                if old is None or (old.end - old.start) < len(pk):
                    best[start] = Hit(phrase.text, start, start + len(pk))
    kept: list[Hit] = []
    reach = -1
    for k in sorted(best):
        if best[k].end <= reach:
            continue
        kept.append(best[k])
        reach = max(reach, best[k].end)
    return kept


def _phrase_sets(check: QuestionCoverageCheck) -> list[tuple[Phrase, ...]]:
    sets: list[tuple[Phrase, ...]] = []
    for pack in check.packs:
        sets += [pack.subject.terms, pack.subject.others, pack.subject.generic]
        for q in pack.questions:
            exp = q.expected
            sets += [q.answer_terms, q.all_asks, q.avoid, exp.polar, exp.must_say, *(c.phrases for c in q.asks)]
    return [s for s in sets if s]


def test_find_all_and_first_hit_read_as_the_plain_search(check: QuestionCoverageCheck, seqs: list[Seq]) -> None:
    hits = 0
    for phrases in _phrase_sets(check):
        for seq in seqs:
            plain = _plain_find_all(seq, phrases)
            assert find_all(seq, phrases) == plain, (seq.text, [p.text for p in phrases])
            assert first_hit(seq, phrases) == (plain[0] if plain else None)
            hits += bool(plain)
    assert hits > 500


def test_subject_of_reads_terms_then_other_treatments_then_generic_words(
    check: QuestionCoverageCheck, seqs: list[Seq]
) -> None:
    subject = check.packs[0].subject
    kinds = set()
    for seq in seqs:
        expected: tuple[str, str | None] = ("none", None)
        for kind, phrases in (("smp", subject.terms), ("other", subject.others), ("generic", subject.generic)):
            hit = first_hit(seq, phrases)
            if hit is not None:
                expected = (kind, hit.phrase)
                break
        assert answers._subject_of(seq, subject) == expected, seq.text
        kinds.add(expected[0])
    assert kinds == {"smp", "other", "generic", "none"}
    lone = SubjectTerms(terms=(Phrase.of("scalp micropigmentation"),), generic=(), others=(Phrase.of("tattoo"),))
    assert answers._subject_of(seq_from_sentence_text("A tattoo, unlike scalp micropigmentation."), lone) == (
        "smp",
        "scalp micropigmentation",
    )


def seq_from_sentence_text(text: str) -> Seq:
    return answers.text_seqs(text)[0]


def test_one_pass_view_reads_concepts_and_terms_as_the_searches(
    check: QuestionCoverageCheck, seqs: list[Seq]
) -> None:
    viewed = 0
    for q in check.packs[0].questions:
        for seq in seqs:
            concepts, terms, first_term = _read_view(seq, q)
            assert concepts == tuple(first_hit(seq, c.phrases) for c in q.asks), (q.id, seq.text)
            assert terms == frozenset(h.phrase for h in find_all(seq, q.answer_terms))
            para = first_hit(seq, q.answer_terms)
            assert first_term == (para.phrase if para else None)
            assert _first_of(concepts) == first_hit(seq, q.all_asks)
            viewed += any(concepts) or bool(terms)
    assert viewed > 500


def _plain_direct(seq: Seq, q: Question) -> str | None:
    if seq.keyset & q.view_keys:
        return is_direct(seq, q.all_asks, q.expected.polar, q.answer_terms, q.requires, q.fact_question)
    return is_direct(seq, (), (), (), q.requires, q.fact_question)


def test_direct_replies_read_as_is_direct(check: QuestionCoverageCheck, seqs: list[Seq]) -> None:
    replies = 0
    for q in check.packs[0].questions:
        for seq in seqs:
            plain = _plain_direct(seq, q)
            may = _view(seq, q).may_reply(seq)
            assert _view(seq, q).direct(seq) == plain, (q.id, seq.text)
            assert may or plain is None  # may_reply is False only where no reply can be read
            replies += plain is not None
    assert replies > 200


def _plain_fact(text: str, kind: str) -> str | None:
    """find_fact without its word tests: the searches alone."""
    pattern = answers._FACT_RES.get(kind)
    if pattern is None:
        return None
    m = pattern.search(text)
    if m is not None:
        return m.group(0)
    if kind == "money" and answers._PRICE_WORDS.search(text):
        dep = answers._PRICE_DEPENDS.search(text)
        if dep is not None:
            return dep.group(0)
    return None


_EDGES = [
    "3\u00a0years", "3\tyears", "a  year", "2+ years", "twenty-five years", "1.5 years", "½ years", "٣ years",
    "an month", "few decades", "a couple of yrs", "8 to 10 years", "lifestyle years", "about 5yrs", "5 YEARS",
    "FOR LIFE", "Life-Long", "ninety-nine months", "of years", "ayear", "(3) years", "3) years", "three-year",
    "3-year", "3–5 years", "a few sessions", "twelve treatments", "a single visit", "some appointments",
    "2 SMP sessions", "one to two sittings", "two–three sessions", "tone sessions", "one, session", "£200", "$ 40",
    "200 pounds", "40 GBP", "prices depend on", "a tailored quote", "cost varies", "ſeſſions", "İ year",
    "five hours", "ten mins", "an hour", "area years", "x9 sessions", "2nd year", "a_year",
]
_WORDS = [
    "consultation", "thinning", "moisturiser", "experienced", "appointment", "hairline", "session", "sessions",
    "treatment", "years", "year", "month", "one", "two", "three", "some", "many", "a", "an", "of", "couple",
    "number", "price", "cost", "fee", "depends", "varies", "pounds", "€", "£", "-", "–", "+", "9", "12", "life",
    "forever", "lifetime", "SMP", "scalp", "visit", "visits", "sitting", "hours", "minutes",
]


def test_fact_word_tests_never_hide_a_fact(seqs: list[Seq]) -> None:
    rnd = random.Random(7)
    texts = [s.text for s in seqs] + _EDGES
    for _ in range(20000):
        texts.append(" ".join(rnd.choice(_EDGES + _WORDS) for _ in range(rnd.randint(1, 6))))
    for _ in range(3000):  # long texts: the words before a unit are read from a window of the text
        texts.append(" ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(20, 60))))
    found = 0
    for text in texts:
        for kind in (*FACT_KINDS, "other"):
            plain = _plain_fact(text, kind)
            assert find_fact.__wrapped__(text, kind) == plain, (text, kind)
            found += plain is not None
    assert found > 5000


def test_units_travel_between_processes(check: QuestionCoverageCheck) -> None:
    ap = next(iter(analyse_pages(_pages()[:1])))
    units = page_units(ap, check.packs[0].subject)
    assert units
    again = pickle.loads(pickle.dumps(units, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == units
    assert all(u.sentences[0].memo == {} for u in again)  # what a sentence kept of this process stays here
