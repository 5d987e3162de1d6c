"""The ``rel05-lint`` command: check, fix, rules, explain.

Exit codes: 0 nothing found, 1 findings remain (REL001 included), 2 the tool
could not do its job (bad option, bad configuration, a path that does not exist).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from rel05_lint import __version__, registry
from rel05_lint.cli import output, stdin
from rel05_lint.cli.add_noqa import add_noqa as add_noqa_comments
from rel05_lint.cli.progress import Progress
from rel05_lint.core.config import ConfigError, Settings, check_selector, find_config, load, parse_default_timeout
from rel05_lint.core.pages import page
from rel05_lint.report import collect as review_collect
from rel05_lint.report import model as review_model
from rel05_lint.report import renderers as report_formats
from rel05_lint.runner import Job, run
from rel05_lint.runner.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from rel05_lint.runner.files import PathError, discover

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
    path: Path | None
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
        changes["default_timeout"] = parse_default_timeout(
            _number_or_name(changes["default_timeout"]), "--default-timeout"
        )
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
        click.option(
            "--select",
            multiple=True,
            metavar="CODES",
            help="Only these codes or prefixes (comma-separated; REL5, REL501, ALL).",
        ),
        click.option("--ignore", multiple=True, metavar="CODES", help="Turn off these codes or prefixes."),
        click.option(
            "--extend-select",
            multiple=True,
            metavar="CODES",
            help="Add codes or prefixes to the selection (e.g. off-by-default REL503).",
        ),
        click.option(
            "--config",
            type=click.Path(dir_okay=False),
            help="pyproject.toml to read [tool.rel05-lint] from (default: the nearest one).",
        ),
        click.option(
            "--default-timeout",
            metavar="SECONDS|NAME",
            help="Timeout that fixes insert: a number or a dotted name like myapp.settings.HTTP_TIMEOUT.",
        ),
        click.option(
            "--force-exclude",
            is_flag=True,
            help="Apply exclude patterns to paths named on the command line too (for pre-commit).",
        ),
        click.option(
            "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs)."
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(output.FORMATS),
            default="text",
            show_default=True,
            help="Output format.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def reporting(func):
    """Options for CI output and piped input, handed to the command as one ``out`` (output.Reporting)."""

    @functools.wraps(func)
    def wrapper(*args, output_file, exit_zero, statistics, stdin_filename, **kwargs):
        if statistics and kwargs.get("fmt") not in ("text", "json"):
            raise click.UsageError("--statistics prints a table (text) or its JSON form; use --format text or json")
        out = output.Reporting(output_file, exit_zero, statistics, stdin_filename)
        return func(*args, out=out, **kwargs)

    options = [
        click.option(
            "--output-file",
            "-o",
            type=click.Path(dir_okay=False),
            help="Write the report to this file instead of standard output.",
        ),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (errors still exit 2)."),
        click.option(
            "--statistics",
            is_flag=True,
            help="Print counts per rule (and how many are fixable) instead of the findings.",
        ),
        click.option(
            "--stdin-filename",
            metavar="PATH",
            help="Read the source from standard input and report it as PATH (config and per-file ignores apply as for PATH).",
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _stdin_name(paths, out, add_noqa: bool = False) -> str | None:
    try:
        name = stdin.requested(paths, out.stdin_filename)
    except stdin.StdinUsage as exc:
        click.echo(f"rel05-lint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    if name is not None and add_noqa:
        click.echo("rel05-lint: error: --add-noqa edits files; it cannot read standard input", err=True)
        sys.exit(EXIT_ERROR)
    return name


def _stdin_settings(name, config, overrides) -> Settings:
    try:
        return _settings((stdin.config_anchor(name),), config, **overrides)
    except ConfigError as exc:
        click.echo(f"rel05-lint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


class _Main(click.Group):
    """Exit 2 after a run in which a path named on the command line did not exist."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SystemExit as exc:
            if ctx.meta.get("rel05.path_errors") and exc.code in (EXIT_CLEAN, EXIT_FINDINGS, None):
                raise SystemExit(EXIT_ERROR) from None
            raise


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
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
    missing: list[str] = []
    try:
        settings = _settings(paths, config, **overrides)
        files = discover(list(paths) or ["."], settings, force_exclude, missing)
    except (ConfigError, PathError) as exc:
        click.echo(f"rel05-lint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    for problem in missing:
        click.echo(f"rel05-lint: error: {problem}", err=True)
    if missing:
        if not files:
            sys.exit(EXIT_ERROR)
        # The other paths are still checked; the run then exits 2 (see _Main).
        click.get_current_context().find_root().meta["rel05.path_errors"] = len(missing)
    return settings, files


@main.command()
@common
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add `# noqa: CODE` to every line with a finding (merged into an existing noqa comment): adopt the linter on legacy code.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    envvar="REL05_LINT_CACHE_DIR",
    help=f"Result cache folder (default: $REL05_LINT_CACHE_DIR, else {DEFAULT_CACHE_DIR} next to the configuration).",
)
@reporting
def check(
    paths,
    select,
    ignore,
    extend_select,
    config,
    default_timeout,
    force_exclude,
    jobs,
    fmt,
    add_noqa,
    no_cache,
    cache_dir,
    out,
):
    """Report findings in PATHS (files or folders; default: the current folder; `-` reads standard input)."""
    overrides = dict(select=select, ignore=ignore, extend_select=extend_select, default_timeout=default_timeout)
    name = _stdin_name(paths, out, add_noqa)
    if name is not None:
        settings = _stdin_settings(name, config, overrides)
        piped = stdin.check(settings, name, force_exclude and settings.is_excluded(name))
        sys.exit(output.finish(fmt, piped.findings, 1, settings, name, out, output.summary(piped.findings, 1)))
    settings, files = _prepare(paths, config, force_exclude, **overrides)
    if add_noqa:
        sys.exit(_add_noqa(files, settings, jobs, out))
    cache = None if no_cache else cache_dir or os.path.join(settings.root, DEFAULT_CACHE_DIR)
    result = _run(files, settings, Job("check", cache_dir=cache), jobs)
    findings = result.findings
    first = paths[0] if paths else None
    sys.exit(output.finish(fmt, findings, len(files), settings, first, out, output.summary(findings, len(files))))


