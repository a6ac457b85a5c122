"""The command line end to end, as a user runs it: exit codes, one-line errors, the JSON contract on stdout."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PAGE = """<!doctype html><html lang="en-GB"><head><title>Scalp micropigmentation in Leeds | Test Clinic</title>
<meta name="description" content="Scalp micropigmentation at a test clinic: what it is, what it costs, how long it lasts.">
</head><body><main><h1>Scalp micropigmentation</h1>
<p>Permanent results in one session! Our treatment is 100% safe.</p>
<p>See <a href="/second">our second page</a> and <a href="/missing">a page that is gone</a>.</p>
</main></body></html>"""

SECOND = """<!doctype html><html lang="en-GB"><head><title>Second page of the test clinic site</title></head>
<body><main><h1>Second</h1><p>Results vary from person to person and a consultation comes first.</p></main></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        pages = {"/": PAGE, "/second": SECOND}
        if self.path == "/robots.txt":
            body, status, ctype = b"User-agent: *\nAllow: /\n", 200, "text/plain"
        elif self.path in pages:
            body, status, ctype = pages[self.path].encode(), 200, "text/html; charset=utf-8"
        else:
            body, status, ctype = b"<html><body>Not found</body></html>", 404, "text/html"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(
        "crawl:\n  allow_private: true\n  timeout: {connect: 2, read: 3, total: 5}\n  retries: 0\n"
        f"storage:\n  url: sqlite:///{tmp_path / 'store.db'}\n",
        encoding="utf-8",
    )
    return tmp_path


def auditor(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "auditor.cli", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_corpus_guide_prints_the_json_contract(corpus_guide: Path, workdir: Path) -> None:
    result = auditor(workdir, "audit", str(corpus_guide), "--format", "json", "--out", "-", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {"run", "pages", "site_findings", "summary", "questions"} <= doc.keys()
    assert {"id", "started", "finished", "status"} <= doc["run"].keys()
    assert doc["run"]["status"] == "complete"
    page = doc["pages"][0]
    assert page["url"] == str(corpus_guide)
    assert {"url", "status", "title", "findings"} <= page.keys()
    for finding in page["findings"] + doc["site_findings"]:
        assert {"check_id", "category", "claim_type", "severity", "message", "evidence", "suggestion",
                "fingerprint"} <= finding.keys()
        assert finding["category"] in {"claims", "caveats", "questions", "accuracy", "seo", "crawl"}
        if finding["evidence"] is not None:
            assert {"excerpt", "heading_path", "locator"} <= finding["evidence"].keys()


def test_overclaiming_draft_fails_on_error(workdir: Path) -> None:
    draft = workdir / "draft.md"
    draft.write_text("# Our SMP\n\nPermanent results in one session, guaranteed!\n", encoding="utf-8")
    result = auditor(workdir, "audit", str(draft), "--out", "-")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    types = {f["claim_type"] for f in doc["pages"][0]["findings"] if f["category"] == "claims"}
    assert {"permanent", "one_session"} <= types


def test_reports_written_in_every_format(workdir: Path) -> None:
    draft = workdir / "page.html"
    draft.write_text(PAGE, encoding="utf-8")
    result = auditor(workdir, "audit", str(draft), "--out", str(workdir / "out"), "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    run_dirs = [p for p in (workdir / "out").iterdir() if p.is_dir()]
    assert len(run_dirs) == 1
    names = {p.name for p in run_dirs[0].iterdir()}
    assert {"report.html", "report.json", "findings.csv"} <= names
    html = (run_dirs[0] / "report.html").read_text(encoding="utf-8")
    assert "Permanent results in one session!" in html
    assert str(run_dirs[0]) in result.stdout


def test_missing_file(workdir: Path) -> None:
    assert_one_line_error(auditor(workdir, "audit", "nowhere.html"), "nowhere.html")


def test_empty_file(workdir: Path) -> None:
    (workdir / "empty.txt").write_text("", encoding="utf-8")
    assert_one_line_error(auditor(workdir, "audit", "empty.txt"), "empty.txt", "empty")


def test_binary_renamed_html(workdir: Path) -> None:
    (workdir / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert_one_line_error(auditor(workdir, "audit", "photo.html"), "photo.html")


def test_unreachable_url(workdir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    assert_one_line_error(auditor(workdir, "audit", url), url)


def test_private_address_refused_without_allow_private(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(f"storage:\n  url: sqlite:///{tmp_path / 's.db'}\n", encoding="utf-8")
    assert_one_line_error(auditor(tmp_path, "audit", "http://127.0.0.1:9/"), "127.0.0.1")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("crawl:\n  concurency: 3\n", "crawl.concurency"),
        ("crawl:\n  retries: many\n", "crawl.retries"),
        ("crawl: [oops\n", "invalid YAML"),
    ],
)
def test_invalid_config(workdir: Path, text: str, needle: str) -> None:
    (workdir / "bad.yaml").write_text(text, encoding="utf-8")
    (workdir / "d.txt").write_text("Some draft text about SMP.", encoding="utf-8")
    assert_one_line_error(auditor(workdir, "audit", "d.txt", "--config", "bad.yaml"), "bad.yaml", needle)


def test_crawl_records_broken_links_as_findings(site: str, workdir: Path) -> None:
    result = auditor(workdir, "audit", site, "--crawl", "--max-pages", "10", "--out", "-", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    urls = {p["url"] for p in doc["pages"]}
    assert site in urls and site + "second" in urls
    findings = [f for p in doc["pages"] for f in p["findings"]] + doc["site_findings"]
    assert any(f["url"] == site + "missing" and f["category"] in ("crawl", "seo") for f in findings)
    assert any(f["category"] == "claims" and f["claim_type"] == "permanent" for f in findings)


def test_single_url_audit(site: str, workdir: Path) -> None:
    result = auditor(workdir, "audit", site, "--out", "-")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert [p["url"] for p in doc["pages"]] == [site]
    assert doc["pages"][0]["status"] == 200


def test_rules_list_and_explain(workdir: Path) -> None:
    listing = auditor(workdir, "rules", "list")
    assert listing.returncode == 0
    first = listing.stdout.split()[0]
    explained = auditor(workdir, "rules", "explain", first)
    assert explained.returncode == 0
    for section in ("Why it matters", "Source", "What it checks", "Example", "Use instead", "References"):
        assert section in explained.stdout
    assert_one_line_error(auditor(workdir, "rules", "explain", "XYZ999"), "XYZ999")


def test_fail_on_never_and_warning(workdir: Path) -> None:
    draft = workdir / "mild.txt"
    draft.write_text("Scalp micropigmentation\n\nMost clients find the treatment comfortable.\n", encoding="utf-8")
    never = auditor(workdir, "audit", str(draft), "--out", "-", "--fail-on", "never")
    assert never.returncode == 0
    doc = json.loads(never.stdout)
    severities = {f["severity"] for p in doc["pages"] for f in p["findings"]} | {
        f["severity"] for f in doc["site_findings"]}
    expected = 1 if severities & {"warning", "error"} else 0
    assert auditor(workdir, "audit", str(draft), "--out", "-", "--fail-on", "warning").returncode == expected
