"""Structured data checks: unparseable JSON-LD and missing properties search engines need."""

from __future__ import annotations

import re
from collections.abc import Iterable

from auditor.config import SeoConfig
from auditor.models import AnalysedPage, Evidence, Finding
from checks.registry import RuleInfo
from checks.seo_base import Gate, PageFn, finding, make_rule, short
from checks.structured_data import SCHEMA_SPECS, iter_nodes, missing_paths, specs_for

GOOGLE_SD = "https://developers.google.com/search/docs/appearance/structured-data/intro-structured-data"
VALIDATOR = "https://validator.schema.org/"
_SPEC_NAMES = ", ".join(spec.name for spec in SCHEMA_SPECS)

JSONLD_ERROR = make_rule(
    "SEO024",
    title="Structured data parses",
    failure_title="Structured data cannot be read",
    severity="warning",
    rationale="A JSON-LD block with a syntax error is ignored whole: every rich result it would have earned "
    "is lost.",
    source="Google Search Central: structured data general guidelines; JSON-LD 1.1 (W3C)",
    suggestion="Fix the JSON-LD script so it is valid JSON (check commas, quotes and brackets); test it with "
    "Google's Rich Results Test or the Schema.org validator.",
    what='Parses every <script type="application/ld+json"> strictly as JSON and reports those that fail, '
    "with "
    "the parser's reason and position.",
    why="Search engines read nothing from a block they cannot parse, so the clinic's address, opening hours "
    "or "
    "FAQ never reach the results page.",
    example='{"@type": "MedicalClinic", "name": "Example Clinic",}   (trailing comma)',
    instead='{"@type": "MedicalClinic", "name": "Example Clinic"}',
    references=(
        "Lighthouse audit structured-data (manual; lighthouse-core/audits/seo/manual/structured-data.js)",
        GOOGLE_SD,
        VALIDATOR,
    ),
)


