"""The measured default recipes: one source for the Python API and the CLI.

A recipe is every option a model's `from_recipe` takes, with the values
`benchmarks/recipe_sweep.py` measured (benchmarks/results/recipe_sweep.md).
Options left as None take the recipe's value; an option the model does not
use is refused by name.

Example:

>>> options = resolve("timegan", {"units": 8, "loss": None})
>>> options["units"], options["cell"]
(8, 'gru')
>>> resolve("timegan", {"loss": "wgan_gp"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: timegan does not use loss; ...
"""

import keras
import tensorflow as tf

from keras_rgan.layers.residual_noise import MARGINALS

# `from_recipe` trains for about this many train steps unless told
# otherwise; `keras-rgan train` turns it into epochs (Sines 120, Stocks 336).
DEFAULT_TRAIN_STEPS = 8400
# `unroll="auto"` unrolls recurrences up to this many steps when no GPU is
# visible (measured in benchmarks/results/train_step.md); on a GPU the loop
# keeps cuDNN.
AUTO_UNROLL_MAX_STEPS = 32
UNROLL = ("auto", "on", "off")
LR_DECAYS = ("none", "cosine")
# latent_gan: no residual noise, or the marginals of `ResidualNoise`.
RESIDUAL_NOISE = ("none", *MARGINALS)

# "rgan-seq-latent-ema-wgan-cosine-d5" at 8,400 steps: Sines 0.017 +- 0.006,
# Stocks 0.045 +- 0.023 over 3 seeds (benchmarks/results/recipe_sweep.md,
# with an earlier, weaker discriminative score).
RGAN = {
    "latent_dim": 2,
    "sequence_latent_dim": 4,
    "units": 32,
    "num_layers": 1,
    "dense_units": [],
    "per_step_logits": False,
    "unroll": "auto",
    "g_learning_rate": 2e-4,
    "d_learning_rate": 2e-4,
    "beta_1": 0.0,
    "generator_ema": 0.999,
    "lr_decay": "cosine",
    "clipnorm": None,
    "loss": "wgan_gp",
    "d_steps": 5,
    "train_steps": DEFAULT_TRAIN_STEPS,
}
# RGAN's recipe on CRGAN's shared backbone (the explicit tanh recurrence).
CRGAN = {**RGAN, "cell": "tanh", "condition_steps": 0}
# The TimeGAN paper's networks (3 GRU layers of 24 units, noise of the
# data's width) and its reference code's optimizers (Adam 1e-3, beta_1 0.9,
# each phase's own), with the "timegan" row's phase lengths of
# benchmarks/results/recipe_sweep.md: 20 embedding, 20 supervised and 60
# joint epochs of Sines (7,000 steps; each joint step updates the generator
# twice). The reference trains 50,000 iterations per phase.
TIMEGAN = {
    "latent_dim": None,  # TimeGAN: the number of features.
    "sequence_latent_dim": 0,
    "units": 24,
    "num_layers": 3,
    "cell": "gru",
    "unroll": "auto",
    "g_learning_rate": 1e-3,
    "d_learning_rate": 1e-3,
    "beta_1": 0.9,
    "generator_ema": 0.0,
    "clipnorm": None,
    "embedding_epochs": 20,
    "supervised_epochs": 20,
    "train_steps": 7000,
}
# A recurrent autoencoder (GRU, 64 units) with codes of 32 numbers, and a
# WGAN-GP of the codes (dense players of 128 x 2, 32 noise dimensions per
# sequence); 40% of the steps train the autoencoder. Generated sequences get
# noise with the decoder's residual moments.
LATENT_GAN = {
    "sequence_latent_dim": 32,
    "units": 64,
    "num_layers": 1,
    "cell": "gru",
    "dense_units": [128, 128],
    "code_dim": 32,
    "autoencoder_share": 0.4,
    "residual_noise": "gaussian",
    "unroll": "auto",
    "g_learning_rate": 1e-4,
    "d_learning_rate": 1e-4,
    "beta_1": 0.5,
    "generator_ema": 0.999,
    "lr_decay": "cosine",
    "clipnorm": None,
    "loss": "wgan_gp",
    "d_steps": 5,
    "train_steps": DEFAULT_TRAIN_STEPS,
}
# Private training (`keras_rgan.privacy`) spends budget with every step, so
# it trains fewer of them unless told otherwise: at epsilon 3 on Stocks 24
# (3,273 training windows, batch 128, 5 critic updates a step) the
# accountant needs noise about 21 for 2,000 steps against 43 for 8,400. It
# keeps the recipe's 5 critic updates: on Sines at epsilon 10 (one seed,
# benchmarks/results/privacy.md) they scored 0.377 against 0.460 for one
# update a step, for which the accountant needs less noise (1.6, not 3.7).
PRIVATE_TRAIN_STEPS = 2000
RECIPES = {
    "rgan": RGAN,
    "crgan": CRGAN,
    "timegan": TIMEGAN,
    "latent_gan": LATENT_GAN,
}

