"""`meta.json` of a store: what run wrote it (suite name, primary metric, number of cells).

Why: `bench leaderboard` and `bench compare` rank by the suite's own metric without the suite file.
"""

from __future__ import annotations

import errno
import json
import os
import uuid
from pathlib import Path
from typing import Any

from bench.core.errors import StoreError

DEFAULT_METRIC = "macro_f1"


def write_meta(store: str | Path, meta: dict[str, Any]) -> None:
    """Write meta.json atomically (temporary file, then rename)."""
    path = Path(store)
    path.mkdir(parents=True, exist_ok=True)
    tmp = path / f".tmp-{uuid.uuid4().hex}-meta.json"
    try:
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True))
        os.replace(tmp, path / "meta.json")
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StoreError(f"disk full while writing {path / 'meta.json'}; the results in the "
                             "store are kept; free space and re-run to resume") from None
        raise
    finally:
        tmp.unlink(missing_ok=True)


def read_meta(store: str | Path) -> dict[str, Any]:
    """The store's meta.json, or {} when it is absent or unreadable."""
    try:
        meta = json.loads((Path(store) / "meta.json").read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def store_metric(store: str | Path, default: str = DEFAULT_METRIC) -> str:
    """The suite's primary metric recorded in a store's meta.json."""
    return str(read_meta(store).get("metric", default))
