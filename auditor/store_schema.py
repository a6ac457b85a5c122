"""The run store's tables as SQLAlchemy Core metadata; the Alembic migrations create exactly these."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)

metadata = MetaData()

# Timestamps are ISO 8601 strings in UTC ("2026-11-25T20:15:00+00:00"): they sort as text, read the same on
# SQLite and PostgreSQL, and are exactly what the report document shows.

runs = Table(
    "runs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # order of starting, even within one second
    Column("id", String(40), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("started", String(32), nullable=False),
    Column("finished", String(32)),
    Column("config_digest", String(64), nullable=False, server_default=""),
    Column("tool_version", String(32), nullable=False, server_default=""),
    Column("targets", JSON, nullable=False),
    Column("pid", Integer),
    Column("hostname", String(255)),
    Column("proc_token", String(64)),
    Column("heartbeat", String(32)),  # last time the run recorded something; judges runs of other hosts
    Column("note", Text),
    Column("cached", JSON),  # {"summary", "sites"} computed when the run finished, for history and trends
)

run_sites = Table(
    "run_sites",
    metadata,
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("data", JSON),  # the site entry of the report's "sites" list, once the site stage ran
    Column("extra", JSON),  # top-level document data the site stage produced, e.g. {"questions": [...]}
    Index("ix_run_sites_name", "name"),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("site", String(255), nullable=False),
    Column("url", Text, nullable=False),
    Column("status", Integer),
    Column("final_url", Text),
    Column("content_type", String(255)),
    Column("content_hash", String(128)),
    Column("etag", Text),
    Column("last_modified", String(64)),
    Column("word_count", Integer),
    Column("depth", Integer),
    Column("elapsed", Float),
    Column("error", Text),
    Column("recorded", String(32), nullable=False),
    Column("data", JSON, nullable=False),  # the page entry of the report, findings aside
    Column("analysis", LargeBinary),  # the pipeline's cached analysis, reused when the page is unchanged
    UniqueConstraint("run_id", "site", "url", name="uq_pages_run_site_url"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("page_id", Integer, ForeignKey("pages.id", ondelete="CASCADE")),  # null for site findings
    Column("site", String(255), nullable=False),
    Column("url", Text, nullable=False),
    Column("check_id", String(32), nullable=False),
    Column("category", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_findings_run_site", "run_id", "site"),
    Index("ix_findings_fingerprint", "fingerprint"),
    Index("ix_findings_page", "page_id"),
)

rules = Table(
    "rules",
    metadata,
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", String(32), primary_key=True),
    Column("data", JSON, nullable=False),
)

waivers = Table(
    "waivers",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("reviewer", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created", String(32), nullable=False),
    Column("expires", String(10)),  # ISO date; the waiver holds through that day
    Column("revoked", String(32)),
    Column("revoked_by", String(255)),
    Column("revoke_reason", Text),
)

waiver_events = Table(
    "waiver_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False, index=True),
    Column("action", String(16), nullable=False),  # add | update | revoke
    Column("actor", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("expires", String(10)),
    Column("at", String(32), nullable=False),
    Column("previous", JSON),  # what the register held before an update or a revoke
)

locks = Table(
    "locks",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("owner", String(255), nullable=False),
    Column("pid", Integer),
    Column("hostname", String(255)),
    Column("proc_token", String(64)),
    Column("acquired", String(32), nullable=False),
    Column("expires_at", Float, nullable=False),  # epoch seconds
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # sent | failed
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("at", String(32), nullable=False),
)

schedule_slots = Table(
    "schedule_slots",
    metadata,
    Column("job_id", String(64), primary_key=True),
    Column("slot", String(32), primary_key=True),  # the cron fire time this run answers, ISO UTC
    Column("owner", String(255), nullable=False),
    Column("claimed", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("run_ids", JSON),
    Column("detail", Text),
)

schedule_events = Table(
    "schedule_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("kind", String(16), nullable=False),  # started | ran | caught_up | missed | failed | skipped | ...
    Column("slot", String(32)),
    Column("detail", Text, nullable=False, server_default=""),
    Column("reported", Integer, nullable=False, server_default="0"),  # 1 once an email has mentioned it
)

# APScheduler 3's SQLAlchemyJobStore table, created here so that two schedulers starting at once never race
# to create it; the definition matches the job store's own.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
