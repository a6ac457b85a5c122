"""Real pages the question-engine tests read: the demo clinic, the safety guide (when ../shared is there) and the
benchmark's generated clinic copy, where nearly every paragraph is on topic."""

from __future__ import annotations

import sys
from pathlib import Path

from auditor.demo import site_root
from auditor.extract import extract_html, load_local_file
from auditor.models import Page

SHARED = Path(__file__).resolve().parents[2] / "shared"


def sample_pages(generated: int) -> list[Page]:
    pages = [load_local_file(str(p)) for p in sorted(Path(str(site_root())).rglob("*.html"))]
    guide = SHARED / "corpus" / "smp-safety-guide.txt"
    if guide.exists():
        pages.append(load_local_file(str(guide)))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        from crawl import build_page
    finally:
        sys.path.pop(0)
    pages += [extract_html(build_page(i, 500), f"http://127.0.0.1/p{i}/") for i in range(generated)]
    return pages
