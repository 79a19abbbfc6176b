"""Executors: one interface, `run_cells(cells, store, ...) -> RunSummary`."""
