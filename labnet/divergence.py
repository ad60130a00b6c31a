"""Divergence: a step whose loss or gradients are not finite changes nothing.

The trainer checks the loss as soon as it has it, and the gradients before any parameter moves:
``StepGradients`` copies every parameter gradient into one buffer, where one dot product says
whether they are all finite (a NaN or an infinity anywhere makes the sum of squares NaN or
infinite) and each node's gradient norm comes from the same buffer.
"""

from __future__ import annotations

import math

import numpy as np

from labnet.errors import DivergedError
from labnet.network import Network, Node

Array = np.ndarray


def check_loss(loss: float, step: int) -> None:
    """A ``DivergedError`` if ``loss``, the loss of step ``step``, is not finite."""
    if not math.isfinite(loss):
        raise DivergedError(f"step {step}: the loss is {loss}; the parameters are left as they "
                            f"were. Try a smaller learning rate.")


class StepGradients:
    """Every parameter gradient of ``net``, copied each step into one buffer: one dot product
    says whether they are all finite (a NaN or an infinity anywhere makes the sum of squares
    NaN or infinite), and each node's norm comes from the same buffer. It keeps the gradient
    arrays, as an optimizer does; until ``renewed`` has found them still the network's (at the
    first step, and after each epoch), it is not ``trusted``."""

    def __init__(self, net: Network) -> None:
        self.nodes: list[Node] = []
        self.grads: list[Array] = []
        starts, size = [], 0
        for node in net.order:
            grads = [grad for _, grad in net.operators[node].params()]
            if grads:
                self.nodes.append(node)
                starts.append(size)
                self.grads += grads
                size += sum(grad.size for grad in grads)
        self.starts = np.array(starts, dtype=np.intp)
        # flat views when they are views (contiguous arrays), else the arrays themselves
        flat = [grad.reshape(-1) for grad in self.grads]
        views = all(np.shares_memory(f, g) for f, g in zip(flat, self.grads, strict=True))
        self.parts, self.axis = (tuple(flat), 0) if views else (tuple(self.grads), None)
        dtype = np.result_type(*self.grads) if self.grads else np.float64
        self.buffer = np.zeros(size, dtype=dtype)
        self.trusted = False

    def renewed(self, net: Network) -> StepGradients:
        """Self, now trusted, if it holds the network's gradient arrays; else a new one made
        from them (not trusted: a module that makes new arrays at every step is followed)."""
        current = [grad for _, grad in net.params()]
        if len(current) == len(self.grads) and all(
                a is b for a, b in zip(current, self.grads, strict=True)):
            self.trusted = True
            return self
        return StepGradients(net)

    def gather(self) -> float:
        """Copy the gradients into the buffer; return the sum of their squares."""
        if self.parts:
            np.concatenate(self.parts, axis=self.axis, out=self.buffer)
        return np.dot(self.buffer, self.buffer)  # an np.float64, a float

    def check(self, step: int) -> None:
        """Gather the gradients (``gather``); a ``DivergedError`` naming the nodes if one of
        them holds a NaN or an infinity. (A sum of squares that overflowed is large, not
        diverged.)"""
        if not math.isfinite(self.gather()):  # NaN or ∞ anywhere makes the sum so
            bad = self.not_finite()
            if bad:
                raise DivergedError(f"step {step}: the gradient of node(s) {bad} is not finite; "
                                    f"the parameters are left as they were.")

    def norms(self) -> dict[Node, float]:
        """``{node: ||dL/d(parameters of node)||}`` from the last ``gather``."""
        if not self.nodes:
            return {}
        squares = np.add.reduceat(self.buffer * self.buffer, self.starts)
        return dict(zip(self.nodes, np.sqrt(squares).tolist(), strict=True))

    def not_finite(self) -> list[Node]:
        """The nodes with a gradient that holds a NaN or an infinity (in the last ``gather``)."""
        ends = [*self.starts[1:].tolist(), len(self.buffer)]
        return [node for node, start, end in zip(self.nodes, self.starts, ends, strict=True)
                if not np.isfinite(self.buffer[start:end]).all()]
