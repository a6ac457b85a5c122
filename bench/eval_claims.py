"""Scores the claims engine on labelled sentences (precision, recall, F1 per claim type); audits the guide.

Usage: .venv/bin/python bench/eval_claims.py [--file X.jsonl ...] [--corpus guide.txt] [--quiet]

Scoring follows ../shared/eval/README.md: each sentence is audited as a document of its own; it is flagged
when any claims or accuracy finding is at error or warning, and flagged in the right type when one of those
findings carries the sentence's claim type. This is a measurement: it exits 0 whatever the scores.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from auditor.config import Config  # noqa: E402
from auditor.models import Finding, Page, Site  # noqa: E402
from auditor.nlp import analyse_pages  # noqa: E402
from checks.registry import CHECK_MODULES, CheckContext, PageCheck, SiteCheck  # noqa: E402

SHARED = REPO.parent / "shared"
DEFAULT_FILES = (SHARED / "eval" / "claims_dev.jsonl", REPO / "tests" / "fixtures" / "claims_heldout.jsonl")
DEFAULT_CORPUS = SHARED / "corpus" / "smp-safety-guide.txt"
TARGET = 0.95
_CATEGORIES = ("claims", "accuracy")


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    violation: bool
    category: str | None
    context: str | None


def read_jsonl(path: Path) -> list[Labelled]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        if data.get("label") not in ("violation", "ok"):
            raise SystemExit(f"{path}:{number}: label must be 'violation' or 'ok'")
        rows.append(Labelled(str(data["id"]), str(data["text"]), data["label"] == "violation",
                             data.get("category"), data.get("context")))
    return rows


def page_of(text: str, url: str) -> Page:
    """A document of its own, built as `auditor audit` builds a plain-text draft."""
    from auditor.extract import extract_text

    return extract_text(text, url)


def claims_checks(config: Config) -> list[PageCheck | SiteCheck]:
    """Every check that can report a claims or accuracy finding, whichever module provides it.

    A module that cannot be imported yet is named and skipped, so the claims engine can be measured alone.
    """
    chosen: list[PageCheck | SiteCheck] = []
    for name in CHECK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            print(f"note: {name} not available ({exc}); skipped")
            continue
        for check in module.checks(config):
            if any(rule.category in _CATEGORIES for rule in check.rules()):
                chosen.append(check)
    return chosen


def audit(pages: Sequence[Page], checks: Sequence[PageCheck | SiteCheck],
          config: Config) -> list[list[Finding]]:
    ctx = CheckContext(config=config)
    results: list[list[Finding]] = []
    for apage in analyse_pages(pages):
        found: list[Finding] = []
        for check in checks:
            if isinstance(check, PageCheck):
                found.extend(check.check_page(apage, ctx))
            else:
                site = Site(name="eval", root_url=None, pages=(apage,))
                found.extend(f for f in check.check_site(site, ctx) if f.url == apage.page.url)
        results.append([f for f in found if f.category in _CATEGORIES])
    return results


def _prf(tp: int, flagged: int, hits: int, total: int) -> tuple[float, float, float]:
    precision = tp / flagged if flagged else 1.0
    recall = hits / total if total else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _describe(findings: Iterable[Finding]) -> str:
    parts = []
    for f in findings:
        cue = f" [{f.cue}]" if f.cue else ""
        parts.append(f"{f.check_id}/{f.claim_type}/{f.severity}{cue}")
    return ", ".join(parts) or "nothing"


@dataclass
class Tally:
    per_type: dict[str, Counter[str]]
    misses: list[tuple[Labelled, Sequence[Finding]]]
    false_alarms: list[tuple[Labelled, list[Finding]]]

    def overall(self) -> tuple[float, float, float]:
        totals: Counter[str] = Counter()
        for counts in self.per_type.values():
            totals.update(counts)
        return _prf(totals["tp"], totals["flagged"], totals["hits"], totals["violations"])


def tally(rows: Sequence[Labelled], results: Sequence[Sequence[Finding]]) -> Tally:
    """Counts per claim type as the README defines them: flagged at all, and flagged in the right type."""
    result = Tally(defaultdict(Counter), [], [])
    for row, found in zip(rows, results, strict=True):
        live = [f for f in found if f.severity in ("error", "warning")]
        counts = result.per_type[row.category or "(none)"]
        counts["sentences"] += 1
        counts["flagged"] += bool(live)
        if row.violation:
            counts["violations"] += 1
            counts["tp"] += bool(live)
            if any(f.claim_type == row.category for f in live):
                counts["hits"] += 1
            else:
                result.misses.append((row, found))
        elif live:
            result.false_alarms.append((row, live))
    return result


def score(rows: Sequence[Labelled], results: Sequence[Sequence[Finding]], name: str, quiet: bool,
          engine_ids: frozenset[str]) -> None:
    counted = tally(rows, results)
    p, r, f1 = counted.overall()
    violations = sum(c["violations"] for c in counted.per_type.values())
    ok = "meets" if p >= TARGET and r >= TARGET else "BELOW"
    print(f"\n== {name}: {len(rows)} sentences, {violations} violations ==")
    print(f"overall  precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}   ({ok} the {TARGET:.2f} target)")
    alone = [[f for f in found if f.check_id in engine_ids] for found in results]
    if alone != [list(found) for found in results]:
        pa, ra, fa = tally(rows, alone).overall()
        print(f"claims engine alone (other checks' findings left out): precision {pa:.3f}  recall {ra:.3f}  "
              f"F1 {fa:.3f}")
    print(f"{'type':<15}{'n':>4}{'viol':>6}{'flag':>6}{'P':>8}{'R':>8}{'F1':>8}")
    for kind in sorted(counted.per_type):
        c = counted.per_type[kind]
        pr, rr, ff = _prf(c["tp"], c["flagged"], c["hits"], c["violations"])
        print(f"{kind:<15}{c['sentences']:>4}{c['violations']:>6}{c['flagged']:>6}"
              f"{pr:>8.3f}{rr:>8.3f}{ff:>8.3f}")
    print(f"misses ({len(counted.misses)}):")
    for row, found in [] if quiet else counted.misses:
        print(f"  {row.id} [{row.category}] {row.text}\n      found: {_describe(found)}")
    print(f"false alarms ({len(counted.false_alarms)}):")
    for row, live in [] if quiet else counted.false_alarms:
        print(f"  {row.id} [{row.category}/{row.context}] {row.text}\n      found: {_describe(live)}")


def corpus(path: Path, checks: Sequence[PageCheck | SiteCheck], config: Config,
           engine_ids: frozenset[str]) -> None:
    """The clinic guide is good copy: no errors, at most two warnings, each explained by its cue."""
    page = page_of(path.read_text(encoding="utf-8"), url=path.name)
    start = time.perf_counter()
    findings = audit([page], checks, config)[0]
    elapsed = time.perf_counter() - start
    mine = [f for f in findings if f.check_id in engine_ids]
    others = [f for f in findings if f.check_id not in engine_ids and f.severity in ("error", "warning")]
    live = [f for f in mine if not dict(f.details).get("cleared")]
    cleared = [f for f in mine if dict(f.details).get("cleared")]
    by_sev = Counter(f.severity for f in live)
    print(f"\n== corpus {path.name}: {len(page.blocks)} blocks, {page.word_count} words, {elapsed:.2f}s ==")
    print(f"claims engine: errors {by_sev['error']}  warnings {by_sev['warning']}  info {by_sev['info']}  "
          f"(matched but cleared by a cue: {len(cleared)})")
    for f in live:
        if f.severity in ("error", "warning"):
            excerpt = f.evidence.excerpt if f.evidence else ""
            print(f"  {f.severity.upper()} {f.check_id} [{f.claim_type}] cue={f.cue or 'none'}")
            print(f"      “{excerpt}”")
    kinds = Counter((f.cue or "").split(" '")[0] for f in cleared)
    if kinds:
        print("  cleared by: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    verdict = "PASS" if by_sev["error"] == 0 and by_sev["warning"] <= 2 else "FAIL"
    print(f"  corpus target (no claims error, <= 2 warnings each explained by a cue): {verdict}")
    if others:
        print(f"other checks' accuracy/claims findings on the guide ({len(others)}):")
        for f in others:
            excerpt = f.evidence.excerpt if f.evidence else f.key or ""
            print(f"  {f.severity.upper()} {f.check_id} [{f.claim_type}] “{excerpt}”")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", action="append", type=Path, help="labelled JSONL (repeatable)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="good copy that should pass")
    parser.add_argument("--quiet", action="store_true", help="scores only")
    args = parser.parse_args(argv)
    base = Config()
    config = base.model_copy(update={"checks": base.checks.model_copy(
        update={"claims": base.checks.claims.model_copy(update={"report_cleared": True})})})
    checks = claims_checks(config)
    engine_ids = frozenset(r.id for c in checks if c.name == "claims" for r in c.rules())
    print("checks: " + ", ".join(sorted({c.name for c in checks})))
    files = args.file or [f for f in DEFAULT_FILES if f.exists()]
    for path in files:
        if not path.exists():
            print(f"\n{path}: not found (skipped)")
            continue
        rows = read_jsonl(path)
        pages = [page_of(row.text, url=f"eval:{row.id}") for row in rows]
        score(rows, audit(pages, checks, config), path.name, args.quiet, engine_ids)
    if args.corpus.exists():
        corpus(args.corpus, checks, config, engine_ids)
    else:
        print(f"\n{args.corpus}: not found (corpus check skipped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
