"""The commands that read stores and answer: summary, leaderboard, rescore, compare, report, select, inspect."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from bench.cli import StoreDir, WhereCells, app, console, say, stdout


def show_leaderboard(store: Path, metric: Optional[str] = None, by: Optional[str] = None,
                     per_class: Optional[str] = None, where: Optional[list[str]] = None,
                     top: Optional[int] = None, fmt: str = "table") -> None:
    from bench.commands.leaderboard import leaderboard_view
    from bench.core.errors import CommandError
    from bench.report.leaderboard import FORMATS, leaderboard_csv, leaderboard_json, leaderboard_markdown
    from bench.report.terminal import frame_table, leaderboard_table, print_table

    if fmt not in FORMATS:
        raise CommandError(f"--format {fmt}: allowed: {', '.join(FORMATS)}")
    if fmt == "csv" and per_class:
        raise CommandError("--format csv holds one table: drop --per-class, or use --format json "
                           "(the leaderboard and its per-class tables)")
    view = leaderboard_view(store, metric, by, per_class, where=where, top=top)
    if fmt != "table":
        text = {"markdown": lambda: leaderboard_markdown(view.board, view.per_class, view.notes),
                "csv": lambda: leaderboard_csv(view.board),
                "json": lambda: leaderboard_json(view.board, view.per_class, view.notes)}[fmt]()
        sys.stdout.write(text)
        return
    print_table(leaderboard_table(view.board))
    if view.board.attrs.get("hidden"):
        console.print(Text(f"… {view.board.attrs['hidden']} more configuration(s) below the top "
                           f"{top} of their slice"), highlight=False)
    for note in view.notes:
        say(note)
    for value, wide in view.per_class:
        print_table(frame_table(wide, f"Per-class {value} (mean over repeats × folds, per dataset)"))


def show_summary_of(store: Path, metric: Optional[str] = None, contender: Optional[str] = None,
                    task: Optional[str] = None, where: Optional[list[str]] = None,
                    reference: Optional[str] = None, alpha: float = 0.05,
                    top: Optional[int] = None, fmt: str = "table") -> None:
    """Compute the summary of a store and print it in `fmt` (table on the terminal)."""
    from bench.commands.summary import DEFAULT_TOP, summary_of_store
    from bench.report.summary import print_summary, render_summary

    result = summary_of_store(store, metric, contender, task, where, reference, alpha, fmt, top)
    if fmt == "table":
        print_summary(result, top or DEFAULT_TOP)
    else:
        sys.stdout.write(render_summary(result, fmt, top or (DEFAULT_TOP if fmt == "markdown"
                                                            else None)))


@app.command("summary")
def summary_cmd(
    store: StoreDir = Path("results/quick"),
    metric: Annotated[Optional[str], typer.Option(help="metric to rank by (default: the suite's)")] = None,
    contender: Annotated[Optional[str], typer.Option(
        help="what is being chosen: comma-separated axes of model, sampler, decomposition, "
             "decision, tuning (default model,sampler; + tuning if it varies)")] = None,
    task: Annotated[Optional[str], typer.Option(
        help="axes that make a task, e.g. dataset,ratio (default: every varying non-contender "
             "axis)")] = None,
    where: Annotated[Optional[list[str]], typer.Option(
        help="only these cells: key=value,... with a|b alternatives (repeatable)")] = None,
    reference: Annotated[Optional[str], typer.Option(
        help="the contender at Elo 1000, e.g. dnn,none (default: dnn + none when present, else "
             "the first)")] = None,
    alpha: Annotated[float, typer.Option(help="significance level of the tests")] = 0.05,
    top: Annotated[Optional[int], typer.Option(
        help="contenders shown in the table/markdown (default 20; csv and json: all)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | markdown | csv | json")] = "table",
) -> None:
    """Rank contenders (default model × sampler) over tasks: mean rank, win rate, Elo, Friedman,
    Nemenyi critical difference and the contenders not significantly worse than the best."""
    show_summary_of(store, metric, contender, task, where, reference, alpha, top, fmt)


@app.command("leaderboard")
def leaderboard_cmd(
    store: StoreDir = Path("results/quick"),
    metric: Annotated[Optional[str], typer.Option(help="metric to rank by (default: the suite's)")] = None,
    by: Annotated[Optional[str], typer.Option(help="comma-separated slice columns, e.g. ratio,sampler")] = None,
    per_class: Annotated[Optional[str], typer.Option(
        "--per-class", help="also show per-class values: recall, precision, f1, average_precision "
        "(comma-separated; always per dataset)")] = None,
    where: Annotated[Optional[list[str]], typer.Option(
        help="only these cells: key=value,... with a|b alternatives, e.g. dataset=wine,ratio=10 "
             "(repeatable; every condition must hold)")] = None,
    top: Annotated[Optional[int], typer.Option(help="show the N best ranks of each slice")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | markdown | csv | json")] = "table",
) -> None:
    """Rank models per slice: mean ± 95% CI over repeats × folds, failures counted, skipped
    configurations marked skipped (never ranked)."""
    show_leaderboard(store, metric, by, per_class, where=where, top=top, fmt=fmt)


@app.command("rescore")
def rescore_cmd(
    store: StoreDir,
    metric: Annotated[list[str], typer.Option(help="metric to compute (repeatable)")],
) -> None:
    """Compute metrics for every stored cell from its stored predictions, without refitting."""
    from bench.commands.rescore import rescore
    from bench.core.plugins import load_plugins

    load_plugins()  # metrics registered by plugins (BENCH_PLUGINS)
    summary = rescore(store, metric)
    stdout().print(Text(summary.message()), highlight=False)
    if summary.n_rescored == 0:
        raise typer.Exit(1)


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
    allow_different_suites: Annotated[bool, typer.Option(
        help="compare stores of different suites (or without a matching cell) instead of "
             "refusing them")] = False,
) -> None:
    """Compare a store with a baseline: better / worse / unchanged / new failure / fixed /
    missing / not comparable per configuration; exit 1 on a gated regression."""
    from bench.commands.compare import compare_stores, parse_tolerances
    from bench.report.junit import write_junit
    from bench.report.markdown import comparison_markdown
    from bench.report.terminal import print_comparison

    gates = [g for g, on in (("worse", fail_on_worse), ("new failure", fail_on_new_failure),
                             ("missing", fail_on_missing),
                             ("not comparable", fail_on_not_comparable)) if on]
    result = compare_stores(baseline, current, metric, tolerance=parse_tolerances(tolerance),
                            alpha=alpha, fail_on=gates, max_slowdown=max_slowdown,
                            allow_different_suites=allow_different_suites)
    print_comparison(result, changed_only=changed_only)
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(comparison_markdown(result), encoding="utf-8")
    if junit is not None:
        write_junit(result, junit)
    raise typer.Exit(result.exit_code)


@app.command("report")
def report_cmd(
    store: StoreDir,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write")] = Path("report.html"),
    metric: Annotated[Optional[str], typer.Option(help="metric to report (default: the suite's)")] = None,
    contender: Annotated[Optional[str], typer.Option(
        help="contender axes, comma-separated: model, sampler, decomposition, decision, tuning "
             "(default model,sampler; + tuning if it varies)")] = None,
    where: WhereCells = None,
) -> None:
    """Write one self-contained HTML report (inline SVG, works offline): what ran, the summary
    and CD diagram, metric and per-class recall/precision vs ratio, best sampler per model,
    confusion matrices, learning curves, time vs quality, failures and skips."""
    from bench.commands.report import build_report

    result = build_report(store, output, metric=metric, contender=contender, where=where)
    say(f"report written: {result.path} ({result.n_bytes / 1024:.0f} KiB)")


@app.command("select")
def select_cmd(
    store: StoreDir,
    output: Annotated[Path, typer.Option("--output", "-o", help="markdown decision record to write")] = Path("decision.md"),
    metric: Annotated[Optional[str], typer.Option(help="metric to decide by (default: the suite's)")] = None,
    contender: Annotated[Optional[str], typer.Option(
        help="what is chosen, comma-separated axes: model, sampler, decomposition, decision, "
             "tuning (default model,sampler; + tuning if it varies)")] = None,
    task: Annotated[Optional[str], typer.Option(
        help="task axes, comma-separated (default: every varying non-contender axis)")] = None,
    where: WhereCells = None,
    alpha: Annotated[float, typer.Option(help="level of the Wilcoxon-Holm tests")] = 0.05,
    prefer: Annotated[str, typer.Option(
        help="rank: the best mean rank; cost: the cheapest contender not significantly worse "
             "than it")] = "rank",
    tolerance: Annotated[float, typer.Option(
        help="--prefer cost: how far (metric units) a cheaper contender's mean may fall behind "
             "the best's")] = 0.01,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="also write every number as JSON here")] = None,
) -> None:
    """Write a decision record: the question, the data, the chosen contender, the set not
    significantly worse, effect sizes, cost and caveats (deterministic: same store, same bytes)."""
    from bench.commands.select import select, write_record

    record = select(store, metric=metric, contender=contender, task=task, where=where,
                    alpha=alpha, prefer=prefer, tolerance=tolerance)
    write_record(record, output, json_path)
    written = f"{output}" + (f" and {json_path}" if json_path else "")
    say(f"decision: {record.chosen} ({len(record.not_worse)} not significantly "
        f"worse, {len(record.caveats)} caveat(s)); written to {written}")


@app.command("inspect")
def inspect_cmd(
    suite: Annotated[Optional[Path], typer.Argument(
        help="suite TOML file: every dataset under its imbalance profiles and ratios")] = None,
    file: Annotated[Optional[Path], typer.Option(
        "--file", help="a parquet or CSV table, inspected as it is (with --target)")] = None,
    target: Annotated[Optional[str], typer.Option(help="the class column of --file")] = None,
    categorical: Annotated[Optional[list[str]], typer.Option(
        help="--file: a categorical column (repeatable), or auto")] = None,
    drop: Annotated[Optional[list[str]], typer.Option(help="--file: a column to leave out (repeatable)")] = None,
    sep: Annotated[str, typer.Option(help="--file: CSV field separator")] = ",",
    json_path: Annotated[Optional[Path], typer.Option("--json", help="write the results as JSON here")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="write a self-contained HTML page here, e.g. inspect.html")] = None,
    projection: Annotated[str, typer.Option(help="2-D picture: pca, tsne or umap")] = "pca",
    sample: Annotated[int, typer.Option(
        help="rows (stratified, seeded) the neighbours, ceiling and picture use")] = 10_000,
    seed: Annotated[int, typer.Option(help="seed of the sample, the forest and the projection")] = 0,
    neighbors: Annotated[int, typer.Option(help="k of the k-NN overlap matrix")] = 10,
    threads: Annotated[int, typer.Option(help="forest jobs and native (BLAS, OpenMP) threads")] = 1,
    results: Annotated[Optional[Path], typer.Option(
        help="suite: the store that gets the inspect table (default results/<suite name>)")] = None,
    store: Annotated[bool, typer.Option(help="suite: write the store's inspect table")] = True,
) -> None:
    """Rare, or inseparable? Class counts, k-NN overlap, recall ceilings, separability, a
    projection and verdicts per dataset (docs/inspect.md)."""
    from bench.commands.inspect import inspect
    from bench.inspect.analyze import InspectOptions

    out = stdout()
    colours = {"overlapping": "red", "too_few": "yellow", "partial_overlap": "yellow",
               "rare_separable": "green", "separable": "green"}

    def show(ins) -> None:  # type: ignore[no-untyped-def]
        out.print(Text.assemble((ins.title, "bold"), f": {ins.n_rows:,} rows, imbalance ratio "
                                f"{ins.imbalance_ratio:.3g}, Bayes error {ins.bayes_error:.3f}"),
                  highlight=False, soft_wrap=True)
        for c in ins.classes:
            out.print(Text.assemble("  ", (c.verdict, colours.get(c.verdict, "")), " ", c.message),
                      highlight=False, soft_wrap=True)

    run = inspect(suite, file=file, target=target, categorical=categorical, drop=drop, sep=sep,
                  options=InspectOptions(sample=sample, k=neighbors, projection=projection,
                                         seed=seed, threads=threads),
                  results=results, store=store, json_path=json_path, html_path=output,
                  on_inspection=show)
    for problem in run.problems:
        console.print(Text.assemble(("skipped", "yellow"), " ", problem), highlight=False,
                      soft_wrap=True)
    for what, path in (("inspect table", run.table_path), ("JSON", run.json_path),
                       ("HTML", run.html_path)):
        if path is not None:
            console.print(Text(f"{what}: {path}"), highlight=False)
