"""Context cues: which trigger is found and which tokens it governs (NegEx/ConText style, for marketing)."""

from __future__ import annotations

import pytest

from auditor.context import find_cues, normalise_lemmas
from auditor.models import Cue
from auditor.nlp import get_nlp


def cues_of(text: str) -> tuple[tuple[str, ...], list[Cue]]:
    doc = get_nlp()(text)
    tokens = tuple(t.text for t in doc)
    lemmas = tuple(t.lemma_.lower() for t in doc)
    return tokens, find_cues(tokens, lemmas)


def governed(text: str, kind: str) -> list[str]:
    """The words each cue of this kind governs, one string per cue."""
    tokens, cues = cues_of(text)
    out = []
    for cue in cues:
        if cue.kind == kind:
            start, end = cue.scope if cue.scope is not None else (0, len(tokens))
            out.append(" ".join(tokens[start:end]))
    return out


def test_lemmas_are_mended_for_capitals_and_folded_words() -> None:
    tokens = ("Regrows", "Guaranteed", "more", "most", "as", "does", "wo", "n't", "first")
    lemmas = ("regrows", "guaranteed", "much", "much", "a", "doe", "wo", "not", "1")
    assert normalise_lemmas(tokens, lemmas) == (
        "regrow",
        "guarantee",
        "more",
        "most",
        "as",
        "do",
        "will",
        "not",
        "first",
    )


def test_negation_governs_what_follows_up_to_a_terminator() -> None:
    assert governed("SMP is not permanent: the pigment softens over years.", "negation") == ["permanent"]
    assert governed("SMP cannot be finished in one session; most need three.", "negation") == [
        "be finished in one session"
    ]


def test_a_determiner_negation_stops_at_a_comma_or_and() -> None:
    assert governed("No downtime, permanent results and zero pain.", "negation") == ["downtime"]
    assert governed("No needles and permanent results.", "negation") == ["needles"]


def test_a_negated_list_keeps_its_scope_across_commas() -> None:
    assert governed("SMP does not stimulate, thicken or regrow hair.", "negation") == [
        "stimulate , thicken or regrow hair ."
    ]
    assert governed("I couldn't believe it, permanent results!", "negation") == ["believe it"]


@pytest.mark.parametrize(
    "text",
    [
        "We offer not only SMP but also hair loss advice.",
        "Don't miss out on permanent results.",
        "Individual results may vary.",
    ],
)
def test_pseudo_triggers_are_not_cues(text: str) -> None:
    _, cues = cues_of(text)
    assert [c for c in cues if c.kind in ("negation", "hedge")] == []


def test_questions_but_not_rhetorical_calls_to_action() -> None:
    assert governed("Is scalp micropigmentation permanent?", "question")
    assert governed("SMP – is it permanent?", "question")
    assert governed("Want permanent results?", "question") == []
    assert governed("Why wait for permanent results?", "question") == []


def test_other_subject_only_where_the_clause_is_about_it() -> None:
    assert governed("Traditional tattoos are designed to be permanent.", "other_subject") == [
        "are designed to be permanent ."
    ]
    assert governed("Unlike traditional tattoos, SMP is permanent.", "other_subject") == []
    assert governed("Combine SMP with a hair transplant for permanent results.", "other_subject") == []
    # a new clause about us ends it
    assert governed("Hair transplants need surgery, and SMP is permanent.", "other_subject") == [
        "need surgery ,"
    ]


def test_warning_and_reporting_frames() -> None:
    assert governed("Be wary of any clinic that promises permanent results.", "warning")[0].endswith(
        "permanent results ."
    )
    assert any(
        "permanent" in g for g in governed("Claims of “permanent” outcomes are a red flag.", "warning")
    )
    assert governed("When SMP is rushed or treated as a one-session procedure, problems follow.", "warning")


def test_hedges_and_comparatives() -> None:
    assert governed("Results typically last for years.", "hedge")
    assert governed("SMP is more permanent than fibres.", "comparative")
    assert governed("Results may vary.", "hedge") == []


def test_quotation_marks_are_recorded_but_are_not_a_denial() -> None:
    tokens, cues = cues_of("“It was totally painless!” says Dave.")
    quoted = [c for c in cues if c.kind == "quoted"]
    assert len(quoted) == 1 and quoted[0].scope is not None
    start, end = quoted[0].scope
    assert tokens[start:end] == ("It", "was", "totally", "painless", "!")
