"""The local executor: every cell yields exactly one row; failures are rows, the run goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.core.cell import Cell, Component
from bench.execute.local import run_cells
from bench.store import Store

pytestmark = pytest.mark.slow  # end-to-end runs and fits (make test-fast skips them)

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"


@pytest.fixture(autouse=True)
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.setenv("BENCH_PLUGINS", "faulty_plugins")
    monkeypatch.setenv("PYTHONPATH", str(PLUGINS))
    # Only the spawned workers import the plugin: the driver needs no model to record failures.


def cell(mode: str, seconds: float = 0.0, fold: int = 0) -> Cell:
    return Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                model=Component.of("faulty", {"mode": mode, "seconds": seconds}), fold=fold)


def test_failures_become_rows_and_the_run_goes_on(tmp_path: Path) -> None:
    cells = [cell("ok"), cell("raise"), cell("segfault"), cell("exit"), cell("hang", 60),
             cell("ok", fold=1), cell("ok", fold=2)]
    store = Store(tmp_path / "s")
    summary = run_cells(cells, store, workers=2, timeout_s=5)
    rows = store.read("cells").set_index("cell_id")
    status = {c.model.kwargs["mode"] + str(c.fold): rows.loc[c.cell_id, "status"] for c in cells}
    assert status == {"ok0": "ok", "raise0": "error", "segfault0": "crashed", "exit0": "crashed",
                      "hang0": "timeout", "ok1": "ok", "ok2": "ok"}
    assert "boom" in rows.loc[cells[1].cell_id, "error"]
    assert "SIGSEGV" in rows.loc[cells[2].cell_id, "error"]
    assert "code 3" in rows.loc[cells[3].cell_id, "error"]
    assert "timeout" in rows.loc[cells[4].cell_id, "error"]
    assert summary.done == len(cells)
    assert summary.statuses["ok"] == 3


def test_in_process_mode_gives_the_same_metrics_as_workers(tmp_path: Path) -> None:
    cells = [Cell(dataset=Component.of("wine"), sampler=Component.of("none"),
                  model=Component.of("logistic"), fold=f) for f in range(3)]
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    run_cells(cells, a, workers=0)
    run_cells(cells, b, workers=2)
    ra = a.read("cells").set_index("cell_id").sort_index()
    rb = b.read("cells").set_index("cell_id").sort_index()
    assert (ra["status"] == "ok").all()
    assert ra["macro_f1"].tolist() == rb["macro_f1"].tolist()
    assert ra["log_loss"].tolist() == rb["log_loss"].tolist()


def test_joblib_models_keep_their_thread_budget_inside_a_worker(tmp_path: Path) -> None:
    """A worker is a daemon process, where joblib's default backend falls back to one job with
    a warning: the forests' predictions ran on 1 thread of 16. Every joblib model and the
    samplers' neighbour searches must run without it, in workers and in process alike."""
    cells = [Cell(dataset=Component.of("wine"), sampler=Component.of(s), model=Component.of(m))
             for m, s in (("random_forest", "none"), ("extra_trees", "none"),
                          ("balanced_random_forest", "none"), ("balanced_bagging", "none"),
                          ("easy_ensemble", "none"), ("random_forest", "smote"))]
    for workers in (1, 0):
        store = Store(tmp_path / f"w{workers}")
        run_cells(cells, store, workers=workers, threads=2)
        rows = store.read("cells")
        assert (rows["status"] == "ok").all(), rows[["model", "error"]]
        assert not rows["warnings"].str.contains("Loky|n_jobs=1").any(), rows["warnings"].tolist()
        assert rows["n_threads"].tolist() == [2] * len(cells)  # the budget, recorded with fit_s


def test_recycled_workers_lose_no_cell(tmp_path: Path) -> None:
    """Every `recycle_after` cells a worker is replaced without blocking the others."""
    from bench.execute.local import LocalExecutor
    from bench.execute.base import execute

    cells = [cell("sleep", seconds=0.01 * k, fold=k % 3) for k in range(5)]
    store = Store(tmp_path / "s")
    summary = execute(cells, store, LocalExecutor(workers=2, timeout_s=30, recycle_after=2))
    assert summary.statuses == {"ok": 5}
    assert sorted(store.read("cells")["cell_id"]) == sorted(c.cell_id for c in cells)


@pytest.mark.gpu
def test_a_cuda_run_records_its_device_and_refuses_cpu_only_models(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU")
    dnn = Component.of("dnn", {"hidden": [16], "max_epochs": 3})
    cells = [Cell(dataset=Component.of("wine"), sampler=Component.of(s), model=m, fold=0)
             for m in (dnn, Component.of("logistic")) for s in ("none", "class_weight")]
    store = Store(tmp_path / "s")
    run_cells(cells, store, workers=1, device="cuda")
    rows = store.read("cells").set_index("cell_id")
    net = rows.loc[[c.cell_id for c in cells[:2]]]
    assert (net["status"] == "ok").all() and (net["device"] == "cuda").all()
    cpu_only = rows.loc[[c.cell_id for c in cells[2:]]]
    assert (cpu_only["status"] == "error").all()
    assert cpu_only["error"].str.contains("has no GPU build").all()
