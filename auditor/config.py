"""The configuration schema and loader: validates config.yaml strictly and names file, field and reason on error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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
    # Politeness and retries: a hostile robots.txt or Retry-After must not stall a run for hours.
    max_crawl_delay: float = Field(default=10.0, ge=0)  # cap on robots.txt Crawl-delay, seconds
    max_retry_after: float = Field(default=30.0, ge=0)  # longer Retry-After values are not waited for
    retry_backoff: float = Field(default=0.5, ge=0)  # first retry wait; doubles each time
    # Scope and trap defences.
    strip_trailing_slash: bool = False  # treat /about/ and /about as one page
    max_url_length: int = Field(default=1024, ge=64)
    max_path_segments: int = Field(default=16, ge=1)
    max_repeated_segment: int = Field(default=3, ge=2)  # /a/b/a/b/a/b: a path segment seen this often is a trap
    max_numeric_variants: int = Field(default=200, ge=1)  # URLs differing only in numbers (calendars, ids)
    calendar_years_ahead: int = Field(default=2, ge=0)  # dated URLs further in the future are calendar traps
    max_sitemaps: int = Field(default=50, ge=1)  # sitemap files fetched per site, index children included
    max_sitemap_urls: int = Field(default=50_000, ge=1)


class Waiver(_Strict):
    fingerprint: str
    reviewer: str
    reason: str
    expires: str | None = None  # ISO date
    created: str | None = None


class ClaimsConfig(_Strict):
    rule_packs: list[str] = Field(default_factory=lambda: ["smp"])  # names under checks/rules or paths
    report_cleared: bool = False  # also report claims a context cue cleared, as info, with the cue


class CaveatsConfig(_Strict):
    # Pages that must carry the caveats. Path globs: a blog post's slug often names the treatment too.
    treatment_pages: list[str] = Field(
        default_factory=lambda: ["*/treatments/*", "*/treatment/*", "*/services/*", "*/procedures/*"]
    )
    exclude_pages: list[str] = Field(default_factory=lambda: ["*contact*", "*privacy*", "*terms*", "*cookie*"])
    detect_by_topic: bool = True  # also pages whose content is about a treatment (see checks/caveats.py)
    rule_packs: list[str] = Field(default_factory=lambda: ["smp"])  # names under checks/rules, or paths
    topic_min_mentions: int = Field(default=5, ge=1)  # treatment-term mentions that make a treatment page
    topic_min_words: int = Field(default=150, ge=0)  # shorter pages are never treatment pages by topic
    # Articles, FAQs and guides inform about a treatment rather than offer it: not treatment pages by topic.
    article_pages: list[str] = Field(
        default_factory=lambda: [
            "*/blog/*", "*/blog", "*/news/*", "*/articles/*", "*/article/*", "*/guides/*", "*/faq*",
            "*/reviews*", "*/testimonials*",
        ]
    )


class QuestionsConfig(_Strict):
    packs: list[str] = Field(default_factory=lambda: ["smp"])
    min_score: float = Field(default=0.5, ge=0, le=1)
    snippet_min_words: int = 15
    snippet_max_words: int = 120
    snippet_ideal_min: int = Field(default=40, ge=1)  # the length search engines quote whole (quality note only)
    snippet_ideal_max: int = Field(default=60, ge=1)
    max_pages_listed: int = Field(default=25, ge=1)  # pages per question in the report's question matrix


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
    # Added for the SEO checks (checks/seo_*.py, checks/site.py); docs/seo.md explains each.
    readability_min_words: int = Field(default=100, ge=1)  # shorter main text is not scored for readability
    readability_min_sentences: int = Field(default=5, ge=1)
    language_min_words: int = Field(default=40, ge=1)  # fewer words cannot show which language a page is in
    slow_response_seconds: float = Field(default=3.0, gt=0)
    session_params: list[str] = Field(
        default_factory=lambda: ["sid", "sessionid", "session_id", "phpsessid", "jsessionid", "aspsessionid", "sessid"]
    )
    open_graph_properties: list[str] = Field(default_factory=lambda: ["og:title", "og:description", "og:image"])
    near_duplicate_min_words: int = Field(default=50, ge=1)  # thinner pages are left to the thin-content check
    shingle_words: int = Field(default=5, ge=1)
    max_redirect_hops: int = Field(default=1, ge=0)  # more hops than this is a redirect chain


class ChecksConfig(_Strict):
    select: list[str] = Field(default_factory=lambda: ["ALL"])
    ignore: list[str] = Field(default_factory=list)
    per_page_ignores: dict[str, list[str]] = Field(default_factory=dict)
    claims: ClaimsConfig = Field(default_factory=ClaimsConfig)
    caveats: CaveatsConfig = Field(default_factory=CaveatsConfig)
    questions: QuestionsConfig = Field(default_factory=QuestionsConfig)
    seo: SeoConfig = Field(default_factory=SeoConfig)


class StorageConfig(_Strict):
    url: str = "sqlite:///.auditor/auditor.db"  # or postgresql://user@host/db (password: URL or PGPASSWORD)
    # A run left 'running' by a process on another host (so its pid cannot be checked) is called interrupted
    # once it has recorded nothing for this long.
    stale_run_hours: float = Field(default=6.0, gt=0)


class ReportsConfig(_Strict):
    out_dir: str = "reports-out"
    formats: list[Literal["html", "json", "csv", "pdf"]] = Field(
        default_factory=lambda: list[Literal["html", "json", "csv", "pdf"]](["html", "json", "csv"])
    )


class ScheduleConfig(_Strict):
    cron: str = "0 7 * * mon"
    timezone: str = "Europe/London"
    misfire_grace_days: int = Field(default=3, ge=1)
    catch_up: bool = True  # at start, run once if the last scheduled time passed while no scheduler was up


class EmailConfig(_Strict):
    enabled: bool = False
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    sender: str = "auditor@localhost"
    recipients: list[str] = Field(default_factory=list)
    username_env: str = "AUDITOR_SMTP_USER"
    password_env: str = "AUDITOR_SMTP_PASSWORD"
    retries: int = Field(default=3, ge=0, le=10)
    ssl: bool = False  # SMTPS (usually port 465) instead of plain SMTP with optional STARTTLS
    timeout: float = Field(default=30.0, gt=0)
    retry_backoff: float = Field(default=5.0, ge=0)  # seconds before the first retry; doubles each time
    subject_prefix: str = "[Clinic Content Auditor]"
    top_findings: int = Field(default=5, ge=0, le=50)

    @model_validator(mode="before")
    @classmethod
    def _no_credentials_in_file(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("password", "username", "user"):
                if key in data:
                    env = "password_env" if key == "password" else "username_env"
                    raise ValueError(
                        f"email.{key}: SMTP credentials are never read from the config file; set the "
                        f"environment variable named by email.{env} instead"
                    )
        return data


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
