"""The weekly run: one APScheduler 3 process, a persistent job store, a database lock, a catch-up at start."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from auditor import notify
from auditor.config import Config, ScheduleConfig, load_config
from auditor.errors import ConfigError
from auditor.lock import hostname
from auditor.store import Store

log = logging.getLogger(__name__)

JOB_ID = "weekly-audit"
JOB_FUNC = "auditor.scheduler:scheduled_job"
DEFAULT_JOB = "auditor.pipeline:run_configured_sites"
SCHEDULER_LOCK = f"scheduler:{JOB_ID}"
LOCK_TTL_SECONDS = 600.0  # the lock outlives a missed heartbeat or two, and no more
HEARTBEAT_SECONDS = 60.0
RETRY_DELIVERIES_DAYS = 7

JobFunc = Callable[..., Sequence[str]]


# --- time ------------------------------------------------------------------------------------------------

_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DOW_TOKEN = re.compile(r"^(\d)(?:-(\d))?(/\d+)?$")


def _crontab_day_of_week(field_text: str) -> str:
    """Crontab counts weekdays from Sunday = 0 (7 too); APScheduler 3 counts from Monday = 0. Names mean
    the same to both, so numbers are turned into names before APScheduler sees them."""
    out: list[str] = []
    for part in field_text.split(","):
        m = _DOW_TOKEN.match(part)
        if not m:
            out.append(part)
            continue
        first, last, step = int(m.group(1)), m.group(2), m.group(3) or ""
        if first > 7 or (last is not None and int(last) > 7):
            raise ConfigError(f"schedule.cron: day of week {part!r} is out of range (0-7, Sunday is 0 or 7)")
        if last is None:
            out.append(_DOW_NAMES[first] + step)
        elif int(last) == 7 and first > 0:
            out.append(f"{_DOW_NAMES[first]}-sat{step}")
            if not step:
                out.append("sun")
        else:
            out.append(f"{_DOW_NAMES[first]}-{_DOW_NAMES[int(last)]}{step}")
    return ",".join(out)


def schedule_timezone(schedule: ScheduleConfig) -> ZoneInfo:
    try:
        return ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schedule.timezone: unknown time zone {schedule.timezone!r} (e.g. Europe/London)"
        ) from None


def cron_trigger(schedule: ScheduleConfig) -> CronTrigger:
    """The configured five-field crontab expression in the configured time zone."""
    fields = schedule.cron.split()
    if len(fields) != 5:
        raise ConfigError(
            f"schedule.cron: {schedule.cron!r} needs five fields (minute hour day month weekday), "
            "e.g. '0 7 * * mon'"
        )
    fields[4] = _crontab_day_of_week(fields[4])
    tz = schedule_timezone(schedule)
    try:
        return CronTrigger(
            minute=fields[0],
            hour=fields[1],
            day=fields[2],
            month=fields[3],
            day_of_week=fields[4],
            timezone=tz,
        )
    except ValueError as exc:
        raise ConfigError(
            f"schedule.cron: {schedule.cron!r} is not a valid cron expression ({exc})"
        ) from None


def previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before `now`, found in widening windows so a minutely cron stays cheap."""
    for span in (
        timedelta(hours=2),
        timedelta(days=2),
        timedelta(days=9),
        timedelta(days=32),
        timedelta(days=367),
    ):
        t: datetime | None = trigger.get_next_fire_time(None, now - span)
        last: datetime | None = None
        while t is not None and t <= now:
            last = t
            t = trigger.get_next_fire_time(t, t)
        if last is not None:
            return last
    return None


def slot_key(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def owner_name() -> str:
    return f"scheduler {hostname()}:{os.getpid()}"


# --- one scheduled run -----------------------------------------------------------------------------------


def resolve_job(ref: str) -> JobFunc:
    """'package.module:function'; the default is the pipeline's run of every configured site."""
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"job reference {ref!r} must look like package.module:function")
    func = getattr(importlib.import_module(module_name), attr, None)
    if not callable(func):
        raise ConfigError(f"job reference {ref!r} does not name a function")
    return func  # type: ignore[no-any-return]


