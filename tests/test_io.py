"""Hostile file systems: special files, writes that must be refused or kept whole (issues 20, 21)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import pytest
from helpers import cli

from rel05_lint.runner import files
from rel05_lint.runner.files import Unreadable, discover, read, write_atomic

OLD = b"import requests\nrequests.get(u)\n"


def test_a_fifo_is_one_reason_and_never_blocks(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    got = read(str(fifo))
    assert isinstance(got, Unreadable) and "named pipe" in got.reason


def test_a_symlink_to_dev_zero_is_not_read(tmp_path):
    link = tmp_path / "zero.py"
    link.symlink_to("/dev/zero")
    got = read(str(link))
    assert isinstance(got, Unreadable) and "character device" in got.reason


def test_a_file_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 10)
    path = tmp_path / "big.py"
    path.write_bytes(OLD)
    got = read(str(path))
    assert isinstance(got, Unreadable) and "too large to analyse" in got.reason


def test_a_read_only_file_is_not_written(tmp_path):
    path = tmp_path / "ro.py"
    path.write_bytes(OLD)
    path.chmod(0o444)
    why = write_atomic(str(path), b"new\n", OLD)
    assert why is not None and "read-only" in why and path.read_bytes() == OLD


def test_a_file_with_two_hard_links_is_not_split(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(OLD)
    os.link(path, tmp_path / "b.py")
    why = write_atomic(str(path), b"new\n", OLD)
    assert why is not None and "hard links" in why and (tmp_path / "b.py").read_bytes() == OLD


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_and_group_are_kept(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(OLD)
    os.chown(path, 12345, 23456)
    path.chmod(0o640)
    assert write_atomic(str(path), b"new\n", OLD) is None
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (12345, 23456, 0o640)
    assert path.read_bytes() == b"new\n"


def test_an_edit_during_the_fsync_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(OLD)
    real_fsync = os.fsync

    def edit_then_fsync(fd):
        path.write_bytes(b"the user's edit\n")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", edit_then_fsync)
    why = write_atomic(str(path), b"new\n", OLD)
    assert why is not None and "changed on disk" in why
    assert path.read_bytes() == b"the user's edit\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


@pytest.mark.skipif(not os.sys.platform.startswith("linux"), reason="renameat2 exchange is Linux only")
def test_an_edit_after_the_last_comparison_is_put_back(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(OLD)
    real_changed = files._changed
    calls = []

    def changed_then_edit(where, expected):
        answer = real_changed(where, expected)
        calls.append(where)
        if len(calls) == 1:  # the comparison right before the exchange
            path.write_bytes(b"the user's edit\n")
        return answer

    monkeypatch.setattr(files, "_changed", changed_then_edit)
    why = write_atomic(str(path), b"new\n", OLD)
    assert why is not None and "changed on disk" in why
    assert path.read_bytes() == b"the user's edit\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


def test_two_names_of_one_file_are_checked_once(tmp_path):
    (tmp_path / "b.py").write_bytes(OLD)
    (tmp_path / "a_link.py").symlink_to("b.py")
    found = discover([str(tmp_path), str(tmp_path / "b.py"), str(tmp_path / "." / "b.py")], _settings())
    assert found == [str(tmp_path / "b.py")]


def _settings():
    from rel05_lint.core.config import Settings

    return Settings()


def test_unicode_escape_source_reads_back_its_own_bytes():
    from rel05_lint.core.source import decode

    data = b"# coding: unicode_escape\nimport requests\nrequests.get(u)\n"
    source = decode(data)
    assert source.to_bytes() == data and not source.round_trips


@pytest.mark.slow
def test_fix_does_not_write_through_a_symlink_out_of_the_named_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target.py").write_bytes(OLD)
    src = tmp_path / "src"
    src.mkdir()
    (src / "link.py").symlink_to(outside / "target.py")
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    proc = cli("fix", "--unsafe-fixes", "src", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert b"outside the paths given" in proc.stderr
    assert (outside / "target.py").read_bytes() == OLD
    proc = cli("fix", "--unsafe-fixes", "src/link.py", cwd=tmp_path)  # named: written through
    assert proc.returncode == 0, proc.stderr
    assert b"timeout=10" in (outside / "target.py").read_bytes()


@pytest.mark.slow
def test_fix_refuses_unicode_escape_without_a_false_changed_on_disk(tmp_path):
    data = b"# coding: unicode_escape\nimport requests\nrequests.get(u)\n"
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    (tmp_path / "esc.py").write_bytes(data)
    proc = cli("fix", "--unsafe-fixes", "esc.py", cwd=tmp_path)
    assert proc.returncode == 2 and b"changed on disk" not in proc.stderr and b"encoding" in proc.stderr, proc.stderr
    assert (tmp_path / "esc.py").read_bytes() == data


@pytest.mark.slow
def test_fifo_and_dev_zero_in_a_walked_folder_are_one_line_each(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "good.py").write_bytes(OLD)
    proc = cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert [line.split(":")[0] for line in lines if " REL001 " in line] == ["./pipe.py", "./zero.py"], lines
    assert any(line.startswith("./good.py:2:1: REL501") for line in lines)


def test_diff_splits_only_at_newlines_and_marks_a_cr_only_file():
    from rel05_lint.core.source import unified_diff

    old = 'x = "\x0c\u2028\x85"\nrequests.get(u)\n'
    diff = unified_diff(old, old.replace("get(u)", "get(u, timeout=10)"), "f.py")
    assert diff.count("\n") == 6 and "\n-requests.get(u)\n" in diff  # the \f line is one line
    cr = unified_diff("a\rb\r", "a\rc\r", "cr.py")
    assert cr.endswith("-a\rb\r\n\\ No newline at end of file\n+a\rc\r\n\\ No newline at end of file\n")


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("patch"), reason="needs patch")
def test_diff_applies_with_patch_for_cr_only_and_form_feed_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    (tmp_path / "cr.py").write_bytes(b"import requests\rrequests.get(u)\rx = 1\r")
    (tmp_path / "ff.py").write_bytes('import requests\nx = "\x0c"  # \u2028\nrequests.get(u)\n'.encode())
    proc = cli("fix", "--unsafe-fixes", "--diff", "cr.py", "ff.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("cr.py", "ff.py"):
        shutil.copy(tmp_path / name, copy / name)
    subprocess.run(["patch", "-p1"], input=proc.stdout, cwd=copy, check=True, capture_output=True)
    assert (copy / "cr.py").read_bytes() == b"import requests\rrequests.get(u, timeout=10)\rx = 1\r"
    assert (copy / "ff.py").read_bytes().endswith(b"requests.get(u, timeout=10)\n")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", "."], cwd=tmp_path / "copy", check=True)
        subprocess.run(["git", "apply", "--check", "-R", "-p1"], input=proc.stdout, cwd=copy, check=True)


def test_cache_key_follows_where_a_symlink_points(tmp_path):
    from rel05_lint.core.config import Settings
    from rel05_lint.runner.cache import Cache

    (tmp_path / "src").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "src" / "m.py").write_bytes(OLD)
    (tmp_path / "tests" / "m.py").write_bytes(OLD)
    link = tmp_path / "m.py"
    link.symlink_to(tmp_path / "src" / "m.py")
    cache = Cache(tmp_path / "c", Settings(), frozenset({"REL501"}))
    before = cache.key(str(link), OLD.decode())
    link.unlink()
    link.symlink_to(tmp_path / "tests" / "m.py")
    assert cache.key(str(link), OLD.decode()) != before


def _fixed_count(src) -> int:
    return sum(b"timeout=10" in p.read_bytes() for p in src.glob("*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["terminate", "kill"])
def test_workers_end_with_the_main_process_and_leave_no_temporary_file(tmp_path, how):
    import time

    from helpers import ROOT

    (tmp_path / "pyproject.toml").write_text("[tool.rel05-lint]\n")
    src = tmp_path / "src"
    src.mkdir()
    for i in range(300):
        body = "".join(f"    requests.get(base + '/{i}/{n}')\n" for n in range(25))
        (src / f"m{i:04d}.py").write_text(f"import requests\n\n\ndef f(base):\n{body}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rel05_lint.cli", "fix", "--unsafe-fixes", "-j", "2", "src"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not _fixed_count(src) and time.monotonic() < deadline:
        time.sleep(0.2)
    getattr(proc, how)()  # the main process only, as a wrapper stopping it by PID does
    proc.wait(timeout=60)
    time.sleep(1)  # after SIGKILL the kernel's SIGTERM reaches the workers a moment later
    after_end = {p.name: p.read_bytes() for p in src.iterdir()}
    time.sleep(3)
    assert {p.name: p.read_bytes() for p in src.iterdir()} == after_end  # no worker wrote after the end
    assert not [name for name in after_end if name.startswith(".rel05-")]
    assert 0 < _fixed_count(src) < 300
