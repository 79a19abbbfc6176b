"""The pieces the local engine names a dead worker with: the signal, the exit code, the
kernel's OOM-kill counter (cgroup v1 and v2 files), the resident memory of a process tree; and a
cell's peak memory (`PeakMemory`, the row's `peak_mb`)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bench.execute.local import death_status
from bench.protocol import memory
from bench.protocol.memory import (
    PeakMemory,
    child_pids,
    oom_kills,
    reset_peak,
    rss_bytes,
    tree_rss_bytes,
)

MB = 2**20


def test_a_signal_is_named_and_sigkill_is_oom_only_with_the_kernels_word() -> None:
    assert death_status(-11) == ("crashed", "worker killed by SIGSEGV (signal 11)")
    assert death_status(-9) == ("crashed", "worker killed by SIGKILL (signal 9)")
    assert death_status(-9, oom_before=None, oom_after=None)[0] == "crashed"
    assert death_status(-9, oom_before=2, oom_after=2)[0] == "crashed"
    status, message = death_status(-9, oom_before=2, oom_after=3)
    assert status == "oom" and "out-of-memory killer" in message and "from 2 to 3" in message
    assert death_status(-11, oom_before=2, oom_after=3)[0] == "crashed"  # only a SIGKILL
    assert death_status(3) == ("crashed", "worker exited with code 3")
    assert death_status(-9, past_deadline=True, timeout_s=2) == \
        ("timeout", "exceeded the 2 s timeout; worker killed")


@pytest.mark.parametrize(("text", "count"), [
    ("low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n", 2),  # cgroup v2 memory.events
    ("oom_kill_disable 0\nunder_oom 0\noom_kill 7\n", 7),  # cgroup v1 memory.oom_control
    ("oom_kill_disable 0\nunder_oom 0\n", None),  # a kernel that does not count
])
def test_oom_kill_counters(tmp_path: Path, text: str, count: int | None) -> None:
    path = tmp_path / "memory.events"
    path.write_text(text)
    assert oom_kills(path) == count
    assert oom_kills(None) is None and oom_kills(tmp_path / "missing") is None


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_the_tree_of_a_process_counts_its_children() -> None:
    child = subprocess.Popen([sys.executable, "-c",
                              "import time; b = bytearray(64 * 2**20); time.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        while rss_bytes(child.pid) < 64 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert child.pid in child_pids()
        assert rss_bytes(child.pid) >= 64 * 2**20
        assert tree_rss_bytes([child.pid]) >= rss_bytes() + 64 * 2**20
    finally:
        child.kill()
        child.wait()
    assert rss_bytes(child.pid) == 0  # gone: nothing resident


def touch(n_mb: int) -> np.ndarray:
    """An array of `n_mb` MB whose pages are all resident (written, not just reserved)."""
    return np.ones(n_mb * MB // 8)


@pytest.mark.skipif(not reset_peak(), reason="needs Linux's resettable VmHWM")
def test_a_peak_shorter_than_any_sampling_interval_is_counted() -> None:
    """The kernel's high-water mark: 200 MB held for no time at all still make the peak."""
    with PeakMemory() as mem:
        before = rss_bytes() / MB
        touch(200)  # written and freed again at once
    assert rss_bytes() / MB < before + 100  # freed again: only the peak saw it
    assert mem.peak_mb >= before + 195


@pytest.mark.skipif(not reset_peak(), reason="needs Linux's resettable VmHWM")
def test_the_peak_is_the_blocks_own_not_the_processes_lifetime_peak() -> None:
    big = touch(400)
    del big
    with PeakMemory() as mem:
        before = rss_bytes() / MB
        small = touch(50)
        del small
    assert before + 45 <= mem.peak_mb < before + 200  # not the 400 MB of before the block


def test_without_the_kernels_mark_a_thread_samples_the_peak(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Off Linux: sampled every 20 ms, so a peak held for 300 ms is seen."""
    monkeypatch.setattr(memory, "reset_peak", lambda: False)
    with PeakMemory() as mem:
        before = rss_bytes() / MB
        held = touch(200)
        time.sleep(0.3)
        del held
    assert mem.peak_mb >= before + 195
