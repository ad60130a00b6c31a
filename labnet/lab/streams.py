"""What the kernel sends the browser besides the widget's traits: frames and arrays, as custom
messages with binary buffers (``static/protocol.js`` describes each message).

Each function here builds one message, ``(content, buffers)``, from the lab as it is now; the
widget decides when to send it. ``Curves`` remembers what was sent, so each message carries only
the entries that are new (or that changed: a partial bucket at the end, an epoch's errors that
were computed since).
"""

from __future__ import annotations

import time

import numpy as np

from labnet.data import extent
from labnet.lab.blas import single_blas_thread
from labnet.lab.dataset import LabData
from labnet.lab.display import Display
from labnet.lab.jsonnumbers import json_number
from labnet.lab.nodes import INPUT
from labnet.lab.pictures import Pictures, edge_norms, to_bytes
from labnet.lab.state import LabState
from labnet.training import Trainer
from labnet.walkdisplay import MAX_ITEMS, heatmap_values
from labnet.walkthrough import Walk

Message = tuple[dict, list[bytes]]
EPOCH_SERIES = ("epoch_loss", "train_error", "test_loss", "test_error")


def boundary(pictures: Pictures, n: int, frame: int) -> Message:
    image = pictures.boundary(n)
    _, extent = pictures.grid(n)
    content = {"type": "boundary", "frame": frame, "n": n, "extent": list(extent),
               "sent": time.time(), **pictures.coding()}
    return content, [image.tobytes()]


def thumbs(state: LabState, display: Display, pictures: Pictures, n: int, frame: int
           ) -> Message:
    """Each node's thumbnail, and the gradient norms the graph and the bars show."""
    network = state.network
    found = pictures.units(n, display.units)
    nodes = [{"id": node, "unit": unit, **coding} for node, unit, _, coding in found]
    trained = state.trainer is not None and state.trainer.steps > 0
    with single_blas_thread():  # (dot products: BLAS threads waking up took ~5 ms a norm)
        # (no gradient yet after a Reset or an Open: the last backward was of other weights)
        norms = {str(node): json_number(value) for node, value in network.grad_norms().items()
                 } if trained else {}
        edges = [[src, dst, json_number(value)]
                 for (src, dst), value in edge_norms(network, display.edges).items()
                 ] if trained or display.edges != "gradient" else []
    content = {"type": "thumbs", "frame": frame, "n": n, "nodes": nodes, "grad_norms": norms,
               "edges": edges, "edge_mode": display.edges}
    return content, [b"".join(image.tobytes() for _, _, image, _ in found)]


def points(data: LabData) -> Message:
    """The points, and what each is: its class, or (a regression) its target as a byte from
    ``low`` (0) to ``high`` (255), on the scale the plane's values are painted with."""
    (x_train, labels_train), (x_test, labels_test) = data.train, data.test
    content = {"type": "points", "n_train": len(x_train), "n_test": len(x_test),
               "extent": list(extent(data.x_all)), "dataset": data.settings.dataset,
               "task": data.task, "classes": data.classes or 0}
    if data.classes is None:
        high = data.target_range
        content.update(low=-high, high=high)

        def coded(labels):
            return to_bytes(labels[:, 0], -high, high).tobytes()
    else:
        def coded(labels):
            return labels.astype(np.uint8).tobytes()
    return content, [x_train.astype("<f4").tobytes(), coded(labels_train),
                     x_test.astype("<f4").tobytes(), coded(labels_test)]


def unit_map(state: LabState, display: Display, pictures: Pictures, n: int) -> Message | None:
    """The unit of the node picked, over the plane, bigger than a thumbnail."""
    node, network = display.picked, state.network
    if node is None or network is None or (node != INPUT and node not in network.operators):
        return None
    unit = display.units.get(node, 0)
    image, low, high = pictures.unit_map(node, min(unit, network.widths[node] - 1), n)
    content = {"type": "unitmap", "node": node, "unit": unit, "n": n, "low": low, "high": high,
               "width": network.widths[node]}
    return content, [image.tobytes()]


WALK_MAP_ROWS, WALK_MAP_COLS = 16, 32
"""The corner of each of a walk's arrays drawn as a heatmap: at most this many rows and
columns (a big layer sends a few kilobytes a step, not its megabytes)."""