def render_reports(config: Config, store: Store, run_id: str) -> list[Path]:
    """The reports the CLI would write for this run, plus the index of every run."""
    from auditor.pipeline import render_stored_run

    out_root = Path(config.reports.out_dir)
    paths = render_stored_run(store, run_id, out_root / run_id, list(config.reports.formats))
    try:
        from reports import write_index

        runs = [h for h in store.history(limit=200) if (out_root / h["run"]["id"]).is_dir()]
        if runs:
            write_index(runs, out_root)
    except Exception:
        log.exception("could not update the report index in %s", out_root)
    return paths


@dataclass
class SlotOutcome:
    slot: str
    status: str  # done | failed | skipped
    run_ids: list[str] = field(default_factory=list)
    emailed: list[str] = field(default_factory=list)
    detail: str = ""


def _html_of(paths: Sequence[Path]) -> Path | None:
    for p in paths:
        if p.suffix == ".html" and p.name != "index.html":
            return p
    return None


def deliver(config: Config, store: Store, run_id: str, paths: Sequence[Path]) -> bool:
    return notify.deliver_run(config, store, run_id, _html_of(paths))


def retry_undelivered(config: Config, store: Store) -> list[str]:
    """Runs of the last week whose email failed get another try; their reports are already on disk."""
    if not config.email.enabled:
        return []
    sent: list[str] = []
    since = datetime.now(UTC) - timedelta(days=RETRY_DELIVERIES_DAYS)
    for run_id in store.undelivered_runs(notify.CHANNEL, since):
        folder = Path(config.reports.out_dir) / run_id
        html = sorted(folder.glob("*.html")) if folder.is_dir() else []
        if deliver(config, store, run_id, html):
            sent.append(run_id)
    return sent


def run_slot(
    config: Config,
    slot: datetime,
    *,
    job_ref: str = DEFAULT_JOB,
    reason: str = "scheduled",
    render: Callable[[Config, Store, str], list[Path]] = render_reports,
) -> SlotOutcome:
    """Run the job for one cron fire time, once across all processes sharing the store; then report, email."""
    key = slot_key(slot)
    store = Store.from_config(config)
    try:
        for run_id in store.recover_interrupted():
            store.add_schedule_event(
                "interrupted", f"run {run_id} was interrupted and is marked partial", None
            )
        if not store.claim_slot(JOB_ID, key, owner_name()):
            log.info("the run due at %s is already taken by another process; nothing to do", key)
            return SlotOutcome(key, "skipped", detail="claimed by another process")
        if reason == "catch-up":
            store.add_schedule_event("caught_up", f"the run due at {key} was missed; running it now", key)
        log.info("starting the %s run due at %s", reason, key)
        try:
            run_ids = list(resolve_job(job_ref)(config, kind="scheduled"))
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            log.exception("the scheduled run due at %s failed", key)
            store.finish_slot(JOB_ID, key, "failed", [], detail)
            store.add_schedule_event("failed", f"the run due at {key} failed: {detail}", key)
            notify.send_failure_notice(config, detail, key)
            return SlotOutcome(key, "failed", detail=detail)
        outcome = SlotOutcome(key, "done", run_ids=run_ids)
        if not run_ids:
            outcome.detail = "no run recorded: every site was busy or none is configured"
            store.add_schedule_event(
                "skipped", f"the run due at {key} recorded nothing: {outcome.detail}", key
            )
        for run_id in run_ids:
            paths: list[Path] = []
            try:
                paths = render(config, store, run_id)
            except Exception:
                log.exception("could not render the reports of run %s", run_id)
            if deliver(config, store, run_id, paths):
                outcome.emailed.append(run_id)
        store.finish_slot(JOB_ID, key, "done", run_ids, outcome.detail)
        retry_undelivered(config, store)
        return outcome
    finally:
        store.close()


def scheduled_job(config_path: str | None = None, job_ref: str = DEFAULT_JOB) -> None:
    """What APScheduler calls at each fire time (by reference, so the persistent job store can hold it)."""
    config = load_config(config_path)
    trigger = cron_trigger(config.schedule)
    now = datetime.now(schedule_timezone(config.schedule))
    slot = previous_fire_time(trigger, now) or now
    run_slot(config, slot, job_ref=job_ref)


