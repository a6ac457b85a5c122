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
    _head_spares,
    _may_contradict,
    _opening_bound,
    _presence_bound,
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
    """The engine also ranks and skips units on closer bounds (the opening bound: whether the unit names the
    topic at all, the reply its first sentence may give, the fact a question requires; the phrases read whole;
    the partial score before the reply and the agreement are read), and leaves unjudged a unit it finds judge
    cannot fault: each is held here to the score and the verdict it stands for."""
    min_score = check.config.min_score
    compared = tight = wrong = gated = 0
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
                    opening, factless = _opening_bound(q, unit, pack.subject, signals, leads)
                    assert scored.score <= opening <= round(upper_bound(q, unit, pack.subject), 3) + 1e-9, (
                        q.id,
                        unit.snippet_text,
                        scored.score,
                        opening,
                    )
                    presence = _presence_bound(q, unit, pack.subject, factless)
                    assert scored.score <= presence, (q.id, unit.snippet_text, scored.score, presence)
                    states = q.requires is not None and any(find_fact(s.text, q.requires) for s in unit.sentences)
                    assert factless == (q.requires is not None and not states)
                    if scored.score >= min_score and judge(scored, pack.subject).wrong:
                        assert _may_contradict(q, unit, partial.bound, min_score, pack.subject)
                        wrong += 1
                    compared += 1
                    tight += partial.bound == scored.score
                    halved = any(n.startswith("neither the heading") for n in scored.notes)
                    if unit.asked is not None and not dict(scored.signals)["topic"]:
                        # a heading found not to spare an answer that never names its topic: the score is halved
                        assert halved or _head_spares(q, unit.asked, pack.subject), (q.id, unit.asked_text)
                        gated += halved
    assert compared > 1000 and tight > compared // 2 and wrong > 0 and gated > 10
