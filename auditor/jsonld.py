"""JSON-LD scripts: strict parsing that keeps invalid blocks with their error, and FAQPage question pairs."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from auditor.models import FaqPair, JsonLd

_TAG = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")
_MAX_NODES = 50_000  # a hostile or generated graph must not stall extraction


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_ld(raw: str, locator: str = "") -> JsonLd:
    """Strict json.loads (no NaN/Infinity): search engines reject what a lenient parser would accept."""
    text = raw.strip()
    if not text:
        return JsonLd(raw=raw, error="empty JSON-LD script", locator=locator)
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return JsonLd(raw=raw, error=f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                      locator=locator)
    except (ValueError, RecursionError) as exc:
        return JsonLd(raw=raw, error=f"invalid JSON: {exc}", locator=locator)
    return JsonLd(raw=raw, data=data, locator=locator)


def jsonld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in the document, @graph members and nested objects included, in document order."""
    stack: list[Any] = [data]
    seen = 0
    while stack and seen < _MAX_NODES:
        item = stack.pop()
        seen += 1
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def node_types(node: dict[str, Any]) -> tuple[str, ...]:
    """@type as short names: "FAQPage" whether written bare, as a list, or as a schema.org URL."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return tuple(v.rstrip("/").rsplit("/", 1)[-1] for v in values if isinstance(v, str))


def strip_html(text: str) -> str:
    """Answer text as a reader sees it: tags removed, entities decoded, whitespace folded."""
    plain = html.unescape(_TAG.sub(" ", text))
    return _WS.sub(" ", _TAG.sub(" ", plain)).strip()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text_of(node: Any, ids: dict[str, dict[str, Any]], *keys: str) -> str:
    if isinstance(node, dict) and set(node) <= {"@id", "@type"} and node.get("@id") in ids:
        node = ids[node["@id"]]
    if isinstance(node, str):
        return strip_html(node)
    if not isinstance(node, dict):
        return ""
    for key in keys:
        value = node.get(key)
        if isinstance(value, str) and value.strip():
            return strip_html(value)
    return ""


def schema_faqs(items: tuple[JsonLd, ...]) -> list[FaqPair]:
    """Question/acceptedAnswer pairs of every FAQPage, with @id references inside a @graph resolved."""
    pairs: list[FaqPair] = []
    for item in items:
        if item.error is not None:
            continue
        nodes = list(jsonld_nodes(item.data))
        ids = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
        for node in nodes:
            if "FAQPage" not in node_types(node):
                continue
            for entity in _as_list(node.get("mainEntity")):
                if isinstance(entity, dict) and set(entity) <= {"@id", "@type"}:
                    entity = ids.get(str(entity.get("@id")), entity)
                if not isinstance(entity, dict):
                    continue
                question = _text_of(entity, ids, "name", "text")
                answers = [_text_of(a, ids, "text", "name") for a in _as_list(entity.get("acceptedAnswer"))]
                answer = " ".join(a for a in answers if a)
                if question:
                    pairs.append(FaqPair(question, answer, "schema", item.locator, None))
    return pairs
