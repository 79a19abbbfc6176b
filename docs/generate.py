"""Fill the registry tables of docs/*.md from the registries, so the docs cannot drift.

Each table sits between `<!-- BEGIN GENERATED: <kind> -->` and `<!-- END GENERATED: <kind> -->`
(kinds: datasets, samplers, models, metrics, model_spaces, sampler_spaces). Run after adding or changing an entry:

    python docs/generate.py          # rewrite the blocks in place
    python docs/generate.py --check  # exit 1 and name the stale pages (run by the tests)

Only entries defined inside the package are listed (plugins are not).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n)(.*?)(<!-- END GENERATED: \2 -->)", re.S)


def _cell(text: Any) -> str:
    """Markdown table cell: pipes escaped, newlines folded."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(v: Any) -> str:
    from bench.core.params import REQUIRED

    if v is REQUIRED:
        return "<required>"
    return json.dumps(v) if isinstance(v, (str, list, tuple, bool)) or v is None else repr(v)


def _params(params: dict[str, Any]) -> str:
    return ", ".join(f"`{k}={_value(v)}`" for k, v in params.items()) or "—"


def _flag(on: Any, text: str = "yes") -> str:
    return (text if isinstance(on, str) and on else "yes") if on else ""


def _builtin(entries: Iterable[Any]) -> list[Any]:
    """Entries defined inside the package (plugins and test registrations are left out)."""
    return [e for e in entries
            if getattr(getattr(e, "factory", None) or getattr(e, "fn", None), "__module__",
                       "").startswith("bench.")]


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def datasets() -> str:
    from bench.data import DATASETS

    return _table(["source", "what", "parameters (defaults)"],
                  ([f"`{e.name}`", e.description, _params(e.params)] for e in _builtin(DATASETS)))


def samplers() -> str:
    from bench.sampling import SAMPLERS

    return _table(["sampler", "kind", "what", "parameters (defaults)", "takes NaN"],
                  ([f"`{e.name}`", e.kind, e.description, _params(e.params),
                    _flag(e.handles_missing)] for e in _builtin(SAMPLERS)))


def models() -> str:
    from bench.models import MODELS

    return _table(
        ["model", "family", "library", "defaults (overridable in suites)", "class weights",
         "early stopping", "GPU", "native categoricals", "takes NaN"],
        ([f"`{e.name}`", e.family, e.library, _params(e.params), _flag(e.sample_weight),
          _flag(e.eval_set), e.gpu and f"`{e.gpu}`", e.categorical and f"`{e.categorical}`",
          _flag(e.handles_missing)] for e in sorted(_builtin(MODELS), key=lambda e: (e.family, e.name))))


def _spaces(entries: Iterable[Any], what: str) -> str:
    """One table per entry with a search space (parameter, range, default) under its source."""
    parts, bare = [], []
    for e in entries:
        if not e.space:
            bare.append(f"`{e.name}`")
            continue
        table = _table(["parameter", "range", "default"],
                       ([f"`{k}`", rng, _value(e.params.get(k))] for k, rng in e.space.describe()))
        parts.append(f"### `{e.name}`\n\nSource: {e.space.source}.\n\n{table}")
    if bare:
        parts.append(f"No search space (the `tuning` axis leaves these {what} at their "
                     f"defaults): {', '.join(bare)}.\n")
    return "\n".join(parts)


def model_spaces() -> str:
    from bench.models import MODELS

    return _spaces(sorted(_builtin(MODELS), key=lambda e: (e.family, e.name)), "models")


def sampler_spaces() -> str:
    from bench.sampling import SAMPLERS

    return _spaces(_builtin(SAMPLERS), "samplers")


def metrics() -> str:
    from bench.metrics import METRICS

    return _table(["metric", "better", "needs probabilities", "what"],
                  ([f"`{m.name}`", "higher" if m.direction == "max" else "lower",
                    _flag(m.needs_proba), m.description] for m in _builtin(METRICS)))


GENERATORS: dict[str, Callable[[], str]] = {
    "datasets": datasets, "samplers": samplers, "models": models, "metrics": metrics,
    "model_spaces": model_spaces, "sampler_spaces": sampler_spaces}


def render(text: str) -> str:
    """`text` with every generated block replaced by the registry's current table."""

    def fill(m: re.Match[str]) -> str:
        kind = m.group(2)
        if kind not in GENERATORS:
            raise SystemExit(f"unknown generated block {kind!r}; allowed: {', '.join(GENERATORS)}")
        return m.group(1) + GENERATORS[kind]() + m.group(4)

    return BLOCK.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a page is stale; change nothing")
    args = ap.parse_args(argv)
    stale, seen = [], set()
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        seen.update(m.group(2) for m in BLOCK.finditer(text))
        new = render(text)
        if new != text:
            stale.append(page.name)
            if not args.check:
                page.write_text(new, encoding="utf-8")
    missing = sorted(set(GENERATORS) - seen)
    if missing:
        print(f"no generated block for: {', '.join(missing)}", file=sys.stderr)
        return 1
    if stale and args.check:
        print(f"stale generated tables in {', '.join(stale)}: run `python docs/generate.py`",
              file=sys.stderr)
        return 1
    print(("updated " + ", ".join(stale)) if stale else "docs are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
