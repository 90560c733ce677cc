"""TimeGAN: adversarial training in a learned embedding space, with a
supervised next-step loss (Yoon, Jarrett, van der Schaar, NeurIPS 2019)."""

import keras
import tensorflow as tf

from keras_rgan import distribute
from keras_rgan import losses
from keras_rgan import recipes
from keras_rgan.models.discriminator import RecurrentDiscriminator
from keras_rgan.models.gan import SequenceGAN
from keras_rgan.models.gan import check_numeric_schema
from keras_rgan.models.generator import RecurrentGenerator
from keras_rgan.models.phases import PhasedTraining

PHASES = ("embedding", "supervised", "joint")
# The reference's joint phase (jsyoon0823/TimeGAN, timegan.py): two
# generator-and-embedder updates, then a discriminator update only while
# the discriminator's loss is above 0.15.
GENERATOR_UPDATES_PER_JOINT_STEP = 2
D_LOSS_THRESHOLD = 0.15


def _mse(a, b):
    return tf.reduce_mean(tf.square(a - b))


def _uniform(noise):
    """Standard normal noise mapped to uniform [0, 1), the reference's noise
    (the normal CDF of each value)."""
    return 0.5 * (1.0 + tf.math.erf(noise / tf.sqrt(2.0)))


def _moment_loss(real, fake):
    """|std(fake) - std(real)| + |mean(fake) - mean(real)|, per step and
    feature."""
    real_mean, real_var = tf.nn.moments(real, axes=[0])
    fake_mean, fake_var = tf.nn.moments(fake, axes=[0])
    return tf.reduce_mean(
        tf.abs(tf.sqrt(fake_var + 1e-6) - tf.sqrt(real_var + 1e-6))
    ) + tf.reduce_mean(tf.abs(fake_mean - real_mean))


