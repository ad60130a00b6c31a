"""Edits of a graph at the speed of speech: "make that ReLU a Tanh", "take this layer out", "one
more neuron", "one more layer", "tanh everywhere". Each is one gesture in the page and one
``Lab`` method, built here from the ``Graph``'s own edits: a function of a graph that returns a
new graph, or raises (a ``ValueError`` that says why) and leaves the graph as it was.

An edit keeps what it can: a node replaced keeps the edges its new module allows; a node taken
out of a chain leaves its neighbours joined where the graph allows it. Nothing here trains,
draws or emits events (``labnet.lab.state`` does, with the graphs made here).
"""

from __future__ import annotations

from dataclasses import replace

from labnet.errors import GraphError, InputError, ShapeError, short_repr
from labnet.lab.graph import Graph, check_id
from labnet.lab.nodes import DEFAULT_WIDTH, INPUT, MAX_WIDTH, NodeSpec
from labnet.modules import Linear
from labnet.network import Node

ACTIVATIONS = ("ReLU", "LeakyReLU", "Tanh", "Sigmoid")
"""The module kinds one picker sets on every node at once (``set_activation``)."""


def _require(graph: Graph, node: Node, doing: str) -> Node:
    """``node`` as the graph's id of it (``check_id``), which must be in the graph."""
    node = check_id(node, doing)
    if not graph.has(node):
        raise GraphError(f"cannot {doing} node {node!r}: there is no such node")
    return node


def _fits(graph: Graph) -> bool:
    """Whether some network can have ``graph`` (its edges' counts and widths fit)."""
    try:
        graph.check()
    except (GraphError, ShapeError):
        return False
    return True


def replace_node(graph: Graph, node: Node, kind: str, params: dict | None = None) -> Graph:
    """The graph with ``node``'s module replaced by a new ``kind`` module, where it is drawn and
    with its id, keeping each of its edges the new module allows, in their order (as many
    inputs as it takes; widths that fit), and dropping the others."""
    node = _require(graph, node, "replace")
    if node == INPUT:
        raise GraphError("node 0 is the input; it cannot be replaced")
    spec = NodeSpec.new(kind, params or {})
    own = [edge for edge in graph.edges if node in edge]
    kept: set[tuple[Node, Node]] = set()
    bare = replace(graph, nodes={**graph.nodes, node: spec},
                   edges=tuple(edge for edge in graph.edges if node not in edge))
    bare.check()  # the new module alone is one the lab takes (its width)
    for edge in own:  # the inputs first (in their order), then the outputs
        trial = replace(bare, edges=tuple(e for e in graph.edges
                                          if node not in e or e in kept or e == edge))
        if _fits(trial):
            kept.add(edge)
    return replace(bare, edges=tuple(e for e in graph.edges if node not in e or e in kept))


def remove_joining(graph: Graph, node: Node) -> Graph:
    """The graph without ``node``; if the node was inside a chain (it had inputs and fed other
    nodes), each of its inputs now feeds each node it fed, in its place among their inputs,
    where the graph allows it all (else the node is only taken out)."""
    removed = graph.remove(node)
    srcs = graph.inputs_of(node)
    if not srcs or not any(src == node for src, _ in graph.edges):
        return removed
    edges: list[tuple[Node, Node]] = []
    for src, dst in graph.edges:
        if dst == node:
            continue
        if src != node:
            edges.append((src, dst))
            continue
        edges.extend(pair for pair in ((s, dst) for s in srcs)
                     if pair not in edges and pair not in graph.edges)
    joined = replace(removed, edges=tuple(edges))
    return joined if _fits(joined) else removed


def widen(graph: Graph, node: Node, by: int) -> Graph:
    """The graph with the Linear ``node`` ``by`` units wider (narrower if ``by`` is negative)."""
    if isinstance(by, bool) or not isinstance(by, int):
        raise InputError(f"widen: by must be a whole number of units, got {short_repr(by)}")
    node = _require(graph, node, "widen")
    if node == INPUT:
        raise GraphError("node 0 is the input; its width is the plane's two coordinates")
    spec = graph.nodes[node]
    if spec.cls is not Linear:
        raise GraphError(f"node {node!r} is a {spec.label()}: only a Linear has a width to set")
    width = spec.width + by
    if not 1 <= width <= MAX_WIDTH:
        raise GraphError(f"node {node!r} ({spec.label()}) cannot be {short_repr(width)} wide: a "
                         f"Linear is 1 to {MAX_WIDTH} units wide")
    return graph.set_params(node, {"width": width})


