"""`python -m bench` is the same as the `bench` console script."""

from bench.cli import app

app()
