"""Progress on stderr (bar, plain lines, quiet, failure lines) and `<store>/run.log`."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

from rich.console import Console

from bench.execute.progress import RunLog, RunProgress, duration

OK_ROW = {"status": "ok", "cell_id": "c1", "model": "lr", "sampler": "none", "dataset": "wine",
          "ratio": 4.0, "repeat": 0, "fold": 1, "fit_s": 0.25, "predict_s": 0.01,
          "resample_s": 0.0, "peak_mb": 210.5}
BAD_ROW = {"status": "crashed", "cell_id": "c2", "model": "m [/x] <script>", "sampler": "none",
           "dataset": "da ta", "ratio": 1.0, "repeat": 0, "fold": 0,
           "error": 'worker killed by SIGSEGV (signal 11)\nsecond "line"'}


def console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=False, width=200, emoji=False), buf


def test_plain_lines_and_one_literal_line_per_failure() -> None:
    con, buf = console()
    p = RunProgress(con, interval_s=0.0)
    assert not p.bar  # not a terminal: no control characters
    p.start(4)
    for row in (OK_ROW, BAD_ROW, OK_ROW, OK_ROW):
        p.result(row)
    p.stop()
    out = buf.getvalue()
    assert "\x1b" not in out
    assert out.count("crashed m [/x] <script> / none / da ta: worker killed by SIGSEGV") == 1
    assert re.search(r"1/4 cells \(25%\), 0 failed, \ds elapsed, ETA \ds", out)
    assert out.rstrip().splitlines()[-1].startswith("4/4 cells (100%), 1 failed")


def test_quiet_prints_nothing() -> None:
    con, buf = console()
    p = RunProgress(con, quiet=True, interval_s=0.0)
    p.start(2)
    p.result(BAD_ROW)
    p.result(OK_ROW)
    p.stop()
    assert buf.getvalue() == "" and (p.done, p.failed) == (2, 1)


def test_bar_on_a_terminal_counts_failures() -> None:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=True, width=120, emoji=False)
    p = RunProgress(con)
    assert p.bar
    p.start(2)
    p.result(BAD_ROW)
    p.result(OK_ROW)
    p.stop()
    out = buf.getvalue()
    assert "2/2" in out and "1 failed" in out and "worker killed by SIGSEGV" in out


def test_duration() -> None:
    assert [duration(s) for s in (4.4, 65, 3725)] == ["4s", "1m05s", "1h02m"]


def test_run_log_keeps_one_line_per_event_whatever_the_labels(tmp_path: Path) -> None:
    with RunLog(tmp_path / "run.log") as log:
        log.start(suite="s x", workers=None, threads=1, memory_limit=4 * 10**9)
        log.cell(OK_ROW)
        log.cell(BAD_ROW)
        log.end(Counter({"ok": 1, "crashed": 1}), 1.23456, True, 15)
    with RunLog(tmp_path / "run.log") as log:  # a resumed run appends
        log.start(suite="s x")
    lines = (tmp_path / "run.log").read_text(encoding="utf-8").splitlines()
    assert [line.split()[1] for line in lines] == ["start", "cell", "cell", "end", "start"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[0].split()[0])
    assert 'suite="s x" threads=1 memory_limit=4000000000' in lines[0]
    assert "workers" not in lines[0]  # unset options are left out
    assert "status=ok id=c1 model=lr" in lines[1] and "fit_s=0.25 predict_s=0.01" in lines[1]
    assert "error" not in lines[1]
    quoted = re.search(r'model=("[^"]*")', lines[2]).group(1)
    assert json.loads(quoted) == "m [/x] <script>"
    error = lines[2].split(" error=", 1)[1]
    assert json.loads(error) == BAD_ROW["error"]
    assert "elapsed_s=1.235 interrupted=True signal=15 n_crashed=1 n_ok=1" in lines[3]
