"""Core types every layer shares: Cell and ids, the one Registry, params, errors, vocabulary."""
