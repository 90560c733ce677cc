"""Every public class and function has a docstring with a runnable example
(the suite runs the examples with --doctest-modules)."""

import inspect

import keras_rgan
from keras_rgan import callbacks
from keras_rgan import data
from keras_rgan import evaluation
from keras_rgan import layers
from keras_rgan import losses
from keras_rgan import serving


def test_every_public_name_has_an_example():
    missing = []
    for module in (
        keras_rgan,
        data,
        evaluation,
        layers,
        losses,
        callbacks,
        serving,
    ):
        for name in dir(module):
            obj = getattr(module, name)
            if name.startswith("_") or not (
                inspect.isclass(obj) or inspect.isfunction(obj)
            ):
                continue
            if not getattr(obj, "__module__", "").startswith("keras_rgan"):
                continue
            doc = obj.__doc__ or ""
            if ">>>" not in doc and "Example: see" not in doc:
                missing.append(f"{module.__name__}.{name}")
    assert not missing, (
        f"No example in the docstrings of {sorted(set(missing))}"
    )
