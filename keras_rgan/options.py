"""Options declared once: dataclass fields that carry their help text, and
the absl flags made from them.

A group of options is a dataclass deriving from `OptionGroup` whose fields
are made with `option()`. Building one checks every field's type and
choices, then the group's own `check()`; `define_flags` makes one absl flag
per field (name, type, default and help from the declaration) and
`values_of` reads them back.

Example:

>>> import dataclasses
>>> @dataclasses.dataclass
... class Sizes(OptionGroup):
...     units: int = option(32, "Units per layer.")
>>> Sizes(units="many")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
TypeError: units must be int, got 'many'.
"""

import dataclasses
import types
import typing


def option(default, help, flag=None, choices=None):
    """A field of an `OptionGroup`: its default and help text and, if they
    differ from the field's, its flag name; `choices` limits its values."""
    metadata = {"help": help, "flag": flag, "choices": choices}
    if isinstance(default, list):
        return dataclasses.field(
            default_factory=lambda: list(default), metadata=metadata
        )
    return dataclasses.field(default=default, metadata=metadata)


class OptionGroup:
    """Checks each field's type and choices; subclasses add `check()`."""

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            kinds = field_kinds(type(self), field)
            if value is None and type(None) in kinds:
                continue
            if not _is_a(value, kinds):
                raise TypeError(
                    f"{flag_name(field)} must be {_describe(kinds)}, got "
                    f"{value!r}."
                )
            choices = field.metadata["choices"]
            if choices and value not in choices:
                raise ValueError(
                    f"Unknown {flag_name(field)} {value!r}; expected one of "
                    f"{tuple(choices)}."
                )
        self.check()

    def check(self):
        """Checks the group's own values (beyond types and choices)."""


def flag_name(field):
    """The flag (and flat option) name of a field."""
    return field.metadata["flag"] or field.name


def field_default(field):
    """A field's default value (a fresh one for list defaults)."""
    if field.default is dataclasses.MISSING:
        return field.default_factory()
    return field.default


def field_kinds(cls, field):
    """The types a field of `cls` admits, e.g. `(int, NoneType)`."""
    hint = typing.get_type_hints(cls)[field.name]
    if isinstance(hint, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _is_a(value, kinds):
    for kind in kinds:
        if typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            if isinstance(value, list) and all(
                _is_a(v, (item,)) for v in value
            ):
                return True
        elif kind is float and _is_a(value, (int,)):
            return True
        elif kind is int and isinstance(value, bool):
            continue
        elif kind is not type(None) and isinstance(value, kind):
            return True
    return False


def _describe(kinds):
    names = [getattr(k, "__name__", str(k)) for k in kinds]
    return " or ".join("None" if n == "NoneType" else n for n in names)


def define_flags(groups, flag_values):
    """One absl flag per field of the `OptionGroup` classes `groups`, on
    `flag_values`; returns `{flag name: (group class, field, FlagHolder)}`.
    """
    from absl import flags

    defined = {}
    for cls in groups:
        for field in dataclasses.fields(cls):
            name = flag_name(field)
            kinds = field_kinds(cls, field)
            default = field_default(field)
            help_text = field.metadata["help"]
            common = dict(flag_values=flag_values)
            if field.metadata["choices"]:
                holder = flags.DEFINE_enum(
                    name,
                    default,
                    list(field.metadata["choices"]),
                    help_text,
                    **common,
                )
            elif bool in kinds:
                holder = flags.DEFINE_bool(name, default, help_text, **common)
            elif any(typing.get_origin(kind) is list for kind in kinds):
                holder = flags.DEFINE_list(name, default, help_text, **common)
            elif int in kinds and str not in kinds:
                holder = flags.DEFINE_integer(
                    name, default, help_text, **common
                )
            elif float in kinds:
                holder = flags.DEFINE_float(name, default, help_text, **common)
            else:
                holder = flags.DEFINE_string(name, default, help_text, **common)
            defined[name] = (cls, field, holder)
    return defined


def values_of(defined):
    """`{flag name: value}` of `define_flags`'s flags, lists of numbers
    parsed (a `ValueError` names a flag that does not parse)."""
    values = {}
    for name, (cls, field, holder) in defined.items():
        value = holder.value
        kinds = field_kinds(cls, field)
        for number, plural in ((int, "integers"), (float, "numbers")):
            if list[number] in kinds and value is not None:
                try:
                    value = [number(v) for v in value]
                except ValueError:
                    raise ValueError(
                        f"--{name} must be {plural}, got {value}."
                    ) from None
        values[name] = value
    return values
