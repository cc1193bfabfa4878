"""Datasets, loaded once into tensors: toy 2-D, digits, MNIST-5k, local MNIST folders, image folders."""

from latentlab.core.data.base import DataError, Dataset, as_float, as_uint8
from latentlab.core.data.registry import DATASETS, DEFAULT_DATASET, load_dataset

__all__ = ["DATASETS", "DEFAULT_DATASET", "DataError", "Dataset", "as_float", "as_uint8", "load_dataset"]
