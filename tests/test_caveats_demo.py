"""The demo clinic site: exactly its treatment pages need the caveats, each lacking the planted ones."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.config import Config
from auditor.extract import load_local_file
from auditor.nlp import analyse_page
from checks.caveats import TreatmentSettings, evaluate, load_caveat_rules, treatment_reason

DEMO = Path(__file__).resolve().parents[1] / "auditor" / "demo"


def _expected() -> dict[str, Any]:
    path = DEMO / "expected.yaml"
    if not path.exists():
        return {}
    pages: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["pages"]
    return pages


EXPECTED = _expected()


@pytest.mark.skipif(not EXPECTED, reason="the demo site is not present")
@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_treatment_pages_and_their_missing_caveats(rel: str) -> None:
    ruleset = load_caveat_rules(["smp"])
    settings = TreatmentSettings.from_config(Config().checks.caveats)
    page = load_local_file(str(DEMO / "site" / rel))
    apage = analyse_page(dataclasses.replace(page, url="https://demo.example/" + EXPECTED[rel]["url"]))
    reason = treatment_reason(apage, ruleset, settings)
    assert (reason is not None) == EXPECTED[rel]["treatment_page"], reason
    keys = {f.key for f in evaluate(apage, ruleset, settings)}
    assert keys == set(EXPECTED[rel]["missing_caveats"])
