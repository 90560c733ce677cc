"""Writes the notebooks of this folder from the cells below (no outputs).

    python notebooks/make_notebooks.py

Edit the cells here, not the .ipynb files, so the notebooks stay reviewable.
"""

import os

import nbformat
from nbformat.v4 import new_code_cell
from nbformat.v4 import new_markdown_cell
from nbformat.v4 import new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))

BUDGET = '''import os

# A small budget for CI: KERAS_RGAN_NOTEBOOK_QUICK=1 trains for a few steps.
QUICK = os.environ.get("KERAS_RGAN_NOTEBOOK_QUICK") == "1"'''

QUICK_START = [
    new_markdown_cell(
        "# keras_rgan quick start\n\n"
        "Train an LSTM GAN on the built-in Sines data with plain `model.fit`, "
        "look at real and generated sequences, export a SavedModel and load it "
        "back in a process that never imports keras_rgan. On a 2-core CPU the "
        "full run (108 epochs, about 8,400 steps, as many as `keras-rgan "
        "train` makes) takes about 9 minutes (8.6 to 8.7 min of training for "
        "the same steps in `benchmarks/results/recipe_sweep.jsonl`)."
    ),
    new_code_cell(
        BUDGET
        + """
EPOCHS = 2 if QUICK else 108  # 108 x 78 batches: about 8,400 steps
NUM_SEQUENCES = 512 if QUICK else 10_000"""
    ),
    new_code_cell("""import keras
import matplotlib.pyplot as plt
import numpy as np

import keras_rgan

keras.utils.set_random_seed(0)
x = keras_rgan.data.sine_waves(n=NUM_SEQUENCES, seq_len=24, dim=5, seed=0)
scaler = keras_rgan.MinMaxScaler().fit(x)
dataset = keras_rgan.data.make_dataset(
    scaler.transform(x), batch_size=128, seed=0
)
x.shape"""),
    new_markdown_cell(
        "The recipe of `keras-rgan train`'s defaults: a per-sequence latent "
        "code, WGAN-GP with five critic updates per generator update, "
        "Adam 2e-4 with learning rates that fall to 0 along a half cosine "
        "over the run, and a moving average of the generator's weights. "
        "The LSTMs are unrolled, as "
        "`keras-rgan train` does for short sequences on a CPU (on a GPU, "
        "leave `unroll` off for cuDNN)."
    ),
    new_code_cell("""gan = keras_rgan.RGAN(
    generator=keras_rgan.LSTMGenerator(
        num_features=5, units=32, num_layers=1, unroll=True
    ),
    discriminator=keras_rgan.LSTMDiscriminator(
        units=32, num_layers=1, unroll=True
    ),
    seq_len=24,
    latent_dim=2,
    sequence_latent_dim=4,
    scaler=scaler,
    seed=0,
)
steps = EPOCHS * (len(x) // 128)
decay = keras.optimizers.schedules.CosineDecay
gan.compile(
    g_optimizer=keras.optimizers.Adam(
        decay(2e-4, steps), beta_1=0.0, use_ema=True, ema_momentum=0.999
    ),
    d_optimizer=keras.optimizers.Adam(decay(2e-4, 5 * steps), beta_1=0.0),
    loss="wgan_gp",
    d_steps=5,
)
history = gan.fit(dataset, epochs=EPOCHS, verbose=1)"""),
    new_code_cell("""generated = gan.generate(5, seed=7)
figure, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True)
panels = ((x[:5, :, 0], "real"), (generated[:, :, 0], "generated"))
for axis, (data, title) in zip(axes, panels):
    axis.plot(data.T)
    axis.set_title(f"{title}, feature 0")
plt.show()"""),
    new_code_cell("""import tempfile

export_path = keras_rgan.export_saved_model(
    gan, os.path.join(tempfile.mkdtemp(), "sines")
)
export_path"""),
    new_markdown_cell(
        "Load the export in a fresh Python process that imports only "
        "TensorFlow: the signatures return sequences in the data's units, and "
        "the same seed gives the same sequences as `gan.generate`."
    ),
    new_code_cell('''import subprocess
import sys

code = f"""
import sys, tensorflow as tf
served = tf.saved_model.load({export_path!r})
out = served.signatures["serving_default"](
    num_samples=tf.constant(5), seed=tf.constant(7, tf.int64)
)
assert "keras_rgan" not in sys.modules
print(out["sequences"].numpy()[0, :3, 0].round(4).tolist())
"""
result = subprocess.run(
    [sys.executable, "-c", code], capture_output=True, text=True, check=True
)
print(result.stdout)
print(generated[0, :3, 0].round(4).tolist())'''),
]

