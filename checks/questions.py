"""Target search questions: which page answers each, how findable and how well, and whether it is right."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlsplit

from auditor.config import Config, QuestionsConfig
from auditor.models import AnalysedPage, Evidence, FaqPair, Finding, Page, Severity, Site
from checks.answers import (
    FACT_KINDS,
    Hit,
    Phrase,
    Seq,
    SubjectKind,
    SubjectTerms,
    find,
    first_hit,
    join_seqs,
    meta_cue,
    not_asserted,
    parse_range,
    read_fact,
    reply_polarity,
    seq_from_sentence,
    subject_of,
    text_seqs,
    word_count,
)
from checks.question_pack import Expected, Forbidden, Question, QuestionPack, load_packs
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


@dataclass(frozen=True, slots=True)  # slots: a page makes a hundred of these, and they are read a lot
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


_UnitT = TypeVar("_UnitT")


@dataclass(frozen=True)
class _Match(Generic[_UnitT]):
    """A unit's match with a question: its score and the signals that explain it."""

    unit: _UnitT
    score: float
    signals: tuple[tuple[str, float], ...]
    matched: tuple[str, ...]
    notes: tuple[str, ...]
    reply_at: int | None
    reply_why: str | None


@dataclass(frozen=True)
class Scored(_Match[Unit]):
    """One unit's match with one question: the map step's form, with the whole unit and the question."""

    question: Question = field(kw_only=True)


@dataclass(frozen=True, slots=True)  # slots: a page's part holds a few hundred of these
class Quote:
    """A sentence as a finding quotes it: its text and where it sits in its block.

    All the site step reads of a sentence. The words and keys it was matched by are most of a sentence's
    weight, and are only read where the page is matched against the questions (the map step)."""

    text: str
    block_index: int | None
    start: int
    end: int

    @classmethod
    def of(cls, seq: Seq) -> Quote:
        return cls(seq.text, seq.block_index, seq.start, seq.end)


@dataclass(frozen=True, slots=True)
class ShownUnit:
    """A unit as the site step reads it: where it is on the page and what it says, for the findings and the
    report. A page's part carries these across processes instead of Units.

    Left out are the unit's matching material: the Seq it asks with (its text is `asked_text`), the words, keys
    and key sets of its sentences (each is kept as a Quote) and its own key set. Matching, scoring and judging
    read them, and all three are done in the map step (the verdict on a page's best unit travels with it);
    nothing after it does. What is left out is worked out from what is kept (a sentence's words from its text
    and place on the page), so two ShownUnits are equal exactly when their Units are: the site step's test of
    whether a contradicting unit is the best answer (_contradiction_findings) reads the same either way.
    """

    url: str
    findable_as: FindableAs
    asked_text: str | None
    sentences: tuple[Quote, ...]
    snippet_count: int
    snippet_text: str
    block_index: int | None
    block_indexes: tuple[int, ...]
    heading_path: tuple[str, ...]
    locator: str | None
    subject: SubjectKind
    visible: bool
    context: str
    mid_paragraph: bool


class _ShownUnits:
    """ShownUnits of one page's units, each made once: a unit that is the best answer to several questions, or a
    sentence shared by overlapping passages, is then one object, which pickle writes once."""

    def __init__(self) -> None:
        # keyed by id: the caller keeps the units (and so their sentences) alive as long as this
        self._units: dict[int, ShownUnit] = {}
        self._quotes: dict[int, Quote] = {}

    def unit(self, unit: Unit) -> ShownUnit:
        shown = self._units.get(id(unit))
        if shown is None:
            shown = self._units[id(unit)] = ShownUnit(
                unit.url,
                unit.findable_as,
                unit.asked_text,
                tuple(self._quote(s) for s in unit.sentences),
                unit.snippet_count,
                unit.snippet_text,
                unit.block_index,
                unit.block_indexes,
                unit.heading_path,
                unit.locator,
                unit.subject,
                unit.visible,
                unit.context,
                unit.mid_paragraph,
            )
        return shown

    def _quote(self, seq: Seq) -> Quote:
        quote = self._quotes.get(id(seq))
        if quote is None:
            quote = self._quotes[id(seq)] = Quote.of(seq)
        return quote

    def answered(self, scored: Scored) -> Answered:
        return Answered(
            self.unit(scored.unit),
            scored.score,
            scored.signals,
            scored.matched,
            scored.notes,
            scored.reply_at,
            scored.reply_why,
        )


@dataclass(frozen=True)
class Answered(_Match[ShownUnit]):
    """One unit's match with a question as the site step reads it: the unit as shown, its score and signals.

    What a page's part carries across processes. The question is left out (the site step has it from the pack
    by its id), and so is the matching material of the unit (see ShownUnit)."""


@dataclass(frozen=True)
class Verdict:
    wrong: bool
    reasons: tuple[str, ...] = ()
    sentence: Quote | None = None  # the sentence that says the wrong thing, for the finding to quote
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
    def of(cls, answered: Answered | Scored) -> PageScore:
        u = answered.unit
        return cls(u.url, answered.score, u.findable_as, u.asked_text, u.snippet_text)

    @property
    def order(self) -> tuple[float, int, str]:
        """Best first; on a tie the more findable answer, then the address: a total order over pages."""
        return (-self.score, -_FINDABLE_RANK[self.findable_as], self.url)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    best: Answered | None
    per_page: tuple[PageScore, ...]  # each page's best unit, best first
    contradicting: tuple[tuple[Answered, Verdict], ...]  # every answering unit that contradicts the expected answer
    verdict: Verdict | None  # of the best answer
    suggestion: tuple[str, str] | None  # (url, why) when unanswered
    best_claims: tuple[Finding, ...] = ()  # claims findings inside the best answer


