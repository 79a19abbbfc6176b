"""`bench run`, `bench data fetch` and `bench baseline update`: the commands that compute and write stores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from bench.cli import app, console, say
from bench.core.errors import BenchError


@app.command()
def run(
    suite: Annotated[Path, typer.Argument(help="suite TOML file")],
    results: Annotated[Optional[Path], typer.Option(help="store directory (default results/<suite name>)")] = None,
    workers: Annotated[Optional[int], typer.Option(help="worker processes (0: in-process, no isolation)")] = None,
    threads: Annotated[int, typer.Option(help="threads per cell (workers x threads <= cores)")] = 1,
    timeout: Annotated[Optional[float], typer.Option(help="per-cell timeout in seconds (default: the suite's)")] = None,
    fresh: Annotated[bool, typer.Option(help="recompute every cell instead of resuming (with --where: only the cells it selects)")] = False,
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
    where: Annotated[Optional[list[str]], typer.Option(help="run only the cells matching k=v,… (e.g. model=dnn, the answers' --where syntax): one suite split across machines into one store")] = None,
) -> None:
    """Run a suite into a parquet store; finished cells are kept and skipped on re-run."""
    from bench.cli.answers import show_summary_of
    from bench.commands.run import run_suite
    from bench.execute.progress import LOG_NAME, RunProgress

    progress = RunProgress(console, quiet=quiet)

    def on_start(rp) -> None:  # type: ignore[no-untyped-def]
        for moved in rp.quarantined:  # damaged store files, moved aside once: their cells re-run
            console.print(Text.assemble(("warning:", "yellow"), f" damaged store file {moved} "
                                        f"moved to {rp.store.path / 'quarantine'}; its cells re-run"),
                          highlight=False, soft_wrap=True)
        if not quiet:
            left_out = (f", {rp.n_left_out} left out by --where {rp.where}" if rp.where else "")
            console.print(f"{rp.suite.name}: {rp.n_cells} cells — {rp.n_finished} already "
                          f"finished, {rp.n_skipped} skipped{left_out}, {len(rp.todo)} to run → "
                          f"{rp.store.path}", markup=False, highlight=False)
        progress.start(len(rp.todo))

    try:
        rp, summary = run_suite(suite, results, workers=workers, threads=threads, timeout_s=timeout,
                                fresh=fresh, device=device, on_start=on_start,
                                on_result=lambda result: progress.result(result.row),
                                executor=executor, scheduler=scheduler, retries=retries,
                                memory_limit=memory_limit, wait_s=wait, where=where)
    finally:
        progress.stop()
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items()))
    if not statuses:  # no cell ended: either nothing was left, or a stop came before the first
        statuses = f"0 of {len(rp.todo)} cells finished" if rp.todo else "nothing to run"
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
