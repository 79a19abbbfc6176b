"""Thin typer CLI: each command parses its arguments, calls one service of `bench.commands`, and
renders the result. Every `BenchError` is caught once (`_Group.invoke`) and printed as a message.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from bench.core.errors import BenchError

# Values from data, suites and stores are printed as `Text` (never markup), and no console turns
# `:name:` codes into emoji: every label, parameter and message reads exactly as it was given.
console = Console(stderr=True, emoji=False)


def say(message: str) -> None:
    """A message on stderr exactly as written: no markup, no highlighting, never cut at the
    terminal width (paths and user names may hold `[`, `<`, digits)."""
    console.print(Text(message), highlight=False, soft_wrap=True)


# Parameters that several commands take, declared once so their help reads the same everywhere.
StoreDir = Annotated[Path, typer.Argument(help="results store directory")]
WhereCells = Annotated[Optional[list[str]], typer.Option(
    help="only cells matching k=v[,k2=v2] (v1|v2 for alternatives; repeatable)")]


def stdout() -> Console:
    return Console(emoji=False)


class _Group(TyperGroup):
    """The one place a `BenchError` becomes `error: <message>` and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BenchError as exc:
            console.print(Text.assemble(("error:", "red"), " ", str(exc)), highlight=False,
                          soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(cls=_Group, add_completion=False, no_args_is_help=True,
                  help="Benchmark imbalanced multiclass classifiers: DNN vs bagging vs boosting.")


@app.command()
def validate(suite: Annotated[Path, typer.Argument(help="suite TOML file")]) -> None:
    """Validate a suite and show its grid (cells per axis, skips and why) without running."""
    from bench.commands.validate import validate as describe

    info = describe(suite)
    out = stdout()
    out.print(Text.assemble((info["suite"], "bold"), f": {info['n_cells']} cells to run, "
                            f"{info['n_skipped']} skipped by the skip rule"), highlight=False)
    for axis, values in info["axes"].items():
        out.print(Text(f"  {axis:<15} ({len(values)}) {', '.join(values)}"), highlight=False,
                  soft_wrap=True)
    for reason, n in info["skip_reasons"].items():
        out.print(Text.assemble("  ", ("skip", "yellow"), f" {n} cell(s): {reason}"),
                  highlight=False, soft_wrap=True)
    for problem in info.get("data_problems", []):
        out.print(Text.assemble("  ", ("data", "yellow"), f" {problem}"), highlight=False,
                  soft_wrap=True)
    if info.get("class_counts"):  # per-class rows a cell sees (literal Text: labels are data)
        from rich.table import Table

        table = Table(title="class counts (smallest over repeats x folds)")
        for col in ("dataset", "profile", "ratio", "test prior", "class: fit/val/test", "min test"):
            table.add_column(col, overflow="fold")
        for r in info["class_counts"]:
            per = "   ".join(f"{c['label']}:{c['fit']}/{c['val']}/{c['test']}"
                            for c in r["classes"]) or f"cannot split: {r['problem']}"
            table.add_row(Text(r["dataset"]), Text(r["profile"]), Text(r["ratio"]),
                          Text(r["test_prior"]), Text(per),
                          Text(str(r["min_test"]), "red" if r["min_test"] < 10 else ""))
        out.print(table)


@app.command()
def run(
    suite: Annotated[Path, typer.Argument(help="suite TOML file")],
    results: Annotated[Optional[Path], typer.Option(help="store directory (default results/<suite name>)")] = None,
    workers: Annotated[Optional[int], typer.Option(help="worker processes (0: in-process, no isolation)")] = None,
    threads: Annotated[int, typer.Option(help="threads per cell (workers x threads <= cores)")] = 1,
    timeout: Annotated[Optional[float], typer.Option(help="per-cell timeout in seconds (default: the suite's)")] = None,
    fresh: Annotated[bool, typer.Option(help="recompute every cell instead of resuming")] = False,
    device: Annotated[str, typer.Option(help="cpu, cuda or cuda:N (models that support it)")] = "cpu",
    show_summary: Annotated[bool, typer.Option(
        "--summary/--no-summary", "--leaderboard/--no-leaderboard",
        help="print the cross-dataset summary at the end (--no-leaderboard: old name)")] = True,
    executor: Annotated[str, typer.Option(help="local (process pool) or dask (see docs/scale-out.md)")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler tcp://HOST:PORT (default: an embedded local cluster)")] = None,
    retries: Annotated[int, typer.Option(help="new attempts for a cell whose Dask worker died")] = 1,
    memory_limit: Annotated[Optional[str], typer.Option(help="resident memory cap per cell, e.g. 512MB, 4GB, 1.5GiB (default: the suite's memory_limit)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress and no failure lines: only the final summary and errors (failures are in <store>/run.log)")] = False,
    wait: Annotated[float, typer.Option(help="seconds to wait while another run writes the store (default 0: refuse at once)")] = 0.0,
) -> None:
    """Run a suite into a parquet store; finished cells are kept and skipped on re-run."""
    from bench.commands.run import run_suite
    from bench.execute.progress import LOG_NAME, RunProgress

    progress = RunProgress(console, quiet=quiet)

    def on_start(rp) -> None:  # type: ignore[no-untyped-def]
        for moved in rp.quarantined:  # damaged store files, moved aside once: their cells re-run
            console.print(Text.assemble(("warning:", "yellow"), f" damaged store file {moved} "
                                        f"moved to {rp.store.path / 'quarantine'}; its cells re-run"),
                          highlight=False, soft_wrap=True)
        if not quiet:
            console.print(f"{rp.suite.name}: {rp.n_cells} cells — {rp.n_finished} already "
                          f"finished, {rp.n_skipped} skipped, {len(rp.todo)} to run → "
                          f"{rp.store.path}", markup=False, highlight=False)
        progress.start(len(rp.todo))

    try:
        rp, summary = run_suite(suite, results, workers=workers, threads=threads, timeout_s=timeout,
                                fresh=fresh, device=device, on_start=on_start,
                                on_result=lambda result: progress.result(result.row),
                                executor=executor, scheduler=scheduler, retries=retries,
                                memory_limit=memory_limit, wait_s=wait)
    finally:
        progress.stop()
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items())) or "nothing to run"
    stopped = f"; stopped by signal {summary.stop_signal}, finished cells kept" if summary.interrupted else ""
    console.print(f"done in {summary.elapsed_s:.1f} s: {statuses}{stopped} (log: "
                  f"{rp.store.path / LOG_NAME})", markup=False, highlight=False)
    if show_summary and not summary.interrupted:
        try:
            show_summary_of(rp.store.path, metric=rp.suite.metric)
        except BenchError as exc:  # the run itself succeeded: say why there is no summary
            say(f"no summary: {exc}")
    if summary.interrupted:
        raise typer.Exit(summary.exit_code)


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
             "decision, tuning (default model,sampler)")] = None,
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


