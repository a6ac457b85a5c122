"""Pure helpers for judging answers: lemma keys, phrase matching, direct replies, polarity and guards."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Generic, Literal, TypeVar, overload

from auditor.models import Sentence

Polarity = Literal["yes", "no", "depends"]
SubjectKind = Literal["smp", "generic", "other", "none"]
FactKind = Literal["money", "duration", "count", "hours"]
FACT_KINDS: tuple[str, ...] = ("money", "duration", "count", "hours")

# The lookup lemmatiser leaves a few contraction halves and oddities that would split one word into two keys.
_LEMMA_FIX = {"wo": "will", "ca": "can", "doe": "do", "n't": "not", "nt": "not", "sha": "shall", "ai": "be"}
_HYPHENS = frozenset({"-", "‐", "‑"})
QUOTES = frozenset({'"', "“", "”", "'", "‘", "’", "«", "»"})
_PUNCT = frozenset({",", ".", "!", ";", ":", "—", "–", "-", "?", "…"})
_CLOSERS = "".join(QUOTES) + ")"  # what may follow a question's "?"

_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    """A deliberately light suffix stripper over a lemma, so "fades", "fading" and "faded" meet at one key.

    The lookup lemmatiser misses capitalised and rarer forms; stripping the common inflections on top of it is
    predictable and easy to explain, which a full stemmer's output is not.
    """
    cached = _stem_cache.get(word)
    if cached is not None:
        return cached
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
    elif len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    _stem_cache[word] = w
    return w


def key_of(token: str, lemma: str) -> str:
    """The matching key of one token: its lower-cased lemma, mended and lightly stemmed."""
    base = (lemma or token).lower()
    base = _LEMMA_FIX.get(base, base)
    return stem(base)


def _word_of(token: str) -> str:
    low = token.lower()
    return "not" if low in ("n't", "nt") else low


_T = TypeVar("_T")


class _kept(Generic[_T]):  # lower case: a decorator, like the cached_property it stands in for
    """functools.cached_property without its lock: Python 3.11 takes a lock the first time each sentence is
    read, and a page has a hundred sentences read for a few cheap answers. The answer is kept in the instance's
    __dict__ (a frozen dataclass allows that), where later reads find it without calling this."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _kept[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> _kept[_T] | _T:
        if instance is None:  # read on the class: the descriptor itself, as cached_property gives
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


@dataclass(frozen=True)
class Seq:
    """One sentence ready for matching: its words and keys side by side, hyphens dropped from both."""

    text: str
    words: tuple[str, ...]
    keys: tuple[str, ...]
    keyset: frozenset[str]
    block_index: int | None = None
    start: int = 0  # character span of the sentence within its block text
    end: int = 0
    # answers about this sentence that do not depend on the question (its subject, cues), worked out once
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """The memo is a cache of this process's work: it is not sent across processes or stored."""
        state = dict(self.__dict__)
        state["memo"] = {}
        return state

    @_kept
    def question(self) -> bool:
        """Whether the sentence is a question; read very often, so kept on the sentence once worked out."""
        return self.text.rstrip().rstrip(_CLOSERS).endswith("?")

    @_kept
    def lead(self) -> Reply | None:
        """lead_reply of the sentence: read for every unit it opens, for every question, so kept on it."""
        return _lead_reply(self)


_TOKEN_CACHE: dict[tuple[str, str], tuple[str, str]] = {}  # (token, lemma) -> (word, key); ("", "") = dropped


def make_seq(
    text: str,
    tokens: Sequence[str],
    lemmas: Sequence[str],
    block_index: int | None = None,
    start: int = 0,
    end: int | None = None,
) -> Seq:
    words: list[str] = []
    keys: list[str] = []
    cache = _TOKEN_CACHE
    for pair in zip(tokens, lemmas, strict=False):
        done = cache.get(pair)
        if done is None:
            tok, lem = pair
            done = cache[pair] = ("", "") if tok in _HYPHENS or not tok.strip() else (_word_of(tok), key_of(tok, lem))
        if done[0]:
            words.append(done[0])
            keys.append(done[1])
    return Seq(
        text=text,
        words=tuple(words),
        keys=tuple(keys),
        keyset=frozenset(keys),
        block_index=block_index,
        start=start,
        end=len(text) + start if end is None else end,
    )


