"""The engine digest: one value that changes whenever a stored page result could have come out differently."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
# The code that turns a body into findings and site-check summaries. The crawler, store and reports are left
# out: they do not change what a page's analysis is.
_SOURCES = ("auditor/*.py", "checks/*.py", "checks/rules/*.yaml", "checks/rules/*.yml")


@lru_cache(maxsize=1)
def _code_digest() -> str:
    h = hashlib.sha256()
    for pattern in _SOURCES:
        for path in sorted(_ROOT.glob(pattern)):
            h.update(path.relative_to(_ROOT).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _named_files(value: Any) -> list[Path]:
    """Rule packs named by path in the configuration: their contents count, not just their names."""
    found: list[Path] = []
    if isinstance(value, dict):
        for item in value.values():
            found.extend(_named_files(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_named_files(item))
    elif isinstance(value, str) and value.endswith((".yaml", ".yml")):
        path = Path(value)
        if path.is_file():
            found.append(path)
    return found


def engine_digest(config: Any) -> str:
    """Code, rule packs and check configuration together. A page result stored under another digest is never
    reused: editing a rule pack or upgrading the auditor makes the next run read every page again."""
    h = hashlib.sha256(_code_digest().encode())
    # Checks read their own section and some crawl limits (a slow response, the body cap).
    relevant = config.model_dump(mode="json", include={"checks", "crawl"})
    h.update(json.dumps(relevant, sort_keys=True).encode())
    for path in _named_files(relevant.get("checks")):
        h.update(str(path).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:24]
