"""Target search questions: which page answers each, how findable and how well, and whether it is right."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from auditor.config import Config, QuestionsConfig
from auditor.models import AnalysedPage, Evidence, FaqPair, Finding, Page, Severity, Site
from checks.answers import (
    Hit,
    Phrase,
    Seq,
    SubjectKind,
    SubjectTerms,
    find_all,
    find_fact,
    first_hit,
    is_direct,
    join_seqs,
    lead_reply,
    not_asserted,
    parse_range,
    reply_polarity,
    seq_from_sentence,
    subject_of,
    text_seqs,
    word_count,
)
from checks.question_pack import Question, QuestionPack, load_packs
from checks.registry import CheckContext, PageCheck, RuleDocs, RuleInfo, SiteCheck, gathered

FindableAs = Literal["heading", "faq", "faq_schema", "body"]
_ANSWER_KINDS = frozenset({"paragraph", "list_item", "faq_answer", "table_cell", "blockquote"})
_ASKING_KINDS = frozenset({"heading", "faq_question"})
_FINDABLE_RANK = {"faq": 3, "heading": 2, "faq_schema": 1, "body": 0}
_MAX_ANSWER_BLOCKS = 6
_MAX_ANSWER_SENTENCES = 6  # enough to find a reply buried in the fourth sentence; later ones weigh little
_EXCERPT_CHARS = 400

# Signal weights: how strongly the unit asks the question, whether its answer is about it, whether the answer
# uses the words such answers use, whether it replies at once, and whether it says what the expected answer
# says. They add up to 1.
W_ASKS, W_TOPIC, W_CONTENT, W_REPLY, W_EXPECTED = 0.40, 0.20, 0.15, 0.15, 0.10
CONTENT_SATURATION = 3  # distinct answer terms that count as fully "about it"
PARAPHRASE_CREDIT = 0.6  # a heading that names the answer's words ("feel") instead of the question's ("hurt")
RESTATE_CREDIT = 0.8  # a first sentence that restates the question is nearly as good as a heading asking it
RESTATE_LATER_CREDIT = 0.6  # ...and a second sentence that does is some way behind
PARTIAL_SCORE = 0.25  # below this a page is not even "close" to answering
STATEMENT_HEADING_CREDIT = 0.9  # "Myth: SMP is permanent" is about the question; "Is SMP permanent?" asks it
_QUESTION_WORDS = re.compile(
    r"^\W*(how|what|why|when|where|which|who|is|are|can|could|does|do|did|will|would|should|may)\b",
    re.IGNORECASE,
)


def _question_shaped(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(_QUESTION_WORDS.match(text))


ORIGIN = "checks.questions"
_REFS_SNIPPET = (
    "https://developers.google.com/search/docs/appearance/featured-snippets",
    "https://developers.google.com/search/docs/fundamentals/creating-helpful-content",
)
_REFS_FAQ = (
    "https://developers.google.com/search/docs/appearance/structured-data/faqpage",
    "https://developers.google.com/search/docs/appearance/structured-data/sd-policies",
)
_REFS_ACC = (
    "https://www.asa.org.uk/codes-and-rulings/advertising-codes/non-broadcast-code.html",
    "https://www.cap.org.uk/Advice-Training-on-the-rules/Advice-Online-Database/Cosmetic-interventions.aspx",
)


def _rule(
    rid: str,
    title: str,
    failure: str,
    category: Literal["questions", "accuracy"],
    severity: Literal["error", "warning", "info"],
    rationale: str,
    source: str,
    suggestion: str,
    docs: RuleDocs,
    claim_type: str | None = None,
) -> RuleInfo:
    return RuleInfo(
        rid,
        title,
        failure,
        category,
        severity,
        rationale,
        source,
        suggestion,
        docs,
        "site",
        claim_type,
        ORIGIN,
    )


RULES: tuple[RuleInfo, ...] = (
    _rule(
        "QST001",
        "Every target question is answered on the site",
        "A target question is not answered anywhere",
        "questions",
        "warning",
        "People search these questions before booking; a site that does not answer them sends readers, and "
        "search engines, to a competitor's answer.",
        "Google Search Central: creating helpful, people-first content",
        "Answer the question on the page whose topic is closest (or the FAQ page), under a heading that asks it.",
        RuleDocs(
            what="Each question of the configured question packs is looked for on every page; this fires "
            "when no page answers it well enough (the match score stays under checks.questions.min_score).",
            why="An unanswered question is a lost reader, and an answer left to others who may get it wrong.",
            example='No page answers "How much does scalp micropigmentation cost?".',
            instead='Add a heading "How much does scalp micropigmentation cost?" to the pricing page, with a '
            "40 to 60 word answer that starts with the price range.",
            references=_REFS_SNIPPET,
        ),
    ),
    _rule(
        "QST002",
        "The answer is findable",
        "The answer is only in body text",
        "questions",
        "warning",
        "An answer buried in a paragraph under an unrelated heading is hard to scan and rarely chosen as a "
        "search snippet; a heading or FAQ item that asks the question makes it findable.",
        "Google Search Central: featured snippets; Nielsen Norman Group: how people scan headings",
        "Put the question itself as a heading or FAQ item directly above the answer.",
        RuleDocs(
            what="The best answer to a target question sits in body text: no heading, FAQ item or FAQ "
            "structured data on the page asks the question.",
            why="Readers scan headings; search engines pick answers that follow the question.",
            example="A paragraph about aftercare says, in passing, that SMP fades over the years.",
            instead='Add the heading "Does scalp micropigmentation fade?" with that answer under it.',
            references=_REFS_SNIPPET,
        ),
    ),
    _rule(
        "QST003",
        "The answer starts with a direct reply",
        "The answer does not start with a direct reply",
        "questions",
        "warning",
        "Readers and search snippets take the first sentence; an answer that opens with background leaves "
        "the "
        "question unanswered where it matters.",
        "Google Search Central: featured snippets; inverted-pyramid writing",
        'Open with the reply itself ("Yes, …", "No, …" or the fact), then explain.',
        RuleDocs(
            what="The first sentence of the best answer is not a reply: it neither says yes or no nor states "
            "the fact asked for (years, sessions, price).",
            why="A snippet shows the first sentence or two; a reply in the fourth sentence is never seen.",
            example='"At our clinic we care about comfort. Every client is different. … Most people feel '
            'only mild discomfort."',
            instead='"Most people feel only mild discomfort, like light scratching. …"',
            references=_REFS_SNIPPET,
        ),
    ),
    _rule(
        "QST004",
        "The answer suits a search snippet",
        "The answer is too short or too long for a snippet",
        "questions",
        "info",
        "Answers of about 40 to 60 words are the ones search engines quote whole; a one-liner says too "
        "little "
        "and a long block gets cut off mid-thought.",
        "Industry studies of featured snippet length (about 40 to 60 words)",
        "Write the first paragraph of the answer in about 40 to 60 words; put the detail after it.",
        RuleDocs(
            what="The answer's first block is shorter than checks.questions.snippet_min_words or longer than "
            "checks.questions.snippet_max_words.",
            why="The snippet is the answer most searchers read; it should stand on its own.",
            example='"Yes." as the whole answer to "Is scalp micropigmentation safe?".',
            instead="A 40 to 60 word answer that replies and gives the one condition that matters.",
            references=_REFS_SNIPPET,
        ),
    ),
    _rule(
        "QST005",
        "The answer makes no risky claim",
        "The answer contains a claims finding",
        "questions",
        "warning",
        "The answer to a target question is the text most likely to be quoted by search engines; a claim the "
        "clinic cannot substantiate there is repeated to every searcher.",
        "CAP Code (rules 3.1, 3.7, 12.1) as applied to cosmetic interventions",
        "Rewrite the flagged sentence as the claims finding suggests.",
        RuleDocs(
            what="A sentence of the best answer has a claims finding (from the claims check) on it.",
            why="A featured answer spreads the claim further than any other sentence on the site.",
            example='"Yes, and the results are permanent after one session."',
            instead='"Most clients need two to three sessions; the pigment softens over several years."',
            references=_REFS_ACC,
        ),
    ),
    _rule(
        "QST006",
        "FAQ structured data matches visible content",
        "FAQ structured data answer is not visible",
        "questions",
        "warning",
        "Structured data must describe what a reader can see; FAQ markup whose answer is not on the page "
        "breaks "
        "Google's structured data policies and may be ignored or penalised.",
        "Google Search Central: FAQPage structured data guidelines",
        "Show the same question and answer on the page, or remove them from the FAQPage markup.",
        RuleDocs(
            what="A Question/Answer of FAQPage JSON-LD whose answer text cannot be found in the page's visible text.",
            why="Readers cannot see it, and search engines treat hidden structured data as spam.",
            example='FAQPage markup answers "Is SMP permanent?" but the page never shows that answer.',
            instead="Add a visible FAQ item with the same question and answer text.",
            references=_REFS_FAQ,
        ),
    ),
    _rule(
        "QST007",
        "FAQ structured data agrees with the page",
        "FAQ structured data and the page disagree",
        "questions",
        "error",
        "When the markup and the visible answer say different things, search engines may show the one the "
        "clinic no longer stands behind.",
        "Google Search Central: structured data general guidelines (content must match)",
        "Make the FAQPage answer the same text as the visible answer.",
        RuleDocs(
            what="A question asked both in FAQPage JSON-LD and visibly on the page gets replies of different "
            "polarity (yes and no) or different numbers.",
            why="Two answers to one question on one page undermine both, and one of them is wrong.",
            example='Markup: "Yes, SMP is permanent." Page: "No, SMP fades gradually."',
            instead="Keep one answer and use it in both places.",
            references=_REFS_FAQ,
        ),
    ),
    _rule(
        "ACC101",
        "Answers agree with the expected answer",
        "An answer contradicts the expected answer",
        "accuracy",
        "error",
        "A wrong answer to a common question (SMP regrows hair, never fades, is painless) misleads patients "
        "and "
        "is a misleading claim under the advertising codes.",
        "CAP Code rules 3.1 and 3.7 (misleading advertising, substantiation); the question pack's expected answer",
        "Rewrite the answer to match the expected answer quoted in the finding.",
        RuleDocs(
            what="An answer to a target question replies with a polarity the pack marks as wrong, without "
            "the "
            "qualification that would make it right, or says a phrase the pack marks as wrong "
            "(not negated, hedged, quoted or a warning).",
            why="An answer people search for is read as the clinic's word; a false one misleads.",
            example='"Yes! Scalp micropigmentation stimulates new hair growth."',
            instead='"No, scalp micropigmentation does not regrow hair; it recreates the look of follicles."',
            references=_REFS_ACC,
        ),
    ),
    _rule(
        "ACC106",
        "Answers say what a correct answer must say",
        "An answer leaves out what it must say",
        "accuracy",
        "warning",
        "Some answers are only right with their condition: SMP is safe when a trained practitioner does it; "
        "an answer without the condition overstates.",
        "The question pack's expected answer (must_say)",
        "Add the missing condition to the answer, as the finding describes.",
        RuleDocs(
            what="The best answer to a target question does not say any of the words the pack requires "
            "(for safety: a trained practitioner).",
            why='A plain "Yes, it is safe" is an absolute claim; the condition is what makes it true.',
            example='"Yes, scalp micropigmentation is safe."',
            instead='"Yes, scalp micropigmentation is safe when it is done by a trained practitioner."',
            references=_REFS_ACC,
        ),
    ),
)


# --- units: the places on a page that may answer a question -------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A candidate answer: what asks (a heading, an FAQ question or nothing) and the sentences answering."""

    url: str
    findable_as: FindableAs
    asked: Seq | None
    asked_text: str | None
    sentences: tuple[Seq, ...]
    snippet_count: int  # the first block's sentences: the part a search snippet would show
    snippet_text: str
    block_index: int | None  # the first answer block
    block_indexes: tuple[int, ...]
    heading_path: tuple[str, ...]
    locator: str | None
    subject: SubjectKind
    keyset: frozenset[str]
    visible: bool = True
    context: str = ""  # the whole text the evidence sits in
    mid_paragraph: bool = False  # a passage opening on a later sentence of its paragraph

    @property
    def snippet(self) -> tuple[Seq, ...]:
        return self.sentences[: self.snippet_count]


