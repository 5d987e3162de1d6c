"""Semaphores and capacity limiters: what bounds a producer or a fan-out (REL201, REL401).

``threading``/``multiprocessing``/``asyncio`` semaphores take their count
first; anyio and trio ``CapacityLimiter`` take total tokens. Holding one
(``with``/``async with``, or after ``acquire()``) caps how many callers are
inside at once.
"""

from __future__ import annotations

SEMAPHORES = frozenset(
    {
        "asyncio.Semaphore",
        "asyncio.BoundedSemaphore",
        "asyncio.locks.Semaphore",
        "asyncio.locks.BoundedSemaphore",
        "threading.Semaphore",
        "threading.BoundedSemaphore",
        "multiprocessing.Semaphore",
        "multiprocessing.BoundedSemaphore",
        "anyio.CapacityLimiter",
        "anyio.Semaphore",
        "trio.CapacityLimiter",
        "trio.Semaphore",
        "gevent.lock.Semaphore",
        "gevent.lock.BoundedSemaphore",
    }
)

# The ones an asyncio/anyio/trio fan-out can hold (REL201).
ASYNC_THROTTLES = frozenset(name for name in SEMAPHORES if name.startswith(("asyncio.", "anyio.", "trio.")))
