"""TensorFlow Datasets (TFDS) images and tensors as sequences, offline."""

import difflib
import numbers

import numpy as np

_BATCH_SIZE = 256


def _describe(features):
    """`'image' (Image (28, 28, 1) uint8), ...` for error messages."""
    parts = []
    for key, feature in features.items():
        info = feature.get_tensor_info()
        if hasattr(info, "shape"):
            parts.append(
                f"{key!r} ({type(feature).__name__} {tuple(info.shape)} "
                f"{np.dtype(info.np_dtype).name})"
            )
        else:  # A nested feature (dict of tensors).
            parts.append(f"{key!r} ({type(feature).__name__})")
    return ", ".join(parts) or "none"


def _is_sequence_like(feature):
    """Whether `feature` is an image or a numeric tensor of rank 1 to 3."""
    from tensorflow_datasets import features as tfds_features

    if isinstance(feature, (tfds_features.ClassLabel, tfds_features.Text)):
        return False
    if not isinstance(
        feature,
        (tfds_features.Image, tfds_features.Tensor, tfds_features.Sequence),
    ):
        return False
    info = feature.get_tensor_info()
    if not hasattr(info, "shape"):  # e.g. a Sequence of a dict.
        return False
    return 1 <= len(info.shape) <= 3 and np.dtype(info.np_dtype).kind in "biuf"


def _select_features(features):
    """Picks the data feature and the label feature of a TFDS features dict.

    Args:
        features: a `tfds.features.FeaturesDict`.

    Returns:
        A tuple `(data_key, label_key)`; `label_key` is None without a
        `ClassLabel` named `"label"` or a single `ClassLabel`.

    Raises:
        ValueError: if no feature, or more than one, can be the data; or if
            the data feature does not have a fixed shape.
    """
    from tensorflow_datasets import features as tfds_features

    if not isinstance(features, tfds_features.FeaturesDict):
        raise ValueError(
            "Expected the dataset's features to be a FeaturesDict, got "
            f"{type(features).__name__}."
        )
    if "image" in features:
        data_key = "image"
    else:
        candidates = [k for k, f in features.items() if _is_sequence_like(f)]
        if len(candidates) != 1:
            problem = (
                "no image or numeric tensor feature of rank 1 to 3"
                if not candidates
                else f"several candidate data features {candidates}"
            )
            raise ValueError(
                f"Cannot choose the data feature: the dataset has {problem} "
                "(and no feature named 'image'). Its features are: "
                f"{_describe(features)}."
            )
        data_key = candidates[0]
    if not _is_sequence_like(features[data_key]):
        raise ValueError(
            f"Feature {data_key!r} cannot be read as sequences: expected an "
            "image (height, width, channels) or a numeric tensor of rank 1 to "
            f"3. Its features are: {_describe(features)}."
        )
    shape = tuple(features[data_key].get_tensor_info().shape)
    if None in shape:
        raise ValueError(
            f"Feature {data_key!r} has a variable shape {shape}; sequences "
            "must have a fixed shape (every example the same size)."
        )
    labels = [
        k
        for k, f in features.items()
        if isinstance(f, tfds_features.ClassLabel)
    ]
    if "label" in labels:
        label_key = "label"
    elif len(labels) == 1:
        label_key = labels[0]
    else:
        label_key = None
    return data_key, label_key


def _feature_names(feature, shape):
    """Names of the features of one step of a `shape` data feature."""
    from tensorflow_datasets import features as tfds_features

    if isinstance(feature, tfds_features.Image):
        _, width, channels = shape
        if channels == 1:
            return [f"image_col_{w}" for w in range(width)]
        return [
            f"image_col_{w}_ch_{c}"
            for w in range(width)
            for c in range(channels)
        ]
    return [f"feature_{k}" for k in range(int(np.prod(shape[1:])))]


