"""Required caveats: treatment pages must speak of results, consultation, risks, aftercare and training."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.errors import RuleError
from auditor.models import AnalysedPage, Block, Finding, Page
from auditor.nlp import analyse_page
from checks.matching import CompiledRules, page_text, phrase_doc
from checks.registry import CheckContext, PageCheck, RuleInfo
from checks.rulepack import CaveatRule, LoadedPacks, PackCache, PackRuleSet, config_dir


@dataclass(frozen=True)
class CaveatRuleSet(PackRuleSet[CaveatRule]):
    """Validated caveat rules and topic terms with their compiled matchers: built once per process."""

    compiled: CompiledRules
    topic_terms: tuple[tuple[str, ...], ...]  # lemma sequences


@dataclass(frozen=True)
class TreatmentSettings:
    """When a page counts as a treatment page (from checks.caveats in the configuration)."""

    treatment_pages: tuple[str, ...] = ()
    exclude_pages: tuple[str, ...] = ()
    detect_by_topic: bool = True
    topic_min_mentions: int = 5
    topic_min_words: int = 150
    article_pages: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, section: Any) -> TreatmentSettings:
        return cls(
            treatment_pages=tuple(section.treatment_pages),
            exclude_pages=tuple(section.exclude_pages),
            detect_by_topic=bool(section.detect_by_topic),
            topic_min_mentions=int(section.topic_min_mentions),
            topic_min_words=int(section.topic_min_words),
            article_pages=tuple(section.article_pages),
        )


# Structured data that says what a page is: a service offered, or something else (an article, the clinic).
_SERVICE_TYPES = frozenset(
    {"service", "medicalprocedure", "therapeuticprocedure", "medicaltherapy", "product"}
)
_OTHER_TYPES = frozenset(
    {"article", "blogposting", "newsarticle", "blog", "faqpage", "aboutpage", "contactpage", "collectionpage",
     "medicalclinic", "localbusiness", "organization", "healthandbeautybusiness", "website", "qapage"}
)
# Headline words of pages that inform about a treatment or the clinic rather than offer it.
_INFO_HEADLINE = frozenset(
    {"price", "prices", "pricing", "cost", "costs", "fee", "fees", "finance", "aftercare", "faq", "faqs",
     "question", "questions", "blog", "guide", "guides", "news", "myth", "myths", "about", "contact",
     "review", "reviews", "gallery", "testimonial", "testimonials", "vs", "versus", "careers", "team"}
)
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/home/"})


def _glob(url: str, patterns: Sequence[str]) -> str | None:
    low = url.lower()
    return next((p for p in patterns if fnmatch.fnmatch(low, p.lower())), None)


def _schema_types(page: Page) -> set[str]:
    types: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            kind = node.get("@type")
            for value in kind if isinstance(kind, list) else [kind]:
                if isinstance(value, str):
                    types.add(value.rsplit("/", 1)[-1].lower())
            visit(node.get("@graph"))

    for block in page.json_ld:
        visit(block.data)
    return types


def _not_offering(page: Page, settings: TreatmentSettings, types: set[str]) -> str | None:
    """Why a page that talks about the treatment is still not a page offering it, or None."""
    article = _glob(page.url, settings.article_pages)
    if article is not None:
        return f"its address matches {article!r}"
    if urlsplit(page.url).path in _HOME_PATHS and "://" in page.url:
        return "it is the home page"
    other = sorted(types & _OTHER_TYPES)
    if other:
        return f"its structured data says {other[0]}"
    headline = " ".join([page.title or "", *(h.text for h in page.headings if h.level == 1)]).lower()
    words = set(re.findall(r"[a-z]+", headline)) & _INFO_HEADLINE
    if words:
        return f"its headline is about {sorted(words)[0]}"
    return None


def _main_sentence_indexes(apage: AnalysedPage) -> set[int]:
    main = {b.index for b in apage.page.blocks if b.in_main}
    return {i for i, s in enumerate(apage.sentences) if s.block_index in main}


def topic_mentions(apage: AnalysedPage, ruleset: CaveatRuleSet) -> int:
    """Mentions of the treatment in the page's main text; overlapping terms ("scalp micropigmentation" and
    "micropigmentation") count once. Plain lemma counting: no Doc is needed to count words."""
    if not ruleset.topic_terms or not apage.sentences:
        return 0
    text = page_text(apage.sentences)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for term in sorted(ruleset.topic_terms, key=len, reverse=True):
        by_first.setdefault(term[0], []).append(term)
    count = 0
    for number in _main_sentence_indexes(apage):
        lemmas = text.lemmas[number]
        i = 0
        while i < len(lemmas):
            step = 1
            for term in by_first.get(lemmas[i], ()):
                if lemmas[i : i + len(term)] == term:
                    count += 1
                    step = len(term)
                    break
            i += step
    return count


def treatment_reason(apage: AnalysedPage, ruleset: CaveatRuleSet, settings: TreatmentSettings) -> str | None:
    """Why this page offers a treatment (so it must carry the caveats), or None when it does not.

    In order: an excluded address (contact, privacy...) without FAQs never is; a treatment address always is;
    structured data of a service is; with topic detection, a page long enough that mentions the treatment
    often enough is, unless it is an article, FAQ, guide, price list, the home page or the clinic's own page.
    """
    page = apage.page
    excluded = _glob(page.url, settings.exclude_pages)
    if excluded is not None and not page.faqs:
        return None
    if excluded is None:
        matched = _glob(page.url, settings.treatment_pages)
        if matched is not None:
            return f"its address matches {matched!r}"
    types = _schema_types(page)
    service = sorted(types & _SERVICE_TYPES)
    if service and topic_mentions(apage, ruleset) > 0:
        return f"its structured data describes a {service[0]}"
    if not settings.detect_by_topic or page.word_count < settings.topic_min_words:
        return None
    if _not_offering(page, settings, types) is not None:
        return None
    mentions = topic_mentions(apage, ruleset)
    if mentions >= settings.topic_min_mentions:
        return f"it mentions the treatment {mentions} times"
    return None


def present_caveats(apage: AnalysedPage, ruleset: CaveatRuleSet) -> set[str]:
    """Ids of the caveats the page's main text carries, in any of their wordings."""
    if not apage.sentences:
        return set()
    main = sorted(_main_sentence_indexes(apage))
    rules = ruleset.rules
    found = ruleset.compiled.find(page_text(apage.sentences), main, first_only=True)
    return {rules[position].id for position, _, _, _ in found}


