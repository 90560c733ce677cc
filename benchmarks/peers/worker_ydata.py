"""ydata-synthetic's side of `benchmarks/peers.py`, run in its own virtual
environment.

Task "timegan": ydata-synthetic's TimeGAN (GRU, hidden 24, 3 layers; its
supervisor has 2) through its public API, `TimeSeriesSynthesizer("timegan")`
and `fit(DataFrame, TrainParameters)`, whose joint phase is timed iteration
by iteration (`common.PausingLoop`). Its `fit` cuts a table into windows with
stride 1, so the table is the first `n + seq_len` rows of the Sines data laid
end to end: `n` windows, as many as keras_rgan's data set has sequences.

ydata-synthetic 2.0.1 is a deprecation release: its `__init__` calls an
undefined `warn`, hence `builtins.warn`; `YDATA_SYNTHETIC_NO_ANALYTICS=1`
stops it from sending usage data (the orchestrator sets it too).
"""

import builtins
import os
import warnings

import common

builtins.warn = warnings.warn
os.environ["YDATA_SYNTHETIC_NO_ANALYTICS"] = "1"


def count(model):
    return int(model.count_params())


def main(config, channel):
    import numpy as np
    import pandas as pd
    from ydata_synthetic.synthesizers.base import ModelParameters
    from ydata_synthetic.synthesizers.base import TrainParameters
    from ydata_synthetic.synthesizers.timeseries import TimeSeriesSynthesizer
    from ydata_synthetic.synthesizers.timeseries.timegan import (
        model as timegan_module,
    )

    seq_len, features = config["seq_len"], config["num_features"]
    hidden, n = config["hidden"], config["num_sequences"]
    x = np.load(config["data_path"])
    table = pd.DataFrame(
        x.reshape(-1, features)[: n + seq_len],
        columns=[f"feature_{i}" for i in range(features)],
    )
    synth = TimeSeriesSynthesizer(
        modelname="timegan",
        model_parameters=ModelParameters(
            batch_size=config["batch_size"], lr=1e-3, latent_dim=hidden, gamma=1
        ),
    )

    def info():
        return {
            "versions": common.versions(
                "ydata-synthetic", "tensorflow", "keras", "numpy", "pandas"
            ),
            "model": (
                "ydata_synthetic TimeSeriesSynthesizer('timegan', "
                f"ModelParameters(batch_size={config['batch_size']}, lr=1e-3, "
                f"latent_dim={hidden}, gamma=1)): embedder, recovery, "
                "generator, discriminator 3 GRU layers, supervisor 2, sigmoid "
                "outputs"
            ),
            "parameters": {
                name: count(getattr(synth, attribute))
                for name, attribute in (
                    ("embedder", "embedder"),
                    ("recovery", "recovery"),
                    ("generator", "generator_aux"),
                    ("supervisor", "supervisor"),
                    ("discriminator", "discriminator"),
                )
            },
            "step": (
                "one iteration of the joint loop of ydata's TimeGAN.train: 2 x "
                "(a new data pipeline over all windows and a new noise "
                "pipeline, 1 generator+supervisor update, 1 embedder+recovery "
                "update), then new pipelines again, the discriminator loss "
                "(eager), and 1 discriminator update when that loss > 0.15"
            ),
            "generate": (
                f"synth.sample({config['num_generate']}): one noise batch of "
                f"{config['num_generate']} from a Python generator, one "
                f"generator call, {config['num_generate']} pandas DataFrames "
                "(its return type)"
            ),
        }

    loop = common.PausingLoop(
        channel,
        joint_desc="Joint networks training",
        pretrain_descs=[
            "Emddeding network training",
            "Supervised network training",
        ],
        pretrain_steps=config["pretrain_steps"],
        startup_warmup=config["startup_warmup"],
        info_fn=info,
        generate_fn=synth.sample,
    )
    timegan_module.tqdm = loop
    # `train` looks `train_discriminator` up on the instance: count the updates.
    synth.train_discriminator = loop.counting(
        "discriminator_updates", synth.train_discriminator
    )
    # The loop runs until the orchestrator says "quit".
    synth.fit(
        table,
        train_arguments=TrainParameters(
            epochs=10**9, sequence_length=seq_len, number_sequences=features
        ),
        num_cols=list(table.columns),
    )


if __name__ == "__main__":
    raise SystemExit(common.run(main))
