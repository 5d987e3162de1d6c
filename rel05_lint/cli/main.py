"""The ``rel05-lint`` command: check (with --fix), fix (its alias), rules, explain, report.

Exit codes: 0 nothing found, 1 findings remain (REL001 included), 2 the tool
could not do its job (bad option, bad configuration, a path that does not
exist or cannot be read, a fix that could not be written).

Heavy modules (the rules, libcst) are imported inside the commands that need
them, so ``--version``, ``--help`` and ``explain`` start fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import NoReturn

import click

from rel05_lint import __version__
from rel05_lint.cli import output
from rel05_lint.core.config import (
    ConfigError,
    Resolver,
    Settings,
    check_selector,
    cli_patterns,
    parse_default_timeout,
)
from rel05_lint.core.findings import shown_path

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_CACHE_DIR = ".rel05_lint_cache"  # runner.cache.DEFAULT_DIR, without importing the runner


def _known_codes() -> frozenset[str]:
    from rel05_lint import registry

    return frozenset(registry.by_code()) | frozenset(registry.TOOL_CODES)


def _selectors(values: tuple[str, ...], option: str, known: frozenset[str]) -> tuple[str, ...] | None:
    if not values:
        return None
    out = []
    for value in values:
        for part in value.split(","):
            part = part.strip().upper()
            if part:
                out.append(check_selector(part, option, known))
    if not out:
        check_selector("", option)  # raises: `--select ""` selects nothing
    return tuple(out)


def _patterns(values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    return cli_patterns(tuple(p.strip() for v in values for p in v.split(",") if p.strip()))


def _per_file(values: tuple[str, ...], option: str, known: frozenset[str]) -> tuple | None:
    if not values:
        return None
    out = []
    for value in values:
        pattern, sep, codes = value.rpartition(":")
        if not sep or not pattern:
            raise ConfigError(f"{option}: expected PATTERN:CODES (e.g. 'tests/*:REL5'), got {value!r}")
        selected = _selectors((codes,), option, known) or ()
        out.append((cli_patterns((pattern,))[0], selected))
    return tuple(out)


def _adjuster(opts: dict) -> Callable[[Settings], Settings]:
    """The command line's options, applied on top of each configuration file."""
    known = _known_codes()
    select = _selectors(opts.get("select", ()), "--select", known)
    ignore = _selectors(opts.get("ignore", ()), "--ignore", known)
    extend = _selectors(opts.get("extend_select", ()), "--extend-select", known)
    per_file = _per_file(opts.get("per_file_ignores", ()), "--per-file-ignores", known)
    extend_per_file = _per_file(opts.get("extend_per_file_ignores", ()), "--extend-per-file-ignores", known)
    exclude = _patterns(opts.get("exclude", ()))
    extend_exclude = _patterns(opts.get("extend_exclude", ()))
    timeout = opts.get("default_timeout")
    if timeout is not None:
        timeout = parse_default_timeout(_number_or_name(timeout), "--default-timeout")
    flags = {k: opts.get(k) for k in ("check_tests", "respect_gitignore", "unsafe_fixes")}

    def adjust(settings: Settings) -> Settings:
        changes: dict = {k: v for k, v in flags.items() if v is not None}
        if select is not None:
            changes["select"] = select
        if ignore is not None:
            changes["ignore"] = settings.ignore + ignore
        if extend is not None:
            changes["extend_select"] = settings.extend_select + extend
        if timeout is not None:
            changes["default_timeout"] = timeout
        if per_file is not None:
            changes["per_file_ignores"] = per_file
        if extend_per_file is not None:
            changes["per_file_ignores"] = changes.get("per_file_ignores", settings.per_file_ignores) + extend_per_file
        if exclude is not None:
            changes["exclude"] = exclude
        if extend_exclude is not None:
            changes["extend_exclude"] = settings.extend_exclude + extend_exclude
        return replace(settings, **changes) if changes else settings

    return adjust


def _number_or_name(value: str):
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def _resolver(config: str | None, opts: dict) -> Resolver:
    path = None
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"{config}: configuration file not found")
    return Resolver(path, _adjuster(opts), _known_codes())


def _fail(exc: Exception) -> NoReturn:
    click.echo(f"rel05-lint: error: {exc}", err=True)
    sys.exit(EXIT_ERROR)


# --- options ---------------------------------------------------------------


