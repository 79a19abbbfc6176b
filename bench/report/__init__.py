"""Renderers: they draw what `bench.analysis` returns and never compute statistics."""
