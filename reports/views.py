"""Builds the data of every report view from the document alone, so the HTML and the CSV files agree."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.models import CATEGORIES, SEVERITY_RANK
from reports.model import (
    CATEGORY_LABELS,
    COMPLIANCE_CATEGORIES,
    COUNTED_STATES,
    DETAIL_ITEMS,
    FINDABLE_LABELS,
    MATRIX_COLUMNS,
    SEVERITY_LABELS,
    STATE_LABELS,
    STATE_ORDER,
    TOP_FIXES,
    UNKNOWN_DEPTH,
    Answer,
    CrawlRow,
    Detail,
    FindingView,
    Fix,
    PageRef,
    PageRule,
    PageView,
    QuestionView,
    ReportView,
    Rule,
    RuleGroup,
    Score,
    SiteScore,
    TrendPoint,
    Waiver,
)
from reports.text import Highlight, collapse_messages, first_sentence, highlight, safe_href, short_url

__all__ = ["COUNTED_STATES", "ReportView", "build", "top_fixes"]


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _sev(value: Any) -> str:
    return value if value in SEVERITY_RANK else "info"


def _state(value: Any) -> str:
    return value if value in STATE_LABELS else "new"


def _rule(rules: Mapping[str, Any], check_id: str, finding: Mapping[str, Any]) -> Rule:
    raw = rules.get(check_id)
    data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    rationale = _str(data.get("rationale"))
    return Rule(
        id=check_id,
        title=_str(data.get("title")) or check_id,
        failure_title=_str(data.get("failure_title")) or _str(data.get("title")) or check_id,
        category=_str(data.get("category")) or _str(finding.get("category")),
        severity=_sev(data.get("severity") or finding.get("severity")),
        why=first_sentence(rationale),
        rationale=rationale,
        source=_str(data.get("source")),
        suggestion=_str(data.get("suggestion")),
    )


class _Builder:
    """Walks the document once; every view reads the objects built here."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.rules_raw: Mapping[str, Any] = doc.get("rules") or {}
        self.rule_cache: dict[str, Rule] = {}
        self.roots = tuple(
            _str(s.get("root_url"))
            for s in doc.get("sites") or []
            if isinstance(s, Mapping) and s.get("root_url")
        )
        self.pages: dict[str, PageView] = {}
        self.counter = 0

    def rule(self, check_id: str, finding: Mapping[str, Any]) -> Rule:
        if check_id not in self.rule_cache:
            self.rule_cache[check_id] = _rule(self.rules_raw, check_id, finding)
        return self.rule_cache[check_id]

    def ref(self, url: Any) -> PageRef:
        text = _str(url)
        page = self.pages.get(text)
        if page is not None:
            return page.ref
        return PageRef(text, short_url(text, self.roots), None, safe_href(text), UNKNOWN_DEPTH)

    def build_pages(self) -> None:
        for index, raw in enumerate(self.doc.get("pages") or [], start=1):
            url = _str(raw.get("url"))
            if url in self.pages:
                continue
            depth = raw.get("depth")
            ref = PageRef(
                url,
                short_url(url, self.roots),
                f"pg{index}",
                safe_href(url),
                depth if isinstance(depth, int) and not isinstance(depth, bool) else UNKNOWN_DEPTH,
            )
            final = _str(raw.get("final_url"))
            redirects = tuple(
                (
                    _str(r.get("url")),
                    short_url(_str(r.get("url")), self.roots),
                    r.get("status") if isinstance(r.get("status"), int) else None,
                    _str(r.get("location")),
                )
                for r in raw.get("redirects") or []
                if isinstance(r, Mapping)
            )
            status = raw.get("status")
            elapsed = raw.get("elapsed")
            self.pages[url] = PageView(
                ref=ref,
                site=_str(raw.get("site")),
                status=status if isinstance(status, int) else None,
                final=self.ref(final) if final and final != url else None,
                content_type=_str(raw.get("content_type")),
                title=_str(raw.get("title")),
                meta_description=_str(raw.get("meta_description")),
                word_count=raw["word_count"] if isinstance(raw.get("word_count"), int) else 0,
                elapsed=float(elapsed) if isinstance(elapsed, (int, float)) else None,
                redirects=redirects,
                error=_str(raw.get("error")),
            )

    def details(self, raw: Any) -> tuple[Detail, ...]:
        if not isinstance(raw, Mapping):
            return ()
        out: list[Detail] = []
        for key in sorted(raw, key=str):
            value = raw[key]
            if value is None or value == "" or value == [] or value == {}:
                continue
            values = list(value) if isinstance(value, (list, tuple)) else [value]
            items: list[tuple[str, str | None]] = []
            for item in values[:DETAIL_ITEMS]:
                if isinstance(item, Mapping):
                    text = ", ".join(f"{k}: {v}" for k, v in item.items())
                    items.append((text, None))
                elif isinstance(item, str):
                    ref = self.pages.get(item)
                    items.append((short_url(item, self.roots) if ref else item, safe_href(item)))
                else:
                    items.append((_str(item), None))
            out.append(Detail(str(key).replace("_", " "), tuple(items), max(0, len(values) - DETAIL_ITEMS)))
        return tuple(out)

    def finding(self, raw: Mapping[str, Any], scope: str, state: str | None = None) -> FindingView:
        self.counter += 1
        check_id = _str(raw.get("check_id")) or "UNKNOWN"
        rule = self.rule(check_id, raw)
        evidence = raw.get("evidence") if isinstance(raw.get("evidence"), Mapping) else None
        excerpt = ""
        context: Highlight | None = None
        heading_path: tuple[str, ...] = ()
        locator = ""
        if evidence is not None:
            excerpt = _str(evidence.get("excerpt"))
            heading_path = tuple(_str(h) for h in evidence.get("heading_path") or [])
            locator = _str(evidence.get("locator"))
            if excerpt or evidence.get("context"):
                context = highlight(
                    excerpt, evidence.get("context"), evidence.get("start"), evidence.get("end")
                )
        waiver_raw = raw.get("waiver")
        waiver = None
        if isinstance(waiver_raw, Mapping):
            waiver = Waiver(
                _str(waiver_raw.get("reviewer")),
                _str(waiver_raw.get("reason")),
                _str(waiver_raw.get("expires")),
                _str(waiver_raw.get("created")),
            )
        url = _str(raw.get("url"))
        page = self.pages.get(url)
        category = _str(raw.get("category")) or rule.category
        return FindingView(
            anchor=f"f{self.counter}",
            fingerprint=_str(raw.get("fingerprint")),
            check_id=check_id,
            category=category if category in CATEGORIES else "seo",
            severity=_sev(raw.get("severity")),
            state=state or _state(raw.get("state")),
            scope=scope,
            page=self.ref(url),
            site=page.site if page else "",
            rule=rule,
            message=_str(raw.get("message")) or rule.failure_title,
            suggestion=_str(raw.get("suggestion")) or rule.suggestion,
            excerpt=excerpt,
            context=context,
            heading_path=heading_path,
            locator=locator,
            cue=_str(raw.get("cue")),
            claim_type=_str(raw.get("claim_type")),
            waiver=waiver,
            details=self.details(raw.get("details")),
        )


