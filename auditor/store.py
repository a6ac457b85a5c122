"""The run store: records runs page by page as they finish and rebuilds the report document from them."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from auditor import __version__
from auditor import store_registers as reg
from auditor.errors import StoreError
from auditor.lock import ProcessId, holder_dead
from auditor.models import fingerprint as make_fingerprint
from auditor.store_db import READ_OPTION, display_url, make_engine, migrate
from auditor.store_schema import findings, pages, rules, run_sites, runs
from auditor.store_states import (
    assign_states,
    diff_findings,
    kind_family,
    resolved_findings,
    waiver_index,
)
from auditor.summary import all_findings, site_scores, summarise

if TYPE_CHECKING:
    from auditor.config import Config

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
RUN_STATUSES = ("running", "complete", "partial", "failed")
FINAL_STATUSES = ("complete", "partial", "failed")
RESERVED_KEYS = frozenset(
    {"schema_version", "run", "sites", "pages", "site_findings", "rules", "summary", "resolved"}
)
# Keys of a page entry that are not part of the report document.
_PAGE_PRIVATE = ("findings", "fetch_headers", "analysis_blob")
# Most bound values in one statement: PostgreSQL allows 65,535 and SQLite 32,766; an IN list stays well below.
_IN_CHUNK = 500

# The statements of the page-recording path, built once with bound parameters. Building an expression and
# computing its cache key cost more than the database work per page; a statement object built once keeps its
# cache key, so each execution goes straight to the compiled form in the engine's cache.
_RUN_AND_SITE = (
    select(runs.c.id, run_sites.c.name)
    .select_from(
        runs.outerjoin(
            run_sites, and_(run_sites.c.run_id == runs.c.id, run_sites.c.name == bindparam("site_name"))
        )
    )
    .where(runs.c.id == bindparam("run"))
)
_SITE_COUNT = select(func.count()).select_from(run_sites).where(run_sites.c.run_id == bindparam("run"))
_ADD_SITE = insert(run_sites)
_OLDER_PAGES = select(pages.c.id).where(
    and_(
        pages.c.run_id == bindparam("run"),
        pages.c.site == bindparam("site_name"),
        pages.c.url.in_(bindparam("urls", expanding=True)),
    )
)
_DROP_FINDINGS_OF = delete(findings).where(findings.c.page_id.in_(bindparam("ids", expanding=True)))
_DROP_PAGES = delete(pages).where(pages.c.id.in_(bindparam("ids", expanding=True)))
# Executed with all the batch's rows, the ids come back in the rows' order: on PostgreSQL as one
# INSERT ... SELECT ... ORDER BY ... RETURNING; on SQLite, whose RETURNING order is undefined, SQLAlchemy inserts
# row by row inside the one call, which in-process costs about 10 us a page.
_ADD_PAGES = insert(pages).returning(pages.c.id, sort_by_parameter_order=True)
# Executed with all the batch's rows: sqlite3's executemany, psycopg's pipelined executemany of one prepared
# statement (a multi-row VALUES form, forced by adding RETURNING, measured twice as slow on PostgreSQL).
_ADD_FINDINGS = insert(findings)
_HEARTBEAT = update(runs).where(runs.c.id == bindparam("run")).values(heartbeat=bindparam("beat"))


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def new_run_id(moment: datetime | None = None) -> str:
    return f"{(moment or _now()).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(2)}"


def _header(headers: Any, name: str) -> str | None:
    """fetch_headers may be a mapping or (name, value) pairs; names compare without case."""
    items = headers.items() if isinstance(headers, Mapping) else headers or ()
    for key, value in items:
        if str(key).lower().replace("-", "_") == name and value is not None:
            return str(value)
    return None


def _finding_row(run_id: str, site: str, page_id: int | None, finding: Mapping[str, Any]) -> dict[str, Any]:
    """A `findings` row; `data` is the finding without its per-run state and waiver, which the document assigns
    when it is loaded. Copy-then-pop keeps the key order of a filtering comprehension at a fifth of its cost."""
    data = dict(finding)
    data.pop("state", None)
    data.pop("waiver", None)
    fp = data.get("fingerprint")
    if not fp:
        ev = data.get("evidence") or {}
        basis = data.get("key") or (ev.get("excerpt") if isinstance(ev, Mapping) else "") or ""
        fp = make_fingerprint(str(data.get("check_id", "")), str(data.get("url", "")), str(basis))
        data["fingerprint"] = fp
    return {
        "run_id": run_id,
        "page_id": page_id,
        "site": site,
        "url": str(data.get("url") or ""),
        "check_id": str(data.get("check_id", "")),
        "category": str(data.get("category", "")),
        "severity": str(data.get("severity", "")),
        "fingerprint": str(fp),
        "data": data,
    }


def _page_row(run_id: str, site: str, page: Mapping[str, Any], recorded: str) -> dict[str, Any]:
    """The `pages` row of a page entry: the report's entry (private keys aside) as `data`, fetch facts apart."""
    entry = {k: v for k, v in page.items() if k not in _PAGE_PRIVATE}
    entry["site"] = site
    url = str(entry.get("url") or "")
    if not url:
        raise StoreError("a page entry needs a url")
    headers = page.get("fetch_headers") or {}
    blob = page.get("analysis_blob")
    return {
        "run_id": run_id,
        "site": site,
        "url": url,
        "status": entry.get("status"),
        "final_url": entry.get("final_url"),
        "content_type": entry.get("content_type"),
        "content_hash": entry.get("content_hash"),
        "etag": _header(headers, "etag"),
        "last_modified": _header(headers, "last_modified"),
        "word_count": entry.get("word_count"),
        "depth": entry.get("depth"),
        "elapsed": entry.get("elapsed"),
        "error": entry.get("error"),
        "recorded": recorded,
        "data": entry,
        "analysis": bytes(blob) if blob else None,
    }


