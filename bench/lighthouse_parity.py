"""Lighthouse parity bench: Lighthouse's SEO category on the fixture pages, and whether our verdicts agree.

Serves each page of tests/fixtures/seo/lighthouse on 127.0.0.1, runs Lighthouse on it, and prints per audit
whether our verdict agrees with Lighthouse's (and with the fixture manifest's expectation).

Needs Node.js with npm and Chromium (Debian: `apt-get install chromium nodejs npm`). Lighthouse itself is
installed on first use with `npm install --save-exact lighthouse@12.2.3` into
~/.cache/clinic-auditor/lighthouse (or point LIGHTHOUSE_DIR at a folder whose node_modules holds it).
Not part of `make test`: it launches a browser and takes several minutes.

    .venv/bin/python bench/lighthouse_parity.py [--only AUDIT] [--chrome PATH] [--no-install]

Exit status: 0 when every verdict agrees, 1 when some disagree, 2 when Lighthouse or Chromium is unavailable.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.config import Config  # noqa: E402
from auditor.extract import extract_html  # noqa: E402
from auditor.models import FetchResult, Site  # noqa: E402
from auditor.nlp import analyse_pages  # noqa: E402
from checks.seo_parity import LIGHTHOUSE_AUDITS, lighthouse_verdicts  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "seo" / "lighthouse"
RUNNER = Path(__file__).resolve().parent / "lighthouse_runner.mjs"
LIGHTHOUSE_VERSION = "12.2.3"  # the newest release that runs on Node 20
CACHE_DIR = Path(os.environ.get("LIGHTHOUSE_DIR", Path.home() / ".cache" / "clinic-auditor" / "lighthouse"))


def load_cases() -> list[dict[str, Any]]:
    manifest = yaml.safe_load((FIXTURES / "manifest.yaml").read_text(encoding="utf-8"))
    return [{**manifest["defaults"], **entry} for entry in manifest["fixtures"]]


class _Handler(BaseHTTPRequestHandler):
    """Serves one fixture: its page at its path, its robots.txt, and 404 for everything else."""

    server: _FixtureServer

    def log_message(self, format: str, *args: object) -> None:
        del format, args

    def do_GET(self) -> None:
        case = self.server.case
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt":
            self._send(case["robots_status"], case["robots_txt"].encode(), "text/plain; charset=utf-8", {})
        elif path == self.server.page_path:
            self._send(case["status"], self.server.body, "text/html; charset=utf-8", case["headers"])
        else:
            self._send(404, b"<!doctype html><title>Not found</title><p>Not found", "text/html", {})

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(body)


class _FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, case: dict[str, Any]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.case = case
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        self.page_path = case.get("path") or "/" + case["file"]
        self.url = self.origin + self.page_path
        html = (FIXTURES / case["file"]).read_text(encoding="utf-8")
        self.body = html.replace("{{SELF}}", self.url).replace("{{ROOT}}", self.origin + "/").encode()


@contextmanager
def serving(case: dict[str, Any]) -> Iterator[_FixtureServer]:
    server = _FixtureServer(case)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def our_verdicts(server: _FixtureServer, client: httpx.Client) -> dict[str, str]:
    """Fetch the served page and robots.txt over HTTP, then extraction, language analysis and our rules."""
    response = client.get(server.url)
    fetch = FetchResult(
        requested_url=server.url,
        final_url=str(response.url),
        status=response.status_code,
        headers=tuple(response.headers.multi_items()),
        body=response.content,
        elapsed=response.elapsed.total_seconds(),
    )
    analysed = next(analyse_pages([extract_html(fetch.body, fetch.requested_url, fetch)]))
    robots = client.get(server.origin + "/robots.txt")
    site = Site(
        name="fixture",
        root_url=server.origin + "/",
        pages=(analysed,),
        fetches=(fetch,),
        robots_txt=robots.text,
        robots_status=robots.status_code,
    )
    return dict(lighthouse_verdicts(analysed, site, Config()))


def find_chrome(explicit: str | None) -> str | None:
    for candidate in (
        explicit,
        os.environ.get("CHROME_PATH"),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ):
        if candidate:
            found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
            if found:
                return found
    return None


def ensure_lighthouse(install: bool) -> Path | None:
    """The folder whose node_modules holds Lighthouse; installs it there with npm when allowed."""
    if (CACHE_DIR / "node_modules" / "lighthouse" / "package.json").is_file():
        return CACHE_DIR
    npm = shutil.which("npm")
    if not install or npm is None:
        return None
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {CACHE_DIR} ...", file=sys.stderr)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--save-exact", f"lighthouse@{LIGHTHOUSE_VERSION}"],
        cwd=CACHE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return CACHE_DIR


def lighthouse_verdicts_for(module_dir: Path, chrome: str, urls: list[str]) -> dict[str, dict[str, str]]:
    """Lighthouse's verdict per URL and audit: pass (score 1 or not applicable), fail (score 0) or error."""
    node = shutil.which("node") or "node"
    done = subprocess.run(
        [node, str(RUNNER), str(module_dir), chrome, *urls],
        capture_output=True,
        text=True,
        timeout=60 * len(urls) + 120,
    )
    if done.returncode != 0 and not done.stdout.strip():
        raise RuntimeError(f"Lighthouse runner failed: {done.stderr[-2000:]}")
    out: dict[str, dict[str, str]] = {}
    for line in done.stdout.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        verdicts = {}
        for audit, result in record["audits"].items():
            if result["mode"] == "notApplicable" or result["score"] == 1:
                verdicts[audit] = "pass"
            elif result["score"] == 0:
                verdicts[audit] = "fail"
            else:
                verdicts[audit] = f"error({result['mode']})"
        if record.get("runtimeError"):
            verdicts["_error"] = str(record["runtimeError"])
        out[record["url"]] = verdicts
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="one Lighthouse audit id, e.g. canonical")
    parser.add_argument("--chrome", help="path to Chromium or Chrome")
    parser.add_argument("--no-install", action="store_true", help="do not install Lighthouse with npm")
    args = parser.parse_args(argv)

    chrome = find_chrome(args.chrome)
    module_dir = ensure_lighthouse(not args.no_install)
    if chrome is None or module_dir is None or shutil.which("node") is None:
        missing = [name for name, ok in (("Chromium", chrome), ("Lighthouse", module_dir)) if not ok]
        if shutil.which("node") is None:
            missing.append("Node.js")
        print(f"Lighthouse parity not run: {', '.join(missing)} unavailable.", file=sys.stderr)
        return 2

    cases = [c for c in load_cases() if args.only in (None, c["audit"])]
    audits = list(LIGHTHOUSE_AUDITS)
    rows: list[tuple[dict[str, Any], dict[str, str], dict[str, str]]] = []
    with ExitStack() as stack, httpx.Client(timeout=20.0) as client:
        servers = [stack.enter_context(serving(case)) for case in cases]
        ours = [our_verdicts(server, client) for server in servers]
        theirs = lighthouse_verdicts_for(module_dir, chrome, [s.url for s in servers])
        for case, server, mine in zip(cases, servers, ours, strict=True):
            rows.append((case, mine, theirs.get(server.url, {})))

    print(f"Lighthouse {LIGHTHOUSE_VERSION} SEO audits on {len(rows)} fixture pages ({chrome})\n")
    print(f"{'fixture':48} {'audit':18} {'expected':8} {'lighthouse':10} {'ours':6} agree")
    per_audit: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [agree, total] on the target audit
    others = [0, 0]  # every other audit on every page
    disagreements: list[str] = []
    for case, mine, lh in rows:
        target = case["audit"]
        lh_target = lh.get(target, "missing")
        agree = lh_target == mine[target]
        per_audit[target][0] += agree
        per_audit[target][1] += 1
        mark = "yes" if agree else "NO"
        print(f"{case['file']:48} {target:18} {case['expect']:8} {lh_target:10} {mine[target]:6} {mark}")
        if not agree:
            disagreements.append(f"{case['file']}: {target} lighthouse={lh_target} ours={mine[target]}")
        if lh.get("_error"):
            print(f"{'':48} runtime error: {lh['_error']}")
        for audit in audits:
            if audit == target or audit not in lh:
                continue
            others[1] += 1
            if lh[audit] == mine[audit]:
                others[0] += 1
            else:
                disagreements.append(f"{case['file']}: {audit} lighthouse={lh[audit]} ours={mine[audit]}")

    print("\nPer audit (the fixtures written for it):")
    total_agree = total = 0
    for audit in audits:
        agree, count = per_audit.get(audit, [0, 0])
        total_agree += agree
        total += count
        print(f"  {audit:18} {agree}/{count} agree")
    print(f"  {'all':18} {total_agree}/{total} agree")
    print(f"Every other audit on every fixture page: {others[0]}/{others[1]} agree")
    if disagreements:
        print("\nDisagreements:")
        for line in disagreements:
            print(f"  {line}")
    return 0 if not disagreements else 1


if __name__ == "__main__":
    raise SystemExit(main())