def due_slot(config: Config, store: Store, now: datetime) -> datetime | None:
    """The fire time to catch up at start: the last one, when no process ran it, no complete run followed it,
    and it is within the misfire grace. One beyond the grace is logged and reported as missed."""
    trigger = cron_trigger(config.schedule)
    prev = previous_fire_time(trigger, now)
    if prev is None:
        return None
    key = slot_key(prev)
    if any(s["slot"] == key for s in store.schedule_slots(JOB_ID)):
        return None
    last = store.last_run(("scheduled", "run"), "complete")
    if last is not None and datetime.fromisoformat(last["started"]) >= prev:
        return None
    if now - prev > timedelta(days=config.schedule.misfire_grace_days):
        if not any(e["kind"] == "missed" and e["slot"] == key for e in store.schedule_events(limit=200)):
            detail = (
                f"the run due at {key} was missed and is past the {config.schedule.misfire_grace_days}-day "
                "grace; the next one runs on schedule"
            )
            log.warning(detail)
            store.add_schedule_event("missed", detail, key)
        return None
    return prev


# --- the long-running process ----------------------------------------------------------------------------


def build_scheduler(
    config: Config, store: Store, config_path: str | None, job_ref: str
) -> BackgroundScheduler:
    """APScheduler 3 as the schedule needs it: a persistent SQLAlchemy job store in the run store's database,
    cron and time zone from config, a fixed job id replaced on start, coalesce, one instance at a time, and
    a misfire grace measured in days."""
    tz = schedule_timezone(config.schedule)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=store.engine, tablename="apscheduler_jobs")},
        executors={"default": ThreadPoolExecutor(1)},
        timezone=tz,
    )
    scheduler.add_job(
        JOB_FUNC,
        trigger=cron_trigger(config.schedule),
        id=JOB_ID,
        name="weekly content audit",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(timedelta(days=config.schedule.misfire_grace_days).total_seconds()),
        kwargs={"config_path": config_path, "job_ref": job_ref},
    )

    def on_event(event: JobExecutionEvent) -> None:
        when = slot_key(event.scheduled_run_time)
        if event.code == EVENT_JOB_MISSED:
            detail = f"the run due at {when} was missed (the scheduler was busy or stopped past the grace)"
            log.warning(detail)
            store.add_schedule_event("missed", detail, when)
        elif event.code == EVENT_JOB_ERROR:
            detail = f"the run due at {when} failed: {event.exception}"
            log.error(detail)
            store.add_schedule_event("failed", detail, when)

    scheduler.add_listener(on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    return scheduler


def serve(
    config_path: str | None,
    *,
    once: bool = False,
    now: datetime | None = None,
    job_ref: str = DEFAULT_JOB,
    out: Any = None,
) -> int:
    """Run the scheduler until SIGTERM or SIGINT. A second scheduler on the same store says so and exits 0."""
    say = out if out is not None else sys.stderr
    config_file = str(Path(config_path).resolve()) if config_path else None
    config = load_config(config_file)
    cron_trigger(config.schedule)  # a bad cron or time zone is a usage error before anything starts
    if job_ref == DEFAULT_JOB and not config.sites:
        raise ConfigError(f"{config.source}: no sites configured (add a `sites:` list); nothing to schedule")
    if config.email.enabled and not config.email.recipients:
        raise ConfigError(f"{config.source}: email.enabled is true but email.recipients is empty")
    store = Store.from_config(config)
    owner = owner_name()
    try:
        if not store.acquire_lock(SCHEDULER_LOCK, owner, LOCK_TTL_SECONDS):
            holder = store.lock_holder(SCHEDULER_LOCK) or {}
            say.write(
                f"auditor: another scheduler ({holder.get('owner', 'unknown')}, "
                f"since {holder.get('acquired')}) "
                f"already runs against {store.url}; this one exits\n"
            )
            return 0
        try:
            return _serve_locked(
                config, config_file, store, owner, once=once, now=now, job_ref=job_ref, say=say
            )
        finally:
            store.release_lock(SCHEDULER_LOCK, owner)
    finally:
        store.close()


class _Heartbeat(threading.Thread):
    """Keeps the scheduler lock fresh, also while a long catch-up run holds the main thread."""

    def __init__(self, store: Store, owner: str, stop: threading.Event) -> None:
        super().__init__(name="scheduler-heartbeat", daemon=True)
        self.store, self.owner, self.stop, self.lost = store, owner, stop, False

    def run(self) -> None:
        while not self.stop.wait(HEARTBEAT_SECONDS):
            try:
                held = self.store.acquire_lock(SCHEDULER_LOCK, self.owner, LOCK_TTL_SECONDS)
            except Exception:
                log.exception("could not refresh the scheduler lock; will try again")
                continue
            if not held:
                log.error("the scheduler lock was taken over by another process; stopping")
                self.lost = True
                self.stop.set()


def _install_stop_signals(stop: threading.Event) -> dict[int, Any]:
    """SIGTERM and SIGINT stop the scheduler after the run in hand; a second signal stops it at once."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def _stop(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        stop.set()

    return {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}


def _serve_locked(
    config: Config,
    config_file: str | None,
    store: Store,
    owner: str,
    *,
    once: bool,
    now: datetime | None,
    job_ref: str,
    say: Any,
) -> int:
    tz = schedule_timezone(config.schedule)
    moment = (now or datetime.now(tz)).astimezone(tz)
    stop = threading.Event()
    previous = _install_stop_signals(stop)
    heartbeat = _Heartbeat(store, owner, stop)
    heartbeat.start()
    try:
        retry_undelivered(config, store)
        if config.schedule.catch_up:
            slot = due_slot(config, store, moment)
            if slot is not None:
                say.write(f"auditor: the run due at {slot.isoformat()} was missed; catching up now\n")
                say.flush()
                run_slot(config, slot, job_ref=job_ref, reason="catch-up")
        if once or stop.is_set():
            return 1 if heartbeat.lost else 0
        scheduler = build_scheduler(config, store, config_file, job_ref)
        scheduler.start()
        try:
            job = scheduler.get_job(JOB_ID)
            planned = job.next_run_time.isoformat() if job and job.next_run_time else "not planned"
            say.write(
                f"auditor: scheduler started ({config.schedule.cron}, {config.schedule.timezone}); "
                f"next run {planned}\n"
            )
            say.flush()
            stop.wait()
        finally:
            scheduler.shutdown(wait=False)
        say.write("auditor: scheduler stopped\n")
        return 1 if heartbeat.lost else 0
    finally:
        stop.set()
        heartbeat.join(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def status_lines(config: Config, store: Store, now: datetime | None = None) -> list[str]:
    """What `auditor schedule --status` prints: plan, last runs, lock holder, recent trouble."""
    trigger = cron_trigger(config.schedule)
    tz = schedule_timezone(config.schedule)
    moment = (now or datetime.now(tz)).astimezone(tz)
    nxt = trigger.get_next_fire_time(None, moment)
    prev = previous_fire_time(trigger, moment)
    last = store.last_run(("scheduled",), "complete")
    holder = store.lock_holder(SCHEDULER_LOCK)
    lines = [
        f"Schedule: {config.schedule.cron} ({config.schedule.timezone}), misfire grace "
        f"{config.schedule.misfire_grace_days} days",
        f"Previous fire time: {prev.isoformat() if prev else 'none'}; "
        f"next: {nxt.isoformat() if nxt else 'none'}",
        f"Last complete scheduled run: {last['id'] + ' at ' + last['started'] if last else 'none yet'}",
        "Scheduler: "
        + (f"running as {holder['owner']} since {holder['acquired']}" if holder else "not running"),
    ]
    sent = store.deliveries()
    if sent:
        d = sent[-1]
        lines.append(
            f"Last email: {d['status']} at {d['at']} for run {d['run_id']}"
            + (f" ({d['error']})" if d["error"] else "")
        )
    events = store.schedule_events(limit=10)
    if events:
        lines.append("Recent events:")
        lines += [f"  {e['at']}  {e['kind']:<11} {e['detail']}" for e in events]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    from auditor.cli_history import schedule_arguments

    parser = argparse.ArgumentParser(
        prog="python -m auditor.scheduler", description="Run the weekly scheduler."
    )
    schedule_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # per-connection notes: noise in a service log
    return serve(args.config, once=args.once, now=args.now, job_ref=args.job)


if __name__ == "__main__":
    raise SystemExit(main())
