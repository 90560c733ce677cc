"""TFDS builders of the package's data sets, generated offline.

Importing this module registers `rgan_sines` and `rgan_stocks` with TFDS, so
`tfds.load("rgan_sines")` (and `--dataset=tfds:rgan_sines`) work like any
TFDS name; `keras_rgan.data.load_tfds` imports it for `rgan_*` names.
"""

from keras_rgan.datasets.rgan_sines import RganSines
from keras_rgan.datasets.rgan_stocks import RganStocks

# Generated from code or shipped files: safe to prepare without internet.
OFFLINE_BUILDERS = ("rgan_sines", "rgan_stocks")

__all__ = [
    "RganSines",
    "RganStocks",
]
