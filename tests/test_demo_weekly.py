"""Two weekly runs of the demo site with edits in between: new, persisting and resolved findings come out right."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

from auditor.cli import demo_config
from auditor.demo import site_root
from auditor.demo.server import serve_demo
from auditor.pipeline import Pipeline, render_stored_run


def _copy_site(dest: Path) -> Path:
    root = Path(str(site_root()))
    shutil.copytree(root, dest)
    return dest


def _findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for p in doc["pages"] for f in p["findings"]] + list(doc["site_findings"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(tmp_path: Path, site: Path, port: int) -> dict[str, Any]:
    """Both weeks serve on one port: a finding's fingerprint includes its URL."""
    with serve_demo("127.0.0.1", port, root=site) as base:
        config = demo_config(base, tmp_path, None)
        # A loaded test machine can be slow to answer; timing findings would make the comparison flaky.
        config = config.model_copy(
            update={"crawl": config.crawl.model_copy(update={"slow_response_seconds": 600.0})}
        )
        pipeline = Pipeline(config)
        try:
            run_ids, busy = pipeline.run_sites(kind="scheduled")
            assert not busy and len(run_ids) == 1
            render_stored_run(pipeline.store, run_ids[0], tmp_path / run_ids[0], ["json"])
            return pipeline.store.load_document(run_ids[0])
        finally:
            pipeline.store.close()


def test_second_week_shows_new_persisting_and_resolved(tmp_path: Path) -> None:
    site = _copy_site(tmp_path / "site")
    port = _free_port()
    first = _run(tmp_path, site, port)
    claims_first = [f for f in _findings(first) if f["category"] == "claims" and f["url"][-1] == "/"]
    assert any("Permanent results in one session" in (f["evidence"] or {}).get("excerpt", "") for f in claims_first)
    assert {f["state"] for f in _findings(first)} == {"new"}

    index = site / "index.html"
    html = index.read_text(encoding="utf-8")
    assert "Permanent results in one session!" in html
    html = html.replace("Permanent results in one session!", "Results that last for years, with top-ups.")
    html = html.replace("</main>", "<p>Our hair tattoo is guaranteed to look perfect forever.</p></main>", 1)
    index.write_text(html, encoding="utf-8")

    second = _run(tmp_path, site, port)
    findings = _findings(second)
    states = {f["state"] for f in findings}
    assert "persisting" in states and "new" in states

    resolved_excerpts = [(f.get("evidence") or {}).get("excerpt", "") for f in second["resolved"]]
    assert any("Permanent results in one session" in e for e in resolved_excerpts)
    new_claims = [f for f in findings if f["state"] == "new" and f["category"] == "claims"]
    assert any("guaranteed to look perfect forever" in (f["evidence"] or {}).get("excerpt", "") for f in new_claims)
    # Pages that did not change keep their findings as persisting, whether revalidated (304) or re-read.
    faq = [f for f in findings if f["url"].endswith("/faq.html")]
    assert faq and all(f["state"] == "persisting" for f in faq)
    # A revalidated page is never mistaken for a broken link.
    assert not [f for f in findings if f["state"] == "new" and f["category"] in ("seo", "crawl")
                and f["url"] != first["run"]["targets"][0]]
    changes = second["summary"]["changes"]
    assert changes["previous_run"] == first["run"]["id"]
    assert changes["resolved"] == len(second["resolved"]) >= 1
