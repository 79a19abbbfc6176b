"""Where downloaded datasets live: one local cache directory, so a prepared cache works offline.

Resolution: the dataset entry's `cache` parameter, else the `BENCH_DATA_HOME` environment
variable, else scikit-learn's data home (`SCIKIT_LEARN_DATA` or `~/scikit_learn_data`). The
sources store files there in the layout their library reads (see `openml.py`,
`imblearn_sets.py`), so a cache filled on a machine with internet can be copied to one without.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_home(cache: str = "") -> Path:
    if cache:
        return Path(cache).expanduser()
    env = os.environ.get("BENCH_DATA_HOME", "")
    if env:
        return Path(env).expanduser()
    from sklearn.datasets import get_data_home

    return Path(get_data_home())
