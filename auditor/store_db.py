"""Opening the run store's database: URL rules, SQLite pragmas and transactions, Alembic upgrade."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from auditor.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
READ_OPTION = (
    "auditor_read"  # execution option: a SQLite transaction that only reads need not take the write lock
)
_PG_MIGRATION_LOCK = 0x41554454  # pg_advisory_xact_lock key held while migrating ("AUDT")


def normalise_url(raw: str) -> URL:
    """SQLite and PostgreSQL only; a bare postgresql:// URL means the psycopg (v3) driver we ship."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise StoreError(
            f"storage.url {raw!r} is not a database URL (try sqlite:///path/to/auditor.db)"
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError(
            f"storage.url: {backend} databases are not supported; use sqlite:/// or postgresql://"
        )
    return url


def display_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _sqlite_file(url: URL) -> Path | None:
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def _use_wal(cur: Any) -> None:
    """Switch the file to WAL unless it is already. The switch needs the file to itself, and SQLite reports a
    second process switching a new file at the same moment as locked without waiting on the busy timeout: so
    it is tried again, within that timeout, until one of them has switched it."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = cur.execute("PRAGMA journal_mode").fetchone()
            if mode is not None and str(mode[0]).lower() not in ("wal", "memory"):
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _install_sqlite_events(engine: Engine) -> None:
    """WAL and a busy timeout on each connection; BEGIN IMMEDIATE so two writers queue, not fail.

    pysqlite's own transaction handling is switched off (isolation_level None) and SQLAlchemy's begin emits
    the BEGIN, the documented way to get correct SQLite transactions from SQLAlchemy.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            _use_wal(cur)
            cur.execute("PRAGMA synchronous = NORMAL")  # with WAL: a process crash loses no committed page
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = bool(conn.get_execution_options().get(READ_OPTION))
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(raw_url: str) -> tuple[Engine, URL]:
    url = normalise_url(raw_url)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        kwargs: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        }
        if path is None:
            kwargs["poolclass"] = StaticPool  # one shared in-memory database, not one per connection
        else:
            try:
                path.expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder for the run store {path}: {exc.strerror}"
                ) from None
        engine = create_engine(url, **kwargs)
        _install_sqlite_events(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine, url


def _alembic_config(conn: Connection | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        conn.execution_options(**{READ_OPTION: True})
        with conn.begin():
            return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, url: URL) -> None:
    """Upgrade to head unless already there; the write lock (SQLite) or an advisory lock (PostgreSQL) makes
    two processes opening a new store at once migrate it once."""
    try:
        head = head_revision()
        if current_revision(engine) == head:
            return
        with engine.begin() as conn:
            if url.get_backend_name() == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            command.upgrade(_alembic_config(conn), "head")
        log.info("run store at %s upgraded to schema %s", display_url(url), head)
    except CommandError as exc:
        raise StoreError(
            f"the run store at {display_url(url)} has a schema this version does not know ({exc}); "
            "it was written by a newer release"
        ) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"cannot open the run store at {display_url(url)}: {reason}") from None
