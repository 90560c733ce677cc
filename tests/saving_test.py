"""Registration, serialization and `.keras` saving of every public class.

`CASES` holds one tiny builder per public class of `keras_rgan` (the classes
named in the `__all__` of the package and of its public subpackages), and how
to compare it before and after a round trip. A public class without an entry
fails `test_every_public_class_has_a_case`: add one to `CASES`, or to
`NOT_KERAS_OBJECTS` with the reason it is never serialized.
"""

import dataclasses
import inspect
from typing import Callable

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from tests import helpers

SEQ_LEN, FEATURES, UNITS, BATCH = 6, 2, 4, 3

# Public classes that are not Keras objects, with the reason.
NOT_KERAS_OBJECTS = {
    keras_rgan.data.DataSpec: (
        "data options; exports record them as JSON (DataSpec.to_record), "
        "never in a .keras file"
    ),
    keras_rgan.data.PreparedData: (
        "training data ready for fit (arrays and a dataset factory); never "
        "held by a model"
    ),
    keras_rgan.data.SequenceData: (
        "a dataclass of NumPy arrays that data sources return; never held "
        "by a model or written to a .keras file"
    ),
    keras_rgan.losses.GANLoss: (
        "a namedtuple of two loss functions and a penalty weight; a model "
        "saves the loss by name (`compile(loss=...)`), never the tuple"
    ),
}


def public_classes():
    """Classes named in `__all__` of `keras_rgan`, `keras_rgan.models` and
    every `keras_rgan` module those name (public names for a module without
    `__all__`); functions, constants and modules are not classes."""
    classes, seen = set(), set()
    queue = [keras_rgan, keras_rgan.models]
    while queue:
        module = queue.pop()
        if module.__name__ in seen:
            continue
        seen.add(module.__name__)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [name for name in vars(module) if not name.startswith("_")]
        for value in (getattr(module, name) for name in names):
            if inspect.ismodule(value):
                if value.__name__.startswith("keras_rgan."):
                    queue.append(value)
            elif inspect.isclass(value) and value.__module__.startswith(
                "keras_rgan"
            ):
                classes.add(value)
    return classes


def sequences(seed=0, features=FEATURES):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(BATCH, SEQ_LEN, features)).astype("float32")


def call_on_fixed_input(features):
    """`outputs_fn` of a layer or model: its output on fixed sequences."""
    return lambda layer: layer(sequences(features=features))


def in_sequential(features):
    """`wrap` of a layer: a `Sequential` over `(SEQ_LEN, features)` inputs."""
    return lambda layer: keras.Sequential(
        [keras.Input((SEQ_LEN, features)), layer]
    )


def first_layer(model):
    return model.layers[0]


def residual_noise():
    """A `ResidualNoise` that has learned moments (they must survive)."""
    layer = keras_rgan.layers.ResidualNoise(FEATURES)
    layer.update_state(sequences(seed=3) - 0.5)
    return layer


def fitted_scaler():
    return keras_rgan.MinMaxScaler().fit(sequences(seed=5) * 40.0 - 10.0)


def tiny_rgan(scaler=None, **kwargs):
    return keras_rgan.RGAN(
        keras_rgan.LSTMGenerator(FEATURES, units=UNITS, num_layers=1),
        keras_rgan.LSTMDiscriminator(units=UNITS, num_layers=1),
        seq_len=SEQ_LEN,
        latent_dim=2,
        scaler=scaler,
        seed=0,
        **kwargs,
    )


def table_schema():
    return keras_rgan.data.TableSchema(
        ["x"],
        [["colour", ["blue", "red", "green"]]],
        integer_grids={"x": [0, 5]},
        missing=True,
    )


def table_rgan(schema):
    """A GAN of a table with a category column and missing cells."""
    return keras_rgan.RGAN(
        keras_rgan.LSTMGenerator(
            schema.encoded_dim,
            units=UNITS,
            num_layers=1,
            output_blocks=schema.blocks(),
        ),
        keras_rgan.LSTMDiscriminator(units=UNITS, num_layers=1),
        seq_len=SEQ_LEN,
        latent_dim=2,
        scaler=keras_rgan.MinMaxScaler([0.0], [100.0]),
        schema=schema,
        seed=0,
    )


