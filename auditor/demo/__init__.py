"""The bundled demo: a fictional clinic site with planted faults, and the list of what was planted."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

SITE_NAME = "Northfield Scalp Clinic"
# Absolute URLs in the site are written with this placeholder; the server fills in its real address,
# because the port is only known once it is running.
BASE_PLACEHOLDER = "{{BASE}}"


def site_root() -> Traversable:
    """The packaged site files, read through importlib.resources so an installed wheel works too."""
    return files(__name__).joinpath("site")


def load_expected() -> dict[str, Any]:
    """What was planted in the demo site (claims, missing caveats, questions, SEO faults), for tests."""
    data = yaml.safe_load(files(__name__).joinpath("expected.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("auditor/demo/expected.yaml must hold a mapping")
    return data


def html_pages(root: Traversable | None = None) -> list[str]:
    """Site-relative paths of every HTML page, sorted (e.g. "blog/index.html")."""
    found: list[str] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".html"):
                found.append(prefix + child.name)

    walk(root if root is not None else site_root(), "")
    return sorted(found)


def page_url(base_url: str, page: str) -> str:
    """Where the server serves a page: an index file at its directory ("blog/index.html" -> "blog/")."""
    if page == "index.html":
        return base_url
    if page.endswith("/index.html"):
        return base_url + page.removesuffix("index.html")
    return base_url + page
