"""DNN baseline: a PyTorch MLP behind a faithful scikit-learn classifier API.

The benchmark compares tree ensembles against the classic Keras-style MLP (Dense 1024-1024-512,
ReLU, softmax). Wrapping it as a scikit-learn classifier lets the protocol treat it like every
other model (pipelines, samplers, clone, pickling) while keeping the training loop as fast as a
bare PyTorch loop: batches are slices of pre-built tensors, no DataLoader, and no per-batch
host/device synchronisation (the epoch loss is accumulated as a tensor and read once).

``torch`` is imported inside methods only: worker processes that never fit a DNN should not pay
its import time and memory.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import f1_score
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from bench.models.estimators.fitting import (
    fit_weights,
    standard_stats,
    standardize,
    validation_rows,
)
from bench.models.estimators.param_checks import (
    check_class_weight,
    check_hidden,
    check_optional_ints,
    check_positive_ints,
    check_rules,
    store_params,
)
from bench.models.estimators.torch_utils import (
    add_confusion,
    eval_forward,
    macro_f1_from_confusion,
    per_sample_loss,
    resolve_device,
    seeded_torch,
    torch_threads,
)

if TYPE_CHECKING:
    import torch

_LOSSES = ("cross_entropy", "focal")
_PREDICT_BATCH = 8192  # rows per inference batch: bounds activation memory, not a tuning knob



class DNNClassifier(ClassifierMixin, BaseEstimator):
    """Multilayer perceptron (ReLU hidden layers, softmax output) trained with Adam.

    Parameters are stored untouched (scikit-learn convention) and validated in ``fit``.

    - ``hidden``: widths of the hidden layers; the default is the classic Keras baseline.
    - ``dropout``: dropout rate after every hidden ReLU (0 disables it).
    - ``patience``: epochs without validation-loss improvement before stopping; the best weights
      are restored. Needs ``eval_set``: **without an eval_set there is no early stopping and no
      LR schedule**, training runs all ``max_epochs`` (as Keras callbacks monitoring ``val_loss``
      do). ``None`` disables early stopping.
    - ``lr_patience`` / ``lr_factor``: ReduceLROnPlateau on validation loss (``None`` disables).
    - ``loss``: ``"cross_entropy"`` or ``"focal"`` (with ``focal_gamma``).
    - ``class_weight``: ``None``, ``"balanced"`` (w_c = n / (k * n_c)) or a ``{label: weight}``
      dict; multiplies the per-sample loss together with ``sample_weight``.
    - validation rows are weighted like training rows: by the class weight and, when
      ``sample_weight`` is given, by the mean training weight of their class (or by explicit
      weights, ``eval_set=(X_val, y_val, sample_weight_val)``), so early stopping follows the
      training objective.
    - ``curves_``: per epoch, ``train`` loss and macro-F1 (running over the epoch's batches,
      as Keras reports training metrics) and ``validation`` loss and macro-F1 (end of epoch).
    - ``device``: ``"auto"`` (cuda if available), ``"cpu"`` or ``"cuda[:N]"``.
    - ``random_state``: seeds weight init, dropout and the batch permutation; on CPU two fits
      with the same seed give identical predictions. The global torch RNG is left untouched.
    - ``n_threads``: torch intra-op threads during fit/predict (``None``: leave torch's setting).
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = (1024, 1024, 512),
        dropout: float = 0.0,
        learning_rate: float = 1e-3,
        batch_size: int = 1024,
        max_epochs: int = 50,
        patience: int | None = 5,
        lr_patience: int | None = 2,
        lr_factor: float = 0.5,
        weight_decay: float = 0.0,
        loss: str = "cross_entropy",
        focal_gamma: float = 2.0,
        class_weight: str | dict[Any, float] | None = None,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = 0,
        n_threads: int | None = None,
        verbose: bool = False,
    ) -> None:
        store_params(self, locals())

    # ------------------------------------------------------------------ validation helpers
    def _check_params(self) -> None:
        """Fail before any work with a message naming the parameter (no logic in __init__)."""
        check_hidden(self.hidden)
        check_positive_ints(self, ("batch_size", "max_epochs"))
        check_optional_ints(self, ("patience", "lr_patience"))
        check_rules(self, [("dropout", 0.0 <= self.dropout < 1.0, "in [0, 1)"),
                           ("learning_rate", self.learning_rate > 0, "> 0"),
                           ("lr_factor", 0.0 < self.lr_factor < 1.0, "in (0, 1)"),
                           ("weight_decay", self.weight_decay >= 0, ">= 0"),
                           ("loss", self.loss in _LOSSES, f"one of {_LOSSES}"),
                           ("focal_gamma", self.focal_gamma >= 0, ">= 0")])
        check_class_weight(self.class_weight)

    def _standardize(self, X: np.ndarray) -> np.ndarray:
        """Scale with training statistics; networks train poorly on raw feature scales."""
        return standardize(X, self.mean_, self.scale_)

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        eval_set: tuple[Any, ...] | None = None,
    ) -> DNNClassifier:
        """Train; ``eval_set=(X_val, y_val[, sample_weight_val])`` drives early stopping and the
        LR schedule.

        Loss per batch is the weighted mean sum(w * l) / sum(w), with w = sample_weight times
        the class weight, so weights change relative importance without changing the step size.
        """

        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "Only one class is present in y; a classifier needs at least two classes."
            )
        weights, sw, class_w = fit_weights(sample_weight, self.class_weight, self.classes_, y,
                                           y_enc)

        self.mean_, self.scale_ = standard_stats(X)

        val: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if eval_set is not None:
            X_val, y_val, w_val = validation_rows(self, eval_set, y_enc, sw)
            val = (self._standardize(X_val), y_val, w_val)

        device = resolve_device(self.device)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        with seeded_torch(device, seed, self.n_threads):
            Xs = self._standardize(X)
            del X  # the float32 copy from validate_data is not needed during training
            self._train(Xs, y_enc, weights, class_w, val, device, seed)
        return self

    def _build(self, n_features: int, n_classes: int) -> torch.nn.Module:
        """Dense stack with ReLU (and optional dropout), logits out; softmax lives in the loss."""
        from torch import nn

        layers: list[nn.Module] = []
        width = n_features
        for h in self.hidden:
            layers += [nn.Linear(width, int(h)), nn.ReLU()]
            if self.dropout > 0:
                layers.append(nn.Dropout(self.dropout))
            width = int(h)
        layers.append(nn.Linear(width, n_classes))
        return nn.Sequential(*layers)

    def _train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weights: np.ndarray,
        class_w: np.ndarray,
        val: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
        device: str,
        seed: int,
    ) -> None:
        """The epoch loop: shuffle once per epoch, then train on contiguous slices (views)."""
        import torch

        n, k = X.shape[0], len(self.classes_)
        model = self._build(X.shape[1], k).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=self.learning_rate,
                               weight_decay=self.weight_decay)
        use_val = val is not None
        sched = None
        if use_val and self.lr_patience is not None:
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
                opt, mode="min", factor=self.lr_factor, patience=self.lr_patience)
        X_t = torch.from_numpy(X).to(device)
        y_t = torch.from_numpy(y).to(device)
        w_t = torch.from_numpy(weights.astype(np.float32)).to(device)
        w_total = float(w_t.sum())
        cw_t = torch.from_numpy(class_w.astype(np.float32)).to(device)
        gen = torch.Generator().manual_seed(seed)
        bs, loss_name, gamma = int(self.batch_size), self.loss, float(self.focal_gamma)

        self.model_ = model
        self.curves_: list[dict[str, Any]] = []
        best_loss, best_epoch, best_state, bad_epochs = np.inf, 0, None, 0
        epoch = 0
        for epoch in range(1, int(self.max_epochs) + 1):
            model.train()
            perm = torch.randperm(n, generator=gen).to(device)
            Xp, yp, wp = X_t[perm], y_t[perm], w_t[perm]
            total = torch.zeros((), device=device)
            # running confusion counts (true * k + predicted) for the train macro-F1
            conf = torch.zeros(k * k, dtype=torch.int64, device=device)
            for start in range(0, n, bs):
                xb, yb, wb = Xp[start:start + bs], yp[start:start + bs], wp[start:start + bs]
                logits = model(xb)
                weighted = per_sample_loss(logits, yb, loss_name, gamma) * wb
                batch_loss = weighted.sum() / wb.sum().clamp_min(1e-12)
                opt.zero_grad(set_to_none=True)
                batch_loss.backward()
                opt.step()
                total += weighted.detach().sum()
                add_confusion(conf, yb, logits.detach().argmax(dim=1), k)
            train_loss = float(total) / w_total  # the epoch's host syncs: loss and counts
            train_f1 = macro_f1_from_confusion(conf.cpu().numpy().reshape(k, k))
            if not np.isfinite(train_loss):
                raise RuntimeError(
                    f"Training diverged at epoch {epoch} (loss {train_loss}); "
                    "lower learning_rate or check the inputs."
                )
            self._record(epoch, "train", "loss", train_loss)
            self._record(epoch, "train", "macro_f1", train_f1)
            msg = f"epoch {epoch}: train loss {train_loss:.5f}, train macro-F1 {train_f1:.4f}"
            if use_val:
                val_loss, val_f1 = self._evaluate(val, cw_t, device)
                self._record(epoch, "validation", "loss", val_loss)
                self._record(epoch, "validation", "macro_f1", val_f1)
                msg += f", val loss {val_loss:.5f}, val macro-F1 {val_f1:.4f}"
                if sched is not None:
                    sched.step(val_loss)
                if val_loss < best_loss:
                    best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    bad_epochs += 1
            if self.verbose:
                print(msg, flush=True)
            # Keras semantics: stop after `patience` consecutive epochs without improvement
            # (patience 0: at the first one), never right after an improving epoch.
            if (use_val and self.patience is not None and bad_epochs > 0
                    and bad_epochs >= self.patience):
                break
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        self.n_epochs_ = epoch
        self.best_epoch_ = best_epoch if use_val else epoch

    def _record(self, step: int, split: str, metric: str, value: float) -> None:
        self.curves_.append({"step": step, "split": split, "metric": metric,
                             "value": float(value)})

    def _evaluate(
        self, val: tuple[np.ndarray, np.ndarray, np.ndarray], cw_t: torch.Tensor, device: str
    ) -> tuple[float, float]:
        """Validation loss (training objective incl. class and sample weights) and macro-F1.

        The objective matches training so early stopping with class weights is not pulled
        back towards majority-class fits by an unweighted validation loss.
        """
        import torch

        X_val, y_val, w_val = val
        y_t = torch.from_numpy(y_val).to(device)
        logits = self._logits(X_val, device)
        with torch.inference_mode():
            w = cw_t[y_t] * torch.from_numpy(w_val.astype(np.float32)).to(device)
            loss = (per_sample_loss(logits, y_t, self.loss, float(self.focal_gamma)) * w).sum()
            loss = float(loss / w.sum().clamp_min(1e-12))
            pred = logits.argmax(dim=1).cpu().numpy()
        f1 = f1_score(y_val, pred, labels=np.arange(len(self.classes_)), average="macro",
                      zero_division=0)
        return loss, float(f1)

    def _logits(self, Xs: np.ndarray, device: str) -> torch.Tensor:
        """Batched forward pass in eval mode (dropout off); bounds activation memory."""
        import torch

        out = eval_forward(self.model_, Xs, device, _PREDICT_BATCH)
        with torch.inference_mode():
            return torch.cat(out) if out else torch.empty((0, len(self.classes_)))

    # ------------------------------------------------------------------ predict
    def predict_proba(self, X: Any) -> np.ndarray:
        """Softmax probabilities, columns in ``classes_`` order, float64, rows summing to 1."""
        import torch

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        device = str(next(self.model_.parameters()).device)
        with torch_threads(self.n_threads):
            logits = self._logits(self._standardize(X), device)
            # softmax in float64: rows sum to 1 to double precision, and tiny probabilities
            # keep their resolution for log-loss metrics.
            proba = torch.softmax(logits.double(), dim=1).cpu().numpy()
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class (argmax rule); other decision rules live in the protocol."""
        proba = self.predict_proba(X)  # checks fitted before classes_ is touched
        return self.classes_[np.argmax(proba, axis=1)]
