"""Cost of the SEO page checks per page, on the demo clinic site's pages (fetched bodies, as in a crawl).

    .venv/bin/python bench/seo_checks_speed.py [--repeat 5]

Prints the time of extraction plus language analysis (for scale) and of all SEO page checks per page, and the
share of the latter spent reading the page as a browser does (Lexbor), which the Lighthouse rules need.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.config import Config
from auditor.demo import html_pages, site_root
from auditor.extract import extract_html
from auditor.models import FetchResult
from auditor.nlp import analyse_pages
from checks import seo
from checks.registry import CheckContext
from checks.seo_dom import _facts_from_markup, parse_like_a_browser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    config = Config()
    ctx = CheckContext(config=config)
    checks = seo.checks(config)
    root = site_root()
    bodies = []
    for name in html_pages():
        resource = root
        for part in name.split("/"):
            resource = resource.joinpath(part)
        bodies.append((f"http://127.0.0.1:8000/{name}", resource.read_bytes()))
    warm = next(analyse_pages([extract_html(bodies[0][1], bodies[0][0])]))  # load spaCy outside the timings
    for check in checks:  # and the stop-word lists the language check loads once per process
        list(check.check_page(warm, ctx))

    extract_time = check_time = parse_time = 0.0
    pages = 0
    for _ in range(args.repeat):
        for url, body in bodies:
            fetch = FetchResult(url, url, 200, (("content-type", "text/html; charset=utf-8"),), body, 0.1)
            started = time.perf_counter()
            analysed = next(analyse_pages([extract_html(body, url, fetch)]))
            extract_time += time.perf_counter() - started
            started = time.perf_counter()
            parse_like_a_browser(body.decode("utf-8"))
            parse_time += time.perf_counter() - started
            _facts_from_markup.cache_clear()  # each page is read once in a run, as here
            started = time.perf_counter()
            for check in checks:
                list(check.check_page(analysed, ctx))
            check_time += time.perf_counter() - started
            pages += 1
    size = sum(len(b) for _, b in bodies) / len(bodies)
    print(f"{len(bodies)} demo pages (mean {size / 1000:.1f} kB) x {args.repeat}")
    print(f"extraction + language analysis: {1000 * extract_time / pages:.1f} ms per page")
    print(f"all {len(checks)} SEO page checks:      {1000 * check_time / pages:.1f} ms per page")
    print(f"  of which the browser-like parse: {1000 * parse_time / pages:.1f} ms per page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
