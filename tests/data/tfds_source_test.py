import os
import time

import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_rgan.data.tfds_source import _select_features
from keras_rgan.data.tfds_source import load_tfds

F = tfds.features


class TinyWalks(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """A real (not mocked) dataset of 2-D tensors, prepared offline."""

    # A one-part module name stops TFDS from looking for this builder's
    # checksums file through `importlib_resources`, which is not installed.
    __module__ = "tiny_walks"
    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            features=F.FeaturesDict(
                {
                    "walk": F.Tensor(shape=(5, 2), dtype=np.float32),
                    "kind": F.ClassLabel(names=["a", "b", "c"]),
                    "note": F.Text(),
                }
            ),
        )

    def _split_generators(self, dl_manager):
        return {
            "train": self._generate_examples(6),
            "test": self._generate_examples(2),
        }

    def _generate_examples(self, n):
        for i in range(n):
            walk = i + np.arange(10, dtype=np.float32).reshape(5, 2)
            yield i, {"walk": walk, "kind": i % 3, "note": "x"}


@pytest.fixture(scope="module")
def walks_dir(tmp_path_factory):
    data_dir = str(tmp_path_factory.mktemp("tfds"))
    config = tfds.download.DownloadConfig(try_download_gcs=False)
    TinyWalks(data_dir=data_dir).download_and_prepare(download_config=config)
    return data_dir


def test_mnist_digits_become_28_steps_of_28_pixels():
    with tfds.testing.mock_data(num_examples=5):
        x, labels, names = load_tfds("mnist", split="test")
    assert x.shape == (5, 28, 28) and x.dtype == np.float32
    assert x.max() > 1 and 0 <= x.min() and x.max() <= 255  # Not rescaled.
    assert labels.shape == (5,) and labels.dtype == np.int64
    assert 0 <= labels.min() and labels.max() < 10
    assert names == [f"image_col_{w}" for w in range(28)]


@pytest.mark.parametrize("max_sequences", [1, 3, 10])
def test_max_sequences_limits_the_examples_read(max_sequences):
    with tfds.testing.mock_data(num_examples=4):
        x, labels, _ = load_tfds("mnist", max_sequences=max_sequences)
    assert len(x) == len(labels) == min(max_sequences, 4)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "3"])
def test_max_sequences_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="max_sequences must be a positive"):
        load_tfds("mnist", max_sequences=bad)


def test_colour_image_columns_hold_every_channel():
    with tfds.testing.mock_data(num_examples=2):
        x, labels, names = load_tfds("cifar10")
    assert x.shape == (2, 32, 32 * 3) and labels.shape == (2,)
    assert names[:4] == [
        "image_col_0_ch_0",
        "image_col_0_ch_1",
        "image_col_0_ch_2",
        "image_col_1_ch_0",
    ]
    assert len(names) == 96


def test_1d_tensor_becomes_steps_of_one_feature():
    # Iris: 'features' Tensor (4,) float32 and 'label' ClassLabel(3).
    with tfds.testing.mock_data(num_examples=3):
        x, labels, names = load_tfds("iris")
    assert x.shape == (3, 4, 1) and x.dtype == np.float32
    assert set(labels) <= {0, 1, 2}
    assert names == ["feature_0"]


def test_prepared_2d_dataset_is_read_from_data_dir(walks_dir):
    x, labels, names = load_tfds("tiny_walks", data_dir=walks_dir)
    assert x.shape == (6, 5, 2) and x.dtype == np.float32
    assert names == ["feature_0", "feature_1"]
    # The only ClassLabel ('kind') gives the labels; the Text is ignored.
    starts = x[:, 0, 0].astype(int)  # Example i starts at i.
    assert sorted(starts) == list(range(6))
    np.testing.assert_array_equal(labels, starts % 3)
    np.testing.assert_array_equal(x[0], starts[0] + np.arange(10).reshape(5, 2))
    x, labels, _ = load_tfds(
        "tiny_walks", split="train[:4]", data_dir=walks_dir, max_sequences=3
    )
    assert x.shape == (3, 5, 2) and labels.shape == (3,)
    assert len(load_tfds("tiny_walks", "test", walks_dir)[0]) == 2


