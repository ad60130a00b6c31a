"""The weights an edge of the lab's graph carries, and one weight set by hand.

An edge ``src → dst`` into a Linear carries that Linear's weight matrix: ``weight[i, j]``
multiplies unit ``i`` of ``src`` on its way to unit ``j`` of ``dst`` (``y = x @ weight + bias``).
An edge into any other module carries no weight: it hands ``src``'s output on as it is.

``edge_weights`` says what an edge carries, as the page shows it when the pointer is on the edge:
the whole matrix for layers of up to ``MAX_SHOWN`` × ``MAX_SHOWN``, else its top-left corner, and
saying so. ``weight_change`` checks one weight set by hand (``Lab.set_weight``) before anything
changes: a value the state then makes, as one step of the undo history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from labnet.errors import InputError, short_repr
from labnet.lab.graph import check_id
from labnet.lab.jsonnumbers import json_number
from labnet.modules import Linear, Module
from labnet.network import Network, Node

MAX_SHOWN = 16
"""Rows and columns of a weight matrix the page shows (a bigger one: its top-left corner)."""
MAX_WEIGHT = 1000.0
"""A weight set by hand lies within ±this."""


@dataclass(frozen=True, eq=False)
class WeightChange:
    """One parameter entry of one module set by hand: ``module``'s ``name`` at ``index`` goes
    from ``old`` to ``new`` (and back, when it is undone)."""

    node: Node
    module: Module
    name: str
    index: tuple[int, ...]
    old: float
    new: float

    def put(self, value: float) -> None:
        """Write ``value`` into the parameter (the live array the optimizer also holds)."""
        array, _ = self.module.named_params()[self.name]
        array[self.index] = value


def weight_change(network: Network | None, node, name, index, value) -> WeightChange:
    """The change that sets ``network``'s node ``node``'s parameter ``name`` (``"weight"`` or
    ``"bias"``) at ``index`` (``[row, column]`` of a weight, ``[unit]`` or ``unit`` of a bias) to
    ``value``; an ``InputError`` naming the node and the index if it cannot be made."""
    if network is None:
        raise InputError("there is no network yet: its weights come once the graph is complete")
    node = check_id(node, "set a weight of")
    if node not in network.operators:
        raise InputError(f"node {node!r} is not in the network being trained: set a weight of "
                         f"one of its nodes ({_nodes_with_weights(network)})")
    module = network.operators[node]
    params = module.named_params()
    if not params:
        raise InputError(f"node {node!r} ({type(module).__name__}) has no weights to set")
    if not isinstance(name, str) or name not in params:
        raise InputError(f"node {node!r} ({type(module).__name__}) has no parameter "
                         f"{short_repr(name)}: it has {', '.join(params)}")
    array = params[name][0]
    index = _index(node, name, array.shape, index)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"node {node!r}'s {name}{list(index)}: a weight is a number, got "
                         f"{short_repr(value)}")
    try:
        value = float(value)
    except OverflowError:  # (an int too big for a float: 10**400)
        value = math.inf
    if not abs(value) <= MAX_WEIGHT:  # (NaN compares False)
        raise InputError(f"node {node!r}'s {name}{list(index)}: a weight set by hand is a "
                         f"finite number from {-MAX_WEIGHT:g} to {MAX_WEIGHT:g}, got "
                         f"{short_repr(value)}")
    return WeightChange(node, module, name, index, float(array[index]), value)


def _index(node, name: str, shape: tuple[int, ...], index) -> tuple[int, ...]:
    if isinstance(index, int | np.integer) and not isinstance(index, bool):
        index = [index]
    what = " × ".join(map(str, shape))
    if not isinstance(index, list | tuple) or len(index) != len(shape) or not all(
            isinstance(i, int | np.integer) and not isinstance(i, bool) for i in index):
        raise InputError(f"node {node!r}'s {name} is {what}: its index is {len(shape)} whole "
                         f"number(s), got {short_repr(index)}")
    if not all(0 <= i < size for i, size in zip(index, shape, strict=True)):
        raise InputError(f"node {node!r}'s {name} is {what}: index {[int(i) for i in index]} is "
                         f"out of range (each from 0 to its size − 1)")
    return tuple(int(i) for i in index)


def _nodes_with_weights(network: Network) -> str:
    nodes = [repr(node) for node in network.order if network.operators[node].named_params()]
    return "nodes " + ", ".join(nodes) if nodes else "it has none"


def edge_weights(network: Network | None, src, dst) -> dict:
    """What the edge ``src → dst`` of the network being trained carries, for the page:
    ``{src, dst, text, ...}``; with weights also ``node`` (the Linear), ``shape`` of its weight
    (inputs × units), ``rows``/``cols`` shown (a top-left corner of at most ``MAX_SHOWN`` each
    way), ``values`` (rows of numbers, ``None`` for NaN), ``bias`` (the first ``cols``), ``low``
    and ``high`` (a colour range symmetric around 0, over the whole matrix), and ``norm``."""
    src, dst = check_id(src, "show the weights into"), check_id(dst, "show the weights of")
    if network is None or dst not in network.operators or src not in network.inputs[dst]:
        return {"src": src, "dst": dst, "text": f"the edge {src!r} → {dst!r} is not in the "
                                                f"network being trained yet: no weights"}
    module = network.operators[dst]
    if not isinstance(module, Linear):
        return {"src": src, "dst": dst, "text": f"{type(module).__name__} has no weights: the "
                                                f"edge hands it node {src!r}'s output as it is"}
    weight, bias = module.weight, module.bias
    inputs, units = weight.shape
    rows, cols = min(inputs, MAX_SHOWN), min(units, MAX_SHOWN)
    finite = weight[np.isfinite(weight)]
    top = float(np.max(np.abs(finite))) if finite.size else 1.0
    cut = "" if (rows, cols) == (inputs, units) else f", the first {rows} × {cols} shown"
    with np.errstate(over="ignore", invalid="ignore"):
        norm = float(np.sqrt(np.sum(np.square(weight, dtype=np.float64))))
    return {
        "src": src, "dst": dst, "node": dst, "name": "weight", "shape": [inputs, units],
        "rows": rows, "cols": cols,
        "values": [[json_number(v) for v in row] for row in weight[:rows, :cols].tolist()],
        "bias": [json_number(v) for v in bias[:cols].tolist()],
        "low": -max(top, 1e-9), "high": max(top, 1e-9), "norm": json_number(norm),
        "text": f"node {dst!r}'s weight, {inputs} × {units}{cut}",
    }
