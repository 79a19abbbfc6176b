"""The training loop shared by the modern tabular networks (RealMLP, TabM, MLP-PLR).

Why one base: the networks differ in their module and their preprocessing, not in what the
harness needs from them. Every one must take per-sample and class weights, stop on the
validation rows the protocol passes (``eval_set``) and restore its best epoch, record the same
learning curves as the Keras-style MLP (``bench.models.estimators.dnn``, which stays *the*
baseline and is not built on this class), run on cpu or cuda, and give identical predictions
for the same seed on CPU. A subclass only says how to preprocess, what to build and (RealMLP)
how its per-parameter schedules move.

A module returns logits ``(batch, n_classes)`` or, for an ensemble such as TabM,
``(batch, members, n_classes)``: each member is trained on the loss of its own logits and the
prediction is the mean of the members' probabilities (Gorishniy et al. 2024).

``torch`` is imported inside methods only.
"""

from __future__ import annotations

import copy
import math
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
    check_choices,
    check_class_weight,
    check_optional_ints,
    check_positive_ints,
    check_rules,
)
from bench.models.estimators.torch_utils import (
    add_confusion,
    eval_forward,
    macro_f1_from_confusion,
    resolve_device,
    seeded_torch,
    torch_threads,
)

if TYPE_CHECKING:
    import torch

_PREDICT_BATCH = 8192  # rows per inference batch: bounds activation memory, not a tuning knob
PREPROCESSING = ("quantile", "standard")


