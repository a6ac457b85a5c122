"""The claims engine: pack rules matched in each sentence, then cleared or lowered by the cues around them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import RuleError
from auditor.models import (
    SEVERITY_RANK,
    AnalysedPage,
    Block,
    Cue,
    Evidence,
    Finding,
    Page,
    Sentence,
    Severity,
)
from checks.matching import CompiledRules, page_text
from checks.registry import CheckContext, PageCheck, RuleInfo
from checks.rulepack import ClaimRule, LoadedPacks, PackCache, PackRuleSet, config_dir

_CUE_WORDS = {
    "negation": "negation",
    "hedge": "hedge",
    "warning": "warning frame",
    "question": "question",
    "other_subject": "other subject",
    "comparative": "comparative",
    "quoted": "quotation",
}
_LOWER: dict[str, Severity] = {"error": "warning", "warning": "info", "info": "info"}


@dataclass(frozen=True)
class ClaimRuleSet(PackRuleSet[ClaimRule]):
    """Validated claims rules and their compiled matchers: built once per process for a set of pack files."""

    compiled: CompiledRules


@dataclass(frozen=True)
class Verdict:
    """What the context made of one matched claim: its severity (None = cleared) and the cue responsible."""

    severity: Severity | None
    cue: Cue | None
    quoted: bool


def _applies(cue: Cue, start: int, end: int, length: int) -> bool:
    """A cue touches a claim when its trigger is not one of the claim's words and its scope reaches the claim:
    a cue looking forward must reach where the claim starts, one looking back where it ends."""
    if cue.start < end and start < cue.end:
        return False
    lo, hi = cue.scope if cue.scope is not None else (0, length)
    if lo >= cue.end:  # forward
        return lo <= start < hi
    if hi <= cue.start:  # backward
        return lo < end <= hi
    return lo < end and start < hi


def judge(rule: ClaimRule, sentence: Sentence, start: int, end: int) -> Verdict:
    """Clear, lower or keep a claim matched at tokens [start, end) of a sentence, per the rule's cue lists."""
    length = len(sentence.tokens)
    touching = [c for c in sentence.cues if _applies(c, start, end, length)]
    quoted = any(c.kind == "quoted" for c in touching)
    for cue in touching:
        if cue.kind in rule.cleared_by:
            return Verdict(None, cue, quoted)
    for cue in touching:
        if cue.kind in rule.lowered_by:
            return Verdict(_LOWER[rule.severity], cue, quoted)
    return Verdict(rule.severity, None, quoted)


def _cue_text(cue: Cue, severity: Severity | None) -> str:
    what = f"{_CUE_WORDS.get(cue.kind, cue.kind)} '{cue.trigger}'"
    if severity is None:
        return f"{what} cleared this"
    return f"{what} lowered this to {'an' if severity == 'info' else 'a'} {severity}"


def _blocks_by_index(page: Page) -> dict[int, Block]:
    return {b.index: b for b in page.blocks}