@dataclass
class Analysis:
    results: list[QuestionResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


# A page's answer to one question: question id, best unit (in full at min_score or more, else its row), the best
# unit's verdict, the claims findings inside it, and the contradicting units with their verdicts
_PageAnswer = tuple[
    str, Answered | PageScore | None, Verdict | None, tuple[Finding, ...], tuple[tuple[Answered, Verdict], ...]
]


@dataclass(frozen=True)
class PageQuestions:
    """One page's part of question coverage, worked out where the page is analysed (the map step).

    `best` holds, per question the page has something for: its id; the page's best unit (None when nothing
    scores); that unit's verdict and the claims findings inside it; and the answering units that contradict the
    expected answer, each with its verdict. `keys` are the words of the page's address and title, used to suggest
    where an unanswered question belongs.

    It crosses from a worker process to the main one (and is stored with the page), so it carries what the site
    step reads and no more:
    - units as ShownUnits, without the words they were matched by;
    - the best unit's verdict, worked out here: the site step would need the matching words to judge it;
    - a best unit scoring under min_score as its row of the coverage matrix (a PageScore) alone. The site's
      answer is the best-scoring page's best unit, and only when it scores min_score or more: such a unit is
      never it, so nothing else of it is read. It has no verdict and no claims (it was not judged).
    Both steps read min_score from the same configuration (which the stored results' engine digest covers).
    """

    url: str
    keys: frozenset[str]
    best: tuple[_PageAnswer, ...]
    schema_findings: tuple[Finding, ...]


@dataclass
class Gathered:
    """Every page's part, combined as pages arrive; nothing in it depends on the order they arrive in."""

    per_page: dict[str, list[PageScore]] = field(default_factory=dict)  # question id -> rows
    # site-wide best so far, its verdict and the claims findings inside it
    best: dict[str, tuple[Answered, Verdict | None, tuple[Finding, ...]]] = field(default_factory=dict)
    contradicting: dict[str, list[tuple[Answered, Verdict]]] = field(default_factory=dict)
    keys: dict[str, frozenset[str]] = field(default_factory=dict)  # url -> address and title words
    schema_findings: list[Finding] = field(default_factory=list)


def _seqs_by_block(ap: AnalysedPage) -> dict[int, list[Seq]]:
    """The sentences of the blocks page_units reads: headings and FAQ questions (what the page is about), and
    whatever is in the main content; navigation and footers answer nothing."""
    read = {b.index for b in ap.page.blocks if b.in_main or b.kind in _ASKING_KINDS}
    out: dict[int, list[Seq]] = {}
    for sentence in ap.sentences:
        if sentence.block_index in read:
            out.setdefault(sentence.block_index, []).append(seq_from_sentence(sentence))
    return out


def _subject_of_unit(asked: Seq | None, sentences: Sequence[Seq], smp_above: bool, subject: SubjectTerms) -> SubjectKind:
    """A first sentence that changes the subject wins over the page: "hair transplants regrow hair". `smp_above`:
    the page's title or first heading, or a heading above the unit, names SMP (_smp_above)."""
    near = subject_of(asked, subject)[0] if asked is not None else None
    first = subject_of(sentences[0], subject)[0] if sentences else None
    if near == "smp" or first == "smp":
        return "smp"
    if near == "other" or first == "other":
        return "other"
    later = subject_of(sentences[1], subject)[0] if len(sentences) > 1 else None
    if later == "smp" or smp_above:
        return "smp"
    if "generic" in (near, first, later):
        return "generic"
    return "none"


def _smp_above(heading_path: Iterable[str], heading_kind: Mapping[str, SubjectKind], page_smp: bool) -> bool:
    """What _subject_of_unit reads of the page and of the headings a block sits under: the same for every unit of
    the block, so worked out once per block."""
    return page_smp or any(heading_kind.get(t) == "smp" for t in heading_path)


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
    return _page_units(ap, subject, core_keys, _seqs_by_block(ap))


def _page_units(
    ap: AnalysedPage, subject: SubjectTerms, core_keys: frozenset[str] | None, by_block: Mapping[int, list[Seq]]
) -> list[Unit]:
    """page_units from the page's sentences (_seqs_by_block), which prepare_page also reads."""
    page = ap.page
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
                if block.kind == "faq_question"
                or block.index in faq_asks
                or (schema_questions and _norm(block.text) in schema_questions)
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
                    subject=_subject_of_unit(
                        asked, sentences, _smp_above(block.heading_path, heading_kind, page_smp), subject
                    ),
                    keyset=keyset,
                    context=first.text,
                )
            )
        elif block.kind in _ANSWER_KINDS:
            asked_seq: Seq | None = None
            body = tuple(seqs)
            if len(body) > 1 and body[0].question:
                asked_seq, body = body[0], body[1:]
            block_indexes = (block.index,)  # one for all the passages of the paragraph
            smp_above = _smp_above(block.heading_path, heading_kind, page_smp)
            # A passage may answer from any sentence of a paragraph on ("…SMP is not a tattoo. … When
            # performed correctly, SMP does not damage hair follicles."): each sentence opens a candidate.
            for i in range(len(body)):
                rest = body[i : i + _MAX_ANSWER_SENTENCES]
                if i and (rest[0].question or (core_keys is not None and core_keys.isdisjoint(rest[0].keyset))):
                    continue  # a passage opening mid-paragraph must open on the question's words
                if i == 0 and block.index in covered and asked_seq is None:
                    continue
                asks_here = asked_seq if i == 0 else None
                offset = rest[0].start if i and block.text[rest[0].start : rest[0].end] == rest[0].text else 0
                keysets = [s.keyset for s in rest]
                if asks_here is not None:
                    keysets.append(asks_here.keyset)
                units.append(
                    Unit(
                        url=page.url,
                        findable_as="body",
                        asked=asks_here,
                        asked_text=asks_here.text if asks_here else None,
                        sentences=rest,
                        snippet_count=len(rest),
                        snippet_text=block.text[offset:],
                        block_index=block.index,
                        block_indexes=block_indexes,
                        heading_path=block.heading_path,
                        locator=block.locator,
                        subject=_subject_of_unit(asks_here, rest, smp_above, subject),
                        keyset=frozenset().union(*keysets),
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
                subject=_subject_of_unit(asked, sentences, page_smp, subject),
                keyset=keyset,
                visible=visible_on_page(pair.answer, visible),
                context=answer_text,
            )
        )
    return units


# --- scoring
# -------------------------------------------------------------------------------------------------


_UNSET: Any = object()
_NO_TERMS: frozenset[str] = frozenset()


class _View:
    """What one sentence holds for one question; kept on the sentence, as passages overlap and share it.

    `concepts` and `terms` are read for every sentence of a scored unit, so they are worked out at once; whether
    it replies directly, the fact it states and what it says as expected are read only up to the first reply or
    within the snippet, so each is worked out the first time it is asked for, from the sentence passed in (the
    one whose memo holds the view). The view does not hold its sentence: a sentence and its views would make a
    cycle, which only the garbage collector frees, and a page leaves hundreds of them behind.
    """

    __slots__ = ("_direct", "_fact", "_may", "_says", "concepts", "first_term", "q", "terms")

    def __init__(
        self, q: Question, concepts: tuple[Hit | None, ...], terms: frozenset[str], first_term: str | None
    ) -> None:
        self.q = q
        self.concepts = concepts  # the first hit of each concept the question asks about (q.no_concepts: none)
        self.terms = terms  # the answer terms it uses
        self.first_term = first_term  # the phrase of its first answer term
        self._direct: str | None = _UNSET
        self._fact: str | None = _UNSET
        self._says: Hit | None = _UNSET
        self._may: bool | None = None

    def direct(self, seq: Seq) -> str | None:
        """Why the sentence is a direct reply, if it is."""
        if self._direct is _UNSET:
            self._direct = None if self._may is False else self._read_direct(seq)
        return self._direct

    def _read_direct(self, seq: Seq) -> str | None:
        """checks.answers.is_direct's tests in its order, reusing what the view already holds: the concept hits
        give the first hit of the question's words, and `terms` is its set of answer terms. Only the polar words
        are looked for again. (A view without the question's words holds no hits, as is_direct finds none.)"""
        q = self.q
        if seq.question or meta_cue(seq) is not None:
            return None
        lead = seq.lead
        if lead is not None:
            return f"replies '{lead.cue}'"
        if q.fact_question and q.requires:
            fact = self.fact(seq)
            return f"states '{fact}'" if fact else None
        hit = first_hit(seq, q.expected.polar) or _first_of(self.concepts)
        if hit is not None:
            return f"states it ('{hit.phrase}')"
        if len(self.terms) >= 2:
            return "describes it (" + ", ".join(sorted(self.terms)) + ")"
        return None

    def may_reply(self, seq: Seq) -> bool:
        """Whether the sentence may be a direct reply: what _read_direct needs, short of reading it (False only
        when it cannot be one). Passages overlap: it is worked out once."""
        if self._may is None:
            self._may = self._direct is not None if self._direct is not _UNSET else self._read_may(seq)
        return self._may

    def _read_may(self, seq: Seq) -> bool:
        """A fact question's answer replies with a lead word or the fact; others also with a polar word, a
        concept or two answer terms."""
        if seq.question:
            return False
        if seq.lead is not None:
            return True
        q = self.q
        if q.fact_question and q.requires:
            return self.fact(seq) is not None
        return bool(seq.keyset & q.polar_keys or self.concepts is not q.no_concepts or len(self.terms) >= 2)

    def fact(self, seq: Seq) -> str | None:
        """The fact of the kind the question requires that the sentence states, as written."""
        if self._fact is _UNSET:
            self._fact = _fact_of(seq, self.q.requires) if self.q.requires else None
        return self._fact

    def says(self, seq: Seq) -> Hit | None:
        """A must-say (or else a qualifying) phrase of the sentence."""
        if self._says is _UNSET:
            exp = self.q.expected
            if not self.q.says_keys.isdisjoint(seq.keyset):
                self._says = first_hit(seq, exp.must_say)
                if self._says is None and exp.qualified_by is not exp.must_say:  # the pack's default: the same
                    self._says = first_hit(seq, exp.qualified_by)
            else:
                self._says = None
        return self._says


