"""Per-epoch training time: DNNClassifier against a bare PyTorch loop (target ratio <= 1.10).

Why: the DNN baseline must not be slowed by its scikit-learn wrapper, or every DNN-vs-trees
comparison of fit time would be biased. Both sides train the same architecture (default
1024-1024-512, ReLU, softmax) with Adam on the same random data, shuffle once per epoch and
slice contiguous batches; the harness also validates and standardizes its input, which is
counted (fit time / epochs). Runs alternate (bare, harness, bare, ...) so background load
hits both; the minimum over repeats is reported, as wall time and as process CPU time (the CPU
time is the steadier number on a shared machine: other processes' load barely moves it).

    python benchmarks/dnn_epoch.py --rows 100000
    python benchmarks/dnn_epoch.py --device cuda --epochs 5 --repeats 3   # the GPU path

On cuda both sides hold the data on the device, draw the permutation on the CPU and move it
(as the harness does, so CPU and GPU fits see the same batches), and read the loss back once per
epoch; CUDA is initialised before the first timed run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def bare_epoch_seconds(X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], batch: int,
                       epochs: int, lr: float, seed: int, device: str = "cpu"
                       ) -> tuple[float, float]:
    """The reference: the plainest fast PyTorch loop, with one host sync per epoch."""
    import torch
    from torch import nn

    start, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    width = X.shape[1]
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, int(y.max()) + 1))
    model = nn.Sequential(*layers).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    X_t, y_t = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen).to(device)
        Xp, yp = X_t[perm], y_t[perm]
        total = torch.zeros((), device=device)
        for i in range(0, n, batch):
            loss = nn.functional.cross_entropy(model(Xp[i:i + batch]), yp[i:i + batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.detach() * yp[i:i + batch].shape[0]
        float(total)
    return (time.perf_counter() - start) / epochs, (time.process_time() - cpu) / epochs


def harness_epoch_seconds(X: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], batch: int,
                          epochs: int, lr: float, seed: int, threads: int, device: str = "cpu"
                          ) -> tuple[float, float]:
    """DNNClassifier.fit wall time per epoch, input validation and standardization included."""
    from bench.models.estimators.dnn import DNNClassifier

    clf = DNNClassifier(hidden=hidden, learning_rate=lr, batch_size=batch, max_epochs=epochs,
                        device=device, random_state=seed, n_threads=threads)
    start, cpu = time.perf_counter(), time.process_time()
    clf.fit(X, y)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert clf.n_epochs_ == epochs
    return wall / epochs, cpu / epochs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--features", type=int, default=80)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="alternating runs; min reported")
    parser.add_argument("--hidden", type=int, nargs="*", default=[1024, 1024, 512])
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    if args.device != "cpu":  # context, cuBLAS and allocator set up before any timed run
        warm = torch.nn.Linear(8, 8).to(args.device)
        warm(torch.zeros(4, 8, device=args.device)).sum().backward()
        torch.cuda.synchronize(args.device)
    rng = np.random.default_rng(0)
    # Already standardized float32 data, so the bare loop needs no preprocessing to be fair.
    X = rng.standard_normal((args.rows, args.features), dtype=np.float32)
    y = rng.integers(0, args.classes, size=args.rows).astype(np.int64)
    hidden = tuple(args.hidden)
    bare, harness = [], []
    for r in range(args.repeats):
        bare.append(bare_epoch_seconds(X, y, hidden, args.batch, args.epochs, 1e-3, r,
                                       args.device))
        harness.append(harness_epoch_seconds(X, y, hidden, args.batch, args.epochs, 1e-3, r,
                                             args.threads, args.device))
        print(f"repeat {r + 1}: bare {bare[-1][0]:.3f} s/epoch (cpu {bare[-1][1]:.3f}), "
              f"harness {harness[-1][0]:.3f} s/epoch (cpu {harness[-1][1]:.3f})", flush=True)
    print(f"rows={args.rows} features={args.features} hidden={hidden} batch={args.batch} "
          f"threads={args.threads} epochs={args.epochs} device={args.device} "
          f"torch={torch.__version__}")
    for i, clock in enumerate(("wall", "cpu")):
        b, h = min(t[i] for t in bare), min(t[i] for t in harness)
        paired = float(np.median([hh[i] / bb[i] for bb, hh in zip(bare, harness)]))
        print(f"{clock:4s}: bare {b:.3f} s/epoch, harness {h:.3f} s/epoch, "
              f"ratio {h / b:.3f} (harness / bare; target <= 1.10), "
              f"median paired ratio {paired:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
