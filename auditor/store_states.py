"""Week over week, from fingerprints: which findings are new, persisting, resolved, waived or expired."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

# Runs are compared with earlier runs of the same family: a scheduled run and a manual `auditor run` audit the
# same configured sites, while an ad hoc audit or the demo only follow their own kind.
_KIND_FAMILY: dict[str, tuple[str, ...]] = {
    "scheduled": ("scheduled", "run"),
    "run": ("scheduled", "run"),
}


def kind_family(kind: str) -> tuple[str, ...]:
    return _KIND_FAMILY.get(kind, (kind,))


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def waiver_view(w: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The `waiver` object of a finding in the report document."""
    return {
        "reviewer": w.get("reviewer"),
        "reason": w.get("reason"),
        "expires": w.get("expires"),
        "created": w.get("created"),
        "source": source,
    }


def waiver_index(
    store_waivers: Iterable[Mapping[str, Any]], config_waivers: Iterable[Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """fingerprint -> waiver; the signed-off register in the store wins over a waiver written in config."""
    index: dict[str, dict[str, Any]] = {}
    for w in config_waivers:
        index[str(w["fingerprint"])] = waiver_view(w, "config")
    for w in store_waivers:
        index[str(w["fingerprint"])] = waiver_view(w, "store")
    return index


def waiver_holds(waiver: Mapping[str, Any], on: date) -> bool:
    """A waiver holds through its expiry day; one without an expiry holds until revoked."""
    expires = parse_day(waiver.get("expires"))
    return expires is None or expires >= on


def assign_states(
    findings: Iterable[dict[str, Any]],
    previous: set[str],
    waivers: Mapping[str, Mapping[str, Any]],
    on: date,
) -> None:
    """Set `state` and `waiver` in place; `on` is the run's day, so a re-render shows what held then."""
    for f in findings:
        waiver = waivers.get(str(f.get("fingerprint")))
        if waiver is not None and waiver_holds(waiver, on):
            f["state"], f["waiver"] = "waived", dict(waiver)
        elif waiver is not None:
            f["state"], f["waiver"] = "expired_waiver", dict(waiver)
        else:
            f["state"] = "persisting" if f.get("fingerprint") in previous else "new"
            f["waiver"] = None


def resolved_findings(
    previous: Sequence[Mapping[str, Any]],
    current: set[str],
    audited_urls: set[str] | None,
) -> list[dict[str, Any]]:
    """Findings of the previous run that are gone. For a partial run (`audited_urls` given) only pages it did
    reach can show a finding resolved: a page never fetched proves nothing."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for f in previous:
        fp = str(f.get("fingerprint"))
        if fp in current or fp in seen:
            continue
        if audited_urls is not None and f.get("url") not in audited_urls:
            continue
        seen.add(fp)
        entry = dict(f)
        entry["state"] = "resolved"
        entry["waiver"] = None
        out.append(entry)
    return out


def diff_findings(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """What changed from run A to run B: B's new and persisting findings, and A's findings B no longer has."""
    fa = {str(f.get("fingerprint")) for f in a}
    fb = {str(f.get("fingerprint")) for f in b}
    out: dict[str, list[dict[str, Any]]] = {"new": [], "resolved": [], "persisting": []}
    seen: set[str] = set()
    for f in b:
        fp = str(f.get("fingerprint"))
        if fp in seen:
            continue
        seen.add(fp)
        out["persisting" if fp in fa else "new"].append(dict(f))
    seen.clear()
    for f in a:
        fp = str(f.get("fingerprint"))
        if fp not in fb and fp not in seen:
            seen.add(fp)
            out["resolved"].append(dict(f))
    return out
