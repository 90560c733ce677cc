"""Config -> data -> model -> fit -> export: what `keras-rgan train` runs.

Everything here is plain Python, testable without flags.
"""

import dataclasses
import functools
import json
import os
import time

import keras
import numpy as np
import tensorflow as tf

from keras_rgan.callbacks import DivergenceGuard
from keras_rgan.callbacks import KeepBestSamples
from keras_rgan.callbacks import SampleImages
from keras_rgan.callbacks import TrainingDiverged
from keras_rgan.data import streaming
from keras_rgan.data.pipeline import make_dataset
from keras_rgan.data.scaling import MinMaxScaler
from keras_rgan.data.sources import check_spec
from keras_rgan.data.sources import load_sequences
from keras_rgan.data.splits import holdout_split
from keras_rgan.evaluation.post_hoc import subsample
from keras_rgan.export import export_saved_model
from keras_rgan.layers.recurrent_stack import CELLS
from keras_rgan.losses import LOSSES
from keras_rgan.models.crgan import CRGAN
from keras_rgan.models.discriminator import LSTMDiscriminator
from keras_rgan.models.gan import check_noise_sizes
from keras_rgan.models.generator import LSTMGenerator
from keras_rgan.models.rgan import RGAN
from keras_rgan.models.timegan import TimeGAN

MODELS = ("rgan", "crgan", "timegan")
UNROLL = ("auto", "on", "off")
LR_DECAYS = ("auto", "none", "cosine")
# `unroll="auto"` unrolls recurrences up to this many steps when no GPU is
# visible (measured in benchmarks/results/train_step.md); on a GPU the loop
# keeps cuDNN.
AUTO_UNROLL_MAX_STEPS = 32
STRATEGIES = ("default", "mirrored", "multi_worker")
MODEL_FILE = "model.keras"
LAST_FILE = "last.keras"
BACKUP_DIR = "backup"
LOG_DIR = "logs"
CONFIG_FILE = "train_config.json"
# Sample selection (select_every > 0) scores against at most this many
# training sequences. The classifiers'
# cost barely grows with the set (2,000 steps each), their noise shrinks: two
# scores of Sines against Sines were 0.008 and 0.032 with 1,000 sequences,
# 0.002 and 0.003 with 9,000 (14.7 s against 19.4 s on a 2-core CPU).
SELECTION_SEQUENCES = 10_000
# `epochs=None` (the default) trains as many epochs as make about this many
# train steps (`num_epochs`): Sines 120 epochs, Stocks 336
# (benchmarks/results/quality.md).
DEFAULT_TRAIN_STEPS = 8400
# Fields a resumed run may change: everything else must match the run it
# resumes.
RESUMABLE_CHANGES = ("epochs", "verbose", "export_dir")


