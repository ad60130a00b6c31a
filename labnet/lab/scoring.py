"""Loss and error rates on the whole training and test sets, computed in slices.

On a data set of 100,000 points one evaluation takes tens of milliseconds: too long for Pause
to wait for. So the lab's trainer leaves the errors of each epoch as NaN (``Trainer(...,
evaluate_epochs=False)``), and the ``Scorer`` computes them on a copy of the weights taken when
the epoch ended (a ``Twin`` network), a slice at a time, while training goes on.
"""

from __future__ import annotations

import copy
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from labnet.lab.blas import single_blas_thread
from labnet.lab.cost import Speed, multiply_adds
from labnet.lab.events import Scored, StateEvent
from labnet.losses import predict_labels
from labnet.network import Network
from labnet.training import Callback, Trainer

CHUNK = 4096
"""Points evaluated in one slice at most (a few milliseconds on the seed network)."""
SLICE = 0.002
"""Seconds one slice takes, about: on a wide network, a slice is fewer points..."""
SMALLEST_CHUNK = 32
"""...but this many at least: a forward pass reads every weight however few the points (on the
widest network, 32 points take some 50 ms, one point nearly as long)."""


class Twin:
    """A copy of a network whose weights are copied over from the original on ``sync()``:
    to compute on without disturbing the original (what its modules keep for backward, or a
    walk under way), and in another dtype (float32 makes pictures faster)."""

    def __init__(self, dtype=np.float64) -> None:
        self.dtype = np.dtype(dtype)
        self.original: Network | None = None
        self.network: Network | None = None
        self._weights: list[np.ndarray] | None = None  # the saved weights it has

    def sync(self, original: Network, weights: list[np.ndarray] | None = None) -> Network:
        """The twin of ``original`` with its current weights (or ``weights``, a list of
        arrays in ``original.params()`` order, saved and left as they are: copied once)."""
        if original is not self.original:
            # (its gradients are not copied: a twin only computes forward; for the widest
            # network that is half a gigabyte less to copy)
            memo = {id(grad): np.zeros(0, grad.dtype) for _, grad in original.params()}
            twin = copy.deepcopy(original, memo)
            twin.outputs, twin.grads = {}, {}
            if twin.dtype != self.dtype:
                twin.astype(self.dtype)
            self.original, self.network, self._weights = original, twin, None
        elif weights is not None and weights is self._weights:
            return self.network  # (a wide network's weights take a while to copy)
        self._weights = weights
        source = weights if weights is not None else [value for value, _ in original.params()]
        with np.errstate(over="ignore"):  # (weights past float32's range: inf, as they are)
            for (value, _), new in zip(self.network.params(), source, strict=True):
                np.copyto(value, new, casting="same_kind")
        return self.network


@dataclass(eq=False)
class _Job:
    """One evaluation: the weights it is of, the sums so far, where it is."""

    weights: list[np.ndarray]
    step: int
    epoch: bool  # the end of an epoch (its errors go into the history) or just "now"
    shown: bool = True  # its scores become ``latest`` too (not once ``clear`` was called:
    # a weight set by hand since, at the same step, is not in its copy of the weights)
    sums: dict[str, float] = field(default_factory=dict)
    position: int = 0  # points done, over the training set then the test set


