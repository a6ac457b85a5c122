"""The history commands (history, diff, report, waive, waivers, schedule): parse, call the store, print."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from auditor.config import Config, load_config
from auditor.errors import AuditorError

if TYPE_CHECKING:
    from auditor.store import Store


class HistoryUsageError(AuditorError):
    """Arguments of a history command that parse but cannot be acted on."""


FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")


@contextmanager
def _open(args: argparse.Namespace) -> Iterator[tuple[Config, Store]]:
    from auditor.store import Store

    config = load_config(getattr(args, "config", None))
    store = Store.from_config(config)
    try:
        yield config, store
    finally:
        store.close()


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    _out("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        _out("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _score(value: Any) -> str:
    return f"{float(value):.0f}" if isinstance(value, (int, float)) else "-"


# --- history ---------------------------------------------------------------------------------------------


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as (_config, store):
        store.recover_interrupted()
        entries = store.history(site=args.site, limit=args.limit)
    if args.json:
        _json(entries)
        return 0
    if not entries:
        _out("No runs stored yet." + (f" (site {args.site!r})" if args.site else ""))
        return 0
    rows = []
    for e in entries:
        run, s = e["run"], e.get("summary") or {}
        ch = s.get("changes") or {}
        rows.append(
            [
                run["id"],
                run["kind"],
                run["status"],
                run["started"][:16].replace("T", " "),
                s.get("pages", "-"),
                s.get("findings", "-"),
                _score(s.get("health_score")),
                ch.get("new", "-"),
                ch.get("resolved", "-"),
                ", ".join(str(x.get("name")) for x in e.get("sites", [])),
            ]
        )
    _table(
        ["RUN", "KIND", "STATUS", "STARTED (UTC)", "PAGES", "FINDINGS", "HEALTH", "NEW", "RESOLVED", "SITES"],
        rows,
    )
    return 0


# --- diff ------------------------------------------------------------------------------------------------


def _finding_line(f: Mapping[str, Any]) -> str:
    ev = f.get("evidence") or {}
    excerpt = " ".join(str(ev.get("excerpt") or "").split()) if isinstance(ev, Mapping) else ""
    what = f'"{excerpt[:80]}"' if excerpt else str(f.get("message") or "")[:80]
    rule, sev = str(f.get("check_id", "")), str(f.get("severity", ""))
    return f"  {f.get('fingerprint')}  {rule:<7} {sev:<7} {f.get('url')}  {what}"


def cmd_diff(args: argparse.Namespace) -> int:
    with _open(args) as (_config, store):
        run_a, run_b = store.resolve_run_id(args.run_a), store.resolve_run_id(args.run_b)
        changes = store.diff(run_a, run_b)
    if args.json:
        _json({"run_a": run_a, "run_b": run_b, **changes})
        return 0
    _out(
        f"Changes from {run_a} to {run_b}: {len(changes['new'])} new, {len(changes['resolved'])} resolved, "
        f"{len(changes['persisting'])} persisting"
    )
    for section in ("new", "resolved") + (("persisting",) if args.all else ()):
        items = changes[section]
        if not items:
            continue
        _out("")
        _out(f"{section.capitalize()} ({len(items)}):")
        for f in items[: args.limit]:
            _out(_finding_line(f))
        if len(items) > args.limit:
            _out(f"  ... and {len(items) - args.limit} more (--limit N, or --json for all)")
    return 0


# --- report ----------------------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from auditor.cli import render_reports

    with _open(args) as (config, store):
        run_id = store.resolve_run_id(args.run)
        return render_reports(store, run_id, args, config, Path(config.reports.out_dir))


# --- waivers ---------------------------------------------------------------------------------------------


def _fingerprint(value: str) -> str:
    fp = value.strip().lower()
    if not FINGERPRINT.match(fp):
        raise HistoryUsageError(
            f"{value!r} is not a finding fingerprint (16 hexadecimal characters, as shown in the reports)"
        )
    return fp


def _until(value: str) -> date | None:
    if value.strip().lower() in ("never", "none"):
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise HistoryUsageError(f"--until {value!r}: give a date as YYYY-MM-DD (or 'never')") from None
    if day < datetime.now(UTC).date():
        raise HistoryUsageError(
            f"--until {value}: that date has passed; a waiver must hold until a future date"
        )
    return day


def cmd_waive(args: argparse.Namespace) -> int:
    fp = _fingerprint(args.fingerprint)
    expires = _until(args.until)
    if not args.reason.strip() or not args.by.strip():
        raise HistoryUsageError(
            "--reason and --by must not be empty: the register records who signed off and why"
        )
    with _open(args) as (_config, store):
        if not args.force and not store.knows_fingerprint(fp):
            raise HistoryUsageError(
                f"no stored finding has fingerprint {fp}; check it, or pass --force to waive it ahead of time"
            )
        existed = any(w["fingerprint"] == fp for w in store.waivers(include_expired=True))
        store.add_waiver(fp, args.by.strip(), args.reason.strip(), expires)
    until = expires.isoformat() if expires else "no expiry"
    _out(f"{'Updated' if existed else 'Added'} waiver for {fp} by {args.by.strip()} ({until}).")
    return 0


def _config_waivers(config: Config) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    out = []
    for w in config.waivers:
        expires = date.fromisoformat(w.expires[:10]) if w.expires else None
        out.append({**w.model_dump(), "expired": expires is not None and expires < today, "source": "config"})
    return out


def cmd_waivers(args: argparse.Namespace) -> int:
    if args.action == "expire":
        return _waivers_expire(args)
    if args.action == "log":
        return _waivers_log(args)
    with _open(args) as (config, store):
        stored = [{**w, "source": "store"} for w in store.waivers(include_expired=args.all)]
    seen = {w["fingerprint"] for w in stored}
    from_config = [
        w for w in _config_waivers(config) if w["fingerprint"] not in seen and (args.all or not w["expired"])
    ]
    every = stored + from_config
    if args.json:
        _json(every)
        return 0
    if not every:
        _out("No waivers." + ("" if args.all else " (--all includes expired ones)"))
        return 0
    rows = [
        [
            w["fingerprint"],
            "expired" if w["expired"] else "active",
            w.get("expires") or "never",
            w["reviewer"],
            w["source"],
            " ".join(str(w["reason"]).split())[:60],
        ]
        for w in every
    ]
    _table(["FINGERPRINT", "STATE", "EXPIRES", "REVIEWER", "SOURCE", "REASON"], rows)
    return 0


def _waivers_expire(args: argparse.Namespace) -> int:
    if not args.fingerprint:
        raise HistoryUsageError("auditor waivers expire FINGERPRINT --by NAME --reason TEXT")
    if not args.by or not args.reason:
        raise HistoryUsageError("ending a waiver needs --by NAME and --reason TEXT for the audit trail")
    fp = _fingerprint(args.fingerprint)
    with _open(args) as (config, store):
        if any(w.fingerprint == fp for w in config.waivers) and not any(
            w["fingerprint"] == fp for w in store.waivers(include_expired=True)
        ):
            raise HistoryUsageError(f"the waiver for {fp} is written in {config.source}; remove it there")
        store.revoke_waiver(fp, args.by.strip(), args.reason.strip())
    _out(f"Ended the waiver for {fp}; the finding counts again from the next report.")
    return 0


def _waivers_log(args: argparse.Namespace) -> int:
    fp = _fingerprint(args.fingerprint) if args.fingerprint else None
    with _open(args) as (_config, store):
        events = store.waiver_events(fp)
    if args.json:
        _json(events)
        return 0
    if not events:
        _out("No waiver changes recorded.")
        return 0
    rows = [
        [
            e["at"][:19].replace("T", " "),
            e["action"],
            e["fingerprint"],
            e["actor"],
            e.get("expires") or "never",
            " ".join(str(e["reason"]).split())[:60],
        ]
        for e in events
    ]
    _table(["WHEN (UTC)", "ACTION", "FINGERPRINT", "BY", "EXPIRES", "REASON"], rows)
    return 0


# --- schedule --------------------------------------------------------------------------------------------


def cmd_schedule(args: argparse.Namespace) -> int:
    from auditor import scheduler

    if args.status:
        with _open(args) as (config, store):
            for line in scheduler.status_lines(config, store):
                _out(line)
        return 0
    logging.getLogger("auditor").setLevel(logging.INFO)
    return scheduler.serve(args.config, once=args.once, now=args.now, job_ref=args.job)


# --- registration ----------------------------------------------------------------------------------------


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _iso_moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def schedule_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared by `auditor schedule` and `python -m auditor.scheduler`."""
    _config_option(parser)
    parser.add_argument(
        "--once",
        action="store_true",
        help="catch up a missed run if one is due, then exit (for cron or systemd timers)",
    )
    # Test hooks: the moment the catch-up check believes it is, and the job to call instead of the pipeline.
    parser.add_argument("--now", type=_iso_moment, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--job", default="auditor.pipeline:run_configured_sites", help=argparse.SUPPRESS)


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config", metavar="PATH", help="config file (default ./config.yaml, else built-in defaults)"
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the history commands to the main parser; each sets `handler`, which returns the exit code."""
    history = subparsers.add_parser("history", help="list stored runs, oldest first")
    _config_option(history)
    history.add_argument("--site", help="only runs of this site")
    history.add_argument(
        "--limit", type=_positive, default=50, metavar="N", help="the last N runs (default 50)"
    )
    history.add_argument("--json", action="store_true", help="print the history as JSON")
    history.set_defaults(handler=cmd_history)

    diff = subparsers.add_parser("diff", help="what changed between two stored runs")
    diff.add_argument("run_a", metavar="RUN_A", help="the earlier run (id, unique prefix, or 'latest')")
    diff.add_argument("run_b", metavar="RUN_B", help="the later run")
    _config_option(diff)
    diff.add_argument("--all", action="store_true", help="list persisting findings too")
    diff.add_argument("--limit", type=_positive, default=50, metavar="N", help="findings shown per section")
    diff.add_argument("--json", action="store_true", help="print every change as JSON")
    diff.set_defaults(handler=cmd_diff)

    from auditor.cli import add_output_options

    report = subparsers.add_parser("report", help="re-render the reports of a stored run")
    report.add_argument("run", metavar="RUN", help="run id, unique prefix, or 'latest'")
    add_output_options(report)
    report.set_defaults(handler=cmd_report, fail_on="never")

    waive = subparsers.add_parser("waive", help="sign off a finding by its fingerprint")
    waive.add_argument("fingerprint", metavar="FINGERPRINT")
    waive.add_argument("--reason", required=True, help="why the finding is acceptable")
    waive.add_argument(
        "--until", required=True, metavar="DATE", help="last day the waiver holds (YYYY-MM-DD or never)"
    )
    waive.add_argument("--by", required=True, metavar="NAME", help="who signs it off")
    waive.add_argument("--force", action="store_true", help="waive a fingerprint no stored run has shown yet")
    _config_option(waive)
    waive.set_defaults(handler=cmd_waive)

    waivers = subparsers.add_parser(
        "waivers",
        help="list waivers, end one, or show the audit trail",
        description="auditor waivers [list] | auditor waivers expire FINGERPRINT --by NAME --reason TEXT | "
        "auditor waivers log [FINGERPRINT]",
    )
    waivers.add_argument("action", nargs="?", choices=("list", "expire", "log"), default="list")
    waivers.add_argument("fingerprint", nargs="?", metavar="FINGERPRINT")
    waivers.add_argument("--all", action="store_true", help="include expired waivers")
    waivers.add_argument("--by", metavar="NAME", help="who ends the waiver (expire)")
    waivers.add_argument("--reason", help="why it ends (expire)")
    waivers.add_argument("--json", action="store_true")
    _config_option(waivers)
    waivers.set_defaults(handler=cmd_waivers)

    schedule = subparsers.add_parser("schedule", help="run the weekly scheduler (one process per store)")
    schedule_arguments(schedule)
    schedule.add_argument(
        "--status", action="store_true", help="show the schedule, last runs and recent events"
    )
    schedule.set_defaults(handler=cmd_schedule)
