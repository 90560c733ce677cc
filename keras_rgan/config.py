"""Training options in five small groups, each option declared once.

Each field holds its type, default and help text; `keras-rgan train`'s flags
are made from these declarations (`define_flags`), so adding an option is
one field here plus the code that uses it. A group checks only what no lower
layer owns: data sources check data options, models and recipes check model
and optimisation options (None there means "the model's recipe",
`keras_rgan.recipes`).

Example:

>>> config = TrainConfig.from_options(dataset="stocks", units=64, epochs=3)
>>> config.data.dataset, config.model.units, config.run.epochs
('stocks', 64, 3)
>>> config.model.latent_dim is None  # the recipe's
True
"""

import dataclasses

from keras_rgan import distribute
from keras_rgan import privacy
from keras_rgan import recipes
from keras_rgan.data.spec import DataSpec
from keras_rgan.options import OptionGroup
from keras_rgan.options import define_flags as define_option_flags
from keras_rgan.options import field_default
from keras_rgan.options import flag_name
from keras_rgan.options import option
from keras_rgan.options import values_of


def _recipe_help(name):
    values = ", ".join(
        f"{model} {recipe[name]}"
        for model, recipe in recipes.RECIPES.items()
        if name in recipe
    )
    return f" Default: the model's recipe ({values})."


@dataclasses.dataclass
class ModelConfig(OptionGroup):
    """Which GAN, and the size of its networks and noise."""

    name: str = option(
        "auto",
        "Model: rgan | crgan | timegan | latent_gan (a recurrent "
        "autoencoder and a GAN of its per-sequence codes) | auto: latent_gan "
        "for the data it learns (fixed lengths, no labels, numeric columns "
        "without gaps), rgan otherwise.",
        flag="model",
        choices=("auto", *recipes.RECIPES),
    )
    latent_dim: int | None = option(
        None,
        "Noise dimensions drawn afresh per step (0: only the per-sequence "
        "code)." + _recipe_help("latent_dim"),
    )
    sequence_latent_dim: int | None = option(
        None,
        "Noise dimensions drawn once per sequence, repeated at every step."
        + _recipe_help("sequence_latent_dim"),
    )
    units: int | None = option(
        None, "Recurrent units per layer." + _recipe_help("units")
    )
    num_layers: int | None = option(
        None, "Recurrent layers per network." + _recipe_help("num_layers")
    )
    cell: str | None = option(
        None,
        "Recurrent cell of crgan (tanh | lstm | gru) or timegan."
        + _recipe_help("cell"),
    )
    dense_units: list[int] | None = option(
        None,
        "Sizes of tanh dense layers after the recurrent ones (latent_gan: "
        "the hidden layers of its dense generator and critic).",
    )
    code_dim: int | None = option(
        None,
        "latent_gan: numbers per sequence code." + _recipe_help("code_dim"),
    )
    residual_noise: str | None = option(
        None,
        "latent_gan: noise added to generated sequences with the statistics "
        "of the decoder's residuals (covariance, lag-1 autocorrelation): "
        "none | gaussian | empirical (each feature's residual "
        "distribution)." + _recipe_help("residual_noise"),
        choices=recipes.RESIDUAL_NOISE,
    )
    per_step_logits: bool | None = option(
        None,
        "The discriminator gives a logit per step (losses averaged over time).",
    )
    condition_steps: int | None = option(
        None, "crgan: real prefix steps the generator continues (0: none)."
    )
    unroll: str | None = option(
        None,
        "Unroll the recurrences into the graph: faster on CPU for short "
        "sequences, no cuDNN on GPU. auto: on for seq_len <= "
        f"{recipes.AUTO_UNROLL_MAX_STEPS} when no GPU is visible (the "
        "default).",
        choices=recipes.UNROLL,
    )


