"""spaCy's rule-based sentencizer, deciding from the Doc's token arrays instead of one Token object per token.

The rule is spaCy's own, unchanged (`Sentencizer.predict`): a sentence starts at the first token that is neither
punctuation nor a sentence-final character after one that is. Only how the tokens are read differs; spaCy builds
a Python Token object for every token it looks at, which was a third of the language layer's time on a long
page. tests/test_sentencizer.py holds the two to the same boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from spacy.attrs import IS_PUNCT, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

FACTORY = "array_sentencizer"


class ArraySentencizer(Sentencizer):  # type: ignore[misc]
    """Sets the same sentence starts as spaCy's Sentencizer with the same punctuation characters."""

    def __init__(self, name: str = FACTORY, *, punct_chars: Sequence[str] | None = None, overwrite: bool = False) -> None:
        super().__init__(name, punct_chars=punct_chars, overwrite=overwrite)
        self._final_ids: frozenset[int] | None = None

    def _final(self, doc: Doc) -> frozenset[int]:
        """The text hashes of the sentence-final characters (a hash depends on the text alone)."""
        if self._final_ids is None:
            strings = doc.vocab.strings
            self._final_ids = frozenset(strings[c] for c in self.punct_chars)
        return self._final_ids

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        docs = list(docs)
        guesses: list[list[bool]] = []
        for doc in docs:
            size = len(doc)
            starts = [False] * size
            if size:
                final = self._final(doc)
                start = 0
                seen_final = False
                starts[0] = True
                rows: list[list[int]] = doc.to_array([ORTH, IS_PUNCT]).tolist()
                for i, (orth, is_punct) in enumerate(rows):
                    is_final = orth in final
                    if seen_final and not is_punct and not is_final:
                        starts[start] = True
                        start = i
                        seen_final = False
                    elif is_final:
                        seen_final = True
                starts[start] = True
            guesses.append(starts)
        return guesses

    def from_bytes(self, bytes_data: bytes, *, exclude: Any = ()) -> ArraySentencizer:
        super().from_bytes(bytes_data, exclude=exclude)
        self._final_ids = None
        return self

    def from_disk(self, path: Any, *, exclude: Any = ()) -> ArraySentencizer:
        super().from_disk(path, exclude=exclude)
        self._final_ids = None
        return self


@Language.factory(FACTORY, default_config={"punct_chars": None, "overwrite": False})
def make_array_sentencizer(
    nlp: Language, name: str, punct_chars: list[str] | None, overwrite: bool
) -> ArraySentencizer:
    return ArraySentencizer(name, punct_chars=punct_chars, overwrite=overwrite)