def _add_noqa(files, settings, jobs, out) -> int:
    try:
        outcome = add_noqa_comments(files, settings, jobs)
    except KeyboardInterrupt:
        click.echo("rel05-lint: interrupted; files already written are complete, the rest are untouched", err=True)
        return EXIT_INTERRUPTED
    for note in outcome.notes:
        click.echo(f"rel05-lint: {note}", err=True)
    click.echo(output.text(outcome.remaining), nl=False)
    n, m = outcome.added, outcome.files
    click.echo(f"Added {n} noqa directive{'s' if n != 1 else ''} in {m} file{'s' if m != 1 else ''}.", err=True)
    return EXIT_FINDINGS if outcome.remaining and not out.exit_zero else EXIT_CLEAN


@main.command()
@common
@click.option(
    "--unsafe-fixes/--no-unsafe-fixes",
    default=None,
    help="Also apply fixes that change behaviour on purpose (bounding a call, a retry, a queue).",
)
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes and write nothing.")
@reporting
def fix(
    paths, select, ignore, extend_select, config, default_timeout, force_exclude, jobs, fmt, unsafe_fixes, diff, out
):
    """Apply fixes in PATHS, then report what remains (exit 1 while findings remain).

    With `-` (or --stdin-filename) the fixed source goes to standard output and the report to standard error.
    """
    overrides = dict(select=select, ignore=ignore, extend_select=extend_select, default_timeout=default_timeout)
    name = _stdin_name(paths, out)
    if name is not None:
        sys.exit(_fix_stdin(name, config, overrides, force_exclude, unsafe_fixes, diff, fmt, out))
    settings, files = _prepare(paths, config, force_exclude, **overrides)
    unsafe = settings.unsafe_fixes if unsafe_fixes is None else unsafe_fixes
    result = _run(files, settings, Job("fix", unsafe=unsafe, diff=diff), jobs)
    for note in result.notes:
        click.echo(f"rel05-lint: {note}", err=True)
    if diff:
        click.echo("".join(result.diffs), nl=False)
        changed = len(result.diffs)
        click.echo(f"{changed} file{'s' if changed != 1 else ''} would be changed.", err=True)
        sys.exit(EXIT_FINDINGS if (result.diffs or result.findings) and not out.exit_zero else EXIT_CLEAN)
    findings = result.findings
    fixed = result.fixes_applied
    line = f"Fixed {fixed} finding{'s' if fixed != 1 else ''}. " + output.summary(findings, len(files), not unsafe)
    sys.exit(output.finish(fmt, findings, len(files), settings, paths[0] if paths else None, out, line))