@app.command("list")
def list_cmd(
    kind: Annotated[str, typer.Argument(help="datasets | samplers | models | metrics")],
    source: Annotated[Optional[str], typer.Option(
        help="datasets only: the sets one source offers, e.g. keel (rows, features, classes, "
             "imbalance ratio)")] = None,
) -> None:
    """List the registered plugins of one kind, with their parameters."""
    from bench.commands.list import listing, source_sets

    out = stdout()
    if source is not None:
        if kind != "datasets":
            raise BenchError(f"--source: only with `bench list datasets`, not {kind!r}")
        rows = source_sets(source)  # plain aligned columns: readable and greppable at any width
        cells = [list(rows[0])] if rows else []
        cells += [[f"{v:g}" if isinstance(v, float) else str(v) for v in r.values()] for r in rows]
        widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))] if cells else []
        for line in cells:
            out.print(Text("  ".join(v.ljust(w) if i < 2 else v.rjust(w)
                                     for i, (v, w) in enumerate(zip(line, widths)))),
                      highlight=False, soft_wrap=True)
        return
    for name, info in listing(kind):
        out.print(Text.assemble((name, "bold"), "  ", info), highlight=False)


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
             "(default model,sampler)")] = None,
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
             "tuning (default model,sampler)")] = None,
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


data_app = typer.Typer(no_args_is_help=True, help="The local data cache (offline datasets).")
app.add_typer(data_app, name="data")


@data_app.command("fetch")
def data_fetch_cmd(
    source: Annotated[str, typer.Argument(help="the source whose files to fetch: keel")],
    force: Annotated[bool, typer.Option(help="download again even if the cache has them")] = False,
) -> None:
    """Download a source's files into the data cache once (checksum-verified); runs then need
    no network. The cache: $BENCH_DATA_HOME, else scikit-learn's data home."""
    from bench.commands.data import fetch_data

    got = fetch_data(source, force=force)
    how = "downloaded" if got.downloaded else "already in the cache (checksum verified)"
    say(f"{got.source}: {got.path} {how}; {got.n_sets} sets readable")


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
    executor: Annotated[str, typer.Option(help="local (process pool) or dask (see docs/scale-out.md)")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler tcp://HOST:PORT (default: an embedded local cluster)")] = None,
    retries: Annotated[int, typer.Option(help="new attempts for a cell whose Dask worker died")] = 1,
    memory_limit: Annotated[Optional[str], typer.Option(help="resident memory cap per cell, e.g. 4GB (default: the suite's memory_limit)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress and no failure lines: only the final summary and errors")] = False,
) -> None:
    """Re-run SUITE from scratch on CPU and replace <root>/<suite name>/ with it (deliberately)."""
    from bench.commands.baseline import update_baseline
    from bench.execute.progress import RunProgress

    progress = RunProgress(console, quiet=quiet)

    def on_start(rp) -> None:  # type: ignore[no-untyped-def]
        if not quiet:
            console.print(f"{rp.suite.name}: {len(rp.todo)} cells to run into a temporary store",
                          markup=False, highlight=False)
        progress.start(len(rp.todo))

    try:
        up = update_baseline(suite, root, workers=workers, threads=threads, timeout_s=timeout,
                             allow_failures=allow_failures, on_start=on_start,
                             on_result=lambda result: progress.result(result.row),
                             executor=executor, scheduler=scheduler, retries=retries,
                             memory_limit=memory_limit)
    finally:
        progress.stop()
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(up.summary.statuses.items()))
    console.print(f"baseline {'replaced' if up.replaced else 'created'}: {up.path} "
                  f"({statuses}, {up.summary.elapsed_s:.1f} s); commit it with "
                  f"`git add {up.path}`", markup=False, highlight=False)


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


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
