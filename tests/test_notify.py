"""Email delivery against a real SMTP server on 127.0.0.1 (aiosmtpd): the message that arrives is read."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from auditor.config import Config, parse_config
from auditor.errors import ConfigError
from auditor.notify import compose, deliver_run, send, top_new_findings
from auditor.store import Store

try:
    from test_store_backends import finding, record_run
except ImportError:  # tests collected as a package
    from tests.test_store_backends import finding, record_run  # type: ignore[no-redef]

SITE = "Test clinic"
HOME, SMP = "http://clinic.test/", "http://clinic.test/smp"
USER, PASSWORD = "auditor-mailer", "s3cret-from-env"


@dataclass
class Mailbox:
    """An SMTP handler that keeps what arrives and who logged in."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    refuse_first: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse_first > 0:
                self.refuse_first -= 1
                return "451 4.3.0 try again later"
            self.envelopes.append(envelope)
            msg = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            self.messages.append(msg)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            self.logins.append((login, password))
            ok = (login, password) == (USER, PASSWORD)
            return AuthResult(success=ok, handled=False)  # not handled: the server answers 235 or 535 itself
        return AuthResult(success=False, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def _config(tmp_path: Path, port: int, **email: Any) -> Config:
    return parse_config(
        {
            "storage": {"url": f"sqlite:///{tmp_path / 'store.db'}"},
            "reports": {"out_dir": str(tmp_path / "out")},
            "email": {
                "enabled": True,
                "host": "127.0.0.1",
                "port": port,
                "sender": "auditor@clinic.test",
                "recipients": ["marketing@clinic.test", "compliance@clinic.test"],
                "retry_backoff": 0,
                "timeout": 5,
                **email,
            },
        },
        "test.yaml",
    )


def _two_weeks(store: Store) -> str:
    record_run(
        store,
        SITE,
        {
            HOME: [finding("CLM001", HOME, "Permanent results in one session!")],
            SMP: [finding("SEO004", SMP, "", "warning", "seo")],
        },
    )
    return record_run(
        store,
        SITE,
        {
            HOME: [finding("CLM003", HOME, "100% safe <script>alert(1)</script>")],
            SMP: [
                finding("SEO004", SMP, "", "warning", "seo"),
                finding("CAV002", SMP, "No downtime", "warning", "caveats"),
            ],
        },
    )


def _report(tmp_path: Path, run_id: str) -> Path:
    path = tmp_path / "out" / run_id / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<!doctype html><title>Full report</title><p>Everything, in detail.</p>")
    return path


def test_the_report_arrives_with_summary_and_attachment(
    smtp_server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = smtp_server
    config = _config(tmp_path, port)
    env = {"AUDITOR_SMTP_USER": USER, "AUDITOR_SMTP_PASSWORD": PASSWORD}
    with Store.from_config(config) as store:
        run_id = _two_weeks(store)
        report = _report(tmp_path, run_id)
        assert deliver_run(config, store, run_id, report, env=env)
        deliveries = store.deliveries(run_id)
    assert box.logins == [(USER, PASSWORD)]  # credentials came from the environment
    assert len(box.messages) == 1
    assert sorted(box.envelopes[0].rcpt_tos) == ["compliance@clinic.test", "marketing@clinic.test"]
    msg = box.messages[0]
    assert msg["From"] == "auditor@clinic.test"
    assert SITE in msg["Subject"] and "2 new findings" in msg["Subject"]
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    body = text.get_content()
    assert "Health score:" in body and "since the last run" in body
    assert "Since the last run: 2 new, 1 resolved, 1 still open." in body
    assert body.index("CLM003 failed") < body.index("CAV002 failed")  # most severe first, rule titles shown
    assert "100% safe" in body
    html_text = html.get_content()
    assert "<script>alert(1)</script>" not in html_text and "&lt;script&gt;" in html_text
    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"audit-{run_id}.html"]
    assert attachments[0].get_content_type() == "text/html"
    assert attachments[0].get_content() == report.read_text()
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("sent", 1)]