@dataclasses.dataclass
class TrainConfig:
    """Everything one training run needs; `validate()` checks it up front.

    Example:

    >>> config = TrainConfig(dataset="sines", epochs=1)
    >>> config.validate()
    """

    dataset: str = "sines"
    model: str = "rgan"
    seq_len: int = 24
    batch_size: int = 128
    # None: as many as make DEFAULT_TRAIN_STEPS train steps (`num_epochs`).
    epochs: int | None = None
    seed: int = 0
    export_dir: str | None = None
    model_dir: str | None = None
    # Defaults: the best recipe measured by benchmarks/quality.py
    # ("rgan-seq-latent-ema-wgan-cosine-d5" at 8,400 steps,
    # benchmarks/results/quality.md).
    latent_dim: int = 2
    sequence_latent_dim: int = 4
    per_step_logits: bool = False
    units: int = 32
    num_layers: int = 1
    cell: str | None = None
    dense_units: list = dataclasses.field(default_factory=list)
    condition_steps: int = 0
    embedding_epochs: int = 10
    supervised_epochs: int = 10
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 2e-4
    beta_1: float = 0.0
    generator_ema: float = 0.999
    lr_decay: str = "auto"
    clipnorm: float | None = None
    loss: str = "wgan_gp"
    d_steps: int = 5
    columns: list | None = None
    stride: int = 1
    holdout_fraction: float = 0.1
    # Score samples (discriminative score against training sequences) every
    # this many epochs and keep the best-scoring epoch's model; 0 keeps the
    # last epoch's (the default: with the default recipe selection chose
    # worse epochs on Sines, better ones on Stocks; quality.md).
    select_every: int = 0
    num_sequences: int = 10_000
    num_features: int = 5
    # Keras's fit costs about 2 ms of Python per call (benchmarks/train_step.py).
    steps_per_execution: int = 32
    jit_compile: bool = False
    unroll: str = "auto"
    deterministic: bool = False
    strategy: str = "default"
    conditional: bool = False
    id_column: str | None = None
    time_column: str | None = None
    tfds_split: str = "train"
    tfds_data_dir: str | None = None
    stream: bool = False
    shuffle_buffer: int = 10_000
    verbose: str | int = "auto"

    def validate(self):
        """Raises a `ValueError` (or `FileNotFoundError`) naming the problem."""
        check_spec(self.dataset)
        if self.model not in MODELS:
            raise ValueError(
                f"Unknown model {self.model!r}; expected one of {MODELS}."
            )
        if self.seq_len < 2:
            raise ValueError(f"seq_len must be at least 2, got {self.seq_len}.")
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"Unknown strategy {self.strategy!r}; expected one of {STRATEGIES}."
            )
        if self.cell is not None and self.cell not in CELLS:
            raise ValueError(
                f"Unknown cell {self.cell!r}; expected one of {CELLS}."
            )
        if self.model == "rgan" and self.cell not in (None, "lstm"):
            raise ValueError(
                f"--cell={self.cell} needs --model=crgan or timegan; rgan is "
                "an LSTM GAN."
            )
        if self.model != "crgan" and self.condition_steps:
            raise ValueError("condition_steps needs --model=crgan.")
        if (self.id_column or self.time_column) and not self.dataset.startswith(
            "csv:"
        ):
            raise ValueError("id_column and time_column need csv:PATH data.")
        if self.time_column and not self.id_column:
            raise ValueError(
                "time_column needs id_column (the sequence of each row)."
            )
        if self.id_column and self.model == "timegan":
            raise ValueError(
                "timegan does not learn variable lengths; use rgan or crgan "
                "with id_column."
            )
        if self.stream and (
            not self.dataset.startswith("csv:") or self.id_column
        ):
            raise ValueError(
                "stream reads one long csv:PATH series (no id_column) in chunks."
            )
        if self.stream and self.stride > self.seq_len:
            raise ValueError(
                f"stream needs stride <= seq_len, got {self.stride} > {self.seq_len}."
            )
        if not isinstance(self.shuffle_buffer, int) or self.shuffle_buffer < 1:
            raise ValueError(
                f"shuffle_buffer must be a positive integer, got {self.shuffle_buffer!r}."
            )
        if self.id_column and self.condition_steps:
            raise ValueError(
                "condition_steps needs fixed-length sequences; variable-length "
                "data (id_column) trains with condition_steps=0."
            )
        if self.embedding_epochs < 0 or self.supervised_epochs < 0:
            raise ValueError(
                "embedding_epochs and supervised_epochs must be >= 0, got "
                f"{self.embedding_epochs} and {self.supervised_epochs}."
            )
        if not 0 <= self.condition_steps < self.seq_len:
            raise ValueError(
                f"condition_steps must be in [0, seq_len={self.seq_len}), "
                f"got {self.condition_steps}."
            )
        check_noise_sizes(self.latent_dim, self.sequence_latent_dim)
        if self.epochs is not None and (
            not isinstance(self.epochs, int) or self.epochs < 1
        ):
            raise ValueError(
                "epochs must be a positive integer (or None for "
                f"{DEFAULT_TRAIN_STEPS} train steps), got {self.epochs!r}."
            )
        if any(not isinstance(u, int) or u < 1 for u in self.dense_units):
            raise ValueError(
                f"dense_units must be positive integers, got {self.dense_units}."
            )
        for name in (
            "batch_size",
            "units",
            "num_layers",
            "stride",
            "num_sequences",
            "num_features",
            "steps_per_execution",
            "d_steps",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{name} must be a positive integer, got {value!r}."
                )
        for name in ("g_learning_rate", "d_learning_rate"):
            if not getattr(self, name) > 0:
                raise ValueError(
                    f"{name} must be positive, got {getattr(self, name)}."
                )
        if not 0 <= self.holdout_fraction < 1:
            raise ValueError(
                f"holdout_fraction must be in [0, 1), got {self.holdout_fraction}."
            )
        if not isinstance(self.select_every, int) or self.select_every < 0:
            raise ValueError(
                "select_every must be a non-negative integer, got "
                f"{self.select_every!r}."
            )
        if self.select_every and (reason := selection_unsupported(self)):
            raise ValueError(reason)
        if self.loss not in LOSSES:
            raise ValueError(
                f"Unknown GAN loss {self.loss!r}; expected one of {sorted(LOSSES)}."
            )
        if self.clipnorm is not None and not self.clipnorm > 0:
            raise ValueError(f"clipnorm must be positive, got {self.clipnorm}.")
        if not 0 <= self.generator_ema < 1:
            raise ValueError(
                f"generator_ema must be in [0, 1), got {self.generator_ema}."
            )
        if self.unroll not in UNROLL:
            raise ValueError(
                f"Unknown unroll {self.unroll!r}; expected one of {UNROLL}."
            )
        if self.lr_decay not in LR_DECAYS:
            raise ValueError(
                f"Unknown lr_decay {self.lr_decay!r}; expected one of {LR_DECAYS}."
            )
        if self.lr_decay == "cosine" and self.model == "timegan":
            raise ValueError(
                "lr_decay needs --model=rgan or crgan; timegan trains in phases "
                "with constant learning rates."
            )
        if not 0 <= self.beta_1 < 1:
            raise ValueError(f"beta_1 must be in [0, 1), got {self.beta_1}.")
        kind, _, path = self.dataset.partition(":")
        if kind in ("csv", "npy", "npz") and not os.path.isfile(path):
            raise FileNotFoundError(f"No such file: {path}")
        if self.export_dir and os.path.isfile(self.export_dir):
            raise ValueError(
                f"The export path {self.export_dir} is a file, not a folder."
            )
        if self.model_dir:
            if os.path.isfile(self.model_dir):
                raise ValueError(
                    f"The model_dir {self.model_dir} is a file, not a folder."
                )
            if os.path.exists(os.path.join(self.model_dir, MODEL_FILE)):
                raise ValueError(
                    f"{self.model_dir} already holds a trained {MODEL_FILE}; "
                    "choose another model_dir or move it away."
                )
            self._check_resumable()

    def to_json(self):
        return {
            k: v for k, v in dataclasses.asdict(self).items() if k != "verbose"
        }

    def _check_resumable(self):
        """A backup in model_dir must come from the same configuration."""
        path = os.path.join(self.model_dir, CONFIG_FILE)
        if not os.path.exists(os.path.join(self.model_dir, BACKUP_DIR)):
            return
        if not os.path.exists(path):
            raise ValueError(
                f"{self.model_dir} holds a backup but no {CONFIG_FILE}; it was "
                "not written by keras-rgan train."
            )
        with open(path) as f:
            earlier = json.load(f)
        changed = [
            f"{name} was {earlier.get(name)!r}, now {value!r}"
            for name, value in self.to_json().items()
            if name not in RESUMABLE_CHANGES and earlier.get(name) != value
        ]
        if changed:
            raise ValueError(
                f"{self.model_dir} holds a training to resume with another "
                f"configuration: {'; '.join(changed)}. Use the same flags or "
                "another model_dir."
            )


