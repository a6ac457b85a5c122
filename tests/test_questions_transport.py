"""A page's part of question coverage crosses from a worker process to the main one: it carries what the site
step reads of the page's answers, and none of the words they were matched by. Held here over real pages (the
demo clinic, the safety guide, generated clinic copy): no matching material is pickled, a unit as shown is equal
to another exactly when the units are, and the site step reads the same from the part as from whole pages."""

from __future__ import annotations

import io
import pickle
from typing import Any

import pytest
from question_pages import sample_pages

from auditor.config import ChecksConfig, Config, QuestionsConfig
from auditor.models import AnalysedPage, Site
from auditor.nlp import analyse_pages
from checks.answers import Seq
from checks.questions import (
    Answered,
    PageQuestions,
    PageScore,
    QuestionCoverageCheck,
    Scored,
    Unit,
    _ShownUnits,
    page_units,
)
from checks.registry import CheckContext

CTX = CheckContext(config=Config())


@pytest.fixture(scope="module")
def pages() -> list[AnalysedPage]:
    return list(analyse_pages(sample_pages(8)))


class _TypesPickled(pickle.Pickler):
    """A pickler that notes the type of every object it writes."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), pickle.HIGHEST_PROTOCOL)
        self.types: set[type] = set()

    def persistent_id(self, obj: Any) -> None:
        self.types.add(type(obj))


def test_no_matching_material_crosses_processes(pages: list[AnalysedPage]) -> None:
    """Sentences' words and keys (Seq), whole units and the map step's scores stay in the worker."""
    check = QuestionCoverageCheck(Config())
    shipped = 0
    for ap in pages:
        part = check.prepare_page(ap, (), CTX)
        pickler = _TypesPickled()
        pickler.dump(part)
        assert not pickler.types & {Seq, Unit, Scored}, ap.page.url
        shipped += sum(1 for entry in part.best if isinstance(entry[1], Answered))
    assert shipped > 20


@pytest.mark.parametrize("min_score", [0.5, 0.3])
def test_a_best_unit_under_min_score_travels_as_its_row_alone(pages: list[AnalysedPage], min_score: float) -> None:
    check = QuestionCoverageCheck(Config(checks=ChecksConfig(questions=QuestionsConfig(min_score=min_score))))
    rows = full = 0
    for ap in pages:
        part: PageQuestions = check.prepare_page(ap, (), CTX)
        for _qid, shown, verdict, claims, wrong in part.best:
            if isinstance(shown, PageScore):
                assert 0 < shown.score < min_score and verdict is None and not claims
                rows += 1
            elif shown is not None:
                assert shown.score >= min_score and verdict is not None  # judged where it was matched
                full += 1
            assert all(v.wrong and a.score >= min_score for a, v in wrong)
    assert rows > 20 and full > 20


def test_units_as_shown_are_equal_exactly_when_the_units_are(pages: list[AnalysedPage]) -> None:
    """The site step tells whether a contradicting unit is the best answer by equality of the units as shown."""
    check = QuestionCoverageCheck(Config())
    pairs = equal = 0
    for ap in pages:
        units = page_units(ap, check.packs[0].subject)
        shown_units = _ShownUnits()
        shown = [shown_units.unit(u) for u in units]
        for i, a in enumerate(units):
            for j in range(i, len(units)):
                same = a == units[j]
                assert (shown[i] == shown[j]) is same, (ap.page.url, i, j)
                pairs += 1
                equal += same
    assert pairs > 1000 and equal > len(pages)


def test_the_site_step_reads_the_same_from_pickled_parts_as_from_whole_pages(pages: list[AnalysedPage]) -> None:
    check = QuestionCoverageCheck(Config(checks=ChecksConfig(questions=QuestionsConfig(min_score=0.3))))
    site = Site(name="sample", root_url=pages[0].page.url, pages=tuple(pages))
    plain = (list(check.check_site(site, CTX)), check.site_data(site, CTX))
    acc = check.start()
    for ap in reversed(pages):
        check.gather(acc, pickle.loads(pickle.dumps(check.prepare_page(ap, (), CTX), pickle.HIGHEST_PROTOCOL)))
    mapped = Site(name="sample", root_url=pages[0].page.url, pages=tuple(pages), prepared={"questions": acc})
    assert (list(check.check_site(mapped, CTX)), check.site_data(mapped, CTX)) == plain
    assert any(f.check_id.startswith("ACC") for f in plain[0]) and plain[1]["questions"]
