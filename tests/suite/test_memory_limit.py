"""Suite key `memory_limit`: a size or bytes, checked with the suite; never part of a cell id."""

from __future__ import annotations

import tomllib

import pytest

from bench.suite import SuiteError, parse_suite, plan
from tests_helpers import TINY


def suite(**extra: object) -> dict:
    return {**tomllib.loads(TINY), **extra}


def test_sizes_are_bytes_and_cells_do_not_change() -> None:
    assert parse_suite(suite()).memory_limit is None
    capped = parse_suite(suite(memory_limit="1.5GiB"))
    assert capped.memory_limit == 1_610_612_736
    assert parse_suite(suite(memory_limit=2**31)).memory_limit == 2**31
    ids = [c.cell_id for c in plan(parse_suite(suite()))[0]]
    assert [c.cell_id for c in plan(capped)[0]] == ids


@pytest.mark.parametrize("bad", ["4 parsecs", "1.5", 12, True, [1], "<script>"])
def test_bad_values_are_reported_with_the_key_and_the_forms(bad: object) -> None:
    with pytest.raises(SuiteError) as err:
        parse_suite(suite(memory_limit=bad, folds=1))
    assert len(err.value.errors) == 2  # reported with the other problem, at once
    (problem,) = [e for e in err.value.errors if e.startswith("memory_limit: ")]
    assert "512MB, 4GB, 1.5GiB" in problem
