"""MLP with numerical feature embeddings (Gorishniy, Rubachev, Babenko 2022, "On Embeddings for
Numerical Features in Tabular Deep Learning"), the embeddings from ``rtdl-num-embeddings``.

Why: embedding each number before the MLP (periodic: PLR; or piecewise-linear: PLE) is the
cheapest known change that moves a plain MLP up to the gradient-boosted trees on many tabular
sets; it answers "is it the MLP or the imbalance?" with one component changed.

``torch`` and ``rtdl_num_embeddings`` are imported inside methods only.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.models.estimators.param_checks import (
    check_choices,
    check_hidden,
    check_positive_ints,
    check_rules,
    store_params,
)
from bench.models.estimators.tabular_net import TabularNetClassifier

if TYPE_CHECKING:
    import torch

EMBEDDINGS = ("periodic", "piecewise")


def piecewise_bins(X: np.ndarray, n_bins: int) -> list[Any]:
    """Quantile bin edges per column (as ``rtdl_num_embeddings.compute_bins``), but a constant
    column or a tiny training set gets one bin around its value instead of an error."""
    import torch

    bins = []
    for col in np.asarray(X, dtype=np.float64).T:
        edges = np.unique(np.quantile(col, np.linspace(0.0, 1.0, int(n_bins) + 1)))
        if len(edges) < 2:
            edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
        bins.append(torch.as_tensor(edges, dtype=torch.float32))
    return bins


def numeric_embeddings(kind: str, X: np.ndarray, *, d_embedding: int, n_bins: int = 48,
                       n_frequencies: int = 48, frequency_init_scale: float = 0.01,
                       lite: bool = False, activation: bool = True) -> torch.nn.Module:
    """``periodic``: PLR (periodic, linear, ReLU); ``piecewise``: PLE, version B of the TabM paper
    (a linear embedding plus a piecewise-linear term learnt from zero)."""
    import rtdl_num_embeddings as rne

    if kind == "periodic":
        return rne.PeriodicEmbeddings(X.shape[1], int(d_embedding), n_frequencies=int(n_frequencies),
                                      frequency_init_scale=float(frequency_init_scale),
                                      lite=bool(lite))
    with warnings.catch_warnings():  # a one-bin column (constant) is fine, not worth a warning
        warnings.filterwarnings("ignore", message=".*just two bin edges.*")
        return rne.PiecewiseLinearEmbeddings(piecewise_bins(X, n_bins), int(d_embedding),
                                             activation=activation, version="B")


class EmbeddingMLPClassifier(TabularNetClassifier):
    """MLP on embedded numerical features (MLP-PLR by default, MLP-PLE with ``"piecewise"``).

    - ``embedding``: ``"periodic"`` (PLR, ``n_frequencies``, ``frequency_init_scale`` sigma,
      ``lite``) or ``"piecewise"`` (PLE with ``n_bins`` quantile bins of the training rows).
    - ``d_embedding``: size of each feature's embedding (flattened into the MLP's input).
    - ``hidden`` / ``dropout``: the MLP's ReLU blocks.
    - the shared training parameters: see ``TabularNetClassifier``.
    """

    def __init__(
        self,
        embedding: str = "periodic",
        d_embedding: int = 24,
        n_frequencies: int = 48,
        frequency_init_scale: float = 0.01,
        lite: bool = False,
        n_bins: int = 48,
        hidden: tuple[int, ...] = (256, 256, 256),
        dropout: float = 0.1,
        preprocessing: str = "quantile",
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-5,
        batch_size: int = 256,
        max_epochs: int = 200,
        patience: int | None = 16,
        class_weight: str | dict[Any, float] | None = None,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = 0,
        n_threads: int | None = None,
        verbose: bool = False,
    ) -> None:
        store_params(self, locals())

    def _check_own_params(self) -> None:
        check_choices(self, [("embedding", EMBEDDINGS)])
        check_positive_ints(self, ("d_embedding", "n_frequencies", "n_bins"))
        check_hidden(self.hidden)
        check_rules(self, [("dropout", 0.0 <= self.dropout < 1.0, "in [0, 1)"),
                           ("frequency_init_scale", self.frequency_init_scale > 0, "> 0")])

    def _build(self, X: np.ndarray, n_classes: int) -> torch.nn.Module:
        from torch import nn

        emb = numeric_embeddings(self.embedding, X, d_embedding=self.d_embedding,
                                 n_bins=self.n_bins, n_frequencies=self.n_frequencies,
                                 frequency_init_scale=self.frequency_init_scale, lite=self.lite)
        layers: list[nn.Module] = [emb, nn.Flatten(1)]
        width = X.shape[1] * int(self.d_embedding)
        for h in self.hidden:
            layers += [nn.Linear(width, int(h)), nn.ReLU()]
            if self.dropout > 0:
                layers.append(nn.Dropout(float(self.dropout)))
            width = int(h)
        layers.append(nn.Linear(width, n_classes))
        return nn.Sequential(*layers)
