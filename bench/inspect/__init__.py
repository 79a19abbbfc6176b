"""`bench inspect`: is a class rare, or inseparable? Answered before anyone tunes a model.

Per dataset (under each imbalance profile of a suite): class counts, a k-NN class-overlap matrix,
a per-class recall ceiling and Bayes-error estimate, per-feature separability, a 2-D projection
and plain-language verdicts. `result.py` holds the plain results (no scikit-learn import, so the
report layer can render them cheaply); `analyze.py` computes them. See docs/inspect.md.
"""
