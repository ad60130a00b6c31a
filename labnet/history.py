"""The history of training: what each step and each epoch measured, in bounded memory.

``History`` keeps per-step series (the loss of each mini-batch, each node's gradient norm) and
epoch series (the loss and error rates at each epoch's end). With a ``limit`` it never grows
past it however long training goes on: neighbouring entries are averaged in pairs. Its state
(``state_dict`` / ``from_state``) is plain values, checked throughout when read back (it may come
from a file).
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from labnet.errors import InputError
from labnet.network import Node


class History:
    """What training did: per-step series, epoch series, and (with a ``limit``) bounded memory.

    Per-step series: ``step_loss``, ``grad_norms[node]``, ``param_grad_norms[node]``. Without a
    limit they have one entry per step. With ``limit=L`` an entry stands for ``stride`` steps and
    holds their mean: when a series would grow past ``L`` entries, neighbours are averaged in
    pairs and ``stride`` doubles, and new steps fill a bucket of ``stride`` steps. The last
    entry may be a bucket still filling (its running mean), so the series always reach the
    current step: ``step_ends()`` is the step count at the end of each entry, and its last value
    is ``steps``, exactly.

    Gradient norms may be measured on some steps only (the trainer's ``norm_every``). An entry of
    a norm series is the mean of the norms measured during its steps, or, if none were, the
    last norms measured before. The trainer measures on the first step and every
    ``norm_every`` steps after (a power of two, as ``stride``), so an entry of at least
    ``norm_every`` steps is the mean of the norms of its first step and of every
    ``norm_every``-th step after it, and a shorter one the norms of the last step measured at or
    before its first. (The last entry, while it fills, averages what was measured so far.) A
    node first measured late, or steps recorded without norms, leave NaN.

    Epoch series (``epoch_step``, ``epoch_loss``, ``train_error``, ``test_loss``,
    ``test_error``) hold evaluations at exact moments, one per epoch; past ``L`` entries every
    other one is dropped (the later of each pair stays), so ``epoch_step`` remains their exact x.
    The test series stay empty until a test set is first seen, then have one entry per epoch
    (NaN for an epoch without one).
    """

    STEP_SERIES = ("step_loss", "grad_norms", "param_grad_norms")
    EPOCH_SERIES = ("epoch_step", "epoch_loss", "train_error", "test_loss", "test_error")

    def __init__(self, limit: int | None = None) -> None:
        self.limit = _check_limit(limit, "history limit")
        self.stride = 1
        """Steps per entry of the per-step series (a power of two)."""
        self.steps = 0
        """Steps recorded."""
        self.step_loss: list[float] = []
        """Loss of each mini-batch (mean over each entry's steps)."""
        self._grad_norms: dict[Node, list[float]] = {}
        self._param_grad_norms: dict[Node, list[float]] = {}
        self.epoch_step: list[int] = []
        """The number of steps done when each epoch ended."""
        self.epoch_loss: list[float] = []
        """Mean loss of the mini-batches of each epoch."""
        self.train_error: list[float] = []
        """Error rate on the whole training set at the end of each epoch."""
        self.test_loss: list[float] = []
        self.test_error: list[float] = []
        """Loss and error rate on the test set at the end of each epoch (empty without one)."""
        self._room = 0  # steps the last entry of the per-step series can still take
        self._measured = 0  # norm measurements in the last entry
        self._held: tuple[dict[Node, float], dict[Node, float]] | None = None  # last measured
        self._lag = 0  # entries that hold the last measured norms but are not written yet

    @property
    def grad_norms(self) -> dict[Node, list[float]]:
        """``{node: [||dL/d(output of node)||, one per entry]}``."""
        if self._lag:
            self._catch_up()
        return self._grad_norms

    @grad_norms.setter
    def grad_norms(self, value: dict[Node, list[float]]) -> None:
        self._catch_up()
        self._grad_norms = value

    @property
    def param_grad_norms(self) -> dict[Node, list[float]]:
        """``{node: [||dL/d(parameters of node)||, one per entry]}``, nodes with parameters."""
        if self._lag:
            self._catch_up()
        return self._param_grad_norms

    @param_grad_norms.setter
    def param_grad_norms(self, value: dict[Node, list[float]]) -> None:
        self._catch_up()
        self._param_grad_norms = value

    # -- recording ------------------------------------------------------------------------------
    def record_step(self, loss: float,
                    norms: tuple[dict[Node, float], dict[Node, float]] | None = None,
                    hold: bool = True) -> None:
        """One step: its loss and, if measured at this step, ``norms = (grad_norms,
        param_grad_norms)``. Without ``norms`` the last measured ones are kept (``hold=False``:
        the norm series get no value for this step)."""
        self.steps += 1
        if not self._room and self.limit is not None and len(self.step_loss) >= self.limit:
            self._halve()
        if self._room:  # the step joins the last entry: its running mean
            self._room -= 1
            last = self.step_loss[-1]
            self.step_loss[-1] = last + (loss - last) / (self.stride - self._room)
            if norms is not None:
                self._measure(norms, new_entry=False)
            return
        self._room = self.stride - 1
        self.step_loss.append(loss)
        if norms is not None:
            self._measure(norms, new_entry=True)
        elif hold and self._held is not None:
            self._measured = 0
            self._lag += 1  # written when next read or measured: a step costs only this
        elif self._lag:
            self._catch_up()

    def _catch_up(self) -> None:
        """Write the entries that hold the last measured norms."""
        if self._lag and self._held is not None:
            for series, values in zip((self._grad_norms, self._param_grad_norms), self._held,
                                      strict=True):
                for node, value in values.items():
                    series[node].extend([value] * self._lag)
        self._lag = 0

    def _measure(self, norms: tuple[dict[Node, float], dict[Node, float]],
                 new_entry: bool) -> None:
        if self._lag:
            self._catch_up()
        self._held = norms
        pairs = zip((self._grad_norms, self._param_grad_norms), norms, strict=True)
        if new_entry or self._measured == 0:  # (an entry holding old norms takes the new ones)
            self._measured = 1
            before = len(self.step_loss) - new_entry  # entries each series must have first
            for series, values in pairs:
                for node, value in values.items():
                    node_values = series.get(node)
                    if node_values is None or len(node_values) != before:
                        node_values = _pad(series, node, before)
                    if new_entry:
                        node_values.append(value)
                    else:
                        node_values[-1] = value
            return
        self._measured += 1
        count = self._measured
        for series, values in pairs:
            for node, value in values.items():
                node_values = series.get(node)
                if node_values is None:  # (a node measured for the first time mid-entry)
                    node_values = _pad(series, node, len(self.step_loss) - 1)
                    node_values.append(value)
                last = node_values[-1]
                node_values[-1] = last + (value - last) / count

    def _halve(self) -> None:
        """Average the per-step series in neighbouring pairs; an entry now stands for twice as
        many steps. With an odd number of entries the last one becomes a bucket half full."""
        self._catch_up()
        entries = len(self.step_loss)
        self.step_loss = _pair_means(self.step_loss)
        for series in (self._grad_norms, self._param_grad_norms):
            for node in series:
                series[node] = _pair_means(_pad(series, node, entries))
        self._room = self.stride if entries % 2 else 0
        self.stride *= 2

    def record_epoch(self, step: int, loss: float, train_error: float,
                     test_loss: float | None = None, test_error: float | None = None) -> None:
        """The end of an epoch, after ``step`` steps: the epoch's mean mini-batch loss and the
        errors measured then (``test_loss``, ``test_error``: None without a test set)."""
        if self.limit is not None and len(self.epoch_step) >= self.limit:
            self._thin_epochs()
        has_test = test_loss is not None
        if has_test and not self.test_loss and self.epoch_step:
            self.test_loss = [math.nan] * len(self.epoch_step)
            self.test_error = [math.nan] * len(self.epoch_step)
        self.epoch_step.append(int(step))
        self.epoch_loss.append(loss)
        self.train_error.append(train_error)
        if has_test or self.test_loss:
            self.test_loss.append(test_loss if has_test else math.nan)
            self.test_error.append(test_error if has_test else math.nan)

    def fill_epoch(self, step: int, train_error: float, test_loss: float | None = None,
                   test_error: float | None = None) -> bool:
        """Fill in the errors of the epoch that ended at ``step``, measured later (a trainer
        made with ``evaluate_epochs=False`` records NaN, and its user computes them apart, on
        the weights of that moment). False if the history no longer has that epoch (thinned
        since)."""
        index = bisect.bisect_left(self.epoch_step, step)
        if index == len(self.epoch_step) or self.epoch_step[index] != step:
            return False
        self.train_error[index] = train_error
        if test_loss is not None and index < len(self.test_loss):
            self.test_loss[index], self.test_error[index] = test_loss, test_error
        return True

    def _thin_epochs(self) -> None:
        """Keep every other entry of the epoch series: the later of each pair (and an odd last
        one), so their x stay exact."""
        for name in self.EPOCH_SERIES:
            values = getattr(self, name)
            setattr(self, name, values[1::2] + values[-1:] * (len(values) % 2))

    # -- reading --------------------------------------------------------------------------------
    def step_ends(self) -> np.ndarray:
        """The x of the per-step series: the step count at the end of each entry (int64). The
        last is ``steps``; the others are multiples of ``stride``."""
        ends = np.arange(1, len(self.step_loss) + 1, dtype=np.int64) * self.stride
        if len(ends):
            ends[-1] = self.steps
        return ends

    def as_dict(self) -> dict:
        """The series by name (live lists)."""
        return {name: getattr(self, name) for name in (*self.STEP_SERIES, *self.EPOCH_SERIES)}

    # -- saving ---------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything, as plain values (lists; node series as ``[node, values]`` pairs)."""
        series = {name: ([[node, list(values)] for node, values in value.items()]
                         if isinstance(value, dict) else list(value))
                  for name, value in self.as_dict().items()}
        held = None if self._held is None else [[[node, value] for node, value in part.items()]
                                                for part in self._held]
        return {"limit": self.limit, "stride": self.stride, "steps": self.steps,
                "room": self._room, "measured": self._measured, "held": held, "series": series}

    @classmethod
    def from_state(cls, state: dict, limit: int | None = None) -> History:
        """A History from ``state_dict()``, checked throughout (an ``InputError`` names the part
        that is wrong). A state of the older layout (the series alone) is read as one entry per
        step, then bounded by ``limit``."""
        if not isinstance(state, dict):
            raise InputError(f"history state: expected a dict, got {type(state).__name__}")
        if "series" not in state:  # the older layout: series only, one entry per step
            steps = state.get("step_loss", [])
            history = cls.from_state({
                "limit": None, "stride": 1,
                "steps": len(steps) if isinstance(steps, list | tuple) else 0,
                "room": 0, "measured": 0, "held": None, "series": state})
            history.limit = _check_limit(limit, "history limit")
            while history.limit is not None and len(history.step_loss) > history.limit:
                history._halve()
            while history.limit is not None and len(history.epoch_step) > history.limit:
                history._thin_epochs()
            return history
        unknown = set(state) - {"limit", "stride", "steps", "room", "measured", "held", "series"}
        if unknown:
            raise InputError(f"history state: unknown part(s) {sorted(unknown)}")
        history = cls(_check_limit(state.get("limit"), "history state: limit"))
        stride = _check_count(state.get("stride"), "stride", low=1)
        if stride & (stride - 1):
            raise InputError(f"history state: stride must be a power of two, got {stride}")
        steps = _check_count(state.get("steps"), "steps")
        room = _check_count(state.get("room"), "room")
        measured = _check_count(state.get("measured"), "measured")
        series = state.get("series")
        if not isinstance(series, dict):
            raise InputError("history state: 'series' must be a dict of series")
        for name, value in series.items():
            if name not in cls.STEP_SERIES + cls.EPOCH_SERIES:
                raise InputError(f"history state: unknown history series {name!r}")
            setattr(history, name, _read_series(name, value, name in ("grad_norms",
                                                                      "param_grad_norms")))
        entries = len(history.step_loss)
        if room >= stride or (entries == 0 and (steps or room)) or (
                entries and steps != entries * stride - room):
            raise InputError(f"history state: {entries} entries of {stride} step(s) with room "
                             f"for {room} more do not make {steps} steps")
        if history.limit is not None and entries > history.limit:
            raise InputError(f"history state: step_loss has {entries} entries, more than its "
                             f"limit {history.limit}")
        for name in ("grad_norms", "param_grad_norms"):
            for node, values in getattr(history, name).items():
                if len(values) > entries:
                    raise InputError(f"history state: {name}[{node!r}] has {len(values)} "
                                     f"entries, step_loss {entries}")
        lengths = {name: len(getattr(history, name)) for name in cls.EPOCH_SERIES}
        if {lengths[name] for name in cls.EPOCH_SERIES[:3]} != {lengths["epoch_step"]} or (
                {lengths["test_loss"], lengths["test_error"]} - {0, lengths["epoch_step"]}):
            raise InputError(f"history state: the epoch series have different lengths "
                             f"{lengths}")
        held = state.get("held")
        if held is not None:
            if not (isinstance(held, list | tuple) and len(held) == 2):
                raise InputError("history state: 'held' must be two lists of [node, norm]")
            held = tuple(dict(_read_pairs(part, "held")) for part in held)
            for name, part in zip(("grad_norms", "param_grad_norms"), held, strict=True):
                if set(part) != set(getattr(history, name)):  # the nodes whose norms it holds
                    raise InputError(f"history state: 'held' has norms of nodes "
                                     f"{sorted(map(str, part))}, {name} of "
                                     f"{sorted(map(str, getattr(history, name)))}")
                if not all(_is_number(value) for value in part.values()):
                    raise InputError("history state: 'held' norms must be numbers")
        if limit is not None and (history.limit is None or history.limit > limit):
            raise InputError(f"history state: its limit {history.limit} is more than this "
                             f"trainer's {limit}")
        history.stride, history.steps, history._room = stride, steps, room
        history._measured, history._held = measured, held
        return history


def _check_limit(limit, what: str) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 2:
        raise InputError(f"{what} must be an integer >= 2 (or None), got {limit!r}")
    return int(limit)


def _check_count(value, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InputError(f"history state: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _read_pairs(pairs, name: str) -> list[tuple]:
    if not isinstance(pairs, list | tuple) or not all(
            isinstance(pair, list | tuple) and len(pair) == 2 for pair in pairs):
        raise InputError(f"history state: {name} must be a list of [node, values] pairs")
    return [tuple(pair) for pair in pairs]


def _read_series(name: str, value, by_node: bool):
    if by_node:
        return {node: _read_values(f"{name}[{node!r}]", values)
                for node, values in _read_pairs(value, name)}
    return _read_values(name, value)


def _read_values(name: str, values) -> list:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"history state: {name} must be a list of numbers") from None
    if array.ndim != 1:
        raise InputError(f"history state: {name} must be a list of numbers, got shape "
                         f"{array.shape}")
    if name == "epoch_step":
        if not (np.isfinite(array).all() and np.all(array == np.round(array))):
            raise InputError("history state: epoch_step must be a list of whole numbers")
        return array.astype(np.int64).tolist()
    return array.tolist()


def _is_number(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool)


def _pad(series: dict[Node, list[float]], node: Node, length: int) -> list[float]:
    """``series[node]``, made ``length`` long with NaN (entries before the node was first
    measured, or recorded without norms)."""
    values = series.setdefault(node, [])
    if len(values) < length:
        values.extend([math.nan] * (length - len(values)))
    return values


def _pair_means(values: list[float]) -> list[float]:
    """``values`` averaged in neighbouring pairs (an odd last value stays as it is)."""
    array = np.asarray(values, dtype=float)
    whole = len(array) // 2 * 2
    return [*((array[:whole:2] + array[1:whole:2]) / 2).tolist(), *array[whole:].tolist()]