@dataclasses.dataclass
class OptimizationConfig(OptionGroup):
    """How the players learn: optimizers, loss, critic updates, phases."""

    g_learning_rate: float | None = option(
        None, "Generator learning rate." + _recipe_help("g_learning_rate")
    )
    d_learning_rate: float | None = option(
        None, "Discriminator learning rate." + _recipe_help("d_learning_rate")
    )
    beta_1: float | None = option(
        None, "Adam's beta_1 (both players)." + _recipe_help("beta_1")
    )
    generator_ema: float | None = option(
        None,
        "Momentum of a moving average of the generator's weights, used for "
        "samples and exports (0: off)." + _recipe_help("generator_ema"),
    )
    lr_decay: str | None = option(
        None,
        "Learning-rate schedule: none | cosine (from the learning rate to 0 "
        "over the whole run)." + _recipe_help("lr_decay"),
        choices=recipes.LR_DECAYS,
    )
    clipnorm: float | None = option(
        None, "Clip each player's gradient to this global norm."
    )
    loss: str | None = option(
        None, "GAN loss: non_saturating | wgan_gp." + _recipe_help("loss")
    )
    d_steps: int | None = option(
        None,
        "Discriminator updates per generator update." + _recipe_help("d_steps"),
    )
    embedding_epochs: int | None = option(
        None, "timegan: epochs of phase 1." + _recipe_help("embedding_epochs")
    )
    supervised_epochs: int | None = option(
        None,
        "timegan: epochs of phase 2." + _recipe_help("supervised_epochs"),
    )
    autoencoder_share: float | None = option(
        None,
        "latent_gan: share of the epochs that train the autoencoder, before "
        "the GAN of its codes." + _recipe_help("autoencoder_share"),
    )


@dataclasses.dataclass
class RunConfig(OptionGroup):
    """How long, where to, on what devices; what to keep."""

    epochs: int | None = option(
        None,
        "Training epochs. Default: as many as make the recipe's train steps "
        f"(rgan and crgan {recipes.DEFAULT_TRAIN_STEPS:,}: Sines 120 "
        "epochs, Stocks 336).",
    )
    seed: int = option(0, "Seed of data generation, shuffling, weights, noise.")
    export_dir: str | None = option(
        None, "Base folder of the exported versions (TF Serving)."
    )
    model_dir: str | None = option(
        None,
        "Folder for the trained model.keras and the backup that a rerun of "
        "the same command resumes from.",
    )
    select_every: int = option(
        0,
        "Score samples every N epochs (discriminative score against up to "
        "10,000 training sequences) and save and export the best epoch's "
        "model; 0 keeps the last epoch's.",
    )
    steps_per_execution: int = option(
        32,
        "Train steps per tf.function call, at most (the largest divisor of "
        "the epoch's steps up to this).",
    )
    jit_compile: bool = option(False, "XLA-compile the train step.")
    deterministic: bool = option(
        False,
        "Deterministic ops: with the same --seed on the same machine, "
        "training gives bit-identical weights (slower on a GPU).",
    )
    strategy: str = option(
        "default",
        "default | mirrored (all local devices) | multi_worker "
        "(MultiWorkerMirroredStrategy from TF_CONFIG; only the chief "
        "exports).",
        choices=distribute.STRATEGIES,
    )
    max_num_samples: int = option(
        100_000,
        "Most sequences one request to the export may ask for "
        "(serving_default's num_samples, generate_with_labels' labels).",
    )
    verbose: int | None = option(
        None,
        "Keras's fit verbosity: 0 silent, 1 progress bar, 2 a line per "
        "epoch (default: auto).",
    )

    def check(self):
        if self.epochs is not None and self.epochs < 1:
            raise ValueError(
                "epochs must be a positive integer (or None for the recipe's "
                f"train steps), got {self.epochs!r}."
            )
        if self.select_every < 0:
            raise ValueError(
                "select_every must be a non-negative integer, got "
                f"{self.select_every!r}."
            )
        if self.select_every and self.strategy == "multi_worker":
            raise ValueError(
                "select_every is not supported with strategy=multi_worker: "
                "each worker would pick its own epoch."
            )


