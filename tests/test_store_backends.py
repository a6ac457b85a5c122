"""The two store backends the tests run against (a SQLite file, a PostgreSQL database) and synthetic run data.

Other store tests import `store_url` and the builders from here. PostgreSQL tests need a server on
127.0.0.1:5432 with trust authentication; without one they skip, unless AUDITOR_REQUIRE_POSTGRES=1 (as .ci/run
sets), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from auditor.models import fingerprint
from auditor.store import Store

PG_ADMIN_URL = os.environ.get("AUDITOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("AUDITOR_REQUIRE_POSTGRES") == "1"
TEST_DB = "test"  # the database the project's machines provide for tests; each test gets its own schema


def _pg_admin() -> Any:
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def pg_unavailable_reason() -> str | None:
    try:
        conn = _pg_admin()
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({first})"
    conn.close()
    return None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the `test` database for one test (quicker than a database each), dropped after."""
    reason = pg_unavailable_reason()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(f"{reason}; AUDITOR_REQUIRE_POSTGRES=1 makes the PostgreSQL tests required")
        pytest.skip(f"{reason}; start PostgreSQL 15 there (trust auth) or run .ci/run to include these tests")
    schema = f"test_auditor_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEST_DB,)).fetchone() is None:
        admin.execute(f'CREATE DATABASE "{TEST_DB}"')
    admin.close()
    import psycopg

    with psycopg.connect(f"{base}/{TEST_DB}", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        driver = base.replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{driver}/{TEST_DB}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(f"{base}/{TEST_DB}", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against a real SQLite file and a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'auditor.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    try:
        yield s
    finally:
        s.close()


# --- synthetic run data in the shape of docs/report-contract.md ------------------------------------------


def finding(
    check_id: str, url: str, excerpt: str, severity: str = "error", category: str = "claims"
) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "category": category,
        "claim_type": "permanent" if category == "claims" else None,
        "severity": severity,
        "url": url,
        "message": f"{check_id} found on the page",
        "suggestion": "Say what the evidence supports.",
        "evidence": {
            "excerpt": excerpt,
            "context": f"Before. {excerpt} After.",
            "start": 8,
            "end": 8 + len(excerpt),
            "heading_path": ["Treatments"],
            "locator": "main > p",
            "block_index": 1,
        },
        "cue": None,
        "details": {},
        "fingerprint": fingerprint(check_id, url, excerpt),
        "state": "new",
        "waiver": None,
    }


def page(
    url: str,
    site: str,
    findings: Sequence[Mapping[str, Any]],
    *,
    content_hash: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    blob: bytes | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "url": url,
        "site": site,
        "status": 200,
        "final_url": url,
        "content_type": "text/html",
        "title": f"Page {url.rsplit('/', 1)[-1] or 'home'} of the test clinic",
        "meta_description": "A test page.",
        "word_count": 420,
        "content_hash": content_hash or fingerprint("hash", url, ""),
        "depth": 1,
        "elapsed": 0.01,
        "redirects": [],
        "error": None,
        "fetch_headers": {"etag": etag, "last_modified": last_modified},
        "findings": [dict(f) for f in findings],
    }
    if blob is not None:
        entry["analysis_blob"] = blob
    return entry


def record_run(
    store: Store,
    site: str,
    pages: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    site_findings: Sequence[Mapping[str, Any]] = (),
    kind: str = "scheduled",
    status: str = "complete",
    questions: Sequence[Mapping[str, Any]] = (),
) -> str:
    """One run of one site: pages (url -> findings), the site stage, rules, then finish."""
    root = "http://clinic.test/"
    run_id = store.start_run(kind, [root], "digest0123456789", [site])
    for url, fs in pages.items():
        store.record_page(run_id, site, page(url, site, fs))
    store.record_site(
        run_id,
        {"name": site, "root_url": root, "pages": len(pages)},
        site_findings,
        {"questions": list(questions)},
    )
    store.record_rules(
        run_id,
        {
            f["check_id"]: {
                "title": "ok",
                "failure_title": f"{f['check_id']} failed",
                "category": f["category"],
                "severity": f["severity"],
                "rationale": "r",
                "source": "s",
                "suggestion": "x",
                "claim_type": None,
            }
            for fs in pages.values()
            for f in fs
        },
    )
    store.finish_run(run_id, status)
    return run_id


def all_findings(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [f for p in doc["pages"] for f in p["findings"]] + list(doc["site_findings"])


def states(doc: Mapping[str, Any]) -> dict[str, str]:
    """fingerprint -> state of every finding in a document."""
    return {f["fingerprint"]: f["state"] for f in all_findings(doc)}


# --- the module's own checks -----------------------------------------------------------------------------


def test_postgres_reachable_when_required() -> None:
    """Where CI promises PostgreSQL, its absence is a failure, never a quiet skip."""
    reason = pg_unavailable_reason()
    if reason is not None and not REQUIRE_PG:
        pytest.skip(reason)
    assert reason is None


def test_a_store_opens_on_each_backend(store: Store) -> None:
    run_id = store.start_run("audit", ["x.md"], "d", ["local files"])
    assert store.run(run_id)["status"] == "running"
    assert store.backend in ("sqlite", "postgresql")
