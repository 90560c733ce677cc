"""keras_rgan's side of `benchmarks/peers.py`, run by the project's Python.

Tasks: "rgan" (LSTM RGAN, hidden 24, one layer each, as it runs by default
on a CPU: each LSTM one fused kernel, `FusedLSTM`), "rgan_loop" and
"rgan_unrolled" (the same with Keras's standard LSTM kernels, as a loop and
unrolled), "timegan" (GRU TimeGAN, hidden 24, 3 layers, straight into its
joint phase) and "timegan_unrolled" (its GRUs unrolled, as `keras-rgan train
--unroll=auto` does for short sequences on a CPU), and "write_data" (saves
the Sines data every worker trains on, then exits).
Training is timed inside `model.fit` by a batch-timestamp callback.
"""

import contextlib

import common


def write_data(config, channel):
    import numpy as np

    import keras_rgan

    x = keras_rgan.data.sine_waves(
        config["num_sequences"],
        config["seq_len"],
        config["num_features"],
        seed=0,
    )
    np.save(config["data_path"], x)
    channel.send(ok=True, shape=list(x.shape))


def count(model):
    return int(model.count_params())


def main(config, channel):
    if config["task"] == "write_data":
        return write_data(config, channel)

    import numpy as np

    import keras_rgan

    x = np.load(config["data_path"])
    dataset = keras_rgan.data.make_dataset(
        x, config["batch_size"], seed=0
    ).repeat()
    task, _, variant = config["task"].partition("_")
    unroll = variant == "unrolled"
    standard = task == "rgan" and variant in ("loop", "unrolled")
    recurrence = {
        (
            "rgan",
            "",
        ): "each LSTM one fused BlockLSTM kernel (FusedLSTM, the CPU default)",
        (
            "rgan",
            "loop",
        ): "Keras's standard LSTM kernels as a loop (standard_kernels())",
        (
            "rgan",
            "unrolled",
        ): "Keras's standard LSTM kernels unrolled (unroll=True, "
        "standard_kernels())",
        ("timegan", ""): "recurrences as loops",
        ("timegan", "unrolled"): "unrolled recurrences (unroll=True)",
    }[(task, variant)]
    kernels = (
        keras_rgan.layers.standard_kernels
        if standard
        else contextlib.nullcontext
    )
    with kernels():  # Traces (in the warm-up) with the chosen LSTM kernels.
        _run(config, channel, task, unroll, recurrence, dataset)


def _run(config, channel, task, unroll, recurrence, dataset):
    import keras

    import keras_rgan

    seq_len, features = config["seq_len"], config["num_features"]
    hidden = config["hidden"]

    if task == "rgan":
        gan = keras_rgan.RGAN(
            generator=keras_rgan.LSTMGenerator(
                features, units=hidden, num_layers=1, unroll=unroll
            ),
            discriminator=keras_rgan.LSTMDiscriminator(
                units=hidden, num_layers=1, unroll=unroll
            ),
            seq_len=seq_len,
            latent_dim=features,
            seed=0,
        )
        gan.compile()
        parameters = {
            "generator": count(gan.generator),
            "discriminator": count(gan.discriminator),
        }
        model = (
            f"keras_rgan.RGAN: LSTMGenerator({features}, units={hidden}, "
            f"num_layers=1) [per-step noise ({seq_len}, {features}) -> "
            f"LSTM({hidden}) -> Dense({features}, sigmoid)], "
            f"LSTMDiscriminator(units={hidden}, num_layers=1) "
            f"[LSTM({hidden}), last step -> Dense(1) logit]; compile() "
            "defaults: non-saturating cross-entropy, Adam(1e-3, beta_1=0.5) "
            f"each, d_steps=1; {recurrence}"
        )
        step = (
            "1 discriminator update (G forward on fresh noise, then D on real "
            "and generated concatenated, 2B sequences), then 1 generator "
            "update on fresh noise; keras.Model.fit's train_step"
        )
    else:
        gan = keras_rgan.TimeGAN(
            seq_len=seq_len,
            num_features=features,
            hidden_dim=hidden,
            num_layers=3,
            cell="gru",
            embedding_epochs=0,
            supervised_epochs=0,
            unroll=unroll,
            seed=0,
        )
        gan.compile()
        parameters = {
            name: count(getattr(gan, name))
            for name in (
                "embedder",
                "recovery",
                "generator",
                "supervisor",
                "discriminator",
            )
        }
        model = (
            f"keras_rgan.TimeGAN(hidden_dim={hidden}, num_layers=3, "
            "cell='gru', embedding_epochs=0, supervised_epochs=0): embedder, "
            "recovery, "
            "generator, discriminator 3 GRU layers, supervisor 2; Adam(1e-3) "
            f"each; {recurrence}"
        )
        step = (
            "one joint-phase train_step: 1 generator+supervisor update, 1 "
            "embedder+recovery update, 1 discriminator update (always), one "
            "real batch; keras.Model.fit"
        )

    # Warm-up: traces the train step and the generation function.
    gan.fit(dataset, steps_per_epoch=config["warmup"] + 2, epochs=1, verbose=0)
    gan.generate(config["num_generate"], seed=0)
    info = {
        "versions": common.versions(
            "keras-rgan", "keras", "tensorflow", "numpy"
        ),
        "model": model,
        "parameters": parameters,
        "step": step,
        "generate": (
            f"gan.generate({config['num_generate']}, seed=0): one traced "
            "tf.function call, returns a NumPy array"
        ),
        "jit_compile": bool(gan.jit_compile),
        "phase": getattr(gan, "phase", None),
    }

    def train(steps, warmup):
        ms = common.keras_fit_step_ms(keras, gan, dataset, steps, warmup)
        return {
            "ms": common.summarise(ms),
            "phase": getattr(gan, "phase", None),
        }

    def generate(num, repeats):
        times = common.time_calls(
            lambda: gan.generate(num, seed=0), repeats, "generate"
        )
        return {"ms": common.summarise(times)}

    common.serve(channel, info, {"train": train, "generate": generate})


if __name__ == "__main__":
    raise SystemExit(common.run(main))
