"""Single-file start-up, side by side: ``python -m tools.bench_startup [--runs N]
[--flake8 PATH] [--ruff PATH]``.

What pre-commit and editor plugins pay per call (issue 18): ``rel05-lint check
--no-cache`` on one clean file (the prefilter rejects it: no libcst) and on one
file with a finding (libcst imported, parsed, positions), against flake8 with
flake8-bugbear alone (give its executable; a venv holding only flake8 and
flake8-bugbear) on the same files, and ruff. Commands run round-robin, so
load from other jobs on the machine falls on all of them alike; wall and CPU
(``os.wait4``) medians of N runs each. Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from tools.bench import machine, measure

CLEAN = '''"""A module no rule can fire on: the prefilter rejects it."""

import os
import sys


def here() -> str:
    return os.getcwd()


def main() -> int:
    print(here(), file=sys.stderr)
    return 0
'''

FINDING = '''"""A module with one finding (REL501): libcst is imported and the file parsed."""

import requests


def fetch(url: str) -> bytes:
    response = requests.get(url)
    response.raise_for_status()
    return response.content
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_startup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per command; medians are reported")
    parser.add_argument("--flake8", help="flake8 executable of a venv with flake8-bugbear only")
    parser.add_argument("--ruff", default=shutil.which("ruff"), help="ruff executable (reference)")
    parser.add_argument("--baseline", help="rel05-lint executable of another checkout (e.g. before a change)")
    args = parser.parse_args(argv)
    # The commands run in a temporary folder: absolute executables.
    args.flake8 = args.flake8 and str(Path(args.flake8).absolute())
    args.ruff = args.ruff and str(Path(args.ruff).absolute())
    args.baseline = args.baseline and str(Path(args.baseline).absolute())

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text("")  # no configuration: default rules
        (root / "clean.py").write_text(CLEAN)
        (root / "finding.py").write_text(FINDING)
        script = Path(sys.executable).parent / "rel05-lint"  # what pre-commit runs
        lint = [str(script) if script.exists() else sys.executable, "check", "--no-cache"]
        if not script.exists():
            lint[1:1] = ["-m", "rel05_lint.cli"]
        commands: list[tuple[str, list[str]]] = [
            ("rel05-lint check --no-cache, clean file", [*lint, "clean.py"]),
            ("rel05-lint check --no-cache, file with a finding", [*lint, "finding.py"]),
        ]
        # The floor for a file that needs a tree: importing libcst, nothing else.
        commands += [("floor: python -c 'import libcst'", [sys.executable, "-c", "import libcst"])]
        if args.baseline:
            commands += [("baseline rel05-lint, clean file", [args.baseline, "check", "--no-cache", "clean.py"])]
            commands += [
                ("baseline rel05-lint, file with a finding", [args.baseline, "check", "--no-cache", "finding.py"])
            ]
        if args.flake8:
            flake8 = [args.flake8, "--isolated"]  # its defaults plus bugbear's B codes
            commands += [("flake8 + bugbear, clean file", [*flake8, "clean.py"])]
            commands += [("flake8 + bugbear, file with a finding", [*flake8, "finding.py"])]
        if args.ruff:
            ruff = [args.ruff, "check", "--no-cache", "--isolated", "--select", "S113"]
            commands += [("ruff --select S113, clean file", [*ruff, "clean.py"])]
            commands += [("ruff --select S113, file with a finding", [*ruff, "finding.py"])]
        # Bytecode as an installed package has it, kept out of the checkout.
        os.environ["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        for _, cmd in commands:  # warm the page cache and write the bytecode
            measure(cmd, cwd=tmp)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in commands}
        for _ in range(args.runs):
            for name, cmd in commands:
                wall, cpu, _rss, _code = measure(cmd, cwd=tmp)
                runs[name].append((wall, cpu))

    print(f"machine: {machine()}")
    print(f"median of {args.runs} runs each, round-robin\n")
    print("| command | wall (ms) | CPU (ms) |")
    print("|---|---:|---:|")
    medians = {}
    for name, values in runs.items():
        wall = statistics.median(v[0] for v in values) * 1000
        cpu = statistics.median(v[1] for v in values) * 1000
        medians[name] = (wall, cpu)
        print(f"| {name} | {wall:.0f} | {cpu:.0f} |")
    if args.flake8:
        (cw, cc), (fw, fc) = medians[commands[0][0]], medians[commands[1][0]]
        (kw, kc), (gw, gc) = medians["flake8 + bugbear, clean file"], medians["flake8 + bugbear, file with a finding"]
        print("\ntargets (ratio to flake8 + bugbear on the same file):")
        print(f"  clean file:        wall {cw / kw:.2f}x, CPU {cc / kc:.2f}x (target <= 1.0)")
        print(f"  file with finding: wall {fw / gw:.2f}x, CPU {fc / gc:.2f}x (target <= 1.5)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
