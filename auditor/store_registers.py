"""Registers beside the runs: waivers and their audit trail, locks, schedule slots and events, deliveries."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from auditor.errors import StoreError
from auditor.lock import ProcessId, holder_dead
from auditor.store_schema import deliveries, locks, schedule_events, schedule_slots, waiver_events, waivers
from auditor.store_states import waiver_holds


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- waivers ----------------------------------------------------------------------------------------------


def _waiver_dict(row: RowMapping, today: date) -> dict[str, Any]:
    w = {
        "fingerprint": row["fingerprint"],
        "reviewer": row["reviewer"],
        "reason": row["reason"],
        "created": row["created"],
        "expires": row["expires"],
    }
    w["expired"] = not waiver_holds(w, today)
    return w


def add_waiver(conn: Connection, fingerprint: str, reviewer: str, reason: str, expires: date | None) -> str:
    """Insert or replace the waiver of `fingerprint`; returns the action written to the audit trail."""
    if not fingerprint.strip() or not reviewer.strip() or not reason.strip():
        raise StoreError("a waiver needs a fingerprint, a reviewer and a reason")
    at = now_iso()
    exp = expires.isoformat() if expires else None
    row = conn.execute(select(waivers).where(waivers.c.fingerprint == fingerprint)).mappings().first()
    previous: dict[str, Any] | None = None
    if row is None:
        action = "add"
        conn.execute(
            insert(waivers).values(
                fingerprint=fingerprint, reviewer=reviewer, reason=reason, created=at, expires=exp
            )
        )
    else:
        action = "update" if row["revoked"] is None else "add"
        previous = {k: row[k] for k in ("reviewer", "reason", "created", "expires", "revoked", "revoked_by")}
        conn.execute(
            update(waivers)
            .where(waivers.c.fingerprint == fingerprint)
            .values(
                reviewer=reviewer,
                reason=reason,
                created=at,
                expires=exp,
                revoked=None,
                revoked_by=None,
                revoke_reason=None,
            )
        )
    conn.execute(
        insert(waiver_events).values(
            fingerprint=fingerprint,
            action=action,
            actor=reviewer,
            reason=reason,
            expires=exp,
            at=at,
            previous=previous,
        )
    )
    return action


def revoke_waiver(conn: Connection, fingerprint: str, by: str, reason: str) -> None:
    if not by.strip() or not reason.strip():
        raise StoreError("ending a waiver needs the name of who ends it and a reason")
    row = conn.execute(select(waivers).where(waivers.c.fingerprint == fingerprint)).mappings().first()
    if row is None or row["revoked"] is not None:
        raise StoreError(f"no active waiver for fingerprint {fingerprint}; `auditor waivers` lists them")
    at = now_iso()
    conn.execute(
        update(waivers)
        .where(waivers.c.fingerprint == fingerprint)
        .values(revoked=at, revoked_by=by, revoke_reason=reason)
    )
    previous = {k: row[k] for k in ("reviewer", "reason", "created", "expires")}
    conn.execute(
        insert(waiver_events).values(
            fingerprint=fingerprint,
            action="revoke",
            actor=by,
            reason=reason,
            expires=row["expires"],
            at=at,
            previous=previous,
        )
    )


def list_waivers(conn: Connection, include_expired: bool, today: date) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(waivers).where(waivers.c.revoked.is_(None)).order_by(waivers.c.created, waivers.c.fingerprint)
    ).mappings()
    out = [_waiver_dict(r, today) for r in rows]
    return out if include_expired else [w for w in out if not w["expired"]]


def active_and_expired(conn: Connection) -> list[dict[str, Any]]:
    """Every waiver not revoked, whatever its expiry: the report decides per run day whether it holds."""
    rows = conn.execute(select(waivers).where(waivers.c.revoked.is_(None))).mappings()
    return [dict(r) for r in rows]


def list_waiver_events(conn: Connection, fingerprint: str | None = None) -> list[dict[str, Any]]:
    q = select(waiver_events).order_by(waiver_events.c.id)
    if fingerprint is not None:
        q = q.where(waiver_events.c.fingerprint == fingerprint)
    return [dict(r) for r in conn.execute(q).mappings()]


# --- locks ------------------------------------------------------------------------------------------------


def acquire_lock(conn: Connection, name: str, owner: str, ttl_seconds: float, me: ProcessId) -> bool | None:
    """True when taken (or refreshed by its owner), False when held by another, None on an insert race."""
    now = time.time()
    values = {
        "owner": owner,
        "pid": me.pid,
        "hostname": me.hostname,
        "proc_token": me.token,
        "acquired": now_iso(),
        "expires_at": now + ttl_seconds,
    }
    q = select(locks).where(locks.c.name == name)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(locks).values(name=name, **values))
        except IntegrityError:
            return None
        return True
    same_owner = row["owner"] == owner
    stale = row["expires_at"] < now or holder_dead(row["pid"], row["hostname"], row["proc_token"])
    if not (same_owner or stale):
        return False
    if same_owner and not stale:
        values["acquired"] = row["acquired"]
    conn.execute(update(locks).where(locks.c.name == name).values(**values))
    return True


def release_lock(conn: Connection, name: str, owner: str) -> None:
    conn.execute(delete(locks).where(and_(locks.c.name == name, locks.c.owner == owner)))


def lock_holder(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(locks).where(locks.c.name == name)).mappings().first()
    return dict(row) if row is not None else None


# --- schedule ---------------------------------------------------------------------------------------------


def claim_slot(conn: Connection, job_id: str, slot: str, owner: str) -> bool:
    """The first process to claim a cron fire time runs it; every other one sees the row and stands down."""
    if (
        conn.execute(
            select(schedule_slots.c.slot).where(
                and_(schedule_slots.c.job_id == job_id, schedule_slots.c.slot == slot)
            )
        ).first()
        is not None
    ):
        return False
    try:
        with conn.begin_nested():
            conn.execute(
                insert(schedule_slots).values(
                    job_id=job_id, slot=slot, owner=owner, claimed=now_iso(), status="running"
                )
            )
    except IntegrityError:
        return False
    return True


def finish_slot(
    conn: Connection, job_id: str, slot: str, status: str, run_ids: Sequence[str], detail: str = ""
) -> None:
    conn.execute(
        update(schedule_slots)
        .where(and_(schedule_slots.c.job_id == job_id, schedule_slots.c.slot == slot))
        .values(status=status, run_ids=list(run_ids), detail=detail)
    )


def slots(conn: Connection, job_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(schedule_slots).where(schedule_slots.c.job_id == job_id).order_by(schedule_slots.c.slot)
    ).mappings()
    return [dict(r) for r in rows]


def add_event(conn: Connection, kind: str, detail: str, slot: str | None) -> None:
    conn.execute(
        insert(schedule_events).values(at=now_iso(), kind=kind, slot=slot, detail=detail, reported=0)
    )


def list_events(conn: Connection, limit: int, unreported: bool) -> list[dict[str, Any]]:
    q = select(schedule_events).order_by(schedule_events.c.id.desc()).limit(limit)
    if unreported:
        q = q.where(schedule_events.c.reported == 0)
    return [dict(r) for r in reversed(list(conn.execute(q).mappings()))]


def mark_events_reported(conn: Connection, ids: Sequence[int]) -> None:
    if ids:
        conn.execute(update(schedule_events).where(schedule_events.c.id.in_(list(ids))).values(reported=1))


# --- deliveries -------------------------------------------------------------------------------------------


def record_delivery(
    conn: Connection,
    run_id: str,
    channel: str,
    recipients: Sequence[str],
    status: str,
    attempts: int,
    error: str | None,
) -> None:
    conn.execute(
        insert(deliveries).values(
            run_id=run_id,
            channel=channel,
            recipients=list(recipients),
            status=status,
            attempts=attempts,
            error=error,
            at=now_iso(),
        )
    )


def list_deliveries(conn: Connection, run_id: str | None) -> list[dict[str, Any]]:
    q = select(deliveries).order_by(deliveries.c.id)
    if run_id is not None:
        q = q.where(deliveries.c.run_id == run_id)
    return [dict(r) for r in conn.execute(q).mappings()]
