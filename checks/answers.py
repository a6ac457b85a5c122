"""Pure helpers for judging answers: lemma keys, phrase matching, direct replies, polarity and guards."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

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

    @property
    def question(self) -> bool:
        cached = self.memo.get("question")
        if cached is None:
            cached = self.memo["question"] = self.text.rstrip().rstrip("".join(QUOTES) + ")").endswith("?")
        return bool(cached)


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


@dataclass(frozen=True)
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
    if isinstance(phrases, PhraseSet):
        return phrases
    if isinstance(phrases, tuple):
        cached = _SETS.get(id(phrases))
        if cached is not None and cached[0] is phrases:
            return cached[1]
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
    keyset = seq.keyset
    best: dict[int, Hit] = {}
    for start, key in enumerate(keys):
        if key not in common:
            continue
        for phrase in pset.index[key]:
            pk = phrase.keys
            n = len(pk)
            if n > 1 and (keys[start : start + n] != pk or not keyset.issuperset(pk)):
                continue
            old = best.get(start)
            if old is None or (old.end - old.start) < n:
                best[start] = Hit(phrase.text, start, start + n)
    kept: list[Hit] = []
    reach = -1
    for k in sorted(best):
        hit = best[k]
        if hit.end <= reach:  # inside a longer phrase already found ("fade" in "never fade")
            continue
        kept.append(hit)
        reach = max(reach, hit.end)
    return kept


def first_hit(seq: Seq, phrases: Iterable[Phrase]) -> Hit | None:
    hits = find_all(seq, phrases)
    return hits[0] if hits else None


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


@dataclass(frozen=True)
class SubjectTerms:
    """What an answer must be about (SMP), generic stand-ins for it, and treatments changing the subject."""

    terms: tuple[Phrase, ...]
    generic: tuple[Phrase, ...]
    others: tuple[Phrase, ...]


def subject_of(seq: Seq, subject: SubjectTerms) -> tuple[SubjectKind, str | None]:
    """Whom a sentence is about: SMP named, a generic stand-in, another treatment only, or nothing."""
    memo_key = f"subject:{id(subject)}"
    cached = seq.memo.get(memo_key)
    if cached is None:
        cached = seq.memo[memo_key] = _subject_of(seq, subject)
    return cached


def _subject_of(seq: Seq, subject: SubjectTerms) -> tuple[SubjectKind, str | None]:
    strong = first_hit(seq, subject.terms)
    if strong is not None:
        return "smp", strong.phrase
    other = first_hit(seq, subject.others)
    if other is not None:
        return "other", other.phrase
    generic = first_hit(seq, subject.generic)
    if generic is not None:
        return "generic", generic.phrase
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


@dataclass(frozen=True)
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
    if "lead" not in seq.memo:
        seq.memo["lead"] = _lead_reply(seq)
    return seq.memo["lead"]  # type: ignore[no-any-return]


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


# A page's questions ask its sentences for the same few kinds of fact; a bigger cache would only hold the
# sentences of pages long done (it is per worker process, for the whole run).
@lru_cache(maxsize=4096)
def find_fact(text: str, kind: str) -> str | None:
    """The stated fact of a kind (a price, years, a number of sessions), as written; None if absent.

    A price that "depends on the area treated" counts as a money answer: the honest reply many clinics give.
    """
    pattern = _FACT_RES.get(kind)
    if pattern is None:
        return None
    m = pattern.search(text)
    if m is not None:
        return m.group(0)
    if kind == "money" and _PRICE_WORDS.search(text):
        dep = _PRICE_DEPENDS.search(text)
        if dep is not None:
            return dep.group(0)
    return None


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