class _BareView(_View):
    """The view of any sentence holding none of the question's words: no hits, no terms, nothing said as
    expected. One serves every such sentence of the question, so it keeps nothing: whether the sentence opens on
    a reply word or states a fact is read from the sentence each time (which keeps those on itself)."""

    __slots__ = ()

    def __init__(self, q: Question) -> None:
        super().__init__(q, q.no_concepts, _NO_TERMS, None)

    def direct(self, seq: Seq) -> str | None:
        return self._read_direct(seq) if self._read_may(seq) else None

    def may_reply(self, seq: Seq) -> bool:
        return self._read_may(seq)

    def fact(self, seq: Seq) -> str | None:
        return _fact_of(seq, self.q.requires) if self.q.requires else None

    def says(self, seq: Seq) -> Hit | None:
        return None


_BARE: dict[int, _BareView] = {}


def _bare_view(q: Question) -> _BareView:
    view = _BARE.get(id(q))
    if view is None or view.q is not q:
        if len(_BARE) > 1000:  # only reached by callers loading packs over and over (tests)
            _BARE.clear()
        view = _BARE[id(q)] = _BareView(q)  # it holds the question: its id is not reused while it is kept
    return view


def _first_of(hits: Iterable[Hit | None]) -> Hit | None:
    """The hit first_hit finds over the union of the concepts' phrases, from each concept's own first hit.

    find_all keeps, at the earliest start, the longest phrase (the first listed on a tie). The union's earliest
    start is the earliest of the concepts' first hits, and each concept's hit there is its longest phrase; equal
    spans are the same keys, so the earlier concept's hit is the one the union lists first.
    """
    first: Hit | None = None
    for hit in hits:
        if hit is not None and (
            first is None or hit.start < first.start or (hit.start == first.start and hit.end > first.end)
        ):
            first = hit
    return first


def _view(seq: Seq, q: Question) -> _View:
    key = q.memo_key
    view = seq.memo.get(key)
    if view is None:
        view = seq.memo[key] = _bare_view(q) if seq.keyset.isdisjoint(q.view_keys) else _View(q, *_read_view(seq, q))
    return view


def _read_view(seq: Seq, q: Question) -> tuple[tuple[Hit | None, ...], frozenset[str], str | None]:
    """The first hit of each concept, the answer terms used and the first of them, in one pass over the sentence.

    The same as `first_hit(seq, c.phrases)` per concept and the phrases of `find_all(seq, q.answer_terms)`:
    at each start the longest phrase wins (the first listed on a tie), a concept keeps its earliest start, and
    an answer term inside a longer one found before it is not counted. Views are built for every sentence a
    scored unit holds, for every question: one pass instead of a find_all per concept and one for the terms.
    """
    if q.view_first_keys.isdisjoint(seq.keyset):
        return q.no_concepts, _NO_TERMS, None
    index = q.view_index
    keys = seq.keys
    found = False
    concepts: list[Hit | None] = list(q.no_concepts)
    term_at: dict[int, tuple[int, str]] = {}  # start -> (length, text) of the longest answer term there
    for start, key in enumerate(keys):
        entries = index.get(key)
        if entries is None:
            continue
        for phrase_keys, n, role, text in entries:
            if n > 1 and keys[start : start + n] != phrase_keys:
                continue
            if role < 0:
                held = term_at.get(start)
                if held is None or held[0] < n:
                    term_at[start] = (n, text)
                continue
            hit = concepts[role]
            if hit is None or (hit.start == start and hit.end - start < n):
                concepts[role] = Hit(text, start, start + n)
                found = True
    terms: set[str] = set()
    reach = -1
    for start, (n, text) in term_at.items():  # in order of start: they were found in that order
        if start + n <= reach:
            continue
        terms.add(text)
        reach = start + n
    first_term = next(iter(term_at.values()))[1] if term_at else None  # first_hit(seq, q.answer_terms)'s phrase
    # most sentences hold a concept word but no hit, or no answer term: share the empty values (fewer objects
    # for the garbage collector to walk, as every view lives as long as the page); the views test `concepts`
    # for being q.no_concepts to know whether any concept was hit
    return (tuple(concepts) if found else q.no_concepts, frozenset(terms) if terms else _NO_TERMS, first_term)


_SUBJECT_SHARE = {"smp": 1.0, "generic": 1.0, "none": 0.5, "other": 0.0}
_PARAPHRASED = "(for"  # marks a heading that asks in the answer's words: "asks about 'feel' (for 'hurt')"


