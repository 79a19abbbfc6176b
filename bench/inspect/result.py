"""What an inspection returns: plain dataclasses and the store's `inspect` table rows.

Why: computing and rendering are separate. The HTML page, the JSON file, the terminal and the
store's `inspect` table are all drawn from these objects, and importing this module costs no
scikit-learn, so the report layer can render it.

The `inspect` table (one row per dataset x profile x ratio x class; see docs/inspect.md) is the
only contract with readers such as the HTML report: its columns are `TABLE_COLUMNS`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

INSPECT_VERSION = "1"
TABLE_COLUMNS = [
    "dataset", "profile", "ratio", "minority", "class_label", "class_code", "count", "share",
    "n_sampled", "imbalance_ratio", "own_share", "overlap_share", "overlaps", "ceiling",
    "ceiling_sd", "ceiling_lo", "ceiling_hi", "bayes_error", "bayes_error_lo", "bayes_error_hi",
    "verdict", "message", "n_rows", "n_sample", "k", "ceiling_method", "seed", "dataset_fp",
    "inspect_version",
]
INT_COLUMNS = {"class_code", "count", "n_sampled", "n_rows", "n_sample", "k", "seed"}
STRING_COLUMNS = {"dataset", "profile", "minority", "class_label", "overlaps", "verdict",
                  "message", "ceiling_method", "dataset_fp", "inspect_version"}


@dataclass
class ClassInspection:
    """One class of one inspected table (counts over all rows; the rest on the sample)."""

    code: int
    label: str
    count: int  # rows of the class in the inspected table (all rows, not the sample)
    n_sampled: int  # rows of the class in the sample the neighbours and the ceiling use
    own_share: float  # mean share of its rows' k nearest neighbours in its own class
    overlaps: dict[str, float]  # other class label -> share of neighbours (all other classes)
    ceiling: float  # estimated recall of an accuracy-maximizing (argmax) model; NaN if unknown
    ceiling_sd: float  # bootstrap standard error of `ceiling`
    ceiling_lo: float  # 95% bootstrap percentile interval
    ceiling_hi: float
    verdict: str = ""  # a word of bench.core.vocab.VERDICTS
    message: str = ""  # the plain-language verdict, with its numbers

    @property
    def overlap_share(self) -> float:
        return 1.0 - self.own_share if math.isfinite(self.own_share) else float("nan")


@dataclass
class Projection:
    method: str  # pca | tsne | umap
    xy: np.ndarray  # (n, 2) coordinates
    codes: np.ndarray  # class code of each point
    axis_names: tuple[str, str] = ("1", "2")  # e.g. PC1 (43%) for PCA


@dataclass
class Inspection:
    """One dataset under one imbalance profile and ratio."""

    dataset: str
    labels: list[str]
    classes: list[ClassInspection]
    overlap: np.ndarray  # (k, k): row c = mean share of class-c rows' neighbours in each class
    bayes_error: float  # 1 - accuracy of the argmax model, out of bag
    bayes_error_lo: float
    bayes_error_hi: float
    separability: pd.DataFrame  # feature, fisher, mutual_info (sorted by fisher, descending)
    projection: Projection | None
    n_rows: int  # rows of the inspected table
    n_sample: int  # rows in the sample neighbours and ceiling use
    n_features: int  # columns after encoding
    k: int  # neighbours per row (fewer for a class with <= k rows)
    ceiling_method: str
    seed: int
    profile: str = "natural"
    ratio: float = 1.0
    minority: str = ""
    dataset_fp: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> list[int]:
        return [c.count for c in self.classes]

    @property
    def imbalance_ratio(self) -> float:
        """Largest class count over smallest (1 for balanced data)."""
        return max(self.counts) / max(min(self.counts), 1)

    @property
    def title(self) -> str:
        if self.profile == "natural":
            return f"{self.dataset} (natural)"
        return f"{self.dataset} ({self.profile}, ratio {self.ratio:g})"

    def rows(self) -> list[dict[str, Any]]:
        """Rows of the store's `inspect` table, one per class (columns `TABLE_COLUMNS`)."""
        total = sum(self.counts)
        return [{
            "dataset": self.dataset, "profile": self.profile, "ratio": float(self.ratio),
            "minority": self.minority, "class_label": c.label, "class_code": c.code,
            "count": c.count, "share": c.count / total, "n_sampled": c.n_sampled,
            "imbalance_ratio": self.imbalance_ratio, "own_share": c.own_share,
            "overlap_share": c.overlap_share,
            "overlaps": json.dumps({k: round(v, 6) for k, v in c.overlaps.items()}),
            "ceiling": c.ceiling, "ceiling_sd": c.ceiling_sd, "ceiling_lo": c.ceiling_lo,
            "ceiling_hi": c.ceiling_hi, "bayes_error": self.bayes_error,
            "bayes_error_lo": self.bayes_error_lo, "bayes_error_hi": self.bayes_error_hi,
            "verdict": c.verdict, "message": c.message, "n_rows": self.n_rows,
            "n_sample": self.n_sample, "k": self.k, "ceiling_method": self.ceiling_method,
            "seed": self.seed, "dataset_fp": self.dataset_fp, "inspect_version": INSPECT_VERSION,
        } for c in self.classes]

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (non-finite numbers become null; labels stay plain strings)."""
        proj = None
        if self.projection is not None:
            proj = {"method": self.projection.method, "axes": list(self.projection.axis_names),
                    "x": [_num(v) for v in self.projection.xy[:, 0]],
                    "y": [_num(v) for v in self.projection.xy[:, 1]],
                    "class": [self.labels[int(c)] for c in self.projection.codes]}
        return _clean({
            "dataset": self.dataset, "profile": self.profile, "ratio": self.ratio,
            "minority": self.minority, "labels": self.labels, "counts": self.counts,
            "imbalance_ratio": self.imbalance_ratio, "n_rows": self.n_rows,
            "n_sample": self.n_sample, "n_features": self.n_features, "k": self.k,
            "ceiling_method": self.ceiling_method, "seed": self.seed,
            "bayes_error": self.bayes_error, "bayes_error_lo": self.bayes_error_lo,
            "bayes_error_hi": self.bayes_error_hi,
            "overlap": [[float(v) for v in row] for row in self.overlap],
            "classes": [{"label": c.label, "code": c.code, "count": c.count,
                         "n_sampled": c.n_sampled, "own_share": c.own_share,
                         "overlap_share": c.overlap_share, "overlaps": c.overlaps,
                         "ceiling": c.ceiling, "ceiling_sd": c.ceiling_sd,
                         "ceiling_lo": c.ceiling_lo, "ceiling_hi": c.ceiling_hi,
                         "verdict": c.verdict, "message": c.message} for c in self.classes],
            "separability": self.separability.to_dict(orient="records"),
            "projection": proj, "notes": self.notes,
        })


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def _clean(obj: Any) -> Any:
    """Recursively: numpy scalars -> Python, NaN / inf -> None (strict JSON has no NaN)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return _num(obj)
    return obj


def inspect_table(inspections: list[Inspection]) -> pd.DataFrame:
    """The store's `inspect` table for a list of inspections, with fixed columns and dtypes."""
    df = pd.DataFrame([r for i in inspections for r in i.rows()], columns=TABLE_COLUMNS)
    for col in TABLE_COLUMNS:
        if col in INT_COLUMNS:
            df[col] = df[col].astype("int64")
        elif col in STRING_COLUMNS:
            df[col] = df[col].astype("string")
        else:
            df[col] = df[col].astype("float64")
    return df


def to_json_text(inspections: list[Inspection]) -> str:
    return json.dumps({"inspect_version": INSPECT_VERSION,
                       "inspections": [i.to_json() for i in inspections]},
                      indent=1, allow_nan=False, ensure_ascii=False)
