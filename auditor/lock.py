"""Who a process is and whether it still lives: recorded so stale rows can be taken over."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=1)
def hostname() -> str:
    return socket.gethostname()


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (which may itself hold spaces and brackets)."""
    try:
        raw = open(f"/proc/{pid}/stat", encoding="ascii", errors="replace").read()  # noqa: SIM115
    except OSError:
        return None
    close = raw.rfind(")")
    return raw[close + 2 :].split() if close >= 0 else None


def process_token(pid: int) -> str | None:
    """The process start time in clock ticks: with the pid it tells a live process from a recycled pid."""
    fields = _proc_stat(pid)
    if fields is None or len(fields) < 20:
        return None
    return fields[19]


def pid_alive(pid: int, token: str | None = None) -> bool:
    """True while `pid` runs on this host and is the process that wrote `token` (zombies count as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process, but alive
    fields = _proc_stat(pid)
    if fields is not None:
        if fields and fields[0] in ("Z", "X"):
            return False
        if token is not None and len(fields) >= 20 and fields[19] != token:
            return False
    return True


@dataclass(frozen=True)
class ProcessId:
    """This process as run rows and lock rows record it."""

    pid: int
    hostname: str
    token: str | None

    @classmethod
    def current(cls) -> ProcessId:
        pid = os.getpid()
        return cls(pid=pid, hostname=hostname(), token=process_token(pid))


def holder_dead(pid: int | None, host: str | None, token: str | None) -> bool:
    """A holder can only be proven dead on this host; elsewhere only time (a TTL or heartbeat) says so."""
    if pid is None or host is None or host != hostname():
        return False
    return not pid_alive(pid, token)
