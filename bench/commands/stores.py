"""Where a suite's results store is: `--results DIR`, else `results/<suite name>`.

Why one module: `bench run`, `bench baseline update` and `bench inspect` must agree on the
directory (inspect writes its table into the store run fills), and this rule must be importable
without the run machinery (executors, protocol).
"""

from __future__ import annotations

from pathlib import Path

from bench.core.errors import CommandError


def check_results(results: str | Path | None) -> None:
    """`--results` may be a new or existing directory, never a file."""
    if results is not None and Path(results).exists() and not Path(results).is_dir():
        raise CommandError(f"--results {results}: is a file; allowed: a results store directory "
                           "(existing or new)")


def store_dir_name(name: str) -> str:
    """The suite name as the default store directory `results/<name>`, refused when it is not
    one plain directory name (a `/` or `..` would write elsewhere)."""
    if name in (".", "..") or any(ch in name for ch in "/\\") or not name.isprintable():
        raise CommandError(f"suite name {name!r} cannot be a directory name under results/ "
                           "(it holds a path separator, control characters or is . / ..); "
                           "pass --results DIR or rename the suite")
    return name


def store_dir(suite_name: str, results: str | Path | None) -> Path:
    """The store directory of a suite: `results` when given, else `results/<suite name>`."""
    if results:
        check_results(results)
        return Path(results)
    return Path("results") / store_dir_name(suite_name)
