"""The demo clinic site: exactly its treatment pages need the caveats, each lacking the planted ones."""

from __future__ import annotations

import pytest
from demo_pages import EXPECTED, demo_page

from auditor.config import Config
from checks.caveats import TreatmentSettings, evaluate, load_caveat_rules, treatment_reason


@pytest.mark.skipif(not EXPECTED, reason="the demo site is not present")
@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_treatment_pages_and_their_missing_caveats(rel: str) -> None:
    ruleset = load_caveat_rules(["smp"])
    settings = TreatmentSettings.from_config(Config().checks.caveats)
    apage = demo_page(rel)
    reason = treatment_reason(apage, ruleset, settings)
    assert (reason is not None) == EXPECTED[rel]["treatment_page"], reason
    keys = {f.key for f in evaluate(apage, ruleset, settings)}
    assert keys == set(EXPECTED[rel]["missing_caveats"])
