"""The run store against real databases: recording, the document, week-over-week states, locks, schema."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from auditor.config import parse_config
from auditor.errors import StoreError
from auditor.store import Store
from auditor.store_db import head_revision

try:
    from test_store_backends import all_findings, finding, page, pg_url, record_run, states, store, store_url
except ImportError:  # tests collected as a package
    from tests.test_store_backends import (  # type: ignore[no-redef]
        all_findings,
        finding,
        page,
        pg_url,
        record_run,
        states,
        store,
        store_url,
    )

__all__ = ["pg_url", "store", "store_url"]  # fixtures used by name

REPO = Path(__file__).resolve().parents[1]
SITE = "Test clinic"
HOME, SMP, PRICES, FAQ = (f"http://clinic.test/{p}" for p in ("", "smp", "prices", "faq"))


def _week_one() -> dict[str, list[dict[str, Any]]]:
    return {
        HOME: [finding("CLM001", HOME, "Permanent results in one session!")],
        SMP: [finding("CLM003", SMP, "100% safe for everyone"), finding("SEO004", SMP, "", "warning", "seo")],
        PRICES: [finding("CAV002", PRICES, "No side effects", "warning", "caveats")],
    }


def _week_two() -> dict[str, list[dict[str, Any]]]:
    """The pages after an edit: the home claim is reworded (one resolved, one new), prices is fixed, a FAQ
    page appears with a new finding, the SMP findings persist."""
    return {
        HOME: [finding("CLM001", HOME, "Lasting results for most clients")],
        SMP: [finding("CLM003", SMP, "100% safe for everyone"), finding("SEO004", SMP, "", "warning", "seo")],
        PRICES: [],
        FAQ: [finding("QST002", FAQ, "", "info", "questions")],
    }


# --- the document --------------------------------------------------------------------------------------


def test_a_stored_run_rebuilds_the_contract_document(store: Store) -> None:
    site_finding = finding("CRL003", HOME, "", "warning", "crawl")
    questions = [
        {
            "id": "QST001",
            "question": "Is SMP safe?",
            "priority": "high",
            "answered": False,
            "best": None,
            "pages": [],
        }
    ]
    run_id = record_run(store, SITE, _week_one(), site_findings=[site_finding], questions=questions)
    doc = store.load_document(run_id)

    assert doc["schema_version"] == 1
    assert set(doc) >= {"run", "sites", "pages", "site_findings", "questions", "rules", "summary", "resolved"}
    assert (
        doc["run"]["id"] == run_id
        and doc["run"]["status"] == "complete"
        and doc["run"]["kind"] == "scheduled"
    )
    assert doc["run"]["finished"] is not None and doc["run"]["targets"] == ["http://clinic.test/"]
    assert [p["url"] for p in doc["pages"]] == [HOME, SMP, PRICES]  # recording order
    assert all(p["site"] == SITE for p in doc["pages"])
    assert "fetch_headers" not in doc["pages"][0] and "analysis_blob" not in doc["pages"][0]
    assert [f["check_id"] for f in doc["pages"][1]["findings"]] == ["CLM003", "SEO004"]
    assert doc["site_findings"][0]["check_id"] == "CRL003"
    assert doc["questions"] == questions
    assert doc["sites"][0]["name"] == SITE and doc["sites"][0]["root_url"] == "http://clinic.test/"
    assert "CLM001" in doc["rules"]
    # A first run: everything is new, nothing resolved, no previous run.
    assert set(states(doc).values()) == {"new"}
    assert doc["resolved"] == []
    summary = doc["summary"]
    assert summary["changes"]["previous_run"] is None
    assert summary["findings"] == 5 and summary["pages"] == 3
    assert {"by_severity", "by_category", "waived", "health_score"} <= set(summary)


def test_second_weekly_run_shows_new_persisting_and_resolved(store: Store) -> None:
    first = record_run(store, SITE, _week_one())
    second = record_run(store, SITE, _week_two())
    doc = store.load_document(second)
    by_check = {f["check_id"]: f["state"] for f in all_findings(doc)}
    assert by_check == {"CLM001": "new", "CLM003": "persisting", "SEO004": "persisting", "QST002": "new"}
    resolved = {(f["check_id"], f["evidence"]["excerpt"]) for f in doc["resolved"]}
    assert resolved == {("CLM001", "Permanent results in one session!"), ("CAV002", "No side effects")}
    assert all(f["state"] == "resolved" for f in doc["resolved"])
    assert doc["summary"]["changes"] == {"previous_run": first, "new": 2, "persisting": 2, "resolved": 2}
    # The first run's document is unchanged by the second.
    assert set(states(store.load_document(first)).values()) == {"new"}


def test_comparison_skips_partial_and_failed_runs_and_other_sites(store: Store) -> None:
    first = record_run(store, SITE, _week_one())
    record_run(store, SITE, {HOME: []}, status="failed")
    record_run(
        store, "Another clinic", {"http://other.test/": [finding("CLM001", "http://other.test/", "x")]}
    )
    partial = record_run(store, SITE, {SMP: _week_one()[SMP]}, status="partial")
    # The partial run compares with the first (the last complete run of its site) ...
    doc = store.load_document(partial)
    assert doc["summary"]["changes"]["previous_run"] == first
    assert set(states(doc).values()) == {"persisting"}
    # ... and only pages it reached can show a finding resolved.
    assert doc["resolved"] == []
    third = record_run(store, SITE, _week_two())
    assert store.load_document(third)["summary"]["changes"]["previous_run"] == first


def test_a_partial_run_resolves_only_what_it_could_see(store: Store) -> None:
    site_finding = finding("CRL003", HOME, "", "warning", "crawl")
    record_run(store, SITE, _week_one(), site_findings=[site_finding])
    run_id = store.start_run("scheduled", [HOME], "d", [SITE])
    store.record_page(run_id, SITE, page(HOME, SITE, []))  # HOME fixed; the crawl stopped there
    store.finish_run(run_id, "partial")
    doc = store.load_document(run_id)
    # The home page's claim is gone; the crawl finding on the same URL was a site check's, which never ran.
    assert [(f["check_id"], f["url"]) for f in doc["resolved"]] == [("CLM001", HOME)]


def test_ad_hoc_audits_do_not_change_the_weekly_comparison(store: Store) -> None:
    weekly = record_run(store, SITE, _week_one(), kind="scheduled")
    record_run(store, SITE, {HOME: []}, kind="audit")
    manual = record_run(store, SITE, _week_one(), kind="run")
    doc = store.load_document(manual)
    assert doc["summary"]["changes"]["previous_run"] == weekly
    assert set(states(doc).values()) == {"persisting"}


def test_diff_between_any_two_runs(store: Store) -> None:
    a = record_run(store, SITE, _week_one())
    b = record_run(store, SITE, _week_two())
    changes = store.diff(a, b)
    assert sorted(f["check_id"] for f in changes["new"]) == ["CLM001", "QST002"]
    assert sorted(f["check_id"] for f in changes["resolved"]) == ["CAV002", "CLM001"]
    assert sorted(f["check_id"] for f in changes["persisting"]) == ["CLM003", "SEO004"]
    assert all(f["site"] == SITE for f in changes["new"])
    reverse = store.diff(b, a)
    assert len(reverse["new"]) == 2 and len(reverse["resolved"]) == 2
    with pytest.raises(StoreError, match="no stored run"):
        store.diff(a, "19990101T000000Z-dead")


def test_history_oldest_first_with_summaries(store: Store) -> None:
    ids = [record_run(store, SITE, _week_one()), record_run(store, SITE, _week_two())]
    other = record_run(store, "Another clinic", {"http://other.test/": []})
    everything = store.history()
    assert [h["run"]["id"] for h in everything] == [*ids, other]
    mine = store.history(site=SITE)
    assert [h["run"]["id"] for h in mine] == ids
    assert mine[1]["summary"]["changes"]["resolved"] == 2
    assert mine[0]["sites"][0]["name"] == SITE
    assert [h["run"]["id"] for h in store.history(limit=1)] == [other]


def test_run_ids_resolve_from_prefix_and_latest(store: Store) -> None:
    first = record_run(store, SITE, {HOME: []})
    second = record_run(store, SITE, {HOME: []})
    assert store.resolve_run_id("latest") == second
    assert store.resolve_run_id(first) == first
    prefix = first[:-1]
    if second.startswith(prefix):  # same second and same first hex digits: the prefix names two runs
        with pytest.raises(StoreError, match="ambiguous"):
            store.resolve_run_id(prefix)
    else:
        assert store.resolve_run_id(prefix) == first
    with pytest.raises(StoreError, match="no stored run"):
        store.resolve_run_id("nonexistent")


# --- incremental crawls ----------------------------------------------------------------------------------


def test_previous_fetches_give_fetch_facts_and_where_the_analysis_is(store: Store) -> None:
    run_id = store.start_run("scheduled", ["http://clinic.test/"], "d", [SITE])
    store.record_page(
        run_id,
        SITE,
        page(
            HOME,
            SITE,
            [finding("CLM001", HOME, "x")],
            content_hash="abc",
            etag='W/"1"',
            last_modified="Mon, 23 Nov 2026 07:00:00 GMT",
            blob=b"\x00AN",
        ),
    )
    store.record_page(run_id, SITE, page(SMP, SITE, [], content_hash="def"))
    store.finish_run(run_id, "complete")
    # A later partial run re-fetched SMP only: its newer entry wins, HOME still comes from the complete run.
    later = store.start_run("scheduled", ["http://clinic.test/"], "d", [SITE])
    store.record_page(
        later, SITE, page(SMP, SITE, [finding("SEO004", SMP, "")], content_hash="ghi", etag='"2"')
    )
    store.finish_run(later, "partial")
    # A running run is never a source.
    running = store.start_run("scheduled", ["http://clinic.test/"], "d", [SITE])
    store.record_page(running, SITE, page(PRICES, SITE, []))

    prev = store.previous_fetches(SITE)
    assert set(prev) == {HOME, SMP}
    home = prev[HOME]
    assert home["content_hash"] == "abc" and home["status"] == 200
    assert home["fetch_headers"] == {"etag": 'W/"1"', "last_modified": "Mon, 23 Nov 2026 07:00:00 GMT"}
    assert home["analysis_head"] == b"\x00AN" and store.stored_analysis(home["page_id"]) == b"\x00AN"
    assert prev[SMP]["content_hash"] == "ghi" and prev[SMP]["fetch_headers"]["etag"] == '"2"'
    assert prev[SMP]["analysis_head"] is None and store.stored_analysis(prev[SMP]["page_id"]) is None
    assert store.previous_fetches("Unknown clinic") == {}


def test_recording_a_page_again_replaces_it(store: Store) -> None:
    run_id = store.start_run("scheduled", [HOME], "d", [SITE])
    store.record_page(
        run_id, SITE, page(HOME, SITE, [finding("CLM001", HOME, "a"), finding("CLM002", HOME, "b")])
    )
    store.record_page(run_id, SITE, page(HOME, SITE, [finding("CLM009", HOME, "c")]))
    store.finish_run(run_id, "complete")
    doc = store.load_document(run_id)
    assert len(doc["pages"]) == 1
    assert [f["check_id"] for f in doc["pages"][0]["findings"]] == ["CLM009"]


def test_bad_input_is_refused_with_a_store_error(store: Store) -> None:
    run_id = store.start_run("scheduled", [HOME], "d", [SITE])
    with pytest.raises(StoreError, match="needs a url"):
        store.record_page(run_id, SITE, {"findings": []})
    with pytest.raises(StoreError, match="complete, partial or failed"):
        store.finish_run(run_id, "done")
    with pytest.raises(StoreError, match="no stored run"):
        store.record_page("nope", SITE, page(HOME, SITE, []))


# --- interrupted runs ------------------------------------------------------------------------------------


def test_recover_leaves_live_runs_alone_and_marks_dead_ones_partial(store: Store, store_url: str) -> None:
    mine = store.start_run("scheduled", [HOME], "d", [SITE])
    store.record_page(mine, SITE, page(HOME, SITE, [finding("CLM001", HOME, "a")]))
    dead = subprocess.run(  # a process that starts a run, records a page and exits without finishing it
        [
            sys.executable,
            "-c",
            (
                "import sys; from auditor.store import Store\n"
                "s = Store(sys.argv[1]); r = s.start_run('scheduled', ['x'], 'd', ['Test clinic'])\n"
                f"s.record_page(r, 'Test clinic', {{'url': '{SMP}', 'findings': []}}); print(r)"
            ),
            store_url,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout.strip()
    assert store.run(dead)["status"] == "running"
    assert store.recover_interrupted() == [dead]
    assert store.run(mine)["status"] == "running"  # this process is alive: its run is left alone
    recovered = store.load_document(dead)
    assert recovered["run"]["status"] == "partial" and "interrupted" in recovered["run"]["note"]
    assert recovered["run"]["finished"] is not None
    assert [p["url"] for p in recovered["pages"]] == [SMP]
    assert store.recover_interrupted() == []


def test_runs_of_other_hosts_become_partial_only_when_stale(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with Store(url, stale_run_hours=1) as s:
        fresh = s.start_run("scheduled", [HOME], "d", [SITE])
        stale = s.start_run("scheduled", [HOME], "d", [SITE])
    db = sqlite3.connect(tmp_path / "a.db")
    db.execute("UPDATE runs SET hostname = 'elsewhere', pid = 1")
    db.execute("UPDATE runs SET heartbeat = '2020-01-01T00:00:00+00:00' WHERE id = ?", (stale,))
    db.commit()
    db.close()
    with Store(url, stale_run_hours=1) as s:
        assert s.recover_interrupted() == [stale]
        assert s.run(fresh)["status"] == "running"


def test_a_partial_run_can_be_resumed(store: Store) -> None:
    run_id = store.start_run("scheduled", [HOME], "d", [SITE])
    store.record_page(run_id, SITE, page(HOME, SITE, []))
    store.finish_run(run_id, "partial")
    assert store.reopen_run(run_id) == {HOME}
    store.record_page(run_id, SITE, page(SMP, SITE, [finding("CLM003", SMP, "100% safe")]))
    store.finish_run(run_id, "complete")
    doc = store.load_document(run_id)
    assert doc["run"]["status"] == "complete" and [p["url"] for p in doc["pages"]] == [HOME, SMP]
    with pytest.raises(StoreError, match="only an interrupted run"):
        store.reopen_run(run_id)


# --- locks -----------------------------------------------------------------------------------------------


def test_site_lock_is_exclusive_until_released(store: Store, store_url: str) -> None:
    assert store.acquire_site_lock(SITE, "scheduler-a")
    assert store.acquire_site_lock(SITE, "scheduler-a")  # its owner may refresh it
    with Store(store_url) as other:
        assert not other.acquire_site_lock(SITE, "manual-run")
        assert other.acquire_site_lock("Another clinic", "manual-run")
    store.release_site_lock(SITE, "somebody-else")  # only the owner releases
    assert not store.acquire_site_lock(SITE, "manual-run")
    store.release_site_lock(SITE, "scheduler-a")
    assert store.acquire_site_lock(SITE, "manual-run")


def test_stale_site_locks_are_taken_over(store: Store, store_url: str) -> None:
    assert store.acquire_site_lock(SITE, "short-lived", ttl_seconds=0)
    time.sleep(0.01)
    assert store.acquire_site_lock(SITE, "next-one")  # the TTL passed
    # A holder whose process is dead on this host is stale at once, whatever its TTL.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from auditor.store import Store\n"
            "s = Store(sys.argv[1]); assert s.acquire_site_lock('Dead clinic', 'ghost', ttl_seconds=3600)",
            store_url,
        ],
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    holder = store.lock_holder("site:Dead clinic")
    assert holder is not None and holder["owner"] == "ghost"
    assert store.acquire_site_lock("Dead clinic", "survivor")
    assert store.lock_holder("site:Dead clinic")["owner"] == "survivor"  # type: ignore[index]


# --- schema and opening ----------------------------------------------------------------------------------


def test_migrations_create_exactly_the_schema_and_run_once(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from auditor.store_schema import metadata

    Store(store_url).close()
    Store(store_url).close()  # a second open finds the schema at head and changes nothing
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn)
            assert ctx.get_current_revision() == head_revision()
            assert compare_metadata(ctx, metadata) == []
            tables = set(inspect(conn).get_table_names())
        assert {
            "runs",
            "pages",
            "findings",
            "waivers",
            "waiver_events",
            "locks",
            "apscheduler_jobs",
        } <= tables
    finally:
        engine.dispose()


def test_sqlite_store_uses_wal_and_creates_its_folder(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "er" / "auditor.db"
    with Store(f"sqlite:///{db}") as s:
        record_run(s, SITE, {HOME: []})
    assert db.exists()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_two_processes_opening_a_new_store_at_once_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    code = (
        "import sys; from auditor.store import Store\n"
        "s = Store(sys.argv[1]); r = s.start_run('audit', ['x'], 'd', ['s']); s.finish_run(r, 'complete')"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, url],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with Store(url) as s:
        assert len(s.history()) == 2


def test_store_url_comes_from_config_and_bad_urls_are_refused(tmp_path: Path) -> None:
    config = parse_config(
        {
            "storage": {"url": f"sqlite:///{tmp_path / 'c.db'}"},
            "waivers": [{"fingerprint": "0123456789abcdef", "reviewer": "A", "reason": "r"}],
        },
        "t.yaml",
    )
    with Store.from_config(config) as s:
        assert s.backend == "sqlite"
    assert (tmp_path / "c.db").exists()
    with pytest.raises(StoreError, match="not supported"):
        Store("mysql://localhost/x")
    with pytest.raises(StoreError, match="not a database URL"):
        Store("nonsense")


def test_unreachable_postgres_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the run store") as err:
        Store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(err.value)
