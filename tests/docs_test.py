"""docs/cli.md's table of `keras-rgan train` flags is the one the option
declarations make (keras_rgan/config.py), so it cannot go stale."""

import os

from keras_rgan import config

CLI_DOC = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "docs",
    "cli.md",
)


def test_cli_doc_lists_every_training_flag_as_declared():
    with open(CLI_DOC) as f:
        text = f.read()
    assert config.options_markdown() in text, (
        "docs/cli.md's options table is stale: regenerate it with "
        "config.options_markdown() (see the comment above the table)."
    )
    for name in config.options():
        assert f"`--{name}`" in text
