"""Cost of recording crawled pages in the run store: record_page (one page a transaction) against record_pages
(batches of 64 pages a transaction), measured side by side on SQLite and, when reachable, PostgreSQL.

Usage: .venv/bin/python bench/store_speed.py [--pages 500] [--findings 20] [--batch 64] [--rounds 3]

Each round records the same synthetic pages (shaped like the pipeline's page entries: report fields, fetch
headers, a compressed analysis blob, findings as finding_to_dict gives them) into a new run once page by page
and once in batches, alternating which goes first, so both see the same machine load. Prints the median
milliseconds per page (for batches: the batch's time divided by its pages), as wall time and as CPU time of
this process, the crawl's main process, which shares the machine's cores with the analysis workers.

SQLite is a temporary file. PostgreSQL is a throwaway schema at AUDITOR_TEST_PG_URL (default
postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards, and is skipped with a message when no
server answers there.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.models import fingerprint
from auditor.store import Store

PG_URL = os.environ.get("AUDITOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SITE = "Bench clinic"
ROOT = "https://www.bench-clinic.example/"
CHECKS = (("CLM001", "claims", "error"), ("CAV002", "caveats", "warning"), ("SEO004", "seo", "warning"),
          ("QST002", "questions", "info"), ("ACC003", "accuracy", "error"))


def _finding(rng: random.Random, url: str, n: int) -> dict[str, Any]:
    check_id, category, severity = CHECKS[n % len(CHECKS)]
    excerpt = f"Claim {n}: results last {rng.randint(2, 40)} years for {rng.randint(50, 100)}% of clients."
    return {
        "check_id": check_id,
        "category": category,
        "claim_type": "permanent" if category in ("claims", "accuracy") else None,
        "severity": severity,
        "url": url,
        "message": f"{check_id}: the page states an outcome as certain.",
        "suggestion": "Say what the evidence supports, and for whom.",
        "evidence": {
            "excerpt": excerpt,
            "context": f"Our clinic has treated thousands. {excerpt} Book a consultation today.",
            "start": 34,
            "end": 34 + len(excerpt),
            "heading_path": ["Treatments", "Results"],
            "locator": "main > section:nth-of-type(2) > p",
            "block_index": n,
        },
        "cue": "guaranteed" if n % 3 == 0 else None,
        "details": {"matched": ["results", "last"], "score": round(rng.random(), 3)},
        "fingerprint": fingerprint(check_id, url, excerpt),
        "state": "new",
        "waiver": None,
    }


def make_pages(count: int, per_page: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        url = f"{ROOT}treatments/page-{n}"
        out.append(
            {
                "url": url,
                "site": SITE,
                "status": 200,
                "final_url": url,
                "content_type": "text/html",
                "title": f"Scalp micropigmentation treatment {n} | Bench clinic",
                "meta_description": "Natural-looking results from experienced practitioners.",
                "word_count": rng.randint(300, 2500),
                "content_hash": f"{rng.getrandbits(128):032x}",
                "depth": 1 + n % 4,
                "elapsed": round(rng.random(), 4),
                "redirects": [],
                "error": None,
                "fetch_headers": {"etag": f'W/"{n:x}"', "last_modified": "Mon, 23 Nov 2026 07:00:00 GMT"},
                "findings": [_finding(rng, url, i) for i in range(per_page)],
                "analysis_blob": rng.randbytes(6000),  # a zlib-compressed pickle: as incompressible as this
            }
        )
    return out


def time_singly(store: Store, pages: Sequence[dict[str, Any]]) -> list[tuple[float, float]]:
    """(wall ms, this process's CPU ms) of each record_page call."""
    run_id = store.start_run("audit", [ROOT], "bench", [SITE])
    samples = []
    for entry in pages:
        wall, cpu = time.perf_counter(), time.process_time()
        store.record_page(run_id, SITE, entry)
        samples.append((1000 * (time.perf_counter() - wall), 1000 * (time.process_time() - cpu)))
    store.finish_run(run_id, "complete")
    return samples


def time_batched(store: Store, pages: Sequence[dict[str, Any]], size: int) -> list[tuple[float, float]]:
    """(wall ms, this process's CPU ms) per page of each record_pages call."""
    run_id = store.start_run("audit", [ROOT], "bench", [SITE])
    samples = []
    for start in range(0, len(pages), size):
        batch = pages[start : start + size]
        wall, cpu = time.perf_counter(), time.process_time()
        store.record_pages(run_id, SITE, batch)
        n = len(batch)
        samples.append((1000 * (time.perf_counter() - wall) / n, 1000 * (time.process_time() - cpu) / n))
    store.finish_run(run_id, "complete")
    return samples


def compare(name: str, url: str, pages: Sequence[dict[str, Any]], size: int, rounds: int) -> None:
    single: list[tuple[float, float]] = []
    batched: list[tuple[float, float]] = []
    with Store(url) as store:
        time_batched(store, pages[: min(len(pages), size)], size)  # warm the statement cache and the tables
        time_singly(store, pages[: min(len(pages), size)])
        for r in range(rounds):
            steps: list[Callable[[], None]] = [
                lambda: single.extend(time_singly(store, pages)),
                lambda: batched.extend(time_batched(store, pages, size)),
            ]
            for step in steps if r % 2 == 0 else reversed(steps):
                step()
    for label, samples in ((f"{name} record_page", single), (f"{name} record_pages({size})", batched)):
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        print(f"{label:<32} {wall:7.2f} ms/page wall   {cpu:7.2f} ms/page CPU of this process")
    speedup = statistics.median(s[0] for s in single) / statistics.median(s[0] for s in batched)
    print(f"{name}: batches of {size} record a page {speedup:.1f}x faster")


def pg_reason() -> str | None:
    try:
        import psycopg

        psycopg.connect(PG_URL, autocommit=True, connect_timeout=3).close()
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL is not reachable at {PG_URL} ({first})"
    return None


@contextmanager
def pg_schema() -> Iterator[str]:
    """A throwaway schema in the database of PG_URL, as a store URL; dropped afterwards."""
    import psycopg

    schema = f"bench_store_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        driver = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{driver}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--findings", type=int, default=20, help="findings per page")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    pages = make_pages(args.pages, args.findings)
    print(f"{args.pages} pages x {args.findings} findings, {args.rounds} rounds; medians")
    with tempfile.TemporaryDirectory() as tmp:
        compare("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", pages, args.batch, args.rounds)
    reason = pg_reason()
    if reason is not None:
        print(f"PostgreSQL  skipped: {reason}")
    else:
        with pg_schema() as url:
            compare("PostgreSQL", url, pages, args.batch, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
