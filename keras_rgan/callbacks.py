"""Keras callbacks the package adds to training."""

import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

# `KeepBestSamples.for_data` scores against at most this many training
# sequences. The classifiers' cost barely grows with the set (2,000 steps
# each), their noise shrinks: two scores of Sines against Sines were 0.008
# and 0.032 with 1,000 sequences, 0.002 and 0.003 with 9,000 (14.7 s against
# 19.4 s on a 2-core CPU).
SELECTION_SEQUENCES = 10_000


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite during training.

    Example:

    >>> issubclass(TrainingDiverged, RuntimeError)
    True
    """


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training with `TrainingDiverged` when a logged loss is NaN or inf.

    It raises at the end of the batch where it sees the bad value, before the
    epoch ends, so checkpoints written at epoch ends (`BackupAndRestore`)
    keep the last good weights. With `steps_per_execution > 1` Keras reports
    once per execution, so the message names the steps it covered.

    Example:

    >>> guard = DivergenceGuard()
    >>> guard.set_params({"steps": 10})
    >>> guard.on_train_batch_end(3, {"d_loss": 0.7})  # batches 1 to 4
    >>> try:
    ...     guard.on_train_batch_end(4, {"d_loss": float("nan")})
    ... except TrainingDiverged as err:
    ...     print(err)
    d_loss became nan at step 5 (epoch 1, batch 5).
    """

    def __init__(self):
        super().__init__()
        self.epoch = 0
        self.batches_seen = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.batches_seen = 0

    def on_train_batch_end(self, batch, logs=None):
        steps = self.params.get("steps") or 0
        # Keras passes an execution's last batch index, past the epoch's
        # end when the last execution is short.
        first, last = self.batches_seen + 1, min(batch + 1, steps or batch + 1)
        self.batches_seen = last
        for name, value in (logs or {}).items():
            value = float(value)
            if not math.isfinite(value):
                offset = self.epoch * steps
                if first >= last:
                    where = (
                        f"at step {offset + last} "
                        f"(epoch {self.epoch + 1}, batch {last})"
                    )
                else:
                    where = (
                        f"in steps {offset + first} to {offset + last} "
                        f"(epoch {self.epoch + 1}, batches {first} to {last})"
                    )
                raise TrainingDiverged(f"{name} became {value} {where}.")


def _check_positive_integers(**values):
    """Raises a `ValueError` naming the first value that is not an int >= 1."""
    for name, value in values.items():
        if (
            not isinstance(value, (int, np.integer))
            or isinstance(value, bool)
            or value < 1
        ):
            raise ValueError(
                f"{name} must be a positive integer, got {value!r}."
            )


# At most this many features get a row in the `SampleImages` grid.
_MAX_FEATURES = 4


def _check_num_features(model, real):
    """Refuse `real` sequences whose features do not match `model`'s output."""
    num_features = getattr(model, "num_features", None)
    if num_features is not None and num_features != real.shape[-1]:
        raise ValueError(
            f"real has {real.shape[-1]} features per step but the "
            f"model generates {num_features}."
        )


def _draw_sequences(figure, real, generated, max_features=_MAX_FEATURES):
    """Draws real (left) and generated (right) sequences, one row per feature.

    `real` and `generated` are `(n, seq_len, num_features)` arrays; each
    panel plots the `n` sequences of one feature over time, and the two
    panels of a row share their y axis.
    """
    rows = min(real.shape[-1], max_features)
    axes = figure.subplots(rows, 2, sharex=True, squeeze=False)
    for k in range(rows):
        for column, (data, title) in enumerate(
            ((real, "real"), (generated, "generated"))
        ):
            axis = axes[k, column]
            axis.plot(data[:, :, k].T, linewidth=1)
            if k == 0:
                axis.set_title(title)
            if column == 0:
                axis.set_ylabel(f"feature {k}")
        axes[k, 1].sharey(axes[k, 0])
    for axis in axes[-1]:
        axis.set_xlabel("time step")


