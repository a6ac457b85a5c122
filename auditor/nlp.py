"""The language layer: a blank English spaCy pipeline with rule-based parts, loaded once per process."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from auditor.models import AnalysedPage, Page, Sentence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span


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


def _sentence(span: Span, block_index: int) -> Sentence:
    from auditor.context import find_cues

    # Interned: a page repeats its words many times, and every copy would be kept (and pickled) otherwise.
    tokens = tuple(sys.intern(t.text) for t in span)
    lemmas = tuple(sys.intern(lemma_of(t.text, t.lemma_)) for t in span)
    return Sentence(
        text=span.text,
        block_index=block_index,
        start=span.start_char,
        end=span.end_char,
        lemmas=lemmas,
        tokens=tokens,
        cues=tuple(find_cues(tokens, lemmas)),
    )


def analyse_pages(pages: Iterable[Page], batch_size: int = 64) -> Iterator[AnalysedPage]:
    """Split every block of every page into sentences with lemmas and context cues, via nlp.pipe in batches."""
    nlp = get_nlp()
    for page in pages:
        texts = [b.text for b in page.blocks]
        sentences: list[Sentence] = []
        for block, doc in zip(page.blocks, nlp.pipe(texts, batch_size=batch_size), strict=True):
            sentences.extend(_sentence(sent, block.index) for sent in doc.sents if sent.text.strip())
        yield AnalysedPage(page=page, sentences=tuple(sentences))


def analyse_page(page: Page) -> AnalysedPage:
    return next(analyse_pages([page]))
