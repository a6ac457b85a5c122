"""Benchmark: render the report of a synthetic 2,000-page site and print its size and load time in Chromium.

Usage: .venv/bin/python bench/report_size.py [--pages 2000] [--per-page 30] [--out DIR]
Targets from the brief: report.html under 10 MB and loaded (navigation to load event) in under 3 s.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reports import render_run

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = "https://www.large-clinic.example/"
WORDS = [
    "scalp",
    "micropigmentation",
    "treatment",
    "session",
    "results",
    "clinic",
    "practitioner",
    "pigment",
    "hairline",
    "density",
    "appointment",
    "consultation",
    "aftercare",
    "healing",
    "colour",
    "touch-up",
    "client",
    "natural",
    "shaved",
    "look",
    "thinning",
    "hair",
    "patch",
    "test",
    "skin",
    "redness",
    "days",
    "weeks",
    "years",
    "specialist",
    "London",
    "Manchester",
    "price",
    "finance",
    "plan",
]
SEO_RULES = {
    "SEO001": ("Page has no title", "error"),
    "SEO002": ("Title is too long", "warning"),
    "SEO003": ("Page has no meta description", "warning"),
    "SEO004": ("Meta description is too long", "info"),
    "SEO005": ("Page has no main heading", "warning"),
    "SEO006": ("Several main headings", "info"),
    "SEO007": ("Image has no alt text", "warning"),
    "SEO008": ("Link text says 'click here'", "info"),
    "SEO009": ("Canonical points elsewhere", "warning"),
    "SEO013": ("Thin content", "warning"),
    "SEO014": ("Heading levels skip", "info"),
    "SEO015": ("Image is very large", "info"),
}
COMPLIANCE_RULES = {
    "CLM001": ("Promises permanent results", "error", "claims"),
    "CLM002": ("Promises results in one session", "error", "claims"),
    "CLM003": ("Guarantees an outcome", "error", "claims"),
    "CLM004": ("Claims the treatment is completely safe", "warning", "claims"),
    "CLM005": ("Claims it is painless", "warning", "claims"),
    "CAV001": ("No patch-test caveat", "warning", "caveats"),
    "CAV002": ("No aftercare caveat", "warning", "caveats"),
    "ACC001": ("Contradicts the session count", "error", "accuracy"),
}


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 5)))


def _fp(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = {}
    for rid, (title, sev) in SEO_RULES.items():
        rules[rid] = {
            "title": title,
            "failure_title": title,
            "category": "seo",
            "severity": sev,
            "rationale": f"{title} hurts how the page shows in search results and how visitors use it.",
            "source": "Google Search Central",
            "suggestion": f"Fix it: {title.lower()}.",
            "claim_type": None,
        }
    for rid, (title, sev, cat) in COMPLIANCE_RULES.items():
        rules[rid] = {
            "title": title,
            "failure_title": title,
            "category": cat,
            "severity": sev,
            "rationale": "Advertising must not mislead; this wording has been ruled against before. "
            "The clinic must hold evidence for every objective claim.",
            "source": "CAP Code 3.1, 3.7 and 12.1",
            "suggestion": "Describe typical results honestly and mention that a touch-up is usual.",
            "claim_type": "permanent" if cat != "caveats" else None,
        }
    rules["QST010"] = {
        "title": "Question answered",
        "failure_title": "Question answered poorly",
        "category": "questions",
        "severity": "info",
        "rationale": "People search for it.",
        "source": "Google Search Central",
        "suggestion": "Answer it under a heading.",
        "claim_type": None,
    }
    rules["CRL001"] = {
        "title": "Page reachable",
        "failure_title": "Page could not be fetched",
        "category": "crawl",
        "severity": "error",
        "rationale": "Visitors see an error.",
        "source": "RFC 9110",
        "suggestion": "Restore the page or redirect it.",
        "claim_type": None,
    }
    return rules


def _finding(
    rng: random.Random, rid: str, rules: dict[str, Any], url: str, n: int, depth: int
) -> dict[str, Any]:
    rule = rules[rid]
    evidence = None
    key = None
    if rule["category"] in ("claims", "caveats", "accuracy") and rid.startswith(("CLM", "ACC")):
        para = _paragraph(rng)
        excerpt = _sentence(rng, rng.randint(5, 10))
        cut = rng.randint(0, len(para))
        cut = para.rfind(" ", 0, cut) + 1
        context = para[:cut] + excerpt + " " + para[cut:]
        evidence = {
            "excerpt": excerpt,
            "context": context,
            "start": cut,
            "end": cut + len(excerpt),
            "heading_path": ["Treatments", _sentence(rng, 3)],
            "locator": f"main > p:nth-of-type({n})",
            "block_index": n,
        }
    else:
        key = f"{rid}-{n}"
    message = (
        f"An image has no alt text: /images/photo-{depth}-{n}.jpg"
        if rid == "SEO007"
        else f"{rule['failure_title']} on this page."
    )
    state = rng.choices(["new", "persisting", "waived", "expired_waiver"], [30, 60, 7, 3])[0]
    waiver = (
        {
            "reviewer": "Dr A. Patel",
            "reason": "Reviewed with the evidence file.",
            "expires": "2027-03-31",
            "created": "2026-10-01",
        }
        if state in ("waived", "expired_waiver")
        else None
    )
    return {
        "check_id": rid,
        "category": rule["category"],
        "claim_type": rule["claim_type"],
        "severity": rule["severity"],
        "url": url,
        "message": message,
        "suggestion": rule["suggestion"],
        "evidence": evidence,
        "cue": None,
        "details": {},
        "fingerprint": _fp(rid, url, key or n),
        "state": state,
        "waiver": waiver,
    }


def synthesise(pages: int = 2000, per_page: int = 30, seed: int = 7) -> dict[str, Any]:
    """A run over a large clinic site with findings in the proportions a real audit shows."""
    rng = random.Random(seed)
    rules = _rules()
    seo_ids = [r for r in SEO_RULES if r != "SEO007"]
    page_list: list[dict[str, Any]] = []
    for i in range(pages):
        url = ROOT if i == 0 else f"{ROOT}{rng.choice(['treatments', 'blog', 'locations', 'faq'])}/page-{i}"
        depth = 0 if i == 0 else min(1 + i // 200, 6)
        findings = []
        n = 0
        budget = max(1, int(rng.gauss(per_page, per_page / 5)))
        for _ in range(rng.randint(1, 4)):  # compliance findings: claims, caveats, accuracy
            n += 1
            findings.append(_finding(rng, rng.choice(list(COMPLIANCE_RULES)), rules, url, n, depth))
        if rng.random() < 0.15:
            n += 1
            findings.append(_finding(rng, "QST010", rules, url, n, depth))
        while n < budget:
            n += 1
            rid = "SEO007" if rng.random() < 0.6 else rng.choice(seo_ids)
            findings.append(_finding(rng, rid, rules, url, n, depth))
        page_list.append(
            {
                "url": url,
                "site": "Large Clinic",
                "status": 200,
                "final_url": url,
                "content_type": "text/html",
                "title": _sentence(rng, 6)[:-1] + " | Large Clinic",
                "meta_description": _sentence(rng, 20),
                "word_count": rng.randint(300, 2000),
                "content_hash": _fp(url),
                "depth": depth,
                "elapsed": round(rng.uniform(0.02, 0.6), 3),
                "redirects": [],
                "error": None,
                "findings": findings,
            }
        )
    site_findings = [
        {
            "check_id": "SEO001",
            "category": "seo",
            "claim_type": None,
            "severity": "warning",
            "url": page_list[i]["url"],
            "message": "Two pages share this title.",
            "suggestion": "Give each its own.",
            "evidence": None,
            "cue": None,
            "details": {"urls": [page_list[i]["url"], page_list[i + 1]["url"]]},
            "fingerprint": _fp("dup", i),
            "state": "new",
            "waiver": None,
        }
        for i in range(1, min(pages - 1, 200), 2)
    ]
    questions = []
    for q in range(30):
        scored = rng.sample(page_list, k=min(8, len(page_list)))
        best = scored[0]
        answered = q % 3 != 0
        questions.append(
            {
                "id": f"QST{q:03d}",
                "question": _sentence(rng, 7)[:-1] + "?",
                "priority": rng.choice(["high", "medium"]),
                "answered": answered,
                "best": {
                    "url": best["url"],
                    "excerpt": _sentence(rng, 25),
                    "score": round(rng.uniform(0.5, 0.9), 2),
                    "findable_as": "faq",
                    "heading_path": ["FAQ"],
                    "locator": "main h2",
                    "quality": ["Direct."],
                },
                "pages": [{"url": p["url"], "score": round(rng.uniform(0.1, 0.9), 2)} for p in scored],
            }
        )
    every = [f for p in page_list for f in p["findings"]] + site_findings
    counted = [f for f in every if f["state"] != "waived"]
    return {
        "schema_version": 1,
        "run": {
            "id": "20261125T070000Z-bench",
            "kind": "scheduled",
            "started": "2026-11-25T07:00:00+00:00",
            "finished": "2026-11-25T07:41:00+00:00",
            "status": "complete",
            "config_digest": "0" * 16,
            "tool_version": "0.1.0",
            "targets": [ROOT],
        },
        "sites": [
            {
                "name": "Large Clinic",
                "root_url": ROOT,
                "pages": pages,
                "health_score": 41.2,
                "category_scores": {
                    "claims": 50.0,
                    "caveats": 60.0,
                    "questions": 90.0,
                    "accuracy": 95.0,
                    "seo": 20.0,
                    "crawl": 99.0,
                },
            }
        ],
        "pages": page_list,
        "site_findings": site_findings,
        "questions": questions,
        "rules": rules,
        "summary": {
            "pages": pages,
            "findings": len(counted),
            "by_severity": {
                s: sum(1 for f in counted if f["severity"] == s) for s in ("error", "warning", "info")
            },
            "by_category": {},
            "waived": len(every) - len(counted),
            "health_score": 41.2,
            "changes": {
                "previous_run": "20261118T070000Z-bench",
                "new": 900,
                "persisting": 1800,
                "resolved": 300,
            },
        },
        "resolved": [],
    }


def load_times(path: Path, runs: int = 3) -> list[float]:
    """Seconds from navigation start to the load event, as Playwright waits for it, one fresh page each."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                start = time.perf_counter()
                page.goto(path.as_uri(), wait_until="load")
                times.append(time.perf_counter() - start)
                context.close()
        finally:
            browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=30)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="report-bench-"))
    doc = synthesise(args.pages, args.per_page)
    n_findings = sum(len(p["findings"]) for p in doc["pages"]) + len(doc["site_findings"])
    start = time.perf_counter()
    paths = render_run(doc, out, formats=("html", "json", "csv"))
    render_s = time.perf_counter() - start
    html = out / "report.html"
    print(f"pages: {args.pages}  findings: {n_findings}  render: {render_s:.2f} s  out: {out}")
    for path in paths:
        print(f"  {path.name:<16} {path.stat().st_size / 1e6:8.2f} MB")
    size_mb = html.stat().st_size / 1e6
    if not Path(CHROMIUM).exists():
        print(f"report.html: {size_mb:.2f} MB (limit 10 MB); load time not measured: {CHROMIUM} is missing")
        return 0 if size_mb < 10 else 1
    times = load_times(html)
    median = statistics.median(times)
    print(f"report.html: {size_mb:.2f} MB (limit 10 MB)")
    print(f"load in Chromium: median {median:.2f} s of {', '.join(f'{t:.2f}' for t in times)} (limit 3 s)")
    return 0 if size_mb < 10 and median < 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