def evaluate(apage: AnalysedPage, ruleset: CaveatRuleSet, settings: TreatmentSettings) -> list[Finding]:
    reason = treatment_reason(apage, ruleset, settings)
    if reason is None:
        return []
    present = present_caveats(apage, ruleset)
    findings = []
    for rule in ruleset.rules:
        if rule.id in present:
            continue
        findings.append(
            Finding(
                check_id=rule.id,
                category="caveats",
                severity=rule.severity,
                url=apage.page.url,
                message=f"{rule.failure_title} (a treatment page: {reason}).",
                suggestion=rule.suggestion,
                key=rule.name,
                details=(("caveat", rule.name), ("treatment_page", reason)),
            )
        )
    return findings


# ----------------------------------------------------------------------------------------------------


def validate_examples(ruleset: CaveatRuleSet) -> None:
    """Each caveat's `pass` examples must carry it and its `fail` examples not: else the pack is wrong."""
    for loaded in ruleset.packs.rules:
        rule = loaded.rule
        cases = [(t, True) for t in rule.examples.pass_] + [(t, False) for t in rule.examples.fail]
        for text, must_carry in cases:
            block = Block(index=0, kind="paragraph", text=text, heading_path=(), locator="example")
            apage = analyse_page(Page(url="rule-pack-example", source_kind="text", blocks=(block,)))
            carried = rule.id in present_caveats(apage, ruleset)
            if must_carry and not carried:
                raise RuleError(
                    f"{loaded.origin}: rule {rule.id}: its pass example does not carry it: “{text}”"
                )
            if carried and not must_carry:
                raise RuleError(f"{loaded.origin}: rule {rule.id}: its fail example carries it: “{text}”")


def _build(packs: LoadedPacks) -> CaveatRuleSet:
    topic = tuple(tuple(t.lemma_ for t in phrase_doc(term)) for term in packs.topic_terms)
    ruleset = CaveatRuleSet(packs, CompiledRules([loaded.rule for loaded in packs.rules]), topic)
    validate_examples(ruleset)
    return ruleset


_CACHE = PackCache("caveats", _build)


def load_caveat_rules(names: Sequence[str], base_dir: Path | None = None) -> CaveatRuleSet:
    """The caveats of the named packs (or pack files), validated, compiled and example-tested; cached."""
    return _CACHE.load(names, base_dir)


class CaveatsCheck:
    """Missing caveats on treatment pages: one page finding per caveat, with a sentence to add."""

    name = "caveats"

    def __init__(self, ruleset: CaveatRuleSet, settings: TreatmentSettings) -> None:
        self.ruleset = ruleset
        self.settings = settings

    def rules(self) -> Sequence[RuleInfo]:
        return self.ruleset.infos()

    def check_page(self, page: AnalysedPage, ctx: CheckContext) -> Iterable[Finding]:
        return evaluate(page, self.ruleset, self.settings)


def checks(config: Any) -> list[PageCheck]:
    section = config.checks.caveats
    ruleset = load_caveat_rules(section.rule_packs, config_dir(config))
    return [CaveatsCheck(ruleset, TreatmentSettings.from_config(section))]
