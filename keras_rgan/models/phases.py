"""Training in phases inside one `model.fit`, for models that train some
networks before others (TimeGAN, LatentGAN)."""

import keras


class PhaseSwitch(keras.callbacks.Callback):
    """Sets the model's training phase at each epoch and retraces the step."""

    def on_train_begin(self, logs=None):
        self.model.begin_phases(self.params.get("epochs"))

    def on_epoch_begin(self, epoch, logs=None):
        phase = self.model.current_phase()
        if phase != self.model.phase:
            self.model.phase = phase
            self.model.make_train_function(force=True)

    def on_epoch_end(self, epoch, logs=None):
        self.model.completed_epochs.assign_add(1)


class PhasedTraining:
    """Mixed into a `keras.Model` whose `train_step` branches on
    `self.phase`, a Python string that `current_phase()` derives from the
    completed epochs (a weight, so a resumed run continues in its phase).
    `fit` adds the `PhaseSwitch` callback itself.

    Call `init_phases()` at the end of `__init__`.
    """

    def init_phases(self):
        self.completed_epochs = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            name="completed_epochs",
        )
        self.phase = self.current_phase()

    def current_phase(self):
        """The phase the number of completed epochs puts training in."""
        raise NotImplementedError

    def begin_phases(self, epochs):
        """Called as `fit` begins, with its number of epochs (or None)."""
        del epochs

    def fit(self, *args, callbacks=None, **kwargs):
        """`keras.Model.fit`, with the phase switch added to the callbacks."""
        callbacks = list(callbacks or []) + [PhaseSwitch()]
        return super().fit(*args, callbacks=callbacks, **kwargs)
