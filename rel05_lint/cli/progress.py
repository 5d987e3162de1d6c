"""A one-line progress indicator on standard error, for long runs on a terminal.

Silent when standard error is not a terminal (CI logs, pipes, pre-commit's
captured output) and for runs that finish before the first ``DELAY`` seconds:
a pre-commit run over a few files should print nothing extra.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0  # seconds before the first line
EVERY = 0.1  # seconds between redraws


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled and total > 0
        self.total = total
        self.done = 0
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._start < DELAY or (now - self._last < EVERY and self.done < self.total):
            return
        self._last = now
        self._shown = True
        self.stream.write(f"\rrel05-lint: {self.done}/{self.total} files ({100 * self.done // self.total}%)")
        self.stream.flush()

    def close(self) -> None:
        """Erase the line, so the report starts on a clean one."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
