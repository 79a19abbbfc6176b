"""Thin typer CLI: each command calls one library function and renders its result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Benchmark imbalanced multiclass classifiers: DNN vs bagging vs boosting.")
console = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


@app.command()
def validate(suite: Annotated[Path, typer.Argument(help="suite TOML file")]) -> None:
    """Validate a suite and show its grid (cells per axis, skips and why) without running."""
    from bench.suite import SuiteError
    from bench.validate import describe

    try:
        info = describe(suite)
    except SuiteError as exc:
        _fail(str(exc))
    out = Console()
    out.print(f"[bold]{info['suite']}[/bold]: {info['n_cells']} cells to run, "
              f"{info['n_skipped']} skipped by the skip rule")
    for axis, values in info["axes"].items():
        out.print(f"  {axis:<15} ({len(values)}) {', '.join(values)}")
    for reason, n in info["skip_reasons"].items():
        out.print(f"  [yellow]skip[/yellow] {n} cell(s): {reason}")


@app.command()
def run(
    suite: Annotated[Path, typer.Argument(help="suite TOML file")],
    results: Annotated[Optional[Path], typer.Option(help="store directory (default results/<suite name>)")] = None,
    workers: Annotated[Optional[int], typer.Option(help="worker processes (0: in-process, no isolation)")] = None,
    threads: Annotated[int, typer.Option(help="threads per cell (workers x threads <= cores)")] = 1,
    timeout: Annotated[Optional[float], typer.Option(help="per-cell timeout in seconds (default: the suite's)")] = None,
    fresh: Annotated[bool, typer.Option(help="recompute every cell instead of resuming")] = False,
    device: Annotated[str, typer.Option(help="cpu or cuda (models that support it)")] = "cpu",
    leaderboard: Annotated[bool, typer.Option(help="print the leaderboard at the end")] = True,
) -> None:
    """Run a suite into a parquet store; finished cells are kept and skipped on re-run."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from bench.run import run_suite
    from bench.suite import SuiteError

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), console=console, transient=False)
    task = {}

    def on_start(rp) -> None:  # type: ignore[no-untyped-def]
        console.print(f"{rp.suite.name}: {rp.n_cells} cells — {rp.n_finished} already finished, "
                      f"{rp.n_skipped} skipped, {len(rp.todo)} to run → {rp.store.path}")
        task["id"] = progress.add_task("cells", total=len(rp.todo))
        progress.start()

    def on_result(result) -> None:  # type: ignore[no-untyped-def]
        row = result.row
        if row["status"] != "ok":
            progress.console.print(f"[yellow]{row['status']}[/yellow] {row['model']} / "
                                   f"{row['sampler']} / {row['dataset']}: {row['error'][:200]}")
        progress.advance(task["id"])

    try:
        rp, summary = run_suite(suite, results, workers=workers, threads=threads, timeout_s=timeout,
                                fresh=fresh, device=device, on_start=on_start, on_result=on_result)
    except SuiteError as exc:
        _fail(str(exc))
    finally:
        progress.stop()
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items())) or "nothing to run"
    console.print(f"done in {summary.elapsed_s:.1f} s: {statuses}")
    if leaderboard:
        show_leaderboard(rp.store.path, metric=rp.suite.metric)
    if summary.interrupted:
        raise typer.Exit(130)


PER_CLASS_VALUES = ("recall", "precision", "f1", "average_precision")


def show_leaderboard(store: Path, metric: str, by: Optional[str] = None,
                     per_class: Optional[str] = None) -> None:
    from bench.analysis.leaderboard import leaderboard as board_of
    from bench.analysis.leaderboard import per_class_recall
    from bench.report.terminal import frame_table, leaderboard_table, print_table
    from bench.store import Store

    values = [v.strip() for v in per_class.split(",") if v.strip()] if per_class else []
    bad = [v for v in values if v not in PER_CLASS_VALUES]
    if bad:
        _fail(f"--per-class {','.join(bad)}: allowed: {', '.join(PER_CLASS_VALUES)}")

    cells = Store(store).read("cells")
    if cells.empty:
        _fail(f"no results in {store}")
    by_cols = [b.strip() for b in by.split(",") if b.strip()] if by else None
    try:
        board = board_of(cells, metric, by_cols)
    except KeyError as exc:
        _fail(str(exc.args[0]))
    print_table(leaderboard_table(board))
    for value in values:
        wide = per_class_recall(cells, Store(store).read("per_class"), by_cols, value)
        if wide.empty:
            console.print(f"no per-class rows for {value} in {store}")
            continue
        print_table(frame_table(wide, f"Per-class {value} (mean over repeats × folds)"))


