"""Context cues in a sentence (negation, hedge, warning, question, other subject...) and what they govern."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from auditor.models import Cue, CueKind

# The cues work in the manner of NegEx and ConText: a trigger phrase, a direction, a window and terminators
# give the span of tokens a cue governs. They are tuned for marketing copy, where the negation is often the
# claim itself ("no risk", "pain-free"): the claims engine ignores a trigger inside the claim it matched.

Direction = Literal["forward", "backward", "clause"]

# ----------------------------------------------------------------------------------------------------
# Lemmas. The lookup lemmatizer keys on the exact text, so a capitalised first word keeps its inflection
# ("Regrows", "Guaranteed"); a few contractions come out odd ("does" -> "doe", "wo" for the "wo" of "won't"),
# and the table folds words that cues and rules need as written into others (more/most -> much, as -> a,
# best -> well, first -> 1, number -> numb, these -> this).

_KEEP_AS_WRITTEN = ("as", "more", "most", "less", "least", "best", "better", "worse", "worst", "further",
                    "farther", "these", "those", "number", "first", "ones")
_LEMMA_FIXES: dict[str, str] = {word: word for word in _KEEP_AS_WRITTEN} | {
    "does": "do",
    "'s": "'s",
    "’s": "'s",
    "wo": "will",
    "ca": "can",
    "sha": "shall",
    "n't": "not",
    "n’t": "not",
    "cannot": "can",
    "men": "man",
    "people": "people",
}
_LEMMA_CACHE: dict[str, str] = {}


def _lookup(low: str) -> str:
    hit = _LEMMA_CACHE.get(low)
    if hit is None:
        from auditor.nlp import get_nlp

        lemmatizer: Any = get_nlp().get_pipe("lemmatizer")
        table = lemmatizer.lookups.get_table("lemma_lookup")
        found = table.get(low, low)
        hit = found.lower() if isinstance(found, str) else low
        _LEMMA_CACHE[low] = hit
    return hit


def normalise_lemma(token: str, lemma: str) -> str:
    """The lower-case lemma of a token whatever its capitalisation, the lookup table's oddities mended."""
    low = token.lower()
    fixed = _LEMMA_FIXES.get(low)
    if fixed is not None:
        return fixed
    lem = lemma.lower() if lemma else low
    if lem != low:
        return lem
    return _lookup(low)


_NORMALISED: dict[tuple[str, str], str] = {}  # (token, lemma) -> normalise_lemma: a page repeats its words


def normalise_lemmas(tokens: Sequence[str], lemmas: Sequence[str]) -> tuple[str, ...]:
    known = _NORMALISED
    out: list[str] = []
    for pair in zip(tokens, lemmas, strict=False):
        lemma = known.get(pair)
        if lemma is None:
            if len(known) >= 200_000:
                known.clear()
            lemma = known[pair] = normalise_lemma(*pair)
        out.append(lemma)
    return tuple(out)


# ----------------------------------------------------------------------------------------------------
# Trigger specifications. A phrase is space-separated positions; a position lists alternatives with "|"; a
# trailing "?" makes it optional; "*" is any one token; "=word" matches the token's text instead of its lemma.


@dataclass(frozen=True)
class _Spec:
    kind: CueKind | None  # None: a pseudo-trigger that looks like a cue but is not one ("not only")
    direction: Direction
    phrases: tuple[str, ...]
    window: int = 0  # tokens the scope may reach; 0 = as far as the clause goes
    np: bool = False  # a determiner's scope ("no", "without"): a comma or "and" also ends it
    subject_only: bool = False  # counts only where the other thing is what the clause is about
    self_ends: bool = True  # other subject: a new clause about us ("..., and SMP is") ends the scope