class Partial:
    """A unit's score as far as the question's words decide it, before the costly part.

    Whether an answer asks the question, names its topic and uses its answer words is read from the concept
    hits and answer terms of each sentence (shared by every unit holding the sentence). Whether, and where, it
    replies directly and whether it agrees with the expected answer take most of the time: `bound` is the score
    with those two signals at the most the sentences allow (or at their maximum, when that already keeps it
    under the caller's `floor`) and every gate applied as score_unit applies them, so a unit whose bound cannot
    beat the page's best is left there (prepare_page). Rounded as the score is, it is never below it. Many units
    stop here, so the explanations (`matched`) are only written out by finish_score.
    """

    __slots__ = ("asks", "bound", "content", "fact", "head_matched", "notes", "opening", "restated", "terms",
                 "topic", "views")

    def __init__(
        self, q: Question, unit: Unit, subject: SubjectTerms, factless: bool = False, floor: float = 0.0
    ) -> None:
        self.head_matched: list[str] = []  # what the heading matched, as score_unit explains it
        self.notes: list[str] = []
        asks_head = 0.0 if unit.asked is None else self._asks_head(q, unit.asked, subject)
        memo_key = q.memo_key
        views = self.views = [s.memo.get(memo_key) or _view(s, q) for s in unit.sentences]
        self.asks = self._restate(q, unit, subject, asks_head)
        opening = self.opening
        if len(q.asks) == 1:
            topic = 0.0
            for i, view in enumerate(views):
                if view.concepts[0] is not None:
                    topic = 1.0 if i < opening else 0.8 if i < 3 else 0.5
                    break
        else:
            topic_parts: list[float] = []
            for j in range(len(q.asks)):
                found = 0.0
                for i, view in enumerate(views):
                    if view.concepts[j] is not None:
                        found = 1.0 if i < opening else 0.8 if i < 3 else 0.5
                        break
                topic_parts.append(found)
            topic = sum(topic_parts) / len(topic_parts)
        self.topic = topic
        self.terms = terms = set().union(*[view.terms for view in views])
        self.content = min(1.0, len(terms) / CONTENT_SATURATION)
        self.fact = _first_fact(unit.sentences, q.requires) if q.requires and not factless else None

        gated = not topic and self._gated(q, unit)
        halved = bool(q.requires) and self.fact is None
        if floor > 0:  # with the reply and the agreement at their most first: often enough to leave the unit
            self.bound = self._bound(unit, 1.0, 1.0, gated, halved)
            if self.bound < floor:
                return
        reply = self._reply_bound(q, unit)
        self.bound = self._bound(unit, reply, self._expected_bound(q, unit, reply > 0), gated, halved)

    def _bound(self, unit: Unit, reply: float, expected: float, gated: bool, halved: bool) -> float:
        """The score with the reply and agreement signals at most `reply` and `expected`, gated as score_unit
        gates it (`gated`: it never names its topic; `halved`: it states no fact the question requires)."""
        return _presence_score(unit, self.asks, self.topic, self.content, reply, expected, gated, halved)

    def _asks_head(self, q: Question, asked: Seq, subject: SubjectTerms) -> float:
        """How strongly the heading (or the question before a paragraph) asks the question."""
        matched, notes = self.head_matched, self.notes
        kind, other = subject_of(asked, subject)
        if kind == "other":
            notes.append(f"the question asked there is about another treatment ('{other}')")
            return 0.0
        asks_head = 0.0
        form = next((f for f, keys in q.forms if keys <= asked.keyset), None) if _asks_form(q, asked.keyset) else None
        if form is not None:
            asks_head = 1.0
            matched.append(f"asks it like '{form}'")
        else:
            parts: list[float] = []
            view = _view(asked, q)
            for concept, hit in zip(q.asks, view.concepts, strict=True):
                if hit is not None:
                    parts.append(1.0)
                    matched.append(f"asks about '{hit.phrase}'")
                    continue
                para = view.first_term
                if para is not None:
                    parts.append(PARAPHRASE_CREDIT)
                    matched.append(f"asks about '{para}' (for '{concept.name}')")
                else:
                    parts.append(0.0)
            asks_head = sum(parts) / len(parts)
        if asks_head and not _question_shaped(asked.text):
            asks_head *= STATEMENT_HEADING_CREDIT
            notes.append("the heading names the topic but does not ask the question")
        avoid = first_hit(asked, q.avoid)
        if avoid is not None and asks_head > 0:
            asks_head *= 0.5
            notes.append(f"the question asked there mentions '{avoid.phrase}', which points to another question")
        return asks_head

    def _restate(self, q: Question, unit: Unit, subject: SubjectTerms, asks_head: float) -> float:
        """The asks signal: the heading's, or a first (or second) sentence restating the question, if better."""
        sentences = unit.sentences
        first = sentences[0]
        first_view = self.views[0]
        self.opening = 1  # sentences that count as the opening: a bare "Yes!" is read with the sentence after it
        if len(sentences) > 1 and len(first.words) <= 3 and first.lead is not None:
            first = join_seqs(sentences[:2])
            first_view = _view(first, q)
            self.opening = 2
        self.restated: list[tuple[str, tuple[Hit | None, ...]]] = []
        restate = 0.0
        candidates = [(first, first_view, RESTATE_CREDIT, "first")]
        if len(sentences) > self.opening:
            candidates.append((sentences[self.opening], self.views[self.opening], RESTATE_LATER_CREDIT, "second"))
        for sentence, view, credit, which in candidates:
            hits = view.concepts
            if hits is q.no_concepts or sentence.question:
                continue
            found = sum(1 for h in hits if h is not None)
            share = found / len(hits) * _SUBJECT_SHARE[subject_of(sentence, subject)[0]]
            if share and credit * share > max(asks_head, restate):
                restate = credit * share
                self.restated.append((which, hits))
        return max(asks_head, restate)

    def _reply_bound(self, q: Question, unit: Unit) -> float:
        """The most the reply signal can be: as score_unit grades it, at the first sentence that may reply."""
        for i, (view, seq) in enumerate(zip(self.views, unit.sentences, strict=True)):
            if view.may_reply(seq):
                if i == 0:
                    return 1.0 if seq.lead is not None else 0.8
                return 0.4 if i <= 2 else 0.2
        return 0.0

    def _expected_bound(self, q: Question, unit: Unit, may_reply: bool) -> float:
        return _agreement_bound(q, unit, may_reply, self.fact is not None)

    def matched(self) -> list[str]:
        """What the unit matched so far, as score_unit explains it: the heading, a restating sentence, the terms."""
        matched = list(self.head_matched)
        for which, hits in self.restated:
            matched.append(f"{which} sentence restates it: " + ", ".join(f"'{h.phrase}'" for h in hits if h))
        if self.terms:
            matched.append("answer terms: " + ", ".join(sorted(self.terms)[:6]))
        return matched

    def _gated(self, q: Question, unit: Unit) -> bool:
        """Whether score_unit surely halves the score of this answer, as it never names its topic: only a heading
        asking the question (directly, or in the answer's words) would spare it."""
        if unit.asked is None:  # only a heading's explanations say "asks …"
            return True
        asked_directly, paraphrased = _asks_flags(self.matched(), unit)
        return not asked_directly and not paraphrased and not _says_may_paraphrase(q, unit)


def _agreement_bound(q: Question, unit: Unit, may_reply: bool, states_fact: bool) -> float:
    """The most the agreement signal can be (see _agreement): a stated fact within the usual range, the expected
    reply, or a must-say phrase in the snippet, each only where the words it needs are there."""
    exp = q.expected
    if (exp.range is not None and q.requires and states_fact) or (exp.polarity in ("yes", "no") and may_reply):
        return 1.0
    says = q.says_keys
    if says and any(not says.isdisjoint(s.keyset) for s in unit.snippet or unit.sentences[:1]):
        return 1.0 if exp.polarity in ("depends", "fact") else 0.5
    return 0.0


def _asks_flags(matched: Sequence[str], unit: Unit) -> tuple[bool, bool]:
    """Whether the explanations say the heading asks the question directly, or in the answer's words."""
    asked_directly = any(m.startswith(("asks it", "asks about '")) and _PARAPHRASED not in m for m in matched)
    paraphrased = any(_PARAPHRASED in m for m in matched) and unit.asked is not None and unit.asked.question
    return asked_directly, paraphrased


def _first_fact(sentences: Iterable[Seq], kind: str) -> str | None:
    """The first fact of the kind the sentences state, as written."""
    key = _FACT_KEYS[kind]
    for s in sentences:
        memo = s.memo  # _fact_of's memo, read here first: most units ask sentences already read
        fact = memo[key] if key in memo else _fact_of(s, kind)
        if fact:
            return fact
    return None


_FACT_KEYS = {kind: f"fact:{kind}" for kind in FACT_KINDS}


def _fact_of(seq: Seq, kind: str) -> str | None:
    """read_fact of the sentence, kept on it: every unit holding it asks, for every question requiring the kind."""
    key = _FACT_KEYS[kind]
    memo = seq.memo
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    fact = memo[key] = read_fact(seq.text, kind)
    return fact


def _says_may_paraphrase(q: Question, unit: Unit) -> bool:
    """Whether the agreement's note could mark the heading as asking in other words: only a must-say or
    qualifying phrase written with that mark could (the replies and facts it quotes cannot hold it)."""
    exp = q.expected
    return bool(unit.asked is not None and unit.asked.question) and any(
        _PARAPHRASED in p.text for p in (*exp.must_say, *exp.qualified_by)
    )


def _states_fact(unit: Unit, kind: str) -> bool:
    """Whether any sentence of the unit states a fact of the kind: score_unit halves the score when none does."""
    return _first_fact(unit.sentences, kind) is not None


