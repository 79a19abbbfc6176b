"""A long-lived worker process: takes one cell at a time, returns its result.

Why long-lived: importing the libraries costs ~1.5 s and ~220 MB per process, which would dominate
small cells. Why a process: a segfault, an OOM kill or a hang in a native library must cost only
that cell, so the driver can kill the worker's whole process group and start a new one.
This module imports nothing heavy at import time: thread limits must be set first.
"""

from __future__ import annotations

import os
from multiprocessing.connection import Connection

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_threads(n_threads: int) -> None:
    """Cap every native thread pool before the libraries start their pools."""
    for var in THREAD_VARS:
        os.environ[var] = str(n_threads)


def worker_main(conn: Connection, n_threads: int, device: str, options: object = None) -> None:
    try:
        os.setpgrp()  # own process group: a timeout kills native helper processes too
    except OSError:
        pass
    limit_threads(n_threads)  # torch, numpy's BLAS, LightGBM & co read these when imported
    from bench.core.plugins import load_plugins  # noqa: PLC0415
    from bench.protocol import run_cell_safely  # noqa: PLC0415

    load_plugins()

    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if msg is None:
            return
        conn.send(("result", run_cell_safely(msg, n_threads, device, options)))  # type: ignore[arg-type]