@dataclasses.dataclass
class TrainResult:
    model: keras.Model
    history: keras.callbacks.History
    export_path: str | None
    model_path: str | None
    feature_names: list
    seconds: float
    # The `KeepBestSamples` callback of `select_every` (scores, best epoch).
    selection: KeepBestSamples | None = None


def unrolled(config):
    """Whether `config` unrolls the recurrences: `unroll="on"`/`"off"`, or
    for `"auto"`, sequences of at most `AUTO_UNROLL_MAX_STEPS` steps on a
    machine without a GPU.

    >>> unrolled(TrainConfig(unroll="off")), unrolled(TrainConfig(seq_len=200))
    (False, False)
    """
    if config.unroll != "auto":
        return config.unroll == "on"
    return config.seq_len <= AUTO_UNROLL_MAX_STEPS and not (
        tf.config.list_physical_devices("GPU")
    )


def decays(config):
    """Whether `config`'s learning rates decay: `lr_decay="cosine"`, or
    `"auto"` (the default) for RGAN and CRGAN; TimeGAN's phases keep
    constant rates.

    >>> decays(TrainConfig()), decays(TrainConfig(model="timegan"))
    (True, False)
    """
    if config.lr_decay == "auto":
        return config.model != "timegan"
    return config.lr_decay == "cosine"