def test_temporary_failures_are_retried(smtp_server: tuple[Mailbox, int], tmp_path: Path) -> None:
    box, port = smtp_server
    box.refuse_first = 2
    config = _config(tmp_path, port, retries=3)
    waits: list[float] = []
    with Store.from_config(config) as store:
        run_id = _two_weeks(store)
        assert deliver_run(config, store, run_id, None, env={}, sleep=waits.append)
        assert [(d["status"], d["attempts"]) for d in store.deliveries(run_id)] == [("sent", 3)]
    assert len(box.messages) == 1
    assert waits == [0.0, 0.0]
    assert "could not be attached" in box.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_failed_delivery_never_loses_the_run_and_is_retried_later(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens here yet
    config = _config(tmp_path, port, retries=2, retry_backoff=0.5)
    waits: list[float] = []
    with Store.from_config(config) as store:
        run_id = _two_weeks(store)
        report = _report(tmp_path, run_id)
        assert not deliver_run(config, store, run_id, report, env={}, sleep=waits.append)
        failed = store.deliveries(run_id)
        assert [(d["status"], d["attempts"]) for d in failed] == [("failed", 3)]
        assert "127.0.0.1" in failed[0]["error"]
        assert waits == [0.5, 1.0]  # doubling back-off
        assert store.run(run_id)["status"] == "complete"
        assert store.undelivered_runs("email", since=_long_ago()) == [run_id]

        box = Mailbox()
        controller = Controller(box, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            from auditor.scheduler import retry_undelivered

            assert retry_undelivered(config, store) == [run_id]
        finally:
            controller.stop()
        assert store.undelivered_runs("email", since=_long_ago()) == []
    assert len(box.messages) == 1
    assert [a.get_filename() for a in box.messages[0].iter_attachments()] == [f"audit-{run_id}.html"]


def test_refused_login_is_not_retried(smtp_server: tuple[Mailbox, int], tmp_path: Path) -> None:
    box, port = smtp_server
    config = _config(tmp_path, port, retries=3)
    waits: list[float] = []
    with Store.from_config(config) as store:
        run_id = _two_weeks(store)
        env = {"AUDITOR_SMTP_USER": USER, "AUDITOR_SMTP_PASSWORD": "wrong"}
        assert not deliver_run(config, store, run_id, None, env=env, sleep=waits.append)
        assert store.deliveries(run_id)[0]["attempts"] == 1
    assert waits == [] and box.messages == []


def test_half_set_credentials_are_a_clear_failure(smtp_server: tuple[Mailbox, int], tmp_path: Path) -> None:
    _box, port = smtp_server
    config = _config(tmp_path, port)
    with Store.from_config(config) as store:
        run_id = _two_weeks(store)
        assert not deliver_run(config, store, run_id, None, env={"AUDITOR_SMTP_USER": USER})
        assert "AUDITOR_SMTP_PASSWORD is not set" in store.deliveries(run_id)[0]["error"]


def test_credentials_are_refused_in_the_config_file() -> None:
    with pytest.raises(ConfigError, match="never read from the config file"):
        parse_config({"email": {"password": "hunter2"}}, "config.yaml")


def test_disabled_email_sends_nothing(tmp_path: Path) -> None:
    config = parse_config({"storage": {"url": f"sqlite:///{tmp_path / 's.db'}"}}, "t.yaml")
    with Store.from_config(config) as store:
        run_id = _two_weeks(store)
        assert not deliver_run(config, store, run_id, None)
        assert store.deliveries() == []


def test_top_new_findings_are_the_most_severe_new_ones(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        doc = store.load_document(_two_weeks(store))
    top = top_new_findings(doc, 5)
    assert [f["check_id"] for f in top] == ["CLM003", "CAV002"]
    assert top_new_findings(doc, 1)[0]["severity"] == "error"
    msg = compose(_config(tmp_path, 25), doc, {"health_score": 10.0}, None)
    assert "[Clinic Content Auditor]" in msg["Subject"]
    with pytest.raises(Exception, match="recipients is empty"):
        send(_config(tmp_path, 25, recipients=[]).email, msg)


def _long_ago() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(days=1)
