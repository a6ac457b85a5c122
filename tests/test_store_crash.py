"""A run SIGKILLed mid-way: earlier runs and reports stay intact, the next start marks it partial."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from auditor.store import Store

try:
    from test_store_backends import finding, page, pg_url, record_run, store_url
except ImportError:  # tests collected as a package
    from tests.test_store_backends import finding, page, pg_url, record_run, store_url  # type: ignore[no-redef]

__all__ = ["pg_url", "store_url"]

REPO = Path(__file__).resolve().parents[1]
SITE = "Test clinic"

CHILD = textwrap.dedent(
    """
    import sys, time
    from auditor.store import Store
    from test_store_backends import finding, page

    store = Store(sys.argv[1])
    run_id = store.start_run("scheduled", ["http://clinic.test/"], "digest", ["Test clinic"])
    print("run", run_id, flush=True)
    for i in range(10_000):
        url = f"http://clinic.test/page-{i}"
        store.record_page(run_id, "Test clinic", page(url, "Test clinic", [
            finding("CLM001", url, f"claim {i}"), finding("SEO004", url, "", "warning", "seo")]))
        print("recorded", i, flush=True)
        time.sleep(0.02)
    """
)


def _render(store: Store, run_id: str, out: Path) -> list[Path]:
    """The reports of a run as a user would have them on disk (HTML aside: it is slow to render here)."""
    doc = store.load_document(run_id)
    try:
        from reports import render_run
    except ImportError:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "report.json"
        path.write_text(json.dumps(doc, sort_keys=True))
        return [path]
    return list(render_run(doc, out, ["json", "csv"], store.history()))


def _digest(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_sigkill_mid_run_keeps_earlier_runs_and_the_killed_run_becomes_partial(
    store_url: str, tmp_path: Path
) -> None:
    home = "http://clinic.test/"
    with Store(store_url) as s:
        earlier = [record_run(s, SITE, {home: [finding("CLM001", home, f"week {i}")]}) for i in range(2)]
        reports = [p for i, rid in enumerate(earlier) for p in _render(s, rid, tmp_path / "out" / rid)]
        docs_before = {rid: s.load_document(rid) for rid in earlier}
    hashes_before = _digest(reports)
    assert reports

    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(Path(__file__).parent)])}
    child = subprocess.Popen(
        [sys.executable, str(script), store_url], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    assert child.stdout is not None
    run_id, printed = "", -1
    try:
        for line in child.stdout:
            if line.startswith("run "):
                run_id = line.split()[1]
            elif line.startswith("recorded "):
                printed = int(line.split()[1])
                if printed >= 5:
                    break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert run_id and printed >= 5

    with Store(store_url) as s:
        assert s.run(run_id)["status"] == "running"  # nobody finished it
        assert s.recover_interrupted() == [run_id]
        doc = s.load_document(run_id)
        assert doc["run"]["status"] == "partial"
        # Every page reported as recorded is there, each whole: a page and its findings commit together.
        urls = [p["url"] for p in doc["pages"]]
        assert len(urls) >= printed + 1
        assert urls == [f"http://clinic.test/page-{i}" for i in range(len(urls))]
        assert all(len(p["findings"]) == 2 for p in doc["pages"])
        # Earlier runs and their reports are untouched.
        for rid in earlier:
            assert s.load_document(rid) == docs_before[rid]
        assert _digest(reports) == hashes_before
        assert [h["run"]["status"] for h in s.history()] == ["complete", "complete", "partial"]

        # A re-run can reuse what the partial run recorded ...
        assert set(s.previous_fetches(SITE)) >= set(urls)
        # ... or the run itself is resumed and completed.
        done = s.reopen_run(run_id)
        assert done == set(urls)
        nxt = f"http://clinic.test/page-{len(urls)}"
        s.record_page(run_id, SITE, page(nxt, SITE, []))
        s.finish_run(run_id, "complete")
        resumed = s.load_document(run_id)
        assert resumed["run"]["status"] == "complete" and len(resumed["pages"]) == len(urls) + 1