def num_epochs(config, steps_per_epoch):
    """`config.epochs`, or for `epochs=None` as many epochs of
    `steps_per_epoch` train steps as make about `DEFAULT_TRAIN_STEPS` (at
    least one).

    >>> num_epochs(TrainConfig(), steps_per_epoch=70)  # Sines
    120
    >>> num_epochs(TrainConfig(epochs=3), steps_per_epoch=70)
    3
    """
    if config.epochs is not None:
        return config.epochs
    return max(1, round(DEFAULT_TRAIN_STEPS / max(1, steps_per_epoch)))


def learning_rate(config, initial, updates_per_step, steps_per_epoch):
    """`initial`, or if `config` `decays` a schedule that falls from it to 0
    along a half cosine over the whole run (`num_epochs * steps_per_epoch`
    train steps, each making `updates_per_step` updates of the optimizer).

    >>> config = TrainConfig(epochs=2, lr_decay="cosine")
    >>> schedule = learning_rate(config, 1e-3, 1, steps_per_epoch=10)
    >>> [round(float(schedule(step)), 6) for step in (0, 10, 20)]
    [0.001, 0.0005, 0.0]
    """
    if not decays(config):
        return initial
    return keras.optimizers.schedules.CosineDecay(
        initial,
        decay_steps=num_epochs(config, steps_per_epoch)
        * steps_per_epoch
        * updates_per_step,
    )


def steps_per_execution(config, repeated_steps_per_epoch=None):
    """`config.steps_per_execution`, or for data repeated across epochs
    (`repeated_steps_per_epoch` batches an epoch) its largest divisor up to
    that: Keras runs whole executions, so on repeated data one that does not
    tile the epoch would run past the epoch's end. Under a
    `MultiWorkerMirroredStrategy` scope, or any strategy with more than one
    replica: 1 (Keras's multi-step loop fails there with "You must feed a
    value for placeholder"; seen with `MirroredStrategy` on two devices).

    >>> steps_per_execution(TrainConfig(), 24), steps_per_execution(TrainConfig())
    (24, 32)
    """
    strategy = tf.distribute.get_strategy()
    if (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        or strategy.num_replicas_in_sync > 1
    ):
        return 1
    if not repeated_steps_per_epoch:
        return config.steps_per_execution
    return max(
        d
        for d in range(1, config.steps_per_execution + 1)
        if repeated_steps_per_epoch % d == 0
    )


