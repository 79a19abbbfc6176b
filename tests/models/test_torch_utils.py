"""The networks' shared torch helpers: the running confusion counts and macro-F1 behind every
network's `train macro_f1` curve."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, f1_score

from bench.models.estimators.torch_utils import add_confusion, macro_f1_from_confusion

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=50, deadline=None)
@given(k=st.integers(2, 6), data=st.data())
def test_counts_and_macro_f1_equal_scikit_learn(device: str, k: int, data: st.DataObject) -> None:
    batches = data.draw(st.lists(st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)),
                                          min_size=1, max_size=40), min_size=1, max_size=4))
    conf = torch.zeros(k * k, dtype=torch.int64, device=device)
    for batch in batches:
        y, pred = (torch.tensor(col, dtype=torch.int64, device=device) for col in zip(*batch))
        add_confusion(conf, y, pred, k)
    pairs = np.array([p for batch in batches for p in batch])
    expected = confusion_matrix(pairs[:, 0], pairs[:, 1], labels=np.arange(k))
    counts = conf.cpu().numpy().reshape(k, k)
    assert (counts == expected).all()
    assert macro_f1_from_confusion(counts) == pytest.approx(
        f1_score(pairs[:, 0], pairs[:, 1], labels=np.arange(k), average="macro", zero_division=0))