def seq_from_sentence(sentence: Sentence) -> Seq:
    """Reuse the language layer's tokens and lemmas; fall back to our own pass when it kept none."""
    if sentence.tokens and len(sentence.tokens) == len(sentence.lemmas):
        return make_seq(
            sentence.text,
            sentence.tokens,
            sentence.lemmas,
            sentence.block_index,
            sentence.start,
            sentence.end,
        )
    seqs = text_seqs(sentence.text, sentence.block_index)
    tokens = [w for s in seqs for w in s.words]
    keys = [k for s in seqs for k in s.keys]
    return Seq(
        sentence.text,
        tuple(tokens),
        tuple(keys),
        frozenset(keys),
        sentence.block_index,
        sentence.start,
        sentence.end,
    )


def text_seqs(text: str, block_index: int | None = None) -> list[Seq]:
    """Split free text (a heading, a structured-data answer) into sentences as the language layer does."""
    return list(_text_seqs(text, block_index))


@lru_cache(maxsize=4096)
def _text_seqs(text: str, block_index: int | None) -> tuple[Seq, ...]:
    """Titles and FAQ markup repeat across a site's pages: each text goes through the pipeline once."""
    from auditor.nlp import get_nlp

    doc = get_nlp()(text)
    out: list[Seq] = []
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        out.append(
            make_seq(
                sent.text,
                [t.text for t in sent],
                [t.lemma_ for t in sent],
                block_index,
                sent.start_char,
                sent.end_char,
            )
        )
    return tuple(out)


def join_seqs(seqs: Sequence[Seq]) -> Seq:
    """Several sentences as one sequence, for short texts such as a heading matched as a whole."""
    if len(seqs) == 1:
        return seqs[0]
    words = tuple(w for s in seqs for w in (*s.words, "."))
    keys = tuple(k for s in seqs for k in (*s.keys, "."))
    text = " ".join(s.text for s in seqs)
    return Seq(text, words, keys, frozenset(keys), seqs[0].block_index if seqs else None, 0, len(text))


@lru_cache(maxsize=8192)
def phrase_keys(text: str) -> tuple[str, ...]:
    """Keys of a rule phrase, made by the same tokenizer and lemmatiser as the page text so they meet."""
    from auditor.nlp import get_nlp

    doc = get_nlp()(text)
    return tuple(key_of(t.text, t.lemma_) for t in doc if t.text not in _HYPHENS and t.text.strip())


@dataclass(frozen=True)
class Phrase:
    """A rule phrase as written (for messages) and as keys (for matching)."""

    text: str
    keys: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Phrase:
        return cls(text=text, keys=phrase_keys(text))


@dataclass(frozen=True, slots=True)  # slots: made by the thousand, and kept in sentences' memos
class Hit:
    phrase: str
    start: int  # token offsets within the sequence
    end: int


def find(seq: Seq, phrase: Phrase) -> list[int]:
    """Start offsets where the phrase's keys occur contiguously."""
    keys = phrase.keys
    if not keys or keys[0] not in seq.keyset:
        return []
    n = len(keys)
    if n > 1 and not all(k in seq.keyset for k in keys[1:]):
        return []
    seq_keys = seq.keys
    return [i for i, k in enumerate(seq_keys) if k == keys[0] and seq_keys[i : i + n] == keys]


@dataclass(frozen=True)
class PhraseSet:
    """Phrases indexed by their first key, so a sentence is matched against the few that can start in it."""

    phrases: tuple[Phrase, ...]
    index: dict[str, tuple[Phrase, ...]]
    first_keys: frozenset[str]

    @classmethod
    def of(cls, phrases: Iterable[Phrase]) -> PhraseSet:
        index: dict[str, list[Phrase]] = {}
        kept = tuple(p for p in phrases if p.keys)
        for p in kept:
            index.setdefault(p.keys[0], []).append(p)
        return cls(kept, {k: tuple(v) for k, v in index.items()}, frozenset(index))


_SETS: dict[int, tuple[object, PhraseSet]] = {}


