"""Walk through one training step, one node at a time.

>>> walk = Walk(net, MSELoss(), x, labels, lr=0.05)   # or Walk.from_trainer(trainer)
>>> walk.current                  # the input node holds the batch
>>> walk.next()                   # the first module runs: what it receives, what it produces
>>> walk.back()                   # look at the step before again
>>> walk.finish()                 # run to the end and update the parameters
>>> for step in walk.steps: print(step)

The walk really runs the network node by node: each ``next()`` at the end of what has been done
calls one module's ``forward`` (or ``backward``), exactly as ``Network.forward`` and
``Network.backward`` do, and records what went in and what came out. ``back()`` and later
``next()`` calls only move over the steps already recorded.

The steps, in order (``phase``, ``node``):

1. ``"forward"``, the input node: the batch ``x``;
2. ``"forward"``, every node in ``net.order``: its input(s) and its output;
3. ``"loss"``: the network's output, the target, the loss and dL/d(output), which starts backward;
4. ``"backward"``, every node in reverse order: the gradient it receives, dL/d(its output) (the
   sum of what the nodes it feeds send back), the gradient it passes on to each of its inputs,
   and the gradient of each of its parameters; last, the input node and dL/dx;
5. ``"update"``: every parameter takes its step, as a training step would take it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from labnet.errors import InputError, ShapeError, check_lr
from labnet.network import Network, Node
from labnet.optim import Optimizer
from labnet.training import Trainer

Array = np.ndarray


@dataclass(frozen=True)
class WalkStep:
    """One step of a walk: what one node (or the loss, or the update) did.

    ``arrays`` holds copies of the arrays involved, by name, in the order to show them: for a
    forward step ``"input from node 2"``... and ``"output"``; for a backward step
    ``"dL/d(output)"``, ``"dL/d(input) to node 2"``... and ``"dL/d(weight)"``...; see ``Walk``.
    """

    index: int
    """Position in the walk, from 0."""
    phase: str
    """``"forward"``, ``"loss"``, ``"backward"`` or ``"update"``."""
    node: Node | None
    """The node at work (``None`` for the loss and the update)."""
    module: str
    """``repr`` of the node's module, ``"input"`` for the input node, or the loss."""
    arrays: dict[str, Array] = field(default_factory=dict)
    text: str = ""
    """One sentence saying what happened, for a student."""

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """``{name: shape}`` of every array of the step."""
        return {name: array.shape for name, array in self.arrays.items()}

    def stats(self) -> dict[str, dict[str, object]]:
        """``{name: array_stats(array)}`` for every array of the step."""
        return {name: array_stats(array) for name, array in self.arrays.items()}

    def __str__(self) -> str:
        where = "" if self.node is None else f" · node {self.node!r}"
        lines = [f"[{self.index}] {self.phase}{where} · {self.module}", f"    {self.text}"]
        for name, array in self.arrays.items():
            s = array_stats(array)
            lines.append(f"    {name:<26} {s['shape']!s:<10} mean {s['mean']:+.3g}  "
                         f"std {s['std']:.3g}  min {s['min']:+.3g}  max {s['max']:+.3g}  "
                         f"zeros {100 * s['zeros']:.0f} %")
        return "\n".join(lines)


def array_stats(array: Array) -> dict[str, object]:
    """A few numbers that describe ``array``: shape, mean, std, min, max and the fraction of
    entries that are exactly zero (``"zeros"``, from 0 to 1). An empty array has NaN statistics."""
    array = np.asarray(array, dtype=np.float64)
    if array.size == 0:
        nan = math.nan
        return {"shape": array.shape, "mean": nan, "std": nan, "min": nan, "max": nan,
                "zeros": nan}
    return {
        "shape": array.shape,
        "mean": float(array.mean()),
        "std": float(array.std()),
        "min": float(array.min()),
        "max": float(array.max()),
        "zeros": float(np.mean(array == 0)),
    }


def heatmap_values(array: Array, max_rows: int = 16, max_cols: int = 32) -> Array:
    """A small 2-D corner of ``array`` to draw as a heatmap: its first ``max_rows`` rows and
    ``max_cols`` columns. A 1-D array (a bias) becomes one row, a number a 1 × 1 array."""
    array = np.asarray(array)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array[None, :]
    elif array.ndim > 2:
        array = array.reshape(array.shape[0], -1)
    return array[:max_rows, :max_cols].copy()


