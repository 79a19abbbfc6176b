"""Constants shared by tests (importable because pytest puts tests/ on sys.path)."""

TINY = """
name = "tiny"
folds = 3
validation = 0.2
timeout_s = 60
samplers = ["none", "class_weight"]

[imbalance]
profile = "step"
ratios = [1, 4]
minority = [2]

[[datasets]]
name = "wine"

[[models]]
name = "dummy"

[[models]]
name = "logistic"
"""