def phrase_set(phrases: Iterable[Phrase]) -> PhraseSet:
    """The indexed form of a phrase collection; tuples (the packs' own) are indexed once and kept."""
    cached = _SETS.get(id(phrases))  # the common case first: a pack's tuple, already indexed
    if cached is not None and cached[0] is phrases:
        return cached[1]
    if isinstance(phrases, PhraseSet):
        return phrases
    if isinstance(phrases, tuple):
        built = PhraseSet.of(phrases)
        if len(_SETS) > 50_000:  # only ever reached by callers building throwaway tuples
            _SETS.clear()
        _SETS[id(phrases)] = (phrases, built)  # holding the tuple keeps its id from being reused
        return built
    return PhraseSet.of(phrases)


def find_all(seq: Seq, phrases: Iterable[Phrase]) -> list[Hit]:
    """Every hit of any phrase, ordered by position; a phrase inside a longer hit is not counted again."""
    pset = phrase_set(phrases)
    common = seq.keyset & pset.first_keys
    if not common:
        return []
    keys = seq.keys
    best: dict[int, tuple[int, str]] = {}  # start -> (length, text) of the longest phrase there (first listed)
    for start, key in enumerate(keys):
        if key not in common:
            continue
        for phrase in pset.index[key]:
            pk = phrase.keys
            n = len(pk)
            if n > 1 and keys[start : start + n] != pk:
                continue
            old = best.get(start)
            if old is None or old[0] < n:
                best[start] = (n, phrase.text)
    kept: list[Hit] = []
    reach = -1
    for start, (n, text) in best.items():  # in order of start, as they were found
        if start + n <= reach:  # inside a longer phrase already found ("fade" in "never fade")
            continue
        kept.append(Hit(text, start, start + n))
        reach = start + n
    return kept


def first_hit(seq: Seq, phrases: Iterable[Phrase]) -> Hit | None:
    """find_all's first hit: the longest phrase (the first listed on a tie) at the earliest start any matches.

    Read without finding the rest: most callers only ask whether, and where first, a sentence says any of them.
    """
    pset = phrase_set(phrases)
    common = seq.keyset & pset.first_keys
    if not common:
        return None
    keys = seq.keys
    for start, key in enumerate(keys):
        if key not in common:
            continue
        best: tuple[int, str] | None = None
        for phrase in pset.index[key]:
            pk = phrase.keys
            n = len(pk)
            if n > 1 and keys[start : start + n] != pk:
                continue
            if best is None or best[0] < n:
                best = (n, phrase.text)
        if best is not None:
            return Hit(best[1], start, start + best[0])
    return None


# --- negation, guards and cues
# -------------------------------------------------------------------------------

_NEGATORS = frozenset({"not", "no", "never", "without", "none", "nothing", "neither", "nor", "cannot", "nobody"})
_NEG_PAIRS = frozenset({("rather", "than"), ("instead", "of"), ("far", "from")})
# Contrasts scope over the rest of their clause, however long: "rather than attempting full coverage in one
# visit".
_WIDE_PAIRS = frozenset(
    {
        ("rather", "than"),
        ("instead", "of"),
        ("compared", "to"),
        ("compared", "with"),
        ("opposed", "to"),
        ("unlike", ""),
    }
)
_CLAUSE_BREAKS = frozenset(
    {",", ";", ":", "—", "–", "(", ")", "but", "although", "though", "however", "while", "whereas", "yet"}
)
_COND_STARTS = frozenset({"if", "when", "unless", "whether", "should", "once", "where"})
_QUALIFIERS = frozenset({"semi", "more", "less", "almost", "nearly", "near", "quasi", "fairly"})

# A negated verb scopes over its phrase: "never try to complete a hairline in a single session".
NEGATION_WINDOW = 8
# A negator in front of one of these negates it, not what follows: "without compromising safety".
_NEGATIVE_VERBS = (
    "compromis",
    "sacrific",
    "jeopardi",
    "endanger",
    "risking",
    "damag",
    "harming",
    "reduc",
    "losing",
    "undermin",
    "weaken",
)


