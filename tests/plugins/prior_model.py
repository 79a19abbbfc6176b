"""The base of the misbehaving test models: once a fit has done its mischief (raise, crash,
sleep, leave a mark), the model learns the class prior and predicts it, like the dummy
baseline: a fast, picklable, real estimator."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class PriorClassifier(ClassifierMixin, BaseEstimator):
    def learn_prior(self, y: Any) -> "PriorClassifier":
        """The end of `fit`: the classes and their shares in `y`."""
        self.classes_ = np.unique(y)
        self.prior_ = np.bincount(np.searchsorted(self.classes_, y)) / len(y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.tile(self.prior_, (len(X), 1))

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
