"""2-D projections: PCA always; t-SNE with openTSNE or scikit-learn's fallback; UMAP."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from bench.inspect.overlap import neighbour_indices, overlap_matrix
from bench.inspect.projection import project
from inspect_helpers import blobs


def data() -> tuple[np.ndarray, np.ndarray]:
    ds = blobs((50, 50, 50))
    return ds.X.to_numpy(), ds.y


def clustered(xy: np.ndarray, y: np.ndarray) -> float:
    """Smallest own-class share of 5 nearest neighbours in the picture: classes stay apart."""
    return float(np.diag(overlap_matrix(y, neighbour_indices(xy, 5), 3, 5)).min())


def test_pca_axes_say_the_variance_kept() -> None:
    X, y = data()
    xy, axes = project(X, "pca", seed=0)
    assert xy.shape == (150, 2) and np.isfinite(xy).all()
    assert axes[0].startswith("PC1 (") and axes[0].endswith("% of variance)")
    assert clustered(xy, y) > 0.95
    # one column: the second axis is 0, not an error
    xy1, axes1 = project(X[:, :1], "pca", seed=0)
    assert (xy1[:, 1] == 0).all() and axes1[1] == "PC2 (0% of variance)"


@pytest.mark.parametrize("without_opentsne", [False, True], ids=["openTSNE", "scikit-learn"])
def test_tsne_with_or_without_opentsne(without_opentsne: bool, monkeypatch) -> None:  # noqa: ANN001
    if without_opentsne:
        real = builtins.__import__

        def no_opentsne(name, *a, **kw):  # noqa: ANN001, ANN202
            if name == "openTSNE" or name.startswith("openTSNE."):
                raise ImportError(name)
            return real(name, *a, **kw)

        monkeypatch.setattr(builtins, "__import__", no_opentsne)
    else:
        pytest.importorskip("openTSNE", reason="openTSNE is the inspect extra")
    X, y = data()
    xy, axes = project(X, "tsne", seed=0)
    assert xy.shape == (150, 2) and np.isfinite(xy).all() and axes == ("t-SNE 1", "t-SNE 2")
    assert clustered(xy, y) > 0.95
    again, _ = project(X, "tsne", seed=0)
    assert np.allclose(xy, again)  # seeded


@pytest.mark.slow
def test_umap() -> None:
    pytest.importorskip("umap", reason="umap-learn is the inspect extra")
    X, y = data()
    xy, axes = project(X, "umap", seed=0)
    assert xy.shape == (150, 2) and np.isfinite(xy).all() and axes == ("UMAP 1", "UMAP 2")
    assert clustered(xy, y) > 0.95
