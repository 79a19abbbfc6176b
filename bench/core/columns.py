"""A table as plain columns, turned into a pandas DataFrame only where it is read.

Why: the first DataFrames a cell's process builds cost 13-29 ms of CPU per cell on an idle
machine (pandas code a process has not run for a second is slow to come back), which is more
than the 1-second-cell overhead target leaves. A worker therefore hands its child tables
(per_class, confusion, curves, predictions, trials) over as columns; the driver builds the
frames, while the worker already runs its next cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Columns:
    """Columns in table order: name -> numpy array, list, or a scalar repeated on every row.

    `dtypes` names the pandas dtype of the columns that must not be inferred (e.g. "string");
    the others are inferred exactly as `pd.DataFrame(data)` infers them. `frame()` is the
    DataFrame the protocol used to build in the cell's process, column for column.
    """

    data: dict[str, Any]
    dtypes: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.data)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        if not self.data:
            return pd.DataFrame()
        if not self.dtypes:
            return pd.DataFrame(self.data)
        return pd.DataFrame({name: pd.Series(v, dtype=self.dtypes[name]) if name in self.dtypes else v
                             for name, v in self.data.items()})

