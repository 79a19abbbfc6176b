"""A 2-D picture of the sample, coloured by class: PCA (default), t-SNE or UMAP.

PCA is linear and always available (scikit-learn); its axes say how much variance they keep.
t-SNE uses openTSNE when it is installed, else scikit-learn's TSNE (exact enough, slower);
UMAP needs umap-learn. Both are optional: `pip install 'bench[inspect]'`. At most
`MAX_POINTS` rows of the sample are drawn (a stratified, seeded subsample), so the page stays
small and t-SNE stays quick. Distances in t-SNE and UMAP pictures are not to scale: use them to
see whether classes form their own clusters, and the overlap matrix for the numbers.
"""

from __future__ import annotations

import numpy as np

from bench.core.errors import CommandError
from bench.core.vocab import PROJECTIONS

MAX_POINTS = 2000
EXTRA = "pip install 'bench[inspect]' (or the package alone)"


def check_method(method: str) -> None:
    """Refuse an unknown method, or one whose library is missing, before anything is computed."""
    if method not in PROJECTIONS:
        raise CommandError(f"--projection {method!r}: allowed: {', '.join(PROJECTIONS)}")
    if method == "umap":
        try:
            import umap  # noqa: F401
        except ImportError:
            raise CommandError(f"--projection umap needs umap-learn, which is not installed: "
                               f"{EXTRA}; pca and tsne work without it") from None


def project(X: np.ndarray, method: str, seed: int,
            threads: int = 1) -> tuple[np.ndarray, tuple[str, str]]:
    """(n, 2) coordinates and the two axis names, with at most `threads` native threads (an
    OpenMP t-SNE left to spin on a busy 2-core machine ran ten times slower)."""
    from threadpoolctl import threadpool_limits

    check_method(method)
    with threadpool_limits(threads):
        return _project(X, method, seed, threads)


def _project(X: np.ndarray, method: str, seed: int,
             threads: int) -> tuple[np.ndarray, tuple[str, str]]:
    n = len(X)
    if X.shape[1] == 0 or n < 3:
        return np.zeros((n, 2)), ("1", "2")
    if method == "pca":
        from sklearn.decomposition import PCA

        k = min(2, X.shape[1], n)
        pca = PCA(n_components=k, random_state=seed).fit(X)
        xy = np.zeros((n, 2))
        xy[:, :k] = pca.transform(X)
        share = list(pca.explained_variance_ratio_) + [0.0] * (2 - k)
        return xy, (f"PC1 ({share[0]:.0%} of variance)", f"PC2 ({share[1]:.0%} of variance)")
    if method == "tsne":
        perplexity = float(min(30.0, max(2.0, (n - 1) / 3)))
        try:
            from openTSNE import TSNE as OpenTSNE
        except ImportError:
            from sklearn.manifold import TSNE

            xy = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                      n_jobs=threads).fit_transform(X)
        else:
            xy = np.asarray(OpenTSNE(n_components=2, perplexity=perplexity, random_state=seed,
                                     n_jobs=threads).fit(X))
        return xy, ("t-SNE 1", "t-SNE 2")
    import umap

    xy = umap.UMAP(n_components=2, random_state=seed,
                   n_neighbors=min(15, n - 1)).fit_transform(X)
    return np.asarray(xy), ("UMAP 1", "UMAP 2")