STOCKS = [
    new_markdown_cell(
        "# Stocks: evaluate the shipped model and generate prices in "
        "dollars\n\n"
        "Loads the pretrained export `saved_models/stocks/1` (or trains a new "
        "one with `TRAIN = True`), scores it with TimeGAN's discriminative "
        "and predictive scores, draws PCA and t-SNE pictures of real and "
        "generated sequences, and generates prices in US dollars."
    ),
    new_code_cell(
        BUDGET
        + """
TRAIN = False  # True: train a new model here instead of the shipped one.
CLASSIFIER_STEPS = 50 if QUICK else 2000
PREDICTOR_STEPS = 50 if QUICK else 5000"""
    ),
    new_code_cell("""import json

import numpy as np
import tensorflow as tf
from IPython.display import Image, display

from keras_rgan import MinMaxScaler, data, evaluation, train_lib

# epochs=None: as long as keras-rgan train trains (about 8,400 steps).
config = train_lib.TrainConfig.from_options(
    dataset="stocks", epochs=2 if QUICK else None, verbose=1
)
train, held_out = data.load_split(config.data, config.run.seed)
if TRAIN:
    import tempfile
    config = config.replace(export_dir=tempfile.mkdtemp())
    export_path = train_lib.train(config).export_path
else:
    export_path = os.path.join("..", "saved_models", "stocks", "1")
served = tf.saved_model.load(export_path)
metadata_path = os.path.join(export_path, "assets.extra", "keras_rgan.json")
with open(metadata_path) as f:
    metadata = json.load(f)
metadata["feature_names"]"""),
    new_code_cell("""real = train.sequences
synthetic = served.signatures["serving_default"](
    num_samples=tf.constant(len(real)), seed=tf.constant(0, tf.int64)
)["sequences"].numpy()
scaler = MinMaxScaler(**metadata["scaler"])
scores = {
    "discriminative": evaluation.discriminative_score(
        real, synthetic, scaler=scaler, steps=CLASSIFIER_STEPS
    ),
    "predictive (synthetic -> real)": evaluation.predictive_score(
        real, synthetic, scaler=scaler, steps=PREDICTOR_STEPS
    ),
    "predictive (real -> real)": evaluation.predictive_score(
        real, held_out.sequences, scaler=scaler, steps=PREDICTOR_STEPS
    ),
}
scores"""),
    new_code_cell("""import tempfile

pictures = tempfile.mkdtemp()
evaluation.plot_embeddings(
    real,
    synthetic,
    os.path.join(pictures, "embeddings.png"),
    max_samples=200 if QUICK else 1000,
)
display(Image(os.path.join(pictures, "embeddings.png")))"""),
    new_markdown_cell(
        "Generated prices, in dollars (and volume in shares), for one sequence:"
    ),
    new_code_cell("""first = synthetic[0]
header = " ".join(f"{name:>12}" for name in metadata["feature_names"])
print(header)
for step in first[:5]:
    print(" ".join(f"{value:12.2f}" for value in step))"""),
]

