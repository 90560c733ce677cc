"""Shared pytest setup: two logical CPUs for tf.distribute, a `large` marker."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

# Two logical CPU devices let MirroredStrategy tests run on a CPU-only
# machine. This must happen before TensorFlow initialises its devices.
_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(
    _cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2
)


def pytest_addoption(parser):
    parser.addoption(
        "--run_large",
        action="store_true",
        default=False,
        help="Also run tests marked `large` (full trainings).",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run_large"):
        return
    skip = pytest.mark.skip(reason="large test: pass --run_large to run it")
    for item in items:
        if "large" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def mirrored_strategy():
    """The process's one MirroredStrategy, over the two logical CPUs.

    Several MirroredStrategy objects in one process hand out clashing
    collective-op keys; `distribute.make_strategy` makes one and reuses it, so
    tests training through `train_lib` share it too.
    """
    from keras_rgan import distribute

    strategy = distribute.make_strategy("mirrored")
    assert strategy.num_replicas_in_sync == 2, strategy.extended.worker_devices
    return strategy
