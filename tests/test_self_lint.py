"""The project passes its own rules (fixtures excluded: they are wrong on purpose)."""

from __future__ import annotations

import pytest
from helpers import ROOT, cli


@pytest.mark.slow
def test_project_lints_itself_clean():
    proc = cli("check", "--no-cache", "--select", "ALL", ".", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert b"All checks passed" in proc.stdout
