"""Pack rules compiled to spaCy matchers once per process, run on the sentences of a page that could match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.context import normalise_lemma
from auditor.models import Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

# Speed: building a spaCy Doc and running the token Matcher costs far more than a set lookup, and most
# sentences of a clinic page hold no claim. Each phrase and token pattern is indexed by the words any match
# must contain; a sentence without them is never turned into a Doc. The few left are matched by spaCy.


def _vocab() -> Vocab:
    from auditor.nlp import get_nlp

    return get_nlp().vocab


_LEMMA_BY_TEXT: dict[str, str] = {}


def lemmas_of(sentence: Sentence) -> tuple[str, ...]:
    """Mended lemmas (see auditor.context.normalise_lemma), cached by token text, which alone decides them."""
    cache = _LEMMA_BY_TEXT
    known = tuple(map(cache.get, sentence.tokens))
    if None not in known:
        return known  # type: ignore[return-value]
    lemmas = sentence.lemmas or sentence.tokens
    for token, lemma in zip(sentence.tokens, lemmas, strict=False):
        if token not in cache:
            cache[token] = normalise_lemma(token, lemma)
    return tuple(map(cache.__getitem__, sentence.tokens))


_LEMMA_IDS: dict[str, int] = {}


def make_doc(words: Sequence[str], lemmas: Sequence[str]) -> Doc:
    """A Doc with our lemmas; set from an array of ids, which is twice as fast as Doc(..., lemmas=...)."""
    import numpy
    from spacy.attrs import LEMMA
    from spacy.tokens import Doc

    vocab = _vocab()
    ids = _LEMMA_IDS
    for lemma in lemmas:
        if lemma not in ids:
            ids[lemma] = vocab.strings.add(lemma)
    doc = Doc(vocab, words=list(words))
    if lemmas:
        column: Any = numpy.fromiter(map(ids.__getitem__, lemmas), dtype="uint64", count=len(lemmas))
        doc.from_array([LEMMA], column.reshape(-1, 1))
    return doc


def phrase_doc(text: str) -> Doc:
    """A phrase as the matcher sees sentences: the same tokenizer, lower-cased, the same mended lemmas."""
    from auditor.nlp import get_nlp

    words = [t.text for t in get_nlp().tokenizer(text.lower()) if not t.is_space]
    return make_doc(words, [normalise_lemma(w, "") for w in words])


@dataclass(frozen=True)
class PageText:
    """A page's sentences with the mended lemmas and lower-cased tokens the indexes are checked against."""

    sentences: tuple[Sentence, ...]
    lemmas: tuple[tuple[str, ...], ...]
    lowers: tuple[tuple[str, ...], ...]
    docs: dict[int, Doc] = field(default_factory=dict)  # sentence Docs built so far, shared by the checks

    def doc(self, number: int) -> Doc:
        built = self.docs.get(number)
        if built is None:
            built = self.docs[number] = make_doc(self.sentences[number].tokens, self.lemmas[number])
        return built


_LAST: list[tuple[tuple[Sentence, ...], PageText]] = []