@app.command("leaderboard")
def leaderboard_cmd(
    store: Annotated[Path, typer.Argument(help="results store directory")] = Path("results/quick"),
    metric: Annotated[Optional[str], typer.Option(help="metric to rank by (default: the suite's)")] = None,
    by: Annotated[Optional[str], typer.Option(help="comma-separated slice columns, e.g. ratio,sampler")] = None,
    per_class: Annotated[Optional[str], typer.Option(
        "--per-class", help="also show per-class values: recall, precision, f1, average_precision "
        "(comma-separated)")] = None,
) -> None:
    """Rank models per slice: mean ± 95% CI over repeats × folds, failures counted."""
    import json

    from bench.plugins import load_plugins

    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) can be ranked by

    if not (store / "cells").is_dir():
        _fail(f"{store} is not a results store (no cells table)")
    if metric is None:
        meta = store / "meta.json"
        metric = json.loads(meta.read_text()).get("metric", "macro_f1") if meta.exists() else "macro_f1"
    show_leaderboard(store, metric, by, per_class)


@app.command("rescore")
def rescore_cmd(
    store: Annotated[Path, typer.Argument(help="results store directory")],
    metric: Annotated[list[str], typer.Option(help="metric to compute (repeatable)")],
) -> None:
    """Compute metrics for every stored cell from its stored predictions, without refitting."""
    from bench.plugins import load_plugins
    from bench.rescore import RescoreError, rescore

    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS)
    try:
        summary = rescore(store, metric)
    except RescoreError as exc:
        _fail(str(exc))
    Console().print(summary.message(), highlight=False)
    if summary.n_rescored == 0:
        raise typer.Exit(1)


@app.command("list")
def list_cmd(kind: Annotated[str, typer.Argument(help="datasets | samplers | models | metrics")]) -> None:
    """List the registered plugins of one kind, with their parameters."""
    from bench.listing import listing

    try:
        rows = listing(kind)
    except KeyError as exc:
        _fail(str(exc.args[0]))
    out = Console()
    for name, info in rows:
        out.print(f"[bold]{name}[/bold]  {info}", highlight=False)


def _tolerances(values: Optional[list[str]]) -> dict[str, float]:
    """`--tolerance 0.02` (every metric, key "*") and/or `--tolerance log_loss=0.05`."""
    from bench.analysis.compare import DEFAULT_TOLERANCE

    out = {"*": DEFAULT_TOLERANCE}
    for v in values or []:
        name, sep, num = v.rpartition("=")
        try:
            out[name if sep else "*"] = float(num)
        except ValueError:
            _fail(f"--tolerance {v!r}: expected T or METRIC=T with a number T")
    return out