class SampleImages(keras.callbacks.Callback):
    """Writes generated beside real sequences to TensorBoard after epochs.

    At the end of every `every`-th epoch the model generates `num_samples`
    sequences from the fixed `seed` (the same noise at every epoch, so the
    images show how the generator's output evolves) and the callback writes
    an image: one row per feature (the first 4), real sequences on the left,
    generated ones on the right. The image goes to `<log_dir>/images` under
    the tag `name`, with the epoch (from 0) as step, as Keras's `TensorBoard`
    callback uses for its epoch scalars; view it with
    `tensorboard --logdir <log_dir>`.

    Args:
        log_dir: str or path. TensorBoard log directory.
        real: float array `(n, seq_len, num_features)` of real sequences in
            the data's original units (those `generate` returns). The first
            `num_samples` are drawn.
        num_samples: int. Generated (and at most real) sequences per image.
        seed: int. Seed of the generated sequences (and, for a
            label-conditional model, of their labels).
        every: int. Write an image every `every` epochs (the `every`-th,
            `2 * every`-th... epoch).
        name: str. Tag of the image summaries.

    Example:

    >>> import os, tempfile
    >>> import keras_rgan
    >>> x = keras_rgan.data.sine_waves(n=16, seq_len=8, dim=2, seed=0)
    >>> gan = keras_rgan.RGAN(
    ...     generator=keras_rgan.LSTMGenerator(num_features=2, units=4),
    ...     discriminator=keras_rgan.LSTMDiscriminator(units=4),
    ...     seq_len=8, latent_dim=2, seed=0)
    >>> gan.compile()
    >>> log_dir = tempfile.mkdtemp()
    >>> history = gan.fit(x, batch_size=8, epochs=1, verbose=0,
    ...                   callbacks=[SampleImages(log_dir, real=x)])
    >>> [f.startswith("events.out.tfevents")
    ...  for f in os.listdir(os.path.join(log_dir, "images"))]
    [True]
    """

    def __init__(
        self, log_dir, real, num_samples=4, seed=0, every=1, name="samples"
    ):
        super().__init__()
        real = np.asarray(real, dtype=np.float32)
        if real.ndim != 3 or not len(real):
            raise ValueError(
                "real must be a non-empty array (n, seq_len, num_features), "
                f"got shape {real.shape}."
            )
        _check_positive_integers(num_samples=num_samples, every=every)
        self.log_dir = os.fspath(log_dir)
        self.real = real[:num_samples]
        self.num_samples = int(num_samples)
        self.seed = seed
        self.every = int(every)
        self.name = name
        self._writer = None

    def on_train_begin(self, logs=None):
        _check_num_features(self.model, self.real)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        # Agg objects only: no pyplot, so no global figure state or backend.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        generated = self.model.generate(self.num_samples, seed=self.seed)
        figure = Figure(
            figsize=(8, 1.6 * min(self.real.shape[-1], _MAX_FEATURES) + 0.8),
            dpi=100,
            layout="constrained",
        )
        _draw_sequences(figure, self.real, generated)
        figure.suptitle(f"epoch {epoch + 1}")
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(
                os.path.join(self.log_dir, "images")
            )
        with self._writer.as_default():
            tf.summary.image(self.name, pixels[None], step=epoch)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _optimizers(model):
    """The optimizers a GAN holds as attributes (g_optimizer,
    d_optimizer...)."""
    return [
        value
        for _, value in sorted(vars(model).items())
        if isinstance(value, keras.optimizers.Optimizer)
    ]


