"""Static SVG charts drawn by matplotlib's SVG backend, cleaned so they can sit inline in the report."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reports.model import TrendPoint

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PALETTE = ("#2457a6", "#1b8a6b", "#a63d91", "#c46a00", "#5b6b7a", "#7a4fd6")
SEVERITY_COLOURS = ("#c62828", "#e0a100", "#6b8fc7")  # error, warning, info
_ALLOWED_TAGS = frozenset(
    {
        "svg",
        "g",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "defs",
        "clipPath",
        "use",
        "title",
        "desc",
    }
)
_URL_REF = re.compile(r"url\(#([^)]+)\)")


def sanitise_svg(svg: str, prefix: str, title: str = "") -> str:
    """Keep drawing elements only, no scripts, handlers or outside references; give ids a per-chart prefix.

    The SVG is our own, yet it sits inline in a page about untrusted content, so it is held to the same rule
    as everything else: nothing in it can run or fetch. Text is re-serialised, hence escaped, by ElementTree.
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    if _local(root.tag) != "svg":
        raise ValueError("not an SVG document")
    _clean(root, prefix, _referenced(svg))
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("role", "img")
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    if title:
        label = ET.Element(f"{{{SVG_NS}}}title")
        label.text = title
        root.insert(0, label)
    return ET.tostring(root, encoding="unicode").replace(f' xmlns:xlink="{XLINK_NS}"', "")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _referenced(svg: str) -> frozenset[str]:
    """Ids something points at; the rest are dropped, which keeps the inline SVG small."""
    return frozenset(re.findall(r'href="#([^"]+)"', svg)) | frozenset(_URL_REF.findall(svg))


def _clean(el: ET.Element, prefix: str, keep: frozenset[str]) -> None:
    for child in list(el):
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag.startswith(f"{{{SVG_NS}}}") or _local(tag) not in _ALLOWED_TAGS:
            el.remove(child)
            continue
        _clean(child, prefix, keep)
    for name in list(el.attrib):
        attr = _local(name)
        value = el.attrib[name]
        if attr.lower().startswith("on") or (attr == "style" and ("url(" in value or "expression" in value)):
            del el.attrib[name]
        elif attr == "href":
            del el.attrib[name]
            if value.startswith("#"):
                el.set("href", "#" + prefix + value[1:])
        elif attr == "id":
            if value in keep:
                el.set(name, prefix + value)
            else:
                del el.attrib[name]
        elif "url(" in value:
            if re.search(r"url\((?!#)", value):
                del el.attrib[name]
            else:
                el.set(name, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=72)


_RC: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "clinic-content-auditor",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "text.parse_math": False,
    "axes.edgecolor": "#c5ccd6",
    "axes.labelcolor": "#3b4654",
    "xtick.color": "#5b6675",
    "ytick.color": "#5b6675",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _save(fig: Figure, title: str, prefix: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return sanitise_svg(buf.getvalue(), prefix, title)


def trend_chart(points: Sequence[TrendPoint], prefix: str = "trend-") -> str:
    """Health score of the last runs, one line for the whole run and one per site when there are several."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 2.6)
        ax = fig.add_subplot(1, 1, 1)
        xs = list(range(len(points)))
        labels = [p.label for p in points]
        names = sorted({name for p in points for name, _ in p.sites})
        if len(names) > 1:
            for i, name in enumerate(names):
                ys = [dict(p.sites).get(name) for p in points]
                pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
                if pairs:
                    ax.plot(
                        [x for x, _ in pairs],
                        [y for _, y in pairs],
                        marker="o",
                        linewidth=1.6,
                        markersize=4,
                        color=PALETTE[(i + 1) % len(PALETTE)],
                        label=name,
                    )
        pairs = [(x, p.health) for x, p in zip(xs, points, strict=True) if p.health is not None]
        if pairs:
            ax.plot(
                [x for x, _ in pairs],
                [y for _, y in pairs],
                marker="o",
                linewidth=2.4,
                markersize=5,
                color=PALETTE[0],
                label="All sites" if len(names) > 1 else "Health score",
            )
            last_x, last_y = pairs[-1]
            ax.annotate(
                f"{last_y:.0f}",
                (last_x, last_y),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                color=PALETTE[0],
                fontsize=10,
                fontweight="bold",
            )
        ax.set_ylim(0, 105)
        ax.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
        ax.set_xticks(xs)
        ax.set_xticklabels(
            labels, rotation=0 if len(points) <= 6 else 30, ha="center" if len(points) <= 6 else "right"
        )
        ax.set_ylabel("Health score (%)")
        ax.grid(axis="y", color="#e6e9ee", linewidth=0.8)
        ax.set_axisbelow(True)
        if len(names) > 1:
            ax.legend(loc="lower left", frameon=False, fontsize=9, ncol=min(4, len(names) + 1))
        return _save(fig, "Health score over the last runs", prefix)


def findings_chart(points: Sequence[TrendPoint], prefix: str = "sev-") -> str:
    """Open findings per run, stacked by severity, so a week's progress reads at a glance."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 2.6)
        ax = fig.add_subplot(1, 1, 1)
        xs = list(range(len(points)))
        bottom = [0] * len(points)
        for idx, (name, colour) in enumerate(
            zip(("Errors", "Warnings", "Info"), SEVERITY_COLOURS, strict=True)
        ):
            values = [p.by_severity[idx] for p in points]
            ax.bar(xs, values, bottom=bottom, color=colour, width=0.6, label=name)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xticks(xs)
        ax.set_xticklabels(
            [p.label for p in points],
            rotation=0 if len(points) <= 6 else 30,
            ha="center" if len(points) <= 6 else "right",
        )
        ax.set_xlim(-0.6, max(len(points) - 0.4, 0.6))
        ax.set_ylabel("Open findings")
        ax.grid(axis="y", color="#e6e9ee", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", frameon=False, fontsize=9, ncol=3, bbox_to_anchor=(0, 1.15))
        return _save(fig, "Open findings by severity over the last runs", prefix)
