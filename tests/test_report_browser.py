"""The HTML report as a reader sees it: opened in headless Chromium, with no console errors, no
request beyond the page itself, and a screenshot that shows the report (not a blank page).

Skipped, with the reason, where Chromium is not installed or cannot start (``.ci/run``
installs Debian's ``chromium`` on CI). Set ``IVRSCORE_SCREENSHOTS=DIR`` to keep the
screenshots and look at them.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from ivrscore.cli import main

from .browser import BrowserUnavailableError, PageVisit, chromium, visit
from .conftest import EXAMPLES

try:
    chromium()
    NO_BROWSER = ""
except BrowserUnavailableError as exc:
    NO_BROWSER = str(exc)

pytestmark = pytest.mark.skipif(bool(NO_BROWSER), reason=NO_BROWSER)


def opened(page: Path) -> PageVisit:
    try:
        return visit(page)
    except BrowserUnavailableError as exc:  # e.g. a sandbox that refuses to start it
        pytest.skip(str(exc))


def pixels(png: bytes) -> np.ndarray:
    import matplotlib.image as mpimg

    return np.asarray(mpimg.imread(io.BytesIO(png), format="png"))[..., :3]


def keep(png: bytes, name: str) -> None:
    folder = os.environ.get("IVRSCORE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(png)


def assert_shows_a_report(v: PageVisit, page: Path) -> None:
    assert v.errors == [], v.errors
    assert v.requests == [page.resolve().as_uri()]  # nothing fetched: no network needed
    for png in (v.viewport, v.screenshot):
        assert png.startswith(b"\x89PNG")
        img = pixels(png)
        ink = (img < 0.92).any(axis=2)  # anything not (near) white
        assert 0.02 < ink.mean() < 0.6, f"{ink.mean():.1%} of the page has ink"
        # colour as well as text: the grade badge, bars and charts
        spread = img.max(axis=2) - img.min(axis=2)
        assert (spread > 0.3).mean() > 0.001
    # the whole page is far longer than one screen: charts and tables laid out
    assert v.height > 3000


def test_score_page_in_a_browser(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert (
        main(["score", str(EXAMPLES / "acme_telecom.yaml"), "--format", "html", "-o", str(page)])
        == 0
    )
    v = opened(page)
    keep(v.viewport, "score-first-screen.png")
    keep(v.screenshot, "score-full.png")
    assert_shows_a_report(v, page)
    # the top of the first screen holds the big score: dark ink at the left
    top = pixels(v.viewport)[:140, :300]
    assert (top < 0.3).any(axis=2).mean() > 0.01


def test_comparison_page_in_a_browser(tmp_path: Path) -> None:
    page = tmp_path / "compare.html"
    args = [str(EXAMPLES / "acme_telecom.yaml"), str(EXAMPLES / "acme_redesign.yaml")]
    assert main(["compare", *args, "--format", "html", "-o", str(page)]) == 0
    v = opened(page)
    keep(v.viewport, "compare-first-screen.png")
    keep(v.screenshot, "compare-full.png")
    assert_shows_a_report(v, page)


def test_visit_reports_console_errors(tmp_path: Path) -> None:
    """The checks above can fail: a page with a script error and a missing image is caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!doctype html><title>x</title><p>hello</p><img src='missing.png'>"
        "<script>console.error('boom'); undefined_function();</script>"
    )
    v = opened(page)
    assert any("boom" in e for e in v.errors)
    assert any("undefined_function" in e for e in v.errors)
    assert any(r.endswith("missing.png") for r in v.requests)


def test_chromium_is_the_one_ci_installs() -> None:
    assert (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
