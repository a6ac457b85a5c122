"""Email delivery of a run: a short text and HTML summary, the full HTML report attached, with retries."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.config import Config, EmailConfig
from auditor.errors import AuditorError
from auditor.models import SEVERITY_RANK

if TYPE_CHECKING:
    from auditor.store import Store

log = logging.getLogger(__name__)

CHANNEL = "email"


class DeliveryError(AuditorError):
    """A message could not be handed to the SMTP server; the run itself is unaffected."""

    def __init__(self, message: str, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


# --- what the message says ---------------------------------------------------------------------------------


def _findings(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = [f for p in doc.get("pages", []) for f in p.get("findings", [])]
    return out + list(doc.get("site_findings", []))


def top_new_findings(doc: Mapping[str, Any], limit: int) -> list[Mapping[str, Any]]:
    """The most severe findings that appeared since the last run (or whose waiver ran out)."""
    fresh = [f for f in _findings(doc) if f.get("state") in ("new", "expired_waiver")]
    fresh.sort(
        key=lambda f: (
            -SEVERITY_RANK.get(str(f.get("severity")), 0),
            str(f.get("url")),
            str(f.get("check_id")),
        )
    )
    return fresh[:limit]


def _score(summary: Mapping[str, Any] | None) -> float | None:
    if not summary:
        return None
    value = summary.get("health_score")
    return float(value) if isinstance(value, (int, float)) else None


def _title(doc: Mapping[str, Any], f: Mapping[str, Any]) -> str:
    rule = doc.get("rules", {}).get(f.get("check_id"), {})
    return str(rule.get("failure_title") or f.get("message") or f.get("check_id"))


def _excerpt(f: Mapping[str, Any], limit: int = 160) -> str:
    ev = f.get("evidence") or {}
    text = " ".join(str(ev.get("excerpt") or "").split()) if isinstance(ev, Mapping) else ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_facts(doc: Mapping[str, Any], previous: Mapping[str, Any] | None, top: int) -> dict[str, Any]:
    """Everything the message says, once, so the text and HTML parts cannot disagree."""
    s = doc.get("summary", {})
    changes = s.get("changes") or {}
    score, before = _score(s), _score(previous)
    sites = ", ".join(str(x.get("name")) for x in doc.get("sites", [])) or "audit"
    return {
        "sites": sites,
        "run": doc.get("run", {}),
        "score": score,
        "delta": None if score is None or before is None else round(score - before, 1),
        "findings": int(s.get("findings", 0) or 0),
        "by_severity": s.get("by_severity", {}),
        "waived": int(s.get("waived", 0) or 0),
        "new": int(changes.get("new", 0) or 0),
        "resolved": int(changes.get("resolved", 0) or 0),
        "persisting": int(changes.get("persisting", 0) or 0),
        "first_run": not changes.get("previous_run"),
        "top": [
            {
                "severity": f.get("severity"),
                "title": _title(doc, f),
                "url": f.get("url"),
                "excerpt": _excerpt(f),
                "fingerprint": f.get("fingerprint"),
            }
            for f in top_new_findings(doc, top)
        ],
    }


def _score_line(facts: Mapping[str, Any]) -> str:
    if facts["score"] is None:
        return "Health score: not available"
    line = f"Health score: {facts['score']:.0f}/100"
    delta = facts["delta"]
    if delta is None:
        return line + (" (first run)" if facts["first_run"] else "")
    if delta == 0:
        return line + " (no change since the last run)"
    return line + f" ({'up' if delta > 0 else 'down'} {abs(delta):.1f} since the last run)"


def _counts_line(facts: Mapping[str, Any]) -> str:
    sev = facts["by_severity"]
    line = (
        f"Findings: {facts['findings']} ({sev.get('error', 0)} errors, {sev.get('warning', 0)} warnings, "
        f"{sev.get('info', 0)} info)"
    )
    return line + (f"; {facts['waived']} signed off" if facts["waived"] else "")


def _changes_line(facts: Mapping[str, Any]) -> str:
    if facts["first_run"]:
        return "First run: every finding is new."
    return (
        f"Since the last run: {facts['new']} new, {facts['resolved']} resolved, "
        f"{facts['persisting']} still open."
    )


def subject_for(cfg: EmailConfig, facts: Mapping[str, Any]) -> str:
    score = "" if facts["score"] is None else f"health {facts['score']:.0f}/100"
    if facts["delta"]:
        score += f" ({facts['delta']:+.1f})"
    parts = [p for p in (score, f"{facts['new']} new finding{'s' if facts['new'] != 1 else ''}") if p]
    status = facts["run"].get("status")
    flag = "" if status == "complete" else f" [{status}]"
    return f"{cfg.subject_prefix} {facts['sites']}{flag}: {', '.join(parts)}".strip()


def text_body(facts: Mapping[str, Any], events: Sequence[Mapping[str, Any]], attached: str | None) -> str:
    run = facts["run"]
    lines = [
        f"Content audit of {facts['sites']}: run {run.get('id')} ({run.get('status')}), {run.get('started')}",
        "",
        _score_line(facts),
        _counts_line(facts),
        _changes_line(facts),
    ]
    if facts["top"]:
        lines += ["", "Top new findings:"]
        for i, f in enumerate(facts["top"], 1):
            lines.append(f"{i}. [{f['severity']}] {f['title']}: {f['url']}")
            if f["excerpt"]:
                lines.append(f'   "{f["excerpt"]}"')
    if events:
        lines += ["", "Scheduled runs that did not go to plan since the last email:"]
        lines += [f"- {e.get('at')}: {e.get('kind')}: {e.get('detail')}" for e in events]
    lines += [
        "",
        f"The full report is attached ({attached})."
        if attached
        else "The full report could not be "
        "attached; run `auditor report " + str(run.get("id")) + "` to produce it.",
    ]
    return "\n".join(lines) + "\n"


def html_body(facts: Mapping[str, Any], events: Sequence[Mapping[str, Any]], attached: str | None) -> str:
    """Plain inline-styled HTML; every scraped string is escaped, since page text is data, never markup."""
    e = escape
    run = facts["run"]
    parts = [
        '<!doctype html><html><body style="font-family:system-ui,Arial,sans-serif;color:#1f2933;'
        'max-width:640px">',
        f'<h2 style="margin:0 0 .3em">Content audit of {e(facts["sites"])}</h2>',
        f'<p style="color:#52606d;margin:0 0 1em">Run {e(str(run.get("id")))} ({e(str(run.get("status")))}), '
        f"{e(str(run.get('started')))}</p>",
        f'<p style="font-size:1.2em"><strong>{e(_score_line(facts))}</strong></p>',
        f"<p>{e(_counts_line(facts))}<br>{e(_changes_line(facts))}</p>",
    ]
    if facts["top"]:
        parts.append("<h3>Top new findings</h3><ol>")
        for f in facts["top"]:
            quote = f'<br><q style="color:#52606d">{e(f["excerpt"])}</q>' if f["excerpt"] else ""
            parts.append(
                f"<li><strong>[{e(str(f['severity']))}]</strong> {e(f['title'])}<br>"
                f'<span style="color:#52606d">{e(str(f["url"]))}</span>{quote}</li>'
            )
        parts.append("</ol>")
    if events:
        parts.append("<h3>Scheduled runs that did not go to plan</h3><ul>")
        parts += [
            f"<li>{e(str(ev.get('at')))}: {e(str(ev.get('kind')))}: {e(str(ev.get('detail')))}</li>"
            for ev in events
        ]
        parts.append("</ul>")
    note = (
        f"The full report is attached ({e(attached)})."
        if attached
        else "The full report could not be attached."
    )
    parts.append(f"<p>{note}</p></body></html>")
    return "".join(parts)


def compose(
    config: Config,
    doc: Mapping[str, Any],
    previous_summary: Mapping[str, Any] | None,
    report_html: Path | None,
    events: Sequence[Mapping[str, Any]] = (),
) -> EmailMessage:
    cfg = config.email
    facts = summary_facts(doc, previous_summary, cfg.top_findings)
    attach_name = f"audit-{doc.get('run', {}).get('id', 'report')}.html"
    attach = report_html if report_html is not None and report_html.is_file() else None
    msg = EmailMessage()
    msg["Subject"] = subject_for(cfg, facts)
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.rpartition("@")[2] or None)
    shown = attach_name if attach else None
    msg.set_content(text_body(facts, events, shown))
    msg.add_alternative(html_body(facts, events, shown), subtype="html")
    if attach is not None:
        msg.add_attachment(attach.read_bytes(), maintype="text", subtype="html", filename=attach_name)
    return msg


def failure_message(config: Config, detail: str, slot: str | None) -> EmailMessage:
    cfg = config.email
    msg = EmailMessage()
    msg["Subject"] = f"{cfg.subject_prefix} scheduled audit failed"
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.recipients)
    msg["Date"] = formatdate(localtime=False)
    when = f" (scheduled for {slot})" if slot else ""
    msg.set_content(
        f"The scheduled content audit{when} did not complete.\n\n{detail}\n\n"
        "The scheduler log has the details; the next scheduled run will try again.\n"
    )
    return msg


# --- sending -----------------------------------------------------------------------------------------------


def _credentials(cfg: EmailConfig, env: Mapping[str, str]) -> tuple[str, str] | None:
    """Credentials come from the environment only; the config file names the variables, never the values."""
    user, password = env.get(cfg.username_env), env.get(cfg.password_env)
    if not user and not password:
        return None
    if not user or not password:
        missing = cfg.username_env if not user else cfg.password_env
        raise DeliveryError(
            f"SMTP login needs both {cfg.username_env} and {cfg.password_env}; {missing} is not set"
        )
    return user, password


def _permanent(exc: BaseException) -> bool:
    """5xx answers and refused logins will not improve by waiting."""
    if isinstance(exc, (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError, DeliveryError)):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _send_once(cfg: EmailConfig, msg: EmailMessage, creds: tuple[str, str] | None) -> None:
    smtp: smtplib.SMTP
    if cfg.ssl:
        smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    with smtp:
        if cfg.starttls and not cfg.ssl:
            smtp.starttls(context=ssl.create_default_context())
        if creds is not None:
            smtp.login(*creds)
        smtp.send_message(msg)


def send(
    cfg: EmailConfig,
    msg: EmailMessage,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Send with retries and doubling waits; returns the attempts used, raises DeliveryError if all fail."""
    if not cfg.recipients:
        raise DeliveryError("email.recipients is empty: nobody to send the report to")
    creds = _credentials(cfg, os.environ if env is None else env)
    attempts = cfg.retries + 1
    last: BaseException | None = None
    for attempt in range(1, attempts + 1):
        try:
            _send_once(cfg, msg, creds)
            return attempt
        except (OSError, smtplib.SMTPException) as exc:
            last = exc
            log.warning(
                "email attempt %d of %d to %s:%d failed: %s", attempt, attempts, cfg.host, cfg.port, exc
            )
            if _permanent(exc) or attempt == attempts:
                break
            sleep(cfg.retry_backoff * (2 ** (attempt - 1)))
    detail = f"{type(last).__name__}: {last}" if last else "unknown error"
    raise DeliveryError(
        f"could not send email via {cfg.host}:{cfg.port} after {attempt} attempt(s): {detail}",
        attempts=attempt,
    )


