"""What a run tells the person watching it, and what it leaves in the store's log.

- `RunProgress`: a bar with done / failed / ETA on a terminal (rich, on stderr), plain periodic
  lines otherwise (CI logs, `nohup`, pipes: no control characters), and one line per cell that
  did not end `ok` (the one place failure lines are drawn). `quiet` keeps all of it silent; the
  caller still prints the final summary and errors.
- `RunLog`: `<store>/run.log`, appended one line per event (start with the options, one line per
  cell with its status and times, end). Line-buffered appends: a cheap write per cell in the
  driver, and whatever finished is in the file even after a SIGKILL.

Why here and not in the CLI: `bench run` and `bench baseline update` draw the same progress.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from bench.core.vocab import FAILED, OK

LOG_NAME = "run.log"
PLAIN = re.compile(r"[\w.:/@+-]+")


def failure_line(row: Mapping[str, Any]) -> Text:
    """`<status> model / sampler / dataset: message` of a failed cell, drawn literally."""
    what = f"{row['model']} / {row['sampler']} / {row['dataset']}: {str(row.get('error', ''))[:200]}"
    return Text.assemble((str(row["status"]), "yellow"), " ", what)


def duration(seconds: float) -> str:
    """`42s`, `5m07s`, `2h03m`: short enough for a progress line."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class RunProgress:
    """Progress of one run on `console` (stderr): a rich bar on a terminal, else plain lines
    every `interval_s` seconds; failure lines either way; nothing at all when `quiet`."""

    def __init__(self, console: Console, quiet: bool = False, bar: bool | None = None,
                 interval_s: float = 10.0) -> None:
        self.console = console
        self.quiet = quiet
        self.bar = console.is_terminal if bar is None else bar
        self.interval_s = interval_s
        self.total = self.done = self.failed = 0
        self.t0 = self.next_line = 0.0
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int, description: str = "cells") -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.t0 = time.monotonic()
        self.next_line = self.t0 + self.interval_s
        if self.quiet or not self.bar or not total:
            return
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=False)
        self._task = self._progress.add_task(Text(description).plain, total=total, failed=0)
        self._progress.start()

    def line(self) -> str:
        """`120/1000 cells (12%), 3 failed, 1m05s elapsed, ETA 8m40s`."""
        elapsed = time.monotonic() - self.t0
        pct = 100 * self.done / self.total if self.total else 100.0
        eta = (f", ETA {duration(elapsed / self.done * (self.total - self.done))}"
               if self.done and self.done < self.total else "")
        return (f"{self.done}/{self.total} cells ({pct:.0f}%), {self.failed} failed, "
                f"{duration(elapsed)} elapsed{eta}")

    def result(self, row: Mapping[str, Any]) -> None:
        """One finished cell (any status)."""
        self.done += 1
        failed = row["status"] in FAILED
        self.failed += failed
        if self.quiet:
            return
        if row["status"] != OK:
            target = self._progress.console if self._progress is not None else self.console
            target.print(failure_line(row), highlight=False, soft_wrap=True)
        if self._progress is not None:
            self._progress.update(self._task, advance=1, failed=self.failed)
        elif not self.bar and time.monotonic() >= self.next_line:
            self.next_line = time.monotonic() + self.interval_s
            self.console.print(self.line(), markup=False, highlight=False)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        elif not self.quiet and not self.bar and self.total and self.done:
            self.console.print(self.line(), markup=False, highlight=False)


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if v == v else "nan"
    s = str(v)
    return s if PLAIN.fullmatch(s) else json.dumps(s, ensure_ascii=False)


class RunLog:
    """`<store>/run.log`: one `key=value` line per event, appended, line-buffered. Values that
    are not plain words are JSON-quoted, so a label or message with spaces, quotes or newlines
    stays on its line."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: TextIO | None = open(self.path, "a", buffering=1, encoding="utf-8")

    def write(self, event: str, **fields: Any) -> None:
        if self._file is None:
            return
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts = [stamp, event] + [f"{k}={_value(v)}" for k, v in fields.items() if v is not None]
        self._file.write(" ".join(parts) + "\n")

    def start(self, **fields: Any) -> None:
        self.write("start", **fields)

    def cell(self, row: Mapping[str, Any]) -> None:
        error = str(row.get("error") or "")[:500] if row["status"] != OK else None
        self.write("cell", status=row["status"], id=row["cell_id"], model=row.get("model"),
                   sampler=row.get("sampler"), dataset=row.get("dataset"), ratio=row.get("ratio"),
                   repeat=row.get("repeat"), fold=row.get("fold"), fit_s=row.get("fit_s"),
                   predict_s=row.get("predict_s"), resample_s=row.get("resample_s"),
                   peak_mb=row.get("peak_mb"), error=error)

    def end(self, statuses: Mapping[str, int], elapsed_s: float, interrupted: bool = False,
            stop_signal: int = 0) -> None:
        counts = {f"n_{k}": v for k, v in sorted(statuses.items())}
        self.write("end", elapsed_s=round(elapsed_s, 3), interrupted=interrupted,
                   signal=stop_signal or None, **counts)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
