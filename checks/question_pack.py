"""Loads and validates target-question packs (YAML under checks/rules/) into pre-lemmatised questions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from auditor.errors import RuleError
from checks.answers import FACT_KINDS, Phrase, SubjectTerms, find_all, text_seqs

RULES_DIR = Path(__file__).resolve().parent / "rules"
ExpectedPolarity = Literal["yes", "no", "depends", "fact"]
Priority = Literal["high", "medium", "low"]

_ID_RE = re.compile(r"^QST[-_A-Z0-9]+$")
_POLARITIES = ("yes", "no", "depends", "fact")
_PRIORITIES = ("high", "medium", "low")
_STOP = frozenset(
    {
        "do",
        "does",
        "doe",
        "be",
        "is",
        "are",
        "can",
        "will",
        "would",
        "how",
        "what",
        "which",
        "when",
        "a",
        "an",
        "the",
        "my",
        "i",
        "me",
        "of",
        "for",
        "to",
        "it",
        "its",
        "this",
        "that",
        "with",
        "there",
        "any",
        "you",
        "your",
        "?",
        ".",
        ",",
        "!",
        "in",
        "on",
        "get",
        "have",
    }
)
# Question words that cannot, on their own, say which question a heading asks ("How much…?", "How long…?").
_WEAK = frozenset({"much", "many", "long", "need", "tak", "mak", "look", "lik", "over", "tim", "get", "go", "one"})
_QUESTION_KEYS = frozenset(
    {
        "id",
        "question",
        "priority",
        "variants",
        "asks",
        "answer_terms",
        "avoid",
        "requires",
        "suggest",
        "expected",
        "examples",
    }
)
_EXPECTED_KEYS = frozenset(
    {
        "polarity",
        "fact",
        "polar",
        "wrong_polarities",
        "qualified_by",
        "must_say",
        "must_not_say",
        "claim_type",
        "range",
    }
)
_PACK_KEYS = frozenset({"pack", "title", "subject", "other_subjects", "synonyms", "questions"})


def _sig(phrase: Phrase) -> str:
    """The key a text must hold for the phrase to match: its longest, so "go wrong" is looked for as "wrong"."""
    return max(phrase.keys, key=len)


@dataclass(frozen=True)
class Concept:
    """One thing a question is about; any of its phrases names it."""

    name: str
    phrases: tuple[Phrase, ...]


@dataclass(frozen=True)
class Forbidden:
    phrase: Phrase
    claim_type: str | None


@dataclass(frozen=True)
class Expected:
    polarity: ExpectedPolarity
    fact: str
    polar: tuple[Phrase, ...] = ()
    wrong_polarities: tuple[str, ...] = ()
    qualified_by: tuple[Phrase, ...] = ()
    must_say: tuple[Phrase, ...] = ()
    must_say_why: str = ""
    must_not_say: tuple[Forbidden, ...] = ()
    claim_type: str | None = None
    range: tuple[float, float] | None = None  # for duration (years) and count (sessions) answers

    @cached_property
    def must_not_say_longest_first(self) -> tuple[Forbidden, ...]:
        """The must-not-say phrases that have keys, longest first, so "never fade" is taken before "fade";
        sorted once, as every answer judged reads them."""
        return tuple(f for f in sorted(self.must_not_say, key=lambda f: -len(f.phrase.keys)) if f.phrase.keys)


@dataclass(frozen=True)
class Examples:
    answers: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    unrelated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    priority: Priority
    variants: tuple[str, ...]
    asks: tuple[Concept, ...]
    answer_terms: tuple[Phrase, ...]
    avoid: tuple[Phrase, ...]
    requires: str | None
    suggest: tuple[Phrase, ...]
    expected: Expected
    examples: Examples
    # content keys of the question and of each variant: a heading holding all of one set asks this question
    forms: tuple[tuple[str, frozenset[str]], ...] = ()
    pack: str = ""

    @cached_property
    def fact_question(self) -> bool:
        return self.expected.polarity == "fact"

    @cached_property
    def view_keys(self) -> frozenset[str]:
        """The signature key of every phrase a sentence is read for when judging it against this question."""
        exp = self.expected
        phrases = (*self.all_asks, *self.answer_terms, *exp.polar, *exp.must_say, *exp.qualified_by)
        return frozenset(_sig(p) for p in phrases if p.keys)

    @cached_property
    def view_index(self) -> dict[str, tuple[tuple[tuple[str, ...], int, int, str], ...]]:
        """Each concept's phrases and the answer terms by first key, as (keys, length, role, text): the role is
        the concept's position, or -1 for an answer term. One pass over a sentence then finds what many
        find_all calls would (see checks.questions._read_view); within a role the phrases keep their order.
        """
        index: dict[str, list[tuple[tuple[str, ...], int, int, str]]] = {}
        roles = [*((j, c.phrases) for j, c in enumerate(self.asks)), (-1, self.answer_terms)]
        for role, phrases in roles:
            for p in phrases:
                if p.keys:
                    index.setdefault(p.keys[0], []).append((p.keys, len(p.keys), role, p.text))
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def view_first_keys(self) -> frozenset[str]:
        """The first keys of view_index: a sentence holding none of them holds no concept and no answer term."""
        return frozenset(self.view_index)

    @cached_property
    def form_probes(self) -> frozenset[str]:
        """One key of each form (its longest): a heading holding none of them holds no form whole."""
        return frozenset(max(sorted(keys), key=len) for _, keys in self.forms if keys)

    @cached_property
    def marks_paraphrase(self) -> bool:
        """Whether any phrase or form of the question is written with the mark score_unit reads as a heading
        asking in the answer's words ("(for"): then an explanation quoting it may carry the mark."""
        exp = self.expected
        texts = (
            *(f for f, _ in self.forms),
            *(p.text for p in (*self.all_asks, *self.answer_terms, *exp.must_say, *exp.qualified_by)),
        )
        return any("(for" in t for t in texts)

    @cached_property
    def no_concepts(self) -> tuple[None, ...]:
        return tuple(None for _ in self.asks)

    @cached_property
    def memo_key(self) -> str:
        return f"q:{self.pack}:{self.id}"

    @cached_property
    def all_asks(self) -> tuple[Phrase, ...]:
        return tuple(p for c in self.asks for p in c.phrases)

    @cached_property
    def core_keys(self) -> frozenset[str]:
        """Keys a text must hold one of to be about this question: its main concept, polar and wrong words.

        A text holding only answer words (and no heading asking in other words) cannot reach the floor of the
        question matrix, so the engine skips it without scoring it.
        """
        keys: set[str] = set()
        # the first concept is what the question is about ("damage" in "does it damage hair follicles"); the
        # others only narrow it ("hair"), and alone they say nothing
        keys.update(_sig(p) for p in self.asks[0].phrases if p.keys)
        keys.update(_sig(p) for p in self.expected.polar if p.keys)
        keys.update(_sig(f.phrase) for f in self.expected.must_not_say if f.phrase.keys)
        return frozenset(keys)

    @cached_property
    def concept_keys(self) -> frozenset[str]:
        return frozenset(_sig(p) for p in self.all_asks if p.keys)

    @cached_property
    def risk_keys(self) -> frozenset[str]:
        """Signature keys of the words that can make an answer wrong: its polar words and must-not-say phrases."""
        exp = self.expected
        keys = {_sig(p) for p in exp.polar if p.keys}
        keys.update(_sig(f.phrase) for f in exp.must_not_say if f.phrase.keys)
        return frozenset(keys)

    @cached_property
    def presence_index(self) -> dict[str, tuple[tuple[int, frozenset[str] | None], ...]]:
        """The concept phrases and answer terms by signature key, as (a bit: the concept's, or past the concepts'
        the answer term's own; the phrase's keys, or None for a one-key phrase): which a text holds whole is read
        in one pass, as one number (see checks.questions._presence)."""
        index: dict[str, list[tuple[int, frozenset[str] | None]]] = {}
        n = len(self.asks)
        roles = [*((1 << j, c.phrases) for j, c in enumerate(self.asks))]
        roles += [(1 << (n + t), (p,)) for t, p in enumerate(self.answer_terms)]
        for bit, phrases in roles:
            for p in phrases:
                if p.keys:
                    index.setdefault(_sig(p), []).append((bit, frozenset(p.keys) if len(set(p.keys)) > 1 else None))
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def topic_index(self) -> dict[str, tuple[frozenset[str] | None, ...]]:
        """The concept phrases by signature key, as the keys a text must hold besides it (None: none, for a
        one-key phrase, or one holding the "." that joins sentences, which a unit's words may lack): a text
        holding none of them whole cannot name what the question is about."""
        index: dict[str, list[frozenset[str] | None]] = {}
        for p in self.all_asks:
            if p.keys:
                whole = frozenset(p.keys) if len(set(p.keys)) > 1 and "." not in p.keys else None
                index.setdefault(_sig(p), []).append(whole)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def presence_sigs(self) -> frozenset[str]:
        return frozenset(self.presence_index)

    @cached_property
    def presence_key(self) -> str:
        return f"p:{self.pack}:{self.id}"

    @cached_property
    def forbidden_keys(self) -> frozenset[str]:
        """Signature keys of the must-not-say phrases: a sentence holding none says none of them."""
        return frozenset(_sig(f.phrase) for f in self.expected.must_not_say if f.phrase.keys)

    @cached_property
    def polar_keys(self) -> frozenset[str]:
        """Signature keys of the polar words: a sentence holding none cannot state the reply in them."""
        return frozenset(_sig(p) for p in self.expected.polar if p.keys)

    @cached_property
    def says_keys(self) -> frozenset[str]:
        """Signature keys of the must-say and qualifying phrases: a sentence holding none says none of them."""
        exp = self.expected
        return frozenset(_sig(p) for p in (*exp.must_say, *exp.qualified_by) if p.keys)

    @cached_property
    def answer_first_counts(self) -> dict[str, int]:
        """How many answer terms start with each key: bounds how many distinct terms a text can use."""
        counts: dict[str, int] = {}
        for p in self.answer_terms:
            if p.keys:
                counts[_sig(p)] = counts.get(_sig(p), 0) + 1
        return counts

    @cached_property
    def answer_keys(self) -> frozenset[str]:
        return frozenset(_sig(p) for p in self.answer_terms if p.keys)


