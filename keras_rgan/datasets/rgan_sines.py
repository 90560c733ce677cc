"""TFDS builder of TimeGAN's Sines data, with configs for length and
dimension."""

import dataclasses

import numpy as np
import tensorflow_datasets as tfds

from keras_rgan.data.sines import sine_waves


@dataclasses.dataclass
class SinesConfig(tfds.core.BuilderConfig):
    """Sequence length, features and count of one Sines variant."""

    seq_len: int = 24
    dim: int = 5
    num_sequences: int = 10_000
    seed: int = 0


class RganSines(tfds.core.GeneratorBasedBuilder):
    """Sines (Yoon et al. 2019): per feature, `sin(f t + p)` with a random
    frequency and phase, scaled to [0, 1]; one `train` split, seeded.

    Example:

    >>> import tempfile
    >>> builder = RganSines(config="seq24_dim5", data_dir=tempfile.mkdtemp())
    >>> builder.info.features["sequence"].shape
    (24, 5)
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [
        SinesConfig(
            name="seq24_dim5",
            description="TimeGAN's Sines: 24 steps, 5 features.",
        ),
        SinesConfig(
            name="seq100_dim28",
            seq_len=100,
            dim=28,
            num_sequences=10_000,
            description="Longer, wider sines for speed benchmarks.",
        ),
        SinesConfig(
            name="seq8_dim2",
            seq_len=8,
            dim=2,
            num_sequences=256,
            description="A tiny variant for tests and examples.",
        ),
    ]

    def _info(self):
        return self.dataset_info_from_configs(
            description="Sine waves of random frequency and phase per feature.",
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Tensor(
                        shape=(
                            self.builder_config.seq_len,
                            self.builder_config.dim,
                        ),
                        dtype=np.float32,
                    )
                }
            ),
            supervised_keys=None,
            # Examples keep their generation order (windows stay in time order).
            disable_shuffling=True,
            homepage="https://github.com/jsyoon0823/TimeGAN",
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Generated from code: nothing to download.
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        config = self.builder_config
        x = sine_waves(
            config.num_sequences, config.seq_len, config.dim, seed=config.seed
        )
        for index, sequence in enumerate(x):
            yield index, {"sequence": sequence}