class KeepBestSamples(keras.callbacks.Callback):
    """Scores generated sequences during training and keeps the best epoch.

    GAN losses do not say when samples are good, and sample quality swings
    from epoch to epoch. Every `every` epochs this callback generates as many
    sequences as `real` holds (from a fixed seed) and computes their
    discriminative score (`keras_rgan.evaluation.discriminative_score`, the
    mean of `classifier_runs` fresh classifiers) against `real` (a sample of
    the training sequences, say). At the end of training it restores
    the model (weights and optimizer state, so the averaged generator too) of
    the best-scoring epoch, as `EarlyStopping(restore_best_weights=True)` does
    with a validation loss. `scores` maps each scored epoch (from 1) to its
    score; `best_epoch` is the one restored; `seconds` is the time spent
    scoring.

    Args:
        real: float array `(n, seq_len, num_features)` in original units.
        every: int. Score every `every` epochs and after the last. A run of
            fewer than `every` epochs is not scored and keeps its last epoch.
        classifier_runs: int. Classifiers per score (their mean is used).
        classifier_steps: int. Training steps of each classifier.
        seed: int. Seeds the generated sequences and the classifiers.
        verbose: bool. Print each score.

    Example:

    >>> import keras_rgan
    >>> x = keras_rgan.data.sine_waves(n=64, seq_len=8, dim=2, seed=0)
    >>> gan = keras_rgan.RGAN(
    ...     generator=keras_rgan.LSTMGenerator(num_features=2, units=4),
    ...     discriminator=keras_rgan.LSTMDiscriminator(units=4),
    ...     seq_len=8, latent_dim=2, seed=0)
    >>> gan.compile()
    >>> keep = KeepBestSamples(x, every=1, classifier_runs=1,
    ...                        classifier_steps=20)
    >>> _ = gan.fit(x, batch_size=32, epochs=2, verbose=0, callbacks=[keep])
    >>> sorted(keep.scores), keep.best_epoch in keep.scores
    ([1, 2], True)
    """

    def __init__(
        self,
        real,
        every=10,
        classifier_runs=2,
        classifier_steps=1000,
        seed=0,
        verbose=False,
    ):
        super().__init__()
        real = np.asarray(real, dtype=np.float32)
        if real.ndim != 3 or len(real) < 5:
            raise ValueError(
                "real must be an array (n, seq_len, num_features) of at least "
                "5 sequences (the classifier tests on a fifth), got shape "
                f"{real.shape}."
            )
        if not np.isfinite(real).all():
            raise ValueError("real holds NaN or infinite values.")
        _check_positive_integers(
            every=every,
            classifier_runs=classifier_runs,
            classifier_steps=classifier_steps,
        )
        self.real = real
        self.every = int(every)
        self.classifier_runs = int(classifier_runs)
        self.classifier_steps = int(classifier_steps)
        self.seed = int(seed)
        self.verbose = verbose
        self.scores = {}
        self.best_epoch = None
        self.seconds = 0.0
        self._best_state = None

    @classmethod
    def for_data(cls, data, every, seed=0, verbose=False):
        """Scores against at most `SELECTION_SEQUENCES` training sequences of
        a `PreparedData` (drawn with `seed`): the distribution the generator
        learns. Held-out sequences would not do for windows of one series,
        whose held-out part is its latest stretch, often outside the
        trained range."""
        if not data.train_in_memory or data.train.lengths is not None:
            raise ValueError(
                "select_every needs fixed-length sequences loaded in memory "
                "(no stream, no id_column)."
            )
        from keras_rgan.evaluation.post_hoc import subsample

        real = subsample(
            data.train.sequences,
            SELECTION_SEQUENCES,
            np.random.default_rng(seed),
        )
        return cls(real, every=every, seed=seed, verbose=verbose)

    def metadata(self):
        """What an export records of the selection."""
        return {
            "every": self.every,
            "best_epoch": self.best_epoch,
            "discriminative_scores": {
                str(epoch): round(score, 4)
                for epoch, score in self.scores.items()
            },
        }

    def _state(self):
        variables = list(self.model.weights)
        for optimizer in _optimizers(self.model):
            variables += list(optimizer.variables)
        return variables

    def on_train_begin(self, logs=None):
        _check_num_features(self.model, self.real)
        self.scores, self.best_epoch, self._best_state = {}, None, None
        self.seconds = 0.0

    def score(self):
        """The discriminative score of the model's current samples."""
        # Imported here: keras_rgan.evaluation imports this module's peers.
        from keras_rgan.evaluation.discriminative import discriminative_scores

        synthetic = self.model.generate(len(self.real), seed=self.seed)
        scores = discriminative_scores(
            self.real,
            synthetic,
            runs=self.classifier_runs,
            seed=self.seed,
            scaler=getattr(self.model, "scaler", None),
            steps=self.classifier_steps,
        )
        return float(np.mean(scores))

    def on_epoch_end(self, epoch, logs=None):
        epochs = self.params.get("epochs") or 0
        if epochs < self.every:
            return  # One candidate at most: nothing to choose from.
        if (epoch + 1) % self.every and epoch + 1 != epochs:
            return
        start = time.perf_counter()
        score = self.score()
        self.seconds += time.perf_counter() - start
        self.scores[epoch + 1] = score
        if self.verbose:
            print(
                f"Epoch {epoch + 1}: discriminative score {score:.3f}",
                flush=True,
            )
        if self.best_epoch is None or score < self.scores[self.best_epoch]:
            self.best_epoch = epoch + 1
            self._best_state = [
                keras.ops.convert_to_numpy(v) for v in self._state()
            ]

    def on_train_end(self, logs=None):
        if self._best_state is None:
            return
        for variable, value in zip(self._state(), self._best_state):
            variable.assign(value)
        if self.verbose:
            print(
                f"Restored epoch {self.best_epoch} (discriminative score "
                f"{self.scores[self.best_epoch]:.3f}).",
                flush=True,
            )


