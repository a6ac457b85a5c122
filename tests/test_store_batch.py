"""Store.record_pages: a batch of pages stores exactly what one record_page call per page stores, on SQLite and
PostgreSQL, replaces older copies of its URLs, and writes nothing when it is refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from auditor.errors import StoreError
from auditor.store import Store
from auditor.store_schema import findings, pages

try:
    from test_store_backends import finding, page, pg_url, store, store_url
except ImportError:  # tests collected as a package
    from tests.test_store_backends import finding, page, pg_url, store, store_url  # type: ignore[no-redef]

__all__ = ["pg_url", "store", "store_url"]  # fixtures used by name

ONE, TWO = "One clinic", "Two clinic"
HOME, SMP, PRICES, FAQ = (f"http://clinic.test/{p}" for p in ("", "smp", "prices", "faq"))


def _entries(site: str) -> list[dict[str, Any]]:
    """Pages with every stored kind of field, and SMP twice: the later entry is the one to keep."""
    home = page(
        HOME,
        site,
        [finding("CLM001", HOME, "Permanent results!"), finding("SEO004", HOME, "", "warning", "seo")],
        content_hash="abc",
        etag='W/"1"',
        last_modified="Mon, 23 Nov 2026 07:00:00 GMT",
        blob=b"\x00AN\xff",
    )
    home["redirects"] = [{"url": "http://clinic.test", "status": 301, "location": HOME}]
    no_fp = finding("CAV002", PRICES, "No side effects", "warning", "caveats")
    del no_fp["fingerprint"]  # the store derives it
    prices = page(PRICES, site, [no_fp])
    prices["fetch_headers"] = [("ETag", '"p"'), ("Last-Modified", "Tue, 24 Nov 2026 07:00:00 GMT")]
    failed = page(FAQ, site, [])
    failed.update(status=None, error="timed out", word_count=0, content_type=None)
    return [
        home,
        page(SMP, site, [finding("CLM003", SMP, "100% safe")]),
        prices,
        failed,
        page(SMP, site, [finding("CLM004", SMP, "Pain-free"), finding("CLM005", SMP, "No downtime")], blob=b"2"),
    ]


def _rows(store: Store, run_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every stored column of a run's pages and findings but ids, run, site and time, in id order."""
    with store.engine.connect() as conn:
        page_rows = [
            dict(r)
            for r in conn.execute(select(pages).where(pages.c.run_id == run_id).order_by(pages.c.id)).mappings()
        ]
        url_of = {r["id"]: r["url"] for r in page_rows}
        finding_rows = [
            dict(r)
            for r in conn.execute(
                select(findings).where(findings.c.run_id == run_id).order_by(findings.c.id)
            ).mappings()
        ]
    for r in page_rows:
        del r["id"], r["run_id"], r["site"], r["recorded"]
        r["data"] = {**r["data"], "site": None}
    for r in finding_rows:
        r["page_url"] = url_of[r.pop("page_id")]
        del r["id"], r["run_id"], r["site"]
    return page_rows, finding_rows


def _without_site(doc_part: Any) -> Any:
    if isinstance(doc_part, dict):
        return {k: (None if k in ("site", "name", "run_id") else _without_site(v)) for k, v in doc_part.items()}
    if isinstance(doc_part, list):
        return [_without_site(v) for v in doc_part]
    return doc_part


def _record(store: Store, site: str, batches: Sequence[Sequence[dict[str, Any]]] | None) -> str:
    """A complete run of `site` with _entries(site): page by page when batches is None."""
    run_id = store.start_run("scheduled", [HOME], "digest", [site])
    if batches is None:
        for entry in _entries(site):
            store.record_page(run_id, site, entry)
    else:
        for batch in batches:
            store.record_pages(run_id, site, batch)
    store.finish_run(run_id, "complete")
    return run_id


def test_a_batch_stores_what_single_calls_store(store: Store) -> None:
    single = _record(store, ONE, None)
    batched = _record(store, TWO, [_entries(TWO)])

    assert _rows(store, batched) == _rows(store, single)
    one, two = store.load_document(single), store.load_document(batched)
    assert [p["url"] for p in two["pages"]] == [HOME, PRICES, FAQ, SMP]  # SMP where its later entry came
    assert [f["check_id"] for f in two["pages"][3]["findings"]] == ["CLM004", "CLM005"]
    for key in ("pages", "site_findings", "sites", "summary", "resolved"):
        assert _without_site(two[key]) == _without_site(one[key]), key
    prev_one, prev_two = store.previous_fetches(ONE), store.previous_fetches(TWO)
    ids = {"page_id": 0}
    assert [{**v, **ids} for v in prev_two.values()] == [{**v, **ids} for v in prev_one.values()]
    assert store.stored_analysis(prev_two[HOME]["page_id"]) == b"\x00AN\xff"
    assert store.stored_analysis(prev_two[SMP]["page_id"]) == b"2"
    assert prev_two[HOME]["fetch_headers"] == {"etag": 'W/"1"', "last_modified": "Mon, 23 Nov 2026 07:00:00 GMT"}
    assert prev_two[PRICES]["fetch_headers"]["etag"] == '"p"'
    assert prev_two[PRICES]["fetch_headers"]["last_modified"].startswith("Tue")


def test_batches_of_every_size_store_the_same(store: Store) -> None:
    single = _record(store, ONE, None)
    entries = _entries(TWO)
    in_twos = _record(store, TWO, [entries[i : i + 2] for i in range(0, len(entries), 2)])
    assert _rows(store, in_twos) == _rows(store, single)