def _page_rules(findings: Sequence[FindingView], explained: Mapping[str, str]) -> tuple[PageRule, ...]:
    by_rule: dict[str, list[FindingView]] = {}
    for f in findings:
        by_rule.setdefault(f.check_id, []).append(f)
    rows = []
    for check_id, items in by_rule.items():
        itemised = any(f.excerpt or f.category in COMPLIANCE_CATEGORIES for f in items)
        states = Counter(f.state for f in items if f.state != "persisting")
        rows.append(
            PageRule(
                rule=items[0].rule,
                severity=max((f.severity for f in items), key=lambda s: SEVERITY_RANK[s]),
                anchor=explained.get(check_id),
                findings=tuple(items),
                itemised=itemised,
                summary="" if itemised else collapse_messages([f.message for f in items]),
                states=", ".join(
                    f"{n} {STATE_LABELS[s].lower()}"
                    for s, n in sorted(states.items(), key=lambda kv: STATE_ORDER.index(kv[0]))
                ),
            )
        )
    rows.sort(
        key=lambda r: (-SEVERITY_RANK[r.severity], r.rule.category not in COMPLIANCE_CATEGORIES, r.rule.id)
    )
    return tuple(rows)


def _finding_key(f: FindingView) -> tuple[int, int, int, str, str]:
    return (STATE_ORDER.index(f.state), -SEVERITY_RANK[f.severity], f.page.depth, f.page.url, f.anchor)


def _group(findings: Iterable[FindingView], with_pages: bool = False) -> tuple[RuleGroup, ...]:
    by_rule: dict[str, list[FindingView]] = defaultdict(list)
    for f in findings:
        by_rule[f.check_id].append(f)
    groups = []
    for items in by_rule.values():
        items.sort(key=_finding_key)
        severity = max((f.severity for f in items), key=lambda s: SEVERITY_RANK[s])
        per_page: dict[str, list[FindingView]] = defaultdict(list)
        for f in items:
            per_page[f.page.url].append(f)
        pages: tuple[tuple[PageRef, int, str], ...] = ()
        if with_pages:
            ordered = sorted(per_page.values(), key=lambda fs: (fs[0].page.depth, fs[0].page.url))
            pages = tuple((fs[0].page, len(fs), fs[0].message) for fs in ordered)
        groups.append(RuleGroup(items[0].rule, severity, tuple(items), len(per_page), pages))
    groups.sort(key=lambda g: (-SEVERITY_RANK[g.severity], -len(g.findings), g.rule.id))
    return tuple(groups)


