"""`bench list`: the registered plugins of one kind, for humans."""

from __future__ import annotations


def listing(kind: str) -> list[tuple[str, str]]:
    from bench.data.registry import DATASETS
    from bench.metrics import get_metric, metric_names
    from bench.models.registry import MODELS
    from bench.sampling import SAMPLERS
    import bench.data  # noqa: F401
    import bench.models  # noqa: F401

    def params(p: dict) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in p.items())

    if kind == "datasets":
        return [(e.name, f"{e.description}  [{params(e.params)}]") for e in DATASETS]
    if kind == "samplers":
        return [(e.name, f"{e.description}  [{params(e.params)}]") for e in SAMPLERS]
    if kind == "models":
        return [(e.name, f"({e.family}) {e.description}  [{params(e.defaults)}]") for e in MODELS]
    if kind == "metrics":
        return [(m.name, f"({'higher' if m.direction == 'max' else 'lower'} is better"
                 f"{', needs probabilities' if m.needs_proba else ''}) {m.description}")
                for m in map(get_metric, sorted(metric_names()))]
    raise KeyError(f"unknown kind {kind!r}; allowed: datasets, samplers, models, metrics")
