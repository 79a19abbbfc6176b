"""What the Dask engine keeps off the user's terminal: a lost scheduler leaves the client's
event loop with futures whose exception nobody retrieved, and asyncio logs each (with a tornado
traceback) when it is collected. The run reports the loss in one message instead."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bench.execute.dask import _quiet_distributed


def _orphan_a_failed_future() -> None:
    """A future in a reference cycle, failed and never awaited: only the collector frees it,
    and asyncio logs "Future exception was never retrieved" when it does."""
    loop = asyncio.new_event_loop()
    try:
        fut = loop.create_future()
        fut.set_exception(ConnectionResetError(104, "Connection reset by peer"))
        fut.cycle = fut  # type: ignore[attr-defined]
    finally:
        loop.close()


def test_an_unretrieved_future_is_collected_while_quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncio")
    with _quiet_distributed():
        _orphan_a_failed_future()
    assert not [r for r in caplog.records if r.name == "asyncio"]
    assert logging.getLogger("asyncio").level == logging.DEBUG  # the level is given back


def test_outside_the_engine_asyncio_still_reports_it(caplog: pytest.LogCaptureFixture) -> None:
    import gc

    caplog.set_level(logging.DEBUG, logger="asyncio")
    _orphan_a_failed_future()
    gc.collect()
    assert any("never retrieved" in r.getMessage() for r in caplog.records if r.name == "asyncio")
