"""Generators, discriminators and the GANs that train them."""

from keras_rgan.models.crgan import CRGAN
from keras_rgan.models.discriminator import LSTMDiscriminator
from keras_rgan.models.discriminator import RecurrentDiscriminator
from keras_rgan.models.gan import SequenceGAN
from keras_rgan.models.generator import LSTMGenerator
from keras_rgan.models.generator import RecurrentGenerator
from keras_rgan.models.latent_gan import LatentGAN
from keras_rgan.models.rgan import RGAN
from keras_rgan.models.timegan import TimeGAN

__all__ = [
    "CRGAN",
    "LatentGAN",
    "LSTMDiscriminator",
    "RecurrentDiscriminator",
    "SequenceGAN",
    "LSTMGenerator",
    "RecurrentGenerator",
    "RGAN",
    "TimeGAN",
]
