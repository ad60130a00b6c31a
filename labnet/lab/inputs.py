"""The input node's features, TensorFlow Playground's way: which of x₁, x₂, x₁², x₂², x₁x₂,
sin x₁, sin x₂ the network sees of each point (``labnet.features``).

The features are part of the graph (``Graph.features``): toggling one is a graph edit, one step
of the undo history, and the input's width, the number of features, follows. A Linear fed by
the input keeps its weights across the edit, a row per feature: a feature that stays keeps its
row, a feature turned on gets a row of zeros (so the network computes what it did until
training moves it), a feature turned off takes its row along. Other nodes whose width the
edit changes (a Linear after a Concat of the input, say) are made anew, as any edit makes them;
an edit no network can have (a Sum of the input and a 2-wide node, once the input is 3 wide)
is refused, naming the node.

Nothing here trains, draws or emits events: ``labnet.lab.state`` takes the graphs and modules
made here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from labnet.errors import InputError, short_repr
from labnet.features import FEATURES, check_features
from labnet.lab.graph import Graph
from labnet.lab.nodes import INPUT, NodeSpec
from labnet.modules import Linear, Module
from labnet.network import Network, Node


def in_order(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` checked (``check_features``: known, each once, one at least), in
    Playground's order (``labnet.FEATURES``)."""
    names = set(check_features(names))
    return tuple(name for name in FEATURES if name in names)


def with_features(graph: Graph, names: Iterable[str]) -> Graph:
    """The graph whose input gives the features ``names`` (in Playground's order); refused if
    no network could have it (a node fed by the input that takes no other width)."""
    graph = replace(graph, features=in_order(names))
    graph.check()
    return graph


def toggle(graph: Graph, name: str, on: bool | None = None) -> Graph:
    """The graph with the feature ``name`` turned on (``on`` True), off (False), or the other
    way round (None)."""
    if not isinstance(name, str) or name not in FEATURES:
        raise InputError(f"unknown feature {short_repr(name)}; choose among "
                         f"{', '.join(FEATURES)}")
    if on is not None and not isinstance(on, bool):
        raise InputError(f"on must be True, False or None, got {short_repr(on)}")
    now = set(graph.features)
    if on is None:
        on = name not in now
    if not on and now == {name}:
        raise InputError(f"{name} is the input's last feature: turn another one on first")
    return with_features(graph, (now | {name}) if on else (now - {name}))


def carry_weights(modules: dict[Node, Module], graph: Graph, network: Network | None,
                  trained: tuple[str, ...]) -> dict[Node, Module]:
    """``modules`` with each Linear of ``network`` (trained on the features ``trained``) that
    the input feeds in ``graph`` made for ``graph.features``: the rows of the features that
    stay, zeros for those turned on (see above). The network's own module when the features
    are the ones it was trained on."""
    if network is None:
        return modules
    carried = dict(modules)
    for src, node in graph.edges:
        old = network.operators.get(node)
        if src != INPUT or not isinstance(old, Linear) or graph.nodes.get(node) != NodeSpec.of(
                old) or network.inputs[node] != (INPUT,):
            continue
        carried[node] = old if graph.features == trained else _carried(old, trained,
                                                                      graph.features)
    return carried


def _carried(old: Linear, trained: tuple[str, ...], wanted: tuple[str, ...]) -> Linear:
    """A new Linear for inputs ``wanted`` with the weights ``old`` has for inputs ``trained``:
    each feature's row where both have it, zeros elsewhere; the same biases."""
    new = Linear(len(wanted), old.out_features, init=old.init, rng=0, dtype=old.weight.dtype)
    new.weight[...] = 0.0
    for row, name in enumerate(wanted):
        if name in trained:
            new.weight[row] = old.weight[trained.index(name)]
    new.bias[...] = old.bias
    return new