@dataclass(frozen=True)
class Answered:
    """One unit's match with a question, without the question: what a page's part carries across processes
    (the question is put back from the pack where the parts are gathered, see Answered.dress)."""

    unit: Unit
    score: float
    signals: tuple[tuple[str, float], ...]
    matched: tuple[str, ...]
    notes: tuple[str, ...]
    reply_at: int | None
    reply_why: str | None

    def bare(self) -> Answered:
        return Answered(self.unit, self.score, self.signals, self.matched, self.notes, self.reply_at, self.reply_why)

    def dress(self, q: Question) -> Scored:
        return Scored(
            self.unit, self.score, self.signals, self.matched, self.notes, self.reply_at, self.reply_why, question=q
        )


@dataclass(frozen=True)
class Scored(Answered):
    """One unit's match with one question, with the signals that explain the score."""

    question: Question = field(kw_only=True)


@dataclass(frozen=True)
class Verdict:
    wrong: bool
    reasons: tuple[str, ...] = ()
    sentence: Seq | None = None
    claim_type: str | None = None
    missing: str | None = None
    cleared: tuple[str, ...] = ()  # why a suspicious phrase was let through (negated, hedged…)


@dataclass(frozen=True)
class PageScore:
    """How well one page answers one question (its best unit): a row of the coverage matrix."""

    url: str
    score: float
    findable_as: FindableAs
    asked_text: str | None
    snippet_text: str

    @classmethod
    def of(cls, scored: Scored) -> PageScore:
        u = scored.unit
        return cls(u.url, scored.score, u.findable_as, u.asked_text, u.snippet_text)

    @property
    def order(self) -> tuple[float, int, str]:
        """Best first; on a tie the more findable answer, then the address: a total order over pages."""
        return (-self.score, -_FINDABLE_RANK[self.findable_as], self.url)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    best: Scored | None
    per_page: tuple[PageScore, ...]  # each page's best unit, best first
    contradicting: tuple[tuple[Scored, Verdict], ...]  # every answering unit that contradicts the expected answer
    verdict: Verdict | None  # of the best answer
    suggestion: tuple[str, str] | None  # (url, why) when unanswered
    best_claims: tuple[Finding, ...] = ()  # claims findings inside the best answer


