"""Hints: a setting that is likely wrong, said in a line next to what it is about.

``find_hints`` looks at the lab as it is now (its settings, its history, the gradients of the
last step and what each node outputs over the plane) and returns what it finds, the most
pressing first. Nothing here changes the lab or trains it: the checks read what the lab has
already computed (a ReLU's output over the plane is the thumbnails' own forward pass, on a
small grid), so they cost a few hundred microseconds. ``Hints`` keeps what the page is shown:
one hint at a time, none of those dismissed while they hold (a dismissed hint that stops
holding is forgotten, and comes back if it holds again).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from labnet.lab.pictures import Pictures
from labnet.lab.state import LabState
from labnet.modules import ReLU, Sigmoid, Tanh
from labnet.network import Node

ADAM_LR = 0.1
"""Adam with a learning rate this big or bigger: a hint."""
DEAD_SHARE = 0.9
"""A ReLU node this share of whose units are 0 over the whole plane: a hint."""
VANISHING = 1e-6
"""A node's gradient norm below this, in a stack of squashing activations: a hint..."""
VANISHING_RATIO = 1e3
"""... when it is this many times smaller than the output's (not a network that has learnt)."""
SQUASHING_STACK = 3
"""Sigmoid or Tanh nodes that make a stack deep enough for its gradient to vanish."""
GROWTH_WINDOW = 50
"""The loss's last entries the growth check reads (at least 5)."""
GROWTH = 2.0
GROWTH_BY = 0.1
"""The loss grows when its last entries' median is this many times their first's, and this
much more (a loss of 0.002 that is 0.005 a moment later is a mini-batch's noise)."""
BLOW_UP = 10.0
"""The loss blows up when its last entries rise, step after step, to this many times the
median of those before (and above 1): before a step's loss overflows."""
GRID = 24
"""The ReLUs' outputs are read over a grid this many points a side (the thumbnails')."""


@dataclass(frozen=True)
class Hint:
    """A likely mistake: ``key`` names it (one per kind and node), ``text`` says it,
    ``about`` is the setting it is about (``"lr"``, ``"loss"``, ``"optimizer"``,
    ``"activation"``) or ``"node"`` (``node`` says which)."""

    key: str
    text: str
    about: str
    node: Node | None = None

    def as_json(self) -> dict:
        return {"key": self.key, "text": self.text, "about": self.about, "node": self.node}


def find_hints(state: LabState, outputs: dict[Node, np.ndarray] | None = None) -> list[Hint]:
    """What is likely wrong with the lab now, the most pressing first. ``outputs``: each
    node's output over a grid of the plane (``Pictures.activations``), for the ReLUs."""
    trainer, network = state.trainer, state.network
    if trainer is None or network is None:
        return []
    settings = state.training
    hints = []
    growth = _loss_growth(trainer.history.step_loss)
    if growth is not None:
        first, last, entries = growth
        hints.append(Hint("loss-grows", f"The loss grew from {first:.3g} to {last:.3g} over the "
                          f"last {entries} steps: the learning rate ({settings.lr:g}) is likely "
                          f"too big; try {settings.lr / 10:g}.", "lr"))
    if getattr(trainer, "task", "classification") == "regression" and (
            settings.loss == "cross-entropy"):
        hints.append(Hint("loss-task", "Cross-entropy needs classes: these data have a number to "
                          "fit at each point (regression). MSE fits numbers.", "loss"))
    if settings.optimizer == "adam" and settings.lr >= ADAM_LR:
        hints.append(Hint("adam-lr", f"Adam with a learning rate of {settings.lr:g}: Adam's steps "
                          f"are about the learning rate in size, whatever the gradient, so they "
                          f"throw the weights about. 0.001 to 0.01 suits it.", "lr"))
    for node in network.order:
        if isinstance(network.operators[node], ReLU) and outputs and node in outputs:
            dead, width = _dead_units(outputs[node])
            if width and dead >= DEAD_SHARE * width:
                units = (f"every one of its {width} units is" if dead == width else
                         f"{dead} of its {width} units are")
                hints.append(Hint(f"dead-relu:{node}", f"ReLU node {node}: {units} 0 everywhere "
                                  f"on the plane (dead: no gradient flows back through them). A "
                                  f"smaller learning rate, LeakyReLU, or Reset (new weights) "
                                  f"brings them back.", "node", node))
    vanishing = _vanishing(network, trainer.steps)
    if vanishing is not None:
        node, norm, ratio, kind = vanishing
        slope = "at most ¼" if kind == "Sigmoid" else "at most 1, far less once it saturates"
        hints.append(Hint(f"vanishing:{node}", f"The gradient reaching node {node} is "
                          f"{norm:.1g}, {ratio:,.0f} times smaller than at the output: each "
                          f"{kind} multiplies it by its slope ({slope}). ReLU, or skip edges "
                          f"into Sum nodes (preset deep-sigmoid-skip), keep it.", "activation"))
    return hints


