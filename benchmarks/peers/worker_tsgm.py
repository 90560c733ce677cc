"""tsgm's side of `benchmarks/peers.py`, run in tsgm's own virtual environment.

Tasks:
- "gan": `tsgm.models.cgan.GAN` with an LSTM generator and discriminator of
  hidden size 24 (one layer each), trained by its own `fit` (it is a
  `keras.Model` and keeps Keras's `fit`; its `train_step` makes one
  discriminator update on fake and real concatenated, then one generator
  update on fresh noise). tsgm's GAN draws one noise vector per sequence, so
  the generator reads `seq_len * features` numbers reshaped to
  `(seq_len, features)`: the same noise count and the same layers as
  keras_rgan's per-step-noise generator.
- "timegan": `tsgm.models.timeGAN.TimeGAN` (GRU, hidden 24, 3 layers), trained
  by its own `fit`, whose joint phase is timed iteration by iteration
  (`common.PausingLoop`).
"""

import os

import common

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def library_versions():
    return common.versions("tsgm", "keras", "tensorflow", "numpy", "pandas")


def count(model):
    return int(model.count_params())


def gan_worker(config, channel, keras, tf, np, x):
    from tsgm.models.cgan import GAN

    seq_len, features = config["seq_len"], config["num_features"]
    hidden = config["hidden"]
    latent_dim = seq_len * features
    generator = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Reshape((seq_len, features)),
            keras.layers.LSTM(hidden, return_sequences=True),
            keras.layers.Dense(features, activation="sigmoid"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((seq_len, features)),
            keras.layers.LSTM(hidden),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    gan = GAN(
        discriminator=discriminator, generator=generator, latent_dim=latent_dim
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    dataset = (
        tf.data.Dataset.from_tensor_slices(x)
        .shuffle(len(x), seed=0, reshuffle_each_iteration=True)
        .batch(config["batch_size"], drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
        .repeat()
    )
    gan.fit(dataset, steps_per_epoch=config["warmup"] + 2, epochs=1, verbose=0)

    def sample(num):
        return keras.ops.convert_to_numpy(gan.generate(num))

    sample(config["num_generate"])
    info = {
        "model": (
            f"tsgm.models.cgan.GAN: generator [noise ({latent_dim},) -> "
            f"Reshape({seq_len}, {features}) -> LSTM({hidden}) -> "
            f"Dense({features}, sigmoid)], discriminator [LSTM({hidden}), last "
            "step -> Dense(1) logit]; BinaryCrossentropy(from_logits=True), "
            "Adam(1e-3, beta_1=0.5) each"
        ),
        "parameters": {
            "generator": count(generator),
            "discriminator": count(discriminator),
        },
        "step": (
            "1 discriminator update (G forward on fresh noise, then D on fake "
            "and real concatenated, 2B sequences), then 1 generator update on "
            "fresh noise; keras.Model.fit with tsgm's train_step"
        ),
        "generate": (
            f"gan.generate({config['num_generate']}): one eager generator "
            "call, converted to NumPy"
        ),
        "jit_compile": bool(gan.jit_compile),
    }

    def train(steps, warmup):
        return {
            "ms": common.summarise(
                common.keras_fit_step_ms(keras, gan, dataset, steps, warmup)
            )
        }

    def generate(num, repeats):
        times = common.time_calls(lambda: sample(num), repeats, "generate")
        return {"ms": common.summarise(times)}

    return info, {"train": train, "generate": generate}


def timegan_worker(config, channel, keras, tf, np, x):
    import tsgm.models.timeGAN as timegan_module

    hidden = config["hidden"]
    model = timegan_module.TimeGAN(
        seq_len=config["seq_len"],
        module="gru",
        hidden_dim=hidden,
        n_features=config["num_features"],
        n_layers=3,
        batch_size=config["batch_size"],
    )
    model.compile()

    def info():
        return {
            "versions": library_versions(),
            "model": (
                "tsgm.models.timeGAN.TimeGAN(module='gru', "
                f"hidden_dim={hidden}, n_layers=3): every network (supervisor "
                "too) one RNN over 3 stacked GRU cells, sigmoid outputs; "
                "default Adam() each"
            ),
            "parameters": {
                name: count(getattr(model, attribute))
                for name, attribute in (
                    ("embedder", "embedder"),
                    ("recovery", "recovery"),
                    ("generator", "generator_aux"),
                    ("supervisor", "supervisor"),
                    ("discriminator", "discriminator"),
                )
            },
            "step": (
                "one iteration of the joint loop of tsgm's TimeGAN.fit: 2 x "
                "(new noise pipeline and batch, 1 generator+supervisor "
                "update, 1 embedder+recovery update), then a new noise "
                "pipeline and batch, the discriminator loss, and 1 "
                "discriminator update when that loss > 0.15"
            ),
            "generate": (
                f"model.generate({config['num_generate']}): "
                f"{config['num_generate'] // config['batch_size'] + 1} "
                f"batches of {config['batch_size']}, a new noise pipeline "
                "each, trimmed"
            ),
        }

    loop = common.PausingLoop(
        channel,
        joint_desc="GAN with embedding - training",
        pretrain_descs=[
            "Autoencoder - training",
            "Adversarial Supervised - training",
        ],
        pretrain_steps=config["pretrain_steps"],
        startup_warmup=config["startup_warmup"],
        info_fn=info,
        generate_fn=model.generate,
    )
    timegan_module.tqdm = loop
    timegan_module.trange = loop.trange
    model._train_discriminator = loop.counting(
        "discriminator_updates", model._train_discriminator
    )
    dataset = (
        tf.data.Dataset.from_tensor_slices(x)
        .shuffle(len(x), seed=0, reshuffle_each_iteration=True)
        .batch(config["batch_size"], drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    # The loop runs until the orchestrator says "quit".
    model.fit(dataset, epochs=10**9)
    return None, None


def main(config, channel):
    import keras
    import numpy as np
    import tensorflow as tf
    import tsgm  # noqa: F401 - sets tsgm's backend before its models are used.

    x = np.load(config["data_path"]).astype("float32")
    worker = gan_worker if config["task"] == "gan" else timegan_worker
    info, handlers = worker(config, channel, keras, tf, np, x)
    if info is None:
        return
    info["versions"] = library_versions()
    common.serve(channel, info, handlers)


if __name__ == "__main__":
    raise SystemExit(common.run(main))
