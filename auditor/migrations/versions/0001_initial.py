"""The first schema of the run store: runs, sites, pages, findings, rules, waivers, locks, schedule, delivery.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started", sa.String(32), nullable=False),
        sa.Column("finished", sa.String(32)),
        sa.Column("config_digest", sa.String(64), nullable=False, server_default=""),
        sa.Column("tool_version", sa.String(32), nullable=False, server_default=""),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("pid", sa.Integer),
        sa.Column("hostname", sa.String(255)),
        sa.Column("proc_token", sa.String(64)),
        sa.Column("heartbeat", sa.String(32)),
        sa.Column("note", sa.Text),
        sa.Column("cached", sa.JSON),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_table(
        "run_sites",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON),
        sa.Column("extra", sa.JSON),
    )
    op.create_index("ix_run_sites_name", "run_sites", ["name"])
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("site", sa.String(255), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("final_url", sa.Text),
        sa.Column("content_type", sa.String(255)),
        sa.Column("content_hash", sa.String(128)),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.String(64)),
        sa.Column("word_count", sa.Integer),
        sa.Column("depth", sa.Integer),
        sa.Column("elapsed", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("recorded", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("analysis", sa.LargeBinary),
        sa.UniqueConstraint("run_id", "site", "url", name="uq_pages_run_site_url"),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE")),
        sa.Column("site", sa.String(255), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("check_id", sa.String(32), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_findings_run_site", "findings", ["run_id", "site"])
    op.create_index("ix_findings_fingerprint", "findings", ["fingerprint"])
    op.create_index("ix_findings_page", "findings", ["page_id"])
    op.create_table(
        "rules",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("rule_id", sa.String(32), primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "waivers",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("reviewer", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("expires", sa.String(10)),
        sa.Column("revoked", sa.String(32)),
        sa.Column("revoked_by", sa.String(255)),
        sa.Column("revoke_reason", sa.Text),
    )
    op.create_table(
        "waiver_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("expires", sa.String(10)),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("previous", sa.JSON),
    )
    op.create_index("ix_waiver_events_fingerprint", "waiver_events", ["fingerprint"])
    op.create_table(
        "locks",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer),
        sa.Column("hostname", sa.String(255)),
        sa.Column("proc_token", sa.String(64)),
        sa.Column("acquired", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("at", sa.String(32), nullable=False),
    )
    op.create_index("ix_deliveries_run_id", "deliveries", ["run_id"])
    op.create_table(
        "schedule_slots",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("slot", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("claimed", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("run_ids", sa.JSON),
        sa.Column("detail", sa.Text),
    )
    op.create_table(
        "schedule_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slot", sa.String(32)),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("reported", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25)),
        sa.Column("job_state", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    for table in (
        "apscheduler_jobs",
        "schedule_events",
        "schedule_slots",
        "deliveries",
        "locks",
        "waiver_events",
        "waivers",
        "rules",
        "findings",
        "pages",
        "run_sites",
        "runs",
    ):
        op.drop_table(table)
