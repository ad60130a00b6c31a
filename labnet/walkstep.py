"""What one step of a walk (``labnet.walkthrough``) holds: the arrays the step received and
passed on, the edges of the graph that carried them, and its equations with its own numbers; and
the ways to show it (``print(step)``, ``step.as_json()``, ``step.plot()``: ``labnet.walkdisplay``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from labnet import walkdisplay
from labnet.chainrule import Formula
from labnet.network import Node

Array = np.ndarray
PHASES = ("forward", "loss", "backward", "update")
"""The kinds of step, in the order a walk takes them."""


@dataclass(frozen=True)
class Flow:
    """An edge of the graph at work in a step: it carries a value forward or a gradient back.

    The edge is ``src → dst`` as in ``connectivity``, whichever way the flow goes: a gradient
    flows from ``dst`` back to ``src``."""

    src: Node
    dst: Node
    carries: str
    """``"value"`` (forward) or ``"gradient"`` (backward)."""
    role: str
    """``"received"``: the step's node receives it; ``"passed"``: the node passes it on."""
    array: str
    """The name of the step's array it carries."""
    how: str = ""
    """How a passed gradient is made, e.g. ``"dL/dy · Wᵀ"``, ``"a copy of dL/dy"``."""


@dataclass(frozen=True)
class WalkStep:
    """One step of a walk: what one node (or the loss, or the update) did.

    ``received`` and ``passed`` hold copies of the arrays the step received and passed on, by
    name, in the order to show them: for a forward step ``"input from node 2"``... and
    ``"output"``; for a backward step ``"dL/d(output)"`` and then ``"dL/d(input) to node 2"``...
    and ``"dL/d(weight)"``...; for the update ``"1.weight before"``, ``"1.weight step"`` and
    ``"1.weight after"``...; see ``Walk``.
    """

    index: int
    """Position in the walk, from 0."""
    phase: str
    """``"forward"``, ``"loss"``, ``"backward"`` or ``"update"``."""
    node: Node | None
    """The node at work (``None`` for the loss and the update)."""
    module: str
    """``repr`` of the node's module, ``"input"`` for the input node, or the loss."""
    received: dict[str, Array] = field(default_factory=dict)
    passed: dict[str, Array] = field(default_factory=dict)
    text: str = ""
    """One sentence saying what happened, for a student."""
    formulas: tuple[Formula, ...] = ()
    """The step's equations with its numbers (none for a module labnet does not know)."""
    flows: tuple[Flow, ...] = ()
    """The edges at work: what came in along which edge, and what went out."""

    @property
    def arrays(self) -> dict[str, Array]:
        """Every array of the step by name: what it received, then what it passed on."""
        return {**self.received, **self.passed}

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """``{name: shape}`` of every array of the step."""
        return {name: array.shape for name, array in self.arrays.items()}

    def stats(self) -> dict[str, dict[str, object]]:
        """``{name: array_stats(array)}`` for every array of the step."""
        return {name: walkdisplay.array_stats(array) for name, array in self.arrays.items()}

    def as_json(self, rows: int = 8, cols: int = 8, inner: int = 32) -> dict:
        """The step as plain lists, numbers and strings, each array cut to ``rows`` × ``cols``
        and each sum of a formula to ``inner`` terms (``labnet.walkdisplay.step_json``)."""
        return walkdisplay.step_json(self, rows, cols, inner)

    def plot(self, figure=None):
        """The step's arrays as heatmaps, each with its colour scale (a matplotlib Figure)."""
        return walkdisplay.plot_step(self, figure)

    def __str__(self) -> str:
        return walkdisplay.step_text(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython shows a step in full
        printer.text(str(self))
