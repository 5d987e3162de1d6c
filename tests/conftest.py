import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_addoption(parser):
    parser.addoption(
        "--update-fixed",
        action="store_true",
        help="Rewrite fixtures/*/*.fixed.py from the current fixes (then review the diff).",
    )
