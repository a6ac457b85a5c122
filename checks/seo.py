"""On-page SEO checks: Lighthouse's SEO audits, hygiene beyond them, structured data."""

from __future__ import annotations

from auditor.config import Config
from checks.seo_base import SeoPageCheck, seo_config
from checks.seo_content import CONTENT_RULES
from checks.seo_lighthouse import LIGHTHOUSE_RULES
from checks.seo_schema import SCHEMA_RULES

ALL_PAGE_RULES = LIGHTHOUSE_RULES + CONTENT_RULES + SCHEMA_RULES


def checks(config: Config | None = None) -> list[SeoPageCheck]:
    """Every page SEO check, one per rule, with thresholds from config.checks.seo."""
    seo = seo_config(config)
    return [SeoPageCheck(rule, fn, seo, gate) for rule, fn, gate in ALL_PAGE_RULES]
