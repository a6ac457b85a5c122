"""Lighthouse parity on the fixture pages: our rules give each page the verdict of Lighthouse's audit logic.

Each page goes through extraction and language analysis first, as in a run; bench/lighthouse_parity.py checks
the same pages against Lighthouse itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.config import Config
from auditor.extract import extract_html
from auditor.models import FetchResult, Site
from auditor.nlp import analyse_pages
from checks import seo, site
from checks.registry import missing_docs, rules_index
from checks.seo_parity import LIGHTHOUSE_AUDITS, lighthouse_verdicts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "seo" / "lighthouse"
ORIGIN = "http://127.0.0.1:8123"


def _manifest() -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / "manifest.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


MANIFEST = _manifest()
CASES = [{**MANIFEST["defaults"], **entry} for entry in MANIFEST["fixtures"]]


def render(case: dict[str, Any], origin: str = ORIGIN) -> tuple[str, bytes]:
    """The fixture's URL and body with {{SELF}} and {{ROOT}} filled in, as the bench's server serves it."""
    path = case.get("path") or "/" + case["file"]
    url = origin + path
    html = (FIXTURES / case["file"]).read_text(encoding="utf-8")
    html = html.replace("{{SELF}}", url).replace("{{ROOT}}", origin + "/")
    return url, html.encode("utf-8")


def verdicts_for(case: dict[str, Any]) -> dict[str, str]:
    url, body = render(case)
    headers = (
        ("content-type", "text/html; charset=utf-8"),
        *((k, str(v)) for k, v in case["headers"].items()),
    )
    fetch = FetchResult(
        requested_url=url, final_url=url, status=case["status"], headers=headers, body=body, elapsed=0.05
    )
    page = extract_html(body, url, fetch)
    analysed = next(analyse_pages([page]))
    fixture_site = Site(
        name="fixture",
        root_url=ORIGIN + "/",
        pages=(analysed,),
        fetches=(fetch,),
        robots_txt=case["robots_txt"],
        robots_status=case["robots_status"],
    )
    return dict(lighthouse_verdicts(analysed, fixture_site, Config()))


def test_every_audit_has_a_passing_and_a_failing_fixture() -> None:
    for audit in LIGHTHOUSE_AUDITS:
        expects = {c["expect"] for c in CASES if c["audit"] == audit}
        assert expects == {"pass", "fail"}, f"{audit} needs both a passing and a failing fixture page"
    for case in CASES:
        assert (FIXTURES / case["file"]).is_file(), case["file"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_fixture_gets_lighthouse_verdict(case: dict[str, Any]) -> None:
    verdicts = verdicts_for(case)
    assert verdicts[case["audit"]] == case["expect"], f"{case['file']}: {case['audit']}"
    # The page was written to exercise one audit only: every other one passes, as Lighthouse has it.
    others = {audit: v for audit, v in verdicts.items() if audit != case["audit"] and v != "pass"}
    assert others == {}, f"{case['file']} also fails {others}"


def test_lighthouse_rules_cite_the_audit_source() -> None:
    rules = rules_index([*seo.checks(Config()), *site.checks(Config())])
    for audit, ids in LIGHTHOUSE_AUDITS.items():
        for rule_id in ids:
            rule = rules[rule_id]
            assert missing_docs(rule) == [], rule_id
            assert any(f"Lighthouse audit {audit}" in ref for ref in rule.docs.references), rule_id
            assert any(".js" in ref for ref in rule.docs.references), rule_id