def table_outputs(schema):
    """A schema's decoding of fixed encoded steps (categories compared as
    their positions in a fixed list), and their encoding back."""
    scaler = keras_rgan.MinMaxScaler([0.0], [100.0])
    outputs = schema.decode(tf.constant(sequences(features=6)), scaler)
    colour = outputs.pop("colour")
    columns = {"colour": colour, "observed": outputs["observed"]}
    return (
        outputs,
        tf.argmax(tf.equal(colour[..., None], ["blue", "red", "green"]), -1),
        schema.encode_served(outputs["sequences"], scaler, columns),
    )


def generated(**kwargs):
    """`outputs_fn` of a GAN: seeded samples and the discriminator's logits
    on fixed original-unit sequences."""

    def outputs(gan):
        real = gan.to_original_units(sequences(seed=1))
        return (
            gan.generate(4, seed=3, return_lengths=True),
            gan.discriminate(real, **kwargs),
        )

    return outputs


def crgan_outputs(gan):
    prefix = gan.to_original_units(sequences(seed=2))[:, :2]
    return generated()(gan), gan.continue_sequences(prefix, seed=4)


@dataclasses.dataclass
class Case:
    """How to build a tiny instance of a class and compare it.

    `build` makes the instance; `outputs` gives what must not change over a
    round trip; `wrap` / `unwrap` put a non-model in a model for the
    `.keras` file and take it out again (see `helpers.run_saving_test`);
    `marks` are pytest marks (e.g. an `xfail` for a known bug).
    """

    build: Callable
    outputs: Callable
    wrap: Callable | None = None
    unwrap: Callable | None = None
    marks: tuple = ()


