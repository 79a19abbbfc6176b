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
    spaces: Annotated[bool, typer.Option(
        "--spaces", help="models and samplers only: each entry's search space for the tuning "
                         "axis (parameter, range, default) and where it comes from")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """List the registered plugins of one kind, with their parameters (models and samplers: the
    size of their search space; --spaces shows it)."""
    import json

    from bench.commands.list import FORMATS, entries, listing, source_sets
    from bench.commands.list import spaces as space_listing
    from bench.core.errors import CommandError

    if fmt not in FORMATS:
        raise CommandError(f"--format {fmt}: allowed: {', '.join(FORMATS)}")
    out = stdout()
    if source is not None:
        if kind != "datasets":
            raise BenchError(f"--source: only with `bench list datasets`, not {kind!r}")
        rows = source_sets(source)
        if fmt == "json":
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
            return
        _print_columns(out, list(rows[0]) if rows else [], rows, right_from=2)
        return
    if spaces:
        found = space_listing(kind)  # refuses datasets and metrics, in any format
        if fmt == "table":
            _print_spaces(out, found)
            return
    if fmt == "json":  # the whole entry, its search space included, whether or not --spaces
        sys.stdout.write(json.dumps(entries(kind), indent=2, ensure_ascii=False) + "\n")
        return
    for name, info, space in listing(kind):
        line = Text.assemble((name, "bold"), "  ", info)
        if space is not None:  # models and samplers: how many parameters the tuner may vary
            line.append_text(Text.assemble("  space: ", (space, "cyan" if space[0].isdigit()
                                                         else "dim")))
        out.print(line, highlight=False)


def _print_columns(out: Console, header: list[str], rows: list[dict[str, Any]],
                   right_from: int, indent: str = "") -> None:
    """Plain aligned columns (numbers right-aligned from column `right_from`): readable and
    greppable at any width, values printed literally."""
    cells = [header] if header else []
    cells += [[f"{v:g}" if isinstance(v, float) else str(v) for v in r.values()] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))] if cells else []
    for n, line in enumerate(cells):
        text = "  ".join(v.ljust(w) if i < right_from else v.rjust(w)
                         for i, (v, w) in enumerate(zip(line, widths)))
        out.print(Text(indent + text.rstrip(), "dim" if header and n == 0 else ""),
                  highlight=False, soft_wrap=True)


def _print_spaces(out: Console, found: list[dict[str, Any]]) -> None:
    """`bench list models --spaces`: per entry its heading, then parameter / range / default
    rows and the source line; an entry without a space says so in one line."""
    from rich.padding import Padding

    wrap = out.is_terminal  # wrapped under its indent in a terminal; piped: one line, greppable
    for i, entry in enumerate(found):
        space = entry["space"]
        if i:
            out.print()
        out.print(Text.assemble((entry["name"], "bold"), "  ", entry["heading"]), highlight=False,
                  soft_wrap=not wrap)
        if not space:
            out.print(Text("  no search space: the tuning axis never changes its parameters",
                           "dim"), highlight=False, soft_wrap=True)
            continue
        rows = [{"parameter": p["name"], "range": p["range"], "default": repr(p["default"])}
                for p in space["parameters"]]
        _print_columns(out, ["parameter", "range", "default"], rows, right_from=3, indent="  ")
        source = Text.assemble(("source: ", "dim"), space["source"])
        if wrap:
            out.print(Padding(source, (0, 0, 0, 2), expand=False), highlight=False)
        else:
            out.print(Text("  ").append_text(source), highlight=False, soft_wrap=True)


# The other commands live in sibling modules (one idea per file); importing them registers them.
from bench.cli import running, answers  # noqa: E402,F401  (registers run, data, baseline, answers)
from bench.cli.answers import inspect_cmd, show_leaderboard, show_summary_of  # noqa: E402,F401


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
