"""The worker's watchdog alone (without the Linux parent-death signal, as on other systems):
a process whose parent is gone kills its own process group within a second."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, subprocess, sys, threading, time
from bench.execute.worker import Watchdog
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
Watchdog(None, threading.Lock(), os.getppid(), None, None, None).start()
print(os.getpid(), helper.pid, flush=True)
time.sleep(60)
"""

PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], process_group=0,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
print(child.stdout.readline().strip(), flush=True)
# and leave without a word: the child's parent is gone
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_worker_whose_driver_is_gone_kills_its_group() -> None:
    out = subprocess.run([sys.executable, "-c", PARENT, CHILD], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    worker, helper = (int(p) for p in out.stdout.split())
    deadline = time.monotonic() + 5
    while (alive(worker) or alive(helper)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker) and not alive(helper)