def walk_maps(walk: Walk | None) -> Message:
    """The arrays of the walk's current step, what it received then what it passed on, each as
    a heatmap of its corner (float32, at most WALK_MAP_ROWS × WALK_MAP_COLS)."""
    arrays, buffers = [], []
    if walk is not None:
        step = walk.current
        named = [("received", name, array) for name, array in step.received.items()]
        named += [("passed", name, array) for name, array in step.passed.items()]
        for role, name, array in named[:2 * MAX_ITEMS]:
            values = np.asarray(array, dtype=np.float64)
            corner = heatmap_values(values, WALK_MAP_ROWS, WALK_MAP_COLS)
            rows, cols = corner.shape
            arrays.append({"role": role, "name": name, "shape": list(values.shape),
                           "rows": rows, "cols": cols})
            # (little-endian, as the page reads; NaN and infinities too: the page greys them)
            buffers.append(corner.astype("<f4").tobytes())
    return {"type": "walkmaps", "index": None if walk is None else walk.position,
            "arrays": arrays}, buffers


class Curves:
    """The history's series, sent a few new entries at a time."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._trainer = None
        self._stride = None
        self._epoch_first = None  # the first entry of the epoch series sent
        self._sent: dict[str, int] = {}  # entries sent of each series
        self._settled: dict[str, int] = {}  # entries that will not change any more

    def message(self, trainer: Trainer | None) -> Message | None:
        """The entries of ``trainer``'s history not sent yet (all of them after a reset or a
        thinning of the history); None if nothing is new."""
        if trainer is None:
            return None
        history = trainer.history
        series = {"loss": history.step_loss, "step": _StepEnds(history)}
        for node, values in history.grad_norms.items():
            series[f"grad:{node}"] = values
        series["epoch"] = history.epoch_step
        for name in EPOCH_SERIES:
            if trainer.task == "regression" and name.endswith("_error"):
                continue  # (NaN: a regression has no error rate)
            series[name] = getattr(history, name)
        # thinned: the per-step series (the stride doubles) or the epoch series (they keep
        # every other entry, so their first changes: they may have grown back since)
        first = history.epoch_step[0] if history.epoch_step else None
        thinned = history.stride != self._stride or (
            self._epoch_first is not None and first != self._epoch_first)
        full = trainer is not self._trainer or thinned
        if full:
            self._trainer, self._stride, self._sent, self._settled = (
                trainer, history.stride, {}, {})
        self._epoch_first = first
        parts, buffers = [], []
        for name, values in series.items():
            length = len(values)
            # a per-step series' last entry may be a bucket still filling; an epoch's errors
            # are NaN until they are computed: those are sent again
            start = min(self._settled.get(name, 0), length)
            if not full and start >= length and self._sent.get(name) == length:
                continue
            new = np.asarray(values[start:], dtype="<f8")  # (little-endian, as the page reads)
            parts.append({"name": name, "start": start, "length": length - start})
            buffers.append(new.tobytes())
            self._sent[name] = length
            self._settled[name] = start + _settled(name, new)
        if not parts:
            return None
        content = {"type": "curves", "reset": full, "stride": history.stride,
                   "steps": trainer.steps, "epochs": trainer.epochs, "task": trainer.task,
                   "series": parts}
        return content, buffers


def _settled(name: str, values: np.ndarray) -> int:
    """How many entries of a series will not change: all but a per-step series' last (a
    bucket that may still fill), up to the first NaN of an epoch series."""
    if name in EPOCH_SERIES:
        missing = np.flatnonzero(np.isnan(values))
        return int(missing[0]) if missing.size else len(values)
    return max(len(values) - 1, 0)


class _StepEnds:
    """The step count at the end of each entry of the history's per-step series, as a
    sequence that makes only the entries asked for."""

    def __init__(self, history) -> None:
        self.history = history

    def __len__(self) -> int:
        return len(self.history.step_loss)

    def __getitem__(self, part: slice) -> np.ndarray:
        start, stop, _ = part.indices(len(self))
        history = self.history  # (as History.step_ends, for these entries only)
        ends = np.arange(start + 1, stop + 1, dtype=np.int64) * history.stride
        if stop == len(self) and len(ends):
            ends[-1] = history.steps
        return ends
