"""The registry tables in docs/ are generated: a new or changed entry must be reflected there."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generated_tables_are_current() -> None:
    assert _generator().main(["--check"]) == 0, "run `python docs/generate.py`"


def test_a_new_entry_makes_the_docs_stale(tmp_path: Path) -> None:
    from bench.metrics import METRICS, Metric, register

    gen = _generator()
    page = (ROOT / "docs" / "metrics-and-decisions.md").read_text(encoding="utf-8")
    probe = lambda inp: 0.0  # noqa: E731
    probe.__module__ = "bench.metrics.probe"  # as if built in (plugins are not listed)
    register(Metric("docs_probe_metric", "max", False, probe, "probe | with a pipe"))
    try:
        rendered = gen.render(page)
    finally:
        METRICS.unregister("docs_probe_metric")
    assert rendered != page
    assert "| `docs_probe_metric` | higher |  | probe \\| with a pipe |" in rendered
    assert gen.render(page) == page  # and back once the entry is gone