@dataclass
class Analysis:
    results: list[QuestionResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class PageQuestions:
    """One page's part of question coverage, worked out where the page is analysed (the map step).

    `best` holds, per question id, the page's best unit, the claims findings inside it and the answering units
    that contradict the expected answer; `keys` are the words of the page's address and title, used to suggest
    where an unanswered question belongs.
    """

    url: str
    keys: frozenset[str]
    best: tuple[tuple[str, Answered | None, tuple[Finding, ...], tuple[tuple[Answered, Verdict], ...]], ...]
    schema_findings: tuple[Finding, ...]


@dataclass
class Gathered:
    """Every page's part, combined as pages arrive; nothing in it depends on the order they arrive in."""

    per_page: dict[str, list[PageScore]] = field(default_factory=dict)  # question id -> rows
    best: dict[str, tuple[Scored, tuple[Finding, ...]]] = field(default_factory=dict)  # site-wide best so far
    contradicting: dict[str, list[tuple[Scored, Verdict]]] = field(default_factory=dict)
    keys: dict[str, frozenset[str]] = field(default_factory=dict)  # url -> address and title words
    schema_findings: list[Finding] = field(default_factory=list)


def _seqs_by_block(ap: AnalysedPage) -> dict[int, list[Seq]]:
    out: dict[int, list[Seq]] = {}
    for sentence in ap.sentences:
        out.setdefault(sentence.block_index, []).append(seq_from_sentence(sentence))
    return out


def _subject_of_unit(
    asked: Seq | None,
    sentences: Sequence[Seq],
    path_kinds: Iterable[SubjectKind],
    page_smp: bool,
    subject: SubjectTerms,
) -> SubjectKind:
    """A first sentence that changes the subject wins over the page: "hair transplants regrow hair"."""
    near = [s for s in ([asked] if asked else []) + list(sentences[:1])]
    kinds = [subject_of(s, subject)[0] for s in near]
    if "smp" in kinds:
        return "smp"
    if "other" in kinds:
        return "other"
    later = [subject_of(s, subject)[0] for s in sentences[1:2]]
    if "smp" in later or page_smp or "smp" in path_kinds:
        return "smp"
    if "generic" in kinds or "generic" in later:
        return "generic"
    return "none"


def _norm(text: str) -> str:
    return re.sub(r"[^\w£$€%]+", " ", text.lower()).strip()


def _schema_pairs(page: Page) -> list[FaqPair]:
    return [f for f in page.faqs if f.source == "schema" and f.question.strip() and f.answer.strip()]


def _visible_text(page: Page) -> str:
    return " " + _norm(" ".join(b.text for b in page.blocks)) + " "


def visible_on_page(answer: str, visible: str) -> bool:
    """The answer's words appear on the page in order: exactly, or with at least 80% of its word triples."""
    norm = _norm(re.sub(r"<[^>]+>", " ", answer))
    if not norm:
        return True
    if f" {norm} " in visible:
        return True
    words = norm.split()
    if len(words) < 4:
        return False
    triples = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    found = sum(1 for t in triples if f" {t} " in visible)
    return found / len(triples) >= 0.8


def page_units(ap: AnalysedPage, subject: SubjectTerms, core_keys: frozenset[str] | None = None) -> list[Unit]:
    """Every place on a page that may answer a question: asked-and-answered sections, FAQ items, text."""
    page = ap.page
    by_block = _seqs_by_block(ap)
    blocks = page.blocks
    title_smp = False
    if page.title:
        title_smp = any(subject_of(s, subject)[0] == "smp" for s in text_seqs(page.title))
    heading_kind: dict[str, SubjectKind] = {}
    for b in blocks:
        if b.kind in _ASKING_KINDS and b.index in by_block:
            kinds = [subject_of(s, subject)[0] for s in by_block[b.index]]
            heading_kind[b.text] = "smp" if "smp" in kinds else "other" if "other" in kinds else "generic"
    h1_smp = any(heading_kind.get(h.text) == "smp" for h in page.headings if h.level == 1)
    page_smp = title_smp or h1_smp
    faq_asks = {f.block_index for f in page.faqs if f.source in ("details", "dl") and f.block_index is not None}
    # A visible question that is also in the page's FAQPage markup is an FAQ item, not just a heading.
    schema_questions = {_norm(f.question) for f in _schema_pairs(page)}
    units: list[Unit] = []
    covered: set[int] = set()  # first paragraphs of sections already scored as part of their section

    def path_kinds(path: tuple[str, ...]) -> list[SubjectKind]:
        return [heading_kind.get(t, "none") for t in path]

    for i, block in enumerate(blocks):
        seqs = by_block.get(block.index)
        if not seqs or not block.in_main:  # navigation, footers and banners answer nothing
            continue
        if block.kind in _ASKING_KINDS:
            answer_blocks = []
            for later in blocks[i + 1 :]:
                if later.kind in _ASKING_KINDS:
                    break
                if later.kind in _ANSWER_KINDS and later.index in by_block and later.in_main:
                    answer_blocks.append(later)
                    if len(answer_blocks) >= _MAX_ANSWER_BLOCKS:
                        break
            if not answer_blocks:
                continue
            snippet_blocks = [answer_blocks[0]]
            if answer_blocks[0].text.rstrip().endswith(":"):
                for later in answer_blocks[1:]:
                    if later.kind != "list_item":
                        break
                    snippet_blocks.append(later)
            sentences: list[Seq] = []
            for b in answer_blocks:
                sentences.extend(by_block[b.index])
            sentences = sentences[:_MAX_ANSWER_SENTENCES]
            snippet_count = min(len(sentences), sum(len(by_block[b.index]) for b in snippet_blocks))
            asked = join_seqs(seqs)
            if subject_of(asked, subject)[0] != "other":
                # this section scores at least as well as its first paragraph alone, so that one is not
                # scored again (under a heading about another treatment it may do better, and is kept)
                covered.add(answer_blocks[0].index)
            findable: FindableAs = (
                "faq"
                if block.kind == "faq_question" or block.index in faq_asks or _norm(block.text) in schema_questions
                else "heading"
            )
            first = answer_blocks[0]
            keyset = frozenset().union(asked.keyset, *(s.keyset for s in sentences))
            units.append(
                Unit(
                    url=page.url,
                    findable_as=findable,
                    asked=asked,
                    asked_text=block.text,
                    sentences=tuple(sentences),
                    snippet_count=snippet_count,
                    snippet_text=" ".join(b.text for b in snippet_blocks),
                    block_index=first.index,
                    block_indexes=tuple(b.index for b in answer_blocks),
                    heading_path=(*block.heading_path, block.text),
                    locator=first.locator,
                    subject=_subject_of_unit(asked, sentences, path_kinds(block.heading_path), page_smp, subject),
                    keyset=keyset,
                    context=first.text,
                )
            )
        elif block.kind in _ANSWER_KINDS:
            asked_seq: Seq | None = None
            body = list(seqs)
            if len(body) > 1 and body[0].question:
                asked_seq, body = body[0], body[1:]
            # A passage may answer from any sentence of a paragraph on ("…SMP is not a tattoo. … When
            # performed correctly, SMP does not damage hair follicles."): each sentence opens a candidate.
            for i in range(len(body)):
                rest = body[i : i + _MAX_ANSWER_SENTENCES]
                if i and (rest[0].question or (core_keys is not None and not rest[0].keyset & core_keys)):
                    continue  # a passage opening mid-paragraph must open on the question's words
                if i == 0 and block.index in covered and asked_seq is None:
                    continue
                asks_here = asked_seq if i == 0 else None
                offset = rest[0].start if i and block.text[rest[0].start : rest[0].end] == rest[0].text else 0
                units.append(
                    Unit(
                        url=page.url,
                        findable_as="body",
                        asked=asks_here,
                        asked_text=asks_here.text if asks_here else None,
                        sentences=tuple(rest),
                        snippet_count=len(rest),
                        snippet_text=block.text[offset:],
                        block_index=block.index,
                        block_indexes=(block.index,),
                        heading_path=block.heading_path,
                        locator=block.locator,
                        subject=_subject_of_unit(asks_here, rest, path_kinds(block.heading_path), page_smp, subject),
                        keyset=frozenset().union(*(s.keyset for s in rest), *((asks_here.keyset,) if asks_here else ())),
                        context=block.text,
                        mid_paragraph=i > 0,
                    )
                )
    visible = _visible_text(page) if any(f.source == "schema" for f in page.faqs) else ""
    for pair in _schema_pairs(page):
        asked = join_seqs(text_seqs(pair.question))
        answer_text = re.sub(r"<[^>]+>", " ", pair.answer)
        answer_text = re.sub(r"\s+", " ", answer_text).strip()
        sentences = text_seqs(answer_text)[:_MAX_ANSWER_SENTENCES]
        if not sentences:
            continue
        keyset = frozenset().union(asked.keyset, *(s.keyset for s in sentences))
        units.append(
            Unit(
                url=page.url,
                findable_as="faq_schema",
                asked=asked,
                asked_text=pair.question,
                sentences=tuple(sentences),
                snippet_count=len(sentences),
                snippet_text=answer_text,
                block_index=None,
                block_indexes=(),
                heading_path=(),
                locator=pair.locator or None,
                subject=_subject_of_unit(asked, sentences, (), page_smp, subject),
                keyset=keyset,
                visible=visible_on_page(pair.answer, visible),
                context=answer_text,
            )
        )
    return units


# --- scoring
# -------------------------------------------------------------------------------------------------


_UNSET: Any = object()


class _View:
    """What one sentence holds for one question; kept on the sentence, as passages overlap and share it.

    `concepts` and `terms` are read for every sentence of a scored unit, so they are worked out at once; whether
    it replies directly, the fact it states and what it says as expected are read only up to the first reply or
    within the snippet, so each is worked out the first time it is asked for.
    """

    __slots__ = ("_direct", "_fact", "_says", "concepts", "q", "seq", "terms")

    def __init__(self, seq: Seq, q: Question, concepts: tuple[Hit | None, ...], terms: frozenset[str]) -> None:
        self.seq, self.q = seq, q
        self.concepts = concepts  # the first hit of each concept the question asks about
        self.terms = terms  # the answer terms it uses
        self._direct: str | None = _UNSET
        self._fact: str | None = _UNSET
        self._says: Hit | None = _UNSET

    @property
    def direct(self) -> str | None:
        """Why it is a direct reply, if it is."""
        if self._direct is _UNSET:
            q = self.q
            if self.seq.keyset & q.view_keys:
                self._direct = is_direct(self.seq, q.all_asks, q.expected.polar, q.answer_terms, q.requires,
                                         q.fact_question)
            else:  # none of the question's words: only a bare "Yes,"/"No," or a stated figure can make it a reply
                self._direct = is_direct(self.seq, (), (), (), q.requires, q.fact_question)
        return self._direct

    @property
    def fact(self) -> str | None:
        """The fact of the kind the question requires, as written."""
        if self._fact is _UNSET:
            self._fact = find_fact(self.seq.text, self.q.requires) if self.q.requires else None
        return self._fact

    @property
    def says(self) -> Hit | None:
        """A must-say (or else a qualifying) phrase."""
        if self._says is _UNSET:
            exp = self.q.expected
            if self.seq.keyset & self.q.view_keys:
                self._says = first_hit(self.seq, exp.must_say) or first_hit(self.seq, exp.qualified_by)
            else:
                self._says = None
        return self._says


def _view(seq: Seq, q: Question) -> _View:
    key = q.memo_key
    view = seq.memo.get(key)
    if view is None:
        if not seq.keyset & q.view_keys:
            view = _View(seq, q, q.no_concepts, frozenset())
        else:
            view = _View(
                seq,
                q,
                tuple(first_hit(seq, c.phrases) for c in q.asks),
                frozenset(h.phrase for h in find_all(seq, q.answer_terms)),
            )
        seq.memo[key] = view
    return view


def _concept_hits(seq: Seq, q: Question) -> list[Hit | None]:
    return list(_view(seq, q).concepts)


def score_unit(q: Question, unit: Unit, subject: SubjectTerms) -> Scored | None:
    """Score in [0, 1] as a weighted sum of named signals, each explained in `matched` and `notes`."""
    if not unit.sentences:
        return None
    if not (unit.keyset & q.core_keys) and not (unit.asked is not None and unit.asked.keyset & q.answer_keys):
        return None
    matched: list[str] = []
    notes: list[str] = []
    asks_head = 0.0
    if unit.asked is not None:
        kind, other = subject_of(unit.asked, subject)
        if kind == "other":
            notes.append(f"the question asked there is about another treatment ('{other}')")
        else:
            form = next((f for f, keys in q.forms if keys <= unit.asked.keyset), None)
            if form is not None:
                asks_head = 1.0
                matched.append(f"asks it like '{form}'")
            else:
                parts: list[float] = []
                for concept, hit in zip(q.asks, _concept_hits(unit.asked, q), strict=True):
                    if hit is not None:
                        parts.append(1.0)
                        matched.append(f"asks about '{hit.phrase}'")
                        continue
                    para = first_hit(unit.asked, q.answer_terms)
                    if para is not None:
                        parts.append(PARAPHRASE_CREDIT)
                        matched.append(f"asks about '{para.phrase}' (for '{concept.name}')")
                    else:
                        parts.append(0.0)
                asks_head = sum(parts) / len(parts)
            if asks_head and not _question_shaped(unit.asked.text):
                asks_head *= STATEMENT_HEADING_CREDIT
                notes.append("the heading names the topic but does not ask the question")
            avoid = first_hit(unit.asked, q.avoid)
            if avoid is not None and asks_head > 0:
                asks_head *= 0.5
                notes.append(f"the question asked there mentions '{avoid.phrase}', which points to another question")
    first = unit.sentences[0]
    opening = 1  # sentences that count as the opening: a bare "Yes!" is read with the sentence after it
    if len(unit.sentences) > 1 and len(first.words) <= 3 and lead_reply(first) is not None:
        first = join_seqs(unit.sentences[:2])
        opening = 2
    restate = 0.0
    candidates = [(first, RESTATE_CREDIT, "first")]
    if len(unit.sentences) > opening:
        candidates.append((unit.sentences[opening], RESTATE_LATER_CREDIT, "second"))
    for sentence, credit, which in candidates:
        if sentence.question:
            continue
        hits = _concept_hits(sentence, q)
        share = sum(1.0 for h in hits if h is not None) / len(hits)
        share *= {"smp": 1.0, "generic": 1.0, "none": 0.5, "other": 0.0}[subject_of(sentence, subject)[0]]
        if share and credit * share > max(asks_head, restate):
            restate = credit * share
            matched.append(f"{which} sentence restates it: " + ", ".join(f"'{h.phrase}'" for h in hits if h))
    asks = max(asks_head, restate)

    views = [_view(s, q) for s in unit.sentences]
    topic_parts: list[float] = []
    for j in range(len(q.asks)):
        found = 0.0
        for i, view in enumerate(views):
            if view.concepts[j] is not None:
                found = 1.0 if i < opening else 0.8 if i < 3 else 0.5
                break
        topic_parts.append(found)
    topic = sum(topic_parts) / len(topic_parts)

    terms: set[str] = set()
    for view in views:
        terms.update(view.terms)
    content = min(1.0, len(terms) / CONTENT_SATURATION)
    if terms:
        matched.append("answer terms: " + ", ".join(sorted(terms)[:6]))

    reply_at: int | None = None
    reply_why: str | None = None
    for i, view in enumerate(views):
        if view.direct is not None:
            reply_at, reply_why = i, view.direct
            break
    reply = 0.0
    if reply_at is not None:
        lead = lead_reply(unit.sentences[reply_at]) is not None
        reply = (1.0 if lead else 0.8) if reply_at == 0 else 0.4 if reply_at <= 2 else 0.2
    expected, why_expected = _agreement(q, unit, reply_at)
    if why_expected:
        matched.append(why_expected)

    score = W_ASKS * asks + W_TOPIC * topic + W_CONTENT * content + W_REPLY * reply + W_EXPECTED * expected
    # An answer that never names what the question is about counts only under a question that asks it in
    # other words ("How will my scalp feel?" for "Does it hurt?"), not under a topic heading.
    asked_directly = any(m.startswith(("asks it", "asks about '")) and "(for" not in m for m in matched)
    paraphrased = any("(for" in m for m in matched) and unit.asked is not None and unit.asked.question
    if not topic and not asked_directly and not paraphrased:
        score *= 0.5
        notes.append("neither the heading nor the answer names what the question asks about")
    if q.requires:
        fact = next((v.fact for v in views if v.fact), None)
        if fact is None:
            score *= 0.5
            notes.append(f"states no {q.requires} ({'a price' if q.requires == 'money' else 'a number'})")
        else:
            matched.append(f"states '{fact}'")
    if unit.subject == "other":
        score *= 0.3
        notes.append("it is about another treatment")
    elif unit.subject == "none":
        score *= 0.6 if unit.findable_as == "body" else 0.85
        notes.append("it does not say what it is about")
    if unit.findable_as == "faq_schema" and not unit.visible:
        score *= 0.9
        notes.append("only in FAQPage structured data, not visible on the page")
    signals = (
        ("asks", round(asks, 3)),
        ("topic", round(topic, 3)),
        ("content", round(content, 3)),
        ("reply", round(reply, 3)),
        ("expected", round(expected, 3)),
    )
    return Scored(unit, round(score, 3), signals, tuple(matched), tuple(notes), reply_at, reply_why, question=q)


def _agreement(q: Question, unit: Unit, reply_at: int | None) -> tuple[float, str | None]:
    """How far the answer says what the expected answer says: its reply's polarity, or words it must use."""
    exp = q.expected
    snippet = unit.snippet or unit.sentences[:1]
    if exp.range is not None and q.requires:
        for seq in snippet:
            fact = _view(seq, q).fact
            stated = parse_range(fact) if fact else None
            if stated is None:
                continue
            lo, hi = exp.range
            if lo <= stated[0] and stated[1] <= hi:
                return 1.0, f"says '{fact}', within the usual {lo:g} to {hi:g}"
            return 0.5, f"says '{fact}', outside the usual {lo:g} to {hi:g}"
    if exp.polarity in ("yes", "no") and reply_at is not None:
        reply = reply_polarity(unit.sentences[reply_at], exp.polar)
        if reply is not None and reply.polarity == exp.polarity:
            return 1.0, f"replies '{reply.polarity}' as expected"
    words = next((v.says for v in (_view(seq, q) for seq in snippet) if v.says is not None), None)
    if words is not None:
        return (1.0 if exp.polarity in ("depends", "fact") else 0.5), f"says '{words.phrase}' as expected"
    return 0.0, None


def _better(a: Scored, b: Scored | None) -> bool:
    """Higher score; on a tie the more findable, then the earlier place on the page (a total order)."""
    if b is None:
        return True
    if abs(a.score - b.score) > 1e-9:
        return a.score > b.score
    return _place(a.unit) < _place(b.unit)


def _place(unit: Unit) -> tuple[int, int, int, str]:
    first = unit.sentences[0].start if unit.sentences else 0
    block = unit.block_index if unit.block_index is not None else 1 << 30
    return (-_FINDABLE_RANK[unit.findable_as], block, first, unit.asked_text or "")


def _unit_index(
    units: Sequence[Unit], watched: frozenset[str], asked_watched: frozenset[str]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Unit positions by the watched words they hold, and by the answer words their heading holds."""
    by_key: dict[str, list[int]] = {}
    by_asked: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        for key in unit.keyset & watched:
            by_key.setdefault(key, []).append(i)
        if unit.asked is not None:
            for key in unit.asked.keyset & asked_watched:
                by_asked.setdefault(key, []).append(i)
    return by_key, by_asked


def upper_bound(q: Question, unit: Unit, subject: SubjectTerms) -> float:
    """A score the unit cannot exceed, from which words it holds: it lets the engine skip hopeless units.

    Each signal is bounded by the presence of the words it needs; reply and agreement are taken at their
    maximum; the gates that depend only on the unit (its subject, visibility) are applied as in score_unit.
    tests/test_questions_bound.py holds score_unit to it on real pages.
    """
    concept = q.concept_keys
    asks = 0.0
    if unit.asked is not None and subject_of(unit.asked, subject)[0] != "other":
        asked = unit.asked.keyset
        if asked & concept or asked & q.answer_keys or any(keys <= asked for _, keys in q.forms):
            asks = 1.0
    if asks < RESTATE_CREDIT and any(s.keyset & concept for s in unit.sentences[:3]):
        asks = RESTATE_CREDIT
    topic = 1.0 if unit.keyset & concept else 0.0  # the unit's words include the heading's: looser, cheaper
    counts = q.answer_first_counts
    terms = sum(counts[k] for k in unit.keyset & q.answer_keys)
    content = min(1.0, terms / CONTENT_SATURATION)
    bound = W_ASKS * asks + W_TOPIC * topic + W_CONTENT * content + W_REPLY + W_EXPECTED
    if not topic and unit.asked is None:
        bound *= 0.5
    if unit.subject == "other":
        bound *= 0.3
    elif unit.subject == "none":
        bound *= 0.6 if unit.findable_as == "body" else 0.85
    if unit.findable_as == "faq_schema" and not unit.visible:
        bound *= 0.9
    return bound


# --- accuracy
# ------------------------------------------------------------------------------------------------


def _has_any(seqs: Sequence[Seq], phrases: Sequence[Phrase]) -> Hit | None:
    for s in seqs:
        hit = first_hit(s, phrases)
        if hit is not None:
            return hit
    return None


def judge(scored: Scored, subject: SubjectTerms) -> Verdict:
    """Does this answer contradict the expected answer? Replies and phrases, each guard explained."""
    q = scored.question
    exp = q.expected
    unit = scored.unit
    snippet = unit.snippet or unit.sentences[:1]
    reasons: list[str] = []
    cleared: list[str] = []
    culprit: Seq | None = None
    claim_type: str | None = None
    # Under a heading the reply may come late; a passage of body text must open with it to count as one.
    reply_window = 1 if unit.findable_as == "body" else 4
    if exp.wrong_polarities and scored.reply_at is not None and scored.reply_at < reply_window:
        seq = unit.sentences[scored.reply_at]
        reply = reply_polarity(seq, exp.polar)
        if reply is not None and reply.polarity in exp.wrong_polarities:
            guard: str | None = None
            if not reply.lead:
                hit = first_hit(seq, exp.polar)
                if hit is not None and reply.polarity == "yes":
                    guard = not_asserted(seq, hit, subject)
                elif seq.question:
                    guard = "a question"
            qualifier = _has_any(snippet, exp.qualified_by) if exp.qualified_by else None
            if guard is not None:
                cleared.append(f"reply '{reply.cue}' is {guard}")
            elif qualifier is not None:
                cleared.append(f"reply '{reply.cue}' is qualified by '{qualifier.phrase}'")
            else:
                said = f"'{reply.cue}'" if reply.lead else f"'{reply.polarity}' ('{reply.cue}')"
                reasons.append(f"replies {said} where the expected answer is '{exp.polarity}'")
                culprit = _with_next(unit, scored.reply_at) if reply.lead and len(seq.words) <= 3 else seq
                claim_type = exp.claim_type
    for seq in snippet:
        taken: set[int] = set()
        for forbidden in sorted(exp.must_not_say, key=lambda f: -len(f.phrase.keys)):
            for start in _starts(seq, forbidden.phrase):
                hit = Hit(forbidden.phrase.text, start, start + len(forbidden.phrase.keys))
                if taken.intersection(range(hit.start, hit.end)):
                    continue
                taken.update(range(hit.start, hit.end))
                guard = not_asserted(seq, hit, subject)
                if guard is not None:
                    cleared.append(f"'{forbidden.phrase.text}' is {guard}")
                    continue
                reason = f"says '{forbidden.phrase.text}'"
                if reason not in reasons:
                    reasons.append(reason)
                if culprit is None:
                    culprit = seq
                if claim_type is None:
                    claim_type = forbidden.claim_type
    if reasons:
        return Verdict(True, tuple(reasons), culprit, claim_type or exp.claim_type, None, tuple(cleared))
    missing = None
    if exp.must_say and _has_any(snippet, exp.must_say) is None:
        missing = exp.must_say_why
    return Verdict(False, (), None, None, missing, tuple(cleared))


def _with_next(unit: Unit, i: int) -> Seq:
    """A bare "Yes!" quoted with the sentence it introduces, so the quote says what was claimed."""
    if i + 1 >= len(unit.sentences):
        return unit.sentences[i]
    a, b = unit.sentences[i], unit.sentences[i + 1]
    span = unit.context[a.start : b.end] if a.block_index == b.block_index else ""
    text = span if span.startswith(a.text) and span.endswith(b.text) else f"{a.text} {b.text}"
    keys = (*a.keys, *b.keys)
    return Seq(text, (*a.words, *b.words), keys, frozenset(keys), a.block_index, a.start, a.start + len(text))


def _starts(seq: Seq, phrase: Phrase) -> list[int]:
    from checks.answers import find

    return find(seq, phrase)


# --- the check
# -----------------------------------------------------------------------------------------------


def _qconfig(config: Any) -> QuestionsConfig:
    qc = getattr(getattr(config, "checks", None), "questions", None)
    return qc if isinstance(qc, QuestionsConfig) else QuestionsConfig()


def _excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _evidence(unit: Unit, seq: Seq | None = None) -> Evidence:
    if seq is None:
        seq = unit.sentences[0] if unit.sentences else None
    if seq is None:
        return Evidence(
            _excerpt(unit.snippet_text),
            None,
            None,
            unit.context,
            unit.heading_path,
            unit.locator,
            unit.block_index,
        )
    in_context = unit.context[seq.start : seq.end] == seq.text
    return Evidence(
        excerpt=seq.text,
        start=seq.start if in_context else None,
        end=seq.end if in_context else None,
        context=unit.context if in_context else unit.snippet_text,
        heading_path=unit.heading_path,
        locator=unit.locator,
        block_index=seq.block_index if seq.block_index is not None else unit.block_index,
    )


def _question_details(q: Question) -> tuple[tuple[str, Any], ...]:
    """What every finding about a target question records of it, for the report's question views."""
    return (
        ("question_id", q.id),
        ("question", q.question),
        ("expected", q.expected.fact),
        ("expected_polarity", q.expected.polarity),
    )


def _answer_finding(
    check_id: str,
    severity: Severity,
    q: Question,
    unit: Unit,
    message: str,
    suggestion: str,
    details: Iterable[tuple[str, Any]] = (),
    *,
    key: str | None = None,
    evidence: Evidence | None = None,
    claim_type: str | None = None,
) -> Finding:
    """A finding about the best answer to `q`. One passage may answer several questions, so the default key
    names the question as well as the passage: each finding keeps its own fingerprint."""
    shown = _evidence(unit)
    return Finding(
        check_id=check_id,
        category="accuracy" if check_id.startswith("ACC") else "questions",
        severity=severity,
        url=unit.url,
        message=message,
        suggestion=suggestion,
        evidence=evidence or shown,
        claim_type=claim_type,
        details=(*_question_details(q), *details),
        key=key if key is not None else f"{q.id}:{shown.excerpt}",
    )


def _page_keys(page: Page, title_seqs: Sequence[Seq]) -> frozenset[str]:
    from checks.answers import stem

    parts = urlsplit(page.url).path if "://" in page.url else page.url
    keys = {stem(w) for w in re.split(r"[^a-z0-9]+", parts.lower()) if w}
    for s in title_seqs:
        keys.update(s.keys)
    return frozenset(keys)


class QuestionCoverageCheck:
    """Site check: coverage, findability, quality and accuracy of the answers to the packs' questions."""

    name = "questions"

    def __init__(self, config: Config | None = None, packs: Sequence[QuestionPack] | None = None) -> None:
        self.config = _qconfig(config)
        self.packs: tuple[QuestionPack, ...] = tuple(packs) if packs is not None else load_packs(self.config.packs)
        self._cache: tuple[Site, int, Analysis] | None = None
        self._questions = {q.id: q for pack in self.packs for q in pack.questions}
        # per pack: the words any of its questions is triggered by, and the answer words a heading may hold
        self._pack_keys = [
            (
                pack,
                frozenset().union(*(q.core_keys for q in pack.questions)),
                frozenset().union(*(q.answer_keys for q in pack.questions)),
            )
            for pack in self.packs
        ]

    def rules(self) -> Sequence[RuleInfo]:
        return RULES

    # The pipeline calls check_site and then site_data on the same site: analyse once.
    def analyse(self, site: Site, ctx: CheckContext) -> Analysis:
        cached = self._cache
        if cached is not None and cached[0] is site and cached[1] == id(ctx.options):
            return cached[2]
        analysis = self._analyse(site, ctx)
        self._cache = (site, id(ctx.options), analysis)
        return analysis

    def check_site(self, site: Site, ctx: CheckContext) -> Iterable[Finding]:
        return list(self.analyse(site, ctx).findings)

    def site_data(self, site: Site, ctx: CheckContext) -> dict[str, Any]:
        analysis = self.analyse(site, ctx)
        data = {"questions": [self._question_data(r) for r in analysis.results]}
        self._cache = None  # the pipeline asks for findings, then data: a scheduled run need not keep the site
        return data

    # --- the map step: one page against every question ---

    def prepare_page(self, ap: AnalysedPage, findings: Sequence[Finding], ctx: CheckContext) -> PageQuestions:
        """Score the page's units against every question; keep only what the site-wide step needs."""
        del ctx
        cfg = self.config
        page = ap.page
        best: list[tuple[str, Answered | None, tuple[Finding, ...], tuple[tuple[Answered, Verdict], ...]]] = []
        schema: list[Finding] = []
        for pack, watched, answer_all in self._pack_keys:
            subject = pack.subject
            units = page_units(ap, subject, watched)
            page_keys = frozenset().union(*(u.keyset for u in units))
            by_key, by_asked = _unit_index(units, watched, answer_all)
            for q in pack.questions:
                if not (page_keys & q.trigger_keys):
                    continue
                page_best: Scored | None = None
                wrong: list[tuple[Answered, Verdict]] = []
                core, risky = q.core_keys, q.risk_keys
                picked: set[int] = set()
                for key in core & by_key.keys():
                    picked.update(by_key[key])
                for key in q.answer_keys & by_asked.keys():
                    picked.update(by_asked[key])
                bounded = [
                    (upper_bound(q, unit, subject), unit)
                    for unit in (units[i] for i in sorted(picked))
                    # a passage opening mid-paragraph is only worth it when it opens on this question
                    if not (unit.mid_paragraph and not unit.sentences[0].keyset & core)
                ]
                # Best first, so most units are never scored: a unit that cannot beat the page's best, and
                # cannot contradict the expected answer, changes nothing.
                bounded.sort(key=lambda b: -b[0])
                for bound, unit in bounded:
                    can_contradict = bound >= cfg.min_score and bool(
                        unit.keyset & risky or any(lead_reply(s) for s in unit.sentences[:4])
                    )
                    if page_best is not None and bound < page_best.score - 1e-9 and not can_contradict:
                        continue
                    scored = score_unit(q, unit, subject)
                    if scored is None:
                        continue
                    if scored.score >= cfg.min_score:
                        verdict = judge(scored, subject)
                        if verdict.wrong:
                            wrong.append((scored.bare(), verdict))
                    if _better(scored, page_best):
                        page_best = scored
                if page_best is not None and page_best.score <= 0:
                    page_best = None
                if page_best is None and not wrong:
                    continue
                claims = tuple(_claims_in(page_best.unit, findings)) if page_best is not None else ()
                best.append((q.id, page_best.bare() if page_best else None, claims, tuple(wrong)))
            schema.extend(self._schema_findings([(ap, units)], subject, pack.questions))
        title_seqs = text_seqs(page.title) if page.title else []
        return PageQuestions(page.url, _page_keys(page, title_seqs), tuple(best), tuple(schema))

    def start(self) -> Gathered:
        return Gathered()

    def gather(self, gathered: Gathered, prepared: PageQuestions) -> None:
        gathered.keys[prepared.url] = prepared.keys
        gathered.schema_findings.extend(prepared.schema_findings)
        for qid, bare, claims, wrong in prepared.best:
            q = self._questions.get(qid)
            if q is None:  # a page prepared under another pack (an edited config): its part no longer applies
                continue
            if wrong:
                gathered.contradicting.setdefault(qid, []).extend((w.dress(q), v) for w, v in wrong)
            if bare is None:
                continue
            row = PageScore.of(bare.dress(q))
            gathered.per_page.setdefault(qid, []).append(row)
            held = gathered.best.get(qid)
            if held is None or row.order < PageScore.of(held[0]).order:
                gathered.best[qid] = (bare.dress(q), claims)

    # --- the reduce step ---

    def _analyse(self, site: Site, ctx: CheckContext) -> Analysis:
        cfg = self.config
        g: Gathered = gathered(self, site, ctx)
        analysis = Analysis()
        for pack in self.packs:
            for q in pack.questions:
                per_page = sorted(g.per_page.get(q.id, ()), key=lambda r: r.order)
                held = g.best.get(q.id)
                best = held[0] if held is not None and held[0].score >= cfg.min_score else None
                verdict = judge(best, pack.subject) if best is not None else None
                suggestion = None if best is not None else self._suggest_home(q, site, per_page, g.keys)
                contradicting = sorted(
                    g.contradicting.get(q.id, ()), key=lambda c: (c[0].unit.url, _place(c[0].unit), -c[0].score)
                )
                analysis.results.append(
                    QuestionResult(
                        q, best, tuple(per_page), tuple(contradicting), verdict, suggestion,
                        held[1] if best is not None and held is not None else (),
                    )
                )
        analysis.findings.extend(sorted(g.schema_findings, key=lambda f: (f.url, f.check_id, f.fingerprint)))
        analysis.findings.extend(self._findings(site, analysis.results))
        return analysis

    # --- where an unanswered question belongs ---

    def _suggest_home(
        self, q: Question, site: Site, per_page: Sequence[PageScore], page_keys: Mapping[str, frozenset[str]]
    ) -> tuple[str, str]:
        suggest_keys = {p.keys[0]: p.text for p in q.suggest if p.keys and p.text.lower() != "faq"}
        best_topic: tuple[int, str, str] | None = None
        faq_page: str | None = None
        for ap in site.pages:
            page = ap.page
            keys = page_keys.get(page.url, frozenset())
            hits = [suggest_keys[k] for k in suggest_keys if k in keys]
            if hits and (best_topic is None or len(hits) > best_topic[0]):
                best_topic = (len(hits), page.url, hits[0])
            low = f"{page.url} {page.title or ''}".lower()
            schema_or_visible_faqs = len(page.faqs)
            if faq_page is None and ("faq" in low or "frequently asked" in low or schema_or_visible_faqs >= 4):
                faq_page = page.url
        if best_topic is not None:
            return best_topic[1], f"its topic page: its address or title mentions '{best_topic[2]}'"
        close = [s for s in per_page if s.score >= PARTIAL_SCORE]
        if close:
            return close[0].url, f"the closest page: it touches on the question (score {close[0].score:.2f})"
        if faq_page is not None:
            return faq_page, "the FAQ page"
        root = site.root_url or (site.pages[0].page.url if site.pages else site.name)
        return root, "the home page, as no page is closer"

    # --- findings ---

    def _findings(self, site: Site, results: Sequence[QuestionResult]) -> list[Finding]:
        cfg = self.config
        findings: list[Finding] = []
        # One sentence may contradict several questions ("lasts forever" for how long, fade, permanent):
        # it is one finding, led by the question it best answers, naming the others.
        contradictions: dict[tuple[str, str], list[tuple[QuestionResult, Scored, Verdict]]] = {}
        for r in results:
            q = r.question
            base = _question_details(q)
            if r.best is None:
                url, why = r.suggestion or (site.root_url or site.name, "the home page")
                closest = r.per_page[0] if r.per_page else None
                findings.append(
                    Finding(
                        check_id="QST001",
                        category="questions",
                        severity="warning",
                        url=url,
                        message=f'No page answers "{q.question}" ({q.priority}-priority search question).',
                        suggestion=(
                            f"Answer it on {url} ({why}), under a heading or FAQ item that asks "
                            f'"{q.question}", starting with a direct reply. A correct answer: '
                            f"{q.expected.fact}"
                        ),
                        details=(
                            *base,
                            ("suggested_url", url),
                            ("suggested_because", why),
                            ("closest_score", closest.score if closest else 0.0),
                            ("closest_url", closest.url if closest else None),
                        ),
                        key=q.id,
                    )
                )
            for scored, verdict in r.contradicting:
                if verdict.wrong:
                    seq = verdict.sentence or (scored.unit.sentences[0] if scored.unit.sentences else None)
                    # the same words reached from a heading and from a passage of its answer are one finding
                    mark = (
                        (scored.unit.url, f"{seq.block_index}:{seq.end}")
                        if seq is not None and seq.block_index is not None
                        else (scored.unit.url, seq.text if seq else scored.unit.snippet_text)
                    )
                    contradictions.setdefault(mark, []).append((r, scored, verdict))
            best = r.best
            if best is None:
                continue
            unit = best.unit
            best_verdict = r.verdict
            # Leaving something out is only a fault of an answer that presents itself as the answer.
            if best_verdict is not None and not best_verdict.wrong and best_verdict.missing and unit.findable_as != "body":
                findings.append(
                    _answer_finding(
                        "ACC106",
                        "warning",
                        q,
                        unit,
                        f'The answer to "{q.question}" leaves out what a correct answer must say '
                        f'({best_verdict.missing}). The page says: "{_excerpt(unit.snippet_text, 200)}". '
                        f"Expected: {q.expected.fact}",
                        f"Add the missing point. A correct answer: {q.expected.fact}",
                        (("missing", best_verdict.missing),),
                        claim_type=q.expected.claim_type,
                    )
                )
            if unit.findable_as == "body":
                findings.append(
                    _answer_finding(
                        "QST002",
                        "warning",
                        q,
                        unit,
                        f'"{q.question}" is answered only in body text here: no heading or FAQ item asks it, '
                        "so readers and search engines are unlikely to find the answer.",
                        f'Put "{q.question}" as a heading or FAQ item directly above this answer.',
                        (("score", best.score),),
                    )
                )
            if best.reply_at != 0:
                where = (
                    f"the reply comes only in sentence {best.reply_at + 1}"
                    if best.reply_at is not None
                    else "no sentence replies to it directly"
                )
                later = unit.sentences[best.reply_at].text if best.reply_at is not None else None
                findings.append(
                    _answer_finding(
                        "QST003",
                        "warning",
                        q,
                        unit,
                        f'The answer to "{q.question}" does not start with a direct reply: {where}.',
                        'Open the answer with the reply itself ("Yes, …", "No, …" or the fact), then explain. '
                        f"For example: {q.expected.fact}",
                        (("reply_sentence", best.reply_at), ("reply", later)),
                    )
                )
            words = word_count(unit.snippet_text)
            if words < cfg.snippet_min_words or words > cfg.snippet_max_words:
                short = words < cfg.snippet_min_words
                bound = f"under {cfg.snippet_min_words}" if short else f"over {cfg.snippet_max_words}"
                findings.append(
                    _answer_finding(
                        "QST004",
                        "info",
                        q,
                        unit,
                        f'The answer to "{q.question}" is {words} words long: too '
                        f"{'short' if short else 'long'} for a search snippet ({bound} words).",
                        "Make the first paragraph of the answer about 40 to 60 words; put the detail after it.",
                        (("words", words),),
                        key=f"{q.id}:{words < cfg.snippet_min_words}",
                    )
                )
            claims = list(r.best_claims)
            if claims:
                first = claims[0]
                findings.append(
                    _answer_finding(
                        "QST005",
                        "warning",
                        q,
                        unit,
                        f'The answer to "{q.question}" contains a claims finding ({first.check_id}: '
                        f'"{first.evidence.excerpt if first.evidence else first.message}").',
                        first.suggestion or "Rewrite the flagged claim in the answer.",
                        (
                            ("claims", [f.check_id for f in claims]),
                            ("claim_fingerprints", [f.fingerprint for f in claims]),
                        ),
                        key=f"{q.id}:{first.fingerprint}",
                        evidence=first.evidence,
                    )
                )
        findings.extend(self._contradiction_findings(contradictions))
        return findings

    def _contradiction_findings(
        self, contradictions: Mapping[tuple[str, str], Sequence[tuple[QuestionResult, Scored, Verdict]]]
    ) -> list[Finding]:
        findings: list[Finding] = []
        for group in contradictions.values():
            lead_r, scored, verdict = max(
                group, key=lambda g: (g[0].best is not None and g[0].best.unit == g[1].unit, g[1].score)
            )
            q = lead_r.question
            seq = verdict.sentence or (scored.unit.sentences[0] if scored.unit.sentences else None)
            quote = seq.text if seq else _excerpt(scored.unit.snippet_text, 200)
            others = [g[0].question for g in group if g[0].question.id != q.id]
            also = (
                " It also contradicts the expected answer to " + ", ".join(f'"{o.question}"' for o in others) + "."
                if others
                else ""
            )
            findings.append(
                Finding(
                    check_id="ACC101",
                    category="accuracy",
                    severity="error",
                    url=scored.unit.url,
                    message=(
                        f'The answer to "{q.question}" contradicts the expected answer: it '
                        f'{"; it ".join(verdict.reasons)}. The page says: "{quote}". '
                        f"Expected: {q.expected.fact}{also}"
                    ),
                    suggestion=f"Rewrite the answer to agree with the expected answer: {q.expected.fact}",
                    evidence=_evidence(scored.unit, seq),
                    claim_type=verdict.claim_type,
                    details=(
                        *_question_details(q),
                        ("question_ids", [g[0].question.id for g in group]),
                        ("reasons", list(verdict.reasons)),
                        ("score", scored.score),
                        ("findable_as", scored.unit.findable_as),
                    ),
                )
            )
        return findings

    def _subject_for(self, q: Question) -> SubjectTerms:
        for pack in self.packs:
            if pack.name == q.pack:
                return pack.subject
        return self.packs[0].subject

    def _schema_findings(
        self,
        units_by_page: Sequence[tuple[AnalysedPage, list[Unit]]],
        subject: SubjectTerms,
        questions: Sequence[Question] = (),
    ) -> list[Finding]:
        """FAQPage answers must be on the page, and must not disagree with the visible answer."""
        findings: list[Finding] = []
        min_score = self.config.min_score
        for _ap, units in units_by_page:
            visible_units = [u for u in units if u.findable_as in ("heading", "faq") and u.asked is not None]
            for unit in units:
                if unit.findable_as != "faq_schema" or unit.visible or unit.asked is None:
                    continue
                twin = _twin(unit, visible_units)
                question = unit.asked_text or ""
                details: tuple[tuple[str, Any], ...] = (
                    ("schema_question", question),
                    ("schema_answer", unit.snippet_text),
                )
                # name the target question it answers, when it answers one
                matches = [(sc.score, q) for q in questions if (sc := score_unit(q, unit, subject)) is not None]
                target = max(matches, key=lambda m: m[0], default=None)
                if target is not None and target[0] >= min_score:
                    q = target[1]
                    details = (("question_id", q.id), ("question", q.question), ("expected", q.expected.fact), *details)
                if twin is not None and _disagree(unit, twin):
                    findings.append(
                        Finding(
                            check_id="QST007",
                            category="questions",
                            severity="error",
                            url=unit.url,
                            message=(
                                f"The FAQ structured data and the page give different answers to "
                                f'"{question}": the '
                                f'markup says "{_excerpt(unit.snippet_text, 160)}", the page says '
                                f'"{_excerpt(twin.snippet_text, 160)}".'
                            ),
                            suggestion=("Use one answer in both places: make the FAQPage answer the visible answer."),
                            evidence=Evidence(
                                excerpt=twin.sentences[0].text if twin.sentences else twin.snippet_text,
                                context=twin.context,
                                heading_path=twin.heading_path,
                                locator=twin.locator,
                                block_index=twin.block_index,
                            ),
                            details=(
                                *details,
                                ("visible_answer", twin.snippet_text),
                                ("schema_locator", unit.locator),
                            ),
                            key=f"schema-disagrees:{question}",
                        )
                    )
                    continue
                findings.append(
                    Finding(
                        check_id="QST006",
                        category="questions",
                        severity="warning",
                        url=unit.url,
                        message=(
                            f'The FAQ structured data answers "{question}", but that answer is not visible on the page.'
                        ),
                        suggestion=(
                            "Show the same question and answer on the page (for example as an FAQ item), or "
                            "remove "
                            "it from the FAQPage markup."
                        ),
                        evidence=Evidence(
                            excerpt=_excerpt(unit.snippet_text, 200),
                            context=unit.snippet_text,
                            locator=unit.locator,
                        ),
                        details=(*details, ("visible_question", twin.asked_text if twin else None)),
                        key=f"schema-hidden:{question}",
                    )
                )
        return findings

    def _question_data(self, r: QuestionResult) -> dict[str, Any]:
        q = r.question
        cap = self.config.max_pages_listed
        floor = self.config.min_score / 2
        pages = [
            {
                "url": s.url,
                "score": s.score,
                "findable_as": s.findable_as,
                "answered": s.score >= self.config.min_score,
            }
            for s in r.per_page
            if s.score >= floor
        ][:cap]
        entry: dict[str, Any] = {
            "id": q.id,
            "question": q.question,
            "priority": q.priority,
            "answered": r.best is not None,
            "expected": {"polarity": q.expected.polarity, "fact": q.expected.fact},
            "best": None,
            "pages": pages,
        }
        if r.best is None:
            url, why = r.suggestion or ("", "")
            entry["suggestion"] = {"url": url, "why": why}
            entry["accurate"] = None
            return entry
        best = r.best
        unit = best.unit
        entry["accurate"] = not (r.verdict.wrong if r.verdict else False)
        entry["best"] = {
            "url": unit.url,
            "excerpt": _excerpt(unit.snippet_text),
            "score": best.score,
            "findable_as": unit.findable_as,
            "asked": unit.asked_text,
            "heading_path": list(unit.heading_path),
            "locator": unit.locator,
            "block_index": unit.block_index,
            "matched": list(best.matched),
            "signals": dict(best.signals),
            "quality": self._quality(best, r.verdict, r.best_claims),
        }
        return entry

    def _quality(self, best: Scored, verdict: Verdict | None, claims: Sequence[Finding]) -> list[str]:
        cfg = self.config
        unit = best.unit
        notes: list[str] = []
        notes.append(
            {
                "heading": "findable: a heading asks it",
                "faq": "findable: an FAQ item asks it",
                "faq_schema": ("only in FAQPage structured data" + ("" if unit.visible else ", not visible on the page")),
                "body": "only in body text: no heading or FAQ item asks it",
            }[unit.findable_as]
        )
        if best.reply_at == 0:
            notes.append(f"starts with a direct reply ({best.reply_why})")
        elif best.reply_at is not None:
            notes.append(f"the reply comes only in sentence {best.reply_at + 1}")
        else:
            notes.append("no sentence replies to it directly")
        words = word_count(unit.snippet_text)
        if words < cfg.snippet_min_words:
            notes.append(f"{words} words: too short for a search snippet")
        elif words > cfg.snippet_max_words:
            notes.append(f"{words} words: too long for a search snippet")
        elif cfg.snippet_ideal_min <= words <= cfg.snippet_ideal_max:
            notes.append(f"{words} words: the right length for a search snippet")
        else:
            notes.append(f"{words} words: usable as a snippet ({cfg.snippet_ideal_min} to {cfg.snippet_ideal_max} is ideal)")
        if claims:
            notes.append("contains a claims finding: " + ", ".join(sorted({f.check_id for f in claims})))
        if verdict is not None:
            if verdict.wrong:
                notes.append("contradicts the expected answer: " + "; ".join(verdict.reasons))
            elif verdict.missing:
                notes.append(f"leaves out: {verdict.missing}")
            else:
                notes.append("agrees with the expected answer")
        notes.extend(best.notes)
        return list(dict.fromkeys(notes))


def _claims_in(unit: Unit, page_findings: Sequence[Finding]) -> list[Finding]:
    blocks = set(unit.block_indexes[:1]) | {s.block_index for s in unit.snippet if s.block_index is not None}
    if not blocks:
        return []
    return [
        f
        for f in page_findings
        if (f.category == "claims" or f.check_id.startswith("CLM"))
        and f.evidence is not None
        and f.evidence.block_index in blocks
    ]


def _content(seq: Seq) -> frozenset[str]:
    stop = {"do", "be", "can", "will", "how", "what", "a", "an", "the", "my", "i", "of", "it", "?", "is"}
    return frozenset(k for k in seq.keys if k not in stop)


def _twin(unit: Unit, visible: Sequence[Unit]) -> Unit | None:
    """The visible FAQ item or heading that asks the same question as a structured-data entry."""
    if unit.asked is None:
        return None
    mine = _content(unit.asked)
    best: tuple[float, Unit] | None = None
    for other in visible:
        if other.asked is None:
            continue
        if _norm(other.asked.text) == _norm(unit.asked.text):
            return other
        theirs = _content(other.asked)
        if not mine or not theirs:
            continue
        jaccard = len(mine & theirs) / len(mine | theirs)
        if jaccard >= 0.6 and (best is None or jaccard > best[0]):
            best = (jaccard, other)
    return best[1] if best else None


_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b|£\s?\d[\d,]*")


def _disagree(schema: Unit, visible: Unit) -> bool:
    """Opposite replies, or numbers in the markup that the visible answer does not share."""
    a = lead_reply(schema.sentences[0]) if schema.sentences else None
    b = lead_reply(visible.sentences[0]) if visible.sentences else None
    if a is not None and b is not None and a.polarity != b.polarity:
        return True
    nums_a = set(_NUMBER.findall(schema.snippet_text))
    nums_b = set(_NUMBER.findall(visible.snippet_text))
    return bool(nums_a and nums_b and not (nums_a & nums_b))


def checks(config: Config) -> list[PageCheck | SiteCheck]:
    return [QuestionCoverageCheck(config)]