_NEG_VERBAL = ("not", "never", "nobody", "no one", "no - one", "nothing", "neither", "nor", "none", "nowhere")
_SELF_WORDS = frozenset({"smp", "micropigmentation", "we", "our", "us", "ours"})
_HARD_TERMINATORS = frozenset(
    {";", ":", "—", "–", "(", ")", "[", "]", "!", "?", "but", "however", "although", "though", "whereas",
     "while", "whilst", "yet", "except", "which", "unless", "because"}
)
_NP_TERMINATORS = frozenset({",", "and", "&", "+", "plus", "with", "so"})
_CLAUSE_JOINS = frozenset({",", "and", "or", "then", "so", "-", "whereas", "while"})
_SUBJECT_BLOCKERS = frozenset(
    {"unlike", "than", "compare", "versus", "vs", "vs.", "over", "instead", "rather", "like", "with", "plus",
     "alongside", "after", "following", "to", "from", "without", "for", "into", "beyond", "replace",
     "alternative", "combine", "choose", "prefer", "switch", "avoid", "smp", "micropigmentation", "we", "our",
     "us", "not", "no"}
)
_OTHER_THINGS = (
    "traditional|conventional|regular|normal|standard|ordinary|body|permanent tattoo",
    "tattoo",
    "tattoo ink|inks",
    "hair transplant|transplants|transplantation|transplanting|graft|grafts",
    "transplant|transplants|transplantation",
    "fue|fut",
    "surgical hair restoration|transplant|transplants",
    "transplant surgery",
    "medication|medications|medicine|medicines|drug|drugs|pill|pills|tablet|tablets",
    "finasteride|minoxidil|propecia|regaine|rogaine|dutasteride",
    "hair? fibre|fibres|fiber|fibers|concealer|concealers|spray|sprays|powder|powders",
    "wig|wigs|toupee|toupees|hairpiece|hairpieces",
    "hair system|systems|piece|pieces",
    "laser hair removal",
    "laser removal",
    "some|other|many|cheap|cheaper|unscrupulous|rogue|budget|untrained|inexperienced|unqualified|certain"
    "|dodgy clinic|provider|practitioner|artist|salon|company|competitor|website|advert|ad|studio|parlour"
    "|place",
    "competitor|competitors",
    "clinic|provider|practitioner|salon|company|artist|website|advert|ad|studio that|who|which promise|claim"
    "|guarantee|offer|advertise|say|use|sell|market",
    "cowboy|cowboys",
    "early|earlier|older|old method|technique|form|smp|practitioner|practitioners|days|version|ink",
)
_TEMPORAL_OTHER = (
    "at the time", "in the past", "historically", "years ago", "back then", "in its early|earliest",
)

