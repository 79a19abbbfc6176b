"""Model registry: declarative entries; heavy libraries are imported inside factories only.

Why: listing models or validating a suite must not import torch or catboost, and every model
(the DNN included) must be a scikit-learn classifier built the same way from suite parameters.
An entry also declares what the grid and the protocol need to know about the model without
building it: its family, whether `fit` takes per-sample weights and a validation set, whether
it has a GPU build and native categorical support.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.core.errors import ModelError
from bench.core.registry import Registry
from bench.core.space import NO_SPACE, SearchSpace
from bench.core.vocab import FAMILIES


# imbalanced-learn's sampling types ("" = the model does not resample inside)
INTERNAL_SAMPLING = ("", "under-sampling", "over-sampling")


@dataclass(frozen=True)
class ModelContext:
    """What the executor and the data decide for a model.

    - ``seed``: the cell's model seed; every model is seeded from it.
    - ``n_threads``: the thread budget of the cell (n_jobs / nthread / thread_count / torch).
    - ``device``: ``"cpu"`` or ``"cuda"`` (``bench run --device``).
    - ``n_classes``: classes of the dataset.
    - ``categorical``: column indices of categorical features, for libraries with native
      categorical support; those columns hold integer codes 0..n-1, NaN for missing.
    """

    seed: int
    n_threads: int = 1
    device: str = "cpu"
    n_classes: int = 2
    categorical: tuple[int, ...] = ()


def is_cuda(device: str) -> bool:
    return device == "cuda" or device.startswith("cuda:")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    family: str
    factory: Callable[[dict[str, Any], ModelContext], Any]
    params: dict[str, Any] = field(default_factory=dict)  # declared parameters and defaults
    sample_weight: bool = True  # fit accepts sample_weight (needed by the class_weight strategy)
    eval_set: bool = False  # fit accepts eval_set=(X_val, y_val) for early stopping / curves
    description: str = ""
    gpu: str = ""  # the library setting `device="cuda"` maps to; "" = no GPU build (refused)
    categorical: str = ""  # the library's native categorical support; "" = none (one-hot input)
    library: str = ""  # what runs the model (for messages and docs/models.md)
    handles_missing: bool = False  # fit/predict take NaN (else bench.protocol.encode imputes first)
    # cheap suite-time checks of parameter values: params (with defaults) -> problems
    check: Callable[[dict[str, Any]], list[str]] | None = None
    space: SearchSpace = NO_SPACE  # what the `tuning` axis may vary (docs/models.md, Search spaces)
    # The model resamples its estimators' training data itself with its `sampling_strategy`
    # parameter (imbalanced-learn's ensembles): the imbalanced-learn sampling type, e.g.
    # "under-sampling"; "" = it does not. The `prior` rule corrects from the distribution that
    # resampling produces (bench.protocol.fitted_prior), not from the counts handed to fit.
    internal_sampling: str = ""

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"model {self.name}: family {self.family!r}; allowed: {FAMILIES}")
        if self.internal_sampling not in INTERNAL_SAMPLING:
            raise ValueError(f"model {self.name}: internal_sampling {self.internal_sampling!r}; "
                             f"allowed: {INTERNAL_SAMPLING}")
        if self.internal_sampling and "sampling_strategy" not in self.params:
            raise ValueError(f"model {self.name}: internal_sampling needs a declared "
                             "'sampling_strategy' parameter")

    def check_device(self, device: str) -> None:
        """Refuse a device the library cannot use, with a message that says what to do."""
        if device == "cpu":
            return
        if not is_cuda(device):
            raise ModelError(f"model {self.name!r}: device {device!r}; allowed: cpu, cuda")
        if not self.gpu:
            raise ModelError(
                f"model {self.name!r} ({self.library or self.description}) has no GPU build; "
                "device='cuda' is refused. Run it with --device cpu (or leave it out of a "
                "--device cuda run).")

    def build(self, params: dict[str, Any], ctx: ModelContext) -> Any:
        self.check_device(ctx.device)
        return self.factory({**self.params, **params}, ctx)


MODELS: Registry[ModelEntry] = Registry("model")


def model(name: str, family: str, params: dict[str, Any] | None = None, *,
          sample_weight: bool = True, eval_set: bool = False, description: str = "",
          gpu: str = "", categorical: str = "", library: str = "", handles_missing: bool = False,
          check: Callable[[dict[str, Any]], list[str]] | None = None,
          space: SearchSpace = NO_SPACE, internal_sampling: str = ""):
    """Decorator registering a factory `(params, ctx) -> estimator` as a model entry."""
    return MODELS.decorator(lambda fn: ModelEntry(
        name, family, fn, dict(params or {}), sample_weight, eval_set, description, gpu,
        categorical, library, handles_missing, check, space, internal_sampling))
