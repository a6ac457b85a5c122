"""Renderers that turn a stored run (the JSON report document) into HTML, JSON and CSV files."""

from __future__ import annotations

from reports.index import write_index
from reports.json import render_json
from reports.render import render_run

__all__ = ["render_json", "render_run", "write_index"]