_SPECS: tuple[_Spec, ...] = (
    # Pseudo-triggers first: phrases that contain a trigger word but are not cues.
    _Spec(None, "forward", (
        "not only|just|merely|simply|least", "not to mention", "whether or not", "if not", "why not",
        "no more", "no longer", "no matter", "no doubt", "no wonder", "no obligation", "no - obligation",
        "not miss|wait|delay|hesitate|forget|settle|let", "never miss|forget", "nothing but",
        "never be|look|feel better|easier|more", "without doubt|fail", "without a doubt",
        "nothing to lose|fear|worry|hide|it", "not|nothing to worry about",
        "may|might|can|could|will|do vary|differ", "hair|scalp|head|hairline|micro tattoo",
        "more than", "other than",
    )),
    _Spec("negation", "forward", _NEG_VERBAL, window=8),
    _Spec("negation", "forward", ("no", "without"), window=8, np=True),
    _Spec("negation", "forward", (
        "rather than", "instead of", "as opposed to", "far from", "no such thing as",
    ), window=10),
    _Spec("hedge", "clause", (
        "may|might|could|can|should",
        "typically|usually|generally|normally|often|mostly|commonly|frequently|ordinarily|largely|mainly",
        "in general", "in most|many|some case|cases|instance|instances",
        "most|many|some people|client|clients|patient|patients|man|person|individual|individuals|customer",
        "for most|many", "the majority of", "tend to", "likely", "unlikely",
        "when|if|once perform|carry|do|apply|deliver|undertake out? correctly|properly|well|right|by|safely"
        "|professionally|appropriately|responsibly",
        "in the right|skilled|experienced|trained|capable hands",
        "by a|an trained|qualified|experienced|skilled|reputable|certified|accredited",
        "consider|regard|deem|believe", "widely|generally regard|consider",
        "relatively|minimal|minimally|mild|mildly|slight|slightly|moderate|low",
        "virtually|almost|nearly|practically", "design|aim|intend to", "in our experience",
    )),
    _Spec("warning", "forward", (
        "be? wary|cautious|careful|suspicious|sceptical|skeptical|mindful|distrustful|leery"
        " of|about|with|if|when",
        "beware", "beware of", "watch|look out for", "steer clear of", "stay|keep away from", "walk away",
        "avoid any|anyone|clinic|provider|practitioner|salon|company|those|offer|promise|claim|advert|ad"
        "|website|deal|artist|studio",
        "do not trust|believe|accept", "never trust|believe|accept", "do not|never fall for",
        "claim of|that|about|to", "=claiming", "promise of", "=promising",
        "any|such|these|those|unrealistic|exaggerated|bold|misleading|false|outlandish|big|grand|overblown"
        "|empty|vague|unfounded|unsubstantiated|marketing claim|promise|guarantee|guarantees|claims|promises",
        "anyone|someone|somebody|those who|that"
        " promise|claim|guarantee|offer|say|tell|advertise|suggest|boast",
        "any clinic|provider|practitioner|salon|company|website|artist|advert|ad|studio|one that|which|who",
        "if|when a|any|the|your? clinic|practitioner|provider|artist|salon|company|website|advert|ad|studio",
        "if|when anyone|someone|somebody",
        "so - call", "so call",
        "be|'s natural|normal|understandable|common|tempting|easy to want|expect|hope|assume|believe",
        "be|'s *? *? market|advertise|sell|promote|present|bill|describe|treat|portray|tout|label|pitch as",
    )),
    _Spec("warning", "clause", (
        "myth|myths|misconception|misconceptions|misleading|untrue|hype|oversell|overselling|overpromise"
        "|overpromising|overclaim|overclaiming",
        "red flag|flags", "warning sign|signs", "alarm bell|bells", "too good to be true",
        "unrealistic|exaggerate|exaggerated|overstate|overstated", "overly optimistic",
        "with caution|scepticism|skepticism|suspicion", "with a pinch|grain of salt",
        "be avoid|question|challenge",
        "raise|ring concern|concerns|alarm|suspicion|question|questions|eyebrows",
        "not true|accurate|realistic|honest|achievable", "false promise|promises|claim|claims|hope",
    )),
    _Spec("question", "forward", ("whether", "ask|wonder|question|unsure|know if", "ask about")),
    _Spec("other_subject", "forward", _OTHER_THINGS, subject_only=True),
    _Spec("other_subject", "forward", _TEMPORAL_OTHER, self_ends=False),
    _Spec("other_subject", "forward", ("compare to|with", "in comparison to|with", "versus|vs|vs.")),
    # medical advice is another treatment: "to slow hair loss, speak to your GP"
    _Spec("other_subject", "clause", (
        "your|a|the? gp|doctor|dermatologist|trichologist|pharmacist|physician|prescriber",
        "hair loss specialist|specialists", "medical option|options|treatment|treatments|advice",
    )),
    _Spec("comparative", "backward", (
        "compare to|with", "in comparison to|with", "versus|vs|vs.", "than", "as much as", "as bad as",
    ), window=10),
    _Spec("comparative", "forward", ("more|less|far|much more|less", "more|less"), window=3),
)


@dataclass(frozen=True)
class _Compiled:
    spec: _Spec
    seq: tuple[tuple[frozenset[str], frozenset[str], bool], ...]  # (lemmas, texts, wildcard)


def _expand(phrase: str) -> list[list[str]]:
    """Every concrete position list a phrase with optional positions stands for."""
    variants: list[list[str]] = [[]]
    for part in phrase.split():
        if part.endswith("?") and len(part) > 1:
            core = part[:-1]
            variants = [[*v, core] for v in variants] + [list(v) for v in variants]
        else:
            variants = [[*v, part] for v in variants]
    return [v for v in variants if v]


def _position(part: str) -> tuple[frozenset[str], frozenset[str], bool]:
    alts = part.split("|")
    lemmas = frozenset(a for a in alts if not a.startswith("=") and a != "*")
    tokens = frozenset(a[1:] for a in alts if a.startswith("="))
    return lemmas, tokens, "*" in alts