def deliver_run(
    config: Config,
    store: Store,
    run_id: str,
    report_html: Path | None,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Email one stored run. Never raises: a failure is logged and recorded on the run, which stays intact."""
    cfg = config.email
    if not cfg.enabled:
        return False
    attempts = 0
    try:
        doc = store.load_document(run_id)
        prev_id = (doc.get("summary", {}).get("changes") or {}).get("previous_run")
        previous = store.cached_summary(prev_id) if prev_id else None
        events = [
            e for e in store.schedule_events(limit=50, unreported=True) if e["kind"] in ("missed", "failed")
        ]
        msg = compose(config, doc, previous, report_html, events)
        attempts = send(cfg, msg, env=env, sleep=sleep)
    except Exception as exc:
        error = str(exc) if isinstance(exc, AuditorError) else f"{type(exc).__name__}: {exc}"
        log.error("the report of run %s was not emailed: %s", run_id, error)
        _record(store, run_id, cfg.recipients, "failed", getattr(exc, "attempts", attempts), error)
        return False
    log.info("emailed the report of run %s to %s", run_id, ", ".join(cfg.recipients))
    _record(store, run_id, cfg.recipients, "sent", attempts, None)
    if events:
        _mark_reported(store, [int(e["id"]) for e in events])
    return True


def send_failure_notice(
    config: Config,
    detail: str,
    slot: str | None,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    if not config.email.enabled:
        return False
    try:
        send(config.email, failure_message(config, detail, slot), env=env, sleep=sleep)
    except Exception as exc:
        log.error("the failure notice was not emailed: %s", exc)
        return False
    return True


def _record(
    store: Store, run_id: str, recipients: Sequence[str], status: str, attempts: int, error: str | None
) -> None:
    try:
        store.record_delivery(run_id, CHANNEL, recipients, status, attempts, error)
    except Exception:
        log.exception("could not record the email delivery of run %s", run_id)


def _mark_reported(store: Store, ids: Sequence[int]) -> None:
    try:
        store.mark_events_reported(ids)
    except Exception:
        log.exception("could not mark schedule events as reported")
