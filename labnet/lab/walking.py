"""The walk through one training step, as the lab runs it: which walk a gesture starts (the
trainer's next mini-batch, or one training point alone), which point a click on the plane
picks, and whether a walk's end was a training step.

``labnet.walkthrough.Walk`` does the walking; ``Lab.start_walk``, ``walk_next``, ``walk_back``,
``walk_to``, ``finish_walk``, ``pick_sample`` and ``end_walk`` are the gestures.
"""

from __future__ import annotations

import numbers

import numpy as np

from labnet.errors import InputError, check_number, short_repr
from labnet.lab.dataset import MAX_COORDINATE, LabData
from labnet.training import Trainer
from labnet.walkthrough import Walk


def new_walk(trainer: Trainer, sample: int | None = None, *, train: bool = True,
             scaling: tuple[np.ndarray, np.ndarray] | None = None) -> Walk:
    """A walk through ``trainer``'s next mini-batch (finishing it is one training step, unless
    not ``train``: then its update, of plain gradient descent at the trainer's rate, is only
    shown), or, with ``sample=i``, through training point ``i`` alone (its update only
    shown); ``scaling``: the ``(mean, std)`` the trainer's inputs were standardised with, if
    they were (``LabData.standardisation``)."""
    if sample is not None and (isinstance(sample, bool) or not isinstance(
            sample, numbers.Integral)):
        raise InputError(f"the point to walk must be the number of a training point, got "
                         f"{short_repr(sample)}")
    if sample is None and not train:
        x, target = trainer.next_batch()  # (the trainer does not move)
        return Walk(trainer.net, trainer.loss, x, target, lr=trainer.lr, train=False,
                    scaling=scaling)
    return Walk.from_trainer(trainer, sample=None if sample is None else int(sample),
                             scaling=scaling)


def makes_the_update(walk: Walk, index: int) -> bool:
    """Whether moving ``walk``'s cursor to step ``index`` (negative: from the end) makes its
    update, a training step (not made yet, not only shown)."""
    last = len(walk) - 1
    return walk.train and len(walk.steps) <= last and isinstance(index, numbers.Integral) and (
        -len(walk) <= index <= last) and int(index) % len(walk) == last


def nearest_training_point(data: LabData, x1: float, x2: float) -> int:
    """The index of the training point nearest to ``(x1, x2)`` (coordinates of the plane)."""
    x1 = check_number(x1, "the point picked's x1")
    x2 = check_number(x2, "the point picked's x2")
    # (points lie within ±MAX_COORDINATE: a click beyond picks the point it would there, and
    # its squares do not overflow)
    x1, x2 = (min(max(v, -MAX_COORDINATE), MAX_COORDINATE) for v in (x1, x2))
    points = data.train[0]
    distances = (points[:, 0] - x1) ** 2 + (points[:, 1] - x2) ** 2
    return int(np.argmin(distances))


def sample_point(data: LabData, walk: Walk) -> dict | None:
    """Where the point a one-sample walk walks lies on the plane, and its class (None for a
    walk through a mini-batch)."""
    if walk.sample is None:
        return None
    (points, labels) = data.train
    if walk.sample >= len(points):  # (the data changed: the walk ends with the next event)
        return None
    x1, x2 = (float(v) for v in points[walk.sample])
    return {"x1": x1, "x2": x2, "label": np.ravel(labels[walk.sample])[0].item()}


def was_a_training_step(walk: Walk) -> bool:
    """Whether ``walk`` has made its update: a walk at its end whose update is made, not
    only shown (a one-sample walk leaves the network as it was)."""
    return walk.done and walk.train
