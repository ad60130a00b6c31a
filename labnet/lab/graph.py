"""The graph a lab edits: its nodes, its edges and where they are drawn.

A ``Graph`` is a value: every edit returns a new ``Graph``, or raises a ``GraphError`` (or a
``ShapeError``) that says why, and the old graph is left as it was. An edit is refused when it
would make a graph no network can have: an edge into the input, a cycle, a node fed by more
edges than its module takes, inputs of a ``Sum`` whose widths differ. An edit that leaves the
graph *incomplete* (a node not connected yet, two nodes that feed nothing) is allowed, so a
graph can be built one edge at a time; ``problems()`` says what is missing, and ``network()``
builds the ``Network`` once nothing is.

Nothing here trains, draws or emits events: ``labnet.lab.state`` does that with the graphs this
module makes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from labnet.errors import GraphError, InputError, LabnetError, ShapeError, short_repr
from labnet.features import PLAIN
from labnet.lab.layout import layout
from labnet.lab.nodes import IN_FEATURES, INPUT, MAX_PARAMETERS, MAX_WIDTH, NodeSpec
from labnet.modules import Linear, Module
from labnet.network import Network, Node, node_id
from labnet.presets import suggested_init
from labnet.spec import MAX_NODES

POSITION_LIMIT = 1000.0
"""Positions are within ±this many columns and rows (a tidy chain of the most nodes reaches
1,000 columns)."""
MAX_ID_LENGTH = 32
"""The most characters a node id has (the page draws it on the node)."""
MAX_ID = 2**53 - 1
"""The largest whole-number id (the page's JavaScript counts exactly up to here)."""
MAX_EDGES = 4 * MAX_NODES


def _node_text(node: Node) -> str:
    return "the input (node 0)" if node == INPUT else f"node {node!r}"


@dataclass(frozen=True)
class Graph:
    """Nodes (``{id: NodeSpec}``, the input not among them), edges (``(src, dst)`` pairs, in
    the order they were made), positions (``{id: (column, row)}``, the input's too) and the
    input's features (``labnet.FEATURES`` names, in Playground's order: the input gives one
    value per feature, ``("x1", "x2")`` the point itself)."""

    nodes: Mapping[Node, NodeSpec] = field(default_factory=dict)
    edges: tuple[tuple[Node, Node], ...] = ()
    positions: Mapping[Node, tuple[float, float]] = field(default_factory=dict)
    features: tuple[str, ...] = PLAIN

    # -- reading ----------------------------------------------------------------------------------
    @classmethod
    def of(cls, network: Network, features: tuple[str, ...] = PLAIN) -> Graph:
        """The graph of a network (whose input gives ``features``), laid out tidily."""
        nodes = {node: NodeSpec.of(module) for node, module in network.operators.items()}
        edges = tuple((src, dst) for src, dsts in network.connectivity.items() for dst in dsts)
        return cls(nodes, edges, features=tuple(features)).tidy()

    def has(self, node: Node) -> bool:
        return node == INPUT or node in self.nodes

    def inputs_of(self, node: Node) -> list[Node]:
        return [src for src, dst in self.edges if dst == node]

    def connectivity(self) -> dict[Node, list[Node]]:
        connectivity: dict[Node, list[Node]] = {}
        for src, dst in self.edges:
            connectivity.setdefault(src, []).append(dst)
        return connectivity

    def next_id(self) -> int:
        """A new id: one more than the largest whole-number id, and no other id's text."""
        node = max((n for n in self.nodes if isinstance(n, int)), default=INPUT) + 1
        taken = {str(n) for n in self.nodes}
        while str(node) in taken:
            node += 1
        return node

    def position(self, node: Node) -> tuple[float, float]:
        return self.positions.get(node, (0.0, 0.0))

    def output(self) -> Node | None:
        """The node that feeds nothing, if there is one only (a network's output)."""
        sources = {src for src, _ in self.edges}
        sinks = [node for node in self.nodes if node not in sources]
        return sinks[0] if len(sinks) == 1 else None

    # -- edits: each returns a new graph, or raises and changes nothing ---------------------------
    def add(self, kind: str, params: Mapping | None = None, *,
            at: tuple[float, float] | None = None,
            between: tuple[Node, Node] | None = None) -> tuple[Graph, Node]:
        """A new ``kind`` node (not connected, or put into the edge ``between``); returns the
        new graph and the node's id. ``at`` is where it is drawn (default: right of the rest);
        a node put into an edge takes the place of the edge's end, which moves one column on
        with everything right of it."""
        spec = NodeSpec.new(kind, params or {})
        node = self.next_id()
        for name, pair in (("at", at), ("between", between)):
            if pair is not None and not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise InputError(f"{kind}: {name} must be a pair, got {short_repr(pair)}")
        edges, positions = self.edges, dict(self.positions)
        if between is not None:
            src, dst = (check_id(end, f"put a {kind} into an edge of") for end in between)
            if (src, dst) not in self.edges:
                raise GraphError(f"there is no edge {src!r} → {dst!r} to put a {kind} into")
            index = edges.index((src, dst))
            edges = (*edges[:index], (src, node), (node, dst), *edges[index + 1:])
            # the new node takes dst's place; dst and what is right of it move one column on
            x_dst, y_dst = self.position(dst)
            positions = {n: (x + 1.0, y) if x >= x_dst - 0.25 else (x, y)
                         for n, (x, y) in positions.items()}
            at = (x_dst, y_dst)
        if at is None:
            right = max((x for x, _ in self.positions.values()), default=0.0)
            at = (right + 1.0, 0.0)
        graph = replace(self, nodes={**self.nodes, node: spec}, edges=edges,
                        positions={**positions, node: _checked_position(node, *at)})
        graph.check()
        return graph, node

    def connect(self, src: Node, dst: Node) -> Graph:
        """The graph with the edge ``src → dst`` (``src`` feeds ``dst``)."""
        src, dst = self._require(src, "connect from"), self._require(dst, "connect to")
        if dst == INPUT:
            raise GraphError(f"edge {src!r} → {dst!r}: nothing can feed the input")
        if src == dst:
            raise GraphError(f"edge {src!r} → {dst!r}: a node cannot feed itself")
        if (src, dst) in self.edges:
            raise GraphError(f"edge {src!r} → {dst!r} is already there")
        path = self._path(dst, src)
        if path is not None:
            cycle = " → ".join(repr(n) for n in (*path, dst))
            raise GraphError(f"edge {src!r} → {dst!r} would make a cycle: {cycle}")
        graph = replace(self, edges=(*self.edges, (src, dst)))
        graph.check()
        return graph

    def disconnect(self, src: Node, dst: Node) -> Graph:
        """The graph without the edge ``src → dst``."""
        if (src, dst) not in self.edges:
            raise GraphError(f"there is no edge {src!r} → {dst!r}")
        return replace(self, edges=tuple(e for e in self.edges if e != (src, dst)))

    def remove(self, node: Node) -> Graph:
        """The graph without ``node`` and its edges."""
        if node == INPUT:
            raise GraphError("node 0 is the input; it cannot be removed")
        self._require(node, "remove")
        return replace(
            self, nodes={n: s for n, s in self.nodes.items() if n != node},
            edges=tuple((s, d) for s, d in self.edges if node not in (s, d)),
            positions={n: p for n, p in self.positions.items() if n != node})

    def set_params(self, node: Node, params: Mapping) -> Graph:
        """The graph with ``node``'s module made with other parameters (a Linear's ``width``,
        a LeakyReLU's ``negative_slope``)."""
        if node == INPUT:
            raise GraphError("node 0 is the input; it has no parameters to set")
        self._require(node, "set the parameters of")
        graph = replace(self, nodes={**self.nodes, node: self.nodes[node].with_params(params)})
        graph.check()
        return graph

    def move(self, node: Node, x: float, y: float) -> Graph:
        """The graph with ``node`` drawn at ``(x, y)`` (columns and rows)."""
        self._require(node, "move")
        return replace(self, positions={**self.positions, node: _checked_position(node, x, y)})

    def tidy(self) -> Graph:
        """The graph laid out anew: columns by depth, branches on rows of their own."""
        return replace(self, positions=layout(self.nodes, self.edges))

    # -- checks ---------------------------------------------------------------------------------
    def _require(self, node: Node, doing: str) -> Node:
        node = check_id(node, doing)
        if not self.has(node):
            raise GraphError(f"cannot {doing} node {node!r}: there is no such node")
        return node

    def _path(self, start: Node, goal: Node) -> list[Node] | None:
        """A path of edges from ``start`` to ``goal`` (both included), or None."""
        feeds = self.connectivity()
        came_from: dict[Node, Node | None] = {start: None}
        todo = [start]
        while todo:
            node = todo.pop()
            if node == goal:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return path[::-1]
            for dst in feeds.get(node, ()):
                if dst not in came_from:
                    came_from[dst] = node
                    todo.append(dst)
        return None

    def check(self) -> None:
        """Raise if no network can have this graph, however it is completed: a node fed by
        more edges than its module takes, or inputs whose widths do not fit (a ``Sum`` of
        different widths), or that is bigger than the lab takes. Nodes not connected yet are
        fine."""
        if len(self.nodes) > MAX_NODES or len(self.edges) > MAX_EDGES:
            raise GraphError(f"the lab's graphs have at most {MAX_NODES} nodes and {MAX_EDGES} "
                             f"edges; this one would have {len(self.nodes)} and "
                             f"{len(self.edges)}")
        texts: dict[str, Node] = {str(INPUT): INPUT}
        for node in self.nodes:
            check_id(node, "have")
            if str(node) in texts:  # (3 and "3" would be two nodes labelled 3 on the page)
                raise GraphError(f"nodes {texts[str(node)]!r} and {node!r} have the same name, "
                                 f"{node}: give one of them another")
            texts[str(node)] = node
        for node, (x, y) in self.positions.items():
            _checked_position(node, x, y)
        for node, spec in self.nodes.items():
            if spec.width is not None and spec.width > MAX_WIDTH:
                raise GraphError(f"node {node!r} ({spec.label()}) is wider than the lab's "
                                 f"{MAX_WIDTH}")
            count, most = len(self.inputs_of(node)), spec.cls.max_inputs
            if most is not None and count > most:
                edges = ", ".join(f"{src!r} → {node!r}" for src in self.inputs_of(node))
                raise GraphError(f"node {node!r} ({spec.label()}) takes {most} input(s), but "
                                 f"would be fed by {count}: {edges}")
        widths = self.widths()
        total = 0
        for node, spec in self.nodes.items():
            srcs = self.inputs_of(node)
            if spec.cls is Linear and srcs and widths.get(srcs[0]) is not None:
                total += (widths[srcs[0]] + 1) * spec.width
                if total > MAX_PARAMETERS:
                    raise GraphError(f"node {node!r} ({spec.label()}) would give the network "
                                     f"more than {MAX_PARAMETERS:,} parameters: make it, or "
                                     f"the node feeding it, narrower")

    def widths(self) -> dict[Node, int | None]:
        """``{node: width of its output}`` as far as it is known (``None``: not yet), for the
        nodes the input reaches and for every node whose module fixes its width. Raises a
        ``ShapeError`` naming the node and its inputs where widths do not fit."""
        widths: dict[Node, int | None] = {INPUT: len(self.features)}
        for node in self._order():
            srcs = self.inputs_of(node)
            spec = self.nodes[node]
            if not srcs:
                widths[node] = spec.width
                continue
            try:
                widths[node] = spec.make().output_width([(s, widths.get(s)) for s in srcs])
            except ShapeError as error:
                edges = ", ".join(f"{s!r} → {node!r}" for s in srcs)
                raise ShapeError(f"node {node!r}, fed by {edges}: {error}") from None
        return widths

    def _order(self) -> list[Node]:
        """The nodes in an order where each comes after its inputs (the graph is acyclic:
        ``connect`` refuses cycles; a cycle in a graph read from a file is refused here)."""
        waiting = {node: len(self.inputs_of(node)) for node in self.nodes}
        feeds = self.connectivity()
        ready = [INPUT, *(node for node, count in waiting.items() if count == 0)]
        order = []
        while ready:
            node = ready.pop(0)
            if node != INPUT:
                order.append(node)
            for dst in feeds.get(node, ()):
                waiting[dst] -= 1
                if waiting[dst] == 0:
                    ready.append(dst)
        if len(order) < len(self.nodes):
            stuck = [node for node in self.nodes if node not in order]
            raise GraphError(f"the graph has a cycle through node(s) "
                             f"{', '.join(repr(n) for n in stuck)}")
        return order

    def problems(self) -> str | None:
        """Why this graph is not a network the lab can train yet (``None``: it is). Worked out
        once for each graph (a trial network of its own, with all its weights), or found when
        its network was built."""
        if "_problems" not in self.__dict__:
            with contextlib.suppress(LabnetError):  # (the trial remembers the error)
                # kept for network(), which builds on it (the widest network's trial takes a
                # second: it is built once), and forgets it
                object.__setattr__(self, "_trial_network", self._trial())
        return self.__dict__["_problems"]

    def _trial(self) -> Network:
        """A network of modules of its own, with weights drawn from a seed of 0: it checks the
        graph and infers the widths. What it finds is remembered (``problems``)."""
        try:
            trial = Network({node: spec.make(np.random.default_rng(0))
                             for node, spec in self.nodes.items()}, self.connectivity(),
                            in_features=len(self.features))
            check_fits_the_lab(trial, inputs=len(self.features))
        except LabnetError as error:
            object.__setattr__(self, "_problems", str(error))  # (a frozen graph: a cache)
            raise
        object.__setattr__(self, "_problems", None)
        return trial

    def network(self, rng: np.random.Generator,
                keep: Mapping[Node, Module] | None = None) -> Network:
        """Build the network. Modules of ``keep`` whose node has the same spec and the same
        input width are used as they are (with their weights); the others are new, their
        weights drawn from ``rng``. Raises if the graph is not complete."""
        keep = keep or {}
        trial = self.__dict__.pop("_trial_network", None) or self._trial()
        operators, new = {}, []
        for node, spec in self.nodes.items():
            old = keep.get(node)
            width_in = trial.widths[trial.inputs[node][0]]
            if old is not None and NodeSpec.of(old) == spec and (
                    not isinstance(old, Linear) or old.in_features == width_in):
                operators[node] = old
            else:  # the trial's module, built to the right width: its weights drawn now
                operators[node] = trial.operators[node]
                new.append(node)
        for node in new:
            module = operators[node]
            if isinstance(module, Linear):
                module.init = suggested_init(trial, node)
            module.reset_parameters(rng)
        return Network(operators, self.connectivity(), in_features=len(self.features))


def check_id(node, doing: str = "use") -> Node:
    """``node`` as a node id (a whole number, NumPy's too, made an ``int``; or a name): anything
    else is refused, naming it."""
    checked = node_id(node)
    if checked is None:
        raise GraphError(f"cannot {doing} node {short_repr(node)}: a node id is a whole number or "
                         f"a name")
    if (isinstance(checked, str) and not 0 < len(checked) <= MAX_ID_LENGTH) or (
            isinstance(checked, int) and abs(checked) > MAX_ID):
        raise GraphError(f"cannot {doing} node {short_repr(checked)}: a node id is a name of 1 "
                         f"to {MAX_ID_LENGTH} characters, or a whole number within ±2**53")
    return checked


def check_fits_the_lab(network: Network, inputs: int = IN_FEATURES, outputs: int | None = None,
                       needs: str | None = None) -> None:
    """The lab's networks read the plane (node 0, ``inputs`` features) and give ``outputs``
    values (``needs`` says what they are: "2 outputs, one per class"; ``None``: not checked
    here). An output of 25 would train a 25-class problem on two classes: no boundary."""
    if network.input != INPUT:
        raise GraphError(f"the lab's input is node 0; this network's is {network.input!r}")
    if network.in_features not in (None, inputs):
        raise GraphError(f"the lab's input has {inputs} features; this network takes "
                         f"{network.in_features}")
    if outputs is not None and network.out_features not in (None, outputs):
        raise GraphError(output_problem(network.output, network.out_features, outputs, needs))


def output_problem(node: Node, width: int, outputs: int, needs: str | None = None) -> str:
    """Why an output ``width`` wide is not what the lab's data need (``outputs``)."""
    return (f"output node {node!r} has width {width}: the lab needs "
            f"{needs or f'{outputs} outputs, one per class'}")


def _checked_position(node: Node, x: float, y: float) -> tuple[float, float]:
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"node {node!r}: a position is two numbers, got ({short_repr(x)}, "
                         f"{short_repr(y)})") from None
    if not (abs(x) <= POSITION_LIMIT and abs(y) <= POSITION_LIMIT):  # (NaN compares False)
        raise InputError(f"node {node!r}: a position is within ±{POSITION_LIMIT:g} columns and "
                         f"rows, got ({x:g}, {y:g})")
    return x, y
