"""What many tests share (importable because pytest puts tests/ on sys.path): suites written as
TOML, a `bench` subprocess that loads the test plugins, and a headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

PLUGINS = Path(__file__).parent / "plugins"


def suite_toml(name: str, datasets: Sequence[str | dict], models: Sequence[str | dict],
               folds: int = 3, validation: float | None = 0.2, timeout_s: int | None = 60,
               samplers: Sequence[str] | None = ("none", "class_weight"),
               ratios: Sequence[float] | None = (1, 4), minority: Sequence[int] = (2,),
               **more: object) -> str:
    """A suite as TOML text. A dataset or model given as a string is `{"name": it}`; a setting
    given as None is left out of the file (the suite's default applies); `ratios=None` leaves
    out the `[imbalance]` table; `more` are further top-level settings (`metric`, `repeats`)."""
    top = {"name": name, "folds": folds, "validation": validation, "timeout_s": timeout_s,
           **more, "samplers": list(samplers) if samplers is not None else None}
    lines = [f"{k} = {json.dumps(v)}" for k, v in top.items() if v is not None]
    if ratios is not None:
        lines += ["", "[imbalance]", 'profile = "step"', f"ratios = {json.dumps(list(ratios))}",
                  f"minority = {json.dumps(list(minority))}"]
    for table, entries in (("datasets", datasets), ("models", models)):
        for entry in entries:
            lines += ["", f"[[{table}]]"] + [f"{k} = {json.dumps(v)}" for k, v in (
                {"name": entry} if isinstance(entry, str) else entry).items()]
    return "\n".join(lines) + "\n"


def write_suite(directory: Path, text: str, file: str = "suite.toml") -> Path:
    """`text` written to `directory/file`; its path."""
    path = directory / file
    path.write_text(text)
    return path


TINY = suite_toml("tiny", ["wine"], ["dummy", "logistic"])


def plugin_env(plugins: str | None, **extra: str) -> dict[str, str]:
    """The environment of a subprocess that can import the test plugins (tests/plugins on
    PYTHONPATH) and loads the modules `plugins` (comma-separated; None: BENCH_PLUGINS as it is
    here), plus `extra` variables."""
    path = os.pathsep.join(p for p in (str(PLUGINS), os.environ.get("PYTHONPATH")) if p)
    named = {} if plugins is None else {"BENCH_PLUGINS": plugins}
    return {**os.environ, **named, "PYTHONPATH": path, **extra}


def bench_cmd(*args: str) -> list[str]:
    """The command line of `bench ARGS` run by this interpreter."""
    return [sys.executable, "-m", "bench", *args]


CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))
                 if p), None)
CHROMEDRIVER = shutil.which("chromedriver")
NO_BROWSER = "needs Chromium and chromedriver on PATH (Debian: apt-get install chromium " \
             "chromium-driver; .ci/run installs them)"


def chromium() -> object:
    """A headless Chromium (selenium driver) that logs the console and every request, with a
    proxy that reaches nothing; the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1300,1000", "--proxy-server=127.0.0.1:9",  # nothing to reach
                "--disable-background-networking", "--no-first-run"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def as_typed_in_a_terminal() -> None:
    """Popen `preexec_fn`: the child starts as a command typed in a terminal does, with Ctrl-C's
    default handling and no blocked signal, whatever the long-lived test process inherited or
    changed (an ignored or blocked SIGINT is inherited across exec and would make a Ctrl-C test
    wait for nothing)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
