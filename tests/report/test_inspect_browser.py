"""The inspect page in headless Chromium (chromedriver + selenium): opens offline with no
console error, no request beyond the file, no script run by a hostile label, and a visible
projection `<svg>` with its points. Skipped only where chromium or chromedriver is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.inspect.analyze import InspectOptions, inspect_dataset
from bench.report.inspect_html import inspect_html
from inspect_helpers import blobs
from tests_helpers import CHROMEDRIVER, CHROMIUM, NO_BROWSER, chromium

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=NO_BROWSER)


def test_page_opens_offline_with_a_visible_projection(tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    labels = ("<script>alert(1)</script>", "[/x]", "c")
    ins = inspect_dataset(blobs((50, 50, 12), labels=labels), InspectOptions(),
                          label="<script>alert(2)</script>")
    path = tmp_path / "inspect.html"
    path.write_text(inspect_html([ins]), encoding="utf-8")

    driver = chromium()
    try:
        driver.get(path.resolve().as_uri())
        console = driver.get_log("browser")
        assert not [e for e in console if e["level"] in ("SEVERE", "ERROR")], console
        urls = [json.loads(e["message"])["message"]["params"]["request"]["url"]
                for e in driver.get_log("performance")
                if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"]
        assert all(u.startswith("file://") for u in urls), urls
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018 (an alert would mean a script ran)
        assert driver.execute_script("return document.querySelectorAll('script').length") == 0
        shown = driver.execute_script("""
            const svg = Array.from(document.querySelectorAll('svg')).find(
                s => s.querySelector('title').textContent.includes('PCA projection'));
            const r = svg.getBoundingClientRect();
            const dots = Array.from(svg.querySelectorAll('circle')).filter(c => {
                const b = c.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
            return {w: r.width, h: r.height, dots: dots.length,
                    visible: getComputedStyle(svg).visibility, body: document.body.innerText};
        """)
        assert shown["w"] > 300 and shown["h"] > 300 and shown["visible"] == "visible"
        assert shown["dots"] >= 112  # every point of the 112-row table, plus the legend
        assert "<script>alert(2)</script> (natural)" in shown["body"]
        assert "class <script>alert(1)</script> is separable" in shown["body"]
        assert driver.save_screenshot(str(tmp_path / "inspect.png"))
    finally:
        driver.quit()