def top_fixes(findings: Iterable[FindingView], limit: int = TOP_FIXES) -> tuple[Fix, ...]:
    """The fixes that matter most: by severity, then pages touched, then how important the best page is."""
    by_rule: dict[str, list[FindingView]] = defaultdict(list)
    for f in findings:
        if f.counted:
            by_rule[f.check_id].append(f)
    ranked = []
    for check_id, items in by_rule.items():
        severity = max((f.severity for f in items), key=lambda s: SEVERITY_RANK[s])
        pages: dict[str, PageRef] = {}
        for f in items:
            pages.setdefault(f.page.url, f.page)
        ordered = sorted(pages.values(), key=lambda p: (p.depth, p.url))
        ranked.append(
            (-SEVERITY_RANK[severity], -len(pages), ordered[0].depth, check_id, severity, items, ordered)
        )
    ranked.sort(key=lambda r: r[:4])
    fixes = []
    for rank, (_, _, _, _, severity, items, ordered) in enumerate(ranked[:limit], start=1):
        items.sort(key=_finding_key)
        first = items[0]
        fixes.append(
            Fix(
                rank,
                first.rule,
                severity,
                len(items),
                tuple(ordered[:5]),
                len(ordered),
                first.message,
                first.suggestion,
            )
        )
    return tuple(fixes)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _delta(now: float | None, before: float | None) -> float | None:
    return round(now - before, 1) if now is not None and before is not None else None