def _compile() -> dict[str, list[_Compiled]]:
    index: dict[str, list[_Compiled]] = {}
    for spec in _SPECS:
        for phrase in spec.phrases:
            for variant in _expand(phrase):
                seq = tuple(_position(p) for p in variant)
                first_lemmas, first_tokens, wildcard = seq[0]
                if wildcard:
                    raise ValueError(f"cue phrase {phrase!r} may not start with a wildcard")
                for key in first_lemmas | first_tokens:
                    index.setdefault(key, []).append(_Compiled(spec, seq))
    for entries in index.values():
        entries.sort(key=lambda c: (-len(c.seq), c.spec.kind is not None))
    return index


_INDEX = _compile()

_AUX_WH = frozenset(
    {"be", "do", "can", "could", "will", "would", "should", "shall", "may", "might", "have", "must", "how",
     "what", "why", "when", "where", "which", "who", "whose", "whom", "whether", "if", "am", "is", "are",
     "does", "did",
     "wonder", "any"}
)
_RHETORICAL_OPENERS = frozenset(
    {"want", "looking", "look", "need", "tired", "fed", "ready", "fancy", "dreaming", "dream", "imagine",
     "sick",
     "bored", "struggle", "struggling", "suffering", "desperate", "searching", "seeking", "wish", "wishing"}
)
_RHETORICAL_WHY = frozenset(
    {"not", "wait", "settle", "suffer", "put", "live", "hide", "struggle", "worry", "waste"}
)
_OPEN_QUOTES = {"“": "”", "‘": "’", "«": "»", "„": "“", '"': '"'}
_CLOSERS = frozenset({"”", '"', "’", ")", "]", "»"})


def _matches_at(lemmas: Sequence[str], low: Sequence[str], i: int, comp: _Compiled) -> bool:
    if i + len(comp.seq) > len(lemmas):
        return False
    for offset, (lemma_alts, token_alts, wildcard) in enumerate(comp.seq):
        j = i + offset
        if wildcard or lemmas[j] in lemma_alts or low[j] in token_alts:
            continue
        return False
    return True


def _is_terminator(lemmas: Sequence[str], j: int, np: bool, extra: frozenset[str]) -> bool:
    lem = lemmas[j]
    if lem in _HARD_TERMINATORS:
        return True
    if lem in extra and (j == 0 or lemmas[j - 1] in _CLAUSE_JOINS):
        return True
    if np and lem in _NP_TERMINATORS:
        return True
    # ", and" / ", so" start a new clause for any cue.
    return lem in ("and", "so", "because") and j > 0 and lemmas[j - 1] == ","


def _list_follows(lemmas: Sequence[str], comma: int) -> bool:
    """A comma inside a negated list ("not permanent, painless or instant") keeps the negation going."""
    for j in range(comma + 1, len(lemmas)):
        if lemmas[j] in ("or", "nor"):
            return True
        if lemmas[j] in _HARD_TERMINATORS or lemmas[j] in ("and", ","):
            return False
    return False


def _forward(lemmas: Sequence[str], start: int, window: int, np: bool, extra: frozenset[str],
             negation: bool = False) -> int:
    limit = len(lemmas) if window == 0 else min(len(lemmas), start + window)
    j = start
    while j < limit and not _is_terminator(lemmas, j, np, extra):
        if negation and lemmas[j] == "," and not _list_follows(lemmas, j):
            break
        j += 1
    return j


def _backward(lemmas: Sequence[str], end: int, window: int) -> int:
    limit = 0 if window == 0 else max(0, end - window)
    j = end - 1
    while j >= limit and not _is_terminator(lemmas, j, False, frozenset()):
        j -= 1
    return j + 1


def _subject_position(lemmas: Sequence[str], start: int) -> bool:
    """The other thing opens its clause (nothing but a few modifiers before it), so the clause is about it."""
    j = start - 1
    seen = 0
    while j >= 0 and lemmas[j] not in _HARD_TERMINATORS and lemmas[j] != ",":
        if lemmas[j] in _SUBJECT_BLOCKERS:
            return False
        seen += 1
        if seen > 6:
            return False
        j -= 1
    return True


def _scope(comp: _Compiled, lemmas: Sequence[str], start: int, end: int) -> tuple[int, int]:
    spec = comp.spec
    extra = _SELF_WORDS if spec.kind == "other_subject" and spec.self_ends else frozenset()
    if spec.direction == "forward":
        return end, _forward(lemmas, end, spec.window, spec.np, extra, spec.kind == "negation")
    if spec.direction == "backward":
        return _backward(lemmas, start, spec.window), start
    if spec.kind == "warning" and end < len(lemmas) and lemmas[end] == ":":
        return _backward(lemmas, start, spec.window), len(lemmas)  # "Myth: SMP is permanent"
    return _backward(lemmas, start, spec.window), _forward(lemmas, end, spec.window, False, extra)


