"""Readability figures of a page's main text: Flesch reading ease and the share of long sentences.

Flesch reading ease = 206.835 - 1.015 x (words / sentences) - 84.6 x (syllables / words), the standard
formula textstat implements. textstat's English syllable count needs NLTK's CMU dictionary, which it downloads
on first use; an audit runs offline, so syllables are counted here with the usual vowel-group rule (the
approach of textstat's own fallback and of most readability tools), and sentences come from our spaCy
sentencizer, which already split the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from auditor.models import AnalysedPage, Sentence

_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_SILENT_END = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$")
_WORDISH = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=50_000)
def syllables(word: str) -> int:
    """Vowel groups, less a silent final -e/-es/-ed, at least one; good to about one syllable in ten words."""
    w = word.lower().strip("'’")
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    w = _SILENT_END.sub(lambda m: m.group(0)[0], w)
    w = w[1:] if w.startswith("y") else w
    return max(1, len(_VOWEL_GROUP.findall(w)))


def sentence_words(sentence: Sentence) -> list[str]:
    return [t for t in sentence.tokens if _WORDISH.search(t)]


class _TokenSyllables(dict[str, int]):
    """Syllables by token text, 0 for a token with no letter (not a word: punctuation, a figure): one lookup
    per token instead of a regex test and a syllable count. A word always has at least one syllable, so 0 tells
    the two apart. Filled as tokens are met; emptied when it grows past a bound, as words repeat across pages."""

    LIMIT = 100_000

    def __missing__(self, token: str) -> int:
        if len(self) >= self.LIMIT:
            self.clear()
        value = syllables(token) if _WORDISH.search(token) else 0
        self[token] = value
        return value


_SYLLABLES = _TokenSyllables()


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    flesch: float
    long_sentences: int
    longest: Sentence | None

    @property
    def long_share(self) -> float:
        return self.long_sentences / self.sentences if self.sentences else 0.0


def flesch_reading_ease(words: int, sentences: int, syllable_count: int) -> float:
    if not words or not sentences:
        return 0.0
    return round(206.835 - 1.015 * (words / sentences) - 84.6 * (syllable_count / words), 1)


_LAST: list[tuple[AnalysedPage, int, Readability]] = []


def readability(page: AnalysedPage, long_words: int) -> Readability:
    """Figures over the sentences of main-content blocks (menus and footers are not the page's prose).

    Two rules read the same figures one after the other, so the last page's are kept (by identity)."""
    if _LAST and _LAST[0][0] is page and _LAST[0][1] == long_words:
        return _LAST[0][2]
    result = _readability(page, long_words)
    _LAST[:] = [(page, long_words, result)]
    return result


def _readability(page: AnalysedPage, long_words: int) -> Readability:
    main = {b.index for b in page.page.blocks if b.in_main}
    count = words = syl = long_count = 0
    longest: Sentence | None = None
    longest_len = 0
    per_token = _SYLLABLES.__getitem__
    for sentence in page.sentences:
        if sentence.block_index not in main:
            continue
        counts = list(map(per_token, sentence.tokens))
        word_count = len(counts) - counts.count(0)  # = len(sentence_words(sentence))
        if not word_count:
            continue
        count += 1
        words += word_count
        syl += sum(counts)
        if word_count > long_words:
            long_count += 1
        if word_count > longest_len:
            longest, longest_len = sentence, word_count
    return Readability(count, words, flesch_reading_ease(words, count, syl), long_count, longest)