def negation_before(seq: Seq, start: int, window: int = NEGATION_WINDOW) -> str | None:
    """The negator governing the word at `start`, looking back within its clause (NegEx-style)."""
    words = seq.words
    lo = max(0, start - window)
    for i in range(start - 1, -1, -1):
        w = words[i]
        if w in _CLAUSE_BREAKS:
            return None
        nxt = words[i + 1] if i + 1 < start else ""
        if w == "than" and i > 0 and words[i - 1] in ("rather", "more", "less"):
            return f"{words[i - 1]} than"
        if (w, nxt) in _WIDE_PAIRS or (w, "") in _WIDE_PAIRS:
            return f"{w} {nxt}".strip() if (w, nxt) in _WIDE_PAIRS else w
        if i < lo:
            continue
        if nxt and (w, nxt) in _NEG_PAIRS:
            return f"{w} {nxt}"
        if w in _NEGATORS:
            if i + 1 < start <= i + 3 and words[i + 1].startswith(_NEGATIVE_VERBS):
                return None
            return w
    return None


_WARNING_TEXTS = (
    "wary",
    "beware",
    "caution",
    "cautious",
    "careful",
    "watch out",
    "claim",
    "promise",
    "myth",
    "misconception",
    "red flag",
    "warning sign",
    "scam",
    "suspicious",
    "sceptical",
    "skeptical",
    "too good to be true",
    "be avoided",
    "steer clear",
    "misleading",
    "marketing",
)
_META_TEXTS = (
    "question",
    "search",
    "ask",
    "wonder",
    "concern",
    "worry",
    "misconception",
    "myth",
    "article",
    "guide",
    "find out",
    "read on",
    "learn",
    "explain",
    "topic",
    "faq",
    "let us",
    "let's",
    "people want",
)


@lru_cache(maxsize=1)
def _warning_phrases() -> tuple[Phrase, ...]:
    return tuple(Phrase.of(t) for t in _WARNING_TEXTS)


@lru_cache(maxsize=1)
def _meta_phrases() -> tuple[Phrase, ...]:
    return tuple(Phrase.of(t) for t in _META_TEXTS)


def warning_cue(seq: Seq) -> str | None:
    """A sentence that warns about, or reports, a claim does not make it ("be wary of clinics that…")."""
    if "warning" not in seq.memo:
        hit = first_hit(seq, _warning_phrases())
        seq.memo["warning"] = hit.phrase if hit else None
    return seq.memo["warning"]  # type: ignore[no-any-return]


def meta_cue(seq: Seq) -> str | None:
    """A sentence about the question (\"pain is one of the most searched questions\") is not a reply to it."""
    if "meta" not in seq.memo:
        hit = first_hit(seq, _meta_phrases())
        seq.memo["meta"] = hit.phrase if hit else None
    return seq.memo["meta"]  # type: ignore[no-any-return]


def conditional_before(seq: Seq, start: int) -> str | None:
    """A phrase inside a leading if/when clause is a hypothesis, not a statement."""
    words = seq.words
    if not words or words[0] not in _COND_STARTS:
        return None
    for i in range(1, start):
        if words[i] in (",", ";", ":", "—"):
            return None
    return words[0]


_SUBJECT_KINDS: tuple[SubjectKind, SubjectKind, SubjectKind] = ("smp", "other", "generic")


@dataclass(frozen=True)
class SubjectTerms:
    """What an answer must be about (SMP), generic stand-ins for it, and treatments changing the subject."""

    terms: tuple[Phrase, ...]
    generic: tuple[Phrase, ...]
    others: tuple[Phrase, ...]

    @cached_property
    def memo_key(self) -> str:
        """Where a sentence keeps what subject_of said of it (per set of terms: a sentence is read under each)."""
        return f"subject:{id(self)}"

    @cached_property
    def scan_index(self) -> dict[str, tuple[tuple[tuple[str, ...], int, int, tuple[SubjectKind, str]], ...]]:
        """The three phrase lists by first key, as (keys, length, role, what subject_of says of a sentence it
        starts), the role being 0 for the terms, 1 for the other treatments and 2 for the generic words:
        _subject_of reads a sentence for all in one pass, and every sentence shares the few answers."""
        index: dict[str, list[tuple[tuple[str, ...], int, int, tuple[SubjectKind, str]]]] = {}
        for role, phrases in enumerate((self.terms, self.others, self.generic)):
            for p in phrases:
                if p.keys:
                    index.setdefault(p.keys[0], []).append((p.keys, len(p.keys), role, (_SUBJECT_KINDS[role], p.text)))
        return {k: tuple(v) for k, v in index.items()}


