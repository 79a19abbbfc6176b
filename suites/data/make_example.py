"""Write suites/data/example.parquet: a small mixed-type table for the imbalance suites.

6 classes with string labels (natural counts 2600 down to 1500), 8 numeric features (about 2%
missing values), one string column `region` (declare it: `categorical = ["region"]`) and one
pandas `category` column `channel` (detected as categorical from the parquet schema), plus an
`id` column to drop. Deterministic: re-running writes the same table.

    python suites/data/make_example.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

LABELS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
COUNTS = [2600, 2300, 2000, 1800, 1600, 1500]
REGIONS = ["north", "south", "east", "west", "centre"]
CHANNELS = ["web", "shop", "phone"]


def make(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(LABELS)), COUNTS)
    centres = 1.2 * rng.standard_normal((len(LABELS), 8))
    X = centres[y] + rng.standard_normal((len(y), 8))
    X[rng.random(X.shape) < 0.02] = np.nan
    # region depends on the class (informative), channel only weakly
    region_p = rng.dirichlet(np.full(len(REGIONS), 0.7), size=len(LABELS))
    region = np.array([rng.choice(REGIONS, p=region_p[c]) for c in y])
    channel_p = rng.dirichlet(np.full(len(CHANNELS), 5.0), size=len(LABELS))
    channel = np.array([rng.choice(CHANNELS, p=channel_p[c]) for c in y])
    df = pd.DataFrame(np.round(X, 3).astype(np.float32), columns=[f"x{i}" for i in range(8)])
    df["region"] = region
    df.loc[rng.random(len(df)) < 0.01, "region"] = None
    df["channel"] = pd.Categorical(channel, categories=CHANNELS)
    df["label"] = np.array(LABELS)[y]
    df.insert(0, "id", np.arange(len(df)))
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)


if __name__ == "__main__":
    out = Path(__file__).with_name("example.parquet")
    make().to_parquet(out, index=False)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