@keras.saving.register_keras_serializable(package="keras_rgan")
class TimeGAN(PhasedTraining, SequenceGAN):
    """TimeGAN: an embedder, a recovery, a generator, a supervisor and a
    discriminator, trained in three phases inside one `model.fit`.

    1. Embedding (`embedding_epochs`): embedder and recovery learn to
       reconstruct the data (`10 sqrt(MSE)`).
    2. Supervised (`supervised_epochs`): the supervisor learns to predict the
       next embedding step from the previous ones, with an optimizer of its
       own (`s_optimizer`), so the generator's starts fresh in phase 3.
    3. Joint: each step updates, twice and on fresh noise, the generator
       and supervisor (adversarial losses on the supervised and plain
       generated embeddings, `100 sqrt` of the supervised loss and `100 x`
       the first two moments' mismatch) and then embedder and recovery
       (reconstruction + `0.1 x` supervised loss); then the discriminator
       (cross-entropy on real, supervised-generated and generated
       embeddings, per step), but only while its loss is above 0.15, as
       the reference code does. The noise is uniform on [0, 1), as there.

    The phase follows the number of completed epochs (saved with the model),
    switched by a callback that `fit` adds itself. Generated sequences are
    `recovery(supervisor(generator(noise)))`; everything else (scaler,
    seeds, `generate`, export) is that of `SequenceGAN`. Every network is a
    `RecurrentStack` of one definition (`cell`, `hidden_dim`, `num_layers`)
    with sigmoid outputs; the supervisor has one layer fewer.

    Args:
        seq_len: int. Steps per sequence.
        num_features: int. Features per step.
        hidden_dim: int. Embedding size and recurrent units.
        num_layers: int. Recurrent layers per network.
        cell: str. `"gru"` (as in the paper), `"lstm"` or `"tanh"`.
        latent_dim: int. Noise dimensions per step.
        embedding_epochs: int. Epochs of phase 1.
        supervised_epochs: int. Epochs of phase 2.
        scaler: fitted `MinMaxScaler` or None.
        seed: int or None.
        sequence_latent_dim: int. Noise dimensions drawn once per sequence.
        unroll: bool. Unroll every network's recurrence (faster on CPU for
            short sequences; no cuDNN kernel on GPU).
        uniform_noise: bool. Feed the generator uniform [0, 1) noise, as
            the reference does (False: standard normal, as models saved
            before 2026-12-04 were trained).

    Example:

    >>> import keras_rgan
    >>> x = keras_rgan.data.sine_waves(n=64, seq_len=8, dim=2, seed=0)
    >>> gan = TimeGAN(seq_len=8, num_features=2, hidden_dim=4, num_layers=1,
    ...               embedding_epochs=1, supervised_epochs=1, seed=0)
    >>> gan.compile()
    >>> _ = gan.fit(x, batch_size=16, epochs=3, verbose=0)
    >>> gan.phase, gan.generate(2, seed=0).shape
    ('joint', (2, 8, 2))
    """

    def __init__(
        self,
        seq_len,
        num_features,
        hidden_dim=24,
        num_layers=3,
        cell="gru",
        latent_dim=None,
        embedding_epochs=10,
        supervised_epochs=10,
        scaler=None,
        seed=None,
        sequence_latent_dim=0,
        unroll=False,
        uniform_noise=True,
        **kwargs,
    ):
        if kwargs.get("num_classes") or kwargs.get("length_frequencies"):
            raise ValueError(
                "TimeGAN takes neither labels nor variable lengths; use RGAN "
                "or CRGAN for label-conditional or variable-length data."
            )
        check_numeric_schema(kwargs.get("schema"), "TimeGAN")
        if embedding_epochs < 0 or supervised_epochs < 0:
            raise ValueError(
                "embedding_epochs and supervised_epochs must be >= 0, got "
                f"{embedding_epochs} and {supervised_epochs}."
            )
        backbone = dict(
            cell=cell, units=hidden_dim, num_layers=num_layers, unroll=unroll
        )
        self.backbone_definition = backbone
        self.hidden_dim = hidden_dim
        self.embedding_epochs = embedding_epochs
        self.supervised_epochs = supervised_epochs
        self.uniform_noise = uniform_noise
        super().__init__(
            generator=RecurrentGenerator(
                hidden_dim, name="generator", **backbone
            ),
            discriminator=RecurrentDiscriminator(
                per_step_logits=True, name="discriminator", **backbone
            ),
            seq_len=seq_len,
            latent_dim=latent_dim or num_features,
            scaler=scaler,
            seed=seed,
            sequence_latent_dim=sequence_latent_dim,
            num_features=num_features,
            **kwargs,
        )
        # === Networks of the embedding space ===
        self.embedder = RecurrentGenerator(
            hidden_dim, name="embedder", **backbone
        )
        self.recovery = RecurrentGenerator(
            num_features, name="recovery", **backbone
        )
        self.supervisor = RecurrentGenerator(
            hidden_dim,
            cell=cell,
            units=hidden_dim,
            num_layers=max(1, num_layers - 1),
            unroll=unroll,
            name="supervisor",
        )
        self.embedder.build((None, seq_len, num_features))
        self.recovery.build((None, seq_len, hidden_dim))
        self.supervisor.build((None, seq_len, hidden_dim))
        self.e_loss_tracker = keras.metrics.Mean(name="e_loss")
        self.s_loss_tracker = keras.metrics.Mean(name="s_loss")
        self.init_phases()

    recipe_name = "timegan"

    @classmethod
    def build_from_options(cls, num_features, seq_len, options, **kwargs):
        # Only tables with categories or gaps have these; refused below.
        kwargs.pop("step_frequencies", None)
        return cls(
            seq_len=seq_len,
            num_features=num_features,
            hidden_dim=options["units"],
            num_layers=options["num_layers"],
            cell=options["cell"],
            latent_dim=options["latent_dim"],
            sequence_latent_dim=options["sequence_latent_dim"],
            embedding_epochs=options["embedding_epochs"],
            supervised_epochs=options["supervised_epochs"],
            unroll=recipes.unrolled(options["unroll"], seq_len),
            **kwargs,
        )

    def compile_options(self, options):
        """Constant learning rates for the three optimizers; TimeGAN's own
        losses (no `loss` or `d_steps` to choose)."""
        return dict(
            g_optimizer=recipes.adam(
                recipes.learning_rate(options, "g_learning_rate"),
                options,
                options["generator_ema"],
            ),
            d_optimizer=recipes.adam(
                recipes.learning_rate(options, "d_learning_rate"), options
            ),
            e_optimizer=keras.optimizers.Adam(1e-3),
        )

    @property
    def discriminator_input_dim(self):
        return self.hidden_dim

    def current_phase(self):
        """The phase the number of completed epochs puts training in."""
        done = int(self.completed_epochs.numpy())
        if done < self.embedding_epochs:
            return "embedding"
        if done < self.embedding_epochs + self.supervised_epochs:
            return "supervised"
        return "joint"

    # === Training ===

    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        e_optimizer=None,
        s_optimizer=None,
        **kwargs,
    ):
        """As `SequenceGAN.compile`, plus `e_optimizer` for the embedder and
        recovery and `s_optimizer` for the supervisor in phase 2 (default
        Adam 1e-3 each). In phase 3 the generator's optimizer trains the
        supervisor too. TimeGAN's losses are its own: `loss` and `d_steps`
        are refused."""
        unused = sorted({"loss", "d_steps"} & set(kwargs))
        if unused:
            raise ValueError(
                f"TimeGAN does not use {', '.join(unused)}: it trains with "
                "its own losses, at most one discriminator update per two "
                "generator updates."
            )
        self.e_optimizer = keras.optimizers.get(
            e_optimizer or keras.optimizers.Adam(1e-3)
        )
        self.s_optimizer = keras.optimizers.get(
            s_optimizer or keras.optimizers.Adam(1e-3)
        )
        super().compile(
            g_optimizer=g_optimizer or keras.optimizers.Adam(1e-3),
            d_optimizer=d_optimizer or keras.optimizers.Adam(1e-3),
            **kwargs,
        )
        self.e_optimizer.build(self._embedding_variables())
        self.s_optimizer.build(self.supervisor.trainable_variables)

    def private_training_refusal(self):
        return (
            "its embedding and supervised phases, and its generator's "
            "supervised loss, read real sequences without clipping"
        )

    def _embedding_variables(self):
        return (
            self.embedder.trainable_variables
            + self.recovery.trainable_variables
        )

    def generator_variables(self):
        return (
            self.generator.trainable_variables
            + self.supervisor.trainable_variables
        )

    def get_compile_config(self):
        config = super().get_compile_config()
        for key in ("loss", "d_steps"):
            config.pop(key, None)
        if config:
            for key in ("e_optimizer", "s_optimizer"):
                config[key] = keras.saving.serialize_keras_object(
                    getattr(self, key)
                )
        return config

    def compile_from_config(self, config):
        # Files saved before TimeGAN refused them record the base's defaults.
        config = {
            key: value
            for key, value in config.items()
            if key not in ("loss", "d_steps")
        }
        for key in ("e_optimizer", "s_optimizer"):
            if key in config:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        super().compile_from_config(config)

    @property
    def metrics(self):
        return [
            self.e_loss_tracker,
            self.s_loss_tracker,
            self.d_loss_tracker,
            self.g_loss_tracker,
        ]

    def _apply(self, optimizer, scaled_loss, tape, variables):
        optimizer.apply(tape.gradient(scaled_loss, variables), variables)

    def _supervised_loss(self, embedded):
        return _mse(
            embedded[:, 1:], self.supervisor(embedded, training=True)[:, :-1]
        )

    def train_step(self, data):
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        real = tf.cast(real, self.compute_dtype)
        num_replicas, _ = distribute.replica_info()
        scale = 1.0 / num_replicas
        if self.phase == "embedding":
            with tf.GradientTape() as tape:
                embedded = self.embedder(real, training=True)
                reconstruction = _mse(
                    real, self.recovery(embedded, training=True)
                )
                scaled_loss = 10.0 * tf.sqrt(reconstruction) * scale
            self._apply(
                self.e_optimizer, scaled_loss, tape, self._embedding_variables()
            )
            self.e_loss_tracker.update_state(reconstruction)
        elif self.phase == "supervised":
            with tf.GradientTape() as tape:
                supervised = self._supervised_loss(
                    self.embedder(real, training=True)
                )
                scaled_loss = supervised * scale
            variables = self.supervisor.trainable_variables
            self._apply(self.s_optimizer, scaled_loss, tape, variables)
            self.s_loss_tracker.update_state(supervised)
        else:
            self._joint_step(real, scale)
        return self.logs()

    def _joint_step(self, real, scale):
        # One real batch per step serves every update (the reference draws
        # a fresh batch for each); the noise is fresh for each.
        for _ in range(GENERATOR_UPDATES_PER_JOINT_STEP):
            g_loss = self._joint_generator_step(real, scale)
            reconstruction, supervised = self._joint_embedding_step(real, scale)
        d_loss = self._joint_discriminator_step(real, scale)
        self.e_loss_tracker.update_state(reconstruction)
        self.s_loss_tracker.update_state(supervised)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)

    def _joint_generator_step(self, real, scale):
        """Generator and supervisor: adversarial losses on the supervised
        and plain generated embeddings, the supervised loss and the first
        two moments' mismatch."""
        cross_entropy = losses.cross_entropy
        noise = self.training_noise(tf.shape(real)[0])
        with tf.GradientTape() as tape:
            embedded = self.embedder(real, training=True)
            fake_embedded = self._embed_noise(noise, training=True)
            fake_supervised = self.supervisor(fake_embedded, training=True)
            fake = self.recovery(fake_supervised, training=True)
            # Both fakes in one discriminator call: one recurrence, not two.
            supervised_logits, plain_logits = tf.split(
                self.discriminator(
                    tf.concat([fake_supervised, fake_embedded], axis=0),
                    training=True,
                ),
                2,
                axis=0,
            )
            adversarial = cross_entropy(1.0, supervised_logits) + cross_entropy(
                1.0, plain_logits
            )
            supervised = self._supervised_loss(embedded)
            g_loss = (
                adversarial
                + 100.0 * tf.sqrt(supervised)
                + 100.0 * _moment_loss(real, fake)
            )
            scaled_loss = g_loss * scale
        self._apply(
            self.g_optimizer, scaled_loss, tape, self.generator_variables()
        )
        return g_loss

    def _joint_embedding_step(self, real, scale):
        """Embedder and recovery: reconstruction and supervised losses."""
        with tf.GradientTape() as tape:
            embedded = self.embedder(real, training=True)
            reconstruction = _mse(real, self.recovery(embedded, training=True))
            supervised = self._supervised_loss(embedded)
            e_loss = 10.0 * tf.sqrt(reconstruction) + 0.1 * supervised
            scaled_loss = e_loss * scale
        self._apply(
            self.e_optimizer, scaled_loss, tape, self._embedding_variables()
        )
        return reconstruction, supervised

    def _joint_discriminator_step(self, real, scale):
        """The discriminator, on real, supervised-generated and generated
        embeddings, updated only while its loss (the mean over replicas) is
        above `D_LOSS_THRESHOLD`."""
        cross_entropy = losses.cross_entropy
        noise = self.training_noise(tf.shape(real)[0])
        fake_embedded = self._embed_noise(noise, training=True)
        fake_supervised = self.supervisor(fake_embedded, training=True)
        embedded = self.embedder(real, training=True)
        with tf.GradientTape() as tape:
            logits = self.discriminator(
                tf.concat([embedded, fake_supervised, fake_embedded], axis=0),
                training=True,
            )
            real_logits, supervised_logits, plain_logits = tf.split(
                logits, 3, axis=0
            )
            d_loss = (
                cross_entropy(1.0, real_logits)
                + cross_entropy(0.0, supervised_logits)
                + cross_entropy(0.0, plain_logits)
            )
            scaled_loss = d_loss * scale
        variables = self.discriminator.trainable_variables
        distribute.apply_if(
            distribute.global_mean(d_loss) > D_LOSS_THRESHOLD,
            self.d_optimizer,
            tape.gradient(scaled_loss, variables),
            variables,
        )
        return d_loss

    # === Generation and judging ===

    def _embed_noise(self, noise, training):
        """The generator's embeddings of normal `noise` (made uniform unless
        `uniform_noise` is off)."""
        if self.uniform_noise:
            noise = _uniform(noise)
        return self.generator(noise, training=training)

    def fake_from_noise(self, noise, condition=None, training=False):
        del condition
        fake_embedded = self._embed_noise(noise, training=training)
        return self.recovery(
            self.supervisor(fake_embedded, training=training), training=training
        )

    def discriminator_logits(self, scaled, condition=None):
        del (
            condition
        )  # TimeGAN is neither label-conditional nor variable-length.
        return self.discriminator(
            self.embedder(scaled, training=False), training=False
        )

    # === Config ===

    @classmethod
    def from_config(cls, config):
        # Saved before uniform noise: the generator learnt normal noise.
        return super().from_config({"uniform_noise": False, **config})

    def get_config(self):
        config = super().get_config()
        for key in ("generator", "discriminator"):
            del config[key]
        config.update(
            {
                "num_features": self.num_features,
                "hidden_dim": self.hidden_dim,
                "num_layers": self.backbone_definition["num_layers"],
                "cell": self.backbone_definition["cell"],
                "unroll": self.backbone_definition["unroll"],
                "embedding_epochs": self.embedding_epochs,
                "supervised_epochs": self.supervised_epochs,
                "uniform_noise": self.uniform_noise,
            }
        )
        return config
