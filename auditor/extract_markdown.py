"""Markdown drafts to Page: front matter gives title and description; the HTML extractor reads the rest."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

import yaml
from markdown_it import MarkdownIt

from auditor.extract_html import page_from_html
from auditor.models import Page

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # Raw HTML is allowed: drafts use <details> for FAQs, and it is the author's own text.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def split_front_matter(text: str) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    """(front matter, body, warnings); a block that is not a YAML mapping is reported, not read as prose."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}, text, ()
    body = text[found.end() :]
    try:
        data = yaml.safe_load(found.group(1))
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, body, (f"front matter is not valid YAML: {problem}",)
    if data is None:
        return {}, body, ()
    if not isinstance(data, dict):
        return {}, body, (f"front matter is a {type(data).__name__}, not a mapping of fields",)
    return data, body, ()


def _scalar(data: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
    return None


def markdown_to_html(text: str) -> tuple[str, tuple[str, ...]]:
    """A full HTML document whose <head> carries the front matter, so extraction treats it like a page."""
    data, body, warnings = split_front_matter(text)
    head: list[str] = []
    title = _scalar(data, "title")
    if title is not None:
        head.append(f"<title>{html.escape(title)}</title>")
    description = _scalar(data, "description", "meta_description", "summary")
    if description is not None:
        head.append(f'<meta name="description" content="{html.escape(description)}">')
    lang = _scalar(data, "lang", "language")
    lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
    rendered = _renderer().render(body)
    document = f"<!DOCTYPE html><html{lang_attr}><head>{''.join(head)}</head><body>{rendered}</body></html>"
    return document, warnings


def extract_markdown(text: str, url: str) -> Page:
    """Rendered by markdown-it-py and read by the HTML extractor, so both give the same model."""
    document, warnings = markdown_to_html(text)
    return page_from_html(
        document,
        url,
        source_kind="markdown",
        html_size=len(text.encode("utf-8")),
        encoding="utf-8",
        warnings=warnings,
    )
