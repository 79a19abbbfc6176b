"""Dataset sources and imbalance profiles. Importing this package registers the built-in sources."""

from bench.data import bundled, file, imblearn_sets, openml, synthetic  # noqa: F401  (registration)
from bench.data.dataset import Dataset, DatasetError, from_arrays
from bench.data.registry import DATASETS, DatasetSource, load_dataset

__all__ = ["DATASETS", "Dataset", "DatasetError", "DatasetSource", "from_arrays", "load_dataset"]