@dataclass(frozen=True)
class QuestionPack:
    name: str
    title: str
    path: str
    subject: SubjectTerms
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


class _Ctx:
    """Carries the file and question being read so every error names where the problem is."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.qid: str | None = None

    def fail(self, reason: str) -> RuleError:
        where = f"{self.path}: question {self.qid}" if self.qid else self.path
        return RuleError(f"{where}: {reason}")


def _str_list(ctx: _Ctx, value: Any, field: str, allow_empty: bool = True) -> list[str]:
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ctx.fail(f"'{field}' must be a list of words or phrases")
    out: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
            raise ctx.fail(f"'{field}' holds an empty or non-text entry: {item!r}")
        out.append(str(item).strip())
    if not allow_empty and not out:
        raise ctx.fail(f"'{field}' must not be empty")
    return out


class _Synonyms:
    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self._by_key: dict[tuple[str, ...], tuple[str, ...]] = {}
        for group in groups:
            members = tuple(group)
            for member in members:
                k = Phrase.of(member).keys
                self._by_key[k] = tuple(dict.fromkeys((*self._by_key.get(k, ()), *members)))

    def expand(self, texts: Iterable[str]) -> tuple[Phrase, ...]:
        seen: dict[tuple[str, ...], Phrase] = {}
        for text in texts:
            phrase = Phrase.of(text)
            for member in (text, *self._by_key.get(phrase.keys, ())):
                p = Phrase.of(member)
                if p.keys and p.keys not in seen:
                    seen[p.keys] = p
        return tuple(seen.values())


def _phrases(texts: Iterable[str]) -> tuple[Phrase, ...]:
    seen: dict[tuple[str, ...], Phrase] = {}
    for text in texts:
        p = Phrase.of(text)
        if p.keys and p.keys not in seen:
            seen[p.keys] = p
    return tuple(seen.values())


def _content_keys(text: str, subject: SubjectTerms) -> frozenset[str]:
    """The words of a question form that carry its meaning: the treatment's names and function words go."""
    keys: set[str] = set()
    for seq in text_seqs(text):
        covered = {i for hit in find_all(seq, subject.terms) for i in range(hit.start, hit.end)}
        keys.update(k for i, k in enumerate(seq.keys) if i not in covered and k not in _STOP)
    return frozenset(keys)


