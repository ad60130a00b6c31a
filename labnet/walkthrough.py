"""Walk through one training step, one node at a time.

>>> walk = Walk(net, MSELoss(), x, labels, lr=0.05)   # or Walk.from_trainer(trainer)
>>> walk.current                  # the input node holds the batch
>>> walk.next()                   # the first module runs: what it receives, what it produces
>>> walk.back()                   # look at the step before again
>>> walk.go_to(9)                 # any step (those not run yet are run on the way)
>>> walk.finish()                 # run to the end and update the parameters
>>> print(walk.current)           # a step in full: its arrays, and its equations with numbers
>>> walk.current.as_json()        # the same as plain lists and numbers, for a page

``Walk(..., sample=7)`` walks point 7 alone (a batch of one): on a tiny network every value and
every gradient is a number a student can compute by hand. ``scaling=(mean, std)`` says that
``x`` was standardised, ``(points − mean) / std`` (the lab's inputs are): the input step says
so, with the point as given and as the network sees it, so that a hand calculation starts from
the right numbers. ``train=False`` shows the update
without making it (``Walk.from_trainer(trainer, sample=7)`` does that: it leaves the trainer and
its network as they were).

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
5. ``"update"``: every parameter before, its step, and after.

Each step says what it ``received`` and what it ``passed`` on (arrays by name), which edges of
the graph carried them (``flows``), and its ``formulas``: the chain rule written with the
step's numbers (``labnet.chainrule``).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np

from labnet import walkdisplay
from labnet.chainrule import (
    backward_formulas,
    forward_formulas,
    how_passed,
    loss_formulas,
    update_formula,
)
from labnet.errors import InputError, ShapeError, as_real_array, check_lr, short_repr
from labnet.losses import make_loss
from labnet.network import Network, Node
from labnet.optim import Optimizer
from labnet.training import Trainer
from labnet.walkdisplay import number_text
from labnet.walkstep import Flow, WalkStep

Array = np.ndarray


class Walk:
    """One training step on one mini-batch, walked through node by node.

    Parameters
    ----------
    net : the network; its modules do the work, and its parameters are updated at the end.
    loss : a loss object (``MSELoss()``, ``CrossEntropyLoss()``) or its name (``"mse"``).
    x : the mini-batch, shape ``(batch, in_features)``.
    target : its labels, shape ``(batch,)``, or targets of the output's shape.
    lr : the learning rate of the update (``net.update_param(lr)``), if no ``optimizer``.
    optimizer : an ``Optimizer`` on ``net.params()`` to take the step instead.
    sample : walk row ``sample`` of ``x`` (and of ``target``) alone, a batch of one.
    train : ``False`` shows the update (``value − lr · gradient``) without making it: the
        network keeps its parameters.
    scaling : ``(mean, std)`` if ``x`` is standardised, ``(points − mean) / std`` (one number
        a column each): the walk says so and shows the points as given (``unscaled``).

    ``Walk.from_trainer(trainer)`` walks through the trainer's next mini-batch, and its update is
    the trainer's: afterwards the trainer has done one more step, as if ``trainer.step()`` ran.

    Between two steps others may run the network on other inputs (the lab draws its boundary
    that way): the walk puts back each module's state from its own forward before calling its
    backward. Training the network during a walk, though, is refused at the next step.
    """

    def __init__(self, net: Network, loss, x: Array, target: Array, *, lr: float = 0.05,
                 optimizer: Optimizer | None = None, sample: int | None = None,
                 train: bool = True, scaling: tuple[Array, Array] | None = None) -> None:
        if not isinstance(net, Network):
            raise InputError(f"Walk: net must be a labnet Network, got {short_repr(net)}")
        loss = make_loss(loss, "Walk")
        x = net.check_input(x)
        target = _check_target(target, len(x))
        lr = check_lr(lr)
        if optimizer is not None and not isinstance(optimizer, Optimizer):
            raise InputError(f"Walk: optimizer must be a labnet Optimizer or None, got "
                             f"{short_repr(optimizer)}")
        if not isinstance(train, bool | np.bool_):
            raise InputError(f"Walk: train must be True or False, got {short_repr(train)}")
        if optimizer is not None and not train:
            raise InputError("Walk: train=False shows a step of plain gradient descent at lr; "
                             "give lr, not an optimizer")
        scaling = _check_scaling(scaling, x.shape[1])
        if sample is not None:
            sample = _check_sample(sample, len(x))
            x, target = x[sample:sample + 1], target[sample:sample + 1]
        self.net = net
        self.loss = loss
        self.x = x
        self.target = target
        self.lr = lr
        self.optimizer = optimizer
        self.sample = sample
        """The row of the data walked alone (one-sample mode), or None."""
        self.train = bool(train)
        self.scaling = scaling
        """``(mean, std)`` if ``x`` is standardised, ``(points − mean) / std``, else None."""
        self.trainer: Trainer | None = None
        self.loss_value: float | None = None  # set at the loss step

        # What the network computes along the way, node by node.
        self.outputs: dict[Node, Array] = {net.input: x}  # output of each node
        self.grads: dict[Node, Array] = {}  # dL/d(output) of each node, summed over consumers
        self.grad_parts: dict[Node, dict[Node, Array]] = {}  # {node: {consumer: its share}}
        self.param_grads: dict[Node, dict[str, Array]] = {}  # {node: {name: dL/d(parameter)}}
        self._module_state: dict[Node, dict] = {}  # each module's attributes after its forward
        self._forward_steps: dict[Node, WalkStep] = {}
        # the parameters as the walk found them: the forward and backward passes use these
        self._start = {key: value.copy() for key, (value, _) in net.named_params().items()}

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

    @property
    def unscaled(self) -> Array:
        """The points walked as given, before standardising (``x`` itself without
        ``scaling``): ``x · std + mean``."""
        if self.scaling is None:
            return self.x
        mean, std = self.scaling
        return self.x * std + mean  # x = (points − mean) / std

    @classmethod
    def from_trainer(cls, trainer: Trainer, sample: int | None = None,
                     scaling: tuple[Array, Array] | None = None) -> Walk:
        """A walk through the trainer's next mini-batch; finishing it is ``trainer.step()``.

        ``sample=i`` walks point ``i`` of the trainer's training data alone instead, and only
        shows the update (at the trainer's learning rate): the trainer and its network keep
        their parameters and their count of steps. ``scaling``: the ``(mean, std)`` the
        trainer's data was standardised with, if it was."""
        if not isinstance(trainer, Trainer):
            raise InputError(f"Walk.from_trainer: trainer must be a labnet Trainer, got "
                             f"{short_repr(trainer)}")
        if sample is not None:
            return cls(trainer.net, trainer.loss, trainer.x, trainer.labels, lr=trainer.lr,
                       sample=sample, train=False, scaling=scaling)
        x, labels = trainer.next_batch()
        walk = cls(trainer.net, trainer.loss, x, labels, lr=trainer.lr,
                   optimizer=trainer.optimizer, scaling=scaling)
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
        """True once the cursor is on the last step: the update has been made (or shown)."""
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

    def go_to(self, index: int) -> WalkStep:
        """Move to step ``index`` (0 to ``len(walk) - 1``; negative counts from the end),
        running the steps not run yet on the way; return it."""
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not (
                -len(self) <= index < len(self)):
            raise InputError(f"Walk.go_to: index must be a step of the walk, 0 to "
                             f"{len(self) - 1}, got {short_repr(index)}")
        index = int(index) % len(self)
        while len(self._steps) <= index:
            self.position = len(self._steps) - 1
            self.next()
        self.position = index
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

    # -- what is known at the cursor ------------------------------------------------------------
    def values_so_far(self) -> dict[Node, Array]:
        """The output of every node the forward pass has reached, up to the cursor."""
        return {step.node: step.passed["output"] for step in self._steps[:self.position + 1]
                if step.phase == "forward"}

    def grads_so_far(self) -> dict[Node, Array]:
        """dL/d(output) of every node the backward pass has reached, up to the cursor."""
        return {step.node: step.received["dL/d(output)"]
                for step in self._steps[:self.position + 1] if step.phase == "backward"}

    def as_json(self, rows: int = 8, cols: int = 8, inner: int = 32) -> dict:
        """The walk at its cursor as plain lists, numbers and strings, for a page
        (``labnet.walkdisplay.walk_json`` says what it holds)."""
        return walkdisplay.walk_json(self, rows, cols, inner)

    def plot(self, figure=None):
        """The current step's arrays as heatmaps (a matplotlib Figure)."""
        return self.current.plot(figure)

    def __repr__(self) -> str:
        step = self.current
        where = "" if step.node is None else f" · node {step.node!r}"
        points = (f"point {self.sample} alone" if self.sample is not None
                  else f"a batch of {len(self.x)}")
        return (f"<Walk: step {step.index} of {len(self) - 1} ({step.phase}{where}) on "
                f"{points}, {self.loss!r}>")

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

    def _start_params(self, node: Node) -> dict[str, Array]:
        """The node's parameters as the walk found them; refused if they changed since."""
        params = {}
        for name, (value, _) in self.net.operators[node].named_params().items():
            start = self._start[f"{node}.{name}"]
            if not np.array_equal(value, start):
                raise InputError("the network's parameters changed during the walk (was it "
                                 "trained?): its numbers are out of date; start a new walk")
            params[name] = start
        return params

    def _forward(self, index: int, node: Node) -> WalkStep:
        net = self.net
        passed_on = tuple(Flow(node, dst, "value", "passed", "output")
                          for dst in net.connectivity.get(node, ()))
        if node == net.input:
            step = WalkStep(index, "forward", node, "input", {}, {"output": self.x.copy()},
                            f"the input node holds {_points_text(self)}",
                            flows=passed_on)
            self._forward_steps[node] = step
            return step
        module = net.operators[node]
        params = self._start_params(node)
        srcs = net.inputs[node]
        inputs = [self.outputs[src] for src in srcs]
        output = module.forward(*inputs)  # y = module(x₁, x₂, ...)
        self.outputs[node] = output
        self._module_state[node] = dict(vars(module))
        if len(self.outputs) == len(net.order) + 1:  # the forward pass is over
            net.outputs = dict(self.outputs)
        received = {f"input from node {src!r}": x.copy()
                    for src, x in zip(srcs, inputs, strict=True)}
        passed = {"output": output.copy()}
        flows = (*(Flow(src, node, "value", "received", name)
                   for src, name in zip(srcs, received, strict=True)), *passed_on)
        step = WalkStep(index, "forward", node, repr(module), received, passed,
                        f"receives the output of {_nodes_text(srcs)} and produces an output of "
                        f"shape {output.shape}",
                        forward_formulas(module, list(received.values()), passed["output"],
                                         params), flows)
        self._forward_steps[node] = step
        return step

    def _loss(self, index: int) -> WalkStep:
        output = self.outputs[self.net.output]
        self.loss_value = float(self.loss.forward(output, self.target))
        grad_out = self.loss.backward()  # dL/d(output of the network)
        self.grads[self.net.output] = grad_out
        received = {"output": output.copy(), "target": self.target.copy()}
        passed = {"loss": np.array(self.loss_value), "dL/d(output)": grad_out.copy()}
        return WalkStep(index, "loss", None, repr(self.loss), received, passed,
                        f"compares the output of node {self.net.output!r} with the target: "
                        f"loss {self.loss_value:.4g}; its gradient starts the backward pass",
                        loss_formulas(self.loss, received["output"], received["target"],
                                      self.loss_value, passed["dL/d(output)"]))

    def _backward(self, index: int, node: Node) -> WalkStep:
        net = self.net
        grad_out = self.grads[node]  # complete: every node this one feeds has sent its share
        received = {}
        parts = self.grad_parts.get(node, {})
        if len(parts) > 1:  # a node that feeds several nodes receives the sum of their shares
            for consumer, part in parts.items():
                received[f"dL/d(output) via node {consumer!r}"] = part.copy()
        received["dL/d(output)"] = grad_out.copy()
        flows = [Flow(node, consumer, "gradient", "received",
                      f"dL/d(output) via node {consumer!r}" if len(parts) > 1 else "dL/d(output)",
                      f"summed with the {len(parts) - 1} other(s)" if len(parts) > 1 else "")
                 for consumer in parts]
        how_received = (f"the sum of the gradients sent back by {_nodes_text(parts)}"
                        if len(parts) > 1 else "dL/d(output)")
        if node == net.input:
            net.grads = dict(self.grads)  # the backward pass is over
            return WalkStep(index, "backward", node, "input", received, {},
                            f"receives {how_received}: the gradient of the loss with respect to "
                            f"the input points; the backward pass is over", flows=tuple(flows))
        module = net.operators[node]
        params = self._start_params(node)
        vars(module).update(self._module_state[node])  # its state from this walk's forward
        grad_in = module.backward(grad_out)
        srcs = net.inputs[node]
        grads_in = (grad_in,) if module.max_inputs == 1 else grad_in  # one per input
        passed = {}
        for src, grad in zip(srcs, grads_in, strict=True):
            self.grad_parts.setdefault(src, {})[node] = grad
            # dL/d(output of src) = Σ over the nodes it feeds of what they send back
            self.grads[src] = self.grads[src] + grad if src in self.grads else grad
            passed[f"dL/d(input) to node {src!r}"] = grad.copy()
        self.param_grads[node] = {name: grad.copy()
                                  for name, (_, grad) in module.named_params().items()}
        for name, grad in self.param_grads[node].items():
            passed[f"dL/d({name})"] = grad
        forward = self._forward_steps[node]
        formulas = backward_formulas(
            module, list(forward.received.values()), forward.passed["output"],
            received["dL/d(output)"], [passed[f"dL/d(input) to node {src!r}"] for src in srcs],
            params, self.param_grads[node])
        flows += [Flow(src, node, "gradient", "passed", f"dL/d(input) to node {src!r}",
                       how_passed(formulas, i)) for i, src in enumerate(srcs)]
        text = f"receives {how_received} and passes a gradient back to {_nodes_text(srcs)}"
        if module.params():
            text += "; sets the gradient of its parameters"
        return WalkStep(index, "backward", node, repr(module), received, passed, text, formulas,
                        tuple(flows))

    def _update(self, index: int) -> WalkStep:
        net = self.net
        named = net.named_params()
        if any(not np.array_equal(value, self._start[key]) for key, (value, _) in named.items()):
            raise InputError("the network's parameters changed during the walk (was it trained?):"
                             " its gradients are out of date; start a new walk")
        grads = {f"{node}.{name}": grad for node, by_name in self.param_grads.items()
                 for name, grad in by_name.items()}
        if self.train:
            after = self._take_the_step()
            how = self._how_updated()
        else:  # what plain gradient descent would do; the network is left as it was
            after = {key: self._start[key] - self.lr * grads[key] for key in named}
            how = (f"value − lr · gradient, lr {self.lr:g}, shown only: the network keeps its "
                   f"parameters")
        received, passed, formulas = {}, {}, []
        for key in named:
            before = self._start[key]
            sgd = self.lr if self.optimizer is None and np.array_equal(
                after[key], before - self.lr * grads[key]) else None
            received[f"{key} before"] = before
            passed[f"{key} step"] = after[key] - before if sgd is None else -sgd * grads[key]
            passed[f"{key} after"] = after[key]
            formulas.append(update_formula(key, before, grads[key], after[key], sgd))
        return WalkStep(index, "update", None, "update", received, passed,
                        f"every parameter takes a step: {how}", tuple(formulas))

    def _take_the_step(self) -> dict[str, Array]:
        """Update the network as a training step would; return the parameters after."""
        net = self.net
        # Put back this walk's gradients (a training step in between would have changed them).
        for node, recorded in self.param_grads.items():
            for name, (_, grad) in net.operators[node].named_params().items():
                grad[...] = recorded[name]
        net.outputs, net.grads = dict(self.outputs), dict(self.grads)
        if self.trainer is not None:
            self.trainer.finish_step(self.loss_value)  # checks, updates, counts, records
        elif self.optimizer is not None:
            self.optimizer.step()
        else:
            net.update_param(self.lr)  # value -= lr · dL/d(value)
        return {key: value.copy() for key, (value, _) in net.named_params().items()}

    def _how_updated(self) -> str:
        if self.trainer is not None:
            return f"the trainer's step (lr {self.trainer.lr:g})"
        if self.optimizer is not None:
            return f"{self.optimizer!r}"
        return f"value -= lr · gradient, lr {self.lr:g}"


def _check_target(target, rows: int) -> Array:
    """The target as an array with one row per row of the batch."""
    target = as_real_array(target, "Walk: target")
    if target.ndim == 0:
        raise ShapeError(f"Walk: target must have one entry per row of the batch ({rows} rows), "
                         f"got the single number {short_repr(target.item())}")
    if len(target) != rows:
        raise ShapeError(f"target has {len(target)} rows, the batch has {rows}")
    return target


def _check_sample(sample, rows: int) -> int:
    if isinstance(sample, bool) or not isinstance(sample, numbers.Integral) or not (
            0 <= sample < rows):
        raise InputError(f"Walk: sample must be the index of a point of the data, 0 to "
                         f"{rows - 1}, got {short_repr(sample)}")
    return int(sample)


def _check_scaling(scaling, width: int) -> tuple[Array, Array] | None:
    if scaling is None:
        return None
    if not isinstance(scaling, tuple | list) or len(scaling) != 2:
        raise InputError(f"Walk: scaling must be (mean, std) or None, got {short_repr(scaling)}")
    mean, std = (as_real_array(value, f"Walk: scaling's {name}").reshape(-1)
                 for value, name in zip(scaling, ("mean", "std"), strict=True))
    if mean.shape != (width,) or std.shape != (width,):
        raise ShapeError(f"Walk: scaling's mean and std must have one number per input column "
                         f"({width}), got {mean.size} and {std.size}")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)):
        raise InputError("Walk: scaling's mean must be finite and its std finite and above 0")
    return mean.copy(), std.copy()


def _row_text(values: Array) -> str:
    return "(" + ", ".join(number_text(v) for v in np.ravel(values)) + ")"


def _points_text(walk: Walk) -> str:
    """What the input node holds, and, if it was standardised, from what."""
    if walk.sample is not None:
        held = f"point {walk.sample} alone"
        if walk.scaling is not None:
            mean, std = walk.scaling
            held += (f": x = {_row_text(walk.unscaled)}, standardised (x − mean) / std = "
                     f"{_row_text(walk.x)}, with mean {_row_text(mean)} and std "
                     f"{_row_text(std)}; the network starts from these")
        return held
    held = f"the mini-batch: {len(walk.x)} points"
    if walk.scaling is not None:
        mean, std = walk.scaling
        held += (f", standardised (x − mean) / std, with mean {_row_text(mean)} and std "
                 f"{_row_text(std)}")
    return held


def _nodes_text(nodes) -> str:
    """``node 4``, ``nodes 4 and 6``, ``nodes 1, 2 and 3``."""
    names = [repr(node) for node in nodes]
    if len(names) == 1:
        return f"node {names[0]}"
    return f"nodes {', '.join(names[:-1])} and {names[-1]}"
