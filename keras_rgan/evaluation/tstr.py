"""Train on synthetic, test on real (TSTR) for label-conditional models."""

import keras
import numpy as np

from keras_rgan.evaluation.post_hoc import fit_steps
from keras_rgan.evaluation.post_hoc import gru_model
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import shuffled_batches


def tstr_accuracy(
    synthetic,
    synthetic_labels,
    real,
    real_labels,
    num_classes,
    scaler=None,
    steps=2000,
    batch_size=128,
    seed=0,
):
    """Accuracy on real labelled sequences of a classifier trained on synthetic.

    The TSTR score of Esteban et al. (2017): a fresh one-layer GRU classifier
    (hidden = features // 2, at least 1) learns the labels of synthetic
    sequences generated for those labels, then classifies the real sequences.
    Compare with chance (`1 / num_classes`) and with the same classifier
    trained on real data.

    Returns:
        float, the accuracy on `real`.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> x = sine_waves(200, 8, 2, seed=0)
    >>> labels = (x[:, -1, 0] > np.median(x[:, -1, 0])).astype(int)
    >>> tstr_accuracy(x, labels, x, labels, num_classes=2, steps=1000) > 0.8
    True
    """
    real, synthetic = scale_pair(real, synthetic, scaler)
    for name, labels, x in (
        ("synthetic_labels", synthetic_labels, synthetic),
        ("real_labels", real_labels, real),
    ):
        labels = np.asarray(labels)
        if labels.shape != (len(x),):
            raise ValueError(
                f"{name} must have shape ({len(x)},), got {labels.shape}."
            )
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(f"{name} must lie in [0, {num_classes}).")
    model = gru_model(real.shape[-1], outputs=num_classes, seed=seed)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    batches = shuffled_batches(
        (synthetic, np.asarray(synthetic_labels)), batch_size, seed
    )
    fit_steps(model, batches, steps, loss)
    predictions = model.predict(real, batch_size=1024, verbose=0).argmax(
        axis=-1
    )
    return float(np.mean(predictions == np.asarray(real_labels)))
