"""The evaluation protocol: split, encode, resample, fit, decide, score one cell (evaluate.py)."""

from bench.protocol.evaluate import prepare_features, run_cell, run_cell_safely
from bench.protocol.pipeline import build_pipeline
from bench.protocol.rows import failure_result, identity_row, predictions_table

__all__ = ["build_pipeline", "failure_result", "identity_row", "predictions_table",
           "prepare_features", "run_cell", "run_cell_safely"]