def subject_of(seq: Seq, subject: SubjectTerms) -> tuple[SubjectKind, str | None]:
    """Whom a sentence is about: SMP named, a generic stand-in, another treatment only, or nothing."""
    memo_key = subject.memo_key
    cached = seq.memo.get(memo_key)
    if cached is None:
        cached = seq.memo[memo_key] = _subject_of(seq, subject)
    return cached


def _subject_of(seq: Seq, subject: SubjectTerms) -> tuple[SubjectKind, str | None]:
    """The first hit of the terms, else of the other treatments, else of the generic words (first_hit's choice:
    the longest at the earliest start, the first listed on a tie), read in one pass over the sentence."""
    index = subject.scan_index
    keys = seq.keys
    found: list[tuple[int, int, tuple[SubjectKind, str]] | None] = [None, None, None]  # per role: start, length
    for start, key in enumerate(keys):
        entries = index.get(key)
        if entries is None:
            continue
        for phrase_keys, n, role, said in entries:
            if n > 1 and keys[start : start + n] != phrase_keys:
                continue
            held = found[role]
            if held is None or (held[0] == start and held[1] < n):
                found[role] = (start, n, said)
        if found[0] is not None:  # the terms win wherever the others are; their first start is read in full
            return found[0][2]
    for held in found[1:]:
        if held is not None:
            return held[2]
    return "none", None


_HARD_BREAKS = frozenset({";", ":", "—", "–", "(", ")"})


def subject_near(seq: Seq, hit: Hit, subject: SubjectTerms) -> tuple[SubjectKind, str | None]:
    """Whom the words at `hit` are about: the nearest treatment named before them in their clause, else the
    sentence's subject. "Traditional tattoos are designed to be permanent; SMP fades" puts "permanent" on
    tattoos.
    """
    floor = 0
    for i in range(hit.start - 1, -1, -1):
        if seq.words[i] in _HARD_BREAKS:
            floor = i + 1
            break
    strong = [h for h in find_all(seq, subject.terms) if floor <= h.start and h.end <= hit.start]
    covered = {i for h in find_all(seq, subject.terms) for i in range(h.start, h.end)}
    others = [
        h
        for h in find_all(seq, subject.others)
        if floor <= h.start and h.end <= hit.start and not covered.intersection(range(h.start, h.end))
    ]
    last_strong = max((h.start for h in strong), default=-1)
    last_other = max(others, key=lambda h: h.start, default=None)
    if last_other is not None and last_other.start > last_strong:
        return "other", last_other.phrase
    if last_strong >= 0:
        return "smp", None
    return subject_of(seq, subject)


def not_asserted(seq: Seq, hit: Hit, subject: SubjectTerms | None = None) -> str | None:
    """Why a matched phrase is not stated as a fact about SMP (naming the trigger); None when it is."""
    if seq.question:
        return "a question"
    neg = negation_before(seq, hit.start)
    if neg is not None:
        return f"negated by '{neg}'"
    if hit.start > 0 and seq.words[hit.start - 1] in _QUALIFIERS:
        return f"qualified by '{seq.words[hit.start - 1]}'"
    if hit.start > 0 and hit.end < len(seq.words) and seq.words[hit.start - 1] in QUOTES and seq.words[hit.end] in QUOTES:
        return "quoted"
    cond = conditional_before(seq, hit.start)
    if cond is not None:
        return f"a condition ('{cond}')"
    warn = warning_cue(seq)
    if warn is not None:
        return f"a warning or report ('{warn}')"
    if subject is not None:
        kind, term = subject_near(seq, hit, subject)
        if kind == "other":
            return f"about another treatment ('{term}')"
    return None


# --- replies and polarity
# --------------------------------------------------------------------------------------

_YES_LEADS = frozenset({"yes", "yep", "yeah", "absolutely", "definitely", "certainly", "indeed", "sure"})
_NO_LEADS = frozenset({"no", "nope"})
_NO_FOLLOWERS = frozenset({"it", "they", "you", "we", "not"})
_DEPENDS_LEADS2 = frozenset(
    {
        ("it", "depends"),
        ("that", "depends"),
        ("it", "varies"),
        ("not", "always"),
        ("not", "necessarily"),
        ("this", "depends"),
        ("in", "some"),
    }
)
_NO_LEADS2 = frozenset({("not", "really"), ("not", "at"), ("never", ".")})


@dataclass(frozen=True, slots=True)
class Reply:
    polarity: Polarity
    cue: str  # the words that gave it away, for the reader of a finding
    lead: bool  # said in its first word ("Yes, …") rather than read from the statement


