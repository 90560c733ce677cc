"""What a table's columns are, as the model sees them and serving decodes
them: numeric columns (scaled; whole-number ones on their grid),
categorical columns (one-hot over their vocabulary) and, when cells go
missing, an observed flag per column."""

import keras
import numpy as np
import tensorflow as tf

from keras_rgan.data.scaling import EPSILON

# Served inputs and outputs; a column may not take one of these names.
RESERVED = ("sequences", "lengths", "observed", "logits", "noise", "seed")


def _on_grid(column, grid):
    """`column` rounded onto the grid `offset + k * step`."""
    offset, step = grid
    return tf.round((column - offset) / step) * step + offset


def _category_texts(encoded, start, categorical):
    """`{name: text}` of the one-hot blocks from `start`, one per
    `[name, categories]` pair, in order."""
    texts = {}
    for name, categories in categorical:
        block = encoded[..., start : start + len(categories)]
        start += len(categories)
        texts[name] = tf.gather(
            tf.constant(categories), tf.argmax(block, axis=-1)
        )
    return texts


def _one_hot(values, name, categories, dtype=tf.float32):
    """One-hot of served category text; an unknown category fails with a
    message naming its column."""
    values = tf.convert_to_tensor(values)
    match = tf.equal(values[..., None], tf.constant(categories))
    check = tf.debugging.assert_equal(
        tf.reduce_all(tf.reduce_any(match, axis=-1)),
        True,
        message=f"{name} holds a category the model did not learn",
    )
    with tf.control_dependencies([check]):
        return tf.cast(match, dtype)