def _options(options):
    def apply(func):
        for option in reversed(options):
            func = option(func)
        return func

    return apply


_SELECTION = [
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
        help="Configuration file for every file: a pyproject.toml ([tool.rel05-lint]) or a TOML file of top-level keys "
        "(default: each file's nearest .rel05-lint.toml, rel05-lint.toml or pyproject.toml).",
    ),
    click.option(
        "--force-exclude",
        is_flag=True,
        help="Apply exclusions to paths named on the command line too (for pre-commit).",
    ),
    click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs)."),
    click.option("--exclude", multiple=True, metavar="GLOBS", help="Replace the exclude list (comma-separated globs)."),
    click.option("--extend-exclude", multiple=True, metavar="GLOBS", help="Exclude these globs too."),
    click.option(
        "--respect-gitignore/--no-respect-gitignore",
        default=None,
        help="Skip files that .gitignore, .ignore or .git/info/exclude ignore (default: on).",
    ),
    click.option(
        "--check-tests/--no-check-tests",
        default=None,
        help="Also run the REL1xx-REL6xx rules on test files (test-paths; default: off).",
    ),
]

_CHECKING = [
    click.argument("paths", nargs=-1, type=click.Path(readable=False)),
    *_SELECTION,
    click.option(
        "--default-timeout",
        metavar="SECONDS|NAME",
        help="Timeout that fixes insert: a number or a dotted name like myapp.settings.HTTP_TIMEOUT.",
    ),
    click.option(
        "--per-file-ignores",
        multiple=True,
        metavar="PATTERN:CODES",
        help="Replace the per-file ignores (e.g. 'tests/*:REL5'; repeat for more).",
    ),
    click.option("--extend-per-file-ignores", multiple=True, metavar="PATTERN:CODES", help="Add per-file ignores."),
    click.option(
        "--fix/--no-fix",
        "fix",
        default=False,
        help="Apply the fixes that are on (safe ones; unsafe ones too with --unsafe-fixes).",
    ),
    click.option(
        "--unsafe-fixes/--no-unsafe-fixes",
        default=None,
        help="Also apply (and mark with [*]) fixes that change behaviour on purpose (bounding a call, a retry, a queue).",
    ),
    click.option(
        "--show-fixes", is_flag=True, help="Show each fix: its diff in the full format, and what --fix applied."
    ),
    click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing about the findings that remain."),
    click.option(
        "--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a fix was applied, even if nothing remains."
    ),
    click.option(
        "--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 if there is a diff)."
    ),
    click.option(
        "--output-format",
        "--format",
        "fmt",
        type=click.Choice(output.CHOICES),
        envvar="REL05_LINT_OUTPUT_FORMAT",
        help="Output format (default: full on a terminal, else concise; `text` is concise).",
    ),
    click.option(
        "--color",
        type=click.Choice(output.COLORS),
        default="auto",
        show_default=True,
        help="Colour the formats for people (auto: on a terminal, unless NO_COLOR is set).",
    ),
    click.option(
        "--output-file",
        "-o",
        type=click.Path(dir_okay=False),
        help="Write the report to this file instead of standard output.",
    ),
    click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (errors still exit 2)."),
    click.option(
        "--statistics", is_flag=True, help="Print counts per rule (and how many are fixable) instead of the findings."
    ),
    click.option(
        "--stdin-filename",
        metavar="PATH",
        help="Read the source from standard input and report it as PATH (config and per-file ignores apply as for PATH).",
    ),
    click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary, notes or warnings."),
    click.option("--silent", "-s", is_flag=True, help="Print nothing; the exit status says it all."),
    click.option("--show-settings", is_flag=True, help="Print the settings the single PATH is checked with, and exit."),
    click.option("--show-files", is_flag=True, help="Print the files that would be checked, and exit."),
    click.option(
        "--add-noqa",
        is_flag=True,
        help="Add `# noqa: CODE` to every line with a finding (merged into an existing noqa comment): adopt the linter on legacy code.",
    ),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache."),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        envvar="REL05_LINT_CACHE_DIR",
        help=f"Result cache folder (default: $REL05_LINT_CACHE_DIR, else {DEFAULT_CACHE_DIR} next to the configuration).",
    ),
]


