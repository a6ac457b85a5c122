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

    from auditor.sentencizer import FACTORY

    nlp = spacy.blank("en")
    nlp.add_pipe(FACTORY)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def lemma_of(token_text: str, lemma: str) -> str:
    """Lower-cased lemma; the lookup table keeps sentence-initial capitals otherwise."""
    return (lemma or token_text).lower()


# A token as the later stages read it: text, lemma (as Sentence.lemmas holds it), the normalised lemma the context
# cues match on, and the lower-case text. Worked out once per distinct word and kept by spaCy's hash of its text;
# interned, as a page repeats its words many times and every copy would be kept (and pickled) otherwise.
_Word = tuple[str, str, str, str]
_BY_ORTH: dict[int, _Word] = {}
_WORDS_MAX = 500_000


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    return get_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]


def _new_word(text: str) -> _Word:
    """The token and its lemma as the lookup lemmatizer gives them, with the forms the cues match on."""
    from auditor.context import normalise_lemma

    found = _lemma_table().get(text, text)
    lemma = sys.intern(lemma_of(text, found if isinstance(found, str) else text))
    text = sys.intern(text)
    return (text, lemma, sys.intern(normalise_lemma(text, lemma)), sys.intern(text.lower()))


def _words_of(doc: Doc) -> list[_Word]:
    """Every token as a _Word, read from the Doc's array of text hashes: making a spaCy Token object per token
    costs several times more than the dictionary lookup per token here, and each distinct word is worked out once.
    """
    from spacy.attrs import ORTH

    strings = doc.vocab.strings
    words: list[_Word] = []
    for orth in doc.to_array(ORTH).tolist():
        known = _BY_ORTH.get(orth)
        if known is None:
            if len(_BY_ORTH) >= _WORDS_MAX:
                _BY_ORTH.clear()
            known = _BY_ORTH[orth] = _new_word(strings[orth])
        words.append(known)
    return words


def _sentences(doc: Doc, whole: str, block_index: int) -> Iterator[Sentence]:
    """`whole` is the text the Doc was made from (spaCy keeps it verbatim); Doc.text would rebuild it token by
    token."""
    from auditor.context import cues_of

    words = _words_of(doc)
    for span in doc.sents:
        start, end = span.start_char, span.end_char
        text = whole[start:end]  # what span.text builds token by token
        if not text.strip():
            continue
        tokens, lemmas, normal, low = zip(*words[span.start : span.end], strict=True)
        yield Sentence(
            text=text,
            block_index=block_index,
            start=start,
            end=end,
            lemmas=lemmas,
            tokens=tokens,
            cues=tuple(cues_of(tokens, normal, low)),
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
            sentences.extend(_sentences(doc, block.text, block.index))
        yield AnalysedPage(page=page, sentences=tuple(sentences))


def analyse_page(page: Page) -> AnalysedPage:
    return next(analyse_pages([page]))