# `--model=auto` trains latent_gan on every data set it learns
# (benchmarks/results/quality.md, 2 CPU cores, 10 classifiers): it was
# better than RGAN, or level with it, on every real set of the suite, at 24
# steps too (Stocks 24 0.063 +- 0.014 against 0.109 +- 0.072 over 3 seeds,
# camera patches 0.147 against 0.318, CO2 0.018 against 0.020, Stocks'
# Close 0.014 against 0.021); RGAN's critic and gradient penalty run
# through every step, so at 125 steps it gets about a fifth of its 8,400
# steps in 15 minutes (Stocks 125 0.121 against 0.326). RGAN is better on
# the synthetic Sines 24 (0.017 against 0.059): pass --model=rgan there.


def auto_model(numeric_windows, private=False):
    """The model `--model=auto` trains: latent_gan for the data it learns
    (`numeric_windows`: fixed lengths, no labels, numeric columns without
    gaps), rgan for the rest and for `private` training (the latent GAN's
    autoencoder reads real data without clipping).

    Example:

    >>> auto_model(True), auto_model(False), auto_model(True, private=True)
    ('latent_gan', 'rgan', 'rgan')
    """
    return "latent_gan" if numeric_windows and not private else "rgan"


def resolve(model, options):
    """The recipe of `model` with `options` (those not None) in its place.

    Raises a `ValueError` naming every given option the model does not use.
    """
    if model not in RECIPES:
        raise ValueError(
            f"Unknown model {model!r}; expected one of {tuple(RECIPES)}."
        )
    recipe = RECIPES[model]
    given = {
        name: value for name, value in options.items() if value is not None
    }
    unused = sorted(set(given) - set(recipe))
    if unused:
        raise ValueError(
            f"{model} does not use {', '.join(unused)}; its options are "
            f"{', '.join(sorted(recipe))}."
        )
    return {**recipe, **given}


def unrolled(unroll, seq_len):
    """Whether recurrences unroll: `unroll` "on" / "off" (or a bool), or for
    "auto" sequences of at most `AUTO_UNROLL_MAX_STEPS` steps on a machine
    without a GPU.

    Example:

    >>> unrolled("off", 8), unrolled("auto", 200), unrolled(True, 200)
    (False, False, True)
    """
    if isinstance(unroll, bool):
        return unroll
    if unroll not in UNROLL:
        raise ValueError(
            f"Unknown unroll {unroll!r}; expected one of {UNROLL}."
        )
    if unroll != "auto":
        return unroll == "on"
    return seq_len <= AUTO_UNROLL_MAX_STEPS and not (
        tf.config.list_physical_devices("GPU")
    )


def learning_rate(options, name, updates=None):
    """The learning rate `options[name]`, or for `options["lr_decay"] ==
    "cosine"` a schedule falling from it to 0 along a half cosine over
    `updates` optimizer updates.

    Example:

    >>> options = {"g_learning_rate": 1e-3, "lr_decay": "cosine"}
    >>> schedule = learning_rate(options, "g_learning_rate", updates=20)
    >>> [round(float(schedule(step)), 6) for step in (0, 10, 20)]
    [0.001, 0.0005, 0.0]
    """
    initial = options[name]
    if not initial > 0:
        raise ValueError(f"{name} must be positive, got {initial}.")
    lr_decay = options.get("lr_decay", "none")
    if lr_decay not in LR_DECAYS:
        raise ValueError(
            f"Unknown lr_decay {lr_decay!r}; expected one of {LR_DECAYS}."
        )
    if lr_decay == "none":
        return initial
    return keras.optimizers.schedules.CosineDecay(initial, decay_steps=updates)


def adam(learning_rate, options, ema=0.0):
    """Adam with the recipe's `beta_1` and `clipnorm`, and a moving average
    of the weights with momentum `ema` (0: none)."""
    if not 0 <= options["beta_1"] < 1:
        raise ValueError(f"beta_1 must be in [0, 1), got {options['beta_1']}.")
    if not 0 <= ema < 1:
        raise ValueError(f"generator_ema must be in [0, 1), got {ema}.")
    clipnorm = options["clipnorm"]
    if clipnorm is not None and not clipnorm > 0:
        raise ValueError(f"clipnorm must be positive, got {clipnorm}.")
    return keras.optimizers.Adam(
        learning_rate,
        beta_1=options["beta_1"],
        use_ema=ema > 0,
        ema_momentum=ema or 0.99,
        clipnorm=clipnorm,
    )


