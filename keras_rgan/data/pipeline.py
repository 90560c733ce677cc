"""The tf.data input pipeline for GAN training."""

import numpy as np
import tensorflow as tf

from keras_rgan.data.windowing import step_mask


def make_dataset(
    x,
    batch_size,
    seed=None,
    shuffle=True,
    labels=None,
    lengths=None,
    attributes=None,
    sampled_steps=None,
):
    """Builds a shuffled, batched, prefetched `tf.data.Dataset` of sequences.

    Batches have a static shape (`drop_remainder=True`), which keeps XLA and
    `tf.distribute` from retracing; one epoch is `len(x) // batch_size` steps.

    Args:
        x: float32 array `(n, seq_len, num_features)`, already scaled.
        batch_size: int. Global batch size.
        seed: int or None. Shuffle seed; the order changes every epoch but is
            the same for every run with the same seed.
        shuffle: bool. Whether to shuffle.
        labels: int array `(n,)` or None. With labels, the dataset yields
            `(sequences, labels)` pairs, as label-conditional models expect.
        lengths: int array `(n,)` or None. For variable-length sequences:
            each one's length. The sequences then come as a dict
            `{"sequences", "lengths"}`, with steps past each length zeroed.
        attributes: float32 `(n, attribute_dim)` or None. Encoded static
            attributes per sequence (a table's `static_columns`); the
            sequences then come as a dict with `"attributes"`.

    Returns:
        A `tf.data.Dataset` yielding float32 `(batch_size, seq_len, features)`
        (and int32 `(batch_size,)` labels).

    Example:

    >>> import numpy as np
    >>> ds = make_dataset(np.zeros((10, 24, 5), "float32"), batch_size=4)
    >>> ds.element_spec.shape
    TensorShape([4, 24, 5])
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    count = len(x)
    if len(x) < batch_size:
        raise ValueError(
            f"Only {len(x)} sequences, fewer than batch_size={batch_size}: "
            "no full batch can be made. Lower batch_size or add data."
        )
    if labels is not None and len(labels) != len(x):
        raise ValueError(f"{len(labels)} labels for {len(x)} sequences.")
    if lengths is not None:
        lengths = np.asarray(lengths)
        if lengths.shape != (len(x),):
            raise ValueError(f"{lengths.shape} lengths for {len(x)} sequences.")
        if lengths.min() < 1 or lengths.max() > x.shape[1]:
            raise ValueError(
                f"lengths must lie in [1, {x.shape[1]}], got {lengths.min()} "
                f"to {lengths.max()}."
            )
        x = {
            "sequences": x * step_mask(lengths, x.shape[1])[..., None],
            "lengths": lengths.astype("int32"),
        }
    if attributes is not None:
        if len(attributes) != count:
            raise ValueError(
                f"{len(attributes)} attribute rows for {count} sequences."
            )
        if not isinstance(x, dict):
            x = {"sequences": x}
        x["attributes"] = np.asarray(attributes, np.float32)
    elements = x if labels is None else (x, labels.astype("int32"))
    if sampled_steps is not None:
        return _sampled_batches(
            elements, count, batch_size, sampled_steps, seed
        )
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(
            count, seed=seed, reshuffle_each_iteration=True
        )
    dataset = dataset.batch(batch_size, drop_remainder=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _sampled_batches(elements, count, batch_size, steps, seed):
    """`steps` batches of `batch_size` of the `count` rows of `elements`,
    each a fresh uniform draw without replacement."""
    if steps < 1:
        raise ValueError(f"sampled_steps must be positive, got {steps}.")
    tensors = tf.nest.map_structure(tf.constant, elements)

    def batch(draw_seed):
        keys = tf.random.stateless_uniform(
            [count], seed=tf.stack([draw_seed, tf.constant(0, tf.int64)])
        )
        rows = tf.math.top_k(keys, k=batch_size, sorted=False).indices
        return tf.nest.map_structure(lambda t: tf.gather(t, rows), tensors)

    dataset = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    return dataset.take(steps).map(batch).prefetch(tf.data.AUTOTUNE)