def quantile_stats(X: np.ndarray, seed: int) -> Any:
    """The numeric preprocessing of the TabM and MLP-PLR papers' code: a normal-output quantile
    transform with ``max(min(n // 30, 1000), 10)`` quantiles (at most n), fitted on the training
    rows."""
    from sklearn.preprocessing import QuantileTransformer

    n = X.shape[0]
    n_q = min(max(min(n // 30, 1000), 10), n)
    return QuantileTransformer(n_quantiles=n_q, output_distribution="normal",
                               subsample=None, random_state=seed).fit(X)


class TabularNetClassifier(ClassifierMixin, BaseEstimator):
    """Base of the modern tabular networks; subclasses declare their own ``__init__``.

    Shared parameters (every subclass has them): ``learning_rate``, ``weight_decay`` (AdamW,
    decoupled), ``batch_size``, ``max_epochs``, ``patience`` (epochs without validation-loss
    improvement before stopping; ``None``: train ``max_epochs`` and keep the best validation
    epoch), ``class_weight`` (``None``, ``"balanced"`` or ``{label: weight}``), ``device``
    (``"auto"``, ``"cpu"``, ``"cuda[:N]"``), ``random_state``, ``n_threads``, ``verbose``.

    Without ``eval_set`` there is no early stopping and the last epoch is kept. Validation rows
    are weighted like training rows (class weight, and the mean training weight of their class
    when ``sample_weight`` is given), so early stopping follows the training objective.
    ``curves_`` holds per epoch the train and validation loss and macro-F1, as the MLP's.
    """

    _betas: tuple[float, float] = (0.9, 0.999)
    _predict_batch = _PREDICT_BATCH  # rows per inference batch (an ensemble uses fewer)

    # ------------------------------------------------------------------ subclass hooks
    def _check_own_params(self) -> None:
        """Validate the subclass's own parameters (raise ValueError naming the parameter)."""

    def _fit_preprocessing(self, X: np.ndarray, seed: int) -> None:
        """Fit the input transformation on the training rows: ``preprocessing="quantile"`` (the
        TabM / MLP-PLR papers' code) or ``"standard"`` (mean and standard deviation)."""
        self.mean_, self.scale_ = standard_stats(X)
        self.quantile_ = (quantile_stats(X, seed) if self.preprocessing == "quantile" else None)

    def _preprocess(self, X: np.ndarray) -> np.ndarray:
        if self.quantile_ is not None:
            return np.ascontiguousarray(self.quantile_.transform(X), dtype=np.float32)
        return standardize(X, self.mean_, self.scale_)

    def _build(self, X: np.ndarray, n_classes: int) -> torch.nn.Module:
        """The module, given the preprocessed training rows (for bins or data-dependent sizes)."""
        raise NotImplementedError

    def _param_groups(self, model: torch.nn.Module) -> list[dict[str, Any]]:
        """Optimizer groups with ``lr_factor`` / ``wd_factor`` (RealMLP scales some of them)."""
        return [{"params": list(model.parameters()), "lr_factor": 1.0, "wd_factor": 1.0}]

    def _initialize(self, model: torch.nn.Module, xb: torch.Tensor) -> None:
        """Data-dependent initialization on the first shuffled batch (no-op by default)."""

    def _set_progress(self, model: torch.nn.Module, opt: Any, t: float) -> float:
        """Move the schedules to training progress ``t`` in [0, 1); returns the label smoothing.
        Default: constant learning rate and weight decay, no label smoothing."""
        for g in opt.param_groups:
            g["lr"] = float(self.learning_rate) * g["lr_factor"]
            g["weight_decay"] = float(self.weight_decay) * g["wd_factor"]
        return 0.0

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        check_positive_ints(self, ("batch_size", "max_epochs"))
        check_optional_ints(self, ("patience",))
        check_rules(self, [("learning_rate", self.learning_rate > 0, "> 0"),
                           ("weight_decay", self.weight_decay >= 0, ">= 0")])
        check_class_weight(self.class_weight)
        if hasattr(self, "preprocessing"):
            check_choices(self, [("preprocessing", PREPROCESSING)])
        self._check_own_params()

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None,
            eval_set: tuple[Any, ...] | None = None) -> TabularNetClassifier:
        """Train; ``eval_set=(X_val, y_val[, sample_weight_val])`` drives early stopping and the
        choice of the best epoch. The batch loss is sum(w * l) / sum(w), w = sample weight times
        class weight."""

        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "Only one class is present in y; a classifier needs at least two classes.")
        weights, sw, class_w = fit_weights(sample_weight, self.class_weight, self.classes_, y,
                                           y_enc)

        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        self._fit_preprocessing(X, seed)
        val = None
        if eval_set is not None:
            X_val, y_val, w_val = validation_rows(self, eval_set, y_enc, sw)
            if len(y_val):
                val = (self._preprocess(X_val), y_val, w_val * class_w[y_val])

        device = resolve_device(self.device)
        with seeded_torch(device, seed, self.n_threads):
            self._train(self._preprocess(X), y_enc.astype(np.int64), weights, val, device, seed)
        return self

    def _train(self, X: np.ndarray, y: np.ndarray, weights: np.ndarray,
               val: tuple[np.ndarray, np.ndarray, np.ndarray] | None, device: str,
               seed: int) -> None:
        """Shuffle once per epoch, train on contiguous slices; keep the best validation epoch."""
        import torch

        n, k = X.shape[0], len(self.classes_)
        model = self._build(X, k).to(device)
        opt = torch.optim.AdamW(self._param_groups(model), lr=float(self.learning_rate),
                                weight_decay=float(self.weight_decay), betas=self._betas)
        X_t = torch.from_numpy(X).to(device)
        y_t = torch.from_numpy(y).to(device)
        w_t = torch.from_numpy(weights.astype(np.float32)).to(device)
        w_total = float(w_t.sum())
        gen = torch.Generator().manual_seed(seed)
        bs = int(self.batch_size)
        steps_per_epoch = math.ceil(n / bs)
        total_steps = steps_per_epoch * int(self.max_epochs)

        self.model_ = model
        self.curves_: list[dict[str, Any]] = []
        model.train()
        with torch.no_grad():
            first = torch.randperm(n, generator=gen)[:bs].to(device)
            self._initialize(model, X_t[first])
        best_loss, best_epoch, best_state, bad_epochs = np.inf, 0, None, 0
        step, epoch = 0, 0
        for epoch in range(1, int(self.max_epochs) + 1):
            model.train()
            perm = torch.randperm(n, generator=gen).to(device)
            Xp, yp, wp = X_t[perm], y_t[perm], w_t[perm]
            total = torch.zeros((), device=device)
            conf = torch.zeros(k * k, dtype=torch.int64, device=device)
            for start in range(0, n, bs):
                xb, yb, wb = Xp[start:start + bs], yp[start:start + bs], wp[start:start + bs]
                smoothing = self._set_progress(model, opt, step / total_steps)
                out = model(xb)
                weighted = _member_loss(out, yb, smoothing) * wb
                batch_loss = weighted.sum() / wb.sum().clamp_min(1e-12)
                opt.zero_grad(set_to_none=True)
                batch_loss.backward()
                opt.step()
                step += 1
                total += weighted.detach().sum()
                pred = _mean_proba(out.detach()).argmax(dim=1)
                add_confusion(conf, yb, pred, k)
            train_loss = float(total) / w_total
            train_f1 = macro_f1_from_confusion(conf.cpu().numpy().reshape(k, k))
            if not np.isfinite(train_loss):
                raise RuntimeError(f"Training diverged at epoch {epoch} (loss {train_loss}); "
                                   "lower learning_rate or check the inputs.")
            self._record(epoch, "train", "loss", train_loss)
            self._record(epoch, "train", "macro_f1", train_f1)
            msg = f"epoch {epoch}: train loss {train_loss:.5f}, train macro-F1 {train_f1:.4f}"
            if val is not None:
                val_loss, val_f1 = self._evaluate(val, device)
                self._record(epoch, "validation", "loss", val_loss)
                self._record(epoch, "validation", "macro_f1", val_f1)
                msg += f", val loss {val_loss:.5f}, val macro-F1 {val_f1:.4f}"
                if val_loss < best_loss:
                    best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    bad_epochs += 1
            if self.verbose:
                print(msg, flush=True)
            if (val is not None and self.patience is not None and bad_epochs > 0
                    and bad_epochs >= self.patience):
                break
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        self.n_epochs_ = epoch
        self.best_epoch_ = best_epoch if val is not None else epoch

    def _record(self, step: int, split: str, metric: str, value: float) -> None:
        self.curves_.append({"step": step, "split": split, "metric": metric,
                             "value": float(value)})

    def _evaluate(self, val: tuple[np.ndarray, np.ndarray, np.ndarray],
                  device: str) -> tuple[float, float]:
        """Weighted log loss of the (member-averaged) probabilities and macro-F1."""
        X_val, y_val, w_val = val
        proba = self._proba(X_val, device)
        p = np.clip(proba[np.arange(len(y_val)), y_val], 1e-15, 1.0)
        loss = float(np.sum(-np.log(p) * w_val) / max(float(np.sum(w_val)), 1e-12))
        f1 = f1_score(y_val, proba.argmax(axis=1), labels=np.arange(len(self.classes_)),
                      average="macro", zero_division=0)
        return loss, float(f1)

    def _proba(self, Xs: np.ndarray, device: str) -> np.ndarray:
        """Batched forward pass in eval mode; float64 softmax averaged over members."""
        import torch

        out = eval_forward(self.model_, Xs, device, self._predict_batch,
                           head=lambda logits: _mean_proba(logits.double()).cpu())
        if not out:
            return np.empty((0, len(self.classes_)))
        with torch.inference_mode():
            return torch.cat(out).numpy()

    # ------------------------------------------------------------------ predict
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order, float64, rows summing to 1."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.float32)
        device = str(next(self.model_.parameters()).device)
        with torch_threads(self.n_threads):
            proba = self._proba(self._preprocess(X), device)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class (argmax rule); other decision rules live in the protocol."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _member_loss(out: torch.Tensor, y: torch.Tensor, smoothing: float) -> torch.Tensor:
    """Per-row cross-entropy; for ``(batch, members, k)`` the mean over the members' own losses
    (each member is trained as a model of its own)."""
    import torch.nn.functional as F

    if out.dim() == 2:
        return F.cross_entropy(out, y, reduction="none", label_smoothing=smoothing)
    b, m, k = out.shape
    loss = F.cross_entropy(out.reshape(b * m, k), y.repeat_interleave(m), reduction="none",
                           label_smoothing=smoothing)
    return loss.view(b, m).mean(dim=1)


def _mean_proba(out: torch.Tensor) -> torch.Tensor:
    """Softmax probabilities; members' probabilities averaged."""
    import torch

    proba = torch.softmax(out, dim=-1)
    return proba.mean(dim=1) if proba.dim() == 3 else proba
