"""The engine skips units whose upper bound cannot beat the best answer so far: the bound must never be below the
score. Held here over every unit of real pages (the demo clinic, the safety guide, generated clinic copy) against
every question of the pack."""

from __future__ import annotations

import pytest
from question_pages import sample_pages

from auditor.config import Config
from auditor.models import Page
from auditor.nlp import analyse_pages
from checks.answers import find_fact
from checks.questions import (
    QuestionCoverageCheck,
    _bound_signals,
    _closer_bound,
    _may_contradict,
    judge,
    page_units,
    partial_score,
    score_unit,
    upper_bound,
)


def _pages() -> list[Page]:
    return sample_pages(8)


@pytest.fixture(scope="module")
def check() -> QuestionCoverageCheck:
    return QuestionCoverageCheck(Config())


def test_no_unit_scores_above_its_upper_bound(check: QuestionCoverageCheck) -> None:
    compared = above_half = 0
    for ap in analyse_pages(_pages()):
        for pack in check.packs:
            for unit in page_units(ap, pack.subject):
                for q in pack.questions:
                    scored = score_unit(q, unit, pack.subject)
                    if scored is None:
                        continue
                    bound = upper_bound(q, unit, pack.subject)
                    assert scored.score <= bound + 1e-9, (q.id, unit.url, unit.asked_text, scored.score, bound)
                    compared += 1
                    above_half += scored.score >= 0.5
    assert compared > 1000 and above_half > 20  # real answers were among them, not only hopeless units


def test_no_unit_scores_above_its_closer_bounds(check: QuestionCoverageCheck) -> None:
    """The engine also skips on closer bounds (the fact a question requires, phrases read whole, the partial
    score before the reply and the agreement are read), and leaves unjudged a unit it finds judge cannot fault:
    each is held here to the score and the verdict it stands for."""
    min_score = check.config.min_score
    compared = tight = wrong = 0
    for ap in analyse_pages(_pages()):
        for pack in check.packs:
            leads: dict[int, float] = {}
            for unit in page_units(ap, pack.subject):
                for q in pack.questions:
                    scored = score_unit(q, unit, pack.subject)
                    if scored is None:
                        continue
                    partial = partial_score(q, unit, pack.subject)
                    early = partial_score(q, unit, pack.subject, floor=1.0)  # stops before the reply is read
                    assert partial is not None and early is not None
                    assert scored.score <= partial.bound <= early.bound, (q.id, unit.snippet_text, scored.score)
                    signals = _bound_signals(q, unit, pack.subject)
                    close, factless = _closer_bound(
                        q, unit, pack.subject, signals, round(upper_bound(q, unit, pack.subject), 3), -1.0, leads
                    )
                    assert scored.score <= close, (q.id, unit.snippet_text, scored.score, close)
                    states = q.requires is not None and any(find_fact(s.text, q.requires) for s in unit.sentences)
                    assert factless == (q.requires is not None and not states)
                    if scored.score >= min_score and judge(scored, pack.subject).wrong:
                        assert _may_contradict(q, unit, partial.bound, min_score, pack.subject)
                        wrong += 1
                    compared += 1
                    tight += partial.bound == scored.score
    assert compared > 1000 and tight > compared // 2 and wrong > 0
