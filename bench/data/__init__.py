"""Dataset sources and imbalance profiles. Importing this package registers the built-in sources."""

from bench.data.dataset import Dataset, DatasetError, from_arrays
from bench.data.registry import DATASETS, DatasetSource, dataset, load_dataset
from bench.data.sources import bundled, file, imblearn_sets, keel, openml, synthetic  # noqa: F401  (registration)

__all__ = ["DATASETS", "Dataset", "DatasetError", "DatasetSource", "dataset", "from_arrays",
           "load_dataset"]
