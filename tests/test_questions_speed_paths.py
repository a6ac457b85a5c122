"""The question engine finds each page's best answer best first, reading a unit's bound a stage at a time, and
judges only the units that may contradict the expected answer. Each shortcut is held here to the plain reading
it stands for, over real pages (the demo clinic, the safety guide, generated clinic copy) and at several
min_score settings: every unit scored in upper_bound's order, the first best kept, every unit judged."""

from __future__ import annotations

import pytest
from question_pages import sample_pages

from auditor.config import ChecksConfig, Config, QuestionsConfig
from auditor.models import AnalysedPage
from auditor.nlp import analyse_pages
from checks.answers import Seq, SubjectTerms, first_hit
from checks.question_pack import Question
from checks.questions import (
    QuestionCoverageCheck,
    Scored,
    Unit,
    Verdict,
    _asks_form,
    _better,
    _names_topic,
    _Place,
    _presence,
    _unit_index,
    judge,
    page_units,
    score_unit,
    upper_bound,
)


@pytest.fixture(scope="module")
def pages() -> list[AnalysedPage]:
    return list(analyse_pages(sample_pages(8)))


def _plain_page_best(
    q: Question, units: list[Unit], read: list[int], subject: SubjectTerms, min_score: float
) -> tuple[Scored | None, Verdict | None, list[tuple[Scored, Verdict]]]:
    """The engine as first written: every unit scored in upper_bound's order (page order on a tie), the first
    best kept, and every unit scoring min_score or more judged, the wrong ones listed in that order; the best
    judged as the site step judged it (at min_score or more)."""
    best: Scored | None = None
    wrong: list[tuple[Scored, Verdict]] = []
    for i in sorted(read, key=lambda i: (-upper_bound(q, units[i], subject), i)):
        scored = score_unit(q, units[i], subject)
        if scored is None:
            continue
        if scored.score >= min_score:
            verdict = judge(scored, subject)
            if verdict.wrong:
                wrong.append((scored, verdict))
        if _better(scored, best):
            best = scored
    return best, judge(best, subject) if best is not None and best.score >= min_score else None, wrong


@pytest.mark.parametrize("min_score", [0.5, 0.3, 0.15])
def test_best_first_finds_the_best_and_the_wrong_answers_of_the_plain_reading(
    pages: list[AnalysedPage], min_score: float
) -> None:
    check = QuestionCoverageCheck(Config(checks=ChecksConfig(questions=QuestionsConfig(min_score=min_score))))
    compared = found = wrong = 0
    for ap in pages:
        for pack, watched, answer_all in check._pack_keys:
            subject = pack.subject
            units = page_units(ap, subject, watched)
            by_key, by_asked = _unit_index(units, watched, answer_all)
            leads: dict[int, float] = {}
            places: list[_Place | None] = [None] * len(units)
            for q in pack.questions:
                picked = {i for k in q.core_keys & by_key.keys() for i in by_key[k]}
                picked |= {i for k in q.answer_keys & by_asked.keys() for i in by_asked[k]}
                read = [
                    i
                    for i in picked
                    if not (units[i].mid_paragraph and q.core_keys.isdisjoint(units[i].sentences[0].keyset))
                ]
                fast = check._page_best(q, units, read, subject, leads, places)
                assert fast == _plain_page_best(q, units, read, subject, min_score), (q.id, ap.page.url)
                compared += 1
                found += fast[0] is not None
                wrong += len(fast[2])
    assert compared > 100 and found > 50 and wrong > 0


def test_a_unit_without_a_whole_concept_phrase_names_no_concept(pages: list[AnalysedPage]) -> None:
    """_names_topic reads a unit's words as a set: False only where no sentence finds a concept phrase."""
    check = QuestionCoverageCheck(Config())
    silent = 0
    for ap in pages:
        for pack in check.packs:
            for unit in page_units(ap, pack.subject):
                for q in pack.questions:
                    if _names_topic(q, unit.keyset):
                        continue
                    silent += 1
                    for seq in (*unit.sentences, *((unit.asked,) if unit.asked else ())):
                        assert all(first_hit(seq, c.phrases) is None for c in q.asks), (q.id, seq.text)
    assert silent > 100


def _sentences(pages: list[AnalysedPage], check: QuestionCoverageCheck) -> list[Seq]:
    return [s for ap in pages for u in page_units(ap, check.packs[0].subject) for s in (*u.sentences, u.asked) if s]


def test_presence_counts_each_answer_term_whose_keys_a_sentence_holds(pages: list[AnalysedPage]) -> None:
    check = QuestionCoverageCheck(Config())
    held_some = 0
    for seq in _sentences(pages, check)[:3000]:
        for q in check.packs[0].questions:
            concepts, terms, _ = _presence(seq, q)
            plain_terms = [t for t in q.answer_terms if t.keys and set(t.keys) <= seq.keyset]
            assert terms.bit_count() == len(plain_terms), (q.id, seq.text)
            for j, concept in enumerate(q.asks):
                whole = any(p.keys and set(p.keys) <= seq.keyset for p in concept.phrases)
                assert bool(concepts >> j & 1) == whole, (q.id, seq.text)
            held_some += bool(terms)
    assert held_some > 100


def test_a_heading_holding_no_probe_key_holds_no_form(pages: list[AnalysedPage]) -> None:
    check = QuestionCoverageCheck(Config())
    forms = 0
    headings = [u.asked for ap in pages for u in page_units(ap, check.packs[0].subject) if u.asked is not None]
    for asked in headings:
        for q in check.packs[0].questions:
            plain = any(keys <= asked.keyset for _, keys in q.forms)
            assert _asks_form(q, asked.keyset) == plain, (q.id, asked.text)
            forms += plain
    assert forms > 5
