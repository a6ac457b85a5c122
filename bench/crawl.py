"""Crawl benchmark: a generated 2,000-page clinic site on 127.0.0.1, crawled by us (crawl only, then the full
audit twice) and, when installed, by advertools; prints pages/s, peak memory of each process tree and ratios.

    .venv/bin/python bench/crawl.py [--pages 2000] [--no-advertools] [--no-audit]

Every measurement runs in a fresh child process; the parent samples the memory of that child and all its
descendants (process-pool workers, scrapy) every 100 ms with psutil, as PSS (shared pages split between the
processes sharing them: the tree's real footprint) and as summed RSS (shared pages counted once per process).
The server is a separate process that serves pre-built (and pre-gzipped) pages from memory, answers conditional
requests with 304, and is not part of any measured tree. Timings are taken inside each child around the crawl or audit call.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Reading a process's PSS (/proc/PID/smaps_rollup) costs the sampler 3-5 ms of CPU per process. Every 20 ms that
# took about a quarter of one core away from the measured tree on a 2-core machine (10 s of the sampler's CPU
# during a 36 s audit), more from our three processes than from scrapy's one. Sampled every 20 ms and every
# 200 ms, the peaks on the 2,000-page site were the same (340 MB PSS, 584 MB RSS sum); 100 ms is a fifth of the cost.
SAMPLE_EVERY = 0.1

CATEGORIES = (
    "scalp-micropigmentation",
    "hair-transplant",
    "alopecia",
    "thinning-hair",
    "scar-camouflage",
    "women",
    "aftercare",
    "pricing",
    "consultations",
    "results",
    "faq",
    "laser-removal",
    "crown",
    "hairline",
    "density",
    "touch-ups",
    "skin-types",
    "case-studies",
    "guides",
    "news",
)
_WORD_TEXT = (
    "treatment session pigment scalp follicle hairline density practitioner clinic consultation appointment "
    "results healing aftercare redness shading needle technique natural appearance confidence client skin "
    "tone colour match layer dots impression shaved look coverage thinning crown temple scarring camouflage "
    "recovery days weeks sessions typically usually many people find most clients report gentle process "
    "hygiene sterile equipment licensed trained experienced team doctor nurse review patch test allergy "
    "sensitivity sunscreen moisturiser washing sweating swimming gym avoid recommend discuss options plan "
    "budget finance deposit price cost value quality lasting fade touch-up maintenance years lifestyle"
)
WORDS = tuple(_WORD_TEXT.split())
STYLE = "\n".join(
    f".c{i}{{margin:{i % 7}px {i % 5}px;padding:{i % 9}px;color:#{(i * 2654435761) % 0xFFFFFF:06x};"
    f"font-size:{12 + i % 6}px;line-height:1.{i % 9};border-radius:{i % 4}px}}"
    for i in range(230)
)
SCRIPT = "\n".join(
    f"window.dataLayer=window.dataLayer||[];function track{i}(e){{dataLayer.push({{event:'click{i}',"
    f"target:e&&e.target?e.target.id:null,ts:Date.now()}});}}"
    for i in range(110)
)
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">'
    '<path d="M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm-1 15l-5-5 '
    '1.41-1.41L11 14.17l7.59-7.59L20 8l-9 9z"/></svg>'
)


def page_path(i: int) -> str:
    return f"/{CATEGORIES[i % len(CATEGORIES)]}/page-{i:04d}/"


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 20))]
    return " ".join(words).capitalize() + "."


def build_page(i: int, n: int) -> bytes:
    rng = random.Random(i)
    cat = CATEGORIES[i % len(CATEGORIES)]
    title = f"{cat.replace('-', ' ').title()} guide {i}: what to expect"
    nav = "".join(
        f'<li class="c{k}"><a href="/{c}/">{c.replace("-", " ").title()}</a></li>'
        for k, c in enumerate(CATEGORIES)
    )
    related = [page_path(rng.randrange(n)) for _ in range(10)] + [page_path((i + 1) % n)]
    body: list[str] = []
    words = 0
    section = 0
    while words < 950:
        section += 1
        body.append(f'<h2 id="s{section}" class="c{section}">{_sentence(rng)[:-1]}</h2>')
        for _ in range(rng.randint(2, 4)):
            sentences = [_sentence(rng) for _ in range(rng.randint(3, 6))]
            words += sum(len(s.split()) for s in sentences)
            link = related[len(body) % len(related)]
            body.append(
                f'<p class="c{len(body) % 200}">{" ".join(sentences)} '
                f'<a href="{link}">Read more about {cat.replace("-", " ")}</a>.</p>'
            )
        items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(3))
        body.append(f"<ul>{items}</ul>")
    faq = "".join(
        f"<details><summary>{_sentence(rng)[:-1]}?</summary><p>{_sentence(rng)}</p></details>"
        for _ in range(4)
    )
    footer = "".join(f'<a href="/{c}/" class="c{k}">{ICON}{c}</a>' for k, c in enumerate(CATEGORIES))
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "MedicalWebPage", "name": title})
    html = (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="description" content="{_sentence(rng)}"><link rel="canonical" href="{page_path(i)}">'
        f"<style>{STYLE}</style><script>{SCRIPT}</script>"
        f'<script type="application/ld+json">{jsonld}</script></head><body>'
        f'<header><a href="/">{ICON}Clinic</a><nav><ul>{nav}</ul></nav></header>'
        f"<main><h1>{title}</h1>{''.join(body)}<section><h2>Questions</h2>{faq}</section></main>"
        f"<footer>{footer}<p>&copy; Clinic Ltd. All rights reserved.</p></footer>"
        f"<script>{SCRIPT[:3000]}</script></body></html>"
    )
    return html.encode()


def build_site(n: int, base: str) -> dict[str, tuple[bytes, str]]:
    """path -> (body, content type); every page is reachable from the home page within three links."""
    site: dict[str, tuple[bytes, str]] = {}
    for i in range(n):
        site[page_path(i)] = (build_page(i, n), "text/html; charset=utf-8")
    for c, cat in enumerate(CATEGORIES):
        links = "".join(
            f'<li><a href="{page_path(i)}">Guide {i}</a></li>' for i in range(c, n, len(CATEGORIES))
        )
        site[f"/{cat}/"] = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{cat}</title></head>"
            f"<body><h1>{cat}</h1><ul>{links}</ul></body></html>".encode(),
            "text/html; charset=utf-8",
        )
    home = "".join(f'<li><a href="/{c}/">{c}</a></li>' for c in CATEGORIES)
    site["/"] = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Clinic</title></head><body>"
        f"<ul>{home}</ul></body></html>".encode(),
        "text/html; charset=utf-8",
    )
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in site if p.endswith("/"))
    site["/sitemap.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
        f'schemas/sitemap/0.9">{urls}</urlset>'.encode(),
        "application/xml",
    )
    site["/robots.txt"] = (
        f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {base}/sitemap.xml\n".encode(),
        "text/plain",
    )
    return site


# -- the server ----------------------------------------------------------------------------------------------


def serve(n: int, port_file: str) -> None:
    """Serve the site from memory: gzip when asked, 304 for a matching ETag, keep-alive, nothing else."""
    import socket

    loop = asyncio.new_event_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    site = build_site(n, base)
    table: dict[str, tuple[bytes, bytes, bytes, bytes]] = {}
    for path, (body, ctype) in site.items():
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        head = f"Content-Type: {ctype}\r\nETag: {etag}\r\n"
        plain = f"HTTP/1.1 200 OK\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        zipped = gzip.compress(body, 6)
        gz = (
            f"HTTP/1.1 200 OK\r\n{head}Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
            f"Content-Length: {len(zipped)}\r\n\r\n"
        ).encode() + zipped
        not_modified = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode()
        table[path] = (plain, gz, not_modified, etag.encode())
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"

    class Proto(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.t: Any = transport
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            self.buf += data
            while b"\r\n\r\n" in self.buf:
                head, self.buf = self.buf.split(b"\r\n\r\n", 1)
                lines = head.split(b"\r\n")
                parts = lines[0].split(b" ")
                path = parts[1].decode("latin-1").split("?", 1)[0] if len(parts) > 1 else "/"
                pairs = (ln.partition(b":") for ln in lines[1:])
                headers = {k.strip().lower(): v.strip() for k, _, v in pairs}
                entry = table.get(path)
                if entry is None:
                    self.t.write(missing)
                elif headers.get(b"if-none-match") == entry[3]:
                    self.t.write(entry[2])
                elif b"gzip" in headers.get(b"accept-encoding", b""):
                    self.t.write(entry[1])
                else:
                    self.t.write(entry[0])

    async def main() -> None:
        server = await loop.create_server(Proto, sock=sock, backlog=512)
        Path(port_file).write_text(str(port))
        async with server:
            await server.serve_forever()

    loop.run_until_complete(main())


# -- the measured children -----------------------------------------------------------------------------------


def bench_config(base: str, store_url: str | None = None) -> Any:
    from auditor.config import Config

    data: dict[str, Any] = {
        "sites": [{"name": "bench", "start_urls": [base + "/"], "max_pages": 5000, "max_depth": 10}],
        # Scrapy's defaults, so both crawlers open the same number of connections.
        "crawl": {
            "allow_private": True,
            "concurrency": 16,
            "per_host_concurrency": 8,
            "request_budget": 20000,
            "per_host_budget": 20000,
        },
    }
    if store_url:
        data["storage"] = {"url": store_url}
    return Config.model_validate(data)


def child_crawl(base: str) -> dict[str, Any]:
    from auditor.crawl import crawl_site

    config = bench_config(base)
    started = time.perf_counter()
    outcome = asyncio.run(crawl_site(config.sites[0], config.crawl))
    seconds = time.perf_counter() - started
    html = sum(1 for f in outcome.fetches if f.status == 200)
    return {"pages": len(outcome.fetches), "html_200": html, "seconds": seconds, "requests": outcome.requests}


def child_audit(base: str, store_url: str) -> dict[str, Any]:
    from auditor import pipeline

    config = bench_config(base, store_url)
    started = time.perf_counter()  # the whole job: loading the language model and rule packs included
    result = pipeline.Pipeline(config).run_sites(kind="run")
    seconds = time.perf_counter() - started
    pages = _count_pages(result, config)
    return {"pages": pages, "seconds": seconds}


def _count_pages(result: Any, config: Any) -> int | None:
    if isinstance(result, dict) and "pages" in result:
        return int(result["pages"])
    if isinstance(result, int):
        return result
    try:
        from auditor.store import Store

        run_ids = result[0] if isinstance(result, tuple) else result
        store = Store.from_config(config)
        doc = store.load_document(run_ids[-1])
        return len(doc.get("pages", []))
    except Exception:
        return None


def child_advertools(base: str, out: str) -> dict[str, Any]:
    import advertools  # type: ignore[import-untyped]

    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    started = time.perf_counter()
    # Scrapy ignores an allowed domain that carries a port, so the host is named without it.
    advertools.crawl(
        [base + "/"],
        out,
        follow_links=True,
        allowed_domains=["127.0.0.1"],
        custom_settings={"LOG_LEVEL": "ERROR", "CLOSESPIDER_PAGECOUNT": 0},
    )
    seconds = time.perf_counter() - started
    with open(out, encoding="utf-8") as fh:
        pages = sum(1 for _ in fh)
    return {"pages": pages, "seconds": seconds}


# -- the parent ----------------------------------------------------------------------------------------------


def measure(args: list[str]) -> tuple[dict[str, Any], float, float]:
    """Run one child; return its JSON result and the peak memory (MB) of its whole process tree, twice: as
    proportional set size (PSS: a page shared by several processes, like the language model a forked worker
    inherits, is split between them, so the sum is what the tree really occupies) and as summed RSS (which
    counts every shared page once per process, and so overstates a forked pool)."""
    import psutil  # type: ignore[import-untyped]

    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        pss = rss = 0
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            procs = []
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                info = p.memory_full_info()
                pss += info.pss
                rss += info.rss
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(SAMPLE_EVERY)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[:2]} failed with exit code {proc.returncode}")
    last = [line for line in out.splitlines() if line.startswith("{")][-1]
    return json.loads(last), peak_pss / 1e6, peak_rss / 1e6


def _page_stats(n: int) -> tuple[float, float]:
    import lxml.html  # type: ignore[import-untyped]

    sizes, words = [], []
    for i in range(0, n, max(1, n // 20)):
        body = build_page(i, n)
        sizes.append(len(body))
        tree = lxml.html.fromstring(body)
        for el in tree.xpath("//script|//style"):
            el.drop_tree()
        words.append(len(tree.xpath("//main")[0].text_content().split()))
    return sum(sizes) / len(sizes), sum(words) / len(words)


def _rate(result: dict[str, Any]) -> float:
    return (result.get("pages") or 0) / result["seconds"] if result["seconds"] else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--no-advertools", action="store_true")
    parser.add_argument("--no-audit", action="store_true")
    parser.add_argument("--child", choices=["serve", "crawl", "audit", "advertools"])
    parser.add_argument("--base")
    parser.add_argument("--arg")
    ns = parser.parse_args()

    if ns.child == "serve":
        serve(ns.pages, ns.arg)
        return 0
    if ns.child == "crawl":
        print(json.dumps(child_crawl(ns.base)))
        return 0
    if ns.child == "audit":
        print(json.dumps(child_audit(ns.base, ns.arg)))
        return 0
    if ns.child == "advertools":
        print(json.dumps(child_advertools(ns.base, ns.arg)))
        return 0

    with tempfile.TemporaryDirectory(prefix="crawlbench-") as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [sys.executable, __file__, "--child", "serve", "--pages", str(ns.pages), "--arg", str(port_file)]
        )
        try:
            for _ in range(600):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.1)
            base = f"http://127.0.0.1:{port_file.read_text()}"
            size, words = _page_stats(ns.pages)
            print(
                f"site: {ns.pages} pages + 21 index pages at {base}; a page averages "
                f"{size / 1000:.0f} KB of HTML and {words:.0f} words of copy"
            )
            rows: list[tuple[str, dict[str, Any], float, float]] = []
            crawl, crawl_mem, crawl_rss = measure(["--child", "crawl", "--base", base])
            rows.append(("crawl only (ours)", crawl, crawl_mem, crawl_rss))
            first = second = None
            if not ns.no_audit:
                store = f"sqlite:///{tmp}/bench.db"
                try:
                    first, first_mem, first_rss = measure(["--child", "audit", "--base", base, "--arg", store])
                    rows.append(("full audit, first run", first, first_mem, first_rss))
                    second, second_mem, second_rss = measure(["--child", "audit", "--base", base, "--arg", store])
                    rows.append(("full audit, second run (unchanged site)", second, second_mem, second_rss))
                except RuntimeError as exc:
                    print(f"full audit not measured: {exc}")
            adv = None
            if not ns.no_advertools:
                try:
                    import advertools  # noqa: F401
                except ImportError:
                    print("advertools is not installed: no comparison (pip install advertools)")
                else:
                    adv, adv_mem, adv_rss = measure(
                        ["--child", "advertools", "--base", base, "--arg", str(Path(tmp) / "adv.jl")]
                    )
                    rows.append(("advertools.crawl", adv, adv_mem, adv_rss))
            print(f"{'measurement':42} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'peak PSS MB':>12} {'(RSS sum)':>10}")
            for name, result, mem, rss in rows:
                pages = result.get("pages") or 0
                print(
                    f"{name:42} {pages:>6} {result['seconds']:>8.2f} {_rate(result):>8.1f} {mem:>12.0f} {rss:>10.0f}"
                )
            if adv and _rate(adv) > 0:
                print(f"crawl-only speed / advertools crawl: {_rate(crawl) / _rate(adv):.2f}x (target >= 2)")
                if first:
                    ratio = _rate(first) / _rate(adv)
                    print(f"full audit speed / advertools crawl: {ratio:.2f}x (target >= 1)")
            if first and second:
                print(
                    f"second run speed-up over the first: {first['seconds'] / second['seconds']:.2f}x "
                    "(target >= 3)"
                )
                print(
                    f"full audit peak memory (PSS of the process tree): {max(first_mem, second_mem):.0f} MB "
                    f"(target < 400; summed RSS {max(first_rss, second_rss):.0f} MB)"
                )
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
