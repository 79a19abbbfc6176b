"""The split of a cell (outer split, imposed imbalance, test prior, validation carve-out).

The implementation is `bench.data.partition`, shared with the grid's data-aware skip rule
(`bench.suite.grid`) so that planning and running compute the very same rows and messages; see
that module for the order of the steps and the test priors.
"""

from bench.data.partition import REST, Split, deployment_prior, label_codes, make_split

__all__ = ["REST", "Split", "deployment_prior", "label_codes", "make_split"]
