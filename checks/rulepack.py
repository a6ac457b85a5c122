"""YAML rule packs (claims, caveats): finding, parsing and validating them, naming file, rule and reason."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from auditor.errors import RuleError
from auditor.models import Category, Severity
from checks.registry import RuleDocs, RuleInfo

RULES_DIR = Path(__file__).resolve().parent / "rules"
_REPO_ROOT = RULES_DIR.parent.parent

PackKind = Literal["claims", "caveats"]
CueName = Literal["negation", "hedge", "warning", "question", "other_subject", "comparative", "quoted"]
TokenPattern = list[dict[str, Any]]
_CLEARED_BY: tuple[CueName, ...] = ("negation", "question", "warning", "other_subject")
_LOWERED_BY: tuple[CueName, ...] = ("hedge", "comparative")


class _Strict(BaseModel):
    """A misspelt key in a rule pack is an error: a rule that silently ignores `unles` is worse than none."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _clean_phrases(values: list[str]) -> list[str]:
    cleaned = [v.strip() for v in values]
    if any(not v for v in cleaned):
        raise ValueError("phrases must not be empty")
    return cleaned


class Examples(_Strict):
    fail: list[str] = Field(min_length=1)  # each must be flagged by the rule (claims) / lack it (caveats)
    pass_: list[str] = Field(alias="pass", min_length=1)  # each must not be flagged / must carry it


class _MatchingRule(_Strict):
    """What every pack rule shares: its documentation and what it matches."""

    severity: Severity
    title: str = Field(min_length=1)
    failure_title: str = Field(min_length=1)
    what: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    source: str = Field(min_length=1)
    suggestion: str = Field(min_length=1)
    references: list[str] = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)  # matched on lemmas
    patterns: list[TokenPattern] = Field(default_factory=list)  # spaCy Matcher token patterns
    unless: list[str] = Field(
        default_factory=list
    )  # lemma phrases that never count when they overlap a match
    unless_patterns: list[TokenPattern] = Field(default_factory=list)  # token patterns, the same way
    examples: Examples

    @field_validator("phrases", "unless")
    @classmethod
    def _non_empty(cls, values: list[str]) -> list[str]:
        return _clean_phrases(values)

    @model_validator(mode="after")
    def _matches_something(self) -> _MatchingRule:
        if not self.phrases and not self.patterns:
            raise ValueError("a rule needs at least one of `phrases` or `patterns`")
        return self


class ClaimRule(_MatchingRule):
    id: str = Field(pattern=r"^(CLM|ACC)\d{3}$")
    claim_type: str = Field(pattern=r"^[a-z][a-z_]*$")
    cleared_by: list[CueName] = Field(default_factory=lambda: list(_CLEARED_BY))
    lowered_by: list[CueName] = Field(default_factory=lambda: list(_LOWERED_BY))

    @model_validator(mode="after")
    def _cues_disjoint(self) -> ClaimRule:
        both = sorted(set(self.cleared_by) & set(self.lowered_by))
        if both:
            raise ValueError(f"cue(s) {', '.join(both)} cannot both clear and lower a finding")
        return self

    @property
    def category(self) -> Category:
        return "accuracy" if self.id.startswith("ACC") else "claims"


class CaveatRule(_MatchingRule):
    id: str = Field(pattern=r"^CAV\d{3}$")
    name: str = Field(pattern=r"^[a-z][a-z_]*$")  # the finding's key: stable across runs

    @property
    def category(self) -> Category:
        return "caveats"


class Topic(_Strict):
    """How a page shows it is about the treatment when its address does not say so."""

    terms: list[str] = Field(min_length=1)  # lemma phrases; each mention in the main text counts once

    @field_validator("terms")
    @classmethod
    def _non_empty(cls, values: list[str]) -> list[str]:
        return _clean_phrases(values)


class _PackHeader(_Strict):
    pack: str = Field(min_length=1)
    kind: PackKind
    description: str = ""
    topic: Topic | None = None
    rules: list[Any] = Field(min_length=1)


AnyRule = ClaimRule | CaveatRule


@dataclass(frozen=True)
class LoadedRule:
    """A validated rule and the pack file it came from (the `origin` reviewers are pointed to)."""

    rule: Any  # ClaimRule | CaveatRule
    origin: str


@dataclass(frozen=True)
class LoadedPacks:
    kind: PackKind
    files: tuple[str, ...]
    rules: tuple[LoadedRule, ...]
    topic_terms: tuple[str, ...] = ()


