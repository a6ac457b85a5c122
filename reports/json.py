"""The JSON export: the report document itself, pretty-printed with a stable key order."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Contract order first, so the file reads top-down like docs/report-contract.md; other keys follow sorted.
_ORDER = (
    "schema_version",
    "run",
    "summary",
    "sites",
    "pages",
    "site_findings",
    "questions",
    "resolved",
    "rules",
    "id",
    "kind",
    "started",
    "finished",
    "status",
    "config_digest",
    "tool_version",
    "targets",
    "name",
    "root_url",
    "health_score",
    "category_scores",
    "url",
    "site",
    "final_url",
    "content_type",
    "title",
    "meta_description",
    "word_count",
    "content_hash",
    "depth",
    "elapsed",
    "redirects",
    "location",
    "error",
    "check_id",
    "category",
    "claim_type",
    "severity",
    "message",
    "suggestion",
    "evidence",
    "excerpt",
    "context",
    "start",
    "end",
    "heading_path",
    "locator",
    "block_index",
    "cue",
    "details",
    "fingerprint",
    "state",
    "waiver",
    "reviewer",
    "reason",
    "expires",
    "created",
    "question",
    "priority",
    "answered",
    "best",
    "score",
    "findable_as",
    "quality",
    "failure_title",
    "rationale",
    "source",
    "findings",
    "by_severity",
    "by_category",
    "waived",
    "changes",
    "previous_run",
    "new",
    "persisting",
)
_RANK = {key: index for index, key in enumerate(_ORDER)}


def _ordered(value: Any) -> Any:
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: (0, _RANK[k], "") if k in _RANK else (1, 0, str(k)))
        return {str(k): _ordered(value[k]) for k in keys}
    if isinstance(value, (list, tuple)):
        return [_ordered(v) for v in value]
    return value


def render_json(doc: Mapping[str, Any]) -> str:
    """The contract as a file: same content as the document, the same bytes for the same document."""
    return json.dumps(_ordered(doc), indent=2, ensure_ascii=False)