def output_edge(graph: Graph, output: Node | None = None) -> tuple[Node, Node]:
    """The edge into the output (``output``, else the one node that feeds nothing), where a new
    hidden layer goes by default."""
    sinks = [node for node in graph.nodes if not any(src == node for src, _ in graph.edges)]
    if output is not None and graph.has(output):
        sinks = [output]
    feeding = graph.inputs_of(sinks[0]) if len(sinks) == 1 else []
    if len(feeding) != 1:
        raise GraphError("say where the layer goes (between=(src, dst)): the graph has no "
                         "single output fed by one node")
    return feeding[0], sinks[0]


def add_layer(graph: Graph, width: int = DEFAULT_WIDTH, activation: str | None = None,
              between: tuple[Node, Node] | None = None, output: Node | None = None
              ) -> tuple[Graph, tuple[Node, Node]]:
    """The graph with a hidden layer (a ``width`` Linear, then an ``activation``) put into the
    edge ``between`` (default: the edge into the output, ``output_edge``); returns the graph
    and the two new nodes. The activation is, by default, the one the graph's activation
    nodes share (ReLU if they do not share one)."""
    if activation is None:
        activation = common_activation(graph) or "ReLU"
    if activation not in ACTIVATIONS:
        raise InputError(f"a layer's activation is one of {', '.join(ACTIVATIONS)}, not "
                         f"{short_repr(activation)}")
    if between is not None and not (isinstance(between, tuple | list) and len(between) == 2):
        raise InputError(f"add_layer: between must be a pair of nodes, got {short_repr(between)}")
    src, dst = output_edge(graph, output) if between is None else between
    graph, linear = graph.add("Linear", {"width": width}, between=(src, dst))
    graph, act = graph.add(activation, {}, between=(linear, dst))
    return graph, (linear, act)


def activation_nodes(graph: Graph) -> list[Node]:
    return [node for node, spec in graph.nodes.items() if spec.kind in ACTIVATIONS]


def common_activation(graph: Graph) -> str | None:
    """The activation every activation node of the graph has, or None (none, or several)."""
    kinds = {graph.nodes[node].kind for node in activation_nodes(graph)}
    return kinds.pop() if len(kinds) == 1 else None


def set_activation(graph: Graph, kind: str, params: dict | None = None) -> Graph:
    """The graph with every activation node's module a new ``kind`` module (``ACTIVATIONS``;
    a LeakyReLU takes ``negative_slope``)."""
    if kind not in ACTIVATIONS:
        raise InputError(f"the activation is one of {', '.join(ACTIVATIONS)}, not "
                         f"{short_repr(kind)}")
    nodes = activation_nodes(graph)
    if not nodes:
        raise GraphError("the graph has no activation node to set")
    spec = NodeSpec.new(kind, params or {})
    graph = replace(graph, nodes={**graph.nodes, **{node: spec for node in nodes}})
    graph.check()
    return graph


def fit_output(graph: Graph, outputs: int, needs: str | None = None) -> Graph:
    """The graph with its output giving ``outputs`` values (what the data need: a value per
    class, or the one value a regression predicts): the output Linear made that wide (its
    weights drawn anew). Unchanged if it gives that many already, or if the graph has no single
    output yet (the lab says what is missing). An output of another width that is not a Linear
    is refused, saying what the data need (``needs``)."""
    node = graph.output()
    if node is None:
        return graph
    width = graph.widths().get(node)
    spec = graph.nodes[node]
    if width == outputs or (width is None and spec.cls is not Linear):
        return graph
    if spec.cls is not Linear:
        raise GraphError(f"the network's output, node {node!r} ({spec.label()}), gives {width} "
                         f"value(s); the data need {needs or outputs}: end the network with a "
                         f"Linear, or choose other data")
    return graph.set_params(node, {"width": outputs})
