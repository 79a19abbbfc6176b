"""A small thread-safe least-recently-used map for the per-process caches of a cell's data.

Why one class: the outer partitions (`bench.data.partition`) and the splits
(`bench.protocol.evaluate`) are both cached per process, read by every cell that shares them,
possibly from several threads of one Dask worker; both need the same lookup-refresh-insert-evict
steps under a lock. It is an `OrderedDict`, so tests can still clear or inspect a cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class LRU(OrderedDict):
    """At most `size` entries; `lookup` refreshes a hit, `keep` inserts and evicts the oldest."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"LRU size {size}: allowed: a positive number of entries")
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def lookup(self, key: Any) -> Any:
        """The value under `key` (now the most recent), or None."""
        with self.lock:
            value = self.get(key)
            if value is not None:
                self.move_to_end(key)
            return value

    def keep(self, key: Any, value: Any) -> Any:
        """Store `value` as the most recent entry, dropping the oldest beyond `size`; returns it."""
        with self.lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.size:
                self.popitem(last=False)
        return value