class Scorer(Callback):
    """The lab's evaluations of its trainer's network: those the history waits for at the end of
    each epoch, and the latest scores for the status line (``latest``, with the step they are
    of). Each evaluation finished is told with a ``Scored`` event to ``emit``."""

    def __init__(self, emit: Callable[[StateEvent], None]) -> None:
        self.emit = emit
        self.trainer: Trainer | None = None
        self.latest: dict[str, float] | None = None
        self._jobs: deque[_Job] = deque()
        self._twin = Twin()
        self.speed = Speed()

    def clear(self) -> None:
        """The data, the settings or a weight changed: scores computed so far are of something
        else (what the history waits for is still computed, on the new data, but for the history
        only: the status waits for the scores of the weights as they are)."""
        self.latest = None
        self._jobs = deque(job for job in self._jobs if job.epoch)
        for job in self._jobs:
            job.sums, job.position, job.shown = {}, 0, False  # (for the history only)

    def reset(self, trainer: Trainer | None) -> None:
        """A new trainer (a new network, or Reset): nothing computed or waiting is of it, and
        the history the epochs' jobs would fill in is gone."""
        self.trainer = trainer
        self.latest = None
        self._jobs = deque()

    # -- the trainer's callback -------------------------------------------------------------------
    def on_epoch_end(self, trainer: Trainer) -> None:
        self._jobs.append(_Job([value.copy() for value, _ in trainer.net.params()],
                               trainer.steps, epoch=True))

    # -- doing the work ---------------------------------------------------------------------------
    @property
    def pending(self) -> bool:
        return bool(self._jobs)

    def request(self) -> None:
        """Ask for the scores of the weights as they are now (done by ``advance``)."""
        trainer = self.trainer
        if trainer is not None and not any(not job.epoch for job in self._jobs):
            self._jobs.append(_Job([v.copy() for v, _ in trainer.net.params()], trainer.steps,
                                   epoch=False))

    def advance(self, seconds: float) -> bool:
        """Work on the evaluations waiting for about ``seconds``; True if one was finished."""
        deadline = time.perf_counter() + seconds
        finished = False
        while self._jobs and (not finished or time.perf_counter() < deadline):
            if self._work(self._jobs[0]):
                self._finish(self._jobs.popleft())
                finished = True
            if time.perf_counter() >= deadline:
                break
        return finished

    def finish(self, epochs_only: bool = False, within: float | None = None) -> None:
        """Finish every evaluation waiting (at once); ``epochs_only``: those the history waits
        for (the status's can go on a slice at a time); ``within``: only if that takes about
        so many seconds at most (else they are left to ``advance``)."""
        if within is not None and self.seconds_left(epochs_only) > within:
            return
        while True:  # (finishing one tells the listeners, who may ask for scores: look again)
            job = next((job for job in self._jobs if job.epoch or not epochs_only), None)
            if job is None:
                return
            while not self._work(job):
                pass
            self._jobs.remove(job)
            self._finish(job)

    def work_left(self) -> int:
        """How many points ``now()`` would evaluate: those of the jobs waiting, and all of them
        again if the latest scores are not of the weights as they are now."""
        trainer = self.trainer
        if trainer is None:
            return 0
        total = len(trainer.x) + (0 if trainer.test is None else len(trainer.test[1]))
        left = sum(total - job.position for job in self._jobs)
        if not any(job.shown and job.step == trainer.steps for job in self._jobs) and (
                self.latest is None or self.latest["step"] != trainer.steps):
            left += total
        return left

    def seconds_left(self, epochs_only: bool = False) -> float:
        """About how long finishing the evaluations waiting takes (``epochs_only``: those the
        history waits for; else all that ``now()`` does)."""
        trainer = self.trainer
        if trainer is None:
            return 0.0
        if epochs_only:
            total = len(trainer.x) + (0 if trainer.test is None else len(trainer.test[1]))
            points = sum(total - job.position for job in self._jobs if job.epoch)
        else:
            points = self.work_left()
        return self.speed.seconds(points, trainer.net)

    def now(self) -> dict[str, float]:
        """The scores of the weights as they are now, computed at once."""
        trainer = self.trainer
        if trainer is None:
            return {}
        self.finish()
        if self.latest is None or self.latest["step"] != trainer.steps:
            self.request()
            self.finish()
        return dict(self.latest)

    def _work(self, job: _Job) -> bool:
        """One slice of ``job``; True when it is complete."""
        trainer = self.trainer
        sets = [("train", trainer.x, trainer.labels)]
        if trainer.test is not None:
            sets.append(("test", *trainer.test))
        start = job.position
        for name, x, labels in sets:
            if start < len(x):
                network = self._twin.sync(trainer.net, job.weights)
                chunk = min(CHUNK, max(SMALLEST_CHUNK,
                                       self.speed.points_within(SLICE, network)))
                stop = min(start + chunk, len(x))
                self._add(job, name, network, x[start:stop], labels[start:stop])
                job.position += stop - start
                return job.position >= sum(len(s[1]) for s in sets)
            start -= len(x)
        return True

    def _add(self, job: _Job, name: str, network: Network, x, labels) -> None:
        start = time.perf_counter()
        with single_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
            output = network.forward(x)
        self.speed.measured(len(x) * multiply_adds(network), time.perf_counter() - start)
        with np.errstate(over="ignore", invalid="ignore"):
            # (a loss of the trainer's kind, not the trainer's own: a walk may be using it)
            loss = type(self.trainer.loss)().forward(output, labels)
            # (targets: a regression has no error rate)
            wrong = float(np.sum(predict_labels(output) != labels)) if labels.ndim == 1 else (
                math.nan)
        job.sums[f"{name}_loss"] = job.sums.get(f"{name}_loss", 0.0) + loss * len(x)
        job.sums[f"{name}_wrong"] = job.sums.get(f"{name}_wrong", 0.0) + wrong

    def _finish(self, job: _Job) -> None:
        trainer = self.trainer
        scores = {"step": job.step}
        for name, labels in (("train", trainer.labels),
                             ("test", None if trainer.test is None else trainer.test[1])):
            if labels is None or not len(labels):
                continue
            scores[f"{name}_loss"] = job.sums.get(f"{name}_loss", math.nan) / len(labels)
            scores[f"{name}_error"] = job.sums.get(f"{name}_wrong", math.nan) / len(labels)
        if job.epoch:  # (unless the history has been thinned past it meanwhile)
            trainer.history.fill_epoch(job.step, scores["train_error"], scores.get("test_loss"),
                                       scores.get("test_error"))
        if job.shown and (self.latest is None or job.step >= self.latest["step"]):
            self.latest = scores
        self.emit(Scored())