def build_model(
    config,
    num_features,
    scaler=None,
    labels=None,
    lengths=None,
    steps_per_epoch=None,
    repeated_steps_per_epoch=None,
):
    """Builds and compiles the GAN that `config` names.

    `labels` (the training labels) make it label-conditional: the number of
    classes and their frequencies come from them. `lengths` (of
    variable-length training sequences) make it learn their distribution.
    `steps_per_epoch` sets the length of a decaying learning rate
    (`lr_decay`); `repeated_steps_per_epoch`, for data repeated across
    epochs, the steps per execution (`steps_per_execution()`).
    """
    if decays(config) and not steps_per_epoch:
        raise ValueError(
            "lr_decay needs steps_per_epoch, the length of an epoch."
        )
    labelled = {}
    if lengths is not None:
        if config.model == "timegan":
            raise ValueError(
                "timegan does not learn variable lengths; use rgan or crgan."
            )
        counts = np.bincount(lengths, minlength=config.seq_len + 1)[1:]
        labelled["length_frequencies"] = (counts / counts.sum()).tolist()
    if labels is not None:
        if config.model == "timegan":
            raise ValueError(
                "timegan is not label-conditional; use rgan or crgan."
            )
        num_classes = int(labels.max()) + 1
        counts = np.bincount(labels, minlength=num_classes)
        labelled.update(
            num_classes=num_classes,
            label_frequencies=(counts / counts.sum()).tolist(),
        )
    sizes = dict(
        units=config.units,
        num_layers=config.num_layers,
        dense_units=config.dense_units,
        unroll=unrolled(config),
    )
    if config.model == "timegan":
        model = TimeGAN(
            seq_len=config.seq_len,
            num_features=num_features,
            hidden_dim=config.units,
            num_layers=config.num_layers,
            cell=config.cell or "gru",
            latent_dim=config.latent_dim,
            embedding_epochs=config.embedding_epochs,
            supervised_epochs=config.supervised_epochs,
            sequence_latent_dim=config.sequence_latent_dim,
            unroll=sizes["unroll"],
            scaler=scaler,
            seed=config.seed,
        )
    elif config.model == "crgan":
        model = CRGAN(
            seq_len=config.seq_len,
            num_features=num_features,
            latent_dim=config.latent_dim,
            cell=config.cell or "tanh",
            condition_steps=config.condition_steps,
            sequence_latent_dim=config.sequence_latent_dim,
            per_step_logits=config.per_step_logits,
            scaler=scaler,
            seed=config.seed,
            **labelled,
            **sizes,
        )
    else:
        model = RGAN(
            generator=LSTMGenerator(num_features, **sizes),
            discriminator=LSTMDiscriminator(
                per_step_logits=config.per_step_logits, **sizes
            ),
            seq_len=config.seq_len,
            latent_dim=config.latent_dim,
            sequence_latent_dim=config.sequence_latent_dim,
            scaler=scaler,
            seed=config.seed,
            **labelled,
        )
    model.compile(
        g_optimizer=keras.optimizers.Adam(
            learning_rate(config, config.g_learning_rate, 1, steps_per_epoch),
            beta_1=config.beta_1,
            use_ema=config.generator_ema > 0,
            ema_momentum=config.generator_ema or 0.99,
            clipnorm=config.clipnorm,
        ),
        d_optimizer=keras.optimizers.Adam(
            learning_rate(
                config, config.d_learning_rate, config.d_steps, steps_per_epoch
            ),
            beta_1=config.beta_1,
            clipnorm=config.clipnorm,
        ),
        loss=config.loss,
        d_steps=config.d_steps,
        steps_per_execution=steps_per_execution(
            config, repeated_steps_per_epoch
        ),
        jit_compile=config.jit_compile,
    )
    return model


def make_strategy(name):
    """The `tf.distribute` strategy named by `--strategy`.

    `mirrored` and `multi_worker` are made once per process and then reused:
    two `MirroredStrategy` objects in one process hand out the same
    collective-op keys, so training under the second fails ("Shape mismatch
    in the collective instance") once the models differ. Code that trains
    under its own mirrored strategy beside `train` should use this one.
    `multi_worker` is `MultiWorkerMirroredStrategy`, configured by the
    `TF_CONFIG` environment variable of each worker process; create it before
    any other TensorFlow work in the process.

    >>> make_strategy("default") is tf.distribute.get_strategy()
    True
    """
    if name in ("mirrored", "multi_worker"):
        return _process_strategy(name)
    return tf.distribute.get_strategy()


@functools.cache
def _process_strategy(name):
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.MultiWorkerMirroredStrategy()