def _batch_rows(
    run_id: str, site: str, entries: Sequence[Mapping[str, Any]], recorded: str
) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """url -> (pages row, findings rows without their page id) in recording order; a URL given twice keeps its
    later entry, placed where that entry came, as two record_page calls would leave it."""
    batch: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for page in entries:
        row = _page_row(run_id, site, page, recorded)
        batch.pop(row["url"], None)
        batch[row["url"]] = (row, [_finding_row(run_id, site, None, f) for f in page.get("findings") or ()])
    return batch


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _no_run(run_id: str) -> StoreError:
    return StoreError(f"no stored run with id {run_id!r}; `auditor history` lists the runs")


def _run_dict(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "started": row["started"],
        "finished": row["finished"],
        "status": row["status"],
        "config_digest": row["config_digest"],
        "tool_version": row["tool_version"],
        "targets": list(row["targets"] or []),
        "note": row["note"],
    }


def _merge_extra(doc: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Per-site top-level data joins the document: lists concatenated, mappings merged, scalars replaced."""
    for key, value in extra.items():
        if key in RESERVED_KEYS:
            continue
        if isinstance(value, list) and isinstance(doc.get(key), list):
            doc[key].extend(value)
        elif isinstance(value, Mapping) and isinstance(doc.get(key), dict):
            doc[key].update(value)
        else:
            doc[key] = list(value) if isinstance(value, list) else value


class Store:
    """Runs, pages, findings, waivers, locks and schedule bookkeeping, in SQLite (default) or PostgreSQL."""

    def __init__(
        self,
        url: str,
        *,
        config_waivers: Sequence[Mapping[str, Any]] = (),
        stale_run_hours: float = 6.0,
    ) -> None:
        self._engine, self._url = make_engine(url)
        self.url = display_url(self._url)
        self._config_waivers = [dict(w) for w in config_waivers]
        self._stale_after = timedelta(hours=stale_run_hours)
        self._me = ProcessId.current()
        try:
            migrate(self._engine, self._url)
        except BaseException:
            self._engine.dispose()
            raise

    @classmethod
    def from_config(cls, config: Config) -> Store:
        return cls(
            config.storage.url,
            config_waivers=[w.model_dump() for w in config.waivers],
            stale_run_hours=config.storage.stale_run_hours,
        )

    @property
    def engine(self) -> Engine:
        """Shared with APScheduler's job store, so the schedule lives in the same database as the runs."""
        return self._engine

    @property
    def backend(self) -> str:
        return str(self._url.get_backend_name())

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot write the run store at {self.url}: {_reason(exc)}") from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                conn.execution_options(**{READ_OPTION: True})
                with conn.begin():
                    yield conn
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the run store at {self.url}: {_reason(exc)}") from exc

    # -- recording a run -----------------------------------------------------------------------------------

    def start_run(self, kind: str, targets: Sequence[str], config_digest: str, sites: Sequence[str]) -> str:
        """A new 'running' run, committed; runs an earlier process left behind are marked partial first."""
        self.recover_interrupted()
        for _ in range(5):
            moment = _now()
            run_id = new_run_id(moment)
            try:
                with self._write() as conn:
                    conn.execute(
                        insert(runs).values(
                            id=run_id,
                            kind=kind,
                            status="running",
                            started=_iso(moment),
                            finished=None,
                            config_digest=config_digest,
                            tool_version=__version__,
                            targets=list(targets),
                            pid=self._me.pid,
                            hostname=self._me.hostname,
                            proc_token=self._me.token,
                            heartbeat=_iso(moment),
                        )
                    )
                    for pos, name in enumerate(dict.fromkeys(sites)):
                        conn.execute(insert(run_sites).values(run_id=run_id, name=name, position=pos))
                return run_id
            except StoreError as exc:
                if isinstance(exc.__cause__, IntegrityError):
                    continue  # two runs in one second drew the same suffix
                raise
        raise StoreError("could not allocate a unique run id")

    def _require_run(self, conn: Connection, run_id: str) -> RowMapping:
        row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
        if row is None:
            raise _no_run(run_id)
        return row

    def _ensure_site(self, conn: Connection, run_id: str, name: str) -> None:
        exists = conn.execute(
            select(run_sites.c.name).where(and_(run_sites.c.run_id == run_id, run_sites.c.name == name))
        ).first()
        if exists is None:
            self._add_site(conn, run_id, name)

    @staticmethod
    def _add_site(conn: Connection, run_id: str, name: str) -> None:
        pos = conn.execute(_SITE_COUNT, {"run": run_id}).scalar_one()
        conn.execute(_ADD_SITE, {"run_id": run_id, "name": name, "position": int(pos)})

    def record_page(self, run_id: str, site: str, page: Mapping[str, Any]) -> None:
        """A page and its findings in one transaction, committed now: a crash loses only the page at hand."""
        self.record_pages(run_id, site, (page,))

    def record_pages(self, run_id: str, site: str, entries: Sequence[Mapping[str, Any]]) -> None:
        """Pages of one site and their findings in one transaction, committed now: a crash loses only the batch.

        The same rows as one record_page call per entry, in order, for a handful of statements per batch
        instead of six per page: the per-statement overhead, not the data, was the cost of recording. An entry
        replaces an older copy of its URL in the run (a resumed run), and a URL repeated in the batch keeps its
        last entry, in that entry's place. An empty batch touches nothing.
        """
        recorded = _iso(_now())
        batch = _batch_rows(run_id, site, entries, recorded)  # refused before the write lock is taken
        if not batch:
            return
        with self._write() as conn:
            found = conn.execute(_RUN_AND_SITE, {"run": run_id, "site_name": site}).first()
            if found is None:
                raise _no_run(run_id)
            if found[1] is None:
                self._add_site(conn, run_id, site)
            self._drop_older_copies(conn, run_id, site, list(batch))
            page_rows = [row for row, _ in batch.values()]
            ids = [int(pid) for pid in conn.execute(_ADD_PAGES, page_rows).scalars()]
            if len(ids) != len(page_rows):
                raise StoreError("the database did not return the new pages' ids")
            finding_rows = []
            for page_id, (_, rows) in zip(ids, batch.values(), strict=True):
                for row in rows:
                    row["page_id"] = page_id
                finding_rows.extend(rows)
            if finding_rows:
                conn.execute(_ADD_FINDINGS, finding_rows)
            conn.execute(_HEARTBEAT, {"run": run_id, "beat": recorded})

    @staticmethod
    def _drop_older_copies(conn: Connection, run_id: str, site: str, urls: Sequence[str]) -> None:
        """Pages of these URLs the run already holds, and their findings: the newer result replaces them."""
        old: list[int] = []
        for chunk in _chunks(urls):
            params = {"run": run_id, "site_name": site, "urls": list(chunk)}
            old.extend(conn.execute(_OLDER_PAGES, params).scalars())
        for chunk in _chunks(old):
            conn.execute(_DROP_FINDINGS_OF, {"ids": list(chunk)})
            conn.execute(_DROP_PAGES, {"ids": list(chunk)})

    def record_site(
        self,
        run_id: str,
        site: Mapping[str, Any],
        site_findings: Sequence[Mapping[str, Any]],
        extra: Mapping[str, Any],
    ) -> None:
        name = str(site.get("name") or "")
        if not name:
            raise StoreError("a site entry needs a name")
        with self._write() as conn:
            self._require_run(conn, run_id)
            self._ensure_site(conn, run_id, name)
            conn.execute(
                update(run_sites)
                .where(and_(run_sites.c.run_id == run_id, run_sites.c.name == name))
                .values(data=dict(site), extra=dict(extra))
            )
            conn.execute(
                delete(findings).where(
                    and_(findings.c.run_id == run_id, findings.c.site == name, findings.c.page_id.is_(None))
                )
            )
            rows = [_finding_row(run_id, name, None, f) for f in site_findings]
            if rows:
                conn.execute(insert(findings), rows)
            conn.execute(update(runs).where(runs.c.id == run_id).values(heartbeat=_iso(_now())))

    def record_rules(self, run_id: str, rules_data: Mapping[str, Mapping[str, Any]]) -> None:
        with self._write() as conn:
            self._require_run(conn, run_id)
            ids = list(rules_data)
            if ids:
                conn.execute(delete(rules).where(and_(rules.c.run_id == run_id, rules.c.rule_id.in_(ids))))
                conn.execute(
                    insert(rules),
                    [
                        {"run_id": run_id, "rule_id": rid, "data": dict(data)}
                        for rid, data in rules_data.items()
                    ],
                )

    def finish_run(self, run_id: str, status: str) -> None:
        if status not in FINAL_STATUSES:
            raise StoreError(f"a run finishes as complete, partial or failed, not {status!r}")
        now = _iso(_now())
        with self._write() as conn:
            self._require_run(conn, run_id)
            conn.execute(
                update(runs).where(runs.c.id == run_id).values(status=status, finished=now, heartbeat=now)
            )
        self._cache_summary(run_id)

    def _cache_summary(self, run_id: str) -> None:
        """History and trend charts read this; a failure here never undoes the finished run."""
        try:
            doc = self.load_document(run_id)
            with self._write() as conn:
                conn.execute(
                    update(runs)
                    .where(runs.c.id == run_id)
                    .values(cached={"summary": doc["summary"], "sites": doc["sites"]})
                )
        except Exception:
            log.exception("could not cache the summary of run %s", run_id)

    def reopen_run(self, run_id: str) -> set[str]:
        """Resume an interrupted run in this process: 'running' again; returns the URLs already recorded."""
        with self._write() as conn:
            row = self._require_run(conn, run_id)
            if row["status"] not in ("partial", "failed", "running"):
                raise StoreError(f"run {run_id} is {row['status']}; only an interrupted run can be resumed")
            if row["status"] == "running" and not self._is_abandoned(row):
                raise StoreError(
                    f"run {run_id} is still running in process {row['pid']} on {row['hostname']}"
                )
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    status="running",
                    finished=None,
                    pid=self._me.pid,
                    hostname=self._me.hostname,
                    proc_token=self._me.token,
                    heartbeat=_iso(_now()),
                    cached=None,
                    note=f"resumed at {_iso(_now())}",
                )
            )
            return {
                str(u) for u in conn.execute(select(pages.c.url).where(pages.c.run_id == run_id)).scalars()
            }

    def _is_abandoned(self, row: RowMapping) -> bool:
        if holder_dead(row["pid"], row["hostname"], row["proc_token"]):
            return True
        if row["hostname"] != self._me.hostname:
            beat = datetime.fromisoformat(row["heartbeat"] or row["started"])
            return _now() - beat > self._stale_after
        return False

    def recover_interrupted(self) -> list[str]:
        """Runs left 'running' by a process that is gone become 'partial' (what they recorded is kept)."""
        with self._read() as conn:
            rows = list(
                conn.execute(select(runs).where(runs.c.status == "running").order_by(runs.c.seq)).mappings()
            )
        recovered: list[str] = []
        for row in rows:
            if not self._is_abandoned(row):
                continue
            note = (
                f"interrupted: process {row['pid']} on {row['hostname']} stopped before finishing; "
                f"marked partial at {_iso(_now())}"
            )
            with self._write() as conn:
                done = conn.execute(
                    update(runs)
                    .where(and_(runs.c.id == row["id"], runs.c.status == "running"))
                    .values(status="partial", finished=row["heartbeat"] or row["started"], note=note)
                )
            if done.rowcount:
                log.warning("run %s was interrupted; marked partial", row["id"])
                recovered.append(str(row["id"]))
                self._cache_summary(str(row["id"]))
        return recovered

    # -- reading runs --------------------------------------------------------------------------------------

    def resolve_run_id(self, ref: str) -> str:
        """A full id, a unique prefix of one, or 'latest'."""
        with self._read() as conn:
            if ref in ("latest", "last"):
                found = conn.execute(select(runs.c.id).order_by(runs.c.seq.desc()).limit(1)).scalar()
                if found is None:
                    raise StoreError(f"the run store at {self.url} holds no runs yet")
                return str(found)
            if conn.execute(select(runs.c.id).where(runs.c.id == ref)).first() is not None:
                return ref
            matches = list(
                conn.execute(
                    select(runs.c.id).where(runs.c.id.startswith(ref, autoescape=True)).limit(3)
                ).scalars()
            )
        if len(matches) == 1:
            return str(matches[0])
        if matches:
            raise StoreError(f"run id {ref!r} is ambiguous ({', '.join(matches[:2])}, ...); give more of it")
        raise StoreError(f"no stored run with id {ref!r}; `auditor history` lists the runs")

    def run(self, run_id: str) -> dict[str, Any]:
        with self._read() as conn:
            return _run_dict(self._require_run(conn, run_id))

    def _previous_complete(self, conn: Connection, seq: int, kind: str, site: str) -> str | None:
        q = (
            select(runs.c.id)
            .join(run_sites, run_sites.c.run_id == runs.c.id)
            .where(
                and_(
                    run_sites.c.name == site,
                    runs.c.status == "complete",
                    runs.c.seq < seq,
                    runs.c.kind.in_(kind_family(kind)),
                )
            )
            .order_by(runs.c.seq.desc())
            .limit(1)
        )
        found = conn.execute(q).scalar()
        return str(found) if found is not None else None

    @staticmethod
    def _site_findings_of(conn: Connection, run_id: str, site: str) -> list[tuple[dict[str, Any], bool]]:
        """(finding, found by a site check) for every finding of `site` in a run."""
        rows = conn.execute(
            select(findings.c.data, findings.c.page_id)
            .where(and_(findings.c.run_id == run_id, findings.c.site == site))
            .order_by(findings.c.id)
        ).mappings()
        out = []
        for r in rows:
            entry = dict(r["data"])
            entry.setdefault("site", site)
            out.append((entry, r["page_id"] is None))
        return out

    def load_document(self, run_id: str) -> dict[str, Any]:
        """The report document of a stored run, with states against the previous complete run of each site."""
        with self._read() as conn:
            row = self._require_run(conn, run_id)
            site_rows = list(
                conn.execute(
                    select(run_sites).where(run_sites.c.run_id == run_id).order_by(run_sites.c.position)
                ).mappings()
            )
            page_rows = list(
                conn.execute(
                    select(pages.c.id, pages.c.site, pages.c.url, pages.c.data)
                    .where(pages.c.run_id == run_id)
                    .order_by(pages.c.id)
                ).mappings()
            )
            finding_rows = list(
                conn.execute(
                    select(findings.c.page_id, findings.c.site, findings.c.data)
                    .where(findings.c.run_id == run_id)
                    .order_by(findings.c.id)
                ).mappings()
            )
            rule_rows = list(
                conn.execute(
                    select(rules.c.rule_id, rules.c.data)
                    .where(rules.c.run_id == run_id)
                    .order_by(rules.c.rule_id)
                ).mappings()
            )
            previous: dict[str, str | None] = {
                s["name"]: self._previous_complete(conn, row["seq"], row["kind"], s["name"])
                for s in site_rows
            }
            prev_findings = {
                name: self._site_findings_of(conn, prev, name) for name, prev in previous.items() if prev
            }
            prev_seq = {
                str(r["id"]): int(r["seq"])
                for r in conn.execute(
                    select(runs.c.id, runs.c.seq).where(runs.c.id.in_([p for p in previous.values() if p]))
                ).mappings()
            }
            store_waivers = reg.active_and_expired(conn)

        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "run": _run_dict(row),
            "sites": [],
            "pages": [],
            "site_findings": [],
            "questions": [],
            "rules": {str(r["rule_id"]): dict(r["data"]) for r in rule_rows},
            "summary": {},
            "resolved": [],
        }
        by_page: dict[int, list[dict[str, Any]]] = {}
        for f in finding_rows:
            entry = dict(f["data"])
            if f["page_id"] is None:
                entry.setdefault("site", f["site"])
                doc["site_findings"].append(entry)
            else:
                by_page.setdefault(int(f["page_id"]), []).append(entry)
        urls_by_site: dict[str, set[str]] = {}
        for p in page_rows:
            entry = dict(p["data"])
            entry["findings"] = by_page.get(int(p["id"]), [])
            doc["pages"].append(entry)
            urls_by_site.setdefault(str(p["site"]), set()).add(str(p["url"]))

        waivers = waiver_index(store_waivers, self._config_waivers)
        run_day = datetime.fromisoformat(row["started"]).date()
        current_fps = {str(f.get("fingerprint")) for f in all_findings(doc)}
        prev_fps = {str(f.get("fingerprint")) for fs in prev_findings.values() for f, _ in fs}
        assign_states(all_findings(doc), prev_fps, waivers, run_day)
        complete = row["status"] == "complete"
        for s in site_rows:
            name = str(s["name"])
            if name in prev_findings:
                # A partial run proves a finding gone only on pages it reached, and a site-check finding
                # only when its site checks ran.
                audited = None if complete else urls_by_site.get(name, set())
                site_stage_ran = complete or s["data"] is not None
                gone = [f for f, site_level in prev_findings[name] if site_stage_ran or not site_level]
                doc["resolved"].extend(resolved_findings(gone, current_fps, audited))
            if s["extra"]:
                _merge_extra(doc, s["extra"])

        for s in site_rows:
            site_entry = dict(
                s["data"]
                or {"name": s["name"], "root_url": None, "pages": len(urls_by_site.get(str(s["name"]), ()))}
            )
            site_entry.setdefault("name", s["name"])
            if "health_score" not in site_entry or "category_scores" not in site_entry:
                for key, value in site_scores(doc, str(s["name"])).items():
                    site_entry.setdefault(key, value)
            doc["sites"].append(site_entry)

        prev_ids = [p for p in previous.values() if p]
        latest_prev = max(prev_ids, key=lambda p: prev_seq.get(p, 0)) if prev_ids else None
        doc["summary"] = {"changes": {"previous_run": latest_prev}}  # summarise() carries it over
        doc["summary"] = summarise(doc)
        return doc

    def history(self, site: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The last `limit` runs (of `site`, when given), oldest first, each with summary and site entries."""
        q = select(runs).order_by(runs.c.seq.desc()).limit(max(1, limit))
        if site is not None:
            q = q.where(runs.c.id.in_(select(run_sites.c.run_id).where(run_sites.c.name == site)))
        with self._read() as conn:
            rows = list(conn.execute(q).mappings())
        out: list[dict[str, Any]] = []
        for row in reversed(rows):
            cached = row["cached"]
            if not cached:
                doc = self.load_document(str(row["id"]))
                cached = {"summary": doc["summary"], "sites": doc["sites"]}
            sites = [s for s in cached.get("sites", []) if site is None or s.get("name") == site]
            out.append({"run": _run_dict(row), "summary": cached.get("summary", {}), "sites": sites})
        return out

    def previous_fetches(self, site: str) -> dict[str, dict[str, Any]]:
        """url -> what an incremental crawl needs of the latest stored copy of each page (from the latest
        complete run of `site` and any partial runs after it): its status, validators and content hash, the first
        bytes of its stored analysis (which say what made it) and its page id for `stored_analysis`. Light on
        purpose: a large site's stored analyses and findings stay in the database until a page turns out
        unchanged."""
        head = func.substr(pages.c.analysis, 1, 64).label("analysis_head")
        with self._read() as conn:
            out: dict[str, dict[str, Any]] = {}
            for cand in self._previous_runs(conn, site):
                for r in conn.execute(
                    select(pages.c.id, pages.c.url, pages.c.status, pages.c.content_hash, pages.c.etag,
                           pages.c.last_modified, head)
                    .where(and_(pages.c.run_id == cand["id"], pages.c.site == site))
                    .order_by(pages.c.id)
                ).mappings():
                    url = str(r["url"])
                    if url in out:
                        continue
                    out[url] = {
                        "page_id": int(r["id"]),
                        "status": r["status"],
                        "content_hash": r["content_hash"],
                        "fetch_headers": {"etag": r["etag"], "last_modified": r["last_modified"]},
                        "analysis_head": bytes(r["analysis_head"]) if r["analysis_head"] is not None else None,
                    }
                if cand["status"] == "complete":
                    break
        return out

    def stored_analysis(self, page_id: int) -> bytes | None:
        """The stored analysis of one recorded page (see `previous_fetches`)."""
        with self._read() as conn:
            blob = conn.execute(select(pages.c.analysis).where(pages.c.id == page_id)).scalar()
        return bytes(blob) if blob is not None else None

    def _previous_runs(self, conn: Connection, site: str) -> list[Any]:
        """The latest complete run of `site` and the partial runs after it, newest first."""
        return list(
            conn.execute(
                select(runs.c.id, runs.c.status, runs.c.config_digest)
                .join(run_sites, run_sites.c.run_id == runs.c.id)
                .where(and_(run_sites.c.name == site, runs.c.status.in_(("complete", "partial"))))
                .order_by(runs.c.seq.desc())
                .limit(20)
            ).mappings()
        )

    def cached_summary(self, run_id: str) -> dict[str, Any] | None:
        """The summary saved when the run finished (None while it runs or when unknown)."""
        with self._read() as conn:
            cached = conn.execute(select(runs.c.cached).where(runs.c.id == run_id)).scalar()
        return dict(cached.get("summary") or {}) if isinstance(cached, dict) else None

    def run_findings(self, run_id: str) -> list[dict[str, Any]]:
        """Every finding of a run (page and site findings) as stored, each with its site."""
        with self._read() as conn:
            self._require_run(conn, run_id)
            rows = conn.execute(
                select(findings.c.site, findings.c.data)
                .where(findings.c.run_id == run_id)
                .order_by(findings.c.id)
            ).mappings()
            return [{**dict(r["data"]), "site": r["site"]} for r in rows]

    def diff(self, run_a: str, run_b: str) -> dict[str, list[dict[str, Any]]]:
        return diff_findings(self.run_findings(run_a), self.run_findings(run_b))

    def knows_fingerprint(self, fp: str) -> bool:
        with self._read() as conn:
            return (
                conn.execute(select(findings.c.id).where(findings.c.fingerprint == fp).limit(1)).first()
                is not None
            )

    # -- waivers -------------------------------------------------------------------------------------------

    def add_waiver(self, fingerprint: str, reviewer: str, reason: str, expires: date | None) -> None:
        with self._write() as conn:
            reg.add_waiver(conn, fingerprint, reviewer, reason, expires)

    def revoke_waiver(self, fingerprint: str, by: str, reason: str) -> None:
        with self._write() as conn:
            reg.revoke_waiver(conn, fingerprint, by, reason)

    def waivers(self, include_expired: bool = False) -> list[dict[str, Any]]:
        with self._read() as conn:
            return reg.list_waivers(conn, include_expired, _now().date())

    def waiver_events(self, fingerprint: str | None = None) -> list[dict[str, Any]]:
        with self._read() as conn:
            return reg.list_waiver_events(conn, fingerprint)

    # -- locks ---------------------------------------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, ttl_seconds: float) -> bool:
        """A row lock by name: held until released, its TTL passes, or its process is seen dead here."""
        for _ in range(3):
            with self._write() as conn:
                got = reg.acquire_lock(conn, name, owner, ttl_seconds, self._me)
            if got is not None:
                return got
        return False

    def release_lock(self, name: str, owner: str) -> None:
        with self._write() as conn:
            reg.release_lock(conn, name, owner)

    def lock_holder(self, name: str) -> dict[str, Any] | None:
        with self._read() as conn:
            return reg.lock_holder(conn, name)

    def acquire_site_lock(self, site: str, owner: str, ttl_seconds: int = 6 * 3600) -> bool:
        return self.acquire_lock(f"site:{site}", owner, ttl_seconds)

    def release_site_lock(self, site: str, owner: str) -> None:
        self.release_lock(f"site:{site}", owner)

    # -- schedule and delivery bookkeeping -----------------------------------------------------------------

    def claim_slot(self, job_id: str, slot: str, owner: str) -> bool:
        with self._write() as conn:
            return reg.claim_slot(conn, job_id, slot, owner)

    def finish_slot(
        self, job_id: str, slot: str, status: str, run_ids: Sequence[str], detail: str = ""
    ) -> None:
        with self._write() as conn:
            reg.finish_slot(conn, job_id, slot, status, run_ids, detail)

    def schedule_slots(self, job_id: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            return reg.slots(conn, job_id)

    def add_schedule_event(self, kind: str, detail: str, slot: str | None = None) -> None:
        with self._write() as conn:
            reg.add_event(conn, kind, detail, slot)

    def schedule_events(self, limit: int = 50, unreported: bool = False) -> list[dict[str, Any]]:
        with self._read() as conn:
            return reg.list_events(conn, limit, unreported)

    def mark_events_reported(self, ids: Sequence[int]) -> None:
        with self._write() as conn:
            reg.mark_events_reported(conn, ids)

    def last_run(self, kinds: Sequence[str], status: str = "complete") -> dict[str, Any] | None:
        with self._read() as conn:
            row = (
                conn.execute(
                    select(runs)
                    .where(and_(runs.c.kind.in_(list(kinds)), runs.c.status == status))
                    .order_by(runs.c.seq.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            return _run_dict(row) if row is not None else None

    def record_delivery(
        self,
        run_id: str,
        channel: str,
        recipients: Sequence[str],
        status: str,
        attempts: int,
        error: str | None = None,
    ) -> None:
        with self._write() as conn:
            reg.record_delivery(conn, run_id, channel, recipients, status, attempts, error)

    def deliveries(self, run_id: str | None = None) -> list[dict[str, Any]]:
        with self._read() as conn:
            return reg.list_deliveries(conn, run_id)

    def undelivered_runs(self, channel: str, since: datetime) -> list[str]:
        """Runs since `since` whose every delivery attempt on `channel` failed: the next job retries them."""
        rows = self.deliveries()
        state: dict[str, str] = {}
        for d in rows:
            if d["channel"] == channel:
                state[str(d["run_id"])] = (
                    "sent" if d["status"] == "sent" or state.get(str(d["run_id"])) == "sent" else "failed"
                )
        failed = [rid for rid, st in state.items() if st == "failed"]
        if not failed:
            return []
        with self._read() as conn:
            rows2 = conn.execute(
                select(runs.c.id)
                .where(and_(runs.c.id.in_(failed), runs.c.started >= _iso(since)))
                .order_by(runs.c.seq)
            ).scalars()
            return [str(r) for r in rows2]


def _reason(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
