"""What the timeout rules (REL501, REL502, REL504) share: the value a fix
inserts, and the BP05 sites they count for the review report."""

from __future__ import annotations

import math
from collections.abc import Callable

from rel05_lint.core.findings import Applicability
from rel05_lint.core.fixes import Change, FixSpec, import_for
from rel05_lint.core.lazy import libcst as cst
from rel05_lint.core.rule import Context, Rule
from rel05_lint.core.sites import Kind

TIMEOUT_CALL = Kind("timeout-call", "BP05", "remote calls and clients", "bounded", headline=True)
TIMEOUT_EXPLICIT = Kind("timeout-explicit", "BP05", "remote calls and clients", "with an explicit timeout")

# libpq parses connect_timeout as an integer and treats 0 as "wait forever".
WHOLE_SECONDS = frozenset({"connect_timeout"})


def default_value(ctx: Context, keyword: str) -> tuple[str, list] | None:
    """(code, changes) for the default timeout at the current node, or None when
    the name cannot be used here (shadowed by a local binding)."""
    settings = ctx.settings
    imported = settings.timeout_import
    if imported is None:
        if keyword in WHOLE_SECONDS:
            return str(max(1, math.ceil(float(settings.default_timeout)))), []
        return settings.timeout_code, []
    module, name = imported
    spelled = import_for(ctx, module, name)
    if spelled is None:
        return None
    spelling, changes = spelled
    if not _resolves_here(ctx, spelling, changes, f"{module}.{name}"):
        return None
    if keyword in WHOLE_SECONDS:
        spelling = f"int({spelling})"
    return spelling, changes


# What every timeout fix message ends with.
FAILS_INSTEAD = "the call then fails with a timeout error instead of hanging"


def timeout_fix(
    ctx: Context, keyword: str, describe: Callable[[str], str], change: Callable[[str], Change]
) -> FixSpec | None:
    """An unsafe fix that writes the default timeout (``change(code)``), with the import
    it needs; None where the configured name cannot be used at this spot."""
    value = default_value(ctx, keyword)
    if value is None:
        return None
    code, imports = value
    return FixSpec(Applicability.UNSAFE, describe(code), [change(code), *imports])


def count_timeout(rule: Rule, node: cst.Call, given: bool, bounded: bool) -> None:
    """Count a catalogued remote call or client for the review report (BP05)."""
    rule.count(TIMEOUT_CALL, bounded, node)
    rule.count(TIMEOUT_EXPLICIT, given, node)


def _resolves_here(ctx: Context, spelling: str, changes: list, target: str) -> bool:
    if not changes:
        return ctx.qualname(cst.parse_expression(spelling)) == target
    # A new module-level import: only usable if nothing closer binds the name.
    found = ctx.scopes.lookup(spelling.split(".", 1)[0])
    return found is None or found[1] is ctx.scopes.module_scope


def waits_forever(settings, target) -> bool:
    """REL501's question: does this target wait forever when its bound is left out?

    Always for the ``missing`` rows; for a version-dependent row (redis-py
    before 8.0) only when every version the project allows has that default.
    """
    if target.missing:
        return True
    return _allowed(settings, target.missing_below, below=True) is not None


def bounded_by_version(settings, pair: tuple[str, int] | None):
    """The project's allowed versions when all of them are at or above ``pair``'s major, else None."""
    return _allowed(settings, pair, below=False)


def _allowed(settings, pair: tuple[str, int] | None, below: bool):
    if pair is None:
        return None
    allowed = settings.versions.get(pair[0])
    if allowed is None:
        return None
    hit = allowed.all_below(pair[1]) if below else allowed.all_from(pair[1])
    return allowed if hit else None


def ms_code(code: str) -> str:
    """default-timeout (seconds, as code) in milliseconds, for the *MS options."""
    try:
        return str(round(float(code) * 1000))
    except ValueError:
        return f"int({code} * 1000)"