def _fix_stdin(name, config, overrides, force_exclude, unsafe_fixes, diff, fmt, out) -> int:
    settings = _stdin_settings(name, config, overrides)
    unsafe = settings.unsafe_fixes if unsafe_fixes is None else unsafe_fixes
    piped = stdin.fix(settings, name, force_exclude and settings.is_excluded(name), unsafe, diff)
    for note in piped.notes:
        click.echo(f"rel05-lint: {note}", err=True)
    stream = sys.stdout.buffer  # the fixed source, in the buffer's own encoding
    stream.write(piped.output or b"")
    stream.flush()
    fixed = piped.fixes_applied
    verb = "Would fix" if diff else "Fixed"
    line = f"{verb} {fixed} finding{'s' if fixed != 1 else ''}. " + output.summary(piped.findings, 1, not unsafe)
    code = output.finish(fmt, piped.findings, 1, settings, name, out, line, to_stderr=True)
    if diff and piped.output and not out.exit_zero:
        return EXIT_FINDINGS  # as for files: a diff means the buffer is not clean yet
    return code


def _run(files, settings, job, jobs):
    try:
        return run(files, settings, job, jobs, Progress(len(files)))
    except KeyboardInterrupt:
        click.echo("rel05-lint: interrupted; files already written are complete, the rest are untouched", err=True)
        sys.exit(EXIT_INTERRUPTED)


@main.command()
def server() -> None:
    """Run the language server over stdio, for editors (see the README's Editors section)."""
    from rel05_lint.server.main import serve  # pygls is loaded only for the server

    serve()


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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these codes or prefixes (the figures list the rules that fed them).",
)
@click.option("--ignore", multiple=True, metavar="CODES", help="Turn off these codes or prefixes.")
@click.option(
    "--extend-select",
    multiple=True,
    metavar="CODES",
    help="Add codes to the default set (e.g. off-by-default REL503 adds its figure).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="pyproject.toml to read [tool.rel05-lint] from (default: the nearest one).",
)
@click.option("--force-exclude", is_flag=True, help="Apply exclude patterns to paths named on the command line too.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(report_formats.FORMATS),
    default="markdown",
    show_default=True,
    help="markdown (step summary, PR comment), html (one self-contained page), json (dashboards).",
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many files and directories to list by findings.",
)
@click.option(
    "--fail-under",
    multiple=True,
    metavar="BPnn=PERCENT",
    help="Exit 1 when a best practice's share is below PERCENT (e.g. BP05=95; repeat or comma-separate).",
)
def report(paths, select, ignore, extend_select, config, force_exclude, jobs, fmt, output_file, top, fail_under):
    """The REL05 review: per best practice, the share of inspected sites in PATHS that follow it.

    Exit status: 0 report written, 1 a --fail-under share was missed, 2 usage or configuration error.
    Findings alone do not fail the report; `check` does that.
    """
    try:
        thresholds = review_model.parse_thresholds(fail_under)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-under") from None
    settings, files = _prepare(paths, config, force_exclude, select=select, ignore=ignore, extend_select=extend_select)
    try:
        results, codes = review_collect.survey(files, settings, jobs)
    except KeyboardInterrupt:
        click.echo("rel05-lint: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    review = review_model.build(results, codes, top, thresholds)
    text = report_formats.render(review, fmt)
    if output_file:
        Path(output_file).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    missed = [t for t in review.thresholds if not t.met]
    for t in missed:
        fig = review.practice(t.practice).headline
        assert fig is not None  # thresholds are only accepted for practices with a headline
        click.echo(
            f"rel05-lint: {t.practice} share {fig.ok} of {fig.sites} ({fig.share}%) is below --fail-under {t.minimum:g}%",
            err=True,
        )
    sys.exit(EXIT_FINDINGS if missed else EXIT_CLEAN)


if __name__ == "__main__":  # pragma: no cover
    main()
