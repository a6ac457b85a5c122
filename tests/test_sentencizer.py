"""The language layer's fast paths give what spaCy's own components and the plain cue finder give.

The array sentencizer must split exactly where spaCy's Sentencizer splits, and the per-word token pass must give
the tokens, lemmas and cues that reading spaCy's Token objects and calling find_cues gives."""

from __future__ import annotations

import random

import pytest
import spacy

from auditor.context import find_cues
from auditor.extract import extract_html
from auditor.nlp import analyse_page, get_nlp, lemma_of
from auditor.sentencizer import ArraySentencizer

_PIECES = [
    "SMP", "is", "not", "permanent", "Mr.", "e.g.", "...", "?!", "!", "?", ".", "。", "‼", "“", "”", '"', "'", "(",
    ")", ":", "—", "-", ",", "\n", "\t", "  ", "\u00a0", "Why", "wait", "Does", "it", "hurt", "no", "pain", "3.5",
    "£1,200", "www.example.com", "don't", "won't", "Results", "vary", "guaranteed", "Who", "would", "never",
]


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = [
        "",
        " ",
        "Hello there. This is a test! Is it? Yes... ok.",
        'He said "Quoted." Then left',
        "Permanent results in one session! SMP is not permanent.",
        "Claims of permanent outcomes should be approached with caution. Does it hurt? Most people say no.",
    ]
    for _ in range(count):
        texts.append(" ".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30))))
        texts.append("".join(rng.choice(".!?。 ab\"')\n") for _ in range(rng.randint(1, 20))))
    return texts


def test_array_sentencizer_splits_where_spacy_sentencizer_does() -> None:
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    ours = get_nlp()
    assert isinstance(ours.get_pipe(ours.pipe_names[0]), ArraySentencizer)
    for text in _texts(1500, seed=7):
        expected = [(s.start, s.end) for s in reference(text).sents] if text else []
        got = [(s.start, s.end) for s in ours(text).sents] if text else []
        assert got == expected, text


def test_array_sentencizer_keeps_custom_punctuation() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("array_sentencizer", config={"punct_chars": [";"]})
    assert [s.text for s in nlp("one; two. three").sents] == ["one;", "two. three"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sentences_match_token_objects_and_find_cues(seed: int) -> None:
    """Tokens and lemmas as the Token objects give them; cues as find_cues gives them on those."""
    texts = _texts(150, seed)
    html = "<html><body>" + "".join(f"<p>{t}</p>" for t in texts if t.strip()) + "</body></html>"
    page = extract_html(html.encode(), "http://clinic.test/page")
    analysed = analyse_page(page)
    nlp = get_nlp()
    expected = []
    for block in page.blocks:
        doc = nlp(block.text)
        for span in doc.sents:
            if not span.text.strip():
                continue
            tokens = tuple(t.text for t in span)
            lemmas = tuple(lemma_of(t.text, t.lemma_) for t in span)
            expected.append((span.text, tokens, lemmas, tuple(find_cues(tokens, lemmas))))
    got = [(s.text, s.tokens, s.lemmas, s.cues) for s in analysed.sentences]
    assert got == expected