CASES = {
    keras_rgan.SequenceGAN: Case(
        # Variable lengths: lengths drawn, padded steps masked.
        lambda: keras_rgan.SequenceGAN(
            keras_rgan.LSTMGenerator(FEATURES, units=UNITS, num_layers=1),
            keras_rgan.LSTMDiscriminator(units=UNITS, num_layers=1),
            seq_len=SEQ_LEN,
            latent_dim=2,
            sequence_latent_dim=1,
            seed=0,
            length_frequencies=[0, 0, 1, 0, 0, 2],
        ),
        generated(lengths=np.array([3, 6, 6], "int32")),
    ),
    keras_rgan.RGAN: Case(
        # Label-conditional, with a scaler.
        lambda: tiny_rgan(
            scaler=fitted_scaler(),
            num_classes=2,
            label_dim=2,
            label_frequencies=[0.25, 0.75],
        ),
        generated(labels=np.array([0, 1, 1], "int32")),
    ),
    keras_rgan.CRGAN: Case(
        lambda: keras_rgan.CRGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            latent_dim=2,
            cell="tanh",
            units=UNITS,
            dense_units=[3],
            condition_steps=2,
            scaler=fitted_scaler(),
            seed=0,
        ),
        crgan_outputs,
    ),
    keras_rgan.TimeGAN: Case(
        lambda: keras_rgan.TimeGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            hidden_dim=UNITS,
            num_layers=1,
            embedding_epochs=1,
            supervised_epochs=1,
            seed=0,
        ),
        generated(),
    ),
    keras_rgan.LatentGAN: Case(
        lambda: keras_rgan.LatentGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            code_dim=3,
            noise_dim=2,
            units=UNITS,
            dense_units=[5],
            seed=0,
        ),
        generated(),
    ),
    keras_rgan.RecurrentGenerator: Case(
        lambda: keras_rgan.RecurrentGenerator(
            FEATURES, cell="tanh", units=UNITS, num_layers=2, dense_units=[3]
        ),
        call_on_fixed_input(features=3),
    ),
    keras_rgan.LSTMGenerator: Case(
        lambda: keras_rgan.LSTMGenerator(FEATURES, units=UNITS, num_layers=2),
        call_on_fixed_input(features=3),
    ),
    keras_rgan.RecurrentDiscriminator: Case(
        lambda: keras_rgan.RecurrentDiscriminator(
            cell="gru", units=UNITS, num_layers=1, per_step_logits=True
        ),
        call_on_fixed_input(features=FEATURES),
    ),
    keras_rgan.LSTMDiscriminator: Case(
        lambda: keras_rgan.LSTMDiscriminator(
            units=UNITS, num_layers=2, dense_units=[3]
        ),
        call_on_fixed_input(features=FEATURES),
    ),
    keras_rgan.layers.RecurrentStack: Case(
        lambda: keras_rgan.layers.RecurrentStack(
            "lstm", units=UNITS, num_layers=2, dense_units=[3]
        ),
        call_on_fixed_input(features=FEATURES),
        wrap=in_sequential(FEATURES),
        unwrap=first_layer,
    ),
    keras_rgan.layers.FusedLSTM: Case(
        lambda: keras_rgan.layers.FusedLSTM(UNITS, return_sequences=True),
        call_on_fixed_input(features=FEATURES),
        wrap=in_sequential(FEATURES),
        unwrap=first_layer,
    ),
    keras_rgan.layers.ResidualNoise: Case(
        residual_noise,
        call_on_fixed_input(features=FEATURES),
        wrap=in_sequential(FEATURES),
        unwrap=first_layer,
    ),
    keras_rgan.SharedTanhProjectionCell: Case(
        lambda: keras_rgan.SharedTanhProjectionCell(
            UNITS, state_units=3, output_units=2
        ),
        # A cell runs inside `keras.layers.RNN`.
        lambda cell: keras.layers.RNN(cell, return_sequences=True)(sequences()),
        wrap=lambda cell: in_sequential(FEATURES)(
            keras.layers.RNN(cell, return_sequences=True)
        ),
        unwrap=lambda model: model.layers[0].cell,
    ),
    keras_rgan.data.TableSchema: Case(
        table_schema,
        # Not a layer: saved as the schema of a GAN, compared on its output.
        table_outputs,
        wrap=table_rgan,
        unwrap=lambda gan: gan.schema,
    ),
    keras_rgan.layers.OutputHeads: Case(
        lambda: keras_rgan.layers.OutputHeads(
            [("numeric", 1), ("categorical", 3), ("observed", 2)]
        ),
        lambda heads: heads(sequences(features=6) - 0.5),
        wrap=in_sequential(6),
        unwrap=first_layer,
    ),
    keras_rgan.MinMaxScaler: Case(
        fitted_scaler,
        lambda scaler: (
            scaler.transform(sequences(seed=6)),
            scaler.inverse_transform(sequences(seed=7)),
        ),
        # Not a layer: saved as the scaler of a GAN.
        wrap=lambda scaler: tiny_rgan(scaler=scaler),
        unwrap=lambda gan: gan.scaler,
    ),
}


def cases():
    return [
        pytest.param(cls, id=cls.__name__, marks=case.marks)
        for cls, case in CASES.items()
    ]


def test_every_public_class_has_a_case():
    public = public_classes()
    listed = set(CASES) | set(NOT_KERAS_OBJECTS)
    missing = sorted(cls.__name__ for cls in public - listed)
    stale = sorted(cls.__name__ for cls in listed - public)
    assert not missing, f"Public classes without a saving test: {missing}"
    assert not stale, f"Entries for classes that are not public: {stale}"


@pytest.mark.parametrize("cls", cases())
def test_registered_under_the_package(cls):
    helpers.run_registration_test(cls, package="keras_rgan")


@pytest.mark.parametrize("cls", cases())
def test_serialization_round_trip(cls):
    obj = CASES[cls].build()
    assert type(obj) is cls
    helpers.run_serialization_test(obj)


@pytest.mark.parametrize("cls", cases())
def test_keras_file_round_trip(cls, tmp_path):
    case = CASES[cls]
    helpers.run_saving_test(
        case.build(),
        tmp_path,
        case.outputs,
        wrap=case.wrap,
        unwrap=case.unwrap,
    )
