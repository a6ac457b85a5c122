"""The pipeline's map/reduce and incremental runs, end to end against the demo site served on 127.0.0.1.

Site checks read slim pages plus what each page's analysis prepared for them; these tests hold that path to the
plain one (whole pages, every site check working on its own) and hold a second run over an unchanged site, whose
pages are taken from the store, to the first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import demo_config
from auditor.config import Config
from auditor.demo import site_root
from auditor.demo.server import serve_demo
from auditor.extract import load_local_file
from auditor.models import Finding, Site
from auditor.nlp import analyse_pages
from auditor.pipeline import Analyser, PageResult, Pipeline, load_result, stored_engine


def _config(base: str, tmp_path: Path, **checks: Any) -> Config:
    config = demo_config(base, tmp_path, None)
    # A loaded test machine can be slow to answer; timing findings would make the comparison flaky.
    crawl = config.crawl.model_copy(update={"slow_response_seconds": 600.0, "workers": 2})
    return config.model_copy(update={"crawl": crawl, "checks": config.checks.model_copy(update=checks)})


def _run(config: Config) -> dict[str, Any]:
    pipeline = Pipeline(config)
    try:
        run_ids, busy = pipeline.run_sites(kind="run")
        assert not busy and len(run_ids) == 1
        return pipeline.store.load_document(run_ids[0])
    finally:
        pipeline.store.close()


def _facts(doc: dict[str, Any]) -> tuple[list[tuple[str, str, str]], str]:
    findings = [f for p in doc["pages"] for f in p["findings"]] + list(doc["site_findings"])
    rows = sorted((f["check_id"], f["fingerprint"], f["message"]) for f in findings)
    extra = {k: v for k, v in doc.get("site_data", {}).items()} if isinstance(doc.get("site_data"), dict) else {}
    return rows, json.dumps(extra, sort_keys=True, default=str)


def _site_entry(doc: dict[str, Any]) -> dict[str, Any]:
    (site,) = doc["sites"]
    return dict(site)


def test_second_run_over_an_unchanged_site_reuses_every_page_and_finds_the_same(tmp_path: Path) -> None:
    with serve_demo("127.0.0.1", 0) as base:
        config = _config(base, tmp_path)
        first = _run(config)
        second = _run(config)
    assert _site_entry(first)["reused"] == 0
    pages = _site_entry(second)["pages"]
    assert pages >= 12 and _site_entry(second)["reused"] == pages
    assert _facts(first) == _facts(second)
    assert len(_facts(first)[0]) > 20  # the demo site has plenty to find: the comparison is not of two empty runs


def test_changed_rules_mean_every_page_is_read_again(tmp_path: Path) -> None:
    with serve_demo("127.0.0.1", 0) as base:
        first = _run(_config(base, tmp_path))
        assert any(f["check_id"].startswith("CLM") for p in first["pages"] for f in p["findings"])
        edited = _run(_config(base, tmp_path, ignore=["CLM"]))
    assert _site_entry(edited)["reused"] == 0
    assert not any(f["check_id"].startswith("CLM") for p in edited["pages"] for f in p["findings"])


def test_stored_results_are_only_read_back_by_the_engine_that_made_them(tmp_path: Path) -> None:
    page = load_local_file(str(Path(str(site_root())) / "index.html"))
    analyser = Analyser(Config())
    result = analyser.check_page(page)
    assert stored_engine(result.stored) == analyser.engine
    again = load_result(result.stored, analyser.engine)
    assert again is not None and again.findings == result.findings and again.page == result.page
    other = Analyser(Config.model_validate({"checks": {"ignore": ["SEO"]}}))
    assert other.engine != analyser.engine and load_result(result.stored, other.engine) is None
    assert load_result(result.stored[:-10], analyser.engine) is None  # damaged: read again, never guessed
    assert load_result(b"older format", analyser.engine) is None


def test_a_result_crosses_processes_as_its_stored_form() -> None:
    """What a worker sends is the stored blob alone, and it unpacks to the same result."""
    import pickle

    page = load_local_file(str(Path(str(site_root())) / "index.html"))
    result = Analyser(Config()).check_page(page)
    sent = pickle.dumps(result)
    assert len(sent) < len(result.stored) + 200
    back = pickle.loads(sent)
    assert (back.page, back.findings, back.stored) == (result.page, result.findings, result.stored)
    stored = load_result(result.stored, Analyser(Config()).engine)
    assert stored is not None and pickle.dumps(dict(back.prepared)) == pickle.dumps(dict(stored.prepared))
    unstored = pickle.loads(pickle.dumps(PageResult(result.page, result.findings, result.prepared)))
    assert (unstored.page, unstored.findings, unstored.stored) == (result.page, result.findings, b"")
    assert pickle.dumps(dict(unstored.prepared)) == pickle.dumps(dict(back.prepared))


def _demo_pages() -> list[Any]:
    root = Path(str(site_root()))
    return [load_local_file(str(p)) for p in sorted(root.rglob("*.html"))]


def _keyed(findings: list[Finding]) -> set[tuple[str, str, str, str]]:
    return {(f.check_id, f.url, f.fingerprint, f.message) for f in findings}


@pytest.mark.parametrize("shuffle_seed", [1, 2])
def test_site_checks_on_slim_pages_match_site_checks_on_whole_pages(shuffle_seed: int) -> None:
    """The pipeline's path (map in the worker, slim pages, gathered in any order) equals the plain one."""
    import pickle
    import random

    analyser = Analyser(Config())
    assert any(c.name == "questions" for c in analyser.preparing)
    whole = list(analyse_pages(_demo_pages()))
    results = [analyser.check_analysed(ap) for ap in whole]
    page_findings = {r.page.page.url: r.findings for r in results}
    plain, plain_data = analyser.check_site(Site("demo", None, pages=tuple(whole)), page_findings)

    order = list(results)
    random.Random(shuffle_seed).shuffle(order)
    gathering = analyser.start_gathering()
    for r in order:
        # as across the process boundary and through the store
        back = load_result(pickle.loads(pickle.dumps(r)).stored, analyser.engine)
        assert back is not None
        analyser.gather(gathering, back)
    slim_pages = tuple(r.page for r in results)
    assert all(not p.sentences and not p.page.blocks for p in slim_pages)
    piped, piped_data = Analyser(Config()).check_site(Site("demo", None, pages=slim_pages, prepared=gathering))
    assert _keyed(piped) == _keyed(plain)
    assert json.dumps(piped_data, sort_keys=True, default=str) == json.dumps(plain_data, sort_keys=True, default=str)
    assert {f.check_id[:3] for f in plain} >= {"QST", "ACC"}  # the questions and accuracy checks did find things


def test_every_site_check_that_reads_text_prepares_it() -> None:
    """A site check that reads sentences or blocks must do so in its map step, or it sees empty slim pages."""
    analyser = Analyser(Config())
    names = {c.name for c in analyser.preparing}
    assert {"questions", "consistency", "seo:SEO105", "seo:SEO106"} <= names


def test_an_audit_leaves_the_cycle_collector_as_it_found_it() -> None:
    import gc

    from auditor.pipeline import fewer_collections

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold()[0] > before[0]
        raise RuntimeError("an interrupted run")
    assert gc.get_threshold() == before
