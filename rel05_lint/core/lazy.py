"""libcst, imported when the first file is parsed rather than with rel05_lint.

Importing libcst costs more than flake8's whole start (issue 18), and
``--version``, ``rules``, ``explain`` and every file the prefilter rejects
never need it. Modules write ``from rel05_lint.core.lazy import libcst as cst``
and use ``cst.X`` only inside functions (annotations are strings under
``from __future__ import annotations``).

``importlib.util.LazyLoader`` does not fit: any later ``import libcst``
statement reads the module's ``__spec__`` and so loads it at once.

The first attribute read imports libcst and rebinds every rel05_lint global
holding the stand-in to the real module, so the traversal's millions of
``cst.Name`` lookups stay plain module lookups, as before.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_pending: list[_Later] = []
_modules: list[_Deferred] = []  # not yet loaded


class _Deferred:
    """Stands in for a module until one of its attributes is read."""

    def __init__(self, name: str):
        self._name = name
        _modules.append(self)

    def __getattr__(self, attr: str) -> object:
        # Only called for attributes not yet in the instance dict, so at most
        # once per name per stand-in after the import.
        return getattr(load(self), attr)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


def load(stand_in: object) -> types.ModuleType:
    """Import the module ``stand_in`` defers (and every other deferred one:
    they are all parts of libcst) and put each in its place."""
    if not isinstance(stand_in, _Deferred):
        assert isinstance(stand_in, types.ModuleType)
        return stand_in
    with _lock:  # one import, even when two threads read an attribute at once
        swaps: dict[int, object] = {}
        for deferred in _modules:
            real = importlib.import_module(deferred._name)
            # Bindings taken before this moment (a name in a closure, another
            # module's attribute) then read the real attributes from the dict.
            vars(deferred).update(vars(real))
            vars(deferred)["_loaded"] = real
            swaps[id(deferred)] = real
        for pending in _pending:
            pending.value = pending.build()
            swaps[id(pending)] = pending.value
        _pending.clear()
        if swaps:
            for name, module in list(sys.modules.items()):
                if name == "rel05_lint" or name.startswith("rel05_lint."):
                    namespace = getattr(module, "__dict__", {})
                    for key, value in list(namespace.items()):
                        if id(value) in swaps:
                            namespace[key] = swaps[id(value)]
        _modules.clear()
    return vars(stand_in)["_loaded"]


class _Later:
    """A module-level value built from libcst (an isinstance tuple, a node, a
    table keyed by node classes) that stands in for it until libcst loads,
    when ``load`` rebinds the global to the real value."""

    def __init__(self, build: Callable[[], Any]):
        self.build = build
        self.value: Any = self

    def _real(self) -> Any:
        # Read before any file was parsed (no caller does today): load now.
        if self.value is self:
            load(libcst)
        return self.value

    def __instancecheck__(self, obj: object) -> bool:
        return isinstance(obj, self._real())

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._real(), attr)

    def __iter__(self) -> Any:
        return iter(self._real())

    def __getitem__(self, key: Any) -> Any:
        return self._real()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._real()


def later(build: Callable[[], T]) -> T:
    """``build()``, now if libcst is loaded, else when it is. Only for
    module-level constants (globals of rel05_lint modules get rebound); a
    value captured elsewhere (a default argument) keeps the stand-in."""
    if not isinstance(libcst, _Deferred):
        return build()
    stand_in = _Later(build)
    _pending.append(stand_in)
    return stand_in  # type: ignore[return-value]  # behaves as T until rebound


def loaded(name: str = "libcst") -> bool:
    return name in sys.modules


if TYPE_CHECKING:
    import libcst as libcst
    import libcst._nodes.internal as libcst_internal
    import libcst.metadata as libcst_metadata
else:
    libcst = _Deferred("libcst")
    libcst_internal = _Deferred("libcst._nodes.internal")  # CodegenState, for positions
    libcst_metadata = _Deferred("libcst.metadata")  # CodeRange, CodePosition
