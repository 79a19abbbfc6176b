"""TabM (Gorishniy, Kotelnikov, Babenko 2024, "TabM: Advancing Tabular Deep Learning with
Parameter-Efficient Ensembling"), the module from the ``tabm`` package.

Why: one TabM is an ensemble of ``k`` MLPs that share most weights and train in parallel on the
same batches; each member learns from its own loss, the prediction averages the members'
probabilities. In the published benchmarks it is the strongest network at its defaults, so it
is the network a serious engineer tries after the plain MLP.

``torch`` and ``tabm`` are imported inside methods only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from bench.models.estimators.embed_mlp import numeric_embeddings
from bench.models.estimators.param_checks import (
    check_choices,
    check_optional_ints,
    check_positive_ints,
    check_rules,
    store_params,
)
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
        store_params(self, locals())

    def _check_own_params(self) -> None:
        check_positive_ints(self, ("k", "d_block", "d_embedding", "n_bins"))
        check_optional_ints(self, ("n_blocks",), minimum=1)
        check_choices(self, [("arch_type", ARCH_TYPES), ("num_embeddings", NUM_EMBEDDINGS)])
        check_rules(self, [("dropout", 0.0 <= self.dropout < 1.0, "in [0, 1)")])

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
