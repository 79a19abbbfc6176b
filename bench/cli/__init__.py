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


# The other commands live in sibling modules (one idea per file); importing them registers them.
from bench.cli import running, answers  # noqa: E402,F401  (registers run, data, baseline, answers)
from bench.cli.answers import inspect_cmd, show_leaderboard, show_summary_of  # noqa: E402,F401


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