RuleT = TypeVar("RuleT", bound="ClaimRule | CaveatRule")
SetT = TypeVar("SetT")


@dataclass(frozen=True)
class PackRuleSet(Generic[RuleT]):
    """The loaded packs behind an engine's rule set; each engine adds its compiled matchers."""

    packs: LoadedPacks

    @property
    def rules(self) -> tuple[RuleT, ...]:
        return tuple(loaded.rule for loaded in self.packs.rules)

    def infos(self) -> list[RuleInfo]:
        return [rule_info(loaded) for loaded in self.packs.rules]


# ----------------------------------------------------------------------------------------------------


def display_path(path: Path) -> str:
    """Pack files inside the project are named relative to it, as a reviewer would look for them."""
    try:
        return path.resolve().relative_to(_REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _is_path(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) or "/" in name or os.sep in name


# libyaml when present: packs parse twenty times faster than with the pure-Python loader.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PARSED: dict[tuple[str, int, int], Any] = {}


def _read_yaml(path: Path) -> Any:
    """Parsed once per version of the file: resolving pack names and loading them read the same files."""
    shown = display_path(path)
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
        if key in _PARSED:
            return _PARSED[key]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{shown}: cannot read rule pack ({exc})") from None
    try:
        data = yaml.load(text, Loader=_SafeLoader)
        _PARSED[key] = data
        return data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleError(f"{shown}: invalid YAML{where}: {problem}") from None


def resolve_pack_files(names: Sequence[str], kind: PackKind, base_dir: Path | None = None) -> list[Path]:
    """Pack names become files: a name is checks/rules/<name>*.yaml of this kind; a path is taken as it is."""
    files: list[Path] = []
    for name in names:
        if _is_path(name):
            candidates = (
                [Path(name)]
                if Path(name).is_absolute()
                else [
                    *([base_dir / name] if base_dir is not None else []),
                    Path.cwd() / name,
                    _REPO_ROOT / name,
                ]
            )
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                raise RuleError(f"{name}: rule pack file not found")
            files.append(found)
            continue
        matched = []
        for path in sorted(RULES_DIR.glob(f"{name}*.yaml")):
            data = _read_yaml(path)
            if isinstance(data, dict) and data.get("kind") == kind:
                matched.append(path)
        if not matched:
            raise RuleError(f"rule pack '{name}': no {kind} pack file {display_path(RULES_DIR)}/{name}*.yaml")
        files.extend(matched)
    unique: list[Path] = []
    for f in files:
        if f.resolve() not in {u.resolve() for u in unique}:
            unique.append(f)
    return unique


def _describe(err: dict[str, Any], skip: int = 0) -> str:
    loc = [str(p) for p in err.get("loc", ())][skip:]
    kind = err.get("type")
    if kind == "extra_forbidden":
        return f"unknown field '{'.'.join(loc)}'"
    if kind == "missing":
        return f"missing field '{'.'.join(loc)}'"
    where = ".".join(loc)
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _first_error(exc: ValidationError, skip: int = 0) -> str:
    errors = exc.errors()
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return _describe(dict(errors[0]), skip) + more


def _has_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(_has_bool(v) for k, v in value.items() if not str(k).startswith("IS_"))
    if isinstance(value, list):
        return any(_has_bool(v) for v in value)
    return False


def validate_token_pattern(pattern: Any) -> str | None:
    """Why spaCy would refuse this token pattern, or None when it is valid."""
    from spacy.matcher import Matcher

    from auditor.nlp import get_nlp

    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
        return "a token pattern must be a non-empty list of token mappings"
    try:
        Matcher(get_nlp().vocab, validate=True).add("check", [pattern])
    except Exception as exc:  # spaCy raises ValueError or MatchPatternError with a multi-line report
        problems = []
        for line in str(exc).splitlines():
            line = line.strip()
            if line.startswith("- [pattern -> ") and "] " in line:
                where, why = line[len("- [pattern -> ") :].split("] ", 1)
                parts = [x for x in where.split(" -> ") if x not in ("TokenPatternString", "str")]
                problems.append(f"token {parts[0]} {'.'.join(parts[1:])}: {why}".replace("  ", " "))
        reason = "; ".join(dict.fromkeys(problems)) or " ".join(str(exc).split())
        if _has_bool(pattern):
            reason += " (YAML reads unquoted no, yes, on and off as true/false: quote them)"
        return reason
    return None


def parse_pack(path: Path, kind: PackKind) -> tuple[_PackHeader, list[AnyRule]]:
    """Parse one file of the given kind, naming the file, the rule id and the reason for any fault."""
    shown = display_path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise RuleError(f"{shown}: a rule pack must be a mapping with pack, kind and rules")
    try:
        header = _PackHeader.model_validate(data)
    except ValidationError as exc:
        raise RuleError(f"{shown}: {_first_error(exc)}") from None
    if header.kind != kind:
        raise RuleError(f"{shown}: is a {header.kind} pack, expected {kind}")
    model: type[ClaimRule] | type[CaveatRule] = ClaimRule if kind == "claims" else CaveatRule
    rules: list[AnyRule] = []
    for position, raw in enumerate(header.rules, start=1):
        rid = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"#{position}"
        if not isinstance(raw, dict):
            raise RuleError(f"{shown}: rule {rid}: a rule must be a mapping of fields")
        try:
            rule = model.model_validate(raw)
        except ValidationError as exc:
            raise RuleError(f"{shown}: rule {rid}: {_first_error(exc)}") from None
        for field in ("patterns", "unless_patterns"):
            for number, pattern in enumerate(getattr(rule, field)):
                problem = validate_token_pattern(pattern)
                if problem is not None:
                    raise RuleError(
                        f"{shown}: rule {rid}: invalid token pattern {field}[{number}]: {problem}"
                    )
        rules.append(rule)
    return header, rules


def load_packs(files: Sequence[Path], kind: PackKind) -> LoadedPacks:
    """Every rule of every file, with ids unique across all of them (a reused id would merge two findings)."""
    loaded: list[LoadedRule] = []
    seen: dict[str, str] = {}
    topic: list[str] = []
    for path in files:
        header, rules = parse_pack(path, kind)
        shown = display_path(path)
        if header.topic is not None:
            topic.extend(header.topic.terms)
        for rule in rules:
            if rule.id in seen:
                where = "earlier in this file" if seen[rule.id] == shown else f"also in {seen[rule.id]}"
                raise RuleError(f"{shown}: rule {rule.id}: duplicate rule id ({where})")
            seen[rule.id] = shown
            loaded.append(LoadedRule(rule, shown))
    return LoadedPacks(
        kind=kind,
        files=tuple(display_path(f) for f in files),
        rules=tuple(loaded),
        topic_terms=tuple(dict.fromkeys(topic)),
    )


def config_dir(config: Any) -> Path | None:
    """The directory of the configuration file, against which relative pack paths are resolved first."""
    source = str(getattr(config, "source", "") or "")
    return Path(source).parent if source and not source.startswith("<") else None


def files_key(files: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """Identity of a set of pack files as they are now: a cache keyed by it notices an edited pack."""
    key = []
    for f in files:
        st = f.stat()
        key.append((str(f.resolve()), st.st_mtime_ns, st.st_size))
    return tuple(key)


def rule_info(loaded: LoadedRule) -> RuleInfo:
    """The registry's view of a pack rule, so `auditor rules explain` shows what the YAML says."""
    rule = loaded.rule
    fails = "; ".join(f"“{t}”" for t in rule.examples.fail[:2])
    passes = "; ".join(f"“{t}”" for t in rule.examples.pass_[:2])
    if isinstance(rule, ClaimRule):
        example = f"Flagged: {fails} | not flagged: {passes}"
    else:
        example = f"Says it: {passes} | does not: {fails}"
    return RuleInfo(
        id=rule.id,
        title=rule.title,
        failure_title=rule.failure_title,
        category=rule.category,
        severity=rule.severity,
        rationale=rule.rationale,
        source=rule.source,
        suggestion=rule.suggestion,
        docs=RuleDocs(
            what=rule.what,
            why=rule.rationale,
            example=example,
            instead=rule.suggestion,
            references=tuple(rule.references),
        ),
        scope="page",
        claim_type=rule.claim_type if isinstance(rule, ClaimRule) else None,
        origin=loaded.origin,
    )


class PackCache(Generic[SetT]):
    """Builds an engine's rule set (compiled, example-tested) once per set of pack files as they are now."""

    def __init__(self, kind: PackKind, build: Callable[[LoadedPacks], SetT]) -> None:
        self.kind = kind
        self._build = build
        self._cached = lru_cache(maxsize=16)(self._fresh)

    def _fresh(self, key: tuple[tuple[str, int, int], ...]) -> SetT:
        return self._build(load_packs([Path(path) for path, _, _ in key], self.kind))

    def load(self, names: Sequence[str], base_dir: Path | None = None) -> SetT:
        return self._cached(files_key(resolve_pack_files(names, self.kind, base_dir)))
