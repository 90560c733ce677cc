"""Two small real data sets for the quality suite, cut from data that ships
inside installable packages (chosen before any tuning, reported as they come).

- `co2`: statsmodels' weekly Mauna Loa CO2 (ppm, March 1958 to December
  2001, 2,284 weeks; the 59 missing weeks filled by linear interpolation in
  time). One feature; the suite cuts windows of 24 weeks every 2 weeks:
  1,131 sequences.
- `camera`: scikit-image's 512 x 512 `camera` picture (8-bit grey) cut into
  1,024 non-overlapping 16 x 16 patches; each patch is a sequence of 16 rows
  of 16 integer pixels (0 to 255), in long format (`patch`, `row`,
  `p0` ... `p15`).

Each is written once as a CSV table (what a user would bring) and read by
`keras-rgan train` through `csv:PATH`.

    python benchmarks/real_sets.py --output_dir=/tmp/real_sets
"""

import os

import numpy as np
import pandas as pd
from absl import app
from absl import flags

PATCH = 16


def co2_frame():
    """Weekly CO2 as a table: `week` (date) and `co2` (ppm)."""
    from statsmodels.datasets import co2

    series = co2.load_pandas().data["co2"].interpolate(method="time")
    return pd.DataFrame({"week": series.index, "co2": series.to_numpy()})


def camera_frame():
    """16 x 16 patches of the camera picture as a long table: one row per
    patch row."""
    from skimage import data

    image = data.camera()
    tiles = image.reshape(
        image.shape[0] // PATCH, PATCH, image.shape[1] // PATCH, PATCH
    ).transpose(0, 2, 1, 3)
    rows = tiles.reshape(-1, PATCH)  # (patches * 16, 16), patch-major
    frame = pd.DataFrame(rows.astype(np.int64))
    frame.columns = [f"p{k}" for k in range(PATCH)]
    patches = len(rows) // PATCH
    frame.insert(0, "row", np.tile(np.arange(PATCH), patches))
    frame.insert(0, "patch", np.repeat(np.arange(patches), PATCH))
    return frame


FRAMES = {"co2": co2_frame, "camera": camera_frame}


def write(name, output_dir):
    """Writes data set `name` as `output_dir/name.csv` (once) and returns
    its path."""
    path = os.path.join(output_dir, f"{name}.csv")
    if not os.path.exists(path):
        os.makedirs(output_dir, exist_ok=True)
        partial = path + ".partial"
        FRAMES[name]().to_csv(partial, index=False)
        os.replace(partial, path)
    return path


_OUTPUT_DIR = flags.DEFINE_string(
    "output_dir", "/tmp/keras_rgan_real_sets", "Where the CSVs go."
)


def main(argv):
    del argv
    for name in FRAMES:
        print(write(name, _OUTPUT_DIR.value))


if __name__ == "__main__":
    app.run(main)
