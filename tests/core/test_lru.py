"""The per-process LRU of the data caches: refresh on a hit, evict the oldest, safe across threads."""

from __future__ import annotations

import threading

import pytest

from bench.core.lru import LRU


def test_a_hit_is_refreshed_and_the_oldest_goes_first() -> None:
    cache = LRU(2)
    cache.keep("a", 1)
    cache.keep("b", 2)
    assert cache.lookup("a") == 1  # "a" is now the most recent
    cache.keep("c", 3)
    assert list(cache) == ["a", "c"] and cache.lookup("b") is None


def test_keeping_a_key_again_replaces_it_as_the_most_recent() -> None:
    cache = LRU(2)
    cache.keep("a", 1)
    cache.keep("b", 2)
    assert cache.keep("a", 10) == 10
    cache.keep("c", 3)
    assert dict(cache) == {"a": 10, "c": 3}


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="LRU size 0: allowed: a positive number"):
        LRU(0)


def test_threads_never_see_more_than_size_entries() -> None:
    cache = LRU(4)
    seen: list[int] = []

    def work(offset: int) -> None:
        for i in range(2000):
            cache.keep((offset, i % 9), i)
            cache.lookup((offset, (i + 3) % 9))
            seen.append(len(cache))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(seen) <= 4 and len(cache) == 4