def _unit_gates(unit: Unit, score: float) -> float:
    """The discounts that depend only on the unit: what it is about, and whether a reader can see it."""
    if unit.subject == "other":
        score *= 0.3
    elif unit.subject == "none":
        score *= 0.6 if unit.findable_as == "body" else 0.85
    if unit.findable_as == "faq_schema" and not unit.visible:
        score *= 0.9
    return score


def partial_score(
    q: Question, unit: Unit, subject: SubjectTerms, factless: bool = False, floor: float = 0.0
) -> Partial | None:
    """The first stage of score_unit (None where score_unit gives None): see Partial. `factless`: the caller
    found that no sentence of the unit states a fact of the kind the question requires. `floor`: the caller
    only finishes a unit whose bound reaches it, so the bound may stop at a looser value under it."""
    if not unit.sentences:
        return None
    if not (unit.keyset & q.core_keys) and not (unit.asked is not None and unit.asked.keyset & q.answer_keys):
        return None
    return Partial(q, unit, subject, factless, floor)


def score_unit(q: Question, unit: Unit, subject: SubjectTerms) -> Scored | None:
    """Score in [0, 1] as a weighted sum of named signals, each explained in `matched` and `notes`."""
    partial = partial_score(q, unit, subject)
    return None if partial is None else finish_score(q, unit, partial)


def finish_score(q: Question, unit: Unit, partial: Partial) -> Scored:
    """The second stage of score_unit: the direct reply, the agreement with the expected answer, the gates."""
    notes, views = partial.notes, partial.views
    asks, topic, content = partial.asks, partial.topic, partial.content
    reply_at: int | None = None
    reply_why: str | None = None
    for i, (view, seq) in enumerate(zip(views, unit.sentences, strict=True)):
        direct = view.direct(seq)
        if direct is not None:
            reply_at, reply_why = i, direct
            break
    reply = 0.0
    if reply_at is not None:
        lead = unit.sentences[reply_at].lead is not None
        reply = (1.0 if lead else 0.8) if reply_at == 0 else 0.4 if reply_at <= 2 else 0.2
    expected, why_expected = _agreement(q, unit, reply_at)
    matched = partial.matched()
    if why_expected:
        matched.append(why_expected)

    score = W_ASKS * asks + W_TOPIC * topic + W_CONTENT * content + W_REPLY * reply + W_EXPECTED * expected
    # An answer that never names what the question is about counts only under a question that asks it in
    # other words ("How will my scalp feel?" for "Does it hurt?"), not under a topic heading.
    if not topic and not any(_asks_flags(matched, unit)):
        score *= 0.5
        notes.append("neither the heading nor the answer names what the question asks about")
    if q.requires:
        fact = partial.fact
        if fact is None:
            score *= 0.5
            notes.append(f"states no {q.requires} ({'a price' if q.requires == 'money' else 'a number'})")
        else:
            matched.append(f"states '{fact}'")
    if unit.subject == "other":
        notes.append("it is about another treatment")
    elif unit.subject == "none":
        notes.append("it does not say what it is about")
    if unit.findable_as == "faq_schema" and not unit.visible:
        notes.append("only in FAQPage structured data, not visible on the page")
    score = _unit_gates(unit, score)
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
            fact = _view(seq, q).fact(seq)
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
    words = next((said for seq in snippet if (said := _view(seq, q).says(seq)) is not None), None)
    if words is not None:
        return (1.0 if exp.polarity in ("depends", "fact") else 0.5), f"says '{words.phrase}' as expected"
    return 0.0, None


def _opening_bound(
    q: Question,
    unit: Unit,
    subject: SubjectTerms,
    signals: tuple[float, float, float],
    leads: dict[int, float],
) -> tuple[float, bool]:
    """The bound _page_best first ranks a unit by: upper_bound's (from its `signals`), with what a few tests
    tell, summed and discounted as score_unit does. Whether it names the topic at all (a concept phrase whole:
    upper_bound reads a concept's key alone; without one no sentence restates the question either, and the
    score is halved unless the heading spares it, _head_spares); whether its first sentence may reply with a
    lead word (a reply without one scores 0.8); and the fact the question requires (without it the score is
    halved, and a fact question's answer can only reply with a lead word, _factless_reply). Also whether the
    unit is found to state no fact of the kind."""
    asks, topic, content = signals
    if topic and not _names_topic(q, unit.keyset):
        asks, topic = (0.0 if asks == RESTATE_CREDIT else asks), 0.0
    gated = not topic and (unit.asked is None or not _head_spares(q, unit.asked, subject))
    kind = q.requires
    factless = kind is not None and not _states_fact(unit, kind)
    if factless and q.fact_question:
        reply, expected = _factless_reply(q, unit, leads)
    else:
        reply, expected = (1.0 if unit.sentences[0].lead is not None else 0.8), 1.0
    return _presence_score(unit, asks, topic, content, reply, expected, gated, factless), factless


def _factless_reply(q: Question, unit: Unit, leads: dict[int, float]) -> tuple[float, float]:
    """The most the reply and agreement signals can be when the answer to a fact question states no fact: a lead
    word replies ("Yes, …"), and only a must-say phrase in the snippet agrees. `leads` keeps the first per unit
    (by id), as it is the same for every question."""
    reply = leads.get(id(unit))
    if reply is None:
        reply = leads[id(unit)] = _lead_reply_signal(unit)
    says = q.says_keys
    expected = 0.0
    if not says.isdisjoint(unit.keyset):  # (the unit's words hold its snippet's: most units hold none of them)
        for seq in unit.snippet or unit.sentences[:1]:
            if not says.isdisjoint(seq.keyset):
                expected = 1.0
                break
    return reply, expected


def _lead_reply_signal(unit: Unit) -> float:
    """The reply signal of the first sentence replying with a lead word ("Yes, …"), as score_unit grades it."""
    for i, seq in enumerate(unit.sentences):
        if seq.lead is not None and not seq.question:
            return 1.0 if i == 0 else 0.4 if i <= 2 else 0.2
    return 0.0


def _presence(seq: Seq, q: Question) -> tuple[int, int, bool]:
    """Which of the question's concepts the sentence holds whole phrases of (a bit each), which answer terms it
    holds all the keys of (a bit each), and whether it holds a polar word: what a view of it could at most find,
    read with set tests only. Kept on the sentence, as passages overlap."""
    key = q.presence_key
    held: tuple[int, int, bool] | None = seq.memo.get(key)
    if held is None:
        held = seq.memo[key] = _presence_in(seq.keyset, q)
    return held


def _presence_in(keyset: frozenset[str], q: Question) -> tuple[int, int, bool]:
    held = 0
    index = q.presence_index
    for sig in keyset & q.presence_sigs:
        for bit, keys in index[sig]:
            if keys is None or keys <= keyset:
                held |= bit
    n = len(q.asks)
    return held & ((1 << n) - 1), held >> n, not q.polar_keys.isdisjoint(keyset)


