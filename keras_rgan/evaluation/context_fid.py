"""Context-FID (Jeha et al., ICLR 2022; the score Diffusion-TS reports): the
Fréchet distance between real and synthetic sequences embedded by a TS2Vec
encoder (Yue et al., AAAI 2022) trained on the real data alone.

The encoder is TS2Vec's: a dense input projection, timestamps masked at
random while training, 10 residual blocks of dilated convolutions (64
channels, dilation 2^i) and a last block to 320 channels; it learns by
contrasting two overlapping random crops of each sequence, instance-wise and
over time, at every scale of a max-pooling pyramid (`hierarchical
contrastive loss`). A sequence's embedding is its representation
max-pooled over time. As in the reference, batches of 8 and 200 iterations
(600 when the data holds more than 100,000 values), AdamW at 1e-3.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import scale_pair

HIDDEN_CHANNELS = 64
OUTPUT_CHANNELS = 320
DEPTH = 10


class _ConvBlock(keras.layers.Layer):
    """GELU, dilated convolution, GELU, dilated convolution, plus the
    input (projected by a 1x1 convolution where the channels change)."""

    def __init__(self, channels, dilation, project, max_steps, seed, **kwargs):
        super().__init__(**kwargs)
        self.centre_tap_only = dilation >= max_steps
        init = keras.initializers.GlorotUniform
        self.first, self.second = (
            keras.layers.Conv1D(
                channels,
                3,
                padding="same",
                dilation_rate=dilation,
                kernel_initializer=init(seed + k),
            )
            for k in range(2)
        )
        self.projector = (
            keras.layers.Conv1D(channels, 1, kernel_initializer=init(seed + 2))
            if project
            else None
        )

    def call(self, x):
        residual = x if self.projector is None else self.projector(x)
        x = self._convolve(self.first, keras.activations.gelu(x))
        return self._convolve(self.second, keras.activations.gelu(x)) + residual

    def _convolve(self, conv, x):
        """`conv(x)`; at a dilation of at least the longest sequence the
        outer taps see only zero padding, so the centre tap alone gives the
        same result (TS2Vec's dilations reach 1,024: padding a 24-step
        window to over 2,000 steps costs 40 times the work)."""
        if self.centre_tap_only and conv.built:
            return tf.matmul(x, conv.kernel[1]) + conv.bias
        return conv(x)


class TS2VecEncoder(keras.Model):
    """TS2Vec's encoder: `(batch, steps, features)` to `(batch, steps, 320)`,
    for sequences of at most `max_steps` steps.

    Example:

    >>> encoder = TS2VecEncoder(num_features=3, max_steps=24)
    >>> encoder(np.zeros((2, 24, 3), np.float32)).shape
    TensorShape([2, 24, 320])
    """

    def __init__(self, num_features, max_steps, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.num_features = num_features
        self.max_steps = max_steps
        self.seed = seed
        self.input_projection = keras.layers.Dense(
            HIDDEN_CHANNELS,
            kernel_initializer=keras.initializers.GlorotUniform(seed),
        )
        channels = [HIDDEN_CHANNELS] * DEPTH + [OUTPUT_CHANNELS]
        self.blocks = [
            _ConvBlock(
                width,
                dilation=2**i,
                project=i == len(channels) - 1,
                max_steps=max_steps,
                seed=seed + 3 * (i + 1),
            )
            for i, width in enumerate(channels)
        ]
        self.dropout = keras.layers.Dropout(0.1, seed=seed)
        self.build((None, None, num_features))

    def build(self, input_shape):
        x = keras.KerasTensor(input_shape)
        self.call(x)
        self.built = True

    def call(self, x, step_mask=None, training=False):
        x = self.input_projection(x)
        if step_mask is not None:
            x = x * step_mask[..., None]
        for block in self.blocks:
            x = block(x)
        return self.dropout(x, training=training)

    def embed(self, sequences, batch_size=256):
        """`(n, 320)`: each sequence's representation max-pooled over
        time."""
        return np.concatenate(
            [
                tf.reduce_max(self(sequences[i : i + batch_size]), axis=1)
                for i in range(0, len(sequences), batch_size)
            ]
        )


def _contrastive_loss(z1, z2, axis):
    """Cross-entropy of picking each representation's twin from the other
    crop among all `2n` (itself excluded), `n` the size of `axis` (0:
    sequences of a batch, one problem per step; 1: steps of a sequence)."""
    if axis == 0:
        z1, z2 = tf.transpose(z1, [1, 0, 2]), tf.transpose(z2, [1, 0, 2])
    n = tf.shape(z1)[1]
    z = tf.concat([z1, z2], axis=1)
    similarity = tf.matmul(z, z, transpose_b=True)
    similarity -= 1e9 * tf.eye(2 * n, dtype=z.dtype)
    log_probs = tf.nn.log_softmax(similarity, axis=-1)
    twins = tf.concat([tf.range(n, 2 * n), tf.range(n)], axis=0)
    picked = tf.gather(log_probs, twins, axis=2, batch_dims=0)
    return -tf.reduce_mean(tf.linalg.diag_part(picked))


def hierarchical_contrastive_loss(z1, z2, alpha=0.5):
    """TS2Vec's loss over a max-pooling pyramid of the two crops'
    representations `(batch, steps, channels)`: instance-wise contrast
    (weight `alpha`) at every scale and temporal contrast (weight
    `1 - alpha`) at every scale longer than one step, averaged."""
    instance_weight = alpha if z1.shape[0] > 1 else 0.0
    loss, scales = tf.constant(0.0), tf.constant(0.0)
    while tf.shape(z1)[1] > 1:
        tf.autograph.experimental.set_loop_options(
            shape_invariants=[
                (z1, tf.TensorShape([None, None, None])),
                (z2, tf.TensorShape([None, None, None])),
            ]
        )
        loss += instance_weight * _contrastive_loss(z1, z2, axis=0)
        loss += (1 - alpha) * _contrastive_loss(z1, z2, axis=1)
        scales += 1.0
        z1 = tf.nn.max_pool1d(z1, 2, 2, "VALID")
        z2 = tf.nn.max_pool1d(z2, 2, 2, "VALID")
    loss += instance_weight * _contrastive_loss(z1, z2, axis=0)
    return loss / (scales + 1.0)


def _crops(batch, rng):
    """TS2Vec's random cropping: two overlapping windows of each sequence
    (shifted together by a random per-sequence offset) and the length of
    their overlap."""
    steps = batch.shape[1]
    overlap = rng.integers(2, steps + 1) if steps > 1 else 1
    left = rng.integers(steps - overlap + 1)
    right = left + overlap
    extended_left = rng.integers(left + 1)
    extended_right = rng.integers(right, steps + 1)
    offsets = rng.integers(
        -extended_left, steps - extended_right + 1, size=len(batch)
    )

    def take(start, length):
        index = offsets[:, None] + start + np.arange(length)[None]
        return np.take_along_axis(batch, index[..., None], axis=1)

    return (
        take(extended_left, right - extended_left),
        take(left, extended_right - left),
        overlap,
    )


def train_ts2vec_encoder(real, seed=0, batch_size=8, iterations=None):
    """A `TS2VecEncoder` trained on the scaled real sequences `real`
    `(n, steps, features)` as the reference trains it (`iterations` None:
    200, or 600 for more than 100,000 values).

    Example:

    >>> real = np.random.default_rng(0).uniform(size=(32, 12, 2))
    >>> encoder = train_ts2vec_encoder(real.astype("float32"), iterations=2)
    >>> encoder.embed(real.astype("float32")).shape
    (32, 320)
    """
    if iterations is None:
        iterations = 200 if real.size <= 100_000 else 600
    rng = as_rng(seed)
    encoder = TS2VecEncoder(real.shape[-1], real.shape[1], seed=seed)
    optimizer = keras.optimizers.AdamW(1e-3)
    variables = encoder.trainable_variables
    optimizer.build(variables)
    batch_size = min(batch_size, len(real))
    crop_spec = tf.TensorSpec([batch_size, None, real.shape[-1]], tf.float32)
    mask_spec = tf.TensorSpec([batch_size, None], tf.float32)

    @tf.function(
        input_signature=[crop_spec, crop_spec, mask_spec, mask_spec]
        + [tf.TensorSpec([], tf.int32)]
    )
    def step(first, second, first_mask, second_mask, overlap):
        with tf.GradientTape() as tape:
            z1 = encoder(first, step_mask=first_mask, training=True)
            z2 = encoder(second, step_mask=second_mask, training=True)
            loss = hierarchical_contrastive_loss(
                z1[:, -overlap:], z2[:, :overlap]
            )
        optimizer.apply(tape.gradient(loss, variables), variables)

    for _ in range(iterations):
        batch = real[rng.choice(len(real), batch_size, replace=False)]
        first, second, overlap = _crops(batch, rng)
        # TS2Vec's binomial mask: each timestamp's projection zeroed with
        # probability 1/2.
        masks = [
            rng.binomial(1, 0.5, crop.shape[:2]).astype(np.float32)
            for crop in (first, second)
        ]
        step(first, second, *masks, np.int32(overlap))
    return encoder


def frechet_distance(a, b):
    """Fréchet distance between Gaussians fitted to the rows of `a` and
    `b`: |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)).

    Example:

    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(20000, 2))
    >>> round(frechet_distance(a, a + [3.0, 4.0]), 3)
    25.0
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr((S_a S_b)^(1/2)) is the sum of the square roots of the eigenvalues
    # of the symmetric S_a^(1/2) S_b S_a^(1/2).
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(
        np.sum((mean_a - mean_b) ** 2)
        + np.trace(cov_a)
        + np.trace(cov_b)
        - 2 * trace_root
    )


def context_fid_score(real, synthetic, scaler=None, seed=0, encoder=None):
    """Context-FID of `synthetic` against `real` (both `(n, steps,
    features)` in original units, scaled with the real data's scaler): the
    Fréchet distance of their embeddings by a TS2Vec encoder trained on
    `real` (or the given `encoder`, trained by `train_ts2vec_encoder` on scaled
    real data). Lower is better; 0 for equal embeddings.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 6, 24)[None, :, None]
    >>> waves = np.sin(t * rng.uniform(1, 3, (300, 1, 1)))
    >>> noise = rng.uniform(-1, 1, waves.shape)
    >>> same = context_fid_score(waves[:150], waves[150:])
    >>> same < context_fid_score(waves, noise)
    True
    """
    real, synthetic = scale_pair(real, synthetic, scaler)
    encoder = encoder or train_ts2vec_encoder(real, seed=seed)
    return frechet_distance(encoder.embed(real), encoder.embed(synthetic))
