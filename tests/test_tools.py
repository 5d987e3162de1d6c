"""The developer tools (not in the wheel): corpus unpacking, the smoke run, the benchmark's helpers."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

from fixture_cases import FIXTURES

from tools import bench, corpus, smoke


def _tar(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("pkg/link.py")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tf.addfile(link)


def test_unpacking_keeps_files_inside_the_target(tmp_path):
    archive = tmp_path / "pkg-1.0.tar.gz"
    _tar(archive, {"pkg/a.py": b"x = 1\n", "../escape.py": b"bad\n", "/abs.py": b"bad\n"})
    target = tmp_path / "out"
    target.mkdir()
    corpus._unpack(archive, target)
    found = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert found == ["pkg/a.py"]
    assert not (tmp_path / "escape.py").exists()


def test_unpacking_zip_archives(tmp_path):
    archive = tmp_path / "pkg-1.0.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/b.py", "y = 2\n")
        zf.writestr("../../escape.py", "bad\n")
    target = tmp_path / "out"
    target.mkdir()
    corpus._unpack(archive, target)
    assert sorted(p.name for p in target.rglob("*.py")) == ["b.py"]


def test_corpus_files_skip_the_archives(tmp_path):
    (tmp_path / "_archives").mkdir()
    (tmp_path / "_archives" / "x.py").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("")
    assert [p.name for p in corpus.corpus_files(tmp_path)] == ["m.py"]


def test_smoke_checks_and_fixes_in_memory():
    path = FIXTURES / "sample_service" / "shop" / "app.py"
    before = path.read_bytes()
    smoke._init()
    report = smoke.smoke_file(str(path))
    assert path.read_bytes() == before  # nothing written
    assert report.crash is None and report.compile_error is None
    assert report.findings and report.fixes > 0
    text = smoke.summarize([report], path.parent, 0.1, sample=1)
    assert "crashes: 0" in text and "SAMPLE" in text


def test_prefilter_counts_and_machine_line():
    files = sorted((FIXTURES / "sample_service").rglob("*.py"))
    parsed, parsed_lines, total = bench.prefilter_counts(files)
    assert 0 < parsed <= len(files) and 0 < parsed_lines <= total
    assert "CPUs" in bench.machine()