@keras.saving.register_keras_serializable(package="keras_rgan")
class TableSchema:
    """The columns of a table and their encoding for the model.

    Per step, the model reads and writes `encoded_dim` values: the numeric
    columns scaled to `[0, 1]`, then one one-hot block per categorical
    column, then (with `missing`) one observed flag per column (numeric,
    then categorical). The discriminator sees values times their observed
    flag, so what a missing cell holds never reaches a loss. Serving decodes
    inside the graph: numbers in original units (whole-number columns
    rounded onto their grid), categories as their text, observed flags as
    bool.

    Args:
        numeric: list of str. Numeric column names.
        categorical: list of `[name, categories]` pairs.
        integer_grids: dict `{name: [offset, step]}` of numeric columns
            whose values are whole numbers on a grid.
        missing: bool. Whether the model learns which cells are observed.
        time: dict or None. The data's `TimeAxis` (to continue timestamps
            in generated tables).
        id_column: str or None. The id column of a long-format table.
        static: dict or None. Per-sequence attributes: `numeric` and
            `categorical` (`[name, categories]` pairs) columns, the
            `integer_grids` of whole-number ones and the `ranges`
            (`[min, max]` of each numeric one, fitted on training data).
        label: `[name, categories]` of the label column, or None.

    Example:

    >>> schema = TableSchema(["v"], [["c", ["a", "b", "c"]]], missing=True)
    >>> schema.encoded_dim, schema.blocks()
    (6, [('numeric', 1), ('categorical', 3), ('observed', 2)])
    """

    def __init__(
        self,
        numeric,
        categorical=(),
        integer_grids=None,
        missing=False,
        time=None,
        id_column=None,
        static=None,
        label=None,
    ):
        self.numeric = list(numeric)
        self.categorical = [[name, list(v)] for name, v in categorical]
        taken = set(RESERVED) & set(self.column_names)
        if taken:
            raise ValueError(
                f"Column name(s) {sorted(taken)} are the names of served "
                "outputs; rename them in the table."
            )
        self.integer_grids = {
            name: [int(offset), int(step)]
            for name, (offset, step) in (integer_grids or {}).items()
        }
        unknown = set(self.integer_grids) - set(self.numeric)
        if unknown:
            raise ValueError(f"integer_grids names unknown columns {unknown}.")
        self.missing = bool(missing)
        self.time = time
        self.id_column = id_column
        self.static = None
        if static is not None:
            self.static = {
                "numeric": list(static["numeric"]),
                "categorical": [
                    [name, list(v)] for name, v in static["categorical"]
                ],
                "integer_grids": {
                    name: [int(a), int(b)]
                    for name, (a, b) in static.get("integer_grids", {}).items()
                },
                "ranges": static.get("ranges"),
            }
        self.label = None if label is None else [label[0], list(label[1])]
        taken = set(RESERVED) & set(self.attribute_names)
        if taken:
            raise ValueError(
                f"Column name(s) {sorted(taken)} are the names of served "
                "outputs; rename them in the table."
            )

    @property
    def column_names(self):
        """Feature names: numeric, then categorical."""
        return self.numeric + [name for name, _ in self.categorical]

    @property
    def encoded_dim(self):
        return sum(size for _, size in self.blocks())

    @property
    def plain(self):
        """Whether the encoding is just the scaled numbers."""
        return not self.categorical and not self.missing

    @property
    def numeric_only(self):
        """Whether the table holds numeric columns only, without missing
        cells or static columns (what every model learns)."""
        return self.plain and not self.static

    @property
    def attribute_names(self):
        """Static column names: numeric, then categorical."""
        if self.static is None:
            return []
        categorical = [name for name, _ in self.static["categorical"]]
        return self.static["numeric"] + categorical

    def attribute_blocks(self):
        """`[(kind, size)]` of the encoded attributes (empty: none)."""
        if self.static is None:
            return []
        blocks = []
        if self.static["numeric"]:
            blocks.append(("numeric", len(self.static["numeric"])))
        blocks += [
            ("categorical", len(v)) for _, v in self.static["categorical"]
        ]
        return blocks

    def blocks(self):
        """`[(kind, size)]` of the encoded step, in order."""
        blocks = [("numeric", len(self.numeric))]
        blocks += [("categorical", len(v)) for _, v in self.categorical]
        if self.missing:
            blocks.append(("observed", len(self.column_names)))
        return blocks

    # === Data side (NumPy) ===

    def encode(self, scaled, codes, observed):
        """float32 `(n, steps, encoded_dim)` of scaled numbers, int codes
        (-1 where missing) and the observed mask (None: all observed)."""
        parts = [
            np.where(observed[..., : len(self.numeric)], scaled, 0.0)
            if observed is not None
            else scaled
        ]
        for k, (_, categories) in enumerate(self.categorical):
            column = codes[..., k]
            one_hot = np.eye(len(categories), dtype=np.float32)[
                np.maximum(column, 0)
            ]
            parts.append(one_hot * (column >= 0)[..., None])
        if self.missing:
            if observed is None:
                observed = np.ones(
                    scaled.shape[:-1] + (len(self.column_names),), bool
                )
            parts.append(observed)
        return np.concatenate(parts, axis=-1).astype(np.float32)

    def fit_attributes(self, values):
        """Fits the numeric attributes' `[min, max]` on training `values`
        `(n, numeric)`."""
        self.static["ranges"] = [
            [float(values[:, k].min()), float(values[:, k].max())]
            for k in range(values.shape[1])
        ]

    def _ranges(self):
        ranges = np.asarray(self.static["ranges"] or np.zeros((0, 2)))
        low = ranges[:, 0].astype(np.float32)
        return low, (ranges[:, 1] - ranges[:, 0] + EPSILON).astype(np.float32)

    def encode_attributes(self, values, codes):
        """float32 `(n, attribute_dim)` of numeric attribute `values` in
        original units and categorical attribute `codes`."""
        low, span = self._ranges()
        parts = [(values - low) / span]
        for k, (_, categories) in enumerate(self.static["categorical"]):
            parts.append(np.eye(len(categories), dtype=np.float32)[codes[:, k]])
        return np.concatenate(parts, axis=-1).astype(np.float32)

    # === Model side (tensors) ===

    def value_flags(self, encoded):
        """Per encoded value column, its column's observed flag: ones for
        the observed block itself (None when nothing is missing)."""
        if not self.missing:
            return None
        flags = encoded[..., -len(self.column_names) :]
        sizes = [1] * len(self.numeric) + [len(v) for _, v in self.categorical]
        repeated = tf.repeat(flags, sizes, axis=-1)
        return tf.concat([repeated, tf.ones_like(flags)], axis=-1)

    def masked(self, encoded):
        """`encoded` with each value times its observed flag, as the
        discriminator sees it."""
        flags = self.value_flags(encoded)
        return encoded if flags is None else encoded * flags

    def encode_served(self, sequences, scaler=None, columns=None):
        """Encoded steps of served inputs: numeric `sequences` in original
        units, and in `columns` each categorical column's text and, with
        `missing`, the bool `observed` flags. An unknown category fails
        with a message naming its column."""
        columns = columns or {}
        parts = [sequences if scaler is None else scaler.transform(sequences)]
        for name, categories in self.categorical:
            parts.append(
                _one_hot(columns[name], name, categories, parts[0].dtype)
            )
        if self.missing:
            parts.append(tf.cast(columns["observed"], parts[0].dtype))
        return tf.concat(parts, axis=-1)

    def served_specs(self, seq_len):
        """`TensorSpec`s of the table inputs `encode_served` reads."""
        specs = [
            tf.TensorSpec((None, seq_len), tf.string, name=name)
            for name, _ in self.categorical
        ]
        if self.missing:
            specs.append(
                tf.TensorSpec(
                    (None, seq_len, len(self.column_names)),
                    tf.bool,
                    name="observed",
                )
            )
        return specs

    def decode_attributes(self, encoded):
        """`{name: (batch,)}` of encoded attributes: numbers in original
        units (int64 for whole-number ones, rounded onto their grid) and
        categories as text."""
        count = len(self.static["numeric"])
        low, span = self._ranges()
        outputs = {}
        numbers = encoded[..., :count] * span + low
        for k, name in enumerate(self.static["numeric"]):
            column = numbers[..., k]
            if name in self.static["integer_grids"]:
                whole = _on_grid(column, self.static["integer_grids"][name])
                column = tf.cast(whole, tf.int64)
            outputs[name] = column
        outputs.update(
            _category_texts(encoded, count, self.static["categorical"])
        )
        return outputs

    def attribute_specs(self):
        """`TensorSpec`s of attributes given in original units or text."""
        specs = [
            tf.TensorSpec((None,), tf.float32, name=name)
            for name in self.static["numeric"]
        ]
        return specs + [
            tf.TensorSpec((None,), tf.string, name=name)
            for name, _ in self.static["categorical"]
        ]

    def encode_served_attributes(self, inputs):
        """Encoded attributes of served ones (`attribute_specs`); an unknown
        category fails naming its column."""
        low, span = self._ranges()
        parts = []
        if self.static["numeric"]:
            numbers = tf.stack(
                [
                    tf.cast(inputs[name], tf.float32)
                    for name in self.static["numeric"]
                ],
                axis=-1,
            )
            parts.append((numbers - low) / span)
        for name, categories in self.static["categorical"]:
            parts.append(_one_hot(inputs[name], name, categories))
        return tf.concat(parts, axis=-1)

    def example_fills(self):
        """Valid fill values of the table inputs, for warmup requests."""
        categorical = self.categorical
        if self.static is not None:
            categorical = categorical + self.static["categorical"]
        fills = {name: categories[0] for name, categories in categorical}
        return {**fills, "observed": True} if self.missing else fills

    def decode(self, encoded, scaler=None):
        """`{"sequences", "observed", "<name>"...}` of encoded steps:
        numeric columns in original units (float32, whole-number columns
        rounded onto their grid), each categorical column as text
        (`tf.string`), each whole-number column as int64 under its name,
        and the observed flags (bool) when the model learns them."""
        count = len(self.numeric)
        numbers = encoded[..., :count]
        if scaler is not None:
            numbers = scaler.inverse_transform(numbers)
        outputs = {}
        columns = []
        for k, name in enumerate(self.numeric):
            column = numbers[..., k]
            if name in self.integer_grids:
                column = _on_grid(column, self.integer_grids[name])
                outputs[name] = tf.cast(column, tf.int64)
            columns.append(column)
        outputs["sequences"] = tf.stack(columns, axis=-1)
        outputs.update(_category_texts(encoded, count, self.categorical))
        if self.missing:
            start = count + sum(len(v) for _, v in self.categorical)
            outputs["observed"] = encoded[..., start:] > 0.5
        return outputs

    def get_config(self):
        return {
            "numeric": self.numeric,
            "categorical": self.categorical,
            "integer_grids": self.integer_grids,
            "missing": self.missing,
            "time": self.time,
            "id_column": self.id_column,
            "static": self.static,
            "label": self.label,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