def _presence_bound(q: Question, unit: Unit, subject: SubjectTerms, factless: bool) -> float:
    """The score with each signal at the most the words the sentences hold allow, read as score_unit reads them
    (the opening, the sentence each concept first appears in, the first sentence that may reply, each answer
    term once however many sentences use it, the halving of an answer that never names its topic) but from
    whole phrases being there rather than found in order: nearly as close as the partial score, for a fraction
    of the cost. `factless`: no sentence states a fact of the kind the question requires."""
    sentences = unit.sentences
    n = len(q.asks)
    key = q.presence_key
    facts = q.requires if q.fact_question else None  # such answers reply with a lead word or the fact only
    asks = 0.0 if unit.asked is None else _presence_asks_head(q, unit.asked, subject)
    first = sentences[0]
    short = len(sentences) > 1 and len(first.words) <= 3 and first.lead is not None  # read with the next
    second = 2 if short else 1
    if short:  # the opening is the two sentences joined (join_seqs): its words, and a ".", and not its subject
        joined = _presence_in(first.keyset | sentences[1].keyset | {"."}, q)[0]
        if joined:
            asks = max(asks, RESTATE_CREDIT * (joined.bit_count() / n))
    topic_at: list[int] = [-1] * n
    seen = terms = 0
    reply = 0.0
    for i, seq in enumerate(sentences):
        concepts, held, polar = seq.memo.get(key) or _presence(seq, q)
        terms |= held  # the answer terms are counted once however many sentences hold them, as score_unit does
        count = held.bit_count()
        if concepts & ~seen:
            for j in range(n):
                if concepts >> j & 1 and topic_at[j] < 0:
                    topic_at[j] = i
            seen |= concepts
        if (i == second or (i == 0 and not short)) and concepts and not seq.question:
            credit = RESTATE_CREDIT if i == 0 else RESTATE_LATER_CREDIT
            # grouped as Partial._restate groups it: floats round each step, and the bound must not fall below
            asks = max(asks, credit * (concepts.bit_count() / n * _SUBJECT_SHARE[subject_of(seq, subject)[0]]))
        if not reply and not seq.question:
            lead = seq.lead is not None
            if lead or (
                (not factless and _fact_of(seq, facts) is not None) if facts else (polar or concepts != 0 or count >= 2)
            ):
                reply = (1.0 if lead else 0.8) if i == 0 else 0.4 if i <= 2 else 0.2
    opening = 2 if short else 1
    topic = sum(1.0 if at < opening else 0.8 if at < 3 else 0.5 for at in topic_at if at >= 0) / n
    content = min(1.0, terms.bit_count() / CONTENT_SATURATION)
    expected = _agreement_bound(q, unit, reply > 0, not factless)
    gated = not topic and (unit.asked is None or not _head_spares(q, unit.asked, subject))
    return _presence_score(unit, asks, topic, content, reply, expected, gated, bool(q.requires) and factless)


def _head_spares(q: Question, asked: Seq, subject: SubjectTerms) -> bool:
    """Whether the heading may spare an answer that never names its topic from score_unit's halving (False
    only when it surely does not): the heading may ask the question (a form of it, or a concept phrase whole),
    or ask it in the answer's words (a question holding an answer term whole), which is all the explanations
    score_unit reads for it can say, unless the question's own phrases carry the mark it reads them by."""
    if q.marks_paraphrase:
        return True
    if subject_of(asked, subject)[0] == "other":  # (Partial._asks_head explains nothing of such a heading)
        return False
    if _asks_form(q, asked.keyset):
        return True
    concepts, terms, _ = _presence(asked, q)
    return bool(concepts) or (bool(terms) and asked.question)


def _presence_score(
    unit: Unit,
    asks: float,
    topic: float,
    content: float,
    reply: float,
    expected: float,
    gated: bool,
    halved: bool,
) -> float:
    """finish_score's sum and discounts in its order (so rounding cannot put the bound under the score);
    `gated`: it surely halves the score of an answer that never names its topic."""
    bound = W_ASKS * asks + W_TOPIC * topic + W_CONTENT * content + W_REPLY * reply + W_EXPECTED * expected
    if gated:
        bound *= 0.5
    if halved:
        bound *= 0.5
    return round(_unit_gates(unit, bound), 3)


def _presence_asks_head(q: Question, asked: Seq, subject: SubjectTerms) -> float:
    """The most Partial._asks_head can make of the heading: a concept whose phrase it holds counts whole, one it
    does not counts as a paraphrase if it holds an answer term (the avoid discount is left out)."""
    if subject_of(asked, subject)[0] == "other":
        return 0.0
    if _asks_form(q, asked.keyset):
        return 1.0
    concepts, terms, _ = _presence(asked, q)
    n = len(q.asks)
    parts = [1.0 if concepts >> j & 1 else PARAPHRASE_CREDIT if terms else 0.0 for j in range(n)]
    asks_head = sum(parts) / n
    if asks_head and not _question_shaped(asked.text):
        asks_head *= STATEMENT_HEADING_CREDIT
    return asks_head


def _risky(q: Question, unit: Unit, bound: float, min_score: float) -> bool:
    """The first test of whether a unit may contradict the expected answer (False only when judge cannot find
    it wrong): it may reach min_score (`bound` is at least its score), and holds a polar or must-not-say word,
    or opens on a reply (judge reads a reply in the first four sentences at most)."""
    if bound < min_score:
        return False
    return not q.risk_keys.isdisjoint(unit.keyset) or any(seq.lead is not None for seq in unit.sentences[:4])


def _may_contradict(q: Question, unit: Unit, bound: float, min_score: float, subject: SubjectTerms) -> bool:
    """Whether judge may find the unit wrong (False only when it cannot): its score may reach min_score (judge
    reads no lower), and its snippet states a must-not-say phrase as a fact, or, where the pack names wrong
    replies and the snippet does not qualify them, a sentence a reply is read from gives one."""
    if round(bound, 3) < min_score:  # scores are rounded: a bound just under min_score may round up to it
        return False
    exp = q.expected
    snippet = unit.snippet or unit.sentences[:1]
    forbidden = q.forbidden_keys
    if (
        forbidden
        and any(not forbidden.isdisjoint(seq.keyset) for seq in snippet)
        and any(guard is None for _, _, guard in _forbidden_said(exp, snippet, subject))
    ):
        return True
    if exp.wrong_polarities and not (exp.qualified_by and _has_any(snippet, exp.qualified_by) is not None):
        for seq in unit.sentences[: _reply_window(unit)]:
            reply = reply_polarity(seq, exp.polar)
            if reply is not None and reply.polarity in exp.wrong_polarities:
                return True
    return False


def _reply_window(unit: Unit) -> int:
    """Under a heading the reply may come late; a passage of body text must open with it to count as one."""
    return 1 if unit.findable_as == "body" else 4


def _better(a: Scored, b: Scored | None) -> bool:
    """Higher score; on a tie the more findable, then the earlier place on the page (a total order)."""
    if b is None:
        return True
    if abs(a.score - b.score) > 1e-9:
        return a.score > b.score
    return _place(a.unit) < _place(b.unit)


def _tied(a: Scored, b: Scored | None) -> bool:
    """Alike in score and in place: _better prefers neither."""
    return b is not None and abs(a.score - b.score) <= 1e-9 and _place(a.unit) == _place(b.unit)


# The stages of a unit's bound in _page_best: what is read next to tighten it (none: scored, or cannot be).
_PRESENCE, _PARTIAL, _FINISH, _NONE = 0, 1, 2, 3


_Place = tuple[int, int, int, str]


def _place(unit: Unit | ShownUnit) -> _Place:
    """Where a unit sits, for ordering: read of a Unit in the map step and of its ShownUnit in the site step."""
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
    return _bound(unit, _bound_signals(q, unit, subject))


def _names_topic(q: Question, keyset: frozenset[str]) -> bool:
    """Whether the words hold one of the question's concept phrases whole (False only when no sentence among
    them can name what the question is about): upper_bound reads concepts by their signature key alone."""
    index = q.topic_index
    for sig in keyset & q.concept_keys:
        for keys in index[sig]:
            if keys is None or keys <= keyset:
                return True
    return False