class _Main(click.Group):
    """Exit 2 after a run in which a path named on the command line did not exist or could not be read."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SystemExit as exc:
            if ctx.meta.get("rel05.path_errors") and exc.code in (EXIT_CLEAN, EXIT_FINDINGS, None):
                raise SystemExit(EXIT_ERROR) from None
            raise


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="rel05-lint")
def main() -> None:
    """rel05-lint: find (and fix) code that makes distributed systems fall over.

    Rules follow AWS Well-Architected REL05: client timeouts (REL5xx), bounded
    retries with backoff and jitter (REL3xx), bounded queues (REL4xx),
    throttled fan-out (REL2xx), stateless handlers (REL6xx) and graceful
    degradation (REL1xx). Configure in rel05-lint.toml or [tool.rel05-lint] of pyproject.toml.

    Exit status: 0 clean, 1 findings, 2 usage or configuration error.
    """


@main.command()
def version() -> None:
    """Print the version."""
    click.echo(f"rel05-lint {__version__}")


class _Out:
    """Notes and warnings on standard error, unless -q or -s."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def note(self, text: str) -> None:
        if not self.quiet:
            click.echo(f"rel05-lint: {text}", err=True)

    def warn(self, text: str) -> None:
        if not self.quiet:
            click.echo(f"rel05-lint: warning: {text}", err=True)


def _discover(paths, resolver: Resolver, force_exclude: bool, out: _Out) -> list[str]:
    from rel05_lint.runner.files import PathError, discover

    missing: list[str] = []
    warnings: list[str] = []
    try:
        files = discover(list(paths) or ["."], resolver, force_exclude, missing, warnings)
    except (ConfigError, PathError) as exc:
        _fail(exc)
    for problem in missing:
        click.echo(f"rel05-lint: error: {shown_path(problem)}", err=True)
    for warning in warnings:
        out.warn(shown_path(warning))
    try:
        for config in {resolver.config_for(f): None for f in files}:
            resolver.settings_for_config(config)  # memoised: the run reads these anyway
    except ConfigError as exc:
        _fail(exc)
    for warning in resolver.version_warnings():  # E9: the run goes on with edition-1 defaults
        out.warn(warning)
    if missing:
        if not files:
            sys.exit(EXIT_ERROR)
        # The other paths are still checked; the run then exits 2 (see _Main).
        click.get_current_context().find_root().meta["rel05.path_errors"] = len(missing)
    elif not files:
        out.warn("no Python files found under the given paths")
    return files


def _distinct(files: list[str], resolver: Resolver) -> list[Settings]:
    seen: dict[Settings, None] = {}
    for f in files:
        seen[resolver(f)] = None
    return list(seen)


def _tests_left_out(files: list[str], resolver: Resolver) -> int:
    return sum(1 for f in files if resolver(f).skips_tests(f))


@main.command()
@_options(_CHECKING)
def check(**kw):
    """Report findings in PATHS (files or folders; default: the current folder; `-` reads standard input).

    With --fix, apply the fixes that are on, then report what remains.
    """
    try:
        sys.exit(_check(**kw))
    except ConfigError as exc:
        _fail(exc)


@main.command("fix")
@_options(_CHECKING)
def fix_cmd(**kw):
    """Apply fixes in PATHS, then report what remains: the same as `check --fix`."""
    kw["fix"] = True
    try:
        sys.exit(_check(**kw))
    except ConfigError as exc:
        _fail(exc)


