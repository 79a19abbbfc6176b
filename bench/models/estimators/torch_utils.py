"""Torch helpers shared by the neural estimators: thread budget, device, losses, epoch scores.

``torch`` is imported inside functions only (workers that never fit a network skip its import).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch


@contextlib.contextmanager
def torch_threads(n_threads: int | None) -> Iterator[None]:
    """Use ``n_threads`` intra-op threads for the duration, then restore the previous setting.

    The executor, not the library, decides thread counts (oversubscription is costly on few
    cores); restoring keeps the setting from leaking into whatever runs next in the worker.
    """
    import torch

    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def seeded_torch(device: str, seed: int, n_threads: int | None) -> Iterator[None]:
    """Run with ``n_threads`` and the torch RNG (cpu, and ``device`` if cuda) seeded with
    ``seed``, restoring the global RNG afterwards: a fit is reproducible and leaves the
    caller's torch RNG untouched."""
    import torch

    fork_devices: list[int] = []
    if device.startswith("cuda"):
        fork_devices = [torch.device(device).index or torch.cuda.current_device()]
    with torch_threads(n_threads), torch.random.fork_rng(devices=fork_devices):
        torch.manual_seed(seed)
        yield


def resolve_device(device: str) -> str:
    """Map ``"auto"`` to cuda-if-available and fail early and clearly on an unusable device."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        return "cpu"
    if isinstance(device, str) and (device == "cuda" or device.startswith("cuda:")):
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available "
                "(no GPU or a CPU-only torch build); use device='cpu' or 'auto'."
            )
        return device
    raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]'; got {device!r}.")


def eval_forward(model: torch.nn.Module, Xs: np.ndarray, device: str, batch_rows: int,
                 head: Callable[[torch.Tensor], torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Forward pass in ``batch_rows`` slices, in eval mode (dropout off) without autograd,
    each slice's output through ``head``; bounds activation memory and restores the module's
    training flag."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            X_t = torch.from_numpy(Xs)
            outs = [model(X_t[i:i + batch_rows].to(device))
                    for i in range(0, Xs.shape[0], batch_rows)]
            return outs if head is None else [head(out) for out in outs]
    finally:
        model.train(was_training)


def per_sample_loss(
    logits: torch.Tensor, target: torch.Tensor, loss: str, gamma: float
) -> torch.Tensor:
    """Unreduced loss, so sample and class weights can be applied uniformly to both losses."""
    import torch.nn.functional as F

    if loss == "focal":
        # Focal loss (Lin et al. 2017): down-weights easy examples by (1 - p_t)^gamma. The clamp
        # keeps the gradient of pow finite at p_t == 1 when gamma < 1.
        logp = F.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
        return -(1.0 - logp.exp()).clamp_min(1e-12).pow(gamma) * logp
    return F.cross_entropy(logits, target, reduction="none")


def add_confusion(conf: torch.Tensor, y: torch.Tensor, pred: torch.Tensor, k: int) -> None:
    """``conf[y * k + pred] += 1`` in place (flat k x k counts, rows true), with no host sync.

    The running counts behind every network's `train macro_f1` curve, shared by the MLP and the
    modern networks. Not ``torch.bincount``, which on CUDA reads its input's maximum back to the
    host every batch; on an H200 the two measured the same (the 1024-1024-512 loop is bound by
    kernel launches on the CPU side, docs/benchmarks.md), so this is hygiene, not a speed-up."""
    import torch

    idx = y * k + pred
    conf.scatter_add_(0, idx, torch.ones_like(idx))


def macro_f1_from_confusion(conf: np.ndarray) -> float:
    """Macro-F1 over all k classes from a k x k confusion matrix (rows true, columns predicted);
    a class never true nor predicted scores 0, as f1_score(..., zero_division=0)."""
    tp = np.diag(conf).astype(np.float64)
    denom = conf.sum(axis=0) + conf.sum(axis=1)
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1.mean())