def _bound_signals(q: Question, unit: Unit, subject: SubjectTerms) -> tuple[float, float, float]:
    """upper_bound's asks, topic and content: what the words the unit holds allow them to be."""
    concept = q.concept_keys
    keyset = unit.keyset
    topic = 0.0 if concept.isdisjoint(keyset) else 1.0  # the unit's words include the heading's: looser
    asks = 0.0
    asked = unit.asked
    if asked is not None and subject_of(asked, subject)[0] != "other":
        words = asked.keyset
        if not concept.isdisjoint(words) or not q.answer_keys.isdisjoint(words) or _asks_form(q, words):
            asks = 1.0
    if asks < RESTATE_CREDIT and topic:  # (no concept word in the unit: none in its first sentences either)
        for s in unit.sentences[:3]:
            if not concept.isdisjoint(s.keyset):
                asks = RESTATE_CREDIT
                break
    common = keyset & q.answer_keys
    if len(common) >= CONTENT_SATURATION:  # each key starts at least one term: saturated
        return asks, topic, 1.0
    terms = sum(map(q.answer_first_counts.__getitem__, common))
    return asks, topic, min(1.0, terms / CONTENT_SATURATION)


def _bound(unit: Unit, signals: tuple[float, float, float], reply: float = 1.0, expected: float = 1.0) -> float:
    """upper_bound from its signals, with the reply and agreement signals at most `reply` and `expected`."""
    asks, topic, content = signals
    bound = W_ASKS * asks + W_TOPIC * topic + W_CONTENT * content + W_REPLY * reply + W_EXPECTED * expected
    if not topic and unit.asked is None:
        bound *= 0.5
    return _unit_gates(unit, bound)


def _asks_form(q: Question, asked: frozenset[str]) -> bool:
    """Whether a heading holds all the content words of the question or of one of its variants (most headings
    hold a key of none of them: one set test tells)."""
    return not q.form_probes.isdisjoint(asked) and any(keys <= asked for _, keys in q.forms)


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
    culprit: Quote | None = None
    claim_type: str | None = None
    reply_window = _reply_window(unit)
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
                culprit = _with_next(unit, scored.reply_at) if reply.lead and len(seq.words) <= 3 else Quote.of(seq)
                claim_type = exp.claim_type
    for seq, forbidden, guard in _forbidden_said(exp, snippet, subject):
        if guard is not None:
            cleared.append(f"'{forbidden.phrase.text}' is {guard}")
            continue
        reason = f"says '{forbidden.phrase.text}'"
        if reason not in reasons:
            reasons.append(reason)
        if culprit is None:
            culprit = Quote.of(seq)
        if claim_type is None:
            claim_type = forbidden.claim_type
    if reasons:
        return Verdict(True, tuple(reasons), culprit, claim_type or exp.claim_type, None, tuple(cleared))
    missing = None
    if exp.must_say and _has_any(snippet, exp.must_say) is None:
        missing = exp.must_say_why
    return Verdict(False, (), None, None, missing, tuple(cleared))


def _forbidden_said(
    exp: Expected, snippet: Sequence[Seq], subject: SubjectTerms
) -> list[tuple[Seq, Forbidden, str | None]]:
    """Each must-not-say phrase the snippet says, with why it is not stated as a fact (None when it is).

    Longest phrases first, and a phrase inside one already taken is not read again ("fade" in "never fade").
    """
    said: list[tuple[Seq, Forbidden, str | None]] = []
    for seq in snippet:
        taken: set[int] = set()
        for forbidden in exp.must_not_say_longest_first:
            if forbidden.phrase.keys[0] not in seq.keyset:  # the cheap half of find's own test
                continue
            for start in find(seq, forbidden.phrase):
                hit = Hit(forbidden.phrase.text, start, start + len(forbidden.phrase.keys))
                if taken.intersection(range(hit.start, hit.end)):
                    continue
                taken.update(range(hit.start, hit.end))
                said.append((seq, forbidden, not_asserted(seq, hit, subject)))
    return said


def _with_next(unit: Unit, i: int) -> Quote:
    """A bare "Yes!" quoted with the sentence it introduces, so the quote says what was claimed."""
    if i + 1 >= len(unit.sentences):
        return Quote.of(unit.sentences[i])
    a, b = unit.sentences[i], unit.sentences[i + 1]
    span = unit.context[a.start : b.end] if a.block_index == b.block_index else ""
    text = span if span.startswith(a.text) and span.endswith(b.text) else f"{a.text} {b.text}"
    return Quote(text, a.block_index, a.start, a.start + len(text))


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


