"""The HTML review page, rendered by a real browser (headless Chromium).

The page's inline script recomputes every bar from its data attributes and
marks it; ``--dump-dom`` returns the DOM after scripts ran, so the test sees
what a reader's browser shows. Needs Debian's ``chromium`` package (.ci/run
installs it); skipped, saying so, when it is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from fixture_cases import FIXTURES
from helpers import cli

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Dom(HTMLParser):
    """Bars (elements with data-sites), the body's attributes, and each practice block's text."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: list[dict] = []
        self.body: dict = {}
        self.practices: dict[str, str] = {}
        self._practice: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body = attrs
        if "data-sites" in attrs:
            self.bars.append(attrs)
        if self._practice is not None and tag == "div":
            self._depth += 1
        elif "data-practice" in attrs:
            self._practice, self._depth = attrs["data-practice"], 1
            self.practices[self._practice] = ""

    def handle_endtag(self, tag):
        if self._practice is not None and tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self._practice = None

    def handle_data(self, data):
        if self._practice is not None:
            self.practices[self._practice] += data


def _chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_browser_shows_the_figures(tmp_path):
    sample = str(FIXTURES / "sample_service")
    page = tmp_path / "review.html"
    made = cli("report", "--format", "html", "-o", str(page), sample)
    assert made.returncode == 0, made.stderr
    data = json.loads(cli("report", "--format", "json", sample).stdout)

    proc = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = _Dom()
    dom.feed(proc.stdout)

    # The script ran over every bar, and each bar's width is the share of its own counts.
    assert dom.bars and dom.body.get("data-rendered") == str(len(dom.bars))
    for bar in dom.bars:
        sites, ok = int(bar["data-sites"]), int(bar["data-ok"])
        share = ok * 100 // sites
        assert bar["data-checked"] == str(share)
        assert re.search(rf"width:\s*{share}%", bar["style"]), bar

    # Each best practice's block shows the report's figure, and its bar carries the same counts.
    shown = {(int(b["data-ok"]), int(b["data-sites"])) for b in dom.bars}
    for p in data["practices"]:
        text = " ".join(dom.practices[p["code"]].split())
        h = p["headline"]
        if h is None:
            assert "Not a code shape" in text
            continue
        assert f"{h['ok']} of {h['sites']} {h['what']} {h['ok_label']}, {h['share']}%" in text
        if h["sites"]:
            assert (h["ok"], h["sites"]) in shown

    shot = tmp_path / "review.png"
    proc = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000  # a blank page compresses to a few KB