def test_a_url_recorded_again_in_a_later_batch_keeps_only_the_newest(store: Store) -> None:
    run_id = store.start_run("scheduled", [HOME], "d", [ONE])
    store.record_pages(
        run_id,
        ONE,
        [page(HOME, ONE, [finding("CLM001", HOME, "a")]), page(SMP, ONE, [finding("CLM002", SMP, "b")])],
    )
    store.finish_run(run_id, "partial")
    store.reopen_run(run_id)  # a resumed run fetches SMP again
    store.record_pages(run_id, ONE, [page(SMP, ONE, [finding("CLM009", SMP, "c")]), page(FAQ, ONE, [])])
    store.finish_run(run_id, "complete")
    doc = store.load_document(run_id)
    assert [p["url"] for p in doc["pages"]] == [HOME, SMP, FAQ]
    assert [[f["check_id"] for f in p["findings"]] for p in doc["pages"]] == [["CLM001"], ["CLM009"], []]
    assert sorted(f["check_id"] for f in store.run_findings(run_id)) == ["CLM001", "CLM009"]


def test_re_recording_more_urls_than_one_lookup_takes(store: Store) -> None:
    """Older copies are looked up and dropped in chunks; every one of them still goes."""
    urls = [f"http://clinic.test/p{n}" for n in range(1100)]
    run_id = store.start_run("scheduled", [HOME], "d", [ONE])
    store.record_pages(run_id, ONE, [page(u, ONE, [finding("CLM001", u, "old")]) for u in urls])
    store.record_pages(run_id, ONE, [page(u, ONE, [finding("CLM002", u, "new")]) for u in reversed(urls)])
    stored = store.run_findings(run_id)
    assert len(stored) == len(urls) and {f["check_id"] for f in stored} == {"CLM002"}
    store.finish_run(run_id, "complete")
    assert [p["url"] for p in store.load_document(run_id)["pages"]] == list(reversed(urls))


def test_a_batch_adds_a_site_the_run_did_not_name(store: Store) -> None:
    run_id = store.start_run("scheduled", [HOME], "d", [ONE])
    store.record_pages(run_id, TWO, [page(HOME, TWO, [])])
    store.record_pages(run_id, TWO, [page(SMP, TWO, [])])  # the site row exists now: not added twice
    store.finish_run(run_id, "complete")
    doc = store.load_document(run_id)
    assert [s["name"] for s in doc["sites"]] == [ONE, TWO]
    assert [(p["site"], p["url"]) for p in doc["pages"]] == [(TWO, HOME), (TWO, SMP)]


def test_an_empty_batch_is_a_no_op(store: Store) -> None:
    run_id = store.start_run("scheduled", [HOME], "d", [ONE])
    store.record_pages(run_id, TWO, [])
    store.record_pages("19990101T000000Z-dead", ONE, [])  # touches nothing, so it asks nothing either
    store.finish_run(run_id, "complete")
    doc = store.load_document(run_id)
    assert doc["pages"] == [] and [s["name"] for s in doc["sites"]] == [ONE]


def test_a_refused_batch_writes_nothing(store: Store) -> None:
    with pytest.raises(StoreError, match="no stored run"):
        store.record_pages("19990101T000000Z-dead", ONE, [page(HOME, ONE, [finding("CLM001", HOME, "a")])])
    run_id = store.start_run("scheduled", [HOME], "d", [ONE])
    with pytest.raises(StoreError, match="needs a url"):
        store.record_pages(run_id, ONE, [page(HOME, ONE, []), {"findings": []}])
    with store.engine.connect() as conn:
        assert conn.execute(select(pages.c.id)).first() is None
        assert conn.execute(select(findings.c.id)).first() is None


def test_a_long_run_keeps_its_site_lock_while_it_records_pages(tmp_path: Any) -> None:
    """A run renews its site lock as it records pages: a lock past its lifetime would otherwise let a second
    process start on the same site half way through the first one's crawl."""
    import time
    from functools import partial

    from auditor.config import Config
    from auditor.pipeline import Pipeline, _PageWriter

    url = f"sqlite:///{tmp_path / 'runs.db'}"
    config = Config.model_validate({"storage": {"url": url}})
    with Store(url) as db, Store(url) as other:
        assert db.acquire_site_lock(ONE, "weekly", ttl_seconds=-1)  # already past its lifetime
        run_id = db.start_run("run", [HOME], "digest", [ONE])
        renew = partial(Pipeline(config, store=db)._renew_site_lock, ONE, "weekly")
        with _PageWriter(db, run_id, ONE, size=1, keep_alive=renew, keep_alive_every=0) as writer:
            writer.add(page(HOME, ONE, []))
        holder = db.lock_holder(f"site:{ONE}")
        assert holder is not None and holder["owner"] == "weekly" and holder["expires_at"] > time.time() + 3600
        assert not other.acquire_site_lock(ONE, "manual-run")


def test_without_renewal_a_lock_past_its_lifetime_is_taken_over(tmp_path: Any) -> None:
    """The other side of the test above: the same lock, never renewed, goes to the next process."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    with Store(url) as db, Store(url) as other:
        assert db.acquire_site_lock(ONE, "weekly", ttl_seconds=-1)
        assert other.acquire_site_lock(ONE, "manual-run")
