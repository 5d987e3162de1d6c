"""The ``rel05-lint`` command: check, fix, rules, explain.

Exit codes: 0 nothing found, 1 findings remain (REL001 included), 2 the tool
could not do its job (bad option, bad configuration, a path that does not exist).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rel05_lint import __version__, output, registry
from rel05_lint.config import ConfigError, Settings, check_selector, find_config, load, parse_default_timeout
from rel05_lint.files import PathError, discover
from rel05_lint.pages import page
from rel05_lint.runner import Job, run

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _selectors(values: tuple[str, ...], option: str) -> tuple[str, ...] | None:
    if not values:
        return None
    out = []
    for value in values:
        for part in value.split(","):
            part = part.strip().upper()
            if part:
                check_selector(part, option)
                out.append(part)
    return tuple(out)


def _settings(paths: tuple[str, ...], config: str | None, **overrides) -> Settings:
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"{config}: configuration file not found")
    else:
        first = Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
        path = find_config(first if first.exists() else Path.cwd())
    settings = load(path)
    select = _selectors(overrides.pop("select"), "--select")
    ignore = _selectors(overrides.pop("ignore"), "--ignore")
    extend = _selectors(overrides.pop("extend_select"), "--extend-select")
    changes: dict = {k: v for k, v in overrides.items() if v is not None}
    if select is not None:
        changes["select"] = select
    if ignore is not None:
        changes["ignore"] = settings.ignore + ignore
    if extend is not None:
        changes["extend_select"] = settings.extend_select + extend
    if "default_timeout" in changes:
        changes["default_timeout"] = parse_default_timeout(_number_or_name(changes["default_timeout"]), "--default-timeout")
    return settings.with_overrides(**changes)


def _number_or_name(value: str):
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def common(func):
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--select", multiple=True, metavar="CODES", help="Only these codes or prefixes (comma-separated; REL5, REL501, ALL)."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Turn off these codes or prefixes."),
        click.option("--extend-select", multiple=True, metavar="CODES", help="Add codes or prefixes to the selection (e.g. off-by-default REL503)."),
        click.option("--config", type=click.Path(dir_okay=False), help="pyproject.toml to read [tool.rel05-lint] from (default: the nearest one)."),
        click.option("--default-timeout", metavar="SECONDS|NAME", help="Timeout that fixes insert: a number or a dotted name like myapp.settings.HTTP_TIMEOUT."),
        click.option("--force-exclude", is_flag=True, help="Apply exclude patterns to paths named on the command line too (for pre-commit)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs)."),
        click.option("--format", "fmt", type=click.Choice(output.FORMATS), default="text", show_default=True, help="Output format."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rel05-lint")
def main() -> None:
    """rel05-lint: find (and fix) code that makes distributed systems fall over.

    Rules follow AWS Well-Architected REL05: client timeouts (REL5xx), bounded
    retries with backoff and jitter (REL3xx), bounded queues (REL4xx),
    throttled fan-out (REL2xx), stateless handlers (REL6xx) and graceful
    degradation (REL1xx). Configure in [tool.rel05-lint] of pyproject.toml.

    Exit status: 0 clean, 1 findings, 2 usage or configuration error.
    """


def _prepare(paths, config, force_exclude, **overrides):
    try:
        settings = _settings(paths, config, **overrides)
        files = discover(list(paths) or ["."], settings, force_exclude)
    except (ConfigError, PathError) as exc:
        click.echo(f"rel05-lint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    return settings, files


@main.command()
@common
def check(paths, select, ignore, extend_select, config, default_timeout, force_exclude, jobs, fmt):
    """Report findings in PATHS (files or folders; default: the current folder)."""
    settings, files = _prepare(
        paths, config, force_exclude, select=select, ignore=ignore, extend_select=extend_select, default_timeout=default_timeout
    )
    result = _run(files, settings, Job("check"), jobs)
    findings = result.findings
    if fmt == "json":
        click.echo(output.as_json(findings), nl=False)
    else:
        click.echo(output.text(findings), nl=False)
        click.echo(output.summary(findings, len(files)))
    sys.exit(EXIT_FINDINGS if findings else EXIT_CLEAN)


@main.command()
@common
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply fixes that change behaviour on purpose (bounding a call, a retry, a queue).")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes and write nothing.")
def fix(paths, select, ignore, extend_select, config, default_timeout, force_exclude, jobs, fmt, unsafe_fixes, diff):
    """Apply fixes in PATHS, then report what remains (exit 1 while findings remain)."""
    settings, files = _prepare(
        paths, config, force_exclude, select=select, ignore=ignore, extend_select=extend_select, default_timeout=default_timeout
    )
    unsafe = settings.unsafe_fixes if unsafe_fixes is None else unsafe_fixes
    result = _run(files, settings, Job("fix", unsafe=unsafe, diff=diff), jobs)
    for note in result.notes:
        click.echo(f"rel05-lint: {note}", err=True)
    if diff:
        click.echo("".join(result.diffs), nl=False)
        changed = len(result.diffs)
        click.echo(f"{changed} file{'s' if changed != 1 else ''} would be changed.", err=True)
        sys.exit(EXIT_FINDINGS if result.diffs or result.findings else EXIT_CLEAN)
    findings = result.findings
    if fmt == "json":
        click.echo(output.as_json(findings), nl=False)
    else:
        click.echo(output.text(findings), nl=False)
        fixed = result.fixes_applied
        click.echo(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}. " + output.summary(findings, len(files), not unsafe))
    sys.exit(EXIT_FINDINGS if findings else EXIT_CLEAN)


def _run(files, settings, job, jobs):
    try:
        return run(files, settings, job, jobs)
    except KeyboardInterrupt:
        click.echo("rel05-lint: interrupted; files already written are complete, the rest are untouched", err=True)
        sys.exit(EXIT_INTERRUPTED)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(fmt):
    """List every rule: code, name, best practice, default, fix level."""
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "best_practice": r.best_practice,
            "default": "on" if r.default_enabled else "off",
            "fix": registry.fix_label(r),
            "summary": r.summary,
        }
        for r in registry.all_rules()
    ]
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'code':<7} {'name':<28} {'BP':<5} {'default':<8} {'fix':<13} summary")
    for row in rows:
        click.echo(
            f"{row['code']:<7} {row['name']:<28} {row['best_practice']:<5} {row['default']:<8} {row['fix']:<13} {row['summary']}"
        )


@main.command()
@click.argument("code")
def explain(code):
    """Print the documentation page of rule CODE (e.g. REL501)."""
    code = code.upper()
    if code not in registry.by_code():
        click.echo(f"rel05-lint: error: unknown rule {code}; `rel05-lint rules` lists them", err=True)
        sys.exit(EXIT_ERROR)
    text = page(code)
    if text is None:
        click.echo(f"rel05-lint: error: the page for {code} is missing from this installation", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
