"""Run parsing and analysis on a thread with a large stack.

libcst's native parser recurses on the C stack: 3,000 nested parentheses or a
100,000-term ``and`` chain overflow the default 8 MiB main-thread stack and
kill the process with SIGSEGV, which no ``except`` can catch. A worker thread
with a 512 MiB stack (address space only; pages are touched on demand) turns
those into ordinary results, and a higher recursion limit lets the Python
side (our walker, libcst's metadata) finish on trees that deep.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 100_000

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            previous = threading.stack_size()
            threading.stack_size(STACK_BYTES)
            try:
                _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rel05-deep")
                _pool.submit(lambda: None).result()  # start the thread while the size is set
            finally:
                threading.stack_size(previous)
            if sys.getrecursionlimit() < RECURSION_LIMIT:
                sys.setrecursionlimit(RECURSION_LIMIT)
    return _pool


def run_deep(fn, *args):
    """``fn(*args)`` on the large-stack thread (directly if already on it)."""
    if threading.current_thread().name.startswith("rel05-deep"):
        return fn(*args)
    return _executor().submit(fn, *args).result()
