"""The configuration schema and loader: validates config.yaml strictly and names file, field and reason on error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from auditor.errors import ConfigError

DEFAULT_CONFIG_NAME = "config.yaml"


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt option silently ignored is worse than a refusal."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(_Strict):
    name: str
    start_urls: list[str] = Field(min_length=1)
    include: list[str] = Field(default_factory=list)  # URL globs; empty means the whole site
    exclude: list[str] = Field(default_factory=list)
    max_pages: int = Field(default=500, ge=1)
    max_depth: int = Field(default=10, ge=0)
    sitemaps: list[str] = Field(default_factory=list)  # extra sitemap URLs beyond robots.txt and /sitemap.xml


class TimeoutConfig(_Strict):
    connect: float = Field(default=10.0, gt=0)
    read: float = Field(default=20.0, gt=0)
    total: float = Field(default=60.0, gt=0)


class CrawlConfig(_Strict):
    user_agent: str = "ClinicContentAuditor/0.1 (+https://example.invalid/auditor)"
    concurrency: int = Field(default=8, ge=1, le=256)
    per_host_concurrency: int = Field(default=4, ge=1, le=64)
    delay: float = Field(default=0.0, ge=0)  # seconds between requests to one host
    timeout: TimeoutConfig = Field(default_factory=TimeoutConfig)
    max_body_bytes: int = Field(default=5_000_000, ge=1024)
    max_redirects: int = Field(default=10, ge=0, le=50)
    retries: int = Field(default=2, ge=0, le=10)
    respect_robots: bool = True
    allow_private: bool = False
    request_budget: int = Field(default=5000, ge=1)
    per_host_budget: int = Field(default=2000, ge=1)
    drop_query_params: list[str] = Field(
        default_factory=lambda: ["utm_*", "gclid", "fbclid", "msclkid", "mc_cid", "mc_eid", "sessionid", "sid", "phpsessid"]
    )
    max_query_variants: int = Field(default=20, ge=1)  # per path: defends against query-parameter explosions
    slow_response_seconds: float = Field(default=3.0, gt=0)
    workers: int = Field(default=0, ge=0)  # analysis processes; 0 = one per core


class Waiver(_Strict):
    fingerprint: str
    reviewer: str
    reason: str
    expires: str | None = None  # ISO date
    created: str | None = None


class ClaimsConfig(_Strict):
    rule_packs: list[str] = Field(default_factory=lambda: ["smp"])  # names under checks/rules or paths


class CaveatsConfig(_Strict):
    treatment_pages: list[str] = Field(
        default_factory=lambda: ["*treatment*", "*scalp-micropigmentation*", "*smp*", "*procedure*"]
    )
    exclude_pages: list[str] = Field(default_factory=lambda: ["*contact*", "*privacy*", "*terms*", "*cookie*"])
    detect_by_topic: bool = True


class QuestionsConfig(_Strict):
    packs: list[str] = Field(default_factory=lambda: ["smp"])
    min_score: float = Field(default=0.5, ge=0, le=1)
    snippet_min_words: int = 15
    snippet_max_words: int = 120


class SeoConfig(_Strict):
    title_min: int = 20
    title_max: int = 60
    description_min: int = 70
    description_max: int = 160
    thin_content_words: int = 300
    large_html_bytes: int = 500_000
    long_url_chars: int = 115
    max_crawl_depth: int = 4
    near_duplicate_threshold: float = Field(default=0.9, ge=0, le=1)
    readability_min_flesch: float = 50.0
    long_sentence_words: int = 20
    long_sentence_share: float = 0.25


class ChecksConfig(_Strict):
    select: list[str] = Field(default_factory=lambda: ["ALL"])
    ignore: list[str] = Field(default_factory=list)
    per_page_ignores: dict[str, list[str]] = Field(default_factory=dict)
    claims: ClaimsConfig = Field(default_factory=ClaimsConfig)
    caveats: CaveatsConfig = Field(default_factory=CaveatsConfig)
    questions: QuestionsConfig = Field(default_factory=QuestionsConfig)
    seo: SeoConfig = Field(default_factory=SeoConfig)


class StorageConfig(_Strict):
    url: str = "sqlite:///.auditor/auditor.db"


class ReportsConfig(_Strict):
    out_dir: str = "reports-out"
    formats: list[Literal["html", "json", "csv"]] = Field(default_factory=lambda: ["html", "json", "csv"])


class ScheduleConfig(_Strict):
    cron: str = "0 7 * * mon"
    timezone: str = "Europe/London"
    misfire_grace_days: int = Field(default=3, ge=1)


class EmailConfig(_Strict):
    enabled: bool = False
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    sender: str = "auditor@localhost"
    recipients: list[str] = Field(default_factory=list)
    username_env: str = "AUDITOR_SMTP_USER"
    password_env: str = "AUDITOR_SMTP_PASSWORD"
    retries: int = 3


class Config(_Strict):
    sites: list[SiteConfig] = Field(default_factory=list)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    checks: ChecksConfig = Field(default_factory=ChecksConfig)
    waivers: list[Waiver] = Field(default_factory=list)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    source: str = Field(default="<built-in defaults>", exclude=True)

    @field_validator("sites")
    @classmethod
    def _unique_site_names(cls, sites: list[SiteConfig]) -> list[SiteConfig]:
        names = [s.name for s in sites]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"site names must be unique; repeated: {', '.join(dupes)}")
        return sites


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in err.get("loc", ())) or "(top level)"
    msg = str(err.get("msg", "invalid"))
    if err.get("type") == "extra_forbidden":
        msg = "unknown key"
    elif "input" in err and err.get("type") not in ("missing",) and not isinstance(err["input"], (dict, list)):
        msg = f"{msg} (got {err['input']!r})"
    return f"{loc}: {msg}"


def parse_config(data: Any, source: str) -> Config:
    """Validate already-parsed YAML; `source` names the file in every error message."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of sections, not {type(data).__name__}")
    try:
        return Config.model_validate({**data, "source": source})
    except ValidationError as exc:
        errors = exc.errors()
        first = _describe(dict(errors[0]))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{source}: {first}{more}") from None


def load_config(path: str | Path | None = None) -> Config:
    """Load `path`, else ./config.yaml when present, else the built-in defaults."""
    if path is None:
        default = Path(DEFAULT_CONFIG_NAME)
        if not default.exists():
            return Config()
        path = default
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: config file not found")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read config file ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{p}: invalid YAML{where}: {problem}") from None
    return parse_config(data, str(p))