def _check(
    paths,
    config,
    force_exclude,
    jobs,
    fix,
    unsafe_fixes,
    show_fixes,
    fix_only,
    exit_non_zero_on_fix,
    diff,
    fmt,
    color,
    output_file,
    exit_zero,
    statistics,
    stdin_filename,
    quiet,
    silent,
    show_settings,
    show_files,
    add_noqa,
    no_cache,
    cache_dir,
    **selection,
) -> int:
    fmt = output.resolve_format(fmt, output_file)
    if statistics and fmt not in ("full", "concise", "grouped", "json"):
        raise click.UsageError(
            "--statistics prints a table (full, concise) or its JSON form; use --output-format concise or json"
        )
    fixing = fix or fix_only or diff
    quiet = quiet or silent
    out = _Out(quiet)
    opts = output.Reporting(
        output_file,
        exit_zero,
        statistics,
        stdin_filename,
        fmt=fmt,
        color=output.use_color(color, output_file, fmt),
        quiet=quiet,
        silent=silent,
        show_fixes=show_fixes,
    )
    try:
        resolver = _resolver(config, {**selection, "unsafe_fixes": unsafe_fixes})
    except ConfigError as exc:
        _fail(exc)
    from rel05_lint.cli import stdin

    try:
        name = stdin.requested(paths, stdin_filename)
    except stdin.StdinUsage as exc:
        _fail(exc)
    if name is not None:
        if add_noqa:
            _fail(Exception("--add-noqa edits files; it cannot read standard input"))
        try:
            settings = resolver(stdin.config_anchor(name))
        except ConfigError as exc:
            _fail(exc)
        if show_settings:
            return _show_settings(name, settings)
        excluded = force_exclude and settings.is_excluded(name)
        if fixing:
            return _fix_stdin(name, settings, excluded, diff, opts, out)
        piped = stdin.check(settings, name, excluded)
        line = output.summary(piped.findings, 1, settings.unsafe_fixes)
        sources = {name: piped.text} if piped.text is not None else None
        return output.finish(
            piped.findings, 1, settings, name, opts, line, unsafe=settings.unsafe_fixes, sources=sources
        )

    if show_settings:
        if len(paths) != 1:
            raise click.UsageError("--show-settings takes exactly one path")
        try:
            return _show_settings(paths[0], resolver(paths[0]))
        except ConfigError as exc:
            _fail(exc)
    files = _discover(paths, resolver, force_exclude, out)
    if show_files:
        for f in files:
            click.echo(shown_path(f))
        return EXIT_CLEAN
    first = resolver(paths[0] if paths else ".")
    if add_noqa:
        return _add_noqa(files, resolver, jobs, opts, out)
    from rel05_lint.runner import Job

    counts = output.Counts(len(files), _tests_left_out(files, resolver))
    unsafe = first.unsafe_fixes if unsafe_fixes is None else unsafe_fixes
    if not fixing:
        cache = None if no_cache else cache_dir or os.path.join(first.root, DEFAULT_CACHE_DIR)
        result = _run(files, resolver, Job("check", cache_dir=cache), jobs)
        findings = result.findings
        line = output.summary(findings, counts, unsafe)
        return output.finish(
            findings,
            counts,
            first,
            paths[0] if paths else None,
            opts,
            line,
            unsafe=unsafe,
            codes=_codes(files, resolver),
        )

    roots = tuple(os.path.realpath(p) for p in paths or ["."])  # fixes write only under these
    result = _run(files, resolver, Job("fix", unsafe=unsafe_fixes, diff=diff, roots=roots), jobs)
    for note in result.notes:
        out.note(shown_path(note))
    written_ok = not result.unwritten
    if result.unwritten:
        n = len(result.unwritten)
        click.echo(
            f"rel05-lint: error: {n} file{'s' if n != 1 else ''} could not be written; their findings are reported as they stand",
            err=True,
        )
    if diff:
        if not silent:
            click.echo("".join(shown_path(d) for d in result.diffs), nl=False)
        changed = len(result.diffs)
        if not quiet:
            click.echo(f"{changed} file{'s' if changed != 1 else ''} would be changed.", err=True)
        return EXIT_FINDINGS if result.diffs and not exit_zero else EXIT_CLEAN
    fixed = result.fixes_applied
    if show_fixes and fixed and not quiet:
        click.echo(_applied(result), nl=False, err=fix_only is False and opts.fmt not in ("full", "concise", "grouped"))
    done = f"Fixed {fixed} finding{'s' if fixed != 1 else ''}."
    if fix_only:
        if not quiet:
            click.echo(done, err=True)
        code = EXIT_FINDINGS if exit_non_zero_on_fix and fixed and not exit_zero else EXIT_CLEAN
        return code if written_ok else EXIT_ERROR
    findings = result.findings
    line = f"{done} " + output.summary(findings, counts, unsafe)
    code = output.finish(
        findings, counts, first, paths[0] if paths else None, opts, line, unsafe=unsafe, codes=_codes(files, resolver)
    )
    if code == EXIT_CLEAN and exit_non_zero_on_fix and fixed and not exit_zero:
        code = EXIT_FINDINGS
    # A fix that was not written leaves the file as it was: never report success.
    return code if written_ok else EXIT_ERROR


def _codes(files: list[str], resolver: Resolver) -> frozenset[str]:
    codes: set[str] = set()
    for settings in _distinct(files, resolver) or [resolver(".")]:
        codes |= output.selected_codes(settings)
    return frozenset(codes)