def _lead_words(seq: Seq) -> tuple[str, ...]:
    words = seq.words
    i = 0
    while i < len(words) and (words[i] in QUOTES or words[i] in ("(", "*", "•")):
        i += 1
    return words[i:]


def lead_reply(seq: Seq) -> Reply | None:
    """An explicit reply in the first words: "Yes,", "No.", "It depends", "Not always"."""
    return seq.lead


def _lead_reply(seq: Seq) -> Reply | None:
    words = _lead_words(seq)
    if not words:
        return None
    first = words[0]
    nxt = words[1] if len(words) > 1 else ""
    if first in _YES_LEADS and (nxt in _PUNCT or nxt == "" or first == "yes"):
        return Reply("yes", first, True)
    if first in _NO_LEADS and (nxt in _PUNCT or nxt == "" or nxt in _NO_FOLLOWERS):
        return Reply("no", first, True)
    pair = (first, nxt)
    if pair in _NO_LEADS2:
        return Reply("no", f"{first} {nxt}", True)
    if pair in _DEPENDS_LEADS2 or first in ("depends", "sometimes"):
        return Reply("depends", " ".join(w for w in pair if w), True)
    return None


_DEPENDS_KEYS = frozenset({stem("depend"), stem("vary"), stem("varies")})


def statement_polarity(seq: Seq, polar: Sequence[Phrase]) -> Reply | None:
    """Yes or no read from the first polar word and whether a negator governs it; "depends" when hedged on."""
    hit = first_hit(seq, polar)
    if hit is None:
        return None
    neg = negation_before(seq, hit.start)
    if neg is not None:
        return Reply("no", f"{neg} … {hit.phrase}", False)
    if seq.keyset & _DEPENDS_KEYS:
        return Reply("depends", f"{hit.phrase} … depends", False)
    return Reply("yes", hit.phrase, False)


def reply_polarity(seq: Seq, polar: Sequence[Phrase]) -> Reply | None:
    return lead_reply(seq) or statement_polarity(seq, polar)


# --- facts stated with numbers -----------------------------------------------------------------------------

NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "single": 1,
    "a couple of": 2,
    "a couple": 2,
}
_NUM = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|ninety)"
)
_VAGUE = r"(?:a few|few|several|many|multiple|a couple of|a number of|some)"
_RANGE = rf"(?:{_NUM}(?:\s*(?:-|–|—|to|or|and)\s*{_NUM})?\+?|{_VAGUE})"
_MONEY_RE = re.compile(
    r"(?:[£$€]\s?\d[\d,]*(?:\.\d+)?(?:\s?k\b)?)"
    r"|(?:\b\d[\d,]*(?:\.\d+)?\s?(?:pounds|gbp|usd|dollars|euros|eur)\b)",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(
    rf"\b(?:{_RANGE}|a|an)\s*(?:years?|yrs?|months?|decades?)\b"
    r"|\b(?:forever|lifetime|for life|life-long|lifelong)\b",
    re.IGNORECASE,
)
# Up to two words between a number and "sessions" ("two to three SMP sessions"), but not "14 days between".
_GAP = r"(?:(?!days?\b|weeks?\b|months?\b|hours?\b|between\b|apart\b)[a-z]+\s+){0,2}"
_COUNT_RE = re.compile(
    rf"\b(?:{_RANGE}|a single|single|one)[\s-]+{_GAP}"
    r"(?:sessions?|sittings?|appointments?|visits?|treatments?)\b",
    re.IGNORECASE,
)
_HOURS_RE = re.compile(rf"\b{_RANGE}[\s-]*(?:hours?|hrs?|minutes?|mins?)\b", re.IGNORECASE)
_PRICE_WORDS = re.compile(r"\b(?:price|prices|pricing|cost|costs|fee|fees|quote)\b", re.IGNORECASE)
_PRICE_DEPENDS = re.compile(r"\b(?:depend\w*|var(?:y|ies|ied)|tailored|individual quote)\b", re.IGNORECASE)

_FACT_RES: dict[str, re.Pattern[str]] = {
    "money": _MONEY_RE,
    "duration": _DURATION_RE,
    "count": _COUNT_RE,
    "hours": _HOURS_RE,
}


# find_fact's searches are slow, and most sentences cannot match: each kind is first tested for words its patterns
# need, lower-cased (false only when the pattern cannot match). Under IGNORECASE re also matches "ſ", "K", "İ" and
# "ı" to ASCII letters, which lower() does not map to them: a text holding one of those is always searched.
_FOLDS_TO_ASCII = ("ſ", "K", "İ", "ı")
_COUNT_UNITS = ("session", "sitting", "appointment", "visit", "treatment")
_DURATION_UNITS = ("year", "yr", "month", "decade")
_FOREVER = ("forever", "lifetime", "for life", "life-long", "lifelong")
_HOURS_UNITS = ("hour", "hr", "min")
# What a range (_RANGE) ends with before its unit: a number, "+", or a whole word (it follows \b) for a number
# (_NUM), how many (_VAGUE: "a few", "a couple of"), "a single" for sessions, or "a"/"an" for a duration
_BEFORE_UNIT = frozenset(
    {*(w for w in NUMBER_WORDS if " " not in w), "few", "several", "many", "multiple", "of", "some", "a", "an"}
)
_LAST_WORD = re.compile(r"\w+$")


def _ends_range(text: str) -> bool:
    """Whether the text (lower-cased, its trailing spaces dropped) may end with a range: broad on numbers."""
    if not text:
        return False
    end = text[-1]
    if end.isdigit() or end == "+":
        return True
    if not end.isalpha():
        return False
    if text.isalpha():  # one word: the whole of it is its last word
        return text in _BEFORE_UNIT
    last = _LAST_WORD.search(text[-9:])  # the words are at most 8 letters: a longer last word is none of them
    return last is not None and last.group() in _BEFORE_UNIT


def _holds_any(text: str, parts: tuple[str, ...]) -> bool:
    return any(map(text.__contains__, parts))


def _may_state(text: str, kind: str) -> bool:
    """False only when the text cannot hold a fact of the kind: it lacks words the kind's patterns need."""
    if not text.isascii() and _holds_any(text, _FOLDS_TO_ASCII):
        return True
    low = text.lower()
    if kind == "money":
        return _may_state_money(text, low)
    if kind == "count":
        return _may_state_count(low)
    if kind == "duration":
        return _may_state_duration(low)
    return _holds_any(low, _HOURS_UNITS)


def _may_state_money(text: str, low: str) -> bool:
    """A currency sign; a currency word and a number; or a price word (_PRICE_WORDS) and "depends"/"varies"
    (_PRICE_DEPENDS). Spelt out: most sentences are read for it, and these tests are the cheapest there are."""
    if "£" in text or "$" in text or "€" in text:
        return True
    if ("pound" in low or "gbp" in low or "usd" in low or "dollar" in low or "eur" in low) and _DIGIT.search(text):
        return True
    return ("pric" in low or "cost" in low or "fee" in low or "quote" in low) and (
        "depend" in low or "var" in low or "tailored" in low or "individual quote" in low
    )


_DIGIT = re.compile(r"\d")


def _may_state_count(low: str) -> bool:
    """A number (or how many, in words) among the three words before "sessions": _COUNT_RE allows two words
    between them ("two to three SMP sessions")."""
    for unit in _COUNT_UNITS:
        at = low.find(unit)
        while at >= 0:
            # the words before it, split where _COUNT_RE's [\s-]+ may (str.split's spaces are \s)
            words = low[max(0, at - 80) : at].replace("-", " ").rsplit(None, 3)
            if len(words) < 4 and at > 80:  # the window may have cut one of the three words: read them all
                words = low[:at].replace("-", " ").rsplit(None, 3)
            for word in words[-3:]:
                if _ends_range(word):
                    return True
            at = low.find(unit, at + 1)
    return False


def _may_state_duration(low: str) -> bool:
    """"Forever" and the like, or a unit of time right after (spaces aside) a number, "a" or "an"."""
    if "forever" in low or ("life" in low and _holds_any(low, _FOREVER)):  # (the others hold "life")
        return True
    for unit in _DURATION_UNITS:
        at = low.find(unit)
        while at >= 0:
            if _ends_range(low[:at].rstrip()):  # str.isspace() is what \s matches
                return True
            at = low.find(unit, at + 1)
    return False


def read_fact(text: str, kind: str) -> str | None:
    """The stated fact of a kind (a price, years, a number of sessions), as written; None if absent.

    A price that "depends on the area treated" counts as a money answer: the honest reply many clinics give.
    Uncached: for callers that keep the answer themselves (the question engine, on each sentence).
    """
    pattern = _FACT_RES.get(kind)
    if pattern is None:
        return None
    if not _may_state(text, kind):
        return None
    m = pattern.search(text)
    if m is not None:
        return m.group(0)
    if kind == "money" and _PRICE_WORDS.search(text):
        dep = _PRICE_DEPENDS.search(text)
        if dep is not None:
            return dep.group(0)
    return None


# A page's questions ask its sentences for the same few kinds of fact; a bigger cache would only hold the
# sentences of pages long done (it is per worker process, for the whole run).
find_fact = lru_cache(maxsize=4096)(read_fact)


_NUM_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*|"
    + "|".join(sorted((w for w in NUMBER_WORDS if " " not in w), key=len, reverse=True))
    + r"|a couple of|a couple",
    re.IGNORECASE,
)