def _category_scores(summary: Mapping[str, Any], sites: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Whole-run category scores: the summary's when present, else the page-weighted mean of the sites'."""
    direct = summary.get("category_scores")
    if isinstance(direct, Mapping):
        return {k: float(v) for k, v in direct.items() if _num(v) is not None}
    totals: dict[str, float] = defaultdict(float)
    weights: dict[str, float] = defaultdict(float)
    for site in sites:
        weight = float(site.get("pages") or 1)
        for cat, score in (site.get("category_scores") or {}).items():
            if _num(score) is not None:
                totals[cat] += float(score) * weight
                weights[cat] += weight
    return {cat: round(totals[cat] / weights[cat], 1) for cat in totals if weights[cat]}


def _sites(
    doc: Mapping[str, Any], previous: Mapping[str, Any] | None, builder: _Builder
) -> tuple[SiteScore, ...]:
    before = {_str(s.get("name")): s for s in (previous or {}).get("sites") or [] if isinstance(s, Mapping)}
    out = []
    for site in doc.get("sites") or []:
        name = _str(site.get("name"))
        prev = before.get(name, {})
        scores = site.get("category_scores") or {}
        prev_scores = prev.get("category_scores") or {}
        cats = tuple(
            Score(
                CATEGORY_LABELS.get(c, c),
                _num(scores.get(c)),
                _delta(_num(scores.get(c)), _num(prev_scores.get(c))),
            )
            for c in CATEGORIES
            if c in scores
        )
        health = _num(site.get("health_score"))
        root = _str(site.get("root_url"))
        out.append(
            SiteScore(
                name=name,
                root=builder.ref(root) if root else None,
                pages=int(site.get("pages") or 0),
                health=Score("Health", health, _delta(health, _num(prev.get("health_score")))),
                categories=cats,
            )
        )
    return tuple(out)


def _trend(
    doc: Mapping[str, Any], history: Sequence[Mapping[str, Any]], limit: int = 12
) -> tuple[TrendPoint, ...]:
    runs = [*history, doc][-limit:]
    points = []
    for entry in runs:
        run = entry.get("run") or {}
        summary = entry.get("summary") or {}
        sev = summary.get("by_severity") or {}
        started = _str(run.get("started"))
        points.append(
            TrendPoint(
                label=started[:10] or _str(run.get("id")),
                run_id=_str(run.get("id")),
                health=_num(summary.get("health_score")),
                sites=tuple(
                    (_str(s.get("name")), _num(s.get("health_score")))
                    for s in entry.get("sites") or []
                    if isinstance(s, Mapping)
                ),
                by_severity=(
                    int(sev.get("error") or 0),
                    int(sev.get("warning") or 0),
                    int(sev.get("info") or 0),
                ),
            )
        )
    return tuple(points)


def _questions(
    doc: Mapping[str, Any], builder: _Builder, findings: Sequence[FindingView]
) -> tuple[tuple[QuestionView, ...], tuple[PageRef, ...]]:
    raw_questions = [q for q in doc.get("questions") or [] if isinstance(q, Mapping)]
    weight: dict[str, float] = defaultdict(float)
    for q in raw_questions:
        for p in q.get("pages") or []:
            weight[_str(p.get("url"))] += _num(p.get("score")) or 0.0
        best = q.get("best")
        if isinstance(best, Mapping):
            weight[_str(best.get("url"))] += 1.0
    ranked = [url for url, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))][:MATRIX_COLUMNS]
    columns = sorted((builder.ref(url) for url in ranked if url), key=lambda p: (p.depth, p.url))
    column_index = {p.url: i for i, p in enumerate(columns)}
    advice_by_key: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        if f.category != "questions":
            continue
        for d in f.details:
            if d.key in ("question id", "question"):
                for text, _ in d.items:
                    advice_by_key[text].append(f.message + " " + f.suggestion)
    views = []
    for q in raw_questions:
        qid = _str(q.get("id"))
        text = _str(q.get("question"))
        best_raw = q.get("best")
        best = None
        best_column = None
        if isinstance(best_raw, Mapping):
            page = builder.ref(best_raw.get("url"))
            best = Answer(
                page=page,
                excerpt=_str(best_raw.get("excerpt")),
                score=_num(best_raw.get("score")),
                findable_as=FINDABLE_LABELS.get(
                    _str(best_raw.get("findable_as")), _str(best_raw.get("findable_as"))
                ),
                heading_path=tuple(_str(h) for h in best_raw.get("heading_path") or []),
                locator=_str(best_raw.get("locator")),
                quality=tuple(_str(n) for n in best_raw.get("quality") or []),
            )
            best_column = column_index.get(page.url)
            own = builder.pages.get(page.url)
            if own is not None and bool(q.get("answered")):
                own.answers.append(text)
        cells: list[float | None] = [None] * len(columns)
        scored = []
        for p in q.get("pages") or []:
            url = _str(p.get("url"))
            score = _num(p.get("score"))
            scored.append((builder.ref(url), score))
            if url in column_index:
                cells[column_index[url]] = score
        if best is not None and best_column is not None and cells[best_column] is None:
            cells[best_column] = best.score
        scored.sort(key=lambda ps: (-(ps[1] or 0.0), ps[0].depth, ps[0].url))
        advice = tuple(dict.fromkeys(advice_by_key.get(qid, []) + advice_by_key.get(text, [])))
        views.append(
            QuestionView(
                id=qid,
                question=text,
                priority=_str(q.get("priority")) or "normal",
                answered=bool(q.get("answered")),
                best=best,
                cells=tuple(cells),
                best_column=best_column,
                candidates=tuple(scored[:3]),
                advice=advice,
            )
        )
    priority = {"high": 0, "medium": 1, "normal": 1, "low": 2}
    views.sort(key=lambda v: (v.answered, priority.get(v.priority, 1), v.id))
    return tuple(views), tuple(columns)


def _crawl(doc: Mapping[str, Any], builder: _Builder) -> tuple[CrawlRow, ...]:
    rows: list[CrawlRow] = []
    for page in builder.pages.values():
        if page.error:
            rows.append(CrawlRow("error", page.ref, page.status, page.error))
        elif page.status is not None and page.status >= 400:
            rows.append(CrawlRow("http", page.ref, page.status, f"The server answered {page.status}."))
        if page.redirects:
            final = page.final.label if page.final else short_url(page.redirects[-1][3], builder.roots)
            rows.append(CrawlRow("redirect", page.ref, page.status, final, page.chain))
    for raw in doc.get("skipped") or []:
        if isinstance(raw, Mapping):
            rows.append(CrawlRow("skipped", builder.ref(raw.get("url")), None, _str(raw.get("reason"))))
        elif isinstance(raw, (list, tuple)) and len(raw) == 2:
            rows.append(CrawlRow("skipped", builder.ref(raw[0]), None, _str(raw[1])))
    order = {"error": 0, "http": 1, "skipped": 2, "redirect": 3}
    rows.sort(key=lambda r: (order[r.kind], r.page.depth, r.page.url))
    return tuple(rows)


def _options(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys(values))


def build(doc: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()) -> ReportView:
    """Everything the HTML and CSV renderers show, computed once from the document and the earlier runs."""
    builder = _Builder(doc)
    builder.build_pages()
    findings: list[FindingView] = []
    for raw_page in doc.get("pages") or []:
        for raw in raw_page.get("findings") or []:
            f = builder.finding(raw, "page")
            findings.append(f)
            page = builder.pages.get(f.page.url)
            if page is not None:
                page.findings.append(f)
    site_findings = [builder.finding(raw, "site") for raw in doc.get("site_findings") or []]
    for f in site_findings:
        page = builder.pages.get(f.page.url)
        if page is not None:
            page.findings.append(f)
    resolved = [builder.finding(raw, "page", state="resolved") for raw in doc.get("resolved") or []]
    everything = findings + site_findings + resolved
    for page in builder.pages.values():
        page.findings.sort(key=_finding_key)

    summary: Mapping[str, Any] = doc.get("summary") or {}
    previous = history[-1] if history else None
    prev_summary: Mapping[str, Any] = (previous or {}).get("summary") or {}
    sites_raw = [s for s in doc.get("sites") or [] if isinstance(s, Mapping)]
    cats_now = _category_scores(summary, sites_raw)
    cats_before = (
        _category_scores(prev_summary, [s for s in (previous or {}).get("sites") or []]) if previous else {}
    )
    categories = tuple(
        Score(CATEGORY_LABELS[c], cats_now.get(c), _delta(cats_now.get(c), cats_before.get(c)))
        for c in CATEGORIES
        if c in cats_now
    )
    health = _num(summary.get("health_score"))
    changes_raw = summary.get("changes") or {}
    counted = [f for f in everything if f.counted]
    by_sev = summary.get("by_severity") or {}
    compliance = [f for f in everything if f.category in COMPLIANCE_CATEGORIES]
    seo_page = [f for f in findings if f.category == "seo"]
    seo_site = sorted((f for f in site_findings if f.category == "seo"), key=_finding_key)
    questions, matrix = _questions(doc, builder, everything)
    compliance_groups = _group(compliance)
    seo_groups = _group(seo_page, with_pages=True)
    explained = {g.rule.id: f"seo-{g.rule.id}" for g in seo_groups}
    explained.update({g.rule.id: f"rule-{g.rule.id}" for g in compliance_groups})
    for page in builder.pages.values():
        page.rules = _page_rules(page.findings, explained)
    run: Mapping[str, Any] = doc.get("run") or {}
    sites = _sites(doc, previous, builder)
    pages = tuple(sorted(builder.pages.values(), key=lambda p: (p.site, p.ref.depth, p.ref.url)))
    return ReportView(
        run=run,
        title=", ".join(s.name for s in sites if s.name) or "Content audit",
        schema_version=doc.get("schema_version"),
        sites=sites,
        overall=Score("Health", health, _delta(health, _num(prev_summary.get("health_score")))),
        categories=categories,
        summary=summary,
        changes={
            "new": int(changes_raw.get("new") or 0),
            "persisting": int(changes_raw.get("persisting") or 0),
            "resolved": int(changes_raw.get("resolved") or len(resolved)),
            "waived": int(summary.get("waived") or 0),
        },
        previous_run=_str(changes_raw.get("previous_run")),
        by_severity={
            s: int(by_sev.get(s) or sum(1 for f in counted if f.severity == s)) for s in SEVERITY_RANK
        },
        fixes=top_fixes(findings + site_findings),
        trend=_trend(doc, history),
        compliance=compliance_groups,
        compliance_count=len(compliance),
        questions=questions,
        matrix=matrix,
        seo_site=tuple(seo_site),
        seo_groups=seo_groups,
        seo_count=len(seo_page) + len(seo_site),
        pages=pages,
        crawl=_crawl(doc, builder),
        crawl_findings=tuple(sorted((f for f in everything if f.category == "crawl"), key=_finding_key)),
        findings=tuple(everything),
        filters={
            "state": _options(
                (s, STATE_LABELS[s]) for s in STATE_ORDER if any(f.state == s for f in compliance)
            ),
            "severity": _options(
                (s, SEVERITY_LABELS[s])
                for s in ("error", "warning", "info")
                if any(f.severity == s for f in compliance)
            ),
            "rule": _options(
                (f.check_id, f"{f.check_id} {f.rule.failure_title}")
                for f in sorted(compliance, key=lambda f: f.check_id)
            ),
            "page": _options(
                (f.page.anchor or f.page.url, f.page.label)
                for f in sorted(compliance, key=lambda f: (f.page.depth, f.page.url))
            ),
            "site": _options((s.name, s.name) for s in sites),
            "seo_rule": _options((g.rule.id, f"{g.rule.id} {g.rule.failure_title}") for g in seo_groups),
        },
    )
