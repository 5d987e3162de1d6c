"""Which HTTP methods a urllib3 ``Retry`` resends (REL307), as data and one reader.

urllib3 2.8 (``util/retry.py``): ``allowed_methods`` is the set of uppercase
verbs retried after the request was sent (read errors, ``status_forcelist``
responses); the default ``Retry.DEFAULT_ALLOWED_METHODS`` is DELETE, GET,
HEAD, OPTIONS, PUT, TRACE. ``_is_method_retryable`` reads
``if self.allowed_methods and method.upper() not in self.allowed_methods``,
so ``None``, ``False`` and an empty collection retry every verb. urllib3
before 1.26 called it ``method_whitelist``. Connect errors are retried for
every verb whatever the set says: the request never left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rel05_lint.catalog.clients import URLLIB3_RETRY
from rel05_lint.core import args
from rel05_lint.core.args import UNKNOWN, ArgSpec
from rel05_lint.core.lazy import libcst as cst

if TYPE_CHECKING:
    from rel05_lint.core.rule import Context

METHOD_KEYWORDS = ("allowed_methods", "method_whitelist")
NOT_IDEMPOTENT = ("POST", "PATCH")
IDEMPOTENT_DEFAULT = ("DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE")
_COLLECTION_CALLS = frozenset({"frozenset", "set", "tuple", "list"})


@dataclass(frozen=True)
class Resend:
    """A Retry that resends a request that may have changed something."""

    keyword: str  # allowed_methods / method_whitelist
    value: cst.BaseExpression  # the value as written (in the call or bound elsewhere)
    written: bool  # the value is written in the call itself (so a fix may edit it)
    every: bool  # None/False/empty: every verb
    methods: tuple[str, ...]  # the non-idempotent verbs listed
    # The string elements a fix drops (empty when every verb is retried).
    drop: tuple[cst.BaseElement, ...] = ()
    # The collection display holding them (a fix removes elements from it).
    display: cst.List | cst.Tuple | cst.Set | None = None


def is_retry(ctx: Context, call: cst.Call) -> bool:
    return ctx.qualname(call.func) in URLLIB3_RETRY


def resend(ctx: Context, call: cst.Call) -> Resend | None:
    """How ``Retry(...)`` resends non-idempotent requests, if it does."""
    for keyword in METHOD_KEYWORDS:
        found = args.find(call, ArgSpec(keyword), ctx)
        if found is None or found is UNKNOWN:
            continue
        written = any(a.value is found for a in call.args)
        value = found
        if isinstance(value, (cst.Name, cst.Attribute)) and not args.is_none(value) and not _is_false(value):
            bound = ctx.scopes.value_of(value)
            if bound is None:
                return None  # a set the file does not show (Retry.DEFAULT_ALLOWED_METHODS, a setting)
            value, written = bound, False
        if args.is_none(value) or _is_false(value):
            return Resend(keyword, found, written, True, ())
        display = _display(ctx, value)
        if display is None:
            return None
        elements = list(display.elements)
        names: list[str] = []
        drop: list[cst.BaseElement] = []
        for el in elements:
            if isinstance(el, cst.StarredElement):
                return None
            text = args.string_value(el.value)
            if text in NOT_IDEMPOTENT:
                names.append(text)
                drop.append(el)
        if not elements:
            return Resend(keyword, found, written, True, ())
        if not names:
            return None
        return Resend(keyword, found, written, False, tuple(dict.fromkeys(names)), tuple(drop), display)
    return None


def _is_false(value: object) -> bool:
    return isinstance(value, cst.Name) and value.value == "False"


def _display(ctx: Context, value: cst.BaseExpression) -> cst.List | cst.Tuple | cst.Set | None:
    """The literal collection: ``["GET", "POST"]``, ``{...}``, ``frozenset({...})``."""
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return value
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value in _COLLECTION_CALLS
        and ctx.scopes.lookup(value.func.value) is None
        and len(value.args) == 1
        and value.args[0].keyword is None
        and not value.args[0].star
    ):
        inner = value.args[0].value
        if isinstance(inner, (cst.List, cst.Tuple, cst.Set)):
            return inner
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in _COLLECTION_CALLS:
        if not value.args and ctx.scopes.lookup(value.func.value) is None:
            return cst.List([])  # frozenset(): empty, every verb
    return None


def read_only_path(ctx: Context, call: cst.Call) -> bool:
    """The Retry cannot resend a request that reached the server: read errors
    are off (``read=0``/``False``) and no status is forced (no
    ``status_forcelist``, or ``status=0``/``False``)."""
    read = args.find(call, ArgSpec("read", 2), ctx)
    if not (_zero(read) or (read is None and _zero(args.find(call, ArgSpec("total", 0), ctx)))):
        return False
    forcelist = args.find(call, ArgSpec("status_forcelist"), ctx)
    status = args.find(call, ArgSpec("status", 4), ctx)
    empty = (
        forcelist is None
        or args.is_none(forcelist)
        or (isinstance(forcelist, (cst.List, cst.Tuple, cst.Set)) and not forcelist.elements)
    )
    return empty or _zero(status)


def _zero(value: object) -> bool:
    return _is_false(value) or args.number_value(value) == 0