def _number(token: str) -> float | None:
    low = token.lower().strip()
    if low in NUMBER_WORDS:
        return float(NUMBER_WORDS[low])
    try:
        return float(low.replace(",", ""))
    except ValueError:
        return None


def parse_range(fact: str) -> tuple[float, float] | None:
    """The numbers a stated fact spans: "two to three sessions" (2, 3), "8 to 10 years" (8, 10).

    Months become fractions of a year; a vague fact ("several years") gives None.
    """
    nums = [n for n in (_number(m.group(0)) for m in _NUM_TOKEN.finditer(fact)) if n is not None]
    if not nums:
        return None
    lo, hi = min(nums[:2]), max(nums[:2])
    if re.search(r"\bmonths?\b", fact, re.IGNORECASE) and not re.search(r"\byears?\b", fact, re.IGNORECASE):
        lo, hi = lo / 12, hi / 12
    return lo, hi


_PLAIN_TOKEN = re.compile(r"not|\w+|[^\w\s]")


def plain_seq(text: str) -> Seq:
    """A sentence prefix tokenised without the language model, for cheap negation and clause tests.

    Keys are the lower-cased words; only `words` matter to the negation, qualifier and condition tests.
    """
    low = re.sub(r"n['’]t\b", " not", text.lower()).replace("cannot", "can not")
    words = tuple(w for w in _PLAIN_TOKEN.findall(low) if w not in _HYPHENS)
    return Seq(text, words, words, frozenset(words))


def text_guard(sentence_text: str, start: int) -> str | None:
    """Why the words at character `start` are not stated as fact (negated, qualified, in a condition)."""
    prefix = plain_seq(sentence_text[:start])
    probe = Seq(prefix.text, (*prefix.words, "_"), (*prefix.keys, "_"), prefix.keyset | {"_"})
    at = len(prefix.words)
    neg = negation_before(probe, at)
    if neg is not None:
        return f"negated by '{neg}'"
    if at and prefix.words[-1] in _QUALIFIERS:
        return f"qualified by '{prefix.words[-1]}'"
    cond = conditional_before(probe, at)
    if cond is not None:
        return f"a condition ('{cond}')"
    return None


_WORD_RE = re.compile(r"[A-Za-z0-9£$€][\w'’£$€%.,-]*")


def word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


def is_direct(
    seq: Seq,
    asks: Sequence[Phrase],
    polar: Sequence[Phrase],
    answer_terms: Sequence[Phrase],
    requires: str | None,
    fact_question: bool,
) -> str | None:
    """Why this sentence is a direct reply to the question (None when it is not): the point is made here."""
    if seq.question:
        return None
    meta = meta_cue(seq)
    if meta is not None:
        return None
    lead = lead_reply(seq)
    if lead is not None:
        return f"replies '{lead.cue}'"
    if fact_question and requires:
        fact = find_fact(seq.text, requires)
        return f"states '{fact}'" if fact else None
    hit = first_hit(seq, polar) or first_hit(seq, asks)
    if hit is not None:
        return f"states it ('{hit.phrase}')"
    terms = {h.phrase for h in find_all(seq, answer_terms)}
    if len(terms) >= 2:
        return "describes it (" + ", ".join(sorted(terms)) + ")"
    return None
