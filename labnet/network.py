"""A network: modules wired into a directed acyclic graph.

``operators`` maps each node id to its module; ``connectivity`` maps each node id to the list of
nodes it feeds, as in the seed report. Node ``input`` (``0`` by default) is the data. The output is
the one node that feeds nothing.

The graph is checked once, when the Network is built; after that, ``forward`` runs the modules in
a topological order, and ``backward`` runs them in the reverse order, adding up the gradients that
reach a node from every node it feeds.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from labnet.errors import (
    GraphError,
    InputError,
    ShapeError,
    as_real_array,
    check_float_dtype,
    check_lr,
    check_positive_int,
    short_repr,
)
from labnet.modules import Linear, Module

Array = np.ndarray
Node = Hashable  # an int or a str


class LoadResult(NamedTuple):
    """What ``load_state_dict`` found: keys the network has but the state lacks, and the reverse."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _edges_text(edges: Iterable[tuple[Node, Node]]) -> str:
    return ", ".join(f"{src!r} → {dst!r}" for src, dst in edges)


class Network:
    """A graph of modules. See the module docstring, and ``summary()`` for a printout.

    Parameters
    ----------
    operators : ``{node: Module}``, every node but the input.
    connectivity : ``{node: [nodes it feeds]}``.
    input : the id of the input node (default ``0``).
    in_features : the width of the input; needed only if a ``Linear(None, n)`` reads the input.
    rng : if given (a Generator or a seed), every parameter is drawn anew from it, in node order.
    dtype : if given (e.g. ``np.float32``), parameters and inputs are converted to it.
    """

    def __init__(
        self,
        operators: Mapping[Node, Module],
        connectivity: Mapping[Node, Iterable[Node]],
        *,
        input: Node = 0,
        in_features: int | None = None,
        rng: np.random.Generator | int | None = None,
        dtype=None,
    ) -> None:
        # the arguments' types first: nothing is built before everything has been checked
        for name, value in (("operators", operators), ("connectivity", connectivity)):
            if not isinstance(value, Mapping):
                raise GraphError(f"{name} must be a dict, got {type(value).__name__} "
                                 f"{short_repr(value)}")
        input = _check_id(input, "the input node")
        if in_features is not None:
            in_features = check_positive_int(in_features, "in_features")
        if dtype is not None:
            dtype = check_float_dtype(dtype)
        operators = {_check_id(node, "node id"): module for node, module in operators.items()}
        edges = self._check_nodes_and_edges(operators, connectivity, input)
        inputs = {node: [] for node in operators}
        feeds = {node: [] for node in (input, *operators)}
        for src, dst in edges:
            inputs[dst].append(src)
            feeds[src].append(dst)
        self._check_reachable(operators, feeds, input)
        order = self._topological_order(operators, inputs, feeds, input)
        self._check_one_output(operators, feeds)
        widths = self._infer_widths(operators, inputs, order, input, in_features)

        # Nothing has changed so far: from here on the graph is valid.
        for node in order:
            operators[node].build([widths[src] for src in inputs[node]])
        self._operators = operators
        # sources in the order their edges were listed: rebuilt from this, a node's inputs
        # come in the same order (a Concat fed out of node order keeps its column order)
        self._connectivity = {src: tuple(feeds[src]) for src, _ in edges}
        self._inputs = {node: tuple(srcs) for node, srcs in inputs.items()}
        self._order = tuple(order)
        self._depth = self._depths(order, inputs, input)
        self._widths = widths
        self.input = input
        self.output = order[-1]
        self.in_features = widths[input]
        # the execution plan, in topological order: (node, module, its inputs, whether the module
        # takes exactly one input, so forward passes it one array and backward returns one array,
        # and the node's incoming edges, as keys of edge_grads)
        self._plan = tuple(
            (node, operators[node], self._inputs[node], operators[node].max_inputs == 1,
             tuple((src, node) for src in self._inputs[node]))
            for node in order
        )
        self._with_params = tuple(m for m in operators.values() if m.params())
        if dtype is None:
            params = self.params()
            dtype = params[0][0].dtype if params else np.float64
        self.astype(dtype)
        if rng is not None:
            self.reset_parameters(rng)
        self.outputs: dict[Node, Array] = {}  # output of every node in the last forward
        self.grads: dict[Node, Array] = {}  # dL/d(output) of every node in the last backward
        # the gradient that flowed back along each edge (src, dst) in the last backward: what
        # dst passed on to src (src's gradient is the sum of these over the nodes it feeds)
        self.edge_grads: dict[tuple[Node, Node], Array] = {}

    # -- validation (each check raises before anything changes) ---------------------------------
    @staticmethod
    def _check_nodes_and_edges(operators, connectivity, input) -> list[tuple[Node, Node]]:
        if not operators:
            raise GraphError("operators is empty: a network needs at least one module")
        if input in operators:
            raise GraphError(f"node {input!r} is the input; it cannot also have a module")
        names: dict[str, Node] = {str(input): input}
        seen_modules: dict[int, Node] = {}
        for node, module in operators.items():
            if not isinstance(module, Module):
                raise GraphError(f"node {node!r}: {module!r} is not a labnet Module")
            if id(module) in seen_modules:
                raise GraphError(
                    f"nodes {seen_modules[id(module)]!r} and {node!r} use the same module object "
                    f"{module!r}; give each node its own"
                )
            seen_modules[id(module)] = node
            if str(node) in names:
                raise GraphError(f"node ids {names[str(node)]!r} and {node!r} print the same")
            names[str(node)] = node
        known = {input, *operators}
        edges: dict[tuple[Node, Node], None] = {}  # an ordered set
        for src, dsts in connectivity.items():
            src = _check_id(src, "connectivity: node id")
            if src not in known:
                raise GraphError(f"connectivity names node {src!r}, which is not in operators")
            if isinstance(dsts, str | bytes | Mapping) or not isinstance(dsts, Iterable):
                raise GraphError(f"connectivity[{src!r}] must be a list of node ids, got "
                                 f"{short_repr(dsts)}")
            for dst in dsts:
                dst = _check_id(dst, f"connectivity[{src!r}]: node id")
                if dst not in known:
                    raise GraphError(f"edge {src!r} → {dst!r}: node {dst!r} is not in operators")
                if dst == input:
                    raise GraphError(f"edge {src!r} → {dst!r}: nothing can feed the input")
                if dst == src:
                    raise GraphError(f"edge {src!r} → {dst!r} is a cycle: a node feeds itself")
                if (src, dst) in edges:
                    raise GraphError(f"edge {src!r} → {dst!r} is listed twice")
                edges[src, dst] = None
        return list(edges)

    @staticmethod
    def _check_reachable(operators, feeds, input) -> None:
        reached, todo = {input}, [input]
        while todo:
            for dst in feeds[todo.pop()]:
                if dst not in reached:
                    reached.add(dst)
                    todo.append(dst)
        unreachable = [node for node in operators if node not in reached]
        if unreachable:
            listing = ", ".join(repr(node) for node in unreachable)
            raise GraphError(f"node(s) {listing} cannot be reached from the input {input!r}")

    @staticmethod
    def _check_one_output(operators, feeds) -> None:
        sinks = [node for node in operators if not feeds[node]]
        if len(sinks) > 1:
            listing = ", ".join(repr(node) for node in sinks)
            raise GraphError(
                f"nodes {listing} feed nothing: a network has one output, so all but one of "
                f"them must feed another node"
            )

    @staticmethod
    def _topological_order(operators, inputs, feeds, input) -> list[Node]:
        """Kahn's algorithm; ties go to the node listed first in ``operators``."""
        position = {node: i for i, node in enumerate(operators)}
        waiting = {node: len(srcs) for node, srcs in inputs.items()}
        ready = [input]
        order: list[Node] = []
        while ready:
            node = ready.pop(0)
            if node != input:
                order.append(node)
            for dst in feeds[node]:
                waiting[dst] -= 1
                if waiting[dst] == 0:
                    ready.append(dst)
                    ready.sort(key=position.__getitem__)
        if len(order) < len(operators):
            raise GraphError(f"the graph has a cycle: {Network._find_cycle(operators, feeds)}")
        return order

    @staticmethod
    def _find_cycle(operators, feeds) -> str:
        """A depth-first search, with a stack of its own (a long chain must not exhaust
        Python's recursion): the first edge back to a node on the current path closes a cycle."""
        colour = dict.fromkeys(feeds, 0)  # 0 new, 1 on the current path, 2 done
        for start in operators:
            if colour[start] != 0:
                continue
            path: list[Node] = [start]
            todo = [iter(feeds[start])]  # for each node on the path, the edges left to follow
            colour[start] = 1
            while todo:
                dst = next(todo[-1], None)
                if dst is None:  # every edge of the last node on the path followed
                    colour[path.pop()] = 2
                    todo.pop()
                elif colour[dst] == 1:
                    cycle = [*path[path.index(dst):], dst]
                    return " → ".join(repr(n) for n in cycle)
                elif colour[dst] == 0:
                    colour[dst] = 1
                    path.append(dst)
                    todo.append(iter(feeds[dst]))
        raise AssertionError("no cycle found in a graph that has one")

    @staticmethod
    def _infer_widths(operators, inputs, order, input, in_features) -> dict[Node, int | None]:
        widths: dict[Node, int | None] = {input: in_features}
        if widths[input] is None:  # take it from a Linear that reads the input, if one does
            for node in order:
                module = operators[node]
                if input in inputs[node] and isinstance(module, Linear) and module.in_features:
                    widths[input] = module.in_features
                    break
        for node in order:
            module = operators[node]
            srcs = inputs[node]
            count_ok = len(srcs) >= module.min_inputs and (
                module.max_inputs is None or len(srcs) <= module.max_inputs
            )
            if not count_ok:
                wanted = (
                    f"{module.min_inputs}" if module.max_inputs == module.min_inputs
                    else f"at least {module.min_inputs}"
                )
                raise GraphError(
                    f"node {node!r} ({module!r}) takes {wanted} input(s), but is fed by "
                    f"{len(srcs)}: {_edges_text((src, node) for src in srcs)}"
                )
            try:
                widths[node] = module.output_width([(src, widths[src]) for src in srcs])
            except ShapeError as error:
                raise ShapeError(
                    f"node {node!r}, fed by {_edges_text((src, node) for src in srcs)}: {error}"
                ) from None
            if isinstance(module, Linear) and module.in_features is None:
                (src,) = srcs
                if widths[src] is None:
                    raise ShapeError(
                        f"node {node!r} ({module!r}) cannot infer its input width from node "
                        f"{src!r}; give the Linear its in_features, or the Network in_features="
                    )
        return widths

    @staticmethod
    def _depths(order, inputs, input) -> dict[Node, int]:
        """Depth of a node: the length of the longest path from the input to it."""
        depth = {input: 0}
        for node in order:
            depth[node] = 1 + max(depth[src] for src in inputs[node])
        return depth

    # -- the graph, read-only -------------------------------------------------------------------
    @property
    def operators(self) -> Mapping[Node, Module]:
        """``{node: module}``, in the order they were given."""
        return MappingProxyType(self._operators)

    @property
    def connectivity(self) -> Mapping[Node, tuple[Node, ...]]:
        """``{node: (nodes it feeds)}``, for every node that feeds something, in the order the
        edges were listed (a Network built from it has the same ``inputs``)."""
        return MappingProxyType(self._connectivity)

    @property
    def inputs(self) -> Mapping[Node, tuple[Node, ...]]:
        """``{node: (nodes that feed it)}``, in the order the edges are listed."""
        return MappingProxyType(self._inputs)

    @property
    def order(self) -> tuple[Node, ...]:
        """The nodes with a module, in the order forward runs them (the output is last)."""
        return self._order

    @property
    def depth(self) -> Mapping[Node, int]:
        """``{node: longest path from the input}``; the input has depth 0."""
        return MappingProxyType(self._depth)

    @property
    def widths(self) -> Mapping[Node, int | None]:
        """``{node: width of its output}``, the input included (``None``: not known)."""
        return MappingProxyType(self._widths)

    @property
    def out_features(self) -> int | None:
        return self._widths[self.output]

    # -- forward and backward -------------------------------------------------------------------
    def check_input(self, x: Array) -> Array:
        """``x`` as an array of the network's dtype, or a ``ValueError`` if its shape is not
        ``(batch, in_features)``, it holds a NaN or an infinity, or it is not made of real
        numbers (complex numbers would lose their imaginary part)."""
        if type(x) is not np.ndarray or x.dtype != self.dtype:
            x = as_real_array(x, f"input node {self.input!r}", self.dtype)
        if x.ndim != 2 or (self.in_features is not None and x.shape[1] != self.in_features):
            wanted = self.in_features if self.in_features is not None else "features"
            raise ShapeError(f"input node {self.input!r}: expected shape (batch, {wanted}), "
                             f"got {x.shape}")
        # x·x is finite unless x holds a NaN or an infinity (or overflows: the exact test decides)
        if not math.isfinite(np.vdot(x, x)) and not np.isfinite(x).all():
            raise InputError(f"input node {self.input!r}: the input contains NaN or infinity")
        return x

    def forward(self, x: Array) -> Array:
        """Run every module on ``x`` of shape ``(batch, in_features)``; return the output."""
        x = self.check_input(x)
        outputs = {self.input: x}
        try:
            for node, module, srcs, one_input, _ in self._plan:
                if one_input:
                    outputs[node] = module.forward(outputs[srcs[0]])
                else:
                    outputs[node] = module.forward(*[outputs[src] for src in srcs])
        except ShapeError as error:  # e.g. a Sum whose widths were not known when it was built
            raise ShapeError(f"node {node!r}: {error}") from None
        self.outputs = outputs
        return outputs[self.output]

    def backward(self, grad_out: Array) -> Array:
        """Back-propagate dL/d(output); return dL/d(input) and set every parameter gradient."""
        if not self.outputs:
            raise InputError("backward needs a forward first")
        expected = self.outputs[self.output].shape
        if getattr(grad_out, "shape", None) != expected:
            raise ShapeError(f"backward at output node {self.output!r}: gradient of shape "
                             f"{np.shape(grad_out)}, expected {expected}")
        grads = {self.output: grad_out}
        edge_grads = {}
        for node, module, srcs, one_input, edges in reversed(self._plan):
            grad_in = module.backward(grads[node])
            # A node that feeds several nodes gets the sum of their gradients. (The one-input
            # case is the same rule, written out because it is by far the most common.) A module
            # that can take several inputs returns a tuple, even when it is fed by one.
            if one_input:
                src = srcs[0]
                grads[src] = grads[src] + grad_in if src in grads else grad_in
                edge_grads[edges[0]] = grad_in
            else:
                for src, edge, grad in zip(srcs, edges, grad_in, strict=True):
                    grads[src] = grads[src] + grad if src in grads else grad
                    edge_grads[edge] = grad
        self.grads = grads
        self.edge_grads = edge_grads
        return grads[self.input]

    def __call__(self, x: Array) -> Array:
        return self.forward(x)

    def predict(self, x: Array) -> Array:
        """Class labels for ``x``: the index of the largest output (or output > 0.5 if width 1)."""
        from labnet.losses import predict_labels

        return predict_labels(self.forward(x))

    # -- parameters -----------------------------------------------------------------------------
    def params(self) -> list[tuple[Array, Array]]:
        """``[(value, grad), ...]`` for every parameter, in node order (live arrays)."""
        return [pair for node in self._order for pair in self._operators[node].params()]

    def named_params(self) -> dict[str, tuple[Array, Array]]:
        """``{"node.name": (value, grad)}``, e.g. ``"1.weight"``."""
        return {
            f"{node}.{name}": pair
            for node in self._order
            for name, pair in self._operators[node].named_params().items()
        }

    def num_params(self) -> int:
        return sum(value.size for value, _ in self.params())

    def update_param(self, lr: float) -> None:
        """One step of plain gradient descent on every parameter: ``value -= lr * grad``."""
        lr = check_lr(lr)
        for module in self._with_params:
            module.update_param(lr)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw every parameter anew from ``rng``, node by node in order."""
        rng = np.random.default_rng(rng)
        for node in self._order:
            self._operators[node].reset_parameters(rng)

    def astype(self, dtype) -> Network:
        """Convert every parameter, and from now on every input, to ``dtype``; return self.

        The parameters become new arrays: convert before making an optimizer or a Trainer
        (or give ``Network(..., dtype=np.float32)``), which hold on to the arrays they get."""
        self.dtype = check_float_dtype(dtype)
        for module in self._operators.values():
            module.astype(self.dtype)
        return self

    def grad_norms(self) -> dict[Node, float]:
        """``{node: ||dL/d(output of node)||}`` for every node, from the last backward: the
        input first (its "output" is the data, so its norm is ||dL/dx||), then the modules in
        order."""
        return {node: _norm(self.grads[node]) for node in (self.input, *self._order)
                if node in self.grads}

    def param_grad_norms(self) -> dict[Node, float]:
        """``{node: ||dL/d(parameters of node)||}`` for every node that has parameters."""
        norms = {}
        for node in self._order:
            pairs = self._operators[node].params()
            if pairs:
                norms[node] = math.sqrt(sum(_norm(grad) ** 2 for _, grad in pairs))
        return norms

    # -- state ----------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Array]:
        """``{"node.name": a copy of the parameter}``."""
        return {key: value.copy() for key, (value, _) in self.named_params().items()}

    def load_state_dict(self, state: Mapping[str, Array], strict: bool = True) -> LoadResult:
        """Copy the arrays of ``state`` into the parameters, in place.

        Returns the missing and unexpected keys; with ``strict`` (the default) either one is an
        error. A shape that does not fit, or values that are not real numbers, always are. Nothing
        is copied if there is an error.
        """
        if not isinstance(state, Mapping):
            raise InputError(f"load_state_dict: the state must be a dict of arrays, got "
                             f"{type(state).__name__}")
        own = self.named_params()
        result = LoadResult(
            missing_keys=[key for key in own if key not in state],
            unexpected_keys=[key for key in state if key not in own],
        )
        if strict and (result.missing_keys or result.unexpected_keys):
            raise InputError(f"load_state_dict: missing keys {result.missing_keys}, "
                             f"unexpected keys {result.unexpected_keys}")
        arrays = {}
        for key, (value, _) in own.items():
            if key in state:
                arrays[key] = as_real_array(state[key], f"load_state_dict: {key!r}")
                if arrays[key].shape != value.shape:
                    raise ShapeError(f"load_state_dict: {key!r} has shape {arrays[key].shape}, "
                                     f"the network's is {value.shape}")
        for key, array in arrays.items():
            own[key][0][...] = array
        return result

    # -- printing -------------------------------------------------------------------------------
    def summary(self) -> str:
        """A table: node, module, inputs, output width, parameter count."""
        rows = [("node", "module", "inputs", "width", "params")]
        rows.append((repr(self.input), "(input)", "", _width_text(self._widths[self.input]), ""))
        for node in self._order:
            module = self._operators[node]
            rows.append((
                repr(node),
                repr(module),
                ", ".join(repr(src) for src in self._inputs[node]),
                _width_text(self._widths[node]),
                str(module.num_params()),
            ))
        sizes = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = [
            "  ".join(cell.ljust(size) if i < 4 else cell.rjust(size)
                      for i, (cell, size) in enumerate(zip(row, sizes, strict=True)))
            for row in rows
        ]
        lines.insert(1, "-" * len(lines[0]))
        lines.append(f"output: node {self.output!r}; {self.num_params()} parameters in all")
        return "\n".join(lines)

    def __repr__(self) -> str:
        body = ", ".join(f"{node!r}: {self._operators[node]!r}" for node in self._order)
        return f"Network({{{body}}}, output={self.output!r})"


def node_id(value: object) -> Node | None:
    """``value`` as a node id, or ``None`` if it cannot be one. A node id is a whole number
    (any integral number, NumPy's ``int64`` too, made a Python ``int``) or a name (a ``str``);
    a bool is neither."""
    if type(value) is int or type(value) is str:  # the common case, first
        return value
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return str(value) if isinstance(value, str) else None


def _check_id(node: object, what: str) -> Node:
    """``node`` as a node id (``node_id``), or a ``GraphError`` naming ``what``."""
    checked = node_id(node)
    if checked is None:
        raise GraphError(f"{what} {short_repr(node)} must be an int or a str")
    return checked


def _norm(array: Array) -> float:
    flat = array.ravel()
    return math.sqrt(float(np.dot(flat, flat)))


def _width_text(width: int | None) -> str:
    return "?" if width is None else str(width)


class Sequential(Network):
    """A chain ``input → modules[0] → modules[1] → ...``: a Network with nodes 1, 2, ..."""

    def __init__(self, *modules: Module, in_features: int | None = None,
                 rng: np.random.Generator | int | None = None, dtype=None) -> None:
        if not modules:
            raise GraphError("Sequential needs at least one module")
        operators = {i: module for i, module in enumerate(modules, start=1)}
        connectivity = {i: [i + 1] for i in range(len(modules))}
        super().__init__(operators, connectivity, in_features=in_features, rng=rng, dtype=dtype)
