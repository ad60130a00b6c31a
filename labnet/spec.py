"""A network described as plain data (JSON), and built back from such a description.

``graph_spec(net)`` describes a network: its input, its dtype, each node's module class (by the
name it is registered under) and constructor arguments, and the connectivity; node ids keep
their int or str type. ``network_from_spec`` builds a network (with fresh weights) from such a
description, which may come from a file: untrusted input. So it runs no code from it and checks
every part before a module is built:

- module classes are looked up by name in the registry (``labnet.modules.MODULES``: the
  built-in modules and those given to ``ln.register``); nothing is ever imported;
- types, ranges and sizes are checked, and the parameters the graph declares must fit in a
  byte budget before any is allocated.

Whatever is wrong becomes an ``InputError`` naming the file and the part at fault. ``require``
checks one part of any decoded description (the lab's files use it too).
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable
from typing import Any

from labnet.archive import MAX_BYTES
from labnet.errors import InputError, LabnetError, check_float_dtype, short_repr
from labnet.modules import MODULES, Linear, Module, registered_name
from labnet.network import Network, node_id

FORMAT = 1
MAX_NODES = 1_000
"""The most nodes a network read from a file may have (and a lab's graph: its page draws every
node)."""
MAX_WIDTH = 2**14
"""The widest Linear (``in_features``, ``out_features``) a file may describe."""


# -- modules -------------------------------------------------------------------------------------
def module_spec(module: Module) -> dict[str, Any]:
    """``{"class": registered name, "config": constructor arguments}`` for one module.

    A module whose class is not registered is refused: a file naming it could not be opened."""
    cls = type(module)
    name = registered_name(cls)
    if name is None:
        raise InputError(f"{cls.__qualname__} is not a registered module class, so a file "
                         f"naming it could not be opened: call ln.register({cls.__name__}) "
                         f"(or decorate the class with @ln.register) before saving")
    return {"class": name, "config": module.config()}


def module_from_spec(spec: Any, *, where: str | os.PathLike | None = None,
                     node: Any = None, max_bytes: int = MAX_BYTES) -> Module:
    """A new module from ``module_spec`` data. Its class is looked up in the registry only.

    ``where`` (a file) and ``node`` name the culprit in errors; a ``Linear`` whose weights would
    take more than ``max_bytes`` is refused before it is built."""
    at = _prefix(where) + ("" if node is None else f"node {node!r}: ")
    if not isinstance(spec, dict):
        raise InputError(f"{at}a module must be described by an object with 'class' and "
                         f"'config', got {short_repr(spec)}")
    name, config = spec.get("class"), spec.get("config", {})
    if not isinstance(name, str):
        raise InputError(f"{at}the module class must be a name, got {short_repr(name)}")
    if not isinstance(config, dict):
        raise InputError(f"{at}the config of {name} must be an object, got {short_repr(config)}")
    cls = MODULES.get(name)
    if cls is None:
        raise InputError(at + _unregistered(name))
    if issubclass(cls, Linear):
        _check_linear_size(config, at, max_bytes)
    try:
        return cls(**config)
    except (TypeError, ValueError) as error:  # arguments it does not take, or refuses
        raise InputError(f"{at}{name}({_arguments_text(config)}): {error}") from None


def _unregistered(name: str) -> str:
    if ":" in name:  # written by labnet before the registry: "package.module:Class"
        qualname = name.rpartition(":")[2]
        return (f"module class {name!r} is not registered. Opening a file never imports code: "
                f"import {qualname} yourself and call ln.register({qualname.rpartition('.')[2]})"
                f" before opening the file")
    return (f"module class {name!r} is not registered: define it and call ln.register({name}) "
            f"(or decorate it with @ln.register) before opening the file")


def _check_linear_size(config: dict, at: str, max_bytes: int) -> None:
    """Refuse a Linear wider than ``MAX_WIDTH``, or whose weights would take more than
    ``max_bytes`` (in float64), before it allocates them."""
    sizes = [config.get(key) for key in ("in_features", "out_features")]
    for key, size in zip(("in_features", "out_features"), sizes, strict=True):
        if isinstance(size, numbers.Integral) and size > MAX_WIDTH:
            raise InputError(f"{at}Linear {key} is {size}, more than the {MAX_WIDTH} a file may "
                             f"describe")
    if all(isinstance(size, numbers.Integral) and not isinstance(size, bool) and size > 0
           for size in sizes):
        count = (sizes[0] + 1) * sizes[1]
        if count * 8 > max_bytes:
            raise InputError(f"{at}Linear({sizes[0]}, {sizes[1]}) has {count} parameters: more "
                             f"than the {max_bytes}-byte limit allows")


def _arguments_text(config: dict) -> str:
    """``in_features=2, out_features=25``, cut to about 80 characters."""
    text = ", ".join(f"{key}={short_repr(value, 30)}" for key, value in config.items())
    return text if len(text) <= 80 else text[:75] + "..."


def _prefix(where: str | os.PathLike | None) -> str:
    return "" if where is None else f"{os.fspath(where)!r}: "


# -- graphs --------------------------------------------------------------------------------------
def graph_spec(net: Network) -> dict[str, Any]:
    """The graph of ``net`` as plain JSON-able data (node ids keep their int or str type)."""
    nodes = []
    for node, module in net.operators.items():
        try:
            nodes.append([node, module_spec(module)])
        except InputError as error:
            raise InputError(f"node {node!r}: {error}") from None
    return {
        "format": FORMAT,
        "input": net.input,
        "in_features": net.in_features,
        "dtype": net.dtype.name,
        "nodes": nodes,
        "connectivity": [[src, list(dsts)] for src, dsts in net.connectivity.items()],
    }


def network_from_spec(spec: Any, *, where: str | os.PathLike | None = None,
                      max_bytes: int = MAX_BYTES) -> Network:
    """Build a network (with fresh weights) from ``graph_spec`` data.

    Every part is checked before a module is built, and the parameters the graph declares must
    fit in ``max_bytes``; anything wrong is an ``InputError`` naming ``where`` (a file) and the
    part."""
    at = _prefix(where)
    if not isinstance(spec, dict):
        raise InputError(f"{at}the graph must be an object, got {short_repr(spec)}")
    if spec.get("format") != FORMAT or isinstance(spec.get("format"), bool):
        raise InputError(f"{at}unknown labnet file format {short_repr(spec.get('format'))}")
    nodes = require(spec, "nodes", list, where=where)
    connectivity = require(spec, "connectivity", list, where=where)
    if len(nodes) > MAX_NODES:
        raise InputError(f"{at}the graph has {len(nodes)} nodes, more than {MAX_NODES}")
    input_node = _node_id(spec.get("input", None), f"{at}input")
    in_features = require(spec, "in_features", int, where=where, optional=True, low=1)
    dtype = require(spec, "dtype", str, where=where)
    try:
        dtype = check_float_dtype(dtype)
    except InputError as error:
        raise InputError(f"{at}{error}") from None

    module_specs: dict[Any, Any] = {}
    for i, entry in enumerate(nodes):
        if not (isinstance(entry, list) and len(entry) == 2):
            raise InputError(f"{at}nodes.{i} must be a pair [node id, module], got "
                             f"{short_repr(entry)}")
        node = _node_id(entry[0], f"{at}nodes.{i}")
        if node in module_specs:
            raise InputError(f"{at}node {node!r} is listed twice")
        module_specs[node] = entry[1]
    edges: dict[Any, list] = {}
    for i, entry in enumerate(connectivity):
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], list)):
            raise InputError(f"{at}connectivity.{i} must be a pair [node id, [node ids]], got "
                             f"{short_repr(entry)}")
        src = _node_id(entry[0], f"{at}connectivity.{i}")
        if src in edges:
            raise InputError(f"{at}connectivity lists node {src!r} twice")
        edges[src] = [_node_id(dst, f"{at}connectivity.{i}") for dst in entry[1]]

    # the parameters the graph declares, before any is allocated
    itemsize, count = dtype.itemsize, 0
    for node, module in module_specs.items():
        name = module.get("class") if isinstance(module, dict) else None
        config = module.get("config") if isinstance(module, dict) else None
        if isinstance(name, str) and MODULES.get(name) is Linear:
            if not isinstance(config, dict):
                continue  # module_from_spec says why
            for key in ("in_features", "out_features"):
                require(config, key, int, where=where, low=1,
                        name=f"node {node!r}: Linear {key}")
            count += (config["in_features"] + 1) * config["out_features"]
    if count * itemsize > max_bytes:
        raise InputError(f"{at}the graph declares {count} parameters of {dtype.name}: more than "
                         f"the {max_bytes}-byte limit allows")

    operators = {node: module_from_spec(module, where=where, node=node, max_bytes=max_bytes)
                 for node, module in module_specs.items()}
    try:
        return Network(operators, edges, input=input_node, in_features=in_features,
                       dtype=dtype)
    except LabnetError as error:
        raise type(error)(f"{at}{error}") from None


def _node_id(value: Any, at: str) -> int | str:
    node = node_id(value)
    if node is None:
        raise InputError(f"{at}: a node id must be an int or a str, got {short_repr(value)}")
    return node


# -- checking the parts of a description ---------------------------------------------------------
_KIND_WORDS = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
               dict: "an object", list: "a list"}


def require(description: Any, part: str, kind: type, *, where: str | os.PathLike | None = None,
            optional: bool = False, low: float | None = None, high: float | None = None,
            choices: Iterable | None = None, name: str | None = None) -> Any:
    """The value at ``part`` of a decoded JSON ``description``, checked; else an ``InputError``
    naming ``where`` (a file) and the part: ``'x.npz': training.lr must be a number, got 'x'``.

    ``part`` is a dotted path: ``"training.lr"``, ``"graph.nodes.0"`` (a number indexes a list).
    ``kind`` is ``int`` (whole, not a bool), ``float`` (a finite number, an int too; returned as
    a float), ``str``, ``bool``, ``dict`` or ``list``. ``optional``: ``null`` (``None``) is
    accepted too. ``low``/``high`` bound a number (both included); ``choices`` lists the values
    allowed. ``name`` is how messages call the part (by default ``part``)."""
    at, name = _prefix(where), part if name is None else name
    value = description
    walked: list[str] = []
    for key in part.split("."):
        if isinstance(value, dict):
            if key not in value:
                raise InputError(f"{at}{'.'.join([*walked, key])} is missing")
            value = value[key]
        elif isinstance(value, list) and key.isdigit():
            if int(key) >= len(value):
                raise InputError(f"{at}{'.'.join([*walked, key])} is missing")
            value = value[int(key)]
        else:
            where_text = ".".join(walked) or "the description"
            wanted = "a list" if key.isdigit() else "an object"
            raise InputError(f"{at}{where_text} must be {wanted}, got {short_repr(value)}")
        walked.append(key)
    if value is None and optional:
        return None
    words = _KIND_WORDS[kind]
    good = _is_kind(value, kind)
    if kind in (int, float):
        if low is not None:
            words += f" >= {low:g}"
        if high is not None:
            words += f" <= {high:g}"
        good = good and (low is None or value >= low) and (high is None or value <= high)
    if choices is not None:
        choices = list(choices)
        words = "one of " + ", ".join(repr(choice) for choice in choices)
        good = good and value in choices
    if optional:
        words += " (or null)"
    if not good:
        raise InputError(f"{at}{name} must be {words}, got {short_repr(value)}")
    return float(value) if kind is float else value


def _is_kind(value: Any, kind: type) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is int:
        return isinstance(value, int)
    if kind is float:
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, kind)