def _applied(result) -> str:
    """What --fix applied, per file and rule (``--show-fixes``)."""
    from collections import Counter

    from rel05_lint import registry

    names = {r.code: r.name for r in registry.all_rules()}
    lines = [f"Fixed {result.fixes_applied} finding{'s' if result.fixes_applied != 1 else ''}:"]
    for r in result.results:
        if r.fixed:
            lines.append(f"- {shown_path(r.path)}:")
            for code, n in sorted(Counter(r.fixed).items()):
                lines.append(f"    {n} × {code} ({names.get(code, '')})")
    return "\n".join(lines) + "\n"


def _show_settings(path: str, settings: Settings) -> int:
    from rel05_lint import registry

    click.echo(f"Settings for: {shown_path(path)}")
    click.echo(f"Configuration file: {settings.config_file or 'none (the defaults)'}")
    test = settings.is_test(path)
    skipped = " (the REL1xx-REL6xx rules skip it: check-tests is off)" if settings.skips_tests(path) else ""
    click.echo(f"Test file: {'yes' if test else 'no'}{skipped}")
    click.echo(f"Rules on: {', '.join(sorted(settings.enabled_codes(registry.defaults())))}")
    ignored = settings.ignored_for(path)
    if ignored:
        click.echo(f"Per-file ignores here: {', '.join(sorted(ignored))}")
    click.echo("")
    for field in fields(settings):
        if field.name in ("root", "config_file"):
            continue
        value = getattr(settings, field.name)
        if field.name == "versions":
            continue  # shown below, with where each came from
        if field.name == "extra_timeout_calls":
            value = [{"call": c.call, "keyword": c.keyword, "position": c.position} for c in value]
        elif field.name == "target_versions":
            value = dict(value)
        elif field.name == "per_file_ignores":
            value = {pattern: list(codes) for pattern, codes in value}
        elif isinstance(value, tuple):
            value = list(value)
        click.echo(f"{field.name.replace('_', '-')} = {json.dumps(value)}")
    click.echo(f"root = {json.dumps(settings.root)}")
    click.echo("")
    allowed = settings.versions.allowed
    click.echo("Versions used (E9): " + ("none found (edition-1 defaults)" if not allowed else ""))
    for a in allowed:
        click.echo(f"  {a.describe()}")
    for warning in settings.versions.warnings:
        click.echo(f"  warning: {warning}")
    return EXIT_CLEAN


def _add_noqa(files, resolver, jobs, opts, out: _Out) -> int:
    from rel05_lint.cli.add_noqa import add_noqa as add_noqa_comments

    try:
        outcome = add_noqa_comments(files, resolver, jobs)
    except KeyboardInterrupt:
        click.echo("rel05-lint: interrupted; files already written are complete, the rest are untouched", err=True)
        return EXIT_INTERRUPTED
    for note in outcome.notes:
        out.note(shown_path(note))
    if not opts.silent:
        click.echo(output.text(outcome.remaining), nl=False)
    n, m = outcome.added, outcome.files
    if not opts.quiet:
        click.echo(f"Added {n} noqa directive{'s' if n != 1 else ''} in {m} file{'s' if m != 1 else ''}.", err=True)
    return EXIT_FINDINGS if outcome.remaining and not opts.exit_zero else EXIT_CLEAN


def _fix_stdin(name, settings: Settings, excluded: bool, diff: bool, opts: output.Reporting, out: _Out) -> int:
    from rel05_lint.cli import stdin

    unsafe = settings.unsafe_fixes
    piped = stdin.fix(settings, name, excluded, unsafe, diff)
    for note in piped.notes:
        out.note(shown_path(note))
    stream = sys.stdout.buffer  # the fixed source, in the buffer's own encoding
    stream.write(piped.output or b"")
    stream.flush()
    fixed = piped.fixes_applied
    verb = "Would fix" if diff else "Fixed"
    line = f"{verb} {fixed} finding{'s' if fixed != 1 else ''}. " + output.summary(piped.findings, 1, unsafe)
    code = output.finish(piped.findings, 1, settings, name, opts, line, to_stderr=True, unsafe=unsafe)
    if diff:
        return EXIT_FINDINGS if piped.output and not opts.exit_zero else EXIT_CLEAN
    return code