def _lowered(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Lower-cased tokens in one C call per sentence rather than one per token."""
    joined = "\x00".join(tokens).lower().split("\x00")
    return tuple(joined) if len(joined) == len(tokens) else tuple(t.lower() for t in tokens)


def page_text(sentences: tuple[Sentence, ...]) -> PageText:
    """Built once per page: the claims and caveats checks of a page share it (one-slot cache by identity)."""
    if _LAST and _LAST[0][0] is sentences:
        return _LAST[0][1]
    lowers = tuple(_lowered(s.tokens) for s in sentences)
    built = PageText(sentences, tuple(lemmas_of(s) for s in sentences), lowers)
    _LAST[:] = [(sentences, built)]
    return built


# How often a word turns up in clinic copy, roughly: an index keyed on a rare word rejects most sentences.
_FUNCTION_WORDS = frozenset(
    {"in", "a", "an", "the", "for", "with", "be", "of", "to", "and", "or", "you", "your", "we", "our", "it",
     "will", "do", "not", "no", "can", "on", "at", "from", "by", "this", "that", "is", "are", "'s", "one",
     "1", "all", "any", "every", "just", "only", "have", "get", "more", "would", "could", "shall", "after",
     "within", "my", "their", "his", "her", "so", "as", "-", ".", ",", "!", "?", "%", "#", "up", "out",
     "back"}
)
_DOMAIN_WORDS = frozenset(
    {"hair", "result", "session", "treatment", "smp", "scalp", "procedure", "appointment", "visit", "clinic",
     "look", "skin", "time", "day", "new", "see", "make", "give", "take", "feel", "leave", "never", "ever",
     "same", "pigment", "risk", "loss", "natural", "client", "people", "safe", "pain"}
)
_VALUE_ATTRS = {"LEMMA": "lemma", "LOWER": "lower", "ORTH": "lower", "TEXT": "lower", "NORM": "lower"}

Need = tuple[str, frozenset[str]]  # ("lemma" | "lower", values): a sentence must hold one of the values


def _values(spec: Any) -> frozenset[str] | None:
    if isinstance(spec, str):
        return frozenset({spec.lower()})
    if isinstance(spec, dict) and isinstance(spec.get("IN"), list):
        return frozenset(str(v).lower() for v in spec["IN"])
    return None


def _needs(pattern: Sequence[dict[str, Any]]) -> list[Need]:
    """What every match of a token pattern must contain: one entry per required token with concrete values."""
    needs: list[Need] = []
    for token in pattern:
        op = str(token.get("OP", "1"))
        if op in ("?", "*", "!") or op.startswith(("{0", "{,")):
            continue
        for attr, kind in _VALUE_ATTRS.items():
            values = _values(token.get(attr))
            if values:
                needs.append((kind, values))
                break
    return needs


def _cost(need: Need) -> int:
    values = need[1]
    return len(values & _FUNCTION_WORDS) * 1000 + len(values & _DOMAIN_WORDS) * 100 + len(values)


@dataclass(frozen=True)
class _Entry:
    """One phrase or token pattern: the key it reports, what a sentence must hold, the Matcher to run."""

    key: int
    needs: tuple[Need, ...]
    matcher: Any  # the pattern's own spaCy Matcher; None for a phrase (the shared PhraseMatcher runs those)


class CompiledRules:
    """Phrase and token matchers for a list of rules; `find` gives (rule index, sentence, start, end)."""

    def __init__(self, rules: Sequence[Any]) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        vocab = _vocab()
        self._phrases = PhraseMatcher(vocab, attr="LEMMA")  # every rule's phrases and `unless` phrases
        self._rule_of: dict[int, int] = {}  # matcher key -> rule position
        self._unless_keys: set[int] = set()
        self._unless_patterns: dict[int, Any] = {}  # rule position -> Matcher of its `unless_patterns`
        self._entries: list[_Entry] = []
        self._entry_rule: list[int] = []
        self._always: list[int] = []  # entries with no concrete word to index on
        self._index: dict[tuple[str, str], list[int]] = {}
        # Each distinct need is one bit; a word's bits are the needs it meets, an entry's the needs it has. A
        # sentence's bits (the OR over its words) then hold every need of an entry exactly when each need has
        # one of its values in the sentence: one integer test per entry instead of a set test per need.
        self._need_bits: dict[Need, int] = {}
        self._lemma_bits: dict[str, int] = {}
        self._lower_bits: dict[str, int] = {}
        self._entry_bits: list[int] = []
        for position, rule in enumerate(rules):
            name, unless_name = f"rule:{rule.id}", f"unless:{rule.id}"
            key, unless_key = vocab.strings.add(name), vocab.strings.add(unless_name)
            self._rule_of[key] = self._rule_of[unless_key] = position
            self._unless_keys.add(unless_key)
            if rule.phrases:
                docs = [phrase_doc(p) for p in rule.phrases]
                self._phrases.add(name, docs)
                for doc in docs:
                    needs = tuple(("lemma", frozenset({t.lemma_})) for t in doc)
                    self._add(position, _Entry(key, needs, None))
            for pattern in rule.patterns:
                matcher = Matcher(vocab)  # one per pattern: only the patterns a sentence could match are run
                matcher.add(name, [pattern])
                self._add(position, _Entry(key, tuple(_needs(pattern)), matcher))
            if rule.unless:
                self._phrases.add(unless_name, [phrase_doc(p) for p in rule.unless])
            unless_patterns = getattr(rule, "unless_patterns", ())
            if unless_patterns:
                self._unless_patterns[position] = Matcher(vocab)
                self._unless_patterns[position].add(unless_name, list(unless_patterns))
        # Per word any need holds: its bits, and the entries indexed by it. One set intersection per sentence
        # and kind then gives both the entries to consider and the needs the sentence meets.
        self._lemma_words = self._word_table("lemma", self._lemma_bits)
        self._lower_words = self._word_table("lower", self._lower_bits)
        self._lemma_vocabulary = frozenset(self._lemma_words)
        self._lower_vocabulary = frozenset(self._lower_words)

    def _word_table(self, kind: str, bits: dict[str, int]) -> dict[str, tuple[int, tuple[int, ...]]]:
        return {value: (bit, tuple(self._index.get((kind, value), ()))) for value, bit in bits.items()}

    def _add(self, position: int, entry: _Entry) -> None:
        number = len(self._entries)
        self._entries.append(entry)
        self._entry_rule.append(position)
        bits = 0
        for need in entry.needs:
            bit = self._need_bits.setdefault(need, 1 << len(self._need_bits))
            bits |= bit
            word_bits = self._lemma_bits if need[0] == "lemma" else self._lower_bits
            for value in need[1]:
                word_bits[value] = word_bits.get(value, 0) | bit
        self._entry_bits.append(bits)
        if not entry.needs:
            self._always.append(number)
            return
        kind, values = min(entry.needs, key=_cost)
        for value in values:
            self._index.setdefault((kind, value), []).append(number)

    def _candidates(self, lemmas: tuple[str, ...], lowers: tuple[str, ...],
                    skip: set[int]) -> list[_Entry]:
        """Entries whose every required word is in the sentence (only those can match it).

        The entries considered are those indexed by a word of the sentence (through their rarest need, see
        `_add`); each is kept when the sentence meets all its needs. Their order is immaterial: `find` collects
        matches in a set and sorts them."""
        numbers: set[int] = set(self._always)
        met = 0
        lemma_words, lower_words = self._lemma_words, self._lower_words
        for value in self._lemma_vocabulary.intersection(lemmas):
            bits, indexed = lemma_words[value]
            met |= bits
            if indexed:
                numbers.update(indexed)
        for value in self._lower_vocabulary.intersection(lowers):
            bits, indexed = lower_words[value]
            met |= bits
            if indexed:
                numbers.update(indexed)
        if not numbers:
            return []
        entries, owner, entry_bits = self._entries, self._entry_rule, self._entry_bits
        return [entries[n] for n in numbers if owner[n] not in skip and entry_bits[n] & met == entry_bits[n]]

    def find(self, text: PageText, sentences: Sequence[int] | None = None,
             first_only: bool = False) -> list[tuple[int, int, int, int]]:
        """Matches as (rule index, sentence index, start, end) in the sentence's tokens, `unless` removed.

        `sentences` limits the search to those sentence numbers; `first_only` stops looking for a rule once it
        has matched (enough to know a caveat is there).
        """
        found: set[tuple[int, int, int, int]] = set()
        done: set[int] = set()
        numbers = range(len(text.sentences)) if sentences is None else sentences
        for number in numbers:
            entries = self._candidates(text.lemmas[number], text.lowers[number], done)
            if not entries:
                continue
            doc = text.doc(number)
            hits = list(self._phrases(doc))
            for entry in entries:
                if entry.matcher is not None:
                    hits.extend(entry.matcher(doc))
            rule_hits = [(self._rule_of[k], s, e) for k, s, e in hits if k not in self._unless_keys]
            if not rule_hits:
                continue
            blocked = [(self._rule_of[k], s, e) for k, s, e in hits if k in self._unless_keys]
            for position in {p for p, _, _ in rule_hits} & self._unless_patterns.keys():
                blocked.extend((position, s, e) for _, s, e in self._unless_patterns[position](doc))
            for position, start, end in rule_hits:
                if any(p == position and s < end and start < e for p, s, e in blocked):
                    continue
                found.add((position, number, start, end))
                if first_only:
                    done.add(position)
        return sorted(found, key=lambda m: (m[1], m[2], m[0], m[3]))
