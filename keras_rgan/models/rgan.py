"""RGAN: a recurrent generator against a recurrent discriminator."""

import keras

from keras_rgan import recipes
from keras_rgan.models.discriminator import LSTMDiscriminator
from keras_rgan.models.gan import SequenceGAN
from keras_rgan.models.generator import LSTMGenerator


@keras.saving.register_keras_serializable(package="keras_rgan")
class RGAN(SequenceGAN):
    """Recurrent GAN: an LSTM generator trained against an LSTM discriminator.

    The design of Esteban, Hyland and Rätsch, "Real-valued (Medical) Time
    Series Generation with Recurrent Conditional GANs" (2017) and Mogren's
    C-RNN-GAN (2016), trained with the non-saturating cross-entropy losses of
    Goodfellow et al. (2014): the discriminator minimises
    `BCE(1, D(x)) + BCE(0, D(G(z)))`, the generator `BCE(1, D(G(z)))`.
    Training is plain `model.fit` on sequences scaled to `[0, 1]`.

    Args:
        generator: the generator, e.g. `keras_rgan.LSTMGenerator`.
        discriminator: the discriminator, e.g. `keras_rgan.LSTMDiscriminator`.
        seq_len: int. Steps per generated sequence.
        latent_dim: int. Noise dimensions drawn afresh at every time step.
        scaler: a fitted `keras_rgan.data.MinMaxScaler`, or None.
        seed: int or None. Seed of the training noise.
        sequence_latent_dim: int. Noise dimensions drawn once per sequence
            and repeated at every step.
        num_classes: int. Classes of a label-conditional model (RCGAN; 0 for
            none). The data then yields `(sequences, labels)`; labels are
            embedded and fed to both players at every step.
        label_dim: int. Size of each player's label embedding.
        label_frequencies: list of float or None. Class frequencies of the
            training data, used when labels are drawn.
        length_frequencies: list of `seq_len` floats or None. For
            variable-length data (padded to `seq_len`, with lengths): how
            often each length `1..seq_len` occurs; see `SequenceGAN`.

    Example:

    >>> import keras_rgan
    >>> x = keras_rgan.data.sine_waves(n=64, seq_len=24, dim=5, seed=0)
    >>> gan = keras_rgan.RGAN(
    ...     generator=keras_rgan.LSTMGenerator(num_features=5, units=16),
    ...     discriminator=keras_rgan.LSTMDiscriminator(units=16),
    ...     seq_len=24, latent_dim=4, seed=0)
    >>> gan.compile()
    >>> history = gan.fit(x, batch_size=32, epochs=1, verbose=0)
    >>> gan.generate(3, seed=7).shape
    (3, 24, 5)
    """

    recipe_name = "rgan"

    @classmethod
    def build_from_options(cls, num_features, seq_len, options, **kwargs):
        network = dict(
            units=options["units"],
            num_layers=options["num_layers"],
            dense_units=options["dense_units"],
            unroll=recipes.unrolled(options["unroll"], seq_len),
        )
        schema = kwargs.get("schema")
        blocks = None if schema is None or schema.plain else schema.blocks()
        frequencies = kwargs.pop("step_frequencies", None)
        return cls(
            generator=LSTMGenerator(
                num_features,
                output_blocks=blocks,
                output_frequencies=frequencies,
                **network,
            ),
            discriminator=LSTMDiscriminator(
                per_step_logits=options["per_step_logits"], **network
            ),
            seq_len=seq_len,
            latent_dim=options["latent_dim"],
            sequence_latent_dim=options["sequence_latent_dim"],
            **kwargs,
        )