def _run(files, settings, job, jobs):
    from rel05_lint.cli.progress import Progress
    from rel05_lint.runner import run

    try:
        return run(files, settings, job, jobs, Progress(len(files)))
    except ConfigError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        click.echo("rel05-lint: interrupted; files already written are complete, the rest are untouched", err=True)
        sys.exit(EXIT_INTERRUPTED)


@main.command()
def server() -> None:
    """Run the language server over stdio, for editors (see the README's Editors section)."""
    from rel05_lint.server.main import serve  # pygls is loaded only for the server

    serve()


@main.command("rules")
@click.option(
    "--output-format", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rules_cmd(fmt):
    """List every rule: code, name, best practice, default, fix level."""
    from rel05_lint import registry

    rows = [
        {
            "code": code,
            "name": registry.TOOL_NAMES[code],
            "best_practice": "",
            "default": "on",
            "fix": "none",
            "summary": registry.TOOL_SUMMARIES[code],
        }
        for code in registry.TOOL_CODES
    ]
    rows += [
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
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'code':<7} {'name':<28} {'BP':<5} {'default':<8} {'fix':<13} summary")
    for row in rows:
        click.echo(
            f"{row['code']:<7} {row['name']:<28} {row['best_practice'] or '-':<5} {row['default']:<8} {row['fix']:<13} {row['summary']}"
        )


@main.command()
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="Every rule's page.")
@click.option(
    "--output-format", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def explain(rule, show_all, fmt):
    """Print the page of RULE, by code (REL501) or name (missing-timeout); --all prints every page."""
    from rel05_lint.core import pages  # the pages alone: no rule module is imported

    if show_all == (rule is not None):
        raise click.UsageError("name one rule (REL501 or missing-timeout), or use --all")
    if show_all:
        codes = list(pages.codes())
    else:
        wanted = rule.strip()
        code = wanted.upper() if pages.page(wanted.upper()) is not None else None
        if code is None:
            code = next((c for c in pages.codes() if pages.name(c) == wanted.lower()), None)
        if code is None:
            _fail(Exception(f"unknown rule {wanted}; `rel05-lint rules` lists them"))
        codes = [code]
    if fmt == "json":
        docs = pages.docs_base(None)
        entries = []
        for code in codes:
            head = pages.header(code)
            entries.append(
                {
                    "code": code,
                    "name": pages.name(code),
                    "default": head.get("default"),
                    "fix": head.get("fix"),
                    "best_practice": head.get("best_practice"),
                    "description": pages.description(code),
                    "url": pages.url(code, docs),
                    "explanation": pages.page(code),
                }
            )
        click.echo(json.dumps(entries if show_all else entries[0], indent=2, ensure_ascii=False))
        return
    click.echo("\n---\n\n".join(pages.page(code) or "" for code in codes), nl=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@_options(_SELECTION)
@click.option(
    "--format",
    "--output-format",
    "fmt",
    type=click.Choice(["markdown", "html", "json"]),
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
def report(paths, config, force_exclude, jobs, fmt, output_file, top, fail_under, **selection):
    """The REL05 review: per best practice, the share of inspected sites in PATHS that follow it.

    Exit status: 0 report written, 1 a --fail-under share was missed, 2 usage or configuration error.
    Findings alone do not fail the report; `check` does that. Test files add no sites (check-tests off).
    """
    from rel05_lint.report import collect as review_collect
    from rel05_lint.report import model as review_model
    from rel05_lint.report import renderers as report_formats

    try:
        thresholds = review_model.parse_thresholds(fail_under)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-under") from None
    try:
        resolver = _resolver(config, selection)
    except ConfigError as exc:
        _fail(exc)
    files = _discover(paths, resolver, force_exclude, _Out(False))
    try:
        results, codes = review_collect.survey(files, resolver, jobs)
    except ConfigError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        click.echo("rel05-lint: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    review = review_model.build(results, codes, top, thresholds)
    review = replace(review, versions=tuple(resolver.versions_used()))
    text = report_formats.render(review, fmt)
    if output_file:
        error = output.deliver(text, output_file)
        if error is not None:
            _fail(Exception(error))
    else:
        click.echo(text, nl=False)
    left = _tests_left_out(files, resolver)
    if left:
        click.echo(
            f"rel05-lint: {left} test file{'s' if left != 1 else ''} left out (`--check-tests` counts them)", err=True
        )
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
