"""The schema.org properties search engines need per type, as data, and the walk that finds which are missing.

Paths: "name" is a property of the node; "address.streetAddress" reads inside a nested object; "mainEntity[]"
applies what follows to every item of a list (a single object counts as a list of one); "a|b" is satisfied by
either. A property is present when its value is not empty (None, "", [] and {} are empty).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

GOOGLE_LOCAL_BUSINESS = "https://developers.google.com/search/docs/appearance/structured-data/local-business"
GOOGLE_FAQ = "https://developers.google.com/search/docs/appearance/structured-data/faqpage"
GOOGLE_ARTICLE = "https://developers.google.com/search/docs/appearance/structured-data/article"
SCHEMA_MEDICAL_PROCEDURE = "https://schema.org/MedicalProcedure"
SCHEMA_MEDICAL_CLINIC = "https://schema.org/MedicalClinic"


@dataclass(frozen=True)
class TypeSpec:
    """One schema type's needs: `required` gates rich results; `recommended` completes them."""

    name: str
    types: frozenset[str]  # the @type values (the type and its common subtypes) this spec applies to
    required: tuple[str, ...]
    recommended: tuple[str, ...]
    source: str
    note: str = ""


_ADDRESS_PARTS = (
    "address.streetAddress",
    "address.addressLocality",
    "address.postalCode",
    "address.addressCountry",
)

SCHEMA_SPECS: tuple[TypeSpec, ...] = (
    TypeSpec(
        name="MedicalClinic",
        types=frozenset({"MedicalClinic"}),
        required=("name", "address"),
        recommended=(
            "telephone",
            "url",
            "openingHoursSpecification|openingHours",
            "image",
            "geo",
            "medicalSpecialty|availableService",
            *_ADDRESS_PARTS,
        ),
        source=f"{GOOGLE_LOCAL_BUSINESS} ; {SCHEMA_MEDICAL_CLINIC}",
        note="MedicalClinic is a LocalBusiness: Google's local business requirements apply in full.",
    ),
    TypeSpec(
        name="LocalBusiness",
        types=frozenset(
            {
                "LocalBusiness",
                "MedicalBusiness",
                "Dentist",
                "Physician",
                "Optician",
                "Pharmacy",
                "HealthAndBeautyBusiness",
                "BeautySalon",
                "DaySpa",
                "HairSalon",
                "NailSalon",
                "TattooParlor",
                "HealthClub",
                "ProfessionalService",
                "Store",
                "MedicalOrganization",
            }
        ),
        required=("name", "address"),
        recommended=(
            "telephone",
            "url",
            "openingHoursSpecification|openingHours",
            "image",
            "geo",
            *_ADDRESS_PARTS,
        ),
        source=GOOGLE_LOCAL_BUSINESS,
    ),
    TypeSpec(
        name="MedicalProcedure",
        types=frozenset(
            {
                "MedicalProcedure",
                "TherapeuticProcedure",
                "DiagnosticProcedure",
                "SurgicalProcedure",
                "PalliativeProcedure",
                "PhysicalExam",
                "MedicalTherapy",
                "PhysicalTherapy",
                "OccupationalTherapy",
                "RadiationTherapy",
                "PsychologicalTreatment",
            }
        ),
        required=("name", "description"),
        recommended=("procedureType", "bodyLocation", "howPerformed", "preparation", "followup"),
        source=SCHEMA_MEDICAL_PROCEDURE,
        note="No search engine rich result needs it; these are the schema.org properties that describe it "
        "usefully.",
    ),
    TypeSpec(
        name="FAQPage",
        types=frozenset({"FAQPage"}),
        required=(
            "mainEntity",
            "mainEntity[].name",
            "mainEntity[].acceptedAnswer",
            "mainEntity[].acceptedAnswer.text",
        ),
        recommended=(),
        source=GOOGLE_FAQ,
    ),
    TypeSpec(
        name="Article",
        types=frozenset(
            {
                "Article",
                "NewsArticle",
                "BlogPosting",
                "ScholarlyArticle",
                "MedicalScholarlyArticle",
                "TechArticle",
                "Report",
                "AnalysisNewsArticle",
                "OpinionNewsArticle",
                "ReportageNewsArticle",
            }
        ),
        required=("headline", "author", "datePublished"),
        recommended=("image", "dateModified", "author[].name", "publisher"),
        source=GOOGLE_ARTICLE,
        note=(
            "Google lists these as recommended; we require headline, author and datePublished because health"
            " content is judged on who wrote it and when."
        ),
    ),
)


def type_names(node: Mapping[str, Any]) -> tuple[str, ...]:
    """@type values without vocabulary prefix ("https://schema.org/Dentist" -> "Dentist")."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    names = []
    for value in values:
        if isinstance(value, str) and value.strip():
            name = value.strip().rstrip("/")
            for sep in ("/", ":", "#"):
                name = name.rsplit(sep, 1)[-1]
            names.append(name)
    return tuple(names)


def specs_for(node: Mapping[str, Any]) -> list[TypeSpec]:
    """The specs that apply; the most specific wins (a MedicalClinic is not also a LocalBusiness)."""
    names = set(type_names(node))
    found = [spec for spec in SCHEMA_SPECS if names & spec.types]
    if any(spec.name == "MedicalClinic" for spec in found):
        found = [spec for spec in found if spec.name != "LocalBusiness"]
    return found


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, dict)):
        return bool(value)
    return True


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _missing(node: Any, steps: list[str], shown: str) -> list[str]:
    """The concrete paths (with item numbers) under `node` where `steps` is not satisfied."""
    if not steps:
        return []
    step, rest = steps[0], steps[1:]
    is_each = step.endswith("[]")
    key = step[:-2] if is_each else step
    value = node.get(key) if isinstance(node, Mapping) else None
    here = f"{shown}.{key}" if shown else key
    if not _present(value):
        return [here] if not is_each else []  # an absent list is reported by its own path ("mainEntity")
    if not rest:
        return []
    if is_each:
        out: list[str] = []
        items = _as_list(value)
        for number, item in enumerate(items, start=1):
            label = f"{here}[{number}]" if len(items) > 1 else here
            out.extend(_missing(item, rest, label))
        return out
    if isinstance(value, list):
        value = value[0] if value else None
    return _missing(value, rest, here)


def missing_paths(node: Mapping[str, Any], path: str) -> list[str]:
    """Where `path` (alternatives allowed) is unmet in `node`; empty when an alternative is met."""
    best: list[str] | None = None
    for alternative in path.split("|"):
        missing = _missing(node, alternative.strip().split("."), "")
        if not missing:
            return []
        if best is None:
            best = missing
    if best is not None and "|" in path and len(best) == 1 and best[0] == path.split("|")[0]:
        return [path.replace("|", " or ")]
    return best or []


def iter_nodes(data: Any) -> Iterator[Mapping[str, Any]]:
    """Top-level entities of a JSON-LD document: the object(s), @graph members, and a WebPage's mainEntity."""
    stack = list(reversed(_as_list(data)))
    while stack:
        item = stack.pop()
        if not isinstance(item, Mapping):
            continue
        if "@graph" in item:
            stack.extend(reversed(_as_list(item["@graph"])))
        if "@type" in item:
            yield item
            if set(type_names(item)) & {
                "WebPage",
                "MedicalWebPage",
                "AboutPage",
                "ItemPage",
                "CollectionPage",
            }:
                stack.extend(reversed(_as_list(item.get("mainEntity"))))
