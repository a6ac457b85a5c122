"""Crawl progress: a rich progress bar on a terminal, JSON lines for machines, silence otherwise."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


@dataclass(frozen=True)
class CrawlStats:
    """A snapshot of one site's crawl, as shown to whoever watches it."""

    site: str
    done: int
    queued: int
    errors: int
    elapsed: float
    final: bool = False

    @property
    def pages_per_second(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


class ProgressSink(Protocol):
    """Receives snapshots; `update` may be called often, so sinks rate-limit themselves."""

    def update(self, stats: CrawlStats) -> None: ...

    def close(self) -> None: ...


class RichProgress:
    """A live bar on stderr (piped output stays clean): pages done, queued, errors, pages/s."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]{task.fields[site]}"),
            BarColumn(),
            TextColumn("{task.completed:>5.0f} done"),
            TextColumn("{task.fields[queued]:>5} queued"),
            TextColumn("[red]{task.fields[errors]} errors"),
            TextColumn("{task.fields[rate]:>6.1f} pages/s"),
            TimeElapsedColumn(),
            console=self._console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._started = False

    def update(self, stats: CrawlStats) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        task = self._tasks.get(stats.site)
        if task is None:
            task = self._tasks[stats.site] = self._progress.add_task(
                stats.site, total=None, site=stats.site, queued=0, errors=0, rate=0.0
            )
        total = stats.done if stats.final else stats.done + stats.queued
        self._progress.update(
            task,
            completed=stats.done,
            total=total,
            site=stats.site,
            queued=stats.queued,
            errors=stats.errors,
            rate=stats.pages_per_second,
        )

    def close(self) -> None:
        if self._started:
            self._progress.stop()
            self._started = False


class JsonLinesProgress:
    """One JSON object per line, at most every `interval` seconds plus a final line, for logs and tools."""

    def __init__(self, stream: TextIO | None = None, interval: float = 1.0) -> None:
        self._stream = stream or sys.stderr
        self._interval = interval
        self._last: float | None = None

    def update(self, stats: CrawlStats) -> None:
        now = time.monotonic()
        if not stats.final and self._last is not None and now - self._last < self._interval:
            return
        self._last = now
        rate = round(stats.pages_per_second, 2)
        record = {"event": "crawl_progress", **asdict(stats), "pages_per_second": rate}
        self._stream.write(json.dumps(record) + "\n")
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


def progress_for(mode: str = "auto", stream: TextIO | None = None) -> ProgressSink | None:
    """Pick a sink: "auto" draws a bar when the stream is a terminal, else nothing; "rich", "json", "none"."""
    target = stream or sys.stderr
    if mode == "json":
        return JsonLinesProgress(target)
    if mode == "rich":
        return RichProgress(Console(file=target))
    if mode == "auto" and target.isatty():
        return RichProgress(Console(file=target))
    return None