def _expected(ctx: _Ctx, raw: Any, syn: _Synonyms) -> Expected:
    if not isinstance(raw, Mapping):
        raise ctx.fail("'expected' must be a mapping (polarity, fact, …)")
    unknown = set(raw) - _EXPECTED_KEYS
    if unknown:
        raise ctx.fail(f"unknown key(s) in 'expected': {', '.join(sorted(unknown))}")
    polarity = str(raw.get("polarity", "")).strip().lower()
    if polarity not in _POLARITIES:
        raise ctx.fail(f"expected.polarity must be one of {', '.join(_POLARITIES)} (got {raw.get('polarity')!r})")
    fact = str(raw.get("fact") or "").strip()
    if not fact:
        raise ctx.fail("expected.fact must say, in words, what a correct answer is")
    wrong = [w.lower() for w in _str_list(ctx, raw.get("wrong_polarities"), "expected.wrong_polarities")]
    for w in wrong:
        if w not in ("yes", "no", "depends"):
            raise ctx.fail(f"expected.wrong_polarities: {w!r} is not yes, no or depends")
        if w == polarity:
            raise ctx.fail(f"expected.wrong_polarities names the expected polarity {w!r} itself")
    polar = syn.expand(_str_list(ctx, raw.get("polar"), "expected.polar"))
    if wrong and not polar:
        raise ctx.fail("expected.wrong_polarities needs expected.polar words to read a reply's polarity from")
    must_raw = raw.get("must_say")
    must_texts: list[str] = []
    why = ""
    if isinstance(must_raw, Mapping):
        must_texts = _str_list(ctx, must_raw.get("any"), "expected.must_say.any", allow_empty=False)
        why = str(must_raw.get("why") or "").strip()
    elif must_raw is not None:
        must_texts = _str_list(ctx, must_raw, "expected.must_say")
    if must_texts and not why:
        why = "a correct answer says one of: " + ", ".join(must_texts[:6])
    must_say = syn.expand(must_texts)
    qualified_raw = raw.get("qualified_by")
    qualified = syn.expand(_str_list(ctx, qualified_raw, "expected.qualified_by")) if qualified_raw else must_say
    claim_type = raw.get("claim_type")
    if claim_type is not None and (not isinstance(claim_type, str) or not claim_type.strip()):
        raise ctx.fail("expected.claim_type must be a claim type name or null")
    forbidden: list[Forbidden] = []
    for item in raw.get("must_not_say") or []:
        if isinstance(item, Mapping):
            text = str(item.get("phrase") or "").strip()
            ctype = item.get("claim_type", claim_type)
        else:
            text = str(item).strip()
            ctype = claim_type
        if not text:
            raise ctx.fail("expected.must_not_say holds an empty phrase")
        forbidden.append(Forbidden(Phrase.of(text), str(ctype) if ctype else None))
    rng: tuple[float, float] | None = None
    if raw.get("range") is not None:
        value = raw["range"]
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or value[0] > value[1]
        ):
            raise ctx.fail("expected.range must be [low, high]: two numbers, low first")
        rng = (float(value[0]), float(value[1]))
    return Expected(
        range=rng,
        polarity=polarity,  # type: ignore[arg-type]
        fact=fact,
        polar=polar,
        wrong_polarities=tuple(wrong),
        qualified_by=qualified,
        must_say=must_say,
        must_say_why=why,
        must_not_say=tuple(forbidden),
        claim_type=claim_type.strip() if isinstance(claim_type, str) else None,
    )