class Walk:
    """One training step on one mini-batch, walked through node by node.

    Parameters
    ----------
    net : the network; its modules do the work, and its parameters are updated at the end.
    loss : a loss object (``MSELoss()``, ``CrossEntropyLoss()``).
    x : the mini-batch, shape ``(batch, in_features)``.
    target : its labels, shape ``(batch,)``, or targets of the output's shape.
    lr : the learning rate of the update (``net.update_param(lr)``), if no ``optimizer``.
    optimizer : an ``Optimizer`` on ``net.params()`` to take the step instead.

    ``Walk.from_trainer(trainer)`` walks through the trainer's next mini-batch, and its update is
    the trainer's: afterwards the trainer has done one more step, as if ``trainer.step()`` ran.

    Between two steps others may run the network on other inputs (the lab draws its boundary
    that way): the walk puts back each module's state from its own forward before calling its
    backward. Training the network during a walk, though, is refused at the update.
    """

    def __init__(self, net: Network, loss, x: Array, target: Array, *, lr: float = 0.05,
                 optimizer: Optimizer | None = None) -> None:
        x = net.check_input(x)
        if len(np.asarray(target)) != len(x):
            raise ShapeError(f"target has {len(np.asarray(target))} rows, the batch has "
                             f"{len(x)}")
        self.net = net
        self.loss = loss
        self.x = x
        self.target = np.asarray(target)
        self.lr = check_lr(lr)
        self.optimizer = optimizer
        self.trainer: Trainer | None = None
        self.loss_value: float | None = None  # set at the loss step

        # What the network computes along the way, node by node.
        self.outputs: dict[Node, Array] = {net.input: x}  # output of each node
        self.grads: dict[Node, Array] = {}  # dL/d(output) of each node, summed over consumers
        self.grad_parts: dict[Node, dict[Node, Array]] = {}  # {node: {consumer: its share}}
        self.param_grads: dict[Node, dict[str, Array]] = {}  # {node: {name: dL/d(parameter)}}
        self._module_state: dict[Node, dict] = {}  # each module's attributes after its forward
        self._start_params = [value.copy() for value, _ in net.params()]

        # The plan: every step the walk will take, as (phase, node).
        nodes = (net.input, *net.order)
        self.plan: tuple[tuple[str, Node | None], ...] = (
            *(("forward", node) for node in nodes),
            ("loss", None),
            *(("backward", node) for node in reversed(nodes)),
            ("update", None),
        )
        self._steps: list[WalkStep] = []
        self.position = -1
        self.next()  # the first step only shows the batch

    @classmethod
    def from_trainer(cls, trainer: Trainer) -> Walk:
        """A walk through the trainer's next mini-batch; finishing it is ``trainer.step()``."""
        x, labels = trainer.next_batch()
        walk = cls(trainer.net, trainer.loss, x, labels, lr=trainer.lr,
                   optimizer=trainer.optimizer)
        walk.trainer = trainer
        return walk

    # -- moving ---------------------------------------------------------------------------------
    @property
    def steps(self) -> tuple[WalkStep, ...]:
        """The steps recorded so far (the cursor may be on an earlier one)."""
        return tuple(self._steps)

    @property
    def current(self) -> WalkStep:
        """The step under the cursor."""
        return self._steps[self.position]

    def __len__(self) -> int:
        """How many steps the whole walk has (known from the start)."""
        return len(self.plan)

    @property
    def at_start(self) -> bool:
        return self.position == 0

    @property
    def done(self) -> bool:
        """True once the cursor is on the last step: the parameters have been updated."""
        return self.position == len(self.plan) - 1

    def next(self) -> WalkStep:
        """Move to the next step, running it if it has not run yet; return it.

        At the end of the walk the cursor stays where it is."""
        if self.done:
            return self.current
        if self.position + 1 == len(self._steps):  # not run yet: run it (it may raise) first
            phase, node = self.plan[self.position + 1]
            self._steps.append(self._run(phase, node))
        self.position += 1
        return self.current

    def back(self) -> WalkStep:
        """Move to the step before (nothing is undone); return it. At the start, stay there."""
        self.position = max(self.position - 1, 0)
        return self.current

    def finish(self) -> WalkStep:
        """Run every step left, the update included; return the last step."""
        while not self.done:
            self.next()
        return self.current

    def __iter__(self) -> Iterator[WalkStep]:
        """The steps after the cursor, each run as it is reached: ``for step in walk: ...``."""
        while not self.done:
            yield self.next()

    # -- running one step -----------------------------------------------------------------------
    def _run(self, phase: str, node: Node | None) -> WalkStep:
        index = len(self._steps)
        if phase == "forward":
            return self._forward(index, node)
        if phase == "loss":
            return self._loss(index)
        if phase == "backward":
            return self._backward(index, node)
        return self._update(index)

    def _forward(self, index: int, node: Node) -> WalkStep:
        net = self.net
        if node == net.input:
            return WalkStep(index, "forward", node, "input", {"output": self.x.copy()},
                            f"the input node holds the mini-batch: {len(self.x)} points")
        module = net.operators[node]
        srcs = net.inputs[node]
        inputs = [self.outputs[src] for src in srcs]
        output = module.forward(*inputs)  # y = module(x₁, x₂, ...)
        self.outputs[node] = output
        self._module_state[node] = dict(vars(module))
        if len(self.outputs) == len(net.order) + 1:  # the forward pass is over
            net.outputs = dict(self.outputs)
        arrays = {f"input from node {src!r}": x.copy() for src, x in zip(srcs, inputs, strict=True)}
        arrays["output"] = output.copy()
        return WalkStep(index, "forward", node, repr(module), arrays,
                        f"receives the output of {_nodes_text(srcs)} and produces an output of "
                        f"shape {output.shape}")

    def _loss(self, index: int) -> WalkStep:
        output = self.outputs[self.net.output]
        self.loss_value = float(self.loss.forward(output, self.target))
        grad_out = self.loss.backward()  # dL/d(output of the network)
        self.grads[self.net.output] = grad_out
        arrays = {"output": output.copy(), "target": self.target.copy(),
                  "loss": np.array(self.loss_value), "dL/d(output)": grad_out.copy()}
        return WalkStep(index, "loss", None, repr(self.loss), arrays,
                        f"compares the output of node {self.net.output!r} with the target: "
                        f"loss {self.loss_value:.4g}; its gradient starts the backward pass")

    def _backward(self, index: int, node: Node) -> WalkStep:
        net = self.net
        grad_out = self.grads[node]  # complete: every node this one feeds has sent its share
        arrays = {}
        parts = self.grad_parts.get(node, {})
        if len(parts) > 1:  # a node that feeds several nodes receives the sum of their shares
            for consumer, part in parts.items():
                arrays[f"dL/d(output) via node {consumer!r}"] = part.copy()
        arrays["dL/d(output)"] = grad_out.copy()
        received = (f"the sum of the gradients sent back by {_nodes_text(parts)}"
                    if len(parts) > 1 else "dL/d(output)")
        if node == net.input:
            net.grads = dict(self.grads)  # the backward pass is over
            return WalkStep(index, "backward", node, "input", arrays,
                            f"receives {received}: the gradient of the loss with respect to "
                            f"the input points; the backward pass is over")
        module = net.operators[node]
        vars(module).update(self._module_state[node])  # its state from this walk's forward
        grad_in = module.backward(grad_out)
        srcs = net.inputs[node]
        grads_in = (grad_in,) if module.max_inputs == 1 else grad_in  # one per input
        for src, grad in zip(srcs, grads_in, strict=True):
            self.grad_parts.setdefault(src, {})[node] = grad
            # dL/d(output of src) = Σ over the nodes it feeds of what they send back
            self.grads[src] = self.grads[src] + grad if src in self.grads else grad
            arrays[f"dL/d(input) to node {src!r}"] = grad.copy()
        self.param_grads[node] = {name: grad.copy()
                                  for name, (_, grad) in module.named_params().items()}
        for name, grad in self.param_grads[node].items():
            arrays[f"dL/d({name})"] = grad.copy()
        text = f"receives {received} and passes a gradient back to {_nodes_text(srcs)}"
        if module.params():
            text += "; sets the gradient of its parameters"
        return WalkStep(index, "backward", node, repr(module), arrays, text)

    def _update(self, index: int) -> WalkStep:
        net = self.net
        params = net.params()
        changed = any(not np.array_equal(value, start)
                      for (value, _), start in zip(params, self._start_params, strict=True))
        if changed:
            raise InputError("the network's parameters changed during the walk (was it trained?):"
                             " its gradients are out of date; start a new walk")
        # Put back this walk's gradients (a training step in between would have changed them).
        for node, recorded in self.param_grads.items():
            for name, (_, grad) in net.operators[node].named_params().items():
                grad[...] = recorded[name]
        net.outputs, net.grads = dict(self.outputs), dict(self.grads)
        before = {key: value.copy() for key, (value, _) in net.named_params().items()}
        if self.trainer is not None:
            self.trainer.finish_step(self.loss_value)  # checks, updates, counts, records
            how = f"the trainer's step (lr {self.trainer.lr:g})"
        elif self.optimizer is not None:
            self.optimizer.step()
            how = f"{self.optimizer!r}"
        else:
            net.update_param(self.lr)  # value -= lr · dL/d(value)
            how = f"value -= lr · gradient, lr {self.lr:g}"
        arrays = {f"{key} change": value - before[key]
                  for key, (value, _) in net.named_params().items()}
        return WalkStep(index, "update", None, "update", arrays,
                        f"every parameter takes a step: {how}")


def _nodes_text(nodes) -> str:
    """``node 4``, ``nodes 4 and 6``, ``nodes 1, 2 and 3``."""
    names = [repr(node) for node in nodes]
    if len(names) == 1:
        return f"node {names[0]}"
    return f"nodes {', '.join(names[:-1])} and {names[-1]}"