def _jsonld_errors(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    out = []
    for index, block in enumerate(ap.page.json_ld, start=1):
        if block.error is None:
            continue
        out.append(
            finding(
                rule,
                ap.page.url,
                f"Structured data block {index} cannot be read: {block.error}.",
                key=f"jsonld:{index}:{block.error}",
                evidence=Evidence(excerpt=short(block.raw.strip(), 160), locator=block.locator or None)
                if block.raw.strip()
                else None,
                details=(("error", block.error), ("block", index)),
            )
        )
    return out


SCHEMA_REQUIRED = make_rule(
    "SEO025",
    title="Structured data has the properties search engines need",
    failure_title="Structured data lacks required properties",
    severity="warning",
    rationale="Search engines skip a MedicalClinic, LocalBusiness, FAQPage or Article entity that lacks its "
    "required properties, so it earns no rich result or map listing.",
    source="Google Search Central structured data documentation (local business, FAQ, article); schema.org",
    suggestion="Add the named properties to the structured data, with the same facts the page shows (name, "
    "full "
    "postal address, and so on).",
    what=f"For each JSON-LD entity of type {_SPEC_NAMES} (and their common subtypes, such as Dentist or "
    "BlogPosting), checks the properties listed as required in checks/structured_data.py and names those "
    "missing or empty, including inside lists (each FAQ question needs a name and an acceptedAnswer with "
    "text).",
    why="Structured data is how a clinic's address, hours and FAQs appear directly in search results and "
    "maps; "
    "an incomplete entity is silently ignored.",
    example='{"@type": "MedicalClinic", "name": "Example Clinic"}   (no address)',
    instead='{"@type": "MedicalClinic", "name": "Example Clinic", "address": {"@type": "PostalAddress", '
    '"streetAddress": "1 High St", "addressLocality": "Leeds", "postalCode": "LS1 1AA", "addressCountry": '
    '"GB"}}',
    references=tuple(dict.fromkeys(spec.source for spec in SCHEMA_SPECS)),
)

SCHEMA_RECOMMENDED = make_rule(
    "SEO026",
    title="Structured data has the recommended properties",
    failure_title="Structured data lacks recommended properties",
    severity="info",
    rationale="Recommended properties (telephone, opening hours, images, dates) make a listing complete and "
    "more "
    "likely to be shown.",
    source="Google Search Central structured data documentation (recommended properties); schema.org",
    suggestion="Add the named recommended properties where the clinic has the information.",
    what=f"Like SEO025, for the recommended properties of {_SPEC_NAMES} in checks/structured_data.py.",
    why="A listing with phone number, hours and photo gets more clicks than a bare name and address.",
    example='{"@type": "MedicalClinic", "name": "...", "address": {...}}   (no telephone or opening hours)',
    instead='... "telephone": "+44 113 000 0000", "openingHoursSpecification": [...] ...',
    references=tuple(dict.fromkeys(spec.source for spec in SCHEMA_SPECS)),
)


def _entity_label(node: dict[str, object] | object, spec_name: str) -> str:
    name = node.get("name") if isinstance(node, dict) else None
    return f"{spec_name} '{short(name, 40)}'" if isinstance(name, str) and name.strip() else spec_name


def _schema_missing(ap: AnalysedPage, required: bool, rule: RuleInfo) -> Iterable[Finding]:
    out = []
    for block_number, block in enumerate(ap.page.json_ld, start=1):
        if block.error is not None or block.data is None:
            continue
        for node_number, node in enumerate(iter_nodes(block.data), start=1):
            for spec in specs_for(node):
                paths = spec.required if required else spec.recommended
                missing: list[str] = []
                for path in paths:
                    for item in missing_paths(node, path):
                        if item not in missing:
                            missing.append(item)
                if not missing:
                    continue
                label = _entity_label(dict(node), spec.name)
                kind = "required" if required else "recommended"
                out.append(
                    finding(
                        rule,
                        ap.page.url,
                        f"The {label} structured data lacks {kind} properties: {', '.join(missing)}.",
                        key=f"schema:{kind}:{spec.name}:{block_number}.{node_number}",
                        details=(("type", spec.name), ("missing", tuple(missing)), ("source", spec.source)),
                    )
                )
    return out


def _schema_required(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    return _schema_missing(ap, True, rule)


def _schema_recommended(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    return _schema_missing(ap, False, rule)


FAQ_VISIBLE = make_rule(
    "SEO028",
    title="FAQ structured data matches what the page shows",
    failure_title="FAQ structured data holds questions the page does not show",
    severity="warning",
    rationale="Google requires every question and answer in FAQPage markup to be visible on the page; hidden "
    "ones are a structured-data policy violation.",
    source="Google Search Central: FAQ structured data guidelines; structured data general guidelines",
    suggestion="Show each question and its answer on the page (an FAQ section or <details> elements), or "
    "remove "
    "them from the FAQPage structured data.",
    what="For each question of FAQPage JSON-LD, looks for the question in the page's visible text (words, "
    "case "
    "and punctuation folded), and for its answer (at least 60% of the answer's three-word runs must appear).",
    why="Markup that promises content the visitor cannot see can cost the page its rich results or draw a "
    "manual "
    "action.",
    example='JSON-LD question "Can SMP be removed?" with no such question anywhere on the page.',
    instead="The same question and answer shown in the page's FAQ section.",
    references=(
        "https://developers.google.com/search/docs/appearance/structured-data/faqpage#guidelines",
        "https://developers.google.com/search/docs/appearance/structured-data/sd-policies",
    ),
)

_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _trigrams(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + 3]) for i in range(max(0, len(tokens) - 2))}


def _faq_visible(ap: AnalysedPage, seo: SeoConfig, rule: RuleInfo) -> Iterable[Finding]:
    del seo
    schema_pairs = [f for f in ap.page.faqs if f.source == "schema"]
    if not schema_pairs:
        return []
    page_tokens = _tokens(" ".join(b.text for b in ap.page.blocks))
    flat = " " + " ".join(page_tokens) + " "
    page_grams = _trigrams(page_tokens)
    out = []
    for pair in schema_pairs:
        question = " ".join(_tokens(pair.question))
        answer_grams = _trigrams(_tokens(pair.answer))
        question_shown = bool(question) and f" {question} " in flat
        answer_shown = not answer_grams or len(answer_grams & page_grams) >= 0.6 * len(answer_grams)
        if question_shown and answer_shown:
            continue
        part = (
            "question and answer"
            if not question_shown and not answer_shown
            else ("question" if not question_shown else "answer")
        )
        out.append(
            finding(
                rule,
                ap.page.url,
                f"The FAQ structured data has the {part} '{short(pair.question, 80)}', which the page does "
                "not "
                "show.",
                key=f"faq-hidden:{question}",
                evidence=Evidence(excerpt=pair.question),
                details=(("missing", part),),
            )
        )
    return out


SCHEMA_RULES: tuple[tuple[RuleInfo, PageFn, Gate], ...] = (
    (JSONLD_ERROR, _jsonld_errors, Gate()),
    (SCHEMA_REQUIRED, _schema_required, Gate()),
    (SCHEMA_RECOMMENDED, _schema_recommended, Gate()),
    (FAQ_VISIBLE, _faq_visible, Gate(kinds=("html", "markdown"))),
)
