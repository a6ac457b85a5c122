"""The scheduler: cron and time zone, persistent job store, one run per fire time, catch-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from auditor.config import ScheduleConfig, load_config
from auditor.errors import ConfigError
from auditor.scheduler import (
    JOB_ID,
    build_scheduler,
    cron_trigger,
    due_slot,
    previous_fire_time,
    run_slot,
    scheduled_job,
    slot_key,
    status_lines,
)
from auditor.store import Store
from auditor.store_schema import apscheduler_jobs

try:
    from test_store_backends import pg_url, store_url
except ImportError:  # tests collected as a package
    from tests.test_store_backends import pg_url, store_url  # type: ignore[no-redef]

__all__ = ["pg_url", "store_url"]

REPO = Path(__file__).resolve().parents[1]
LONDON = ZoneInfo("Europe/London")
SITE = "Test clinic"

FAKE_JOB = textwrap.dedent(
    """
    '''A stand-in for the pipeline's run_configured_sites: records a real run under the site lock.'''
    import os, time
    from auditor.store import Store

    def audit(config, kind="scheduled"):
        store = Store.from_config(config)
        owner = f"fake-job:{os.getpid()}"
        run_ids = []
        try:
            for site in config.sites:
                if not store.acquire_site_lock(site.name, owner):
                    continue
                try:
                    run_id = store.start_run(kind, list(site.start_urls), "digest", [site.name])
                    url = site.start_urls[0]
                    entry = {"url": url, "status": 200, "content_type": "text/html", "findings": []}
                    store.record_page(run_id, site.name, entry)
                    time.sleep(float(os.environ.get("FAKE_JOB_SECONDS", "0")))
                    store.finish_run(run_id, "complete")
                    run_ids.append(run_id)
                finally:
                    store.release_site_lock(site.name, owner)
        finally:
            store.close()
        with open(os.environ["FAKE_JOB_LOG"], "a") as fh:
            fh.write(f"{os.getpid()} {' '.join(run_ids)}\\n")
        return run_ids

    def broken(config, kind="scheduled"):
        raise RuntimeError("the crawler could not start")
    """
)


def _next_monday_fire() -> datetime:
    """A Monday 07:00 in London at least a week ahead: later than every real run the test records."""
    day = datetime.now(LONDON).date() + timedelta(days=7)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, clock(7, 0), LONDON)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    (tmp_path / "fakejob.py").write_text(FAKE_JOB)
    log = tmp_path / "job.log"
    config_path = tmp_path / "config.yaml"
    config_path.write_text(
        yaml.safe_dump(
            {
                "sites": [{"name": SITE, "start_urls": ["http://127.0.0.1:9/"]}],
                "storage": {"url": f"sqlite:///{tmp_path / 'store.db'}"},
                "reports": {"out_dir": str(tmp_path / "reports"), "formats": ["json"]},
                "schedule": {"cron": "0 7 * * mon", "timezone": "Europe/London", "misfire_grace_days": 3},
            }
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("FAKE_JOB_LOG", str(log))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]), "FAKE_JOB_LOG": str(log)}
    yield {"config": config_path, "log": log, "env": env, "tmp": tmp_path}


@pytest.fixture
def any_backend(setup: dict[str, Any], store_url: str) -> dict[str, Any]:
    """The same setup with the store (and so the job store) on SQLite or PostgreSQL."""
    data = yaml.safe_load(setup["config"].read_text())
    data["storage"]["url"] = store_url
    setup["config"].write_text(yaml.safe_dump(data))
    return setup


def _calls(log: Path) -> list[list[str]]:
    return [line.split()[1:] for line in log.read_text().splitlines()] if log.exists() else []


def _scheduler(
    setup: dict[str, Any], *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditor.scheduler",
            "--config",
            str(setup["config"]),
            "--job",
            "fakejob:audit",
            *extra,
        ],
        cwd=setup["tmp"],
        env=env or setup["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_once(setup: dict[str, Any], now: datetime) -> tuple[int, str]:
    proc = _scheduler(setup, "--once", "--now", now.isoformat())
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


# --- time ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "weekdays"),
    [
        ("0 7 * * mon", {0}),
        ("0 7 * * 1", {0}),
        ("0 7 * * 0", {6}),
        ("0 7 * * 7", {6}),
        ("0 7 * * 1-5", {0, 1, 2, 3, 4}),
        ("0 7 * * 5-7", {4, 5, 6}),
        ("30 6 * * sat,sun", {5, 6}),
    ],
)
def test_crontab_weekdays_mean_what_cron_means(cron: str, weekdays: set[int]) -> None:
    """APScheduler 3 counts weekdays from Monday = 0; crontab from Sunday = 0. Ours follow crontab."""
    trigger = cron_trigger(ScheduleConfig(cron=cron, timezone="Europe/London"))
    t = datetime(2026, 1, 1, tzinfo=LONDON)
    seen = set()
    for _ in range(14):
        t = trigger.get_next_fire_time(t, t)
        seen.add(t.weekday())
    assert seen == weekdays


def test_bad_cron_and_time_zone_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="five fields"):
        cron_trigger(ScheduleConfig(cron="0 7 * *"))
    with pytest.raises(ConfigError, match="not a valid cron"):
        cron_trigger(ScheduleConfig(cron="99 7 * * mon"))
    with pytest.raises(ConfigError, match="unknown time zone"):
        cron_trigger(ScheduleConfig(timezone="Mars/Olympus"))


def test_previous_fire_time_in_the_schedule_time_zone() -> None:
    weekly = cron_trigger(ScheduleConfig(cron="0 7 * * mon", timezone="Europe/London"))
    # Wednesday 1 July 2026 (British Summer Time): the last fire was Monday 29 June, 07:00 BST = 06:00 UTC.
    prev = previous_fire_time(weekly, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert prev is not None and prev.astimezone(UTC) == datetime(2026, 6, 29, 6, 0, tzinfo=UTC)
    assert previous_fire_time(weekly, prev) == prev  # a fire time is its own previous fire time
    minutely = cron_trigger(ScheduleConfig(cron="* * * * *", timezone="UTC"))
    assert previous_fire_time(minutely, datetime(2026, 7, 1, 12, 0, 30, tzinfo=UTC)) == datetime(
        2026, 7, 1, 12, 0, tzinfo=UTC
    )


def test_due_slot_follows_runs_slots_and_grace(setup: dict[str, Any]) -> None:
    config = load_config(setup["config"])
    fire = _next_monday_fire()
    with Store.from_config(config) as store:
        assert due_slot(config, store, fire + timedelta(hours=5)) == fire
        assert due_slot(config, store, fire + timedelta(days=3, hours=1)) is None  # past the 3-day grace
        assert [e["kind"] for e in store.schedule_events()] == ["missed"]
        store.claim_slot(JOB_ID, slot_key(fire), "someone")
        assert due_slot(config, store, fire + timedelta(hours=5)) is None


# --- the persistent job store ----------------------------------------------------------------------------


def test_the_job_is_persisted_with_the_required_settings(any_backend: dict[str, Any]) -> None:
    setup = any_backend
    config = load_config(setup["config"])
    with Store.from_config(config) as store:
        for cron in ("0 7 * * mon", "15 6 * * tue"):  # a restart with a new cron replaces the stored job
            config = config.model_copy(update={"schedule": ScheduleConfig(cron=cron, misfire_grace_days=3)})
            scheduler = build_scheduler(config, store, str(setup["config"]), "fakejob:audit")
            scheduler.start(paused=True)
            try:
                job = scheduler.get_job(JOB_ID)
                assert job.coalesce is True and job.max_instances == 1
                assert job.misfire_grace_time == 3 * 24 * 3600
                assert str(job.trigger.timezone) == "Europe/London"
                assert job.func_ref == "auditor.scheduler:scheduled_job"
                assert job.kwargs == {"config_path": str(setup["config"]), "job_ref": "fakejob:audit"}
            finally:
                scheduler.shutdown(wait=False)
            with store.engine.connect() as conn:
                rows = list(conn.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time)))
            assert [r.id for r in rows] == [JOB_ID]
            nxt = datetime.fromtimestamp(rows[0].next_run_time, LONDON)
            assert (nxt.hour, nxt.minute) == ((7, 0) if cron.startswith("0 7") else (6, 15))


def test_the_scheduled_job_runs_once_per_fire_time(any_backend: dict[str, Any]) -> None:
    setup = any_backend
    scheduled_job(str(setup["config"]), "fakejob:audit")
    scheduled_job(str(setup["config"]), "fakejob:audit")  # a second scheduler at the same fire time
    calls = _calls(setup["log"])
    assert len(calls) == 1 and len(calls[0]) == 1
    config = load_config(setup["config"])
    with Store.from_config(config) as store:
        slots = store.schedule_slots(JOB_ID)
        assert [(s["status"], s["run_ids"]) for s in slots] == [("done", calls[0])]
        assert store.run(calls[0][0])["kind"] == "scheduled"
        assert (setup["tmp"] / "reports" / calls[0][0]).is_dir() or _reports_missing()


def _reports_missing() -> bool:
    try:
        import auditor.pipeline  # noqa: F401
        import reports  # noqa: F401
    except ImportError:
        return True
    return False


def test_a_failed_run_is_logged_recorded_and_reported(setup: dict[str, Any]) -> None:
    config = load_config(setup["config"])
    fire = _next_monday_fire()
    outcome = run_slot(config, fire, job_ref="fakejob:broken")
    assert outcome.status == "failed" and "could not start" in outcome.detail
    with Store.from_config(config) as store:
        assert [s["status"] for s in store.schedule_slots(JOB_ID)] == ["failed"]
        events = store.schedule_events()
        assert [e["kind"] for e in events] == ["failed"] and "could not start" in events[0]["detail"]
        assert any("failed" in line for line in status_lines(config, store))
    # The same fire time is not retried by another process: the next one is the next week.
    assert run_slot(config, fire, job_ref="fakejob:audit").status == "skipped"


# --- processes -------------------------------------------------------------------------------------------


def test_two_schedulers_on_one_store_run_the_weekly_job_once(setup: dict[str, Any]) -> None:
    env = {**setup["env"], "FAKE_JOB_SECONDS": "1"}
    due = (_next_monday_fire() + timedelta(hours=1)).isoformat()
    procs = [_scheduler(setup, "--now", due, env=env) for _ in range(2)]
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if _calls(setup["log"]) and any(p.poll() is not None for p in procs):
                break
            time.sleep(0.2)
        loser = next(p for p in procs if p.poll() is not None)
        winner = next(p for p in procs if p is not loser)
        assert winner.stderr is not None
        winner_err = ""
        for line in winner.stderr:  # the winner caught up, then runs on as the scheduler
            winner_err += line
            if "scheduler started" in line:
                break
        time.sleep(1.0)  # time for a second run, were there to be one
        assert winner.poll() is None, "the scheduler that won the lock keeps running"
        winner.send_signal(signal.SIGTERM)
        winner.wait(timeout=30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    loser_err = loser.stderr.read() if loser.stderr else ""
    winner_err += winner.stderr.read() if winner.stderr else ""
    assert loser.returncode == 0 and "another scheduler" in loser_err
    assert winner.returncode == 0 and "catching up" in winner_err and "scheduler stopped" in winner_err
    assert len(_calls(setup["log"])) == 1
    with Store.from_config(load_config(setup["config"])) as store:
        assert len(store.history()) == 1
        assert store.lock_holder("scheduler:" + JOB_ID) is None  # released on the way out


def test_two_one_shot_schedulers_at_once_run_the_job_once(any_backend: dict[str, Any]) -> None:
    setup = any_backend
    env = {**setup["env"], "FAKE_JOB_SECONDS": "0.5"}
    due = (_next_monday_fire() + timedelta(hours=1)).isoformat()
    procs = [_scheduler(setup, "--once", "--now", due, env=env) for _ in range(2)]
    for p in procs:
        p.communicate(timeout=60)
    assert [p.returncode for p in procs] == [0, 0]
    assert len(_calls(setup["log"])) == 1


def test_a_scheduler_down_across_its_time_catches_up_exactly_once(setup: dict[str, Any]) -> None:
    fire = _next_monday_fire()
    # Down over Monday 07:00; back at 08:00: one catch-up run.
    code, err = _run_once(setup, fire + timedelta(hours=1))
    assert code == 0 and "catching up" in err
    assert len(_calls(setup["log"])) == 1
    # Restarted again that morning: nothing more to catch up.
    code, err = _run_once(setup, fire + timedelta(hours=2))
    assert code == 0 and "catching up" not in err
    assert len(_calls(setup["log"])) == 1
    # Down across the next Monday for longer than the grace: logged as missed, not run late.
    code, err = _run_once(setup, fire + timedelta(days=7 + 4))
    assert code == 0 and "catching up" not in err
    # Down across the Monday after, back within the grace: caught up once more.
    code, err = _run_once(setup, fire + timedelta(days=14, hours=1))
    assert code == 0 and "catching up" in err
    assert len(_calls(setup["log"])) == 2
    with Store.from_config(load_config(setup["config"])) as store:
        kinds = [e["kind"] for e in store.schedule_events()]
        assert kinds.count("caught_up") == 2 and kinds.count("missed") == 1
        assert [s["slot"] for s in store.schedule_slots(JOB_ID)] == [
            slot_key(fire),
            slot_key(fire + timedelta(days=14)),
        ]


def test_schedule_command_reports_status(setup: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    from auditor.cli import main

    assert main(["schedule", "--status", "--config", str(setup["config"])]) == 0
    out = capsys.readouterr().out
    assert "0 7 * * mon (Europe/London)" in out and "Scheduler: not running" in out
    assert "Last complete scheduled run: none yet" in out
