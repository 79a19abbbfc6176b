"""Memory sizes as people write them: `512MB`, `4GB`, `1.5GiB`, or a plain number of bytes.

Why here (core): the suite key `memory_limit` (suite layer) and the `--memory-limit` option
(commands) must accept exactly the same spellings, and the protocol only ever sees bytes.
Decimal units are powers of 1000 (kB, MB, GB, TB, and K, M, G, T), binary ones powers of 1024
(KiB, MiB, GiB, TiB, and Ki, Mi, Gi, Ti), as in the SI/IEC standards; case is ignored.
"""

from __future__ import annotations

import math
import re

UNITS = {"": 1, "b": 1,
         "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2,
         "g": 1000**3, "gb": 1000**3, "t": 1000**4, "tb": 1000**4,
         "ki": 1024, "kib": 1024, "mi": 1024**2, "mib": 1024**2,
         "gi": 1024**3, "gib": 1024**3, "ti": 1024**4, "tib": 1024**4}
SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)
SIZE_FORMS = "a size such as 512MB, 4GB, 1.5GiB (kB/MB/GB/TB or KiB/MiB/GiB/TiB) or a whole number of bytes"
MIN_BYTES = 2**20  # below 1 MiB no Python worker can even start: surely a missing unit


def parse_bytes(value: object) -> int:
    """`"4GB"` -> 4_000_000_000, `"1.5GiB"` -> 1_610_612_736, `512` -> 512 (bytes).

    Raises ValueError whose message names the value and the allowed forms (callers wrap it in
    their own error, naming their key or option).
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r}: allowed: {SIZE_FORMS}")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r}: a plain number is bytes and must be whole; allowed: {SIZE_FORMS}")
        n = int(value)
    elif isinstance(value, str):
        m = SIZE.fullmatch(value)
        unit = m.group(2).lower() if m else None
        if m is None or unit not in UNITS:
            raise ValueError(f"{value!r}: allowed: {SIZE_FORMS}")
        number = float(m.group(1))
        if not unit and not number.is_integer():
            raise ValueError(f"{value!r}: a plain number is bytes and must be whole; allowed: {SIZE_FORMS}")
        n = math.floor(number * UNITS[unit])
    else:
        raise ValueError(f"{value!r}: allowed: {SIZE_FORMS}")
    if n < MIN_BYTES:
        raise ValueError(f"{value!r}: {n} bytes is below 1 MiB, too small for a worker process "
                         f"(a unit missing?); allowed: {SIZE_FORMS}")
    return n


def format_bytes(n: float) -> str:
    """Bytes as the largest binary unit that keeps the number readable: `1.5 GiB`, `512 MiB`."""
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"
