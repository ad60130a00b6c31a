"""A learning-rate schedule: warm-up, then decay to zero, set after every step."""

from __future__ import annotations

import math

from labnet.errors import InputError, check_lr, check_number, check_positive_int, short_repr
from labnet.training import Callback, Trainer


class LRSchedule(Callback):
    """Sets the learning rate after every step, from the epochs done so far, ``e``.

    Decay over ``epochs`` epochs, with ``p = e / epochs``: ``kind="cosine"`` multiplies the
    rate by ``(1 + cos πp) / 2``, ``"linear"`` by ``1 - p``, ``"constant"`` by 1. Warm-up: over
    the first ``warmup`` epochs the rate also rises linearly from a tenth of its value, so the
    first steps, taken from random weights where the gradients can be large, are small.

    ``lr`` is the rate the schedule starts from (before warm-up); by default the trainer's rate
    when the first step ends. Give it (and ``Trainer(..., lr=schedule.lr_at(0))``) to warm up
    from the very first step.
    """

    def __init__(self, epochs: int, kind: str = "cosine", *, lr: float | None = None,
                 warmup: float = 0.0) -> None:
        if kind not in ("cosine", "linear", "constant"):
            raise InputError(f"LRSchedule: kind must be 'cosine', 'linear' or 'constant', got "
                             f"{kind!r}")
        epochs = check_positive_int(epochs, "LRSchedule: epochs")
        try:
            warmup = check_number(warmup, "warmup", low=0.0)
        except InputError:
            raise InputError(f"LRSchedule: warmup must be a number of epochs >= 0, got "
                             f"{short_repr(warmup)}") from None
        self.epochs, self.kind, self.warmup = epochs, kind, warmup
        self.start_lr: float | None = None if lr is None else check_lr(lr)

    def factor(self, epoch: float) -> float:
        """What the starting rate is multiplied by after ``epoch`` epochs (2.5: half-way
        through the third)."""
        factor = 1.0
        if epoch < self.warmup:
            factor *= 0.1 + 0.9 * epoch / self.warmup
        progress = min(max(epoch / self.epochs, 0.0), 1.0)
        if self.kind == "cosine":
            factor *= 0.5 * (1.0 + math.cos(math.pi * progress))
        elif self.kind == "linear":
            factor *= 1.0 - progress
        return factor

    def lr_at(self, epoch: float) -> float:
        """The learning rate after ``epoch`` epochs."""
        if self.start_lr is None:
            raise InputError("LRSchedule: no starting rate yet; give lr=, or train one step")
        return self.start_lr * self.factor(epoch)

    def on_step_end(self, trainer: Trainer) -> None:
        if self.start_lr is None:
            self.start_lr = trainer.lr
        trainer.lr = self.lr_at(trainer.epochs + trainer.epoch_progress)