def _loss_growth(losses) -> tuple[float, float, int] | None:
    """``(first, last, entries)`` if the loss's last entries grew: the median of their second
    half ``GROWTH`` times that of their first at least (medians: a mini-batch's loss is
    noisy)."""
    recent = np.asarray(losses[-GROWTH_WINDOW:], dtype=np.float64)
    if len(recent) < 5:
        return None
    half = len(recent) // 2
    with np.errstate(invalid="ignore", over="ignore"):
        first, last = float(np.median(recent[:half])), float(np.median(recent[half:]))
        rising = recent[-4:]
        if np.all(np.diff(rising) > 0) and rising[-1] > max(BLOW_UP * np.median(recent), 1):
            before = recent[:-len(rising)]  # (blowing up: said at once)
            first = float(np.median(before)) if len(before) else float(rising[0])
            return first, float(rising[-1]), len(rising)
    if not (first > 0 and last > GROWTH * first and last > first + GROWTH_BY):
        return None  # (NaN compares False; inf grows)
    if recent[-1] > recent[0]:  # the ends say it (else the medians)
        first, last = float(recent[0]), float(recent[-1])
    return first, last, len(recent)


def _dead_units(output: np.ndarray) -> tuple[int, int]:
    """How many of ``output``'s columns (units) are 0 at every row (point), and how many
    there are."""
    if output.ndim != 2 or not len(output):
        return 0, 0
    with np.errstate(invalid="ignore"):
        dead = int(np.sum(np.max(output, axis=0) <= 0))
    return dead, output.shape[1]


def _vanishing(network, steps: int) -> tuple[Node, float, float, str] | None:
    """``(node, norm, ratio, kind)`` if a node's gradient vanished in a stack of Sigmoid or
    Tanh nodes: the node of the smallest ‖dL/d output‖ (below ``VANISHING``, ``ratio`` times
    smaller than the output's), after a step."""
    squashing = [type(network.operators[n]).__name__ for n in network.order
                 if isinstance(network.operators[n], Sigmoid | Tanh)]
    if steps == 0 or len(squashing) < SQUASHING_STACK or network.output not in network.grads:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        norms = network.grad_norms()
    output = norms.get(network.output, math.nan)
    node, norm = min(((n, v) for n, v in norms.items() if n != network.input),
                     key=lambda item: item[1])
    if not (norm < VANISHING and output > VANISHING_RATIO * norm):
        return None
    kind = max(set(squashing), key=squashing.count)
    return node, norm, output / max(norm, 1e-300), kind


class Hints:
    """The hints the page shows: the first of those found that is not dismissed."""

    def __init__(self) -> None:
        self.found: list[Hint] = []
        self.dismissed: set[str] = set()

    def check(self, state: LabState, pictures: Pictures, grid: int = GRID) -> dict:
        """Look for hints in the lab now (the nodes' outputs over a ``grid`` × ``grid`` grid
        of the plane); the JSON of the one to show (``{}``: none)."""
        outputs = pictures.activations(grid) if state.network is not None else None
        self.update(find_hints(state, outputs))
        shown = self.shown
        return {} if shown is None else shown.as_json()

    def update(self, found: list[Hint]) -> None:
        self.found = found
        self.dismissed &= {hint.key for hint in found}  # (forgotten once it no longer holds)

    def dismiss(self, key: str) -> None:
        """The page's × on the hint ``key``: not shown while it holds."""
        if any(hint.key == key for hint in self.found):
            self.dismissed.add(key)

    @property
    def shown(self) -> Hint | None:
        return next((hint for hint in self.found if hint.key not in self.dismissed), None)