@dataclasses.dataclass
class PrivacyConfig(OptionGroup):
    """Differentially private training (DP-SGD on the discriminator,
    `keras_rgan.privacy`): on when a noise multiplier or a target epsilon
    is given."""

    target_epsilon: float | None = option(
        None,
        "Privacy budget: the noise multiplier (unless given) is the smallest "
        "that keeps the planned steps within it, and training stops before "
        "an epoch would exceed it.",
    )
    dp_noise_multiplier: float | None = option(
        None,
        "Gaussian noise on the discriminator's summed clipped gradients, "
        "over the clip.",
    )
    dp_l2_norm_clip: float = option(
        1.0, "Bound on each real sequence's discriminator gradient norm."
    )
    dp_delta: float | None = option(
        None,
        "The delta of (epsilon, delta)-DP. Default: 1 / n^1.1 for n "
        "training sequences.",
    )

    @property
    def enabled(self):
        return self.target_epsilon is not None or (
            self.dp_noise_multiplier is not None
        )

    def check(self):
        for name in ("target_epsilon", "dp_noise_multiplier"):
            if getattr(self, name) is not None:
                privacy.check_positive(name, getattr(self, name))
        privacy.check_positive("dp_l2_norm_clip", self.dp_l2_norm_clip)
        if self.dp_delta is not None and not 0 < self.dp_delta < 1:
            raise ValueError(
                f"dp_delta must lie strictly between 0 and 1, got "
                f"{self.dp_delta!r}."
            )


GROUPS = {
    "data": DataSpec,
    "model": ModelConfig,
    "optimization": OptimizationConfig,
    "run": RunConfig,
    "privacy": PrivacyConfig,
}


def options():
    """`{flat option name: (group name, field)}` over every group.

    Example:

    >>> group, field = options()["model"]
    >>> group, field.name
    ('model', 'name')
    """
    return {
        flag_name(field): (group, field)
        for group, cls in GROUPS.items()
        for field in dataclasses.fields(cls)
    }


@dataclasses.dataclass
class TrainConfig:
    """One training run's options, in the five groups.

    Build it from the groups, or from flat option names (the flags' names)
    with `from_options`.
    """

    data: DataSpec = dataclasses.field(default_factory=DataSpec)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    optimization: OptimizationConfig = dataclasses.field(
        default_factory=OptimizationConfig
    )
    run: RunConfig = dataclasses.field(default_factory=RunConfig)
    privacy: PrivacyConfig = dataclasses.field(default_factory=PrivacyConfig)

    @classmethod
    def from_options(cls, **flat):
        """A config from flat option names; unknown names are refused."""
        known = options()
        unknown = sorted(set(flat) - set(known))
        if unknown:
            raise TypeError(f"Unknown training options: {', '.join(unknown)}.")
        grouped = {group: {} for group in GROUPS}
        for name, value in flat.items():
            group, field = known[name]
            grouped[group][field.name] = value
        return cls(
            **{group: GROUPS[group](**grouped[group]) for group in GROUPS}
        )

    def replace(self, **flat):
        """A copy with some flat options changed."""
        return TrainConfig.from_options(**{**self.flat(), **flat})

    def flat(self):
        """`{flat option name: value}` of every option."""
        return {
            name: getattr(getattr(self, group), field.name)
            for name, (group, field) in options().items()
        }

    def recipe_options(self):
        """The model and optimisation options a model's `from_recipe`
        takes (None: the recipe's value)."""
        chosen = {
            **dataclasses.asdict(self.model),
            **dataclasses.asdict(self.optimization),
        }
        del chosen["name"]
        return chosen

    def to_json(self):
        """The options as JSON-ready groups (without `verbose`)."""
        groups = dataclasses.asdict(self)
        del groups["run"]["verbose"]
        return groups


def define_flags(flag_values):
    """One absl flag per option, on `flag_values` (`keras_rgan.options`);
    pass the result to `from_flags`."""
    return define_option_flags(GROUPS.values(), flag_values)


def from_flags(defined):
    """The `TrainConfig` of `define_flags`'s flags' values."""
    return TrainConfig.from_options(**values_of(defined))


def options_markdown():
    """The `keras-rgan train` flags as Markdown tables, one per group:
    name, default and help, from the declarations (docs/cli.md holds it).

    Example:

    >>> options_markdown().splitlines()[0]
    '### Data'
    """
    lines = []
    for group, cls in GROUPS.items():
        lines += [
            f"### {group.capitalize()}",
            "",
            "| flag | default | meaning |",
            "| --- | --- | --- |",
        ]
        for field in dataclasses.fields(cls):
            default = field_default(field)
            shown = "recipe" if default is None else f"`{default}`"
            if default is None and group in ("data", "run", "privacy"):
                shown = "none"
            meaning = field.metadata["help"].replace("|", "\\|")
            lines.append(f"| `--{flag_name(field)}` | {shown} | {meaning} |")
        lines.append("")
    return "\n".join(lines)
