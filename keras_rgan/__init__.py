"""keras_rgan: recurrent GANs for sequences and time series, on Keras 3."""

from keras_rgan import data
from keras_rgan import evaluation
from keras_rgan import layers
from keras_rgan import losses
from keras_rgan.data.scaling import MinMaxScaler
from keras_rgan.export import export_saved_model
from keras_rgan.layers.shared_tanh_projection_cell import (
    SharedTanhProjectionCell,
)
from keras_rgan.models.crgan import CRGAN
from keras_rgan.models.discriminator import LSTMDiscriminator
from keras_rgan.models.discriminator import RecurrentDiscriminator
from keras_rgan.models.gan import SequenceGAN
from keras_rgan.models.generator import LSTMGenerator
from keras_rgan.models.generator import RecurrentGenerator
from keras_rgan.models.latent_gan import LatentGAN
from keras_rgan.models.rgan import RGAN
from keras_rgan.models.timegan import TimeGAN
from keras_rgan.version import __version__

__all__ = [
    "data",
    "evaluation",
    "layers",
    "losses",
    "MinMaxScaler",
    "export_saved_model",
    "CRGAN",
    "LatentGAN",
    "LSTMDiscriminator",
    "RecurrentDiscriminator",
    "SequenceGAN",
    "LSTMGenerator",
    "RecurrentGenerator",
    "RGAN",
    "TimeGAN",
    "__version__",
    "SharedTanhProjectionCell",
]
