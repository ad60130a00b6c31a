"""Save a network, its graph and its weights, to one file, and load it back exactly.

The file is a NumPy ``.npz`` archive: one array per parameter (named as in ``state_dict()``, e.g.
``"1.weight"``) and, under ``"__labnet__"``, the graph as JSON: each node's module class and
constructor arguments, and the connectivity. It is read without pickle, so opening a file runs no
code from it; a module class that is not built in is imported by its module path.
"""

from __future__ import annotations

import importlib
import json
import os
import zipfile
from typing import Any

import numpy as np

from labnet.errors import InputError
from labnet.modules import MODULES, Module
from labnet.network import Network

FORMAT = 1
SPEC_KEY = "__labnet__"


def module_spec(module: Module) -> dict[str, Any]:
    """``{"class": name, "config": constructor arguments}`` for one module."""
    cls = type(module)
    builtin = MODULES.get(cls.__name__) is cls
    name = cls.__name__ if builtin else f"{cls.__module__}:{cls.__qualname__}"
    return {"class": name, "config": module.config()}


def module_from_spec(spec: dict[str, Any]) -> Module:
    name = spec["class"]
    if name in MODULES:
        cls = MODULES[name]
    else:
        module_name, _, qualname = name.partition(":")
        try:
            cls = importlib.import_module(module_name)
            for part in qualname.split("."):
                cls = getattr(cls, part)
        except (ImportError, AttributeError) as error:
            raise InputError(f"cannot find module class {name!r}: {error}") from None
        if not (isinstance(cls, type) and issubclass(cls, Module)):
            raise InputError(f"{name!r} is not a labnet Module class")
    return cls(**spec["config"])


def graph_spec(net: Network) -> dict[str, Any]:
    """The graph of ``net`` as plain JSON-able data (node ids keep their int or str type)."""
    return {
        "format": FORMAT,
        "input": net.input,
        "in_features": net.in_features,
        "dtype": net.dtype.name,
        "nodes": [[node, module_spec(module)] for node, module in net.operators.items()],
        "connectivity": [[src, list(dsts)] for src, dsts in net.connectivity.items()],
    }


def network_from_spec(spec: dict[str, Any]) -> Network:
    """Build a network (with fresh weights) from ``graph_spec`` data."""
    if spec.get("format") != FORMAT:
        raise InputError(f"unknown labnet file format {spec.get('format')!r}")
    operators = {node: module_from_spec(module) for node, module in spec["nodes"]}
    connectivity = {src: dsts for src, dsts in spec["connectivity"]}
    return Network(operators, connectivity, input=spec["input"],
                   in_features=spec["in_features"], dtype=spec["dtype"])


def save(net: Network, path: str | os.PathLike) -> None:
    """Write the graph and weights of ``net`` to ``path`` (an ``.npz`` file)."""
    arrays = net.state_dict()
    arrays[SPEC_KEY] = np.array(json.dumps(graph_spec(net)))
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def load(path: str | os.PathLike) -> Network:
    """Read a network written by ``save``: the same graph, the same weights."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile):  # not a NumPy file at all
        archive = None
    if not isinstance(archive, np.lib.npyio.NpzFile):  # (a .npy file gives an array)
        raise InputError(f"{os.fspath(path)!r} is not a labnet network file: it is not an .npz "
                         f"archive")
    with archive:
        if SPEC_KEY not in archive:
            raise InputError(f"{os.fspath(path)!r} is not a labnet network file")
        spec = json.loads(str(archive[SPEC_KEY]))
        state = {key: archive[key] for key in archive.files if key != SPEC_KEY}
    net = network_from_spec(spec)
    net.load_state_dict(state)
    return net
