"""Data: sources, reading, windowing, scaling and the tf.data pipeline."""

from keras_rgan.data.checks import check_sequences
from keras_rgan.data.pipeline import make_dataset
from keras_rgan.data.prepared import PreparedData
from keras_rgan.data.prepared import from_dataframe
from keras_rgan.data.prepared import load_split
from keras_rgan.data.prepared import prepare
from keras_rgan.data.readers import read_csv
from keras_rgan.data.readers import read_npy
from keras_rgan.data.scaling import MinMaxScaler
from keras_rgan.data.schema import TableSchema
from keras_rgan.data.sines import sine_waves
from keras_rgan.data.sources import SequenceData
from keras_rgan.data.sources import load_sequences
from keras_rgan.data.spec import DataSpec
from keras_rgan.data.stocks import STOCKS_CSV
from keras_rgan.data.stocks import load_stocks
from keras_rgan.data.tfds_source import load_tfds
from keras_rgan.data.windowing import make_windows
from keras_rgan.data.windowing import pad_or_window

__all__ = [
    "check_sequences",
    "make_dataset",
    "PreparedData",
    "from_dataframe",
    "load_split",
    "prepare",
    "DataSpec",
    "read_csv",
    "read_npy",
    "MinMaxScaler",
    "TableSchema",
    "sine_waves",
    "SequenceData",
    "load_sequences",
    "STOCKS_CSV",
    "load_stocks",
    "load_tfds",
    "make_windows",
    "pad_or_window",
]
