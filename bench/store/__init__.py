"""Results store: parquet tables, their schema, provenance of every row, and meta.json."""

from bench.store.meta import read_meta, store_metric, write_meta
from bench.store.schema import SCHEMA_VERSION, TABLES, cells_columns, conform_cells
from bench.store.store import Store, read_cells

__all__ = ["SCHEMA_VERSION", "TABLES", "Store", "cells_columns", "conform_cells", "read_cells",
           "read_meta", "store_metric", "write_meta"]
