"""Memory sizes as people write them (`--memory-limit`, suite key `memory_limit`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.core.units import format_bytes, parse_bytes


@pytest.mark.parametrize(("text", "n"), [
    ("512MB", 512_000_000), ("4GB", 4_000_000_000), ("4gb", 4_000_000_000),
    ("1.5GiB", 1_610_612_736), ("512MiB", 536_870_912), ("2 G", 2_000_000_000),
    ("3Gi", 3 * 2**30), ("1TB", 10**12), ("1048576", 2**20), (" 8 GiB ", 8 * 2**30),
    (2**30, 2**30), (2.0**30, 2**30),
])
def test_forms(text: object, n: int) -> None:
    assert parse_bytes(text) == n


@pytest.mark.parametrize("bad", ["4 parsecs", "", "GB", "-1GB", "1.5", "4GB4", "1e9", "0x10",
                                 True, None, [4], 0, 12, "100kB", 1.5])
def test_bad_values_name_the_allowed_forms(bad: object) -> None:
    with pytest.raises(ValueError, match="allowed: a size such as 512MB, 4GB, 1.5GiB"):
        parse_bytes(bad)


@given(st.integers(min_value=2**20, max_value=2**50))
def test_plain_bytes_round_trip(n: int) -> None:
    assert parse_bytes(str(n)) == n == parse_bytes(n)


@given(st.integers(min_value=2, max_value=10**6), st.sampled_from(["MiB", "GiB", "MB", "GB"]))
def test_whole_units_are_exact(k: int, unit: str) -> None:
    size = {"MiB": 2**20, "GiB": 2**30, "MB": 10**6, "GB": 10**9}[unit]
    assert parse_bytes(f"{k}{unit}") == k * size


def test_format() -> None:
    assert format_bytes(1.5 * 2**30) == "1.5 GiB"
    assert format_bytes(512 * 2**20) == "512 MiB"
    assert format_bytes(10) == "10 B"