def _evidence(unit: ShownUnit, seq: Quote | None = None) -> Evidence:
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
    unit: ShownUnit,
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
        page = ap.page
        best: list[_PageAnswer] = []
        schema: list[Finding] = []
        min_score = self.config.min_score
        for pack, watched, answer_all in self._pack_keys:
            subject = pack.subject
            by_block = _seqs_by_block(ap)
            units = _page_units(ap, subject, watched, by_block)
            shown_units = _ShownUnits()  # lives no longer than `units`, whose ids it keys on
            by_key, by_asked = _unit_index(units, watched, answer_all)
            leads: dict[int, float] = {}  # unit id -> its lead-word reply signal (_factless_reply)
            places: list[_Place | None] = [None] * len(units)  # each unit's _place, read once for every question
            for q in pack.questions:  # (one no unit holds the words of has no candidate: it is left out below)
                core = q.core_keys
                picked: set[int] = set()
                for key in core & by_key.keys():
                    picked.update(by_key[key])
                for key in q.answer_keys & by_asked.keys():
                    picked.update(by_asked[key])
                # a passage opening mid-paragraph is only worth it when it opens on this question
                read = [
                    i for i in picked if not (units[i].mid_paragraph and core.isdisjoint(units[i].sentences[0].keyset))
                ]
                page_best, verdict, wrong = self._page_best(q, units, read, subject, leads, places)
                if page_best is not None and page_best.score <= 0:
                    page_best = None
                if page_best is None and not wrong:
                    continue
                shown: Answered | PageScore | None = None
                best_verdict: Verdict | None = None
                claims: tuple[Finding, ...] = ()
                if page_best is not None and page_best.score >= min_score:
                    shown, best_verdict = shown_units.answered(page_best), verdict
                    claims = tuple(_claims_in(page_best.unit, findings))
                elif page_best is not None:  # never the site's answer (see PageQuestions): only its row counts
                    shown = PageScore.of(page_best)
                wrong_shown = tuple((shown_units.answered(w), v) for w, v in wrong)
                best.append((q.id, shown, best_verdict, claims, wrong_shown))
            schema.extend(self._schema_findings([(ap, units)], subject, pack.questions))
        title_seqs = text_seqs(page.title) if page.title else []
        return PageQuestions(page.url, _page_keys(page, title_seqs), tuple(best), tuple(schema))

    def _page_best(
        self,
        q: Question,
        units: Sequence[Unit],
        read: Iterable[int],
        subject: SubjectTerms,
        leads: dict[int, float],
        places: list[_Place | None],
    ) -> tuple[Scored | None, Verdict | None, list[tuple[Scored, Verdict]]]:
        """The page's best unit for the question among the units `read` (positions in `units`), its verdict (None
        under min_score: such a unit is not judged), and the units that contradict its expected answer.

        The engine read units in upper_bound's order (highest first; on a tie, in page order), kept the first
        of units alike in score and place (_better prefers neither), and listed the contradicting units in that
        order. Here they are read best first by the closest bound known so far instead: each unit's bound is
        tightened a stage at a time (_opening_bound for every unit, then the words it holds read whole,
        _presence_bound, then the partial score, then the score itself) only while it may still beat the best
        found, so a unit is read no further than needed to rule it out; most are never read past the first. On
        equal bounds the better place (then upper_bound's order) is read first, and a unit whose bound only
        equals the best score cannot beat a best placed before it, so the best is the engine's. A unit ruled out
        of the best is still scored, and judged, where it may contradict the expected answer
        (_contradiction_candidate): the units found wrong are every unit judge finds wrong at min_score or more,
        as the engine found them, listed in upper_bound's order. tests/test_questions_speed_paths.py holds it to
        the plain reading.
        """
        min_score = self.config.min_score
        # per unit read, by its number n here: the unit, its upper_bound, its closest bound so far, whether it
        # states no fact of the kind the question requires, and the stage to read next
        cands: list[Unit] = []
        positions: list[int] = []
        uppers: list[float] = []
        closes: list[float] = []
        factless: list[bool] = []
        heap: list[tuple[float, _Place, float, int, int]] = []  # (-bound, place, -upper_bound, position, n)
        reaching: list[int] = []  # the units whose bound reaches min_score: only they may be found wrong
        for i in read:
            unit = units[i]
            signals = _bound_signals(q, unit, subject)
            upper = _bound(unit, signals)
            close, lacks = _opening_bound(q, unit, subject, signals, leads)
            place = places[i]
            if place is None:
                place = places[i] = _place(unit)
            if close >= min_score:
                reaching.append(len(cands))
            heap.append((-close, place, -upper, i, len(cands)))
            positions.append(i)
            cands.append(unit)
            uppers.append(upper)
            closes.append(close)
            factless.append(lacks)
        heapq.heapify(heap)
        stages = [_PRESENCE] * len(cands)
        partials: dict[int, Partial] = {}
        scores: dict[int, Scored] = {}
        page_best: Scored | None = None
        best_at: tuple[_Place, float, int] | None = None  # the best's place and upper_bound's order
        while heap:
            bound = -heap[0][0]
            if (
                page_best is not None
                and best_at is not None
                and (bound < page_best.score - 1e-9 or (bound <= page_best.score + 1e-9 and heap[0][1:4] > best_at))
            ):
                break  # the rest cannot beat the best: a lower bound, or at most a tie placed after it
            _, place, neg_upper, i, n = heapq.heappop(heap)
            unit = cands[n]
            stage = stages[n]
            if stage == _PRESENCE:
                closes[n] = min(closes[n], _presence_bound(q, unit, subject, factless[n]))
                stages[n] = _PARTIAL
            elif stage == _PARTIAL:
                floor = page_best.score - 1e-9 if page_best is not None else 0.0
                partial = partial_score(q, unit, subject, factless[n], floor)
                if partial is None:
                    stages[n] = _NONE
                    continue
                partials[n] = partial
                closes[n] = min(closes[n], partial.bound)
                stages[n] = _FINISH
            else:
                scored = scores[n] = finish_score(q, unit, partials[n])
                stages[n] = _NONE
                at = (place, neg_upper, i)
                if best_at is None or _better(scored, page_best) or (_tied(scored, page_best) and at < best_at):
                    page_best, best_at = scored, at
                continue
            heapq.heappush(heap, (-closes[n], place, neg_upper, i, n))
        wrong: list[tuple[tuple[float, int], Scored, Verdict]] = []
        best_verdict: Verdict | None = None
        for n in {*scores, *reaching}:
            scored_at = scores.get(n)
            if scored_at is None:
                if closes[n] < min_score or stages[n] == _NONE:
                    continue  # it cannot reach min_score, or cannot be scored at all
                scored_at = self._contradiction_candidate(
                    q, cands[n], subject, uppers[n], closes[n], stages[n], factless[n], partials.get(n), page_best
                )
            if scored_at is not None and scored_at.score >= min_score:
                verdict = judge(scored_at, subject)
                if scored_at is page_best:  # (the best is among the scores: it is judged here when it may be)
                    best_verdict = verdict
                if verdict.wrong:
                    wrong.append(((-uppers[n], positions[n]), scored_at, verdict))
        wrong.sort(key=lambda w: w[0])
        return page_best, best_verdict, [(scored, verdict) for _, scored, verdict in wrong]

    def _contradiction_candidate(
        self,
        q: Question,
        unit: Unit,
        subject: SubjectTerms,
        bound: float,
        close: float,
        stage: int,
        factless: bool,
        partial: Partial | None,
        page_best: Scored | None,
    ) -> Scored | None:
        """The score of a unit ruled out of the best that judge may still find wrong; None where it cannot (it
        cannot reach min_score, or holds no word that could contradict), as _page_best needs no score of it."""
        min_score = self.config.min_score
        if stage == _NONE or not _risky(q, unit, bound, min_score):
            return None
        if not _may_contradict(q, unit, close, min_score, subject):
            return None
        if stage == _PRESENCE:  # the phrases were no help: the words read whole may still rule it out
            close = min(close, _presence_bound(q, unit, subject, factless))
            if not _may_contradict(q, unit, close, min_score, subject):
                return None
        if partial is None:
            partial = partial_score(q, unit, subject, factless, page_best.score - 1e-9 if page_best else 0.0)
            if partial is None or not _may_contradict(q, unit, min(close, partial.bound), min_score, subject):
                return None
        return finish_score(q, unit, partial)

    def start(self) -> Gathered:
        return Gathered()

    def gather(self, gathered: Gathered, prepared: PageQuestions) -> None:
        gathered.keys[prepared.url] = prepared.keys
        gathered.schema_findings.extend(prepared.schema_findings)
        for qid, shown, verdict, claims, wrong in prepared.best:
            if qid not in self._questions:  # prepared under another pack (an edited config): no longer applies
                continue
            if wrong:
                gathered.contradicting.setdefault(qid, []).extend(wrong)
            if shown is None:
                continue
            if isinstance(shown, PageScore):  # under min_score: a row of the matrix, never the site's answer
                gathered.per_page.setdefault(qid, []).append(shown)
                continue
            row = PageScore.of(shown)
            gathered.per_page.setdefault(qid, []).append(row)
            held = gathered.best.get(qid)
            if held is None or row.order < PageScore.of(held[0]).order:
                gathered.best[qid] = (shown, verdict, claims)

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
                # judged in the map step, with the same pack and min_score (the unit as shown cannot be judged)
                verdict = held[1] if held is not None and best is not None else None
                suggestion = None if best is not None else self._suggest_home(q, site, per_page, g.keys)
                contradicting = sorted(
                    g.contradicting.get(q.id, ()), key=lambda c: (c[0].unit.url, _place(c[0].unit), -c[0].score)
                )
                analysis.results.append(
                    QuestionResult(
                        q, best, tuple(per_page), tuple(contradicting), verdict, suggestion,
                        held[2] if best is not None and held is not None else (),
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
        contradictions: dict[tuple[str, str], list[tuple[QuestionResult, Answered, Verdict]]] = {}
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
        self, contradictions: Mapping[tuple[str, str], Sequence[tuple[QuestionResult, Answered, Verdict]]]
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

    def _quality(self, best: Answered, verdict: Verdict | None, claims: Sequence[Finding]) -> list[str]:
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
    a = schema.sentences[0].lead if schema.sentences else None
    b = visible.sentences[0].lead if visible.sentences else None
    if a is not None and b is not None and a.polarity != b.polarity:
        return True
    nums_a = set(_NUMBER.findall(schema.snippet_text))
    nums_b = set(_NUMBER.findall(visible.snippet_text))
    return bool(nums_a and nums_b and not (nums_a & nums_b))


def checks(config: Config) -> list[PageCheck | SiteCheck]:
    return [QuestionCoverageCheck(config)]
