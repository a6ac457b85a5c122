"""The crawler: the only part of the auditor that touches the network (see crawler.py for the public API)."""

from __future__ import annotations

from auditor.crawl.crawler import (
    CrawlOutcome,
    PreviousFetch,
    check_target_allowed,
    crawl_site,
    fetch_url,
)
from auditor.crawl.progress import CrawlStats, JsonLinesProgress, ProgressSink, RichProgress, progress_for

__all__ = [
    "CrawlOutcome",
    "CrawlStats",
    "JsonLinesProgress",
    "PreviousFetch",
    "ProgressSink",
    "RichProgress",
    "check_target_allowed",
    "crawl_site",
    "fetch_url",
    "progress_for",
]
