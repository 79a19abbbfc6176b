"""TabM (Gorishniy, Kotelnikov, Babenko 2024, "TabM: Advancing Tabular Deep Learning with
Parameter-Efficient Ensembling"), the module from the ``tabm`` package.

Why: one TabM is an ensemble of ``k`` MLPs that share most weights and train in parallel on the
same batches; each member learns from its own loss, the prediction averages the members'
probabilities. In the published benchmarks it is the strongest network at its defaults, so it
is the network a serious engineer tries after the plain MLP.

``torch`` and ``tabm`` are imported inside methods only.
"""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.models.estimators.embed_mlp import numeric_embeddings
from bench.models.estimators.tabular_net import TabularNetClassifier

if TYPE_CHECKING:
    import torch

NUM_EMBEDDINGS = ("none", "piecewise", "periodic")
ARCH_TYPES = ("tabm", "tabm-mini", "tabm-packed")


class TabMClassifier(TabularNetClassifier):
    """TabM: ``k`` weight-sharing MLP members trained at once (``TabM.make`` defaults).

    - ``k``: ensemble members (32 in the paper); ``arch_type``: ``tabm`` (BatchEnsemble
      adapters in every layer), ``tabm-mini`` (one adapter at the input), ``tabm-packed``.
    - ``n_blocks`` / ``d_block`` / ``dropout``: the backbone (``None`` blocks: 3, or 2 with
      numeric embeddings, as ``TabM.make`` chooses).
    - ``num_embeddings``: ``"none"``, ``"piecewise"`` (PLE version B, ``n_bins``; the paper's
      TabM†) or ``"periodic"`` (PLR), with ``d_embedding``.
    - the shared training parameters: see ``TabularNetClassifier``.
    """

    _predict_batch = 1024  # x k members x d_block activations: ~70 MB per layer at the defaults

    def __init__(
        self,
        k: int = 32,
        arch_type: str = "tabm",
        n_blocks: int | None = None,
        d_block: int = 512,
        dropout: float = 0.1,
        num_embeddings: str = "none",
        d_embedding: int = 16,
        n_bins: int = 48,
        preprocessing: str = "quantile",
        learning_rate: float = 2e-3,
        weight_decay: float = 3e-4,
        batch_size: int = 256,
        max_epochs: int = 200,
        patience: int | None = 16,
        class_weight: str | dict[Any, float] | None = None,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = 0,
        n_threads: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.k = k
        self.arch_type = arch_type
        self.n_blocks = n_blocks
        self.d_block = d_block
        self.dropout = dropout
        self.num_embeddings = num_embeddings
        self.d_embedding = d_embedding
        self.n_bins = n_bins
        self.preprocessing = preprocessing
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.class_weight = class_weight
        self.device = device
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose

    def _check_own_params(self) -> None:
        for name in ("k", "d_block", "d_embedding", "n_bins"):
            value = getattr(self, name)
            if not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}.")
        if self.n_blocks is not None and (not isinstance(self.n_blocks, Integral)
                                          or self.n_blocks < 1):
            raise ValueError(f"n_blocks must be None or a positive int; got {self.n_blocks!r}.")
        if self.arch_type not in ARCH_TYPES:
            raise ValueError(f"arch_type must be one of {ARCH_TYPES}; got {self.arch_type!r}.")
        if self.num_embeddings not in NUM_EMBEDDINGS:
            raise ValueError(f"num_embeddings must be one of {NUM_EMBEDDINGS}; "
                             f"got {self.num_embeddings!r}.")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout!r}.")

    def _build(self, X: np.ndarray, n_classes: int) -> torch.nn.Module:
        import tabm

        kwargs: dict[str, Any] = {"n_num_features": X.shape[1], "d_out": n_classes,
                                  "k": int(self.k), "arch_type": self.arch_type,
                                  "d_block": int(self.d_block), "dropout": float(self.dropout)}
        if self.n_blocks is not None:
            kwargs["n_blocks"] = int(self.n_blocks)
        if self.num_embeddings != "none":
            # TabM's recipe: PLE without the final ReLU; PLR as in the MLP-PLR paper.
            kwargs["num_embeddings"] = numeric_embeddings(
                self.num_embeddings, X, d_embedding=self.d_embedding, n_bins=self.n_bins,
                activation=False)
        return tabm.TabM.make(**kwargs)