def is_chief(strategy):
    """Whether this process writes exports (the chief, or worker 0)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    cluster = resolver.cluster_spec().as_dict()
    return (
        resolver.task_type == "worker"
        and resolver.task_id == 0
        and ("chief" not in cluster)
    )


def worker_dir(path, strategy):
    """`path` on the chief; a per-worker subfolder on other workers."""
    if is_chief(strategy):
        return path
    resolver = strategy.cluster_resolver
    return os.path.join(path, f"{resolver.task_type}_{resolver.task_id}")


@dataclasses.dataclass
class StreamedData:
    """A CSV series streamed rather than loaded: its training windows are
    read from the file each epoch. `sequences` holds the first windows only
    (for pictures and shapes)."""

    path: str
    feature_names: list
    num_windows: int
    num_rows: int
    sequences: np.ndarray
    labels: None = None
    lengths: None = None


def load_streamed(config):
    """Checks a streamed CSV in passes over the file and fits the scaler on
    its training rows; returns `(StreamedData, scaler)`."""
    path = config.dataset.partition(":")[2]
    with open(path, "rb") as f:
        num_rows = sum(1 for line in f if line.strip()) - 1
    total = streaming.num_windows(num_rows, config.seq_len, config.stride)
    overlap = -(-(config.seq_len - 1) // config.stride)
    held_out = int(round(config.holdout_fraction * total))
    train_windows = total - held_out - (overlap if held_out else 0)
    if train_windows < config.batch_size:
        raise ValueError(
            f"{config.dataset} gives {max(train_windows, 0)} training windows, "
            f"fewer than batch_size={config.batch_size}."
        )
    train_rows = (train_windows - 1) * config.stride + config.seq_len
    stats = streaming.csv_statistics(path, config.columns, num_rows=train_rows)
    scaler = MinMaxScaler(stats.data_min.tolist(), stats.data_max.tolist())
    sample = next(
        iter(
            streaming.stream_windows(
                path,
                config.seq_len,
                min(256, train_windows),
                None,
                config.columns,
                config.stride,
                num_rows=train_rows,
                shuffle_buffer=1,
            )
        )
    ).numpy()
    return StreamedData(
        path, stats.feature_names, train_windows, train_rows, sample
    ), scaler


def batches_per_epoch(config, data):
    """Train steps in one epoch of `data` (full batches only).

    >>> data, _ = load_data(TrainConfig(num_sequences=100, batch_size=32))
    >>> batches_per_epoch(TrainConfig(batch_size=32), data)  # 90 trained on
    2
    """
    if isinstance(data, StreamedData):
        return data.num_windows // config.batch_size
    return len(data.sequences) // config.batch_size


def training_dataset(config, data, scaler):
    """`(dataset, steps_per_epoch)` of the training data, scaled."""
    if isinstance(data, StreamedData):
        dataset = streaming.stream_windows(
            data.path,
            config.seq_len,
            config.batch_size,
            scaler,
            config.columns,
            config.stride,
            num_rows=data.num_rows,
            shuffle_buffer=config.shuffle_buffer,
            seed=config.seed,
        )
        return dataset.repeat(), batches_per_epoch(config, data)
    dataset = make_dataset(
        scaler.transform(data.sequences),
        config.batch_size,
        seed=config.seed,
        labels=data.labels,
        lengths=data.lengths,
    )
    return dataset, None


def load_data(config):
    """Validates `config` and loads its data, before any training starts.

    The last `holdout_fraction` of the sequences is held out (for windows of
    one series, with the windows that overlap it dropped too) and never
    trained on; `keras-rgan evaluate` rebuilds the same split.

    Returns:
        A tuple `(data, scaler)`: the training `SequenceData` in original
        units and a `MinMaxScaler` fitted on it.
    """
    if config.stream:
        config.validate()
        return load_streamed(config)
    data, _ = load_split(config)
    if len(data.sequences) < config.batch_size:
        raise ValueError(
            f"{config.dataset} gives {len(data.sequences)} training sequences, "
            f"fewer than batch_size={config.batch_size}."
        )
    return data, MinMaxScaler().fit(data.valid_steps())


def load_split(config):
    """The `(train, held_out)` `SequenceData` pair of `config`'s data set."""
    config.validate()
    data = load_sequences(
        config.dataset,
        seq_len=config.seq_len,
        stride=config.stride,
        columns=config.columns,
        num_sequences=config.num_sequences,
        num_features=config.num_features,
        seed=config.seed,
        id_column=config.id_column,
        time_column=config.time_column,
        tfds_split=config.tfds_split,
        tfds_data_dir=config.tfds_data_dir,
    )
    windows_of_one_series = (
        config.dataset == "stocks" or config.dataset.startswith("csv:")
    )
    overlap = (
        -(-(config.seq_len - 1) // config.stride)
        if windows_of_one_series
        else 0
    )
    if config.conditional and data.labels is None:
        raise ValueError(
            f"--conditional needs labelled data; {config.dataset} has no labels "
            "(use npz:PATH with arrays x and labels)."
        )
    if not config.conditional:
        data.labels = None
    train, held_out = holdout_split(
        data.sequences, config.holdout_fraction, overlap
    )
    return (
        data.subset(slice(0, len(train))),
        data.subset(slice(len(data.sequences) - len(held_out), None)),
    )


DATA_FIELDS = (
    "dataset",
    "seq_len",
    "stride",
    "columns",
    "num_sequences",
    "num_features",
    "seed",
    "holdout_fraction",
    "conditional",
    "id_column",
    "time_column",
    "tfds_split",
    "tfds_data_dir",
)


def data_config(config):
    """The fields of `config` that fix its data and split, as a dict."""
    return {name: getattr(config, name) for name in DATA_FIELDS}


def selection_unsupported(config):
    """Why `config` cannot select by sample quality, or None if it can.

    >>> selection_unsupported(TrainConfig()) is None
    True
    >>> selection_unsupported(TrainConfig(stream=True))[:40]
    'select_every needs fixed-length sequence'
    """
    if config.strategy == "multi_worker":
        return (
            "select_every is not supported with strategy=multi_worker: "
            "each worker would pick its own epoch."
        )
    if config.stream or config.id_column:
        return (
            "select_every needs fixed-length sequences loaded in memory "
            "(no stream, no id_column)."
        )
    return None


def sample_selection(config, data):
    """The `KeepBestSamples` callback `config.select_every` asks for, or None.

    It scores samples against at most `SELECTION_SEQUENCES` training
    sequences (drawn with `config.seed`): the distribution the generator
    learns. Held-out sequences would not do for windows of one series, whose
    held-out part is its latest stretch, often outside the trained range.
    """
    every = config.select_every
    if not every:
        return None
    rng = np.random.default_rng(config.seed)
    return KeepBestSamples(
        subsample(data.sequences, SELECTION_SEQUENCES, rng),
        every=every,
        seed=config.seed,
        verbose=config.verbose not in (0, False),
    )


def selection_metadata(selection):
    """What an export records of a `KeepBestSamples` run (empty without)."""
    if selection is None:
        return {}
    return {
        "selection": {
            "every": selection.every,
            "best_epoch": selection.best_epoch,
            "discriminative_scores": {
                str(epoch): round(score, 4)
                for epoch, score in selection.scores.items()
            },
        }
    }


def train(config, callbacks=None, data=None):
    """Trains a GAN as `config` says, saves it and exports it.

    Loads the data in original units, fits the scaler on it, trains with
    `model.fit` on a tf.data pipeline, saves `model_dir/model.keras` (if
    `model_dir` is set) and exports the next version under `export_dir`
    (if set).

    With `model_dir`, `keras.callbacks.BackupAndRestore` keeps the state of
    the last completed epoch in `model_dir/backup/` and `model_dir/last.keras`
    holds the model of that epoch: the same call after a crash resumes from
    there (a resume with another configuration, but for `epochs`, is
    refused). A NaN or infinite loss stops training with `TrainingDiverged`
    naming the step; the backup and `last.keras` keep the last good weights.
    `model_dir/logs/` holds TensorBoard scalars (losses, the discriminator's
    accuracy on real and on generated sequences) and, each epoch, an image of
    generated sequences beside real ones: `tensorboard --logdir model_dir/logs`.
    With `select_every`, the saved and exported model is the one of the epoch
    whose samples scored best (`KeepBestSamples`, `sample_selection`); after
    a resume, only the epochs trained since count.

    Args:
        config: a `TrainConfig`.
        callbacks: list of extra Keras callbacks.
        data: the `(data, scaler)` pair of `load_data(config)`, if already
            loaded.

    Returns:
        A `TrainResult`.

    Example:

    >>> result = train(TrainConfig(num_sequences=64, batch_size=32,
    ...                            seq_len=8, units=4, epochs=1, verbose=0))
    >>> result.model.generate(2, seed=0).shape
    (2, 8, 5)
    """
    # A multi-worker strategy must exist before other TensorFlow work.
    strategy = make_strategy(config.strategy)
    data, scaler = data or load_data(config)
    # epochs=None resolved here: saved, exported and resumed as a number.
    config = dataclasses.replace(
        config, epochs=num_epochs(config, batches_per_epoch(config, data))
    )
    selection = sample_selection(config, data)
    keras.utils.set_random_seed(config.seed)
    if config.deterministic:
        # Same seed, same machine -> bit-identical weights and samples.
        tf.config.experimental.enable_op_determinism()
    dataset, steps_per_epoch = training_dataset(config, data, scaler)
    with strategy.scope():
        model = build_model(
            config,
            data.sequences.shape[-1],
            scaler,
            data.labels,
            data.lengths,
            steps_per_epoch=batches_per_epoch(config, data),
            repeated_steps_per_epoch=steps_per_epoch,
        )
    model_dir = config.model_dir and worker_dir(config.model_dir, strategy)
    callbacks = list(callbacks or []) + [DivergenceGuard()]
    if selection:
        callbacks.append(selection)
    if model_dir:
        os.makedirs(model_dir, exist_ok=True)
        with open(os.path.join(model_dir, CONFIG_FILE), "w") as f:
            json.dump(config.to_json(), f, indent=2)
        if is_chief(strategy):
            log_dir = os.path.join(model_dir, LOG_DIR)
            callbacks += [
                keras.callbacks.TensorBoard(log_dir=log_dir),
                SampleImages(log_dir, real=data.sequences),
            ]
        callbacks += [
            keras.callbacks.BackupAndRestore(
                os.path.join(model_dir, BACKUP_DIR), double_checkpoint=True
            ),
            # The whole model at the end of each completed epoch.
            keras.callbacks.ModelCheckpoint(os.path.join(model_dir, LAST_FILE)),
        ]
    start = time.perf_counter()
    try:
        history = model.fit(
            dataset,
            epochs=config.epochs,
            steps_per_epoch=steps_per_epoch,
            callbacks=callbacks,
            shuffle=False,
            verbose=config.verbose,
        )
    except TrainingDiverged as error:
        where = (
            f"the last good weights (end of the last completed epoch) are in "
            f"{os.path.join(model_dir, BACKUP_DIR)}"
            if model_dir
            else "no weights were kept: pass model_dir to keep the last good ones"
        )
        raise TrainingDiverged(f"Training diverged: {error} {where}.") from None
    seconds = time.perf_counter() - start
    model_path = None
    if model_dir:
        os.makedirs(model_dir, exist_ok=True)
        model_path = os.path.join(model_dir, MODEL_FILE)
        model.save(model_path)
    export_path = None
    if config.export_dir and is_chief(strategy):
        export_path = export_saved_model(
            model,
            config.export_dir,
            feature_names=data.feature_names,
            metadata={
                "data": data_config(config),
                "history": history.history,
                "training_seconds": round(seconds, 1),
                **selection_metadata(selection),
            },
        )
    return TrainResult(
        model,
        history,
        export_path,
        model_path,
        data.feature_names,
        seconds,
        selection,
    )
