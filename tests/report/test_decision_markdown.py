"""The decision record's markdown and JSON: hostile labels stay text, every section is there, the
numbers are the record's, and the JSON is strict."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from bench.analysis.decision_record import decision_record
from bench.report.decision import decision_json, decision_markdown

SCRIPT = "<script>alert(1)</script>"
LINK = "[x](http://evil)|y"
DATASET = "<img src=x onerror=alert(1)>|*d*"


@pytest.fixture(scope="module")
def record():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    rows = []
    for t in range(6):
        for m, (model, sampler, level) in enumerate([(SCRIPT, "none", 0.8), (LINK, "none", 0.6),
                                                     ("dnn", "none", 0.4), ("dnn", SCRIPT, 0.5)]):
            for fold in range(2):
                rows.append({"cell_id": f"{t}-{m}-{fold}", "status": "ok",
                             "dataset": DATASET if t < 3 else "wine", "profile": "step",
                             "ratio": float(1 + t % 3), "test_prior": "same", "minority": "2",
                             "model": model, "sampler": sampler, "decomposition": "native",
                             "decision": "argmax", "repeat": 0, "fold": fold,
                             "macro_f1": level + rng.uniform(-0.05, 0.05), "fit_s": 0.5 + m,
                             "predict_s": 0.01, "peak_mb": 100.0 + m,
                             "min_test_count": 5 if t == 0 else 40, "degenerate": False})
    inspect = pd.DataFrame({"dataset": [DATASET], "label": [SCRIPT], "recall_ceiling": [0.3]})
    return decision_record(pd.DataFrame(rows), "macro_f1", inspect=inspect,
                           where={"model": [SCRIPT, LINK, "dnn"]},
                           source={"store": "s<1>", "suite": "q"})


def test_hostile_labels_are_escaped_everywhere(record) -> None:  # type: ignore[no-untyped-def]
    md = decision_markdown(record)
    assert record.chosen == f"{SCRIPT} + none"
    assert "<script" not in md and "<img" not in md and "s<1>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt; + none" in md
    assert not re.search(r"(?<!\\)\]\(", md) and "\\[x\\](http://evil)\\|y" in md  # no link
    assert "&lt;img src=x onerror=alert(1)&gt;\\|\\*d\\*" in md  # no cell split, no emphasis
    columns = None  # every row of a table has its header's number of (unescaped) separators
    for line in md.splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        n = len(re.findall(r"(?<!\\)\|", line))
        columns = n if columns is None else columns
        assert n == columns, line


def test_every_section_and_the_records_numbers(record) -> None:  # type: ignore[no-untyped-def]
    md = decision_markdown(record)
    for heading in ("# Decision record:", "## Question", "## Answer", "## Evidence",
                    "## Effect sizes", "## Cost", "## Data", "## Caveats"):
        assert heading in md
    chosen = record.contenders[0]
    assert f"mean rank {chosen['mean_rank']:.2f} of 4 contenders over 6 complete task(s)" in md
    assert f"{chosen['mean']:.4f} [{chosen['ci_lo']:.4f}, {chosen['ci_hi']:.4f}]" in md
    runner, base = record.effects
    assert base.role == "DNN baseline" and base.other == "dnn + none"
    assert f"{base.mean_diff:+.4f} [{base.diff_lo:+.4f}, {base.diff_hi:+.4f}]" in md
    assert f"{runner.wins} / {runner.ties} / {runner.losses}" in md
    assert "- filters: model = " in md and "datasets (2):" in md
    assert "**small test class**" in md and "**overlap ceiling**" in md
    assert "class &lt;script&gt;alert(1)&lt;/script&gt; of &lt;img" in md
    assert "source: store s&lt;1&gt;, suite q" in md


def test_json_is_strict_and_carries_the_raw_labels(record) -> None:  # type: ignore[no-untyped-def]
    text = decision_json(record)
    doc = json.loads(text)  # allow_nan=False when written: no NaN tokens
    assert "NaN" not in text and "Infinity" not in text
    assert doc["chosen"] == f"{SCRIPT} + none"
    assert doc["contenders"][0]["p_vs_best"] is None
    assert [e["role"] for e in doc["effects"]] == ["runner-up", "DNN baseline"]
    assert doc["question"]["where"]["model"] == [SCRIPT, LINK, "dnn"]
    assert {c["code"] for c in doc["caveats"]} >= {"small_test_class", "overlap_ceiling"}
    assert decision_json(record) == text and decision_markdown(record) == decision_markdown(record)
