"""The pinned corpus of real packages used by the benchmark and the smoke run.

Sources are downloaded as sdists with pip (never run, only read) into a
cache folder, once. Not used by the linter itself or by the default tests.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

PINNED = (
    "django==5.2.19",
    "flask==3.1.3",
    "requests==2.34.2",
    "httpx==0.28.1",
    "celery==5.7.0",
    "sqlalchemy==2.1.9",
    "urllib3==2.8.0",
    "tenacity==9.2.1",
    "aiohttp==3.14.5",
    "boto3==1.44.8",
    "botocore==1.44.8",
    "kombu==5.7.0",
    "redis==8.1.0",
    "paramiko==5.1.0",
    "scrapy==2.19.0",
)
DEFAULT_DIR = Path(".bench") / "corpus"


def ensure_corpus(dest: Path = DEFAULT_DIR, pins: tuple[str, ...] = PINNED) -> Path:
    """Download and unpack every pinned sdist under ``dest`` (skipping those present)."""
    dest.mkdir(parents=True, exist_ok=True)
    archives = dest / "_archives"
    archives.mkdir(exist_ok=True)
    for pin in pins:
        name = pin.split("==")[0].lower()
        marker = dest / f"{name}.unpacked"
        if marker.exists():
            continue
        before = set(archives.iterdir())
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(archives),
                pin,
            ],
            check=True,
            timeout=600,  # noqa: REL504  (a 10 MB sdist from a slow mirror takes minutes)
        )
        new = [p for p in set(archives.iterdir()) - before] or [
            p for p in archives.iterdir() if p.name.lower().replace("-", "_").startswith(name.replace("-", "_"))
        ]
        target = dest / name
        target.mkdir(exist_ok=True)
        for archive in new:
            _unpack(archive, target)
        marker.touch()
    return dest


def _unpack(archive: Path, target: Path) -> None:
    # Only regular files and folders, never outside target (no links, no "..").
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                out = (target / member.filename).resolve()
                if target.resolve() in out.parents and not member.is_dir():
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(zf.read(member))
        return
    with tarfile.open(archive) as tf:
        for entry in tf.getmembers():
            dest = (target / entry.name).resolve()
            if entry.isfile() and target.resolve() in dest.parents:
                src = tf.extractfile(entry)
                if src is None:
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with src:
                    dest.write_bytes(src.read())


def corpus_files(dest: Path = DEFAULT_DIR) -> list[Path]:
    """Every .py file of the unpacked corpus, sorted."""
    return sorted(p for p in dest.rglob("*.py") if p.is_file() and "_archives" not in p.parts)


if __name__ == "__main__":  # pragma: no cover
    root = ensure_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR)
    files = corpus_files(root)
    lines = sum(len(p.read_bytes().splitlines()) for p in files)
    print(f"{len(files)} files, {lines} lines under {root}")