def evaluate(apage: AnalysedPage, ruleset: ClaimRuleSet, report_cleared: bool = False) -> list[Finding]:
    """Findings for one page: one per rule and sentence (the strongest reading), repeated sentences once."""
    sentences = apage.sentences
    if not sentences:
        return []
    rules = ruleset.rules
    best: dict[tuple[int, int], tuple[Verdict, int, int]] = {}
    for position, index, s, e in ruleset.compiled.find(page_text(sentences)):
        verdict = judge(rules[position], sentences[index], s, e)
        key = (position, index)
        current = best.get(key)
        if current is None or _stronger(verdict, current[0]):
            best[key] = (verdict, s, e)
    blocks = _blocks_by_index(apage.page)
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for (position, index), (verdict, s, e) in sorted(best.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if verdict.severity is None and not report_cleared:
            continue
        rule = rules[position]
        sentence = sentences[index]
        dedupe = (rule.id, " ".join(sentence.text.split()).lower())
        if dedupe in seen:
            continue
        seen.add(dedupe)
        findings.append(_finding(apage.page, rule, sentence, verdict, s, e, blocks.get(sentence.block_index)))
    return findings


def _stronger(new: Verdict, old: Verdict) -> bool:
    new_rank = -1 if new.severity is None else SEVERITY_RANK[new.severity]
    old_rank = -1 if old.severity is None else SEVERITY_RANK[old.severity]
    return new_rank > old_rank


def _finding(
    page: Page,
    rule: ClaimRule,
    sentence: Sentence,
    verdict: Verdict,
    start: int,
    end: int,
    block: Block | None,
) -> Finding:
    matched = " ".join(sentence.tokens[start:end])
    severity: Severity = verdict.severity if verdict.severity is not None else "info"
    details: list[tuple[str, Any]] = [("matched", matched)]
    if verdict.quoted:
        details.append(("quoted", "inside quotation marks: a quoted testimonial is still the clinic's claim"))
    if verdict.severity is None:
        details.append(("cleared", True))
    return Finding(
        check_id=rule.id,
        category=rule.category,
        severity=severity,
        url=page.url,
        message=f"{rule.failure_title}: “{sentence.text.strip()}”",
        suggestion=rule.suggestion,
        evidence=Evidence(
            excerpt=sentence.text,
            start=sentence.start,
            end=sentence.end,
            context=block.text if block is not None else sentence.text,
            heading_path=block.heading_path if block is not None else (),
            locator=block.locator if block is not None else None,
            block_index=sentence.block_index,
        ),
        claim_type=rule.claim_type,
        cue=_cue_text(verdict.cue, verdict.severity) if verdict.cue is not None else None,
        details=tuple(details),
    )


# ----------------------------------------------------------------------------------------------------
# Loading: packs are parsed, compiled and their own examples run once per process for a given set of files.


def _examples_page(texts: Sequence[str]) -> AnalysedPage:
    from auditor.nlp import analyse_page

    blocks = tuple(
        Block(index=i, kind="paragraph", text=t, heading_path=(), locator=f"example {i + 1}")
        for i, t in enumerate(texts)
    )
    return analyse_page(Page(url="rule-pack-examples", source_kind="text", blocks=blocks))


def validate_examples(ruleset: ClaimRuleSet) -> None:
    """Each rule's `fail` examples must be flagged by it and its `pass` examples not, or the pack is wrong."""
    texts: list[str] = []
    owners: list[tuple[int, bool]] = []  # (rule position, is a fail example)
    for position, rule in enumerate(ruleset.rules):
        for text in rule.examples.fail:
            texts.append(text)
            owners.append((position, True))
        for text in rule.examples.pass_:
            texts.append(text)
            owners.append((position, False))
    flagged: set[tuple[int, str]] = set()  # (block index, rule id) at warning or above
    for finding in evaluate(_examples_page(texts), ruleset):
        if (
            finding.evidence is not None
            and finding.evidence.block_index is not None
            and SEVERITY_RANK[finding.severity] >= SEVERITY_RANK["warning"]
        ):
            flagged.add((finding.evidence.block_index, finding.check_id))
    for block_index, (position, must_flag) in enumerate(owners):
        loaded = ruleset.packs.rules[position]
        rule = loaded.rule
        hit = (block_index, rule.id) in flagged
        if must_flag and not hit:
            raise RuleError(
                f"{loaded.origin}: rule {rule.id}: its fail example is not flagged: “{texts[block_index]}”"
            )
        if not must_flag and hit:
            raise RuleError(
                f"{loaded.origin}: rule {rule.id}: its pass example is flagged: “{texts[block_index]}”"
            )


def _build(packs: LoadedPacks) -> ClaimRuleSet:
    ruleset = ClaimRuleSet(packs, CompiledRules([loaded.rule for loaded in packs.rules]))
    validate_examples(ruleset)
    return ruleset


_CACHE = PackCache("claims", _build)


def load_claim_rules(names: Sequence[str], base_dir: Path | None = None) -> ClaimRuleSet:
    """The claims rules of the named packs (or pack files), validated, compiled and example-tested; cached."""
    return _CACHE.load(names, base_dir)


class ClaimsCheck:
    """Unsubstantiated or false claims in any sentence of the page, judged in context."""

    name = "claims"

    def __init__(self, ruleset: ClaimRuleSet, report_cleared: bool = False) -> None:
        self.ruleset = ruleset
        self.report_cleared = report_cleared

    def rules(self) -> Sequence[RuleInfo]:
        return self.ruleset.infos()

    def check_page(self, page: AnalysedPage, ctx: CheckContext) -> Iterable[Finding]:
        return evaluate(page, self.ruleset, self.report_cleared)


def checks(config: Any) -> list[PageCheck]:
    claims_config = config.checks.claims
    ruleset = load_claim_rules(claims_config.rule_packs, config_dir(config))
    return [ClaimsCheck(ruleset, claims_config.report_cleared)]
