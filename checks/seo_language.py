"""Which language a page's text is written in, judged by its function words alone.

Function words ("the", "und", "les", "que"...) make up a third to a half of running text in every language
and differ sharply between languages, so their share is a dependable signal on a few dozen words. The
judgement is only used to question a declared `lang`, so it errs on the side of saying nothing.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "pl", "fi", "cs", "ro", "hu", "tr")
# Norwegian is written "no" as often as "nb"; both mean the same stop-word list here.
_ALIASES = {"no": "nb", "nn": "nb"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# _WORD on ASCII text: its letters are exactly a-z and A-Z, and ’ cannot occur, so on the lower-cased text this
# finds the same words, lower-cased, about twice as fast.
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    share: float  # share of words that are this language's function words
    runner_up: str | None
    runner_up_share: float
    words: int


@lru_cache(maxsize=1)
def stop_words() -> dict[str, frozenset[str]]:
    """spaCy's stop-word list of each language. Each list's own module is loaded from its file: importing it by
    name would import the whole language package first (tokenizer rules and all), seconds for sixteen."""
    import spacy.lang

    base = Path(spacy.lang.__file__).parent
    out: dict[str, frozenset[str]] = {}
    for code in LANGUAGES:
        path = base / code / "stop_words.py"
        spec = importlib.util.spec_from_file_location(f"_stop_words_{code}", path)
        if spec is None or spec.loader is None or not path.is_file():
            continue  # an older spaCy without this language: it is simply not judged
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out[code] = frozenset(w.lower() for w in module.STOP_WORDS)
    return out


def primary_subtag(lang: str | None) -> str | None:
    if not lang or not lang.strip():
        return None
    code = lang.strip().replace("_", "-").split("-")[0].lower()
    return _ALIASES.get(code, code)


def _words(text: str) -> list[str]:
    """The text's words, lower-cased."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


def language_scores(text: str) -> tuple[dict[str, float], int]:
    """Each language's share of function words. The words are counted once and each list is matched against
    the distinct words, not every word against sixteen lists: the same sums, a few times faster."""
    words = _words(text)
    if not words:
        return {}, 0
    counts = Counter(words)
    total = len(words)
    scores = {
        code: sum(counts[w] for w in lex.intersection(counts)) / total for code, lex in stop_words().items()
    }
    return scores, total


def guess_language(text: str) -> tuple[LanguageGuess | None, dict[str, float]]:
    scores, words = language_scores(text)
    if not scores:
        return None, scores
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, best_share = ranked[0]
    runner, runner_share = ranked[1] if len(ranked) > 1 else (None, 0.0)
    return LanguageGuess(best, best_share, runner, runner_share, words), scores


def mismatch(
    declared: str | None, text: str, min_words: int, min_share: float = 0.2, ratio: float = 2.0
) -> LanguageGuess | None:
    """The guessed language when it clearly differs from the declared one, else None.

    Clear means: enough words, the best language's function words make up at least `min_share` of the text,
    and they are at least `ratio` times as frequent as the declared language's (which must be one we know).
    """
    code = primary_subtag(declared)
    if code is None or code not in stop_words():
        return None
    guess, scores = guess_language(text)
    if guess is None or guess.words < min_words or guess.language == code:
        return None
    if guess.share < min_share or guess.share < ratio * scores.get(code, 0.0):
        return None
    return guess


def is_english(declared: str | None, text: str, min_words: int) -> bool:
    """English by declaration, or (undeclared) by a clear majority of English function words."""
    code = primary_subtag(declared)
    if code is not None:
        return code == "en"
    guess, _ = guess_language(text)
    return guess is not None and guess.language == "en" and guess.words >= min_words and guess.share >= 0.2