def _question(ctx: _Ctx, raw: Any, syn: _Synonyms, subject: SubjectTerms, pack: str) -> Question:
    if not isinstance(raw, Mapping):
        raise ctx.fail("each entry of 'questions' must be a mapping")
    qid = str(raw.get("id") or "").strip()
    ctx.qid = qid or "(no id)"
    if not _ID_RE.match(qid):
        raise ctx.fail("id must start with QST and use capitals, digits and hyphens, e.g. QST-SMP-SAFE")
    unknown = set(raw) - _QUESTION_KEYS
    if unknown:
        raise ctx.fail(f"unknown key(s): {', '.join(sorted(unknown))}")
    text = str(raw.get("question") or "").strip()
    if not text.endswith("?"):
        raise ctx.fail("'question' must be the question as people ask it, ending with '?'")
    priority = str(raw.get("priority") or "medium").strip().lower()
    if priority not in _PRIORITIES:
        raise ctx.fail(f"priority must be one of {', '.join(_PRIORITIES)} (got {priority!r})")
    variants = tuple(_str_list(ctx, raw.get("variants"), "variants"))
    asks_raw = raw.get("asks")
    if not isinstance(asks_raw, list) or not asks_raw:
        raise ctx.fail("'asks' must list at least one concept (a list of alternative words)")
    concepts: list[Concept] = []
    for i, concept in enumerate(asks_raw):
        words = _str_list(ctx, concept, f"asks[{i}]", allow_empty=False)
        concepts.append(Concept(name=words[0], phrases=syn.expand(words)))
    requires = raw.get("requires")
    if requires is not None and requires not in FACT_KINDS:
        raise ctx.fail(f"requires must be one of {', '.join(FACT_KINDS)} (got {requires!r})")
    expected = _expected(ctx, raw.get("expected"), syn)
    if expected.range is not None and requires not in ("duration", "count"):
        raise ctx.fail("expected.range needs 'requires: duration' (years) or 'requires: count' (sessions)")
    ex_raw = raw.get("examples") or {}
    if not isinstance(ex_raw, Mapping):
        raise ctx.fail("'examples' must be a mapping with answers, wrong and unrelated")
    examples = Examples(
        answers=tuple(_str_list(ctx, ex_raw.get("answers"), "examples.answers")),
        wrong=tuple(_str_list(ctx, ex_raw.get("wrong"), "examples.wrong")),
        unrelated=tuple(_str_list(ctx, ex_raw.get("unrelated"), "examples.unrelated")),
    )
    forms = tuple((form, keys) for form in (text, *variants) if (keys := _content_keys(form, subject)) and keys - _WEAK)
    q = Question(
        id=qid,
        question=text,
        priority=priority,  # type: ignore[arg-type]
        variants=variants,
        asks=tuple(concepts),
        answer_terms=syn.expand(_str_list(ctx, raw.get("answer_terms"), "answer_terms")),
        avoid=_phrases(_str_list(ctx, raw.get("avoid"), "avoid")),
        requires=requires,
        suggest=_phrases(_str_list(ctx, raw.get("suggest"), "suggest")),
        expected=expected,
        examples=examples,
        forms=forms,
        pack=pack,
    )
    ctx.qid = None
    return q


