"""The report in a real browser: Debian's headless Chromium (driven by chromedriver and selenium)
opens the file from disk with the network switched off, logs no console error, shows every
section and its charts, and a screenshot is saved (to pytest's tmp_path, and to
$BENCH_ARTIFACTS when set). Skipped only where chromium or chromedriver is not installed
(`.ci/run` installs them)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.commands.report import build_report
from bench.report.html import SECTIONS
from report_helpers import hostile_store, small_store
from tests_helpers import CHROMEDRIVER, CHROMIUM, NO_BROWSER, chromium

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=NO_BROWSER)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    driver = chromium()
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver, path: Path) -> dict:  # noqa: ANN001
    """Load the file; return console entries and the URLs the page requested."""
    driver.get_log("browser")  # drop anything logged before this page
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    requests = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            requests.append(msg["params"]["request"]["url"])
    return {"console": driver.get_log("browser"), "requests": requests}


def screenshot(driver, tmp_path: Path, name: str) -> Path:  # noqa: ANN001
    """A full-page screenshot in tmp_path (and in $BENCH_ARTIFACTS when set)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1300, min(int(height) + 100, 16000))
    path = tmp_path / name
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000
    if os.environ.get("BENCH_ARTIFACTS"):
        target = Path(os.environ["BENCH_ARTIFACTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    driver.set_window_size(1300, 1000)
    return path


def check_loaded(driver, seen: dict) -> None:  # noqa: ANN001
    severe = [e for e in seen["console"] if e["level"] in ("SEVERE", "ERROR")]
    assert not severe, severe
    assert seen["requests"], "the performance log saw no request (not even the page itself)"
    assert all(u.startswith("file://") for u in seen["requests"]), seen["requests"]
    assert driver.execute_script("return document.querySelectorAll('script').length") == 0
    for sid, title in SECTIONS:
        heading = driver.execute_script(
            "const s = document.getElementById(arguments[0]); "
            "return s && s.querySelector('h2').textContent", sid)
        assert heading == title


QUICK = Path(__file__).resolve().parents[2] / "results" / "baselines" / "quick"
CHARTED = ("summary", "by-ratio", "per-class", "best-sampler", "confusion", "curves",
           "time-quality")


def drawn_charts(driver) -> dict:  # noqa: ANN001
    """Per section: the SVG charts the browser laid out with a size and some text."""
    return driver.execute_script("""
        const out = {};
        for (const s of document.querySelectorAll('section')) {
            out[s.id] = Array.from(s.querySelectorAll('svg')).filter(
                v => v.getBoundingClientRect().width > 0 && v.getBoundingClientRect().height > 0
                     && v.querySelector('text')).length;
        }
        return out;""")


def test_quick_store_report_renders_offline(browser, tmp_path: Path):  # noqa: ANN001
    """The issue's check: the report of the quick suite's store (the committed baseline) opens
    in headless Chromium with no console error, fully offline, every section drawn."""
    page = build_report(QUICK, tmp_path / "quick.html").path
    check_loaded(browser, open_page(browser, page))
    drawn = drawn_charts(browser)
    assert all(drawn[sid] >= 1 for sid in CHARTED), drawn
    screenshot(browser, tmp_path, "report-quick.png")


@pytest.mark.slow
def test_real_store_report_renders_offline_with_every_chart(browser, tmp_path: Path,
                                                            tmp_path_factory):  # noqa: ANN001
    store = small_store(tmp_path_factory.mktemp("report-small"))
    page = build_report(store, tmp_path / "report.html").path
    seen = open_page(browser, page)
    check_loaded(browser, seen)
    drawn = drawn_charts(browser)
    for sid in CHARTED:
        assert drawn[sid] >= 1, (sid, drawn)
    assert drawn["per-class"] >= 6  # recall and precision of each of wine's three classes
    screenshot(browser, tmp_path, "report.png")


def test_hostile_names_are_shown_never_run(browser, tmp_path: Path):  # noqa: ANN001
    page = build_report(hostile_store(tmp_path / "store"), tmp_path / "evil.html").path
    seen = open_page(browser, page)
    check_loaded(browser, seen)
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 (an alert would mean a script ran)
    assert browser.title.startswith("bench report: <script>suite</script>")
    body = browser.execute_script("return document.body.innerText")
    assert "m<script>alert(1)</script>" in body and "<img src=x onerror=alert(1)>" in body
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)")
    assert "<script>" in labels and "a&b" in labels  # class labels drawn literally in SVG
    assert browser.execute_script("return document.querySelectorAll('img, b').length") == 0
    screenshot(browser, tmp_path, "report-hostile.png")
