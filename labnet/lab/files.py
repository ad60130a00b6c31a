"""Save a whole lab to one file, and open it again exactly where it was.

The file is a NumPy ``.npz`` archive read without pickle: its arrays (weights, the user's own
points, optimizer state, the order of the epoch under way) under their own names, and under
``"__lab__"`` a JSON description of the rest: the graph being edited, the network being trained,
the data and training settings, the counters, the history and the random generators' states.
"""

from __future__ import annotations

import json
import os

import numpy as np

from labnet.errors import InputError, LabnetError
from labnet.lab.model import LabModel, NodeSpec
from labnet.saving import (
    graph_spec,
    module_from_spec,
    module_spec,
    network_from_spec,
    read_archive,
    write_archive,
)

FORMAT = 1
KEY = "__lab__"


def save_lab(model: LabModel, path: str | os.PathLike) -> None:
    """Write everything about ``model`` to ``path``."""
    arrays: dict[str, np.ndarray] = {}
    network = model.network
    description = {
        "format": FORMAT,
        "graph": {
            "nodes": [[node, module_spec(spec.make(np.random.default_rng(0)))]
                      for node, spec in model.nodes.items()],
            "edges": [list(edge) for edge in model.edges],
        },
        "network": None if network is None else graph_spec(network),
        "data": {name: getattr(model, name) for name in (
            "dataset", "noise", "n_points", "test_fraction", "data_seed", "standardize")},
        "training": {name: getattr(model, name) for name in (
            "loss", "optimizer", "lr", "batch_size")},
        "rng": model.rng.bit_generator.state,
        "history_stride": model.history_stride,
        "trainer": None if model.trainer is None else _split(model.trainer.state_dict(),
                                                              "trainer", arrays),
    }
    if network is not None:
        arrays.update({f"weights/{key}": value for key, value in network.state_dict().items()})
    if model.custom_data is not None:
        arrays["custom/x"], arrays["custom/labels"] = model.custom_data
        arrays["custom/test"] = model._custom_test
    arrays[KEY] = np.array(json.dumps(description))
    write_archive(path, arrays)


def open_lab(path: str | os.PathLike) -> LabModel:
    """A ``LabModel`` just as it was saved."""
    description, arrays = read_archive(path, KEY, "labnet lab")
    if description.get("format") != FORMAT:
        raise InputError(f"unknown lab file format {description.get('format')!r}")
    try:
        return _model_from(description, arrays)
    except LabnetError:
        raise
    except (KeyError, TypeError, ValueError) as error:  # a description with parts missing
        raise InputError(f"{os.fspath(path)!r} is not a labnet lab file that can be opened: "
                         f"{type(error).__name__}: {error}") from None


def _model_from(description: dict, arrays: dict) -> LabModel:
    data = description["data"]
    custom = None
    if "custom/x" in arrays:
        custom = (arrays["custom/x"], arrays["custom/labels"])
    model = LabModel(preset=None, data=custom, seed=data["data_seed"])
    for name, value in data.items():
        setattr(model, name, value)
    if custom is not None:
        model._custom_test = arrays["custom/test"].astype(bool)
    model._make_data()
    for name, value in description["training"].items():
        setattr(model, name, value)
    if description["network"] is not None:
        network = network_from_spec(description["network"])
        network.load_state_dict({key[len("weights/"):]: value for key, value in arrays.items()
                                 if key.startswith("weights/")})
        model._load_network(network)
    # the graph as it was being edited: it may differ from the network being trained
    model.nodes = {node: NodeSpec.of(module_from_spec(spec))
                   for node, spec in description["graph"]["nodes"]}
    model.edges = [tuple(edge) for edge in description["graph"]["edges"]]
    model._rebuild()
    if description["trainer"] is not None and model.trainer is not None:
        model.trainer.load_state_dict(_join(description["trainer"], arrays))
    model.rng.bit_generator.state = description["rng"]
    model.history_stride = description["history_stride"]
    model._undo.clear()
    return model


def _split(value, name: str, arrays: dict):
    """``value`` with its arrays moved into ``arrays`` (under names made from ``name``) and
    replaced by ``{"array": that name}``, so the rest can be written as JSON."""
    if isinstance(value, np.ndarray):
        arrays[name] = value
        return {"array": name}
    if isinstance(value, dict):
        return {key: _split(item, f"{name}/{key}", arrays) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_split(item, f"{name}/{i}", arrays) for i, item in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _join(value, arrays: dict):
    """The inverse of ``_split``."""
    if isinstance(value, dict):
        if set(value) == {"array"}:
            return arrays[value["array"]]
        return {key: _join(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [_join(item, arrays) for item in value]
    return value
