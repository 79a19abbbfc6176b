"""Small datasets whose truth is known, for the inspect tests (tests/ is on sys.path)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.data.dataset import Dataset, from_arrays


def blobs(counts: tuple[int, ...] = (60, 60, 60), sep: float = 12.0, seed: int = 0,
          labels: tuple[str, ...] | None = None, overlap_last: bool = False) -> Dataset:
    """Gaussian classes in 4 dimensions, centres `sep` noise sd apart on one axis each.

    `overlap_last`: the last class is drawn from the first class's distribution (inseparable).
    """
    rng = np.random.default_rng(seed)
    k = len(counts)
    centres = np.zeros((k, 4))
    for c in range(k):
        centres[c, c % 4] = sep * (1 + c // 4)
    if overlap_last:
        centres[k - 1] = centres[0]
    y = np.repeat(np.arange(k), counts)
    X = centres[y] + rng.standard_normal((len(y), 4))
    names = labels or tuple(str(c) for c in range(k))
    return from_arrays("blobs", pd.DataFrame(X, columns=["a", "b", "c", "d"]),
                       np.array(names, dtype=object)[y])
