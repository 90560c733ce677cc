"""The serving signatures models declare, and their building blocks:
endpoints that take a dict of named inputs."""

import contextlib

import tensorflow as tf

from keras_rgan.graph_checks import checked
from keras_rgan.graph_checks import checked_shape
from keras_rgan.layers.fused_lstm import standard_kernels

SEED = tf.TensorSpec((), tf.int64, name="seed")


def endpoint(fn, specs):
    """`(function, input_signature)` for `ExportArchive.add_endpoint`:
    `fn` takes a dict of the inputs named by `specs`.

    >>> function, specs = endpoint(lambda inputs: inputs, [SEED])
    >>> sorted(function(tf.constant(1, tf.int64)))
    ['seed']
    """
    names = [spec.name for spec in specs]

    def call(*args):
        return fn(dict(zip(names, args)))

    return call, specs


def full_lengths(batch_size, length):
    """`(batch_size,)` int32 lengths, all `length`."""
    return tf.fill([batch_size], tf.cast(length, tf.int32))


class ServingSignatures:
    """The signatures a GAN serves, mixed into `SequenceGAN`; subclasses
    add their own by extending `serving_signatures`.

    Every signature that returns `sequences` (original units) also returns
    their `lengths`. Each condition the model reads (labels, lengths) adds
    its input to `generate_from_noise` and `discriminate`.
    """

    def serving_signatures(self, max_num_samples, max_length):
        """`{name: (function, input_signature)}`, `serving_default` first
        (TF Serving's default)."""
        del max_length  # Only models that make series of any length use it.
        noise_spec = tf.TensorSpec(
            (None, self.seq_len, self.drawn_noise_dim),
            tf.float32,
            name="noise",
        )
        numeric = self.num_features
        table_specs = []
        if self.schema is not None:
            numeric = len(self.schema.numeric)
            table_specs = self.schema.served_specs(self.seq_len)
        sequences_spec = tf.TensorSpec(
            (None, self.seq_len, numeric), tf.float32, name="sequences"
        )
        condition_specs = [c.serving_spec() for c in self.conditions]

        def serving_default(inputs):
            num_samples = checked(
                inputs["num_samples"], 1, max_num_samples, "num_samples"
            )
            return self.outputs_from_seed(num_samples, inputs["seed"])

        def generate_from_noise(inputs):
            noise = checked_shape(
                inputs["noise"], [self.seq_len, self.drawn_noise_dim], "noise"
            )
            condition = self._served_conditions(inputs, tf.shape(noise)[0])
            return self.outputs_from_noise(noise, **condition)

        def discriminate(inputs):
            sequences = checked_shape(
                inputs["sequences"], [self.seq_len, numeric], "sequences"
            )
            condition = self._served_conditions(inputs, tf.shape(sequences)[0])
            columns = {spec.name: inputs[spec.name] for spec in table_specs}
            return {
                "logits": self.discriminate(
                    sequences, columns=columns, **condition
                )
            }

        num_samples_spec = tf.TensorSpec((), tf.int32, name="num_samples")
        signatures = {
            "serving_default": endpoint(
                serving_default, [num_samples_spec, SEED]
            )
        }
        if self.label_condition is not None:
            signatures["generate_with_labels"] = endpoint(
                self._generate_with_labels(max_num_samples),
                [self.label_condition.serving_spec(), SEED],
            )
        if self.attribute_condition is not None:
            signatures["generate_with_attributes"] = endpoint(
                self._generate_with_attributes(max_num_samples),
                self.schema.attribute_specs() + [SEED],
            )
        signatures["generate_from_noise"] = endpoint(
            generate_from_noise, [noise_spec] + condition_specs
        )
        signatures["discriminate"] = endpoint(
            discriminate, [sequences_spec] + table_specs + condition_specs
        )
        return signatures

    @contextlib.contextmanager
    def portable_graphs(self):
        """Within it, signatures trace portable graphs: Keras's standard LSTM
        ops (MatMul, Sigmoid, Tanh...), not the fused CPU kernel, so TF
        Serving on any device (or TFLite) runs the export."""
        with standard_kernels():
            yield

    def _served_conditions(self, inputs, batch_size):
        """`{key: checked value}` of each condition's served input."""
        return {
            c.key: c.check_served(inputs[c.key], batch_size)
            for c in self.conditions
        }

    def _generate_with_attributes(self, max_num_samples):
        def generate_with_attributes(inputs):
            first = inputs[self.schema.attribute_names[0]]
            count = checked(
                tf.shape(first)[0], 1, max_num_samples, "the attributes count"
            )
            attributes = self.schema.encode_served_attributes(inputs)
            return self.outputs_from_seed(
                count, inputs["seed"], attributes=attributes
            )

        return generate_with_attributes

    def _generate_with_labels(self, max_num_samples):
        def generate_with_labels(inputs):
            labels = inputs["labels"]
            count = checked(
                tf.shape(labels)[0], 1, max_num_samples, "the labels count"
            )
            labels = self.label_condition.check_served(labels, count)
            return self.outputs_from_seed(count, inputs["seed"], labels)

        return generate_with_labels
