"""The language layer: a blank English spaCy pipeline with rule-based parts, loaded once per process."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from auditor.models import AnalysedPage, Page, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Blank English + sentencizer + lookup lemmatizer: no statistical model is available or needed."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def lemma_of(token_text: str, lemma: str) -> str:
    """Lower-cased lemma; the lookup table keeps sentence-initial capitals otherwise."""
    return (lemma or token_text).lower()


_WORDS: dict[str, tuple[str, str]] = {}  # token text -> (interned text, interned lower-case lemma)
_WORDS_MAX = 500_000


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    return get_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]


def _word(text: str) -> tuple[str, str]:
    """The token and its lemma as the lookup lemmatizer gives them, worked out once per distinct word.

    Interned: a page repeats its words many times, and every copy would be kept (and pickled) otherwise."""
    known = _WORDS.get(text)
    if known is None:
        if len(_WORDS) >= _WORDS_MAX:
            _WORDS.clear()
        found = _lemma_table().get(text, text)
        lemma = found if isinstance(found, str) else text
        known = _WORDS[text] = (sys.intern(text), sys.intern(lemma_of(text, lemma)))
    return known


def _sentences(doc: Doc, block_index: int) -> Iterator[Sentence]:
    from auditor.context import find_cues

    # One pass over the tokens per block: a spaCy Token object costs more to make than the lookups below.
    words = [_word(t.text) for t in doc]
    whole = doc.text
    for span in doc.sents:
        start, end = span.start_char, span.end_char
        text = whole[start:end]  # what span.text builds token by token
        if not text.strip():
            continue
        pairs = words[span.start : span.end]
        tokens = tuple(w for w, _ in pairs)
        lemmas = tuple(lem for _, lem in pairs)
        yield Sentence(
            text=text,
            block_index=block_index,
            start=start,
            end=end,
            lemmas=lemmas,
            tokens=tokens,
            cues=tuple(find_cues(tokens, lemmas)),
        )


def analyse_pages(pages: Iterable[Page], batch_size: int = 64) -> Iterator[AnalysedPage]:
    """Split every block of every page into sentences with lemmas and context cues, via nlp.pipe in batches.

    The lemmatizer component is not run: it would look each token up in the same table `_word` reads, once
    per occurrence instead of once per distinct word."""
    nlp = get_nlp()
    for page in pages:
        texts = [b.text for b in page.blocks]
        sentences: list[Sentence] = []
        docs = nlp.pipe(texts, batch_size=batch_size, disable=["lemmatizer"])
        for block, doc in zip(page.blocks, docs, strict=True):
            sentences.extend(_sentences(doc, block.index))
        yield AnalysedPage(page=page, sentences=tuple(sentences))


def analyse_page(page: Page) -> AnalysedPage:
    return next(analyse_pages([page]))
