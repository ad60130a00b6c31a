"""A network as Python code: ``to_python(net)`` writes the ``operators`` and ``connectivity``
dictionaries, and the ``Network`` call, that rebuild it (with its weights, if asked)."""

from __future__ import annotations

import inspect
import os
import sys
import textwrap
from typing import Any

import numpy as np

from labnet.errors import InputError
from labnet.modules import BUILTIN_MODULES, Linear, Module
from labnet.network import Network
from labnet.writing import write_archive


def to_python(net: Network, *, include_weights: bool = False,
              weights_path: str | os.PathLike | None = None) -> str:
    """Python code that rebuilds ``net`` from ``operators`` and ``connectivity`` dictionaries.

    Without weights the code draws new ones (``rng=0``). With ``include_weights=True`` it loads
    ``net``'s weights: written in the code as nested lists, or, if ``weights_path`` is given,
    saved now to that ``.npz`` file (one array per ``state_dict()`` key) and read back from it by
    the code. A module class that is not built in is imported from its module; one defined in a
    notebook or script (``__main__``) must be defined before the code runs.
    """
    if weights_path is not None and not include_weights:
        raise InputError("weights_path is where the weights go: give include_weights=True too")
    lines = ['"""A labnet network, exported by labnet.to_python."""', ""]
    if include_weights:
        lines.append("import numpy as np")
        lines.append("")
    lines.append("import labnet as ln")
    lines.extend(_class_imports(net))
    lines.append("")
    lines.append("operators = {")
    for node, module in net.operators.items():
        lines.append(f"    {node!r}: {_constructor_call(module)},")
    lines.append("}")
    lines.append(_dict_text("connectivity", {src: list(dsts)
                                              for src, dsts in net.connectivity.items()}))
    lines.append(f"net = ln.Network({_network_arguments(net, include_weights)})")
    if include_weights:
        lines.append("")
        if weights_path is None:
            lines.extend(_inline_weights(net))
        else:
            write_archive(weights_path, net.state_dict())
            lines.append(f"net.load_state_dict(dict(np.load({os.fspath(weights_path)!r})))")
    return "\n".join(lines) + "\n"


def _class_imports(net: Network) -> list[str]:
    """``from package.module import Class`` for each module class that is not built in."""
    imports, notes = set(), set()
    for module in net.operators.values():
        cls = type(module)
        if BUILTIN_MODULES.get(cls.__name__) is cls:
            continue
        home = sys.modules.get(cls.__module__)
        if cls.__module__ != "__main__" and getattr(home, cls.__qualname__, None) is cls:
            imports.add(f"from {cls.__module__} import {cls.__qualname__}")
        else:  # defined in a notebook, a script or a function
            notes.add(f"# {cls.__qualname__} is your own module class: define it before this code")
    return sorted(imports) + sorted(notes)


def _constructor_call(module: Module) -> str:
    """``ln.Linear(2, 25)``: the class and the arguments of ``config()`` that are not defaults,
    positional as long as the constructor allows it."""
    cls = type(module)
    name = f"ln.{cls.__name__}" if BUILTIN_MODULES.get(cls.__name__) is cls else cls.__qualname__
    parameters = inspect.signature(cls).parameters
    arguments, positional = [], True
    for key, value in module.config().items():
        parameter = parameters.get(key)
        has_default = parameter is not None and parameter.default is not inspect.Parameter.empty
        if has_default and _same(value, parameter.default):
            positional = False  # a later argument must be named
            continue
        positional = positional and parameter is not None and not has_default and (
            parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
        arguments.append(repr(value) if positional else f"{key}={value!r}")
    return f"{name}({', '.join(arguments)})"


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):  # e.g. arrays compared element-wise
        return False


def _dict_text(name: str, mapping: dict) -> str:
    """``name = {...}`` on one line if it fits in 100 characters, else one entry per line."""
    one_line = f"{name} = {mapping!r}"
    if len(one_line) <= 100:
        return one_line
    entries = [f"    {key!r}: {value!r}," for key, value in mapping.items()]
    return "\n".join([f"{name} = {{", *entries, "}"])


def _network_arguments(net: Network, include_weights: bool) -> str:
    arguments = ["operators", "connectivity"]
    if net.input != 0:
        arguments.append(f"input={net.input!r}")
    linear_reads_input = any(
        isinstance(module, Linear) and net.input in net.inputs[node]
        for node, module in net.operators.items())
    if net.in_features is not None and not linear_reads_input:
        arguments.append(f"in_features={net.in_features}")
    if net.dtype != np.float64:
        arguments.append(f"dtype={net.dtype.name!r}")
    if not include_weights:
        arguments.append("rng=0")  # new weights, drawn from seed 0
    return ", ".join(arguments)


def _inline_weights(net: Network) -> list[str]:
    """``weights = {"1.weight": [[...], ...], ...}`` and the line that loads them."""
    lines = ["weights = {"]
    for key, value in net.state_dict().items():
        if value.ndim == 1:
            lines.extend(_wrapped(f"    {key!r}: [", value, "],", indent=8))
        else:
            lines.append(f"    {key!r}: [")
            for row in value.reshape(value.shape[0], -1):
                lines.extend(_wrapped("        [", row, "],", indent=12))
            lines.append("    ],")
    lines.append("}")
    lines.append("net.load_state_dict({key: np.array(value) for key, value in weights.items()})")
    return lines


def _wrapped(start: str, numbers: np.ndarray, end: str, indent: int) -> list[str]:
    """``start`` + the numbers, comma-separated, wrapped at 100 characters, + ``end``."""
    text = start + ", ".join(_number_text(number) for number in numbers) + end
    return textwrap.wrap(text, width=100, subsequent_indent=" " * indent,
                         break_long_words=False, break_on_hyphens=False)


def _number_text(number: np.floating) -> str:
    """Text that reads back as exactly ``number``: ``repr`` of the Python float (exact for float32
    weights too, which float64 holds exactly); ``np.nan`` and ``±np.inf`` for the others."""
    if np.isnan(number):
        return "np.nan"
    if np.isinf(number):
        return "np.inf" if number > 0 else "-np.inf"
    return repr(float(number))
