"""The model tables of docs/models.md: defaults of every model, and fit / predict time and peak memory.

Why: "which model" is also a question of cost. The timing table is produced by the harness
itself: the cells of `suites/zoo-timing.toml` (every model at its documented defaults on one
60,000-row dataset) run through the ordinary executor, protocol and store; this script only
runs them one at a time, each in a fresh worker process (so one model's peak memory is never
inflated by what an earlier model left in the worker), and formats the stored rows.

    python benchmarks/zoo_table.py --run             # run the suite (resumable), print the table
    python benchmarks/zoo_table.py                   # print the table of an existing store
    python benchmarks/zoo_table.py --defaults        # print the defaults table of the registry

`peak_mb` is the peak resident memory of the worker during the cell, libraries and data
included; the `dummy` row is that floor, and `over dummy` is the model's own share.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def defaults_table() -> str:
    """Markdown: model, family, library, defaults (the registry is the single source)."""
    from bench.models import MODELS

    lines = ["| model | family | library | defaults (overridable in suites) |",
             "|---|---|---|---|"]
    for e in sorted(MODELS, key=lambda e: (("dnn", "bagging", "boosting", "baseline")
                                           .index(e.family), e.name)):
        params = ", ".join(f"`{k}={v!r}`".replace("'", '"') for k, v in e.defaults.items())
        lines.append(f"| `{e.name}` | {e.family} | {e.library} | {params or '—'} |")
    return "\n".join(lines)


def run(suite: Path, results: Path, threads: int, fresh: bool) -> None:
    from bench.execute.local import run_cells
    from bench.commands.run import prepare

    plan = prepare(suite, results, fresh)
    print(f"{plan.suite.name}: {len(plan.todo)} cell(s) to run, {plan.n_finished} finished",
          file=sys.stderr)
    for cell in plan.todo:  # one call per cell: a fresh worker each time
        summary = run_cells([cell], plan.store, workers=1, threads=threads,
                            timeout_s=plan.suite.timeout_s)
        print(f"  {cell.model.label}: {dict(summary.statuses)} in {summary.elapsed_s:.0f} s",
              file=sys.stderr)


def timing_table(results: Path) -> str:
    import pandas as pd

    cells = pd.read_parquet(results / "cells")
    cells = cells[cells["status"] == "ok"].copy()
    curves = pd.read_parquet(results / "curves")
    rounds = {}
    for cid, part in curves.groupby("cell_id"):
        split = "validation" if (part["split"] == "validation").any() else "train"
        rounds[cid] = int(part.loc[part["split"] == split, "step"].max())
    floor = cells.loc[cells["model"] == "dummy", "peak_mb"]
    floor = float(floor.iloc[0]) if len(floor) else float("nan")
    order = {"dnn": 0, "bagging": 1, "boosting": 2, "baseline": 3}
    cells["order"] = cells["family"].map(order)
    cells = cells.sort_values(["order", "fit_s"])
    row0 = cells.iloc[0]
    lines = [f"{row0['dataset']}: {int(row0['n_fit']):,} fit + {int(row0['n_val']):,} validation "
             f"rows, {int(row0['n_test']):,} test rows; host {row0.get('host', '?')}",
             "",
             "| model | family | fit s | predict s | peak MB | over dummy MB | rounds run | "
             "macro-F1 |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for _, r in cells.iterrows():
        ran = rounds.get(r["cell_id"], "")
        lines.append(f"| `{r['model']}` | {r['family']} | {r['fit_s']:.1f} | "
                     f"{r['predict_s']:.2f} | {r['peak_mb']:.0f} | "
                     f"{r['peak_mb'] - floor:.0f} | {ran} | {r['macro_f1']:.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", type=Path, default=ROOT / "suites" / "zoo-timing.toml")
    ap.add_argument("--results", type=Path, default=ROOT / "results" / "zoo-timing")
    ap.add_argument("--threads", type=int, default=2, help="threads per cell (default 2)")
    ap.add_argument("--run", action="store_true", help="run the suite's missing cells first")
    ap.add_argument("--fresh", action="store_true", help="with --run: start from an empty store")
    ap.add_argument("--defaults", action="store_true", help="print the defaults table only")
    args = ap.parse_args()
    if args.defaults:
        print(defaults_table())
        return
    if args.run:
        run(args.suite, args.results, args.threads, args.fresh)
    print(timing_table(args.results))


if __name__ == "__main__":
    main()