class FromRecipe:
    """`from_recipe`, mixed into the package's GANs: a class names its
    recipe (`recipe_name`) and says how recipe options build it
    (`build_from_options`) and compile it (`compile_options`)."""

    # The key of this class's measured recipe in `keras_rgan.recipes.RECIPES`
    # (None: the class has no recipe; build it by hand).
    recipe_name = None

    @classmethod
    def from_recipe(
        cls,
        num_features,
        seq_len,
        scaler=None,
        seed=None,
        steps_per_execution=1,
        jit_compile=False,
        num_classes=0,
        label_frequencies=None,
        length_frequencies=None,
        schema=None,
        step_frequencies=None,
        dp_l2_norm_clip=None,
        dp_noise_multiplier=None,
        **options,
    ):
        """A compiled model of this class's measured recipe.

        The recipe (`keras_rgan.recipes.RECIPES`) sizes both players and
        sets the optimizers, loss and critic updates; `**options` replace
        its values (None keeps the recipe's), and an option the class does
        not use is refused by name. `train_steps` is the length of the run,
        over which the learning rates decay (for recipes that decay them).

        Args:
            num_features: int. Features per step.
            seq_len: int. Steps per sequence.
            scaler: a fitted `MinMaxScaler`, or None.
            seed: int or None. Seed of the training noise.
            steps_per_execution: int. Train steps per `tf.function` call.
            jit_compile: bool. XLA-compile the train step.
            num_classes, label_frequencies, length_frequencies: the data's
                conditions, as in the constructor.
            schema: a `TableSchema` or None (tables with categories or
                missing cells; `num_features` is its `encoded_dim`).
            step_frequencies: with a `schema`, the data's mean encoded step
                (`PreparedData.step_frequencies`), where the generator's
                output heads start; None starts them at even odds.
            dp_l2_norm_clip, dp_noise_multiplier: DP-SGD on the
                discriminator, as in `compile()` (None: not private).
            **options: recipe options, e.g. `units=64`, `train_steps=4000`.

        Example:

        >>> import keras_rgan
        >>> gan = keras_rgan.RGAN.from_recipe(5, seq_len=24, units=8, seed=0)
        >>> gan.gan_loss, gan.d_steps, gan.generator.units
        ('wgan_gp', 5, 8)
        """
        if cls.recipe_name is None:
            raise TypeError(
                f"{cls.__name__} has no recipe; build it with its constructor."
            )
        options = resolve(cls.recipe_name, options)
        model = cls.build_from_options(
            num_features,
            seq_len,
            options,
            scaler=scaler,
            seed=seed,
            num_classes=num_classes,
            label_frequencies=label_frequencies,
            length_frequencies=length_frequencies,
            **({} if schema is None else {"schema": schema}),
            **(
                {}
                if step_frequencies is None
                else {"step_frequencies": step_frequencies}
            ),
        )
        model.compile(
            **model.compile_options(options),
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
            dp_l2_norm_clip=dp_l2_norm_clip,
            dp_noise_multiplier=dp_noise_multiplier,
        )
        return model

    @classmethod
    def for_data(cls, data, seed=None, **options):
        """A compiled model of this class's recipe for a `PreparedData`:
        its features, scaler, table schema, labels and lengths.

        Example:

        >>> import keras_rgan
        >>> data = keras_rgan.data.prepare(
        ...     keras_rgan.data.DataSpec(num_sequences=64, seq_len=8,
        ...                              batch_size=16))
        >>> gan = keras_rgan.RGAN.for_data(data, units=4, seed=0)
        >>> gan.num_features, gan.seq_len
        (5, 8)
        """
        num_classes, label_frequencies = data.label_frequencies()
        return cls.from_recipe(
            data.num_features,
            data.spec.seq_len,
            scaler=data.scaler,
            seed=seed,
            num_classes=num_classes,
            label_frequencies=label_frequencies,
            length_frequencies=data.length_frequencies(),
            schema=data.schema,
            step_frequencies=data.step_frequencies(),
            **options,
        )

    @classmethod
    def build_from_options(cls, num_features, seq_len, options, **kwargs):
        """The model that resolved recipe `options` describe, uncompiled;
        `kwargs` go to the constructor as they are."""
        raise NotImplementedError(f"{cls.__name__} has no recipe.")