@pytest.mark.parametrize(
    "split, message",
    [
        ("train[:0]", r"Cannot read split 'train\[:0\]'.*no data"),
        ("nope", "Unknown split 'nope'"),
    ],
)
def test_bad_or_empty_split_is_named(walks_dir, split, message):
    with pytest.raises(ValueError, match=message):
        load_tfds("tiny_walks", split=split, data_dir=walks_dir)


def test_split_without_examples_is_an_error():
    with tfds.testing.mock_data(num_examples=0):
        with pytest.raises(ValueError, match="holds no examples"):
            load_tfds("mnist")


@pytest.mark.parametrize(
    "features, expected",
    [
        ({"x": F.Tensor(shape=(7, 3), dtype=np.float32)}, ("x", None)),
        (
            {
                "image": F.Image(shape=(8, 8, 1)),
                "box": F.Tensor(shape=(4,), dtype=np.float32),
                "label": F.ClassLabel(num_classes=2),
                "coarse": F.ClassLabel(num_classes=5),
            },
            ("image", "label"),
        ),
        (
            {
                "steps": F.Sequence(
                    F.Tensor(shape=(3,), dtype=np.float32), length=9
                ),
                "species": F.ClassLabel(num_classes=3),
                "id": F.Text(),
            },
            ("steps", "species"),
        ),
        (
            {
                "x": F.Tensor(shape=(6,), dtype=np.int32),
                "a": F.ClassLabel(num_classes=2),
                "b": F.ClassLabel(num_classes=2),
            },
            ("x", None),
        ),
    ],
)
def test_select_features_picks_data_and_label(features, expected):
    assert _select_features(F.FeaturesDict(features)) == expected


@pytest.mark.parametrize(
    "features, message",
    [
        (
            {
                "a": F.Tensor(shape=(5, 2), dtype=np.float32),
                "b": F.Tensor(shape=(5,), dtype=np.float32),
            },
            r"several candidate data features \['a', 'b'\]",
        ),
        (
            {"text": F.Text(), "label": F.ClassLabel(num_classes=2)},
            r"no image or numeric tensor.*'text' \(Text",
        ),
        (
            {"image": F.Image(shape=(None, None, 3))},
            r"'image' has a variable shape \(None, None, 3\).*fixed shape",
        ),
        (
            {"x": F.Tensor(shape=(None, 4), dtype=np.float32)},
            r"'x' has a variable shape.*fixed shape",
        ),
        (
            {"image": F.Tensor(shape=(2, 3, 4, 5), dtype=np.uint8)},
            "'image' cannot be read as sequences",
        ),
    ],
)
def test_select_features_errors_name_the_features(features, message):
    with pytest.raises(ValueError, match=message):
        _select_features(F.FeaturesDict(features))


def test_unknown_dataset_is_named_with_close_matches():
    message = "Unknown TFDS dataset 'mnsit'.*'mnist'"
    with pytest.raises(ValueError, match=message):
        load_tfds("mnsit")


def test_unprepared_dataset_fails_fast_without_downloading(
    tmp_path, monkeypatch
):
    def no_download(*args, **kwargs):
        raise AssertionError("load_tfds must never download.")

    monkeypatch.setattr(
        tfds.core.DatasetBuilder, "download_and_prepare", no_download
    )
    start = time.perf_counter()
    with pytest.raises(FileNotFoundError) as info:
        load_tfds("mnist", data_dir=str(tmp_path))
    assert time.perf_counter() - start < 10
    message = str(info.value)
    assert "'mnist' is not prepared in data_dir" in message
    assert str(tmp_path) in message and "cannot be downloaded" in message
    assert "could not find data" in message  # TFDS's own message is kept.
    assert os.listdir(tmp_path) == []