@app.command("compare")
def compare_cmd(
    baseline: Annotated[Path, typer.Argument(help="baseline store, e.g. results/baselines/quick")],
    current: Annotated[Path, typer.Argument(help="current store (same suite, new code)")],
    metric: Annotated[Optional[list[str]], typer.Option(
        "--metric", "-m", help="metric to compare (repeatable; default: the suite's metric)")] = None,
    tolerance: Annotated[Optional[list[str]], typer.Option(
        help="practical tolerance, absolute: T for every metric or METRIC=T (repeatable); "
             "default 0.01")] = None,
    alpha: Annotated[float, typer.Option(help="level of the one-sided paired Wilcoxon test")] = 0.05,
    fail_on_worse: Annotated[bool, typer.Option(help="exit 1 when a metric got worse")] = True,
    fail_on_new_failure: Annotated[bool, typer.Option(help="exit 1 when a cell now fails")] = True,
    fail_on_missing: Annotated[bool, typer.Option(help="exit 1 when baseline cells are missing")] = False,
    fail_on_not_comparable: Annotated[bool, typer.Option(
        help="exit 1 when a protocol version or dataset fingerprint changed")] = False,
    max_slowdown: Annotated[Optional[float], typer.Option(
        help="exit 1 when mean fit or predict time grew by more than this factor (off by default)")] = None,
    junit: Annotated[Optional[Path], typer.Option(help="write JUnit XML here")] = None,
    markdown: Annotated[Optional[Path], typer.Option(
        help="write a markdown report here (e.g. $GITHUB_STEP_SUMMARY)")] = None,
    changed_only: Annotated[bool, typer.Option(help="terminal: hide unchanged configurations")] = False,
) -> None:
    """Compare a store with a baseline: better / worse / unchanged / new failure / fixed /
    missing / not comparable per configuration; exit 1 on a gated regression."""
    from bench.analysis.compare import compare_stores
    from bench.plugins import load_plugins
    from bench.report.junit import write_junit
    from bench.report.markdown import comparison_markdown
    from bench.report.terminal import print_comparison

    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS) have directions too
    gates = [g for g, on in (("worse", fail_on_worse), ("new failure", fail_on_new_failure),
                             ("missing", fail_on_missing),
                             ("not comparable", fail_on_not_comparable)) if on]
    try:
        result = compare_stores(baseline, current, metric, tolerance=_tolerances(tolerance),
                                alpha=alpha, fail_on=gates, max_slowdown=max_slowdown)
    except (ValueError, KeyError) as exc:
        _fail(str(exc.args[0]) if exc.args else str(exc))
    print_comparison(result, changed_only=changed_only)
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(comparison_markdown(result), encoding="utf-8")
    if junit is not None:
        write_junit(result, junit)
    raise typer.Exit(result.exit_code)


baseline_app = typer.Typer(no_args_is_help=True, help="The committed CI baseline store.")
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("update")
def baseline_update_cmd(
    suite: Annotated[Path, typer.Argument(help="suite TOML file, e.g. suites/quick.toml")],
    root: Annotated[Path, typer.Option(help="baselines directory")] = Path("results/baselines"),
    workers: Annotated[Optional[int], typer.Option(help="worker processes (0: in-process)")] = None,
    threads: Annotated[int, typer.Option(help="threads per cell")] = 1,
    timeout: Annotated[Optional[float], typer.Option(help="per-cell timeout (default: the suite's)")] = None,
    allow_failures: Annotated[bool, typer.Option(help="record failed cells in the baseline")] = False,
) -> None:
    """Re-run SUITE from scratch on CPU and replace <root>/<suite name>/ with it (deliberately)."""
    from bench.baseline import BaselineError, update_baseline
    from bench.suite import SuiteError

    def on_start(rp) -> None:  # type: ignore[no-untyped-def]
        console.print(f"{rp.suite.name}: {len(rp.todo)} cells to run into a temporary store")

    def on_result(result) -> None:  # type: ignore[no-untyped-def]
        row = result.row
        if row["status"] != "ok":
            console.print(f"[yellow]{row['status']}[/yellow] {row['model']} / {row['sampler']} / "
                          f"{row['dataset']}: {str(row.get('error', ''))[:200]}", highlight=False)

    try:
        up = update_baseline(suite, root, workers=workers, threads=threads, timeout_s=timeout,
                             allow_failures=allow_failures, on_start=on_start, on_result=on_result)
    except (SuiteError, BaselineError) as exc:
        _fail(str(exc), code=1)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(up.summary.statuses.items()))
    console.print(f"baseline {'replaced' if up.replaced else 'created'}: {up.path} "
                  f"({statuses}, {up.summary.elapsed_s:.1f} s); commit it with "
                  f"`git add {up.path}`", highlight=False)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