def parse_pack(data: Any, path: str) -> QuestionPack:
    """Validate a parsed pack; every error names the file, the question id and the reason."""
    ctx = _Ctx(path)
    if not isinstance(data, Mapping):
        raise ctx.fail("a question pack must be a mapping with 'pack', 'subject' and 'questions'")
    unknown = set(data) - _PACK_KEYS
    if unknown:
        raise ctx.fail(f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    name = str(data.get("pack") or "").strip()
    if not name:
        raise ctx.fail("'pack' (the pack's short name) is missing")
    subject_raw = data.get("subject")
    if not isinstance(subject_raw, Mapping):
        raise ctx.fail("'subject' must be a mapping with 'terms' (the treatment's names)")
    terms = _str_list(ctx, subject_raw.get("terms"), "subject.terms", allow_empty=False)
    generic = _str_list(ctx, subject_raw.get("generic_terms"), "subject.generic_terms")
    others = _str_list(ctx, data.get("other_subjects"), "other_subjects")
    groups_raw = data.get("synonyms") or []
    if not isinstance(groups_raw, list):
        raise ctx.fail("'synonyms' must be a list of groups (lists of words that mean the same)")
    groups = [_str_list(ctx, g, f"synonyms[{i}]", allow_empty=False) for i, g in enumerate(groups_raw)]
    syn = _Synonyms(groups)
    subject = SubjectTerms(terms=_phrases(terms), generic=_phrases(generic), others=_phrases(others))
    questions_raw = data.get("questions")
    if not isinstance(questions_raw, list) or not questions_raw:
        raise ctx.fail("'questions' must list at least one question")
    questions = [_question(ctx, raw, syn, subject, name) for raw in questions_raw]
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            ctx.qid = q.id
            raise ctx.fail("this id is used twice; question ids must be unique and never reused")
        seen.add(q.id)
    return QuestionPack(
        name=name,
        title=str(data.get("title") or name),
        path=path,
        subject=subject,
        questions=tuple(questions),
    )


def pack_path(name_or_path: str) -> Path:
    """A pack name ("smp") resolves to checks/rules/questions_<name>.yaml; anything else is a path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate
    return RULES_DIR / f"questions_{name_or_path}.yaml"


@lru_cache(maxsize=16)
def load_pack(name_or_path: str) -> QuestionPack:
    path = pack_path(name_or_path)
    if not path.exists():
        raise RuleError(f"{path}: question pack {name_or_path!r} not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read question pack ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RuleError(f"{path}: invalid YAML{where}") from None
    return parse_pack(data, str(path))


def load_packs(names: Iterable[str]) -> tuple[QuestionPack, ...]:
    packs = tuple(load_pack(n) for n in names)
    ids: dict[str, str] = {}
    for pack in packs:
        for q in pack.questions:
            if q.id in ids:
                raise RuleError(f"{pack.path}: question {q.id}: also defined in {ids[q.id]}")
            ids[q.id] = pack.path
    return packs