def _question(tokens: Sequence[str], lemmas: Sequence[str]) -> Cue | None:
    """A real question (not a rhetorical call to action) asks about what it mentions, not claiming it."""
    last = len(tokens) - 1  # the last token that is neither space nor a closing quote or bracket
    while last >= 0 and (not tokens[last].strip() or tokens[last] in _CLOSERS):
        last -= 1
    if last < 0 or tokens[last] != "?":
        return None
    words = [i for i, t in enumerate(tokens) if t[:1].isalnum()]
    if not words:
        return None
    first = lemmas[words[0]]
    if first in _RHETORICAL_OPENERS or tokens[words[0]].lower() in _RHETORICAL_OPENERS:
        return None
    if first == "why" and len(words) > 1 and lemmas[words[1]] in _RHETORICAL_WHY:
        return None
    if first == "who" and len(words) > 1 and lemmas[words[1]] in ("would", "wouldn't", "do", "doesn't"):
        return None
    asks = first in _AUX_WH or any(
        lemmas[i] in _AUX_WH and i > 0 and tokens[i - 1] in (":", "-", "–", "—", ",", ";") for i in words
    )
    if not asks:
        return None
    return Cue(kind="question", trigger="?", start=last, end=last + 1, scope=(0, len(tokens)))


def _quotes(tokens: Sequence[str]) -> Iterable[Cue]:
    if _OPEN_QUOTES.keys().isdisjoint(tokens):  # most sentences quote nothing
        return
    i = 0
    n = len(tokens)
    while i < n:
        closer = _OPEN_QUOTES.get(tokens[i])
        if closer is None:
            i += 1
            continue
        j = i + 1
        while j < n and tokens[j] != closer:
            j += 1
        if j > i + 1:
            yield Cue(kind="quoted", trigger=tokens[i] + closer, start=i, end=i + 1, scope=(i + 1, j))
        i = j + 1


def find_cues(tokens: tuple[str, ...], lemmas: tuple[str, ...]) -> list[Cue]:
    """Sentence cues with the token span each governs; the claims engine decides which touch a claim."""
    return cues_of(tokens, normalise_lemmas(tokens, lemmas), [t.lower() for t in tokens])


def cues_of(tokens: Sequence[str], lem: Sequence[str], low: Sequence[str]) -> list[Cue]:
    """find_cues for a caller that already holds each token's normalised lemma and lower-case text (the language
    layer works them out once per distinct word, not once per occurrence)."""
    cues: list[Cue] = []
    i = 0
    n = len(lem)
    index = _INDEX
    while i < n:
        by_lemma = index.get(lem[i])
        by_text = index.get(low[i]) if low[i] != lem[i] else None
        if by_lemma is None and by_text is None:  # most words start no cue
            i += 1
            continue
        candidates = (by_lemma or []) + (by_text or [])
        best: list[_Compiled] = []
        best_len = 0
        for comp in candidates:
            size = len(comp.seq)
            if size < best_len:
                continue
            if _matches_at(lem, low, i, comp):
                if size > best_len:
                    best, best_len = [comp], size
                else:
                    best.append(comp)
        if not best:
            i += 1
            continue
        if any(c.spec.kind is None for c in best):
            i += best_len
            continue
        trigger = " ".join(tokens[i : i + best_len])
        seen: set[tuple[str, str]] = set()
        for comp in best:
            kind = comp.spec.kind
            assert kind is not None
            if (kind, comp.spec.direction) in seen:
                continue
            if comp.spec.subject_only and not _subject_position(lem, i):
                continue
            seen.add((kind, comp.spec.direction))
            cues.append(Cue(kind=kind, trigger=trigger, start=i, end=i + best_len,
                            scope=_scope(comp, lem, i, i + best_len)))
        i += best_len
    question = _question(tokens, lem)
    if question is not None:
        cues.append(question)
    cues.extend(_quotes(tokens))
    return cues
