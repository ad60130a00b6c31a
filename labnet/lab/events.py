"""What the lab's parts tell those who watch them: one event per change, after the change.

The state (``labnet.lab.state``) says what changed: the graph, the data, the settings, the
weights, the scores. The player (``labnet.lab.play``) says when play starts, when a turn of its
loop ends, and when it stops, and why. The widget (``labnet.lab.widget``) watches both and sends
the page what changed; neither knows the widget.
"""

from __future__ import annotations

from dataclasses import dataclass


# -- the state's ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class GraphChanged:
    """The graph was edited; ``new_network``: training starts over on a new network."""

    new_network: bool


@dataclass(frozen=True)
class DataChanged:
    """New data (training goes on, on the new data)."""


@dataclass(frozen=True)
class SettingsChanged:
    """The training settings changed."""


@dataclass(frozen=True)
class Trained:
    """Training steps were taken (``steps`` of them); ``reset``: the history starts over."""

    steps: int
    reset: bool = False


@dataclass(frozen=True)
class WeightsChanged:
    """A weight was set by hand, or put back by undo or redo (training goes on from it)."""


@dataclass(frozen=True)
class Scored:
    """New loss and error rates on the training and test sets (``Scorer.latest``)."""


StateEvent = GraphChanged | DataChanged | SettingsChanged | Trained | WeightsChanged | Scored


# -- the player's --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Played:
    """Play started."""


@dataclass(frozen=True)
class Turned:
    """A turn of the play loop ended at ``now`` (``time.perf_counter()``): what is due is sent
    now, before the loop trains again."""

    now: float


@dataclass(frozen=True)
class Stopped:
    """Play stopped. ``reason``: why, when it was not Pause (said in the lab); ``error``: the
    reason is a fault; ``traceback``: of our own bug, kept for a report."""

    reason: str | None = None
    error: bool = False
    traceback: str | None = None


PlayEvent = Played | Turned | Stopped
Event = StateEvent | PlayEvent
