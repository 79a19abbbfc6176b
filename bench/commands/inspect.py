"""`bench inspect`: rare, or inseparable? Every dataset of a suite under its imbalance profiles,
or one table as it is; results as `Inspection`s, the store's `inspect` table, JSON and HTML.

The `inspect` table (docs/inspect.md) is written to `<store>/inspect/` as one parquet file,
atomically (temporary file, then rename; older files of the table removed after), replacing
the previous inspection of the suite: `pandas.read_parquet("<store>/inspect")` reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.commands.stores import store_dir
from bench.core.errors import CommandError, DataError
from bench.inspect.analyze import InspectOptions, impose_profile, inspect_dataset
from bench.inspect.result import Inspection, inspect_table, to_json_text
from bench.store import Store
from bench.store.schema import INSPECT_TABLE



@dataclass
class InspectRun:
    inspections: list[Inspection] = field(default_factory=list)
    table_path: Path | None = None  # the store's inspect table file, when written
    json_path: Path | None = None
    html_path: Path | None = None
    problems: list[str] = field(default_factory=list)  # profile x ratio a dataset cannot supply


def minority_label(minority: Any) -> str:
    """The suite's minority classes as the cells table spells them (`Cell.minority_label`)."""
    return minority if isinstance(minority, str) else ",".join(map(str, minority))


def write_table(store_dir: Path, inspections: list[Inspection]) -> Path:
    """Replace `<store>/inspect/` by one parquet file of these inspections, atomically."""
    return Store(store_dir).write_whole(INSPECT_TABLE, inspect_table(inspections))


def inspect_suite(suite_path: str | Path, options: InspectOptions,
                  on_inspection: Callable[[Inspection], None] | None = None,
                  problems: list[str] | None = None) -> tuple[Any, list[Inspection]]:
    """(suite, inspections): every dataset under every profile x ratio of the suite (the
    natural profile once, as the grid runs it). A profile x ratio the dataset cannot supply
    (a class that would keep no row) is left out and its message appended to `problems`,
    as the grid skips those cells."""
    from bench.data import load_dataset
    from bench.suite import load_suite

    suite = load_suite(suite_path)
    out: list[Inspection] = []
    problems = problems if problems is not None else []
    for comp in suite.datasets:
        ds = load_dataset(comp)
        fp = ds.fingerprint
        for profile in suite.profiles:
            for ratio in ((1.0,) if profile == "natural" else suite.ratios):
                try:
                    cut = impose_profile(ds, profile, ratio, suite.minority, options.seed,
                                         comp.label)
                except DataError as exc:
                    problems.append(str(exc))
                    continue
                ins = inspect_dataset(cut, options, label=comp.label, profile=profile,
                                      ratio=ratio, minority=minority_label(suite.minority),
                                      dataset_fp=fp)
                out.append(ins)
                if on_inspection is not None:
                    on_inspection(ins)
    return suite, out


def inspect_file(path: str | Path, target: str, options: InspectOptions,
                 categorical: list[str] | None = None, drop: list[str] | None = None,
                 sep: str = ",") -> Inspection:
    """One table as it is (the `file` dataset source reads and validates it)."""
    from bench.data.sources.file import file_dataset

    spec: Any = None
    if categorical:
        spec = "auto" if categorical == ["auto"] else list(categorical)
    ds = file_dataset(str(path), target, [], list(drop or []), spec, sep, "auto")
    return inspect_dataset(ds, options, label=Path(path).stem or str(path),
                           dataset_fp=ds.fingerprint)


def inspect(suite: str | Path | None = None, *, file: str | Path | None = None,
            target: str | None = None, categorical: list[str] | None = None,
            drop: list[str] | None = None, sep: str = ",",
            options: InspectOptions = InspectOptions(), results: str | Path | None = None,
            store: bool = True, json_path: str | Path | None = None,
            html_path: str | Path | None = None,
            on_inspection: Callable[[Inspection], None] | None = None) -> InspectRun:
    """The service behind `bench inspect`: check every option first, then compute and write."""
    if (suite is None) == (file is None):
        raise CommandError("give a suite file or --file PATH --target COLUMN (one of them)")
    if file is not None and not target:
        raise CommandError("--file needs --target COLUMN (the class column)")
    if file is None and (target or categorical or drop):
        raise CommandError("--target, --categorical and --drop go with --file")
    for opt, p in (("--json", json_path), ("--output", html_path)):
        if p is not None and Path(p).is_dir():
            raise CommandError(f"{opt} {p}: is a directory; allowed: a file path")
    options.check()
    run = InspectRun()
    if file is not None:
        ins = inspect_file(file, str(target), options, categorical, drop, sep)
        run.inspections = [ins]
        if on_inspection is not None:
            on_inspection(ins)
    else:
        suite_obj, run.inspections = inspect_suite(suite, options, on_inspection, run.problems)
        if store:
            run.table_path = write_table(store_dir(suite_obj.name, results), run.inspections)
    if json_path is not None:
        run.json_path = Path(json_path)
        run.json_path.parent.mkdir(parents=True, exist_ok=True)
        run.json_path.write_text(to_json_text(run.inspections), encoding="utf-8")
    if html_path is not None:
        from bench.report.inspect_html import inspect_html

        run.html_path = Path(html_path)
        run.html_path.parent.mkdir(parents=True, exist_ok=True)
        run.html_path.write_text(inspect_html(run.inspections), encoding="utf-8")
    return run
