"""The command line: parses arguments, calls the pipeline, prints where the reports are, sets the exit code."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.config import Config, SiteConfig, load_config
from auditor.errors import AuditorError
from auditor.models import SEVERITY_RANK

FAIL_ON_CHOICES = ("error", "warning", "info", "never")
FORMATS = ("html", "json", "csv", "pdf")


class UsageError(AuditorError):
    """Arguments that parse but make no sense together."""


def _formats(value: str) -> list[str]:
    chosen = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [v for v in chosen if v not in FORMATS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(bad) or value!r}; choose from html, json, csv, pdf")
    return chosen


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default ./config.yaml, else built-in defaults)")
    p.add_argument("--format", type=_formats, default=None, metavar="LIST",
                   help="report formats, comma-separated: html,json,csv,pdf (default from config; pdf needs WeasyPrint)")
    p.add_argument("--out", metavar="DIR", help="where to write reports; '-' prints the JSON report on stdout")
    p.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="error",
                   help="exit 1 when a finding at or above this severity remains (default: error)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor",
        description="Audit clinic web pages for unsafe claims, missing caveats, unanswered questions and SEO faults.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    audit = sub.add_parser("audit", help="audit URLs, a site, or local .html/.md/.txt files now")
    audit.add_argument("targets", nargs="+", metavar="TARGET", help="URL or local file (.html, .md, .txt)")
    audit.add_argument("--crawl", action="store_true", help="crawl the site of each URL, not only the page")
    audit.add_argument("--max-pages", type=_positive, metavar="N", help="stop a crawl after N pages")
    add_output_options(audit)
    audit.set_defaults(handler=cmd_audit)

    run = sub.add_parser("run", help="audit the sites configured in config.yaml now")
    add_output_options(run)
    run.set_defaults(handler=cmd_run)

    demo = sub.add_parser("demo", help="serve the bundled demo clinic site and audit it")
    demo.add_argument("--serve", action="store_true", help="only serve the demo site until interrupted")
    demo.add_argument("--port", type=int, default=8765, help="preferred port (a free one is used if taken)")
    add_output_options(demo)
    demo.set_defaults(handler=cmd_demo, fail_on="never")

    rules = sub.add_parser("rules", help="list the rules or explain one")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION")
    rules_sub.required = True
    rlist = rules_sub.add_parser("list", help="list every rule")
    rlist.add_argument("--config", metavar="PATH")
    rlist.add_argument("--category", help="only this category (claims, caveats, questions, accuracy, seo, crawl)")
    rlist.set_defaults(handler=cmd_rules_list)
    rexplain = rules_sub.add_parser("explain", help="explain one rule")
    rexplain.add_argument("rule_id", metavar="ID")
    rexplain.add_argument("--config", metavar="PATH")
    rexplain.set_defaults(handler=cmd_rules_explain)

    try:
        from auditor.cli_history import register
    except ImportError:  # the history commands ship with the store
        pass
    else:
        register(sub)
    return parser


# --- helpers --------------------------------------------------------------------------------------------------


def _counted(finding: Mapping[str, Any]) -> bool:
    return finding.get("state", "new") not in ("waived", "resolved")


def exit_code_for(doc: Mapping[str, Any], fail_on: str) -> int:
    """0 when nothing at or above `fail_on` remains (waived findings excluded), else 1."""
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    findings = [f for p in doc.get("pages", []) for f in p.get("findings", [])] + list(doc.get("site_findings", []))
    return 1 if any(_counted(f) and SEVERITY_RANK[f["severity"]] >= threshold for f in findings) else 0


def _print_summary(doc: Mapping[str, Any], paths: Sequence[Path]) -> None:
    s = doc.get("summary", {})
    sev = s.get("by_severity", {})
    run = doc.get("run", {})
    out = sys.stdout
    out.write(
        f"Run {run.get('id')} ({run.get('status')}): {s.get('pages', 0)} pages, {s.get('findings', 0)} findings "
        f"({sev.get('error', 0)} errors, {sev.get('warning', 0)} warnings, {sev.get('info', 0)} info)"
        f", health {s.get('health_score', 0):.0f}/100\n"
    )
    for path in paths:
        out.write(f"  {path}\n")


def render_reports(store: Any, run_id: str, args: argparse.Namespace, config: Config, default_dir: Path) -> int:
    from auditor.pipeline import render_stored_run

    doc = store.load_document(run_id)
    if args.out == "-":
        from reports import render_json

        sys.stdout.write(render_json(doc) + "\n")
        return exit_code_for(doc, args.fail_on)
    out_dir = Path(args.out) / run_id if args.out else default_dir / run_id
    formats = args.format or list(config.reports.formats)
    paths = render_stored_run(store, run_id, out_dir, formats)
    _write_index(store, out_dir.parent)
    _print_summary(doc, paths)
    return exit_code_for(doc, args.fail_on)


def _write_index(store: Any, out_root: Path) -> None:
    from reports import write_index

    runs = store.history(limit=200)
    present = [r for r in runs if (out_root / r["run"]["id"]).is_dir()]
    if present:
        write_index(present, out_root)


# --- commands -------------------------------------------------------------------------------------------------


def cmd_audit(args: argparse.Namespace) -> int:
    from auditor.pipeline import Pipeline

    config = load_config(args.config)
    if args.max_pages and not args.crawl:
        raise UsageError("--max-pages only makes sense with --crawl")
    pipeline = Pipeline(config, progress=sys.stderr.isatty() and args.out != "-")
    try:
        run_id = pipeline.audit(args.targets, crawl=args.crawl, max_pages=args.max_pages)
        return render_reports(pipeline.store, run_id, args, config, Path(config.reports.out_dir))
    finally:
        pipeline.store.close()


def cmd_run(args: argparse.Namespace) -> int:
    from auditor.pipeline import Pipeline

    config = load_config(args.config)
    pipeline = Pipeline(config, progress=sys.stderr.isatty() and args.out != "-")
    try:
        run_ids, busy = pipeline.run_sites(kind="run")
        for name in busy:
            sys.stderr.write(f"auditor: site {name!r} is being audited by another process; skipped\n")
        code = 0
        for run_id in run_ids:
            code = max(code, render_reports(pipeline.store, run_id, args, config, Path(config.reports.out_dir)))
        return code
    finally:
        pipeline.store.close()


def demo_config(base_url: str, out_root: Path, config_path: str | None) -> Config:
    """The embedded defaults plus the demo site; private addresses are allowed because the demo is on loopback."""
    base = load_config(config_path) if config_path else Config()
    data = base.model_dump(exclude={"source"})
    data["sites"] = [SiteConfig(name="Northfield Scalp Clinic (demo)", start_urls=[base_url], max_pages=100).model_dump()]
    data["crawl"]["allow_private"] = True
    if not config_path:
        data["storage"]["url"] = f"sqlite:///{(out_root / 'history.db').resolve()}"
    return Config.model_validate({**data, "source": config_path or "<demo defaults>"})


def cmd_demo(args: argparse.Namespace) -> int:
    from auditor.demo.server import serve_forever
    from auditor.pipeline import Pipeline

    if args.serve:
        serve_forever("127.0.0.1", args.port)
        return 0
    out_root = Path(args.out) if args.out and args.out != "-" else Path("reports-out/demo")
    out_root.mkdir(parents=True, exist_ok=True)
    with _demo_server(args.port) as base_url:
        sys.stderr.write(f"Demo clinic site serving at {base_url}\n")
        config = demo_config(base_url, out_root, args.config)
        pipeline = Pipeline(config, progress=sys.stderr.isatty())
        try:
            run_ids, _ = pipeline.run_sites(kind="demo")
            args.out = args.out if args.out == "-" else str(out_root)
            code = 0
            for run_id in run_ids:
                code = max(code, render_reports(pipeline.store, run_id, args, config, out_root))
        finally:
            pipeline.store.close()
    sys.stderr.write("Demo site stopped.\n")
    if args.out != "-":
        sys.stdout.write(f"Open {(out_root / 'index.html').resolve()} to browse every demo run.\n")
    return code


@contextmanager
def _demo_server(port: int) -> Iterator[str]:
    from auditor.demo.server import serve_demo

    try:
        cm = serve_demo("127.0.0.1", port)
        base = cm.__enter__()
    except OSError:  # preferred port taken: any free port will do
        cm = serve_demo("127.0.0.1", 0)
        base = cm.__enter__()
    try:
        yield base
    finally:
        cm.__exit__(None, None, None)


def _rules(config_path: str | None) -> dict[str, Any]:
    from checks.registry import load_checks, rules_index

    return rules_index(load_checks(load_config(config_path)))


def cmd_rules_list(args: argparse.Namespace) -> int:
    rules = _rules(args.config)
    for rule_id in sorted(rules):
        rule = rules[rule_id]
        if args.category and rule.category != args.category:
            continue
        sys.stdout.write(f"{rule_id:8} {rule.severity:8} {rule.category:9} {rule.failure_title}\n")
    return 0


def cmd_rules_explain(args: argparse.Namespace) -> int:
    rules = _rules(args.config)
    rule = rules.get(args.rule_id.upper())
    if rule is None:
        close = [r for r in sorted(rules) if r.startswith(args.rule_id.upper()[:3])][:8]
        hint = f" (known {args.rule_id.upper()[:3]} rules: {', '.join(close)})" if close else ""
        raise UsageError(f"no rule with id {args.rule_id!r}{hint}")
    w = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    parts = [
        f"{rule.id}: {rule.failure_title}",
        f"  Passing state: {rule.title}",
        f"  Category: {rule.category}   Severity: {rule.severity}   Scope: {rule.scope}"
        + (f"   Claim type: {rule.claim_type}" if rule.claim_type else ""),
        f"  Defined in: {rule.origin}",
        "",
        "Why it matters",
        w.fill(rule.rationale),
        "",
        "Source",
        w.fill(rule.source),
        "",
        "What it checks",
        w.fill(rule.docs.what),
        "",
        "Why",
        w.fill(rule.docs.why),
        "",
        "Example",
        w.fill(rule.docs.example),
        "",
        "Use instead",
        w.fill(rule.docs.instead),
        "",
        "Suggested fix",
        w.fill(rule.suggestion),
        "",
        "References",
        *[f"  - {ref}" for ref in rule.docs.references],
    ]
    sys.stdout.write("\n".join(parts) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.handler(args))
    except AuditorError as exc:
        message = str(exc).replace("\n", " ")
        sys.stderr.write(f"auditor: error: {message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("auditor: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