def load_tfds(name, split="train", data_dir=None, max_sequences=None):
    """Loads a TFDS image or sequence dataset as sequences (+ labels).

    An image `(height, width, channels)` becomes `height` steps of
    `width * channels` features (rows are time steps; values stay in their
    original units, e.g. 0..255). A tensor `(steps, features)` is used as is
    and a tensor `(steps,)` becomes `(steps, 1)`. The data feature is the one
    named `"image"`, else the only image or numeric tensor of rank 1 to 3.
    Nothing is downloaded: the dataset must already be prepared in
    `data_dir`, except the package's own `rgan_sines` and `rgan_stocks`
    (`keras_rgan.datasets`), which are generated offline on first use.

    Args:
        name: str. TFDS name, e.g. `"mnist"` or `"mnist_corrupted/shot_noise"`.
        split: str. TFDS split, e.g. `"train"` or `"test[:10%]"`.
        data_dir: str or None. Where the prepared dataset lives; None uses
            the TFDS default (`~/tensorflow_datasets`).
        max_sequences: int or None. Read at most this many examples.

    Returns:
        A tuple `(x, labels, feature_names)`: float32 `x`
        `(n, steps, features)`, int64 `labels` `(n,)` from the `ClassLabel`
        named `"label"` (or the only one), else None, and a list of one name
        per feature.

    Example:

    >>> import tensorflow_datasets as tfds
    >>> with tfds.testing.mock_data(num_examples=4):
    ...     x, labels, names = load_tfds("mnist")
    >>> x.shape, x.dtype
    ((4, 28, 28), dtype('float32'))
    >>> labels.dtype, labels.shape, names[:2]
    (dtype('int64'), (4,), ['image_col_0', 'image_col_1'])
    """
    if max_sequences is not None and (
        not isinstance(max_sequences, numbers.Integral)
        or isinstance(max_sequences, bool)
        or max_sequences < 1
    ):
        raise ValueError(
            f"max_sequences must be a positive int or None, got "
            f"{max_sequences!r}."
        )
    import tensorflow_datasets as tfds

    builder = _prepared_builder(name, data_dir)
    features = builder.info.features
    data_key, label_key = _select_features(features)
    keys = [data_key] + ([label_key] if label_key else [])
    try:
        # Never `download_and_prepare`: there is no internet to download from.
        ds = builder.as_dataset(
            split=split,
            decoders=tfds.decode.PartialDecoding({k: True for k in keys}),
        )
    except AssertionError as err:  # What TFDS raises when data is missing.
        raise FileNotFoundError(
            f"TFDS dataset {name!r} is not prepared in data_dir "
            f"{builder.data_dir_root} and cannot be downloaded here. Prepare "
            "it on a machine with internet (e.g. `tfds build "
            f"{name}`) and copy it into data_dir. TFDS said: {err}"
        ) from err
    except ValueError as err:  # An unknown split, or a slice of no examples.
        raise ValueError(
            f"Cannot read split {split!r} of TFDS dataset {name!r}: {err}"
        ) from err
    if max_sequences is not None:
        ds = ds.take(int(max_sequences))
    xs, ys = [], []
    for batch in tfds.as_numpy(ds.batch(_BATCH_SIZE)):
        xs.append(batch[data_key])
        if label_key:
            ys.append(batch[label_key])
    if not xs:
        raise ValueError(
            f"Split {split!r} of TFDS dataset {name!r} holds no examples."
        )
    x = np.concatenate(xs)
    shape = x.shape[1:]
    x = x.reshape(len(x), shape[0], -1).astype(np.float32, copy=False)
    labels = np.concatenate(ys).astype(np.int64) if label_key else None
    return x, labels, _feature_names(features[data_key], shape)


def _prepared_builder(name, data_dir):
    """The TFDS builder of `name`, prepared: the package's own builders are
    generated offline on first use; an unknown name is an error that
    suggests close ones."""
    import tensorflow_datasets as tfds

    base_name = name.split("/")[0].split(":")[0]
    if base_name.startswith("rgan_"):
        from keras_rgan import datasets  # Registers the package's builders.

        offline = base_name in datasets.OFFLINE_BUILDERS
    else:
        offline = False
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.DatasetNotFoundError:
        known = tfds.list_builders(with_community_datasets=False)
        close = difflib.get_close_matches(str(name), known, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(
            f"Unknown TFDS dataset {name!r}.{hint} tfds.list_builders() "
            "lists the known names."
        ) from None
    except AssertionError as err:  # e.g. a version the code does not have.
        raise ValueError(str(err)) from err
    if offline and not builder.is_prepared():
        # Generated from the package: no download.
        builder.download_and_prepare()
    return builder
