"""Compliance sign-off: the waiver register, its audit trail, waived and expired states, the commands."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from auditor.cli import main
from auditor.errors import StoreError
from auditor.store import Store

try:
    from test_store_backends import all_findings, finding, pg_url, record_run, store, store_url
except ImportError:  # tests collected as a package
    from tests.test_store_backends import (  # type: ignore[no-redef]
        all_findings,
        finding,
        pg_url,
        record_run,
        store,
        store_url,
    )

__all__ = ["pg_url", "store", "store_url"]

SITE = "Test clinic"
HOME = "http://clinic.test/"
CLAIM = finding("CLM001", HOME, "Permanent results in one session!")
CAVEAT = finding("CAV002", HOME, "No side effects", "warning", "caveats")
TODAY = datetime.now(UTC).date()


def _state_of(doc: dict, fp: str) -> dict:  # type: ignore[type-arg]
    return next(f for f in all_findings(doc) if f["fingerprint"] == fp)


def test_waived_and_expired_waivers_in_the_document(store: Store) -> None:
    store.add_waiver(
        CLAIM["fingerprint"], "Dr Reviewer", "Backed by the 2025 study", TODAY + timedelta(days=30)
    )
    store.add_waiver(CAVEAT["fingerprint"], "Dr Reviewer", "Temporary", TODAY - timedelta(days=1))
    run_id = record_run(store, SITE, {HOME: [CLAIM, CAVEAT]})
    doc = store.load_document(run_id)
    waived = _state_of(doc, CLAIM["fingerprint"])
    assert waived["state"] == "waived"
    assert (
        waived["waiver"]["reviewer"] == "Dr Reviewer"
        and waived["waiver"]["reason"] == "Backed by the 2025 study"
    )
    assert waived["waiver"]["expires"] == (TODAY + timedelta(days=30)).isoformat()
    expired = _state_of(doc, CAVEAT["fingerprint"])
    assert expired["state"] == "expired_waiver"
    # Waived findings stay in the lists but leave the counts; an expired waiver counts again.
    assert doc["summary"]["waived"] == 1
    assert doc["summary"]["findings"] == 1
    assert doc["summary"]["by_severity"]["warning"] == 1 and doc["summary"]["by_severity"]["error"] == 0


def test_config_waivers_apply_and_store_waivers_win(store_url: str) -> None:
    config_waivers = [
        {
            "fingerprint": CLAIM["fingerprint"],
            "reviewer": "Config person",
            "reason": "in config",
            "expires": None,
        },
        {
            "fingerprint": CAVEAT["fingerprint"],
            "reviewer": "Config person",
            "reason": "in config",
            "expires": (TODAY + timedelta(days=5)).isoformat(),
        },
    ]
    with Store(store_url, config_waivers=config_waivers) as s:
        s.add_waiver(CAVEAT["fingerprint"], "Compliance lead", "reviewed again", TODAY - timedelta(days=3))
        doc = s.load_document(record_run(s, SITE, {HOME: [CLAIM, CAVEAT]}))
    claim, caveat = _state_of(doc, CLAIM["fingerprint"]), _state_of(doc, CAVEAT["fingerprint"])
    assert claim["state"] == "waived" and claim["waiver"]["source"] == "config"
    assert caveat["state"] == "expired_waiver" and caveat["waiver"]["reviewer"] == "Compliance lead"


def test_every_change_is_in_the_audit_trail(store: Store) -> None:
    fp = CLAIM["fingerprint"]
    store.add_waiver(fp, "Ann", "first look", TODAY + timedelta(days=10))
    store.add_waiver(fp, "Bob", "extended after review", TODAY + timedelta(days=90))
    store.revoke_waiver(fp, "Cat", "the claim came back in new wording")
    events = store.waiver_events()
    assert [(e["action"], e["actor"]) for e in events] == [
        ("add", "Ann"),
        ("update", "Bob"),
        ("revoke", "Cat"),
    ]
    assert (
        events[1]["previous"]["reviewer"] == "Ann"
        and events[1]["expires"] == (TODAY + timedelta(90)).isoformat()
    )
    assert events[2]["reason"] == "the claim came back in new wording"
    assert all(e["at"] for e in events)
    assert store.waivers(include_expired=True) == []  # revoked: out of the register, kept in the trail
    with pytest.raises(StoreError, match="no active waiver"):
        store.revoke_waiver(fp, "Cat", "again")
    # A revoked waiver no longer applies to a new run.
    doc = store.load_document(record_run(store, SITE, {HOME: [CLAIM]}))
    assert _state_of(doc, fp)["state"] == "new"


def test_listing_hides_expired_waivers_unless_asked(store: Store) -> None:
    store.add_waiver("a" * 16, "Ann", "r", TODAY + timedelta(days=1))
    store.add_waiver("b" * 16, "Ann", "r", TODAY - timedelta(days=1))
    store.add_waiver("c" * 16, "Ann", "r", None)
    assert sorted(w["fingerprint"] for w in store.waivers()) == ["a" * 16, "c" * 16]
    every = {w["fingerprint"]: w["expired"] for w in store.waivers(include_expired=True)}
    assert every == {"a" * 16: False, "b" * 16: True, "c" * 16: False}
    with pytest.raises(StoreError, match="needs a fingerprint, a reviewer and a reason"):
        store.add_waiver("d" * 16, "", "r", None)


def test_a_rerendered_old_run_shows_the_waiver_as_it_held_that_day(store: Store) -> None:
    run_id = record_run(store, SITE, {HOME: [CLAIM]})
    store.add_waiver(CLAIM["fingerprint"], "Ann", "signed off", TODAY)  # holds through today
    assert _state_of(store.load_document(run_id), CLAIM["fingerprint"])["state"] == "waived"


# --- the commands ----------------------------------------------------------------------------------------


@pytest.fixture
def config_file(tmp_path: Path, store_url: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump({"storage": {"url": store_url}, "reports": {"out_dir": str(tmp_path / "out")}})
    )
    return path


def test_waive_and_waivers_commands(
    config_file: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(store_url) as s:
        record_run(s, SITE, {HOME: [CLAIM]})
    fp, until = CLAIM["fingerprint"], (TODAY + timedelta(days=60)).isoformat()
    cfg = ["--config", str(config_file)]
    assert main(["waive", fp, "--reason", "Evidence on file", "--until", until, "--by", "Dr Lee", *cfg]) == 0
    assert f"Added waiver for {fp}" in capsys.readouterr().out
    assert main(["waivers", *cfg]) == 0
    listing = capsys.readouterr().out
    assert fp in listing and "Dr Lee" in listing and until in listing and "active" in listing
    assert main(["waivers", "--json", *cfg]) == 0
    assert json.loads(capsys.readouterr().out)[0]["reason"] == "Evidence on file"
    assert main(["waivers", "expire", fp, "--by", "Dr Lee", "--reason", "withdrawn", *cfg]) == 0
    capsys.readouterr()
    assert main(["waivers", "log", *cfg]) == 0
    log = capsys.readouterr().out
    assert "add" in log and "revoke" in log and "withdrawn" in log


def test_waive_refuses_what_it_cannot_act_on(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = ["--config", str(config_file)]
    future = (TODAY + timedelta(days=5)).isoformat()
    assert main(["waive", "not-a-fingerprint", "--reason", "r", "--until", future, "--by", "A", *cfg]) == 2
    assert "not a finding fingerprint" in capsys.readouterr().err
    assert (
        main(["waive", "0123456789abcdef", "--reason", "r", "--until", "2001-01-01", "--by", "A", *cfg]) == 2
    )
    assert "has passed" in capsys.readouterr().err
    assert main(["waive", "0123456789abcdef", "--reason", "r", "--until", future, "--by", "A", *cfg]) == 2
    assert "no stored finding" in capsys.readouterr().err
    assert (
        main(["waive", "0123456789abcdef", "--reason", "r", "--until", "never", "--by", "A", "--force", *cfg])
        == 0
    )
    assert main(["waivers", "expire", "0123456789abcdef", *cfg]) == 2
    assert "--by NAME and --reason" in capsys.readouterr().err


def test_history_diff_and_report_commands(
    config_file: Path, store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(store_url) as s:
        a = record_run(s, SITE, {HOME: [CLAIM, CAVEAT]})
        b = record_run(
            s,
            SITE,
            {
                HOME: [CLAIM],
                "http://clinic.test/faq": [
                    finding("QST002", "http://clinic.test/faq", "", "info", "questions")
                ],
            },
        )
    cfg = ["--config", str(config_file)]
    assert main(["history", *cfg]) == 0
    out = capsys.readouterr().out
    assert out.index(a) < out.index(b) and "complete" in out
    assert main(["diff", a, b, *cfg]) == 0
    out = capsys.readouterr().out
    assert "1 new, 1 resolved, 1 persisting" in out and "CAV002" in out and "QST002" in out
    assert main(["diff", a, "nope", *cfg]) == 2
    assert "no stored run" in capsys.readouterr().err
    assert main(["report", "latest", "--out", "-", *cfg]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["run"]["id"] == b and doc["summary"]["changes"]["resolved"] == 1
    if _reports_render():
        assert main(["report", a[:-1] if not b.startswith(a[:-1]) else a, "--format", "json", *cfg]) == 0
        assert (tmp_path / "out" / a).is_dir()


def _reports_render() -> bool:
    try:
        from reports import render_run  # noqa: F401
    except ImportError:
        return False
    return True


def test_dates_in_the_past_are_compared_by_day(store: Store) -> None:
    run_id = record_run(store, SITE, {HOME: [CLAIM]})
    started = date.fromisoformat(store.run(run_id)["started"][:10])
    store.add_waiver(CLAIM["fingerprint"], "Ann", "r", started - timedelta(days=1))
    assert _state_of(store.load_document(run_id), CLAIM["fingerprint"])["state"] == "expired_waiver"
