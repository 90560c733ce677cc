"""The package's TFDS builders, tested offline with DatasetBuilderTestCase."""

import os

import numpy as np
import tensorflow_datasets as tfds

from keras_rgan import datasets
from keras_rgan.data import load_stocks
from keras_rgan.data import load_tfds
from keras_rgan.data import sine_waves

DUMMY_DATA = os.path.join(os.path.dirname(__file__), "dummy_data")


class RganSinesTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = datasets.RganSines
    BUILDER_CONFIG_NAMES_TO_TEST = ["seq8_dim2"]
    SPLITS = {"train": 256}
    EXAMPLE_DIR = DUMMY_DATA
    SKIP_CHECKSUMS = True


class RganStocksTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = datasets.RganStocks
    SPLITS = {"train": 3662}
    EXAMPLE_DIR = DUMMY_DATA
    SKIP_CHECKSUMS = True


def test_tfds_names_load_like_any_tfds_dataset(tmp_path):
    x, labels, names = load_tfds("rgan_sines/seq8_dim2", data_dir=str(tmp_path))
    assert labels is None and names == ["feature_0", "feature_1"]
    np.testing.assert_allclose(x, sine_waves(256, 8, 2, seed=0), atol=1e-6)
    x, _, _ = load_tfds("rgan_stocks", data_dir=str(tmp_path), max_sequences=10)
    values, _ = load_stocks()
    np.testing.assert_allclose(x[3], values[3:27], rtol=1e-6)  # time order kept
