"""The demo clinic site's pages and what was planted in them, for the engines' demo tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from auditor.extract import load_local_file
from auditor.models import AnalysedPage
from auditor.nlp import analyse_page

DEMO = Path(__file__).resolve().parents[1] / "auditor" / "demo"


def _expected() -> dict[str, Any]:
    path = DEMO / "expected.yaml"
    if not path.exists():
        return {}
    pages: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["pages"]
    return pages


EXPECTED = _expected()  # empty when the demo site is absent: the tests using it skip


def demo_page(rel: str) -> AnalysedPage:
    """A demo page read from disk and analysed under the address expected.yaml gives it."""
    page = load_local_file(str(DEMO / "site" / rel))
    return analyse_page(dataclasses.replace(page, url="https://demo.example/" + EXPECTED[rel]["url"]))