class PrivacyBudget(keras.callbacks.Callback):
    """Logs the epsilon spent so far as `dp_epsilon` after each epoch, and
    stops training before an epoch would take it past the budget.

    The steps spent are counted from the discriminator's optimizer (its
    updates over `d_steps`), which `BackupAndRestore` restores: a resumed
    training counts the steps trained before it stopped. Place it before
    TensorBoard's callback, which then writes `dp_epsilon` too.

    Args:
        plan: a `keras_rgan.privacy.DpTraining`: the settings and the
            budget (`target_epsilon`, or None for none).
        steps_per_epoch: int. Batches per epoch.
        verbose: bool. Say when and why training stops.

    Example:

    >>> from keras_rgan.privacy import DpTraining
    >>> plan = DpTraining.planned(1000, 50, steps=100, target_epsilon=3.0)
    >>> budget = PrivacyBudget(plan, steps_per_epoch=20)
    >>> round(budget.plan.epsilon(100), 2) <= 3.0
    True
    """

    def __init__(self, plan, steps_per_epoch, verbose=True):
        super().__init__()
        self.plan = plan
        self.steps_per_epoch = steps_per_epoch
        self.verbose = verbose

    def steps_done(self):
        """Batches the discriminator has trained on (over all runs)."""
        return int(self.model.d_optimizer.iterations) // self.model.d_steps

    def record(self):
        """The plan's record (`DpTraining.record`) of the steps done."""
        return self.plan.record(self.steps_done())

    def on_epoch_end(self, epoch, logs=None):
        steps = self.steps_done()
        spent = self.plan.epsilon(steps)
        if logs is not None:
            logs["dp_epsilon"] = spent
        last = epoch + 1 >= self.params.get("epochs", epoch + 1)
        if not last and not self.plan.within_budget(
            steps + self.steps_per_epoch
        ):
            self.model.stop_training = True
            if self.verbose:
                print(
                    f"Stopping after epoch {epoch + 1}: epsilon {spent:.3f} "
                    f"spent, another epoch would exceed the budget "
                    f"{self.plan.target_epsilon:g}."
                )
