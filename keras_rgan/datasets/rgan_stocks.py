"""TFDS builder of the shipped Stocks data (daily GOOG prices), as windows."""

import dataclasses

import numpy as np
import tensorflow_datasets as tfds

from keras_rgan.data.stocks import load_stocks
from keras_rgan.data.windowing import make_windows


@dataclasses.dataclass
class StocksConfig(tfds.core.BuilderConfig):
    """Window length of one Stocks variant (stride 1, as TimeGAN)."""

    seq_len: int = 24


class RganStocks(tfds.core.GeneratorBasedBuilder):
    """Stocks (Yoon et al. 2019): every window of `seq_len` consecutive days
    of GOOG's open, high, low, close, adjusted close and volume, oldest first,
    in original units, from the CSV shipped with keras_rgan.

    Example:

    >>> import tempfile
    >>> builder = RganStocks(data_dir=tempfile.mkdtemp())
    >>> builder.info.features["sequence"].shape
    (24, 6)
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [
        StocksConfig(name="seq24", description="Windows of 24 days.")
    ]

    def _info(self):
        return self.dataset_info_from_configs(
            description=(
                "Windows of daily GOOG prices and volume (TimeGAN's Stocks)."
            ),
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Tensor(
                        shape=(self.builder_config.seq_len, 6), dtype=np.float32
                    )
                }
            ),
            supervised_keys=None,
            # Examples keep their generation order (windows stay in time order).
            disable_shuffling=True,
            homepage="https://github.com/jsyoon0823/TimeGAN",
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Read from the CSV shipped in the package.
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        values, _ = load_stocks()
        for index, window in enumerate(
            make_windows(values, self.builder_config.seq_len)
        ):
            yield index, {"sequence": window}
