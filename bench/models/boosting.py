"""Boosting models with early stopping on the validation part and per-round learning curves."""

from __future__ import annotations

from typing import Any

from bench.models.registry import ModelContext, model


def _lightgbm_class() -> type:
    from lightgbm import LGBMClassifier, early_stopping, log_evaluation, record_evaluation

    class LightGBM(LGBMClassifier):
        """LGBMClassifier whose fit takes eval_set=(X_val, y_val), stops early on it, and
        records per-round train/validation log loss in `curves_`."""

        def fit(self, X: Any, y: Any, sample_weight: Any = None,  # type: ignore[override]
                eval_set: tuple[Any, Any] | None = None, early_stopping_rounds: int = 50) -> Any:
            record: dict[str, Any] = {}
            sets = [(X, y)]
            names = ["train"]
            callbacks = [record_evaluation(record), log_evaluation(0)]
            if eval_set is not None:
                sets.append(eval_set)
                names.append("validation")
                callbacks.append(early_stopping(early_stopping_rounds, first_metric_only=True,
                                                verbose=False))
            super().fit(X, y, sample_weight=sample_weight, eval_set=sets, eval_names=names,
                        callbacks=callbacks)
            rows = []
            for split, metrics in record.items():
                for metric, values in metrics.items():
                    rows += [{"step": i + 1, "split": split, "metric": metric, "value": float(v)}
                             for i, v in enumerate(values)]
            self.curves_ = rows
            return self

    return LightGBM


@model("lightgbm", "boosting", {"n_estimators": 500, "learning_rate": 0.05, "num_leaves": 31,
                                "min_child_samples": 20, "subsample": 1.0,
                                "colsample_bytree": 1.0},
       eval_set=True, description="LightGBM, early stopping on the validation part (50 rounds)")
def lightgbm(params: dict[str, Any], ctx: ModelContext) -> Any:
    cls = _lightgbm_class()
    return cls(**params, n_jobs=ctx.n_threads, random_state=ctx.seed, verbose=-1,
               deterministic=True, force_row_wise=True)

