"""Helpers shared by the tests of training (``test_training``, ``test_history``,
``test_schedule``, ``test_divergence``): a small network, its data, a trainer, and a callback
that records what it is told."""

from __future__ import annotations

import labnet as ln


def small_net(seed=0):
    return ln.Sequential(ln.Linear(2, 8, rng=seed), ln.Tanh(), ln.Linear(8, 2, rng=seed + 1))


def disk_data(n=50, seed=0):
    return ln.disk(n, rng=seed)


def make_trainer(n=50, batch_size=10, seed=0, **kwargs):
    x, labels = disk_data(n)
    test = ln.disk(30, rng=99)
    return ln.Trainer(small_net(), data=(x, labels), test=test, batch_size=batch_size, rng=seed,
                      **kwargs)


class Recorder(ln.Callback):
    def __init__(self):
        self.events = []

    def on_step_end(self, trainer):
        self.events.append(("step", trainer.steps, trainer.lr))

    def on_epoch_end(self, trainer):
        self.events.append(("epoch", trainer.epochs, trainer.steps))
