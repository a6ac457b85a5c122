"""Context cues (negation, hedge, warning, question, other subject) found in a sentence's tokens."""

from __future__ import annotations

from auditor.models import Cue


def find_cues(tokens: tuple[str, ...], lemmas: tuple[str, ...]) -> list[Cue]:
    """Sentence-level cues; the claims engine decides which of them scope over a matched claim."""
    cues: list[Cue] = []
    if tokens and tokens[-1] == "?" or (len(tokens) > 1 and tokens[-2] == "?"):
        cues.append(Cue(kind="question", trigger="?", start=len(tokens) - 1, end=len(tokens)))
    return cues