SERVING = [
    new_markdown_cell(
        "# Serving: signatures, REST bodies, continuation and labels\n\n"
        "What TF Serving sees of an export: `saved_model_cli show`, the REST "
        "request and response bodies, and the prefix-continuation and "
        "label-conditional signatures of a CRGAN (trained here on a tiny "
        "labelled data set)."
    ),
    new_code_cell(
        BUDGET
        + """
EPOCHS = 1 if QUICK else 30"""
    ),
    new_code_cell("""import subprocess
import sys

export_path = os.path.join("..", "saved_models", "sines", "1")
saved_model_cli = os.path.join(
    os.path.dirname(sys.executable), "saved_model_cli"
)
shown = subprocess.run(
    [saved_model_cli, "show", "--dir", export_path, "--all"],
    capture_output=True,
    text=True,
    check=True,
).stdout
print(shown[:1500])"""),
    new_markdown_cell(
        "A REST request to `POST /v1/models/sines:predict`, and the response "
        "TF Serving sends back (computed here by the same signature, loaded "
        "with TensorFlow alone):"
    ),
    new_code_cell("""import json

import numpy as np
import tensorflow as tf

request_body = {
    "signature_name": "serving_default",
    "inputs": {"num_samples": 2, "seed": 7},
}
print(json.dumps(request_body))
served = tf.saved_model.load(export_path)
outputs = served.signatures["serving_default"](
    num_samples=tf.constant(2), seed=tf.constant(7, tf.int64)
)
response_body = {
    "outputs": {
        name: value.numpy().round(4).tolist()
        for name, value in outputs.items()
    }
}
print(json.dumps(response_body)[:300], "...")"""),
    new_markdown_cell(
        "A CRGAN conditioned on labels and on a real prefix of 8 steps serves "
        "`generate_with_labels`, `continue_sequences` and `generate_long`. "
        "Its labels have a meaning: feature 0 of a Sines sequence is "
        "`(sin(f t + p) + 1) / 2`, so its first two steps give its frequency "
        "`f`; class 1 holds the sequences whose first feature oscillates "
        "faster than the median sequence's, class 0 the slower half."
    ),
    new_code_cell("""import tempfile

import keras_rgan

x = keras_rgan.data.sine_waves(n=256, seq_len=24, dim=2, seed=0)
angle = np.arcsin(2 * x[:, :2, 0] - 1)  # f t + p of feature 0, t = 0 and 1
frequency = angle[:, 1] - angle[:, 0]  # f of feature 0
labels = (frequency > np.median(frequency)).astype("int32")  # 1: faster
print("sequences per class:", np.bincount(labels).tolist())
scaler = keras_rgan.MinMaxScaler().fit(x)
gan = keras_rgan.CRGAN(
    seq_len=24,
    num_features=2,
    units=16,
    condition_steps=8,
    num_classes=2,
    scaler=scaler,
    seed=0,
)
gan.compile()
dataset = keras_rgan.data.make_dataset(
    scaler.transform(x), 32, seed=0, labels=labels
)
gan.fit(dataset, epochs=EPOCHS, verbose=0)
crgan_path = keras_rgan.export_saved_model(
    gan, os.path.join(tempfile.mkdtemp(), "crgan")
)
crgan = tf.saved_model.load(crgan_path)
sorted(crgan.signatures)"""),
    new_code_cell("""seed = tf.constant(3, tf.int64)
with_labels = crgan.signatures["generate_with_labels"](
    labels=tf.constant([0, 1, 1], tf.int32), seed=seed
)
print("generate_with_labels:", with_labels["sequences"].shape)
continued = crgan.signatures["continue_sequences"](
    prefix=tf.constant(x[:2, :8]), seed=seed
)
kept = np.allclose(continued["sequences"][:, :8], x[:2, :8], atol=1e-5)
print(
    "continue_sequences:", continued["sequences"].shape, "prefix kept:", kept
)
long = crgan.signatures["generate_long"](length=tf.constant(100), seed=seed)
print("generate_long:", long["sequences"].shape)
request_body = {
    "signature_name": "continue_sequences",
    "inputs": {"prefix": x[:1, :8].round(3).tolist(), "seed": 3},
}
print(json.dumps(request_body)[:200], "...")"""),
    new_markdown_cell(
        "The same call over gRPC, with `tensorflow-serving-api` "
        "(`pip install '.[serving]'` from a clone of this repository): the "
        "request names the model, the signature and typed inputs."
    ),
    new_code_cell("""from keras_rgan.serving import predict_request

request = predict_request(
    "crgan",
    "generate_with_labels",
    {"labels": np.array([0, 1], np.int32), "seed": np.int64(3)},
)
print(request)"""),
]


def write(name, cells):
    notebook = new_notebook(cells=cells)
    for number, cell in enumerate(notebook.cells):
        # Stable ids: regenerating changes only what changed.
        cell.id = f"cell-{number}"
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    path = os.path.join(HERE, name)
    nbformat.write(notebook, path)
    return path


if __name__ == "__main__":
    for name, cells in (
        ("quick_start.ipynb", QUICK_START),
        ("stocks.ipynb", STOCKS),
        ("serving.ipynb", SERVING),
    ):
        print(write(name, cells))
