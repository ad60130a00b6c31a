"""What the lab's state tells its listeners: one event per change, after the change is made."""

from __future__ import annotations

from dataclasses import dataclass


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
class Scored:
    """New loss and error rates on the training and test sets (``Scorer.latest``)."""


Event = GraphChanged | DataChanged | SettingsChanged | Trained | Scored
