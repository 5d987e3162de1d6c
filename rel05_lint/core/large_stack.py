"""Run parsing and analysis on a thread with a large stack.

libcst's native parser recurses on the C stack: 3,000 nested parentheses or a
100,000-term ``and`` chain overflow the default 8 MiB main-thread stack and
kill the process with SIGSEGV, which no ``except`` can catch. A worker thread
with a 512 MiB stack (address space only; pages are touched on demand) turns
those into ordinary results, and a higher recursion limit lets the Python
side (our walker, libcst's metadata) finish on trees that deep.
"""

from __future__ import annotations

import os
import sys
import threading
from queue import SimpleQueue

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 100_000

# One long-lived thread with a large stack. A plain thread and queues, not a
# ThreadPoolExecutor: concurrent.futures costs a single-file run a noticeable
# share of its start (issue 18).
_jobs: SimpleQueue | None = None
_lock = threading.Lock()


def _after_fork() -> None:
    # A forked worker has no copy of the thread: start its own when first needed,
    # instead of queueing work for a thread that does not exist (a hang).
    global _jobs, _lock
    _jobs = None
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _serve(jobs: SimpleQueue) -> None:
    while True:
        fn, args, reply = jobs.get()
        try:
            reply.put((True, fn(*args)))
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            reply.put((False, exc))


def _queue() -> SimpleQueue:
    global _jobs
    with _lock:
        if _jobs is None:
            # Each caller blocks on its reply, so at most one job per calling thread waits here.
            jobs: SimpleQueue = SimpleQueue()  # noqa: REL401
            previous = threading.stack_size()
            threading.stack_size(STACK_BYTES)
            try:
                # Daemon: it holds no state, and an idle one must not keep the process alive.
                threading.Thread(target=_serve, args=(jobs,), name="rel05-deep", daemon=True).start()
            finally:
                threading.stack_size(previous)
            if sys.getrecursionlimit() < RECURSION_LIMIT:
                sys.setrecursionlimit(RECURSION_LIMIT)
            _jobs = jobs
    return _jobs


def run_deep(fn, *args):
    """``fn(*args)`` on the large-stack thread (directly if already on it)."""
    if threading.current_thread().name.startswith("rel05-deep"):
        return fn(*args)
    reply: SimpleQueue = SimpleQueue()  # noqa: REL401 - receives exactly one item
    _queue().put((fn, args, reply))
    try:
        ok, value = reply.get()
    except KeyboardInterrupt:
        # Let the thread finish this job first: an interpreter that exits while
        # the daemon thread is inside libcst's native parser aborts (SIGABRT).
        reply.get()
        raise
    if ok:
        return value
    raise value
