"""TF Serving helpers: example inputs of a signature, gRPC `PredictRequest`s
and the warmup file TF Serving replays when it loads a model.

The protocol buffers come from the `tensorflow-serving-api` package, an
optional extra: `pip install '.[serving]'` from a clone of the repository
(or `pip install tensorflow-serving-api`).
"""

import os

import numpy as np
import tensorflow as tf

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")


def serving_api_available():
    """Whether the `tensorflow-serving-api` package can be imported.

    Example:

    >>> serving_api_available() in (True, False)
    True
    """
    try:
        import tensorflow_serving.apis.predict_pb2  # noqa: F401
    except ImportError:
        return False
    return True


def _serving_apis():
    try:
        from tensorflow_serving.apis import predict_pb2
        from tensorflow_serving.apis import prediction_log_pb2
    except ImportError:
        raise ImportError(
            "This needs the tensorflow-serving-api package: "
            "pip install '.[serving]' from a clone of the repository, or "
            "pip install tensorflow-serving-api."
        ) from None
    return predict_pb2, prediction_log_pb2


def example_inputs(input_specs, seq_len, batch_size=2, fills=None):
    """Small valid inputs for a signature, by input name.

    Args:
        input_specs: dict of name -> `tf.TensorSpec` (a signature's inputs).
        seq_len: int. Steps per sequence of the model.
        batch_size: int. Rows of every batched input.
        fills: dict of name -> the value filling that input (a known
            category for a categorical column), or None.

    Returns:
        A dict of name -> NumPy array.

    Example:

    >>> specs = {"num_samples": tf.TensorSpec((), tf.int32),
    ...          "seed": tf.TensorSpec((), tf.int64)}
    >>> {k: int(v) for k, v in example_inputs(specs, seq_len=24).items()}
    {'num_samples': 2, 'seed': 0}
    """
    scalars = {"num_samples": batch_size, "seed": 0, "length": 2 * seq_len}
    inputs = {}
    for name, spec in input_specs.items():
        dtype = spec.dtype.as_numpy_dtype
        if spec.shape.rank == 0:
            inputs[name] = np.asarray(scalars.get(name, 0), dtype)
            continue
        shape = [batch_size if d is None else d for d in spec.shape]
        fill = {"lengths": seq_len, **(fills or {})}.get(name, 0)
        inputs[name] = np.full(shape, fill, dtype)
    return inputs


def predict_request(model_name, signature_name, inputs):
    """A gRPC `PredictRequest` for TF Serving's `PredictionService.Predict`.

    Args:
        model_name: str. The model's name in TF Serving (`--model_name`).
        signature_name: str. E.g. `"serving_default"`.
        inputs: dict of name -> array-like, cast to the signature's dtypes by
            the caller (e.g. `np.int32` for `num_samples`).

    Returns:
        A `tensorflow_serving.apis.predict_pb2.PredictRequest`.

    Example:

    >>> request = predict_request("sines", "serving_default",
    ...     {"num_samples": np.int32(3), "seed": np.int64(7)})
    >>> request.model_spec.signature_name, sorted(request.inputs)
    ('serving_default', ['num_samples', 'seed'])
    """
    predict_pb2, _ = _serving_apis()
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def write_warmup_requests(
    saved_model_dir, signatures, seq_len, model_name="model", fills=None
):
    """Writes `assets.extra/tf_serving_warmup_requests`: one PredictLog record
    per signature, with `example_inputs`, for TF Serving to replay at load.

    Args:
        saved_model_dir: str. The export's version folder.
        signatures: dict of name -> input specs (dict of `tf.TensorSpec`).
        seq_len: int. Steps per sequence of the model.
        model_name: str. Recorded in the requests (TF Serving ignores it).
        fills: dict of input name -> fill value (see `example_inputs`).

    Returns:
        The path of the warmup file.

    Example:

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> specs = {"num_samples": tf.TensorSpec((), tf.int32, name="num_samples"),
    ...          "seed": tf.TensorSpec((), tf.int64, name="seed")}
    >>> _ = write_warmup_requests(
    ...     folder, {"serving_default": specs}, seq_len=24
    ... )
    >>> [
    ...     (name, sorted(inputs))
    ...     for name, inputs in read_warmup_requests(folder)
    ... ]
    [('serving_default', ['num_samples', 'seed'])]
    """
    _, prediction_log_pb2 = _serving_apis()
    path = os.path.join(saved_model_dir, WARMUP_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for name, specs in signatures.items():
            request = predict_request(
                model_name, name, example_inputs(specs, seq_len, fills=fills)
            )
            log = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)
            )
            writer.write(log.SerializeToString())
    return path


def read_warmup_requests(saved_model_dir):
    """The warmup requests of an export, as `(signature_name, inputs)` pairs
    with NumPy inputs (to replay them through `tf.saved_model.load`).

    Example: see `write_warmup_requests`.
    """
    _, prediction_log_pb2 = _serving_apis()
    path = os.path.join(saved_model_dir, WARMUP_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No warmup file at {path}")
    requests = []
    for record in tf.data.TFRecordDataset(path).as_numpy_iterator():
        log = prediction_log_pb2.PredictionLog.FromString(record)
        request = log.predict_log.request
        inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
        requests.append((request.model_spec.signature_name, inputs))
    return requests
