"""An LSTM layer that runs a whole sequence as one fused TensorFlow kernel on
CPU."""

import contextlib
import threading

import keras
import tensorflow as tf

# The fused kernel's per-step matrix product (Eigen) is faster than Keras's
# ops only while it is small: up to about this many multiply-adds per step,
# batch x (inputs + units) x 4 units, on this project's 2-core CPU
# (benchmarks/fused_lstm.py: 1.2 to 2.0x faster up to 1.3M; 0.5 to 0.8x
# slower from 2M). Larger layers, or an unknown batch size, keep Keras's ops.
MAX_FUSED_STEP_WORK = 1_500_000

# Trace-time switch, per thread: inside `standard_kernels()` every
# `FusedLSTM` builds Keras's own LSTM computation instead.
_STANDARD = threading.local()


@contextlib.contextmanager
def standard_kernels():
    """Within it, `FusedLSTM` layers trace Keras's standard LSTM computation.

    For graphs that need it: second-order gradients (TensorFlow registers no
    gradient for the fused kernel's gradient, so a gradient penalty needs
    this) and portable exports (only MatMul, Sigmoid, Tanh, ... ops, which
    TFLite or other runtimes also run).

    Example:

    >>> import numpy as np
    >>> layer = FusedLSTM(4)
    >>> x = np.ones((2, 3, 5), "float32")
    >>> with standard_kernels():
    ...     standard = layer(x)
    >>> bool(np.allclose(standard, layer(x), atol=1e-6))
    True
    """
    depth = getattr(_STANDARD, "depth", 0)
    _STANDARD.depth = depth + 1
    try:
        yield
    finally:
        _STANDARD.depth = depth


@tf.custom_gradient
def _block_lstm(x, h_prev, c_prev, w, b):
    """`(cs, h)` of TensorFlow's BlockLSTMV2 over time-major `x`, with its
    own gradient kernel, BlockLSTMGradV2.

    BlockLSTMV2 takes Keras's gate order (i, f, c, o), but TF registers its
    gradient with the V1 kernel's order (i, c, f, o), which gives wrong
    gradients; this pairs the two V2 kernels.
    """
    steps = tf.cast(tf.shape(x)[0], tf.int64)
    no_peephole = tf.zeros(tf.shape(b)[:1] // 4, x.dtype)
    operands = dict(
        seq_len_max=steps,
        x=x,
        cs_prev=c_prev,
        h_prev=h_prev,
        w=w,
        wci=no_peephole,
        wcf=no_peephole,
        wco=no_peephole,
        b=b,
    )
    # cell_clip 0: no clipping.
    out = tf.raw_ops.BlockLSTMV2(**operands, cell_clip=0.0, use_peephole=False)

    def gradient(cs_grad, h_grad):
        grads = tf.raw_ops.BlockLSTMGradV2(
            **operands,
            i=out.i,
            cs=out.cs,
            f=out.f,
            o=out.o,
            ci=out.ci,
            co=out.co,
            h=out.h,
            cs_grad=tf.zeros_like(out.cs) if cs_grad is None else cs_grad,
            h_grad=tf.zeros_like(out.h) if h_grad is None else h_grad,
            use_peephole=False,
        )
        return (
            grads.x_grad,
            grads.h_prev_grad,
            grads.cs_prev_grad,
            grads.w_grad,
            grads.b_grad,
        )

    return (out.cs, out.h), gradient


def _in_xla_context():
    # The fused kernel has no XLA implementation. TensorFlow marks graphs
    # traced for `jit_compile=True` with an XLA control-flow context.
    from tensorflow.python.ops import control_flow_util

    return control_flow_util.GraphOrParentsInXlaContext(
        tf.compat.v1.get_default_graph()
    )


@keras.saving.register_keras_serializable(package="keras_rgan")
class FusedLSTM(keras.layers.LSTM):
    """`keras.layers.LSTM` that, on CPU, runs the whole sequence as one
    TensorFlow `BlockLSTMV2` kernel (and its gradient as one more).

    The same weights, arguments and results as `keras.layers.LSTM` (to about
    1e-7). For small layers (the package's default sizes), one op per
    sequence instead of about 14 per step (or a `while` loop) makes a
    recurrent GAN's training step about 1.5x faster on CPU than Keras's loop
    (see docs/performance.md). Keras's own computation (cuDNN, `unroll`, the
    loop) is used instead where the fused kernel does not apply or is
    slower: per-step work above `MAX_FUSED_STEP_WORK` or an unknown batch
    size, a visible GPU, a mask, dropout, `go_backwards`, other activations,
    other dtypes than float32, `jit_compile`, and inside `standard_kernels()`
    (second-order gradients, portable exports).

    Example:

    >>> import numpy as np
    >>> layer = FusedLSTM(8, return_sequences=True)
    >>> layer(np.zeros((2, 24, 5), "float32")).shape
    TensorShape([2, 24, 8])
    """

    def _fused_applies(self, sequences, mask):
        batch, _, inputs = sequences.shape
        units = self.cell.units
        return (
            mask is None
            and batch is not None
            and batch * (inputs + units) * 4 * units <= MAX_FUSED_STEP_WORK
            and getattr(_STANDARD, "depth", 0) == 0
            and not self.go_backwards
            and not self.dropout
            and not self.recurrent_dropout
            and self.cell.use_bias
            and self.activation is keras.activations.tanh
            and self.recurrent_activation is keras.activations.sigmoid
            and sequences.dtype == tf.float32
            and not tf.config.list_logical_devices("GPU")
            and not _in_xla_context()
        )

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not self._fused_applies(sequences, mask):
            return super().inner_loop(
                sequences, initial_state, mask=mask, training=training
            )
        h_prev, c_prev = initial_state
        cell = self.cell
        cells, hidden = _block_lstm(
            tf.transpose(sequences, [1, 0, 2]),  # time major
            h_prev,
            c_prev,
            tf.concat([cell.kernel, cell.recurrent_kernel], axis=0),
            tf.convert_to_tensor(cell.bias),
        )
        last = hidden[-1]
        sequence = (
            tf.transpose(hidden, [1, 0, 2]) if self.return_sequences else last
        )
        return last, sequence, [last, cells[-1]]
