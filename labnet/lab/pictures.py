"""The lab's pictures as NumPy arrays: what the browser paints, and what an exported picture shows.

Everything here is a pure function of the lab's state (no widgets, no drawing library): what the
network says over a grid of the plane, each node's output over a smaller grid, the gradient
norms along the graph's edges, colour maps. A float32 ``Twin`` of the network computes them, so
the network being trained (and a walk through it) is never disturbed.

What the network says over the plane is one byte a grid point, coded one of three ways (the
page colours each its own way): ``"score"``, two classes, how much it leans to class 1 (0 to
255, 128 on the boundary); ``"classes"``, more classes, the class it picks and how sure it is
(``class · 32 + level``, level 0 unsure to 31 sure); ``"value"``, a regression's prediction (or
a unit's output) from ``low`` (0) to ``high`` (255).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator

import numpy as np

from labnet.colours import BOUNDARY_STOPS, CLASS_COLOURS
from labnet.data import extent
from labnet.lab.blas import single_blas_thread
from labnet.lab.cost import Speed, multiply_adds
from labnet.lab.nodes import INPUT
from labnet.lab.scoring import Twin
from labnet.lab.state import LabState
from labnet.modules import Linear
from labnet.network import Network, Node

SCORE, CLASSES, VALUE = "score", "classes", "value"
"""How a picture's bytes are coded (see above)."""
LEVELS = 32
"""How sure the network is of a class, in levels (``"classes"``: 8 classes × 32 = 256)."""
GRADIENT_STOPS = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
"""Colour stops of the gradient norm, from the smallest shown to the largest (YlOrRd)."""
GRADIENT_DECADES = 4
"""The gradient colours span this many decades below the largest norm."""
BLOCK = 2048
"""Grid points computed in one forward pass."""


def plane(data_points: np.ndarray, n: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """``(points, extent)``: the centres of an ``n × n`` grid over the plane the data lie in,
    row by row from the top (the largest x₂) down, as an image is stored."""
    x1_low, x1_high, x2_low, x2_high = extent(data_points)
    half1 = (x1_high - x1_low) / (2 * n)
    half2 = (x2_high - x2_low) / (2 * n)
    xs = np.linspace(x1_low + half1, x1_high - half1, n)
    ys = np.linspace(x2_high - half2, x2_low + half2, n)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()]), (x1_low, x1_high, x2_low, x2_high)


def to_bytes(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """``values`` from ``low`` to ``high`` as uint8 0 to 255 (NaN: the middle)."""
    span = high - low if high > low else 1.0
    scaled = np.nan_to_num((values - low) * (255.0 / span), nan=127.5, posinf=255.0, neginf=0.0)
    return np.clip(scaled + 0.5, 0, 255).astype(np.uint8)


def class_bytes(output: np.ndarray, cross_entropy: bool) -> np.ndarray:
    """For each row of an ``(n, k)`` network output, the class it picks and how sure it is, as
    ``class · LEVELS + level`` (uint8). How sure: the winner's lead over the runner-up, in
    softmax probabilities with cross-entropy, in outputs with MSE (1, the one-hot targets' gap,
    is sure); level 0 where the two tie (or the output is not finite: white, as on a
    boundary), ``LEVELS - 1`` where it is sure. With two classes this is how far the
    ``"score"`` is from ½, twice over."""
    k = output.shape[1]
    finite = np.isfinite(output).all(axis=1)
    safe = np.where(finite[:, None], output, 0.0)
    if cross_entropy:  # softmax, row by row
        with np.errstate(over="ignore", under="ignore"):
            safe = np.exp(np.maximum(safe - safe.max(axis=1, keepdims=True), -60.0))
        safe /= safe.sum(axis=1, keepdims=True)
    top_two = np.partition(safe, (k - 2, k - 1), axis=1)[:, k - 2:]
    lead = top_two[:, 1] - top_two[:, 0]
    level = np.where(finite, np.rint(np.clip(lead, 0.0, 1.0) * (LEVELS - 1)), 0)
    return (safe.argmax(axis=1) * LEVELS + level).astype(np.uint8)


def hex_rgb(colour: str) -> np.ndarray:
    """``"#f59322"`` as RGB floats from 0 to 1."""
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def colour_table(coding: dict) -> np.ndarray:
    """``(256, 3)`` RGB floats from 0 to 1: the colour of each byte of a picture coded as
    ``coding`` says (the page builds the same table from the same stops): the boundary's stops
    from 0 to 255 (``"score"``, ``"value"``), or each class's colour faded to white as the
    network is less sure (``"classes"``)."""
    if coding["code"] == CLASSES:
        white = np.ones(3)
        table = np.ones((256, 3))
        for byte in range(min(256, len(CLASS_COLOURS) * LEVELS)):
            sure = (byte % LEVELS) / (LEVELS - 1)
            table[byte] = white + sure * (hex_rgb(CLASS_COLOURS[byte // LEVELS]) - white)
        return table
    stops = np.array([hex_rgb(colour) for colour in BOUNDARY_STOPS])
    at = np.linspace(0, len(stops) - 1, 256)
    return np.column_stack([np.interp(at, np.arange(len(stops)), stops[:, c]) for c in range(3)])


def symmetric_range(values: np.ndarray) -> tuple[float, float]:
    """``(-m, m)`` with ``m`` the largest finite magnitude (at least 1e-9)."""
    finite = values[np.isfinite(values)]
    m = float(np.max(np.abs(finite))) if finite.size else 1.0
    m = max(m, 1e-9)
    return -m, m


class Pictures:
    """The pictures of one lab, from a float32 twin of its network. The grids of the plane,
    as the network sees them, are made once per data and size."""

    def __init__(self, state: LabState) -> None:
        self.state = state
        self.speed = Speed()
        self._twin = Twin(np.float32)
        self._holding = False
        self._held: Network | None = None  # the twin, synced once while held
        self._grids: dict[tuple, tuple[np.ndarray, tuple, np.ndarray]] = {}

    def grid(self, n: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """The grid of ``plane`` for the data shown now (kept until the data change)."""
        points, extent, _ = self._grid(n)
        return points, extent

    def _grid(self, n: int) -> tuple[np.ndarray, tuple, np.ndarray]:
        data, features = self.state.data, self.state.features
        key = (id(data), features, n)
        if key not in self._grids:
            self._grids = {k: v for k, v in self._grids.items() if k[:2] == key[:2]}
            points, extent = plane(data.x_all, n)
            self._grids[key] = (points, extent,
                                data.network_input(points, features).astype(np.float32))
        return self._grids[key]

    def _outputs(self, n: int, node=None) -> tuple[Network, np.ndarray]:
        """The twin network, and ``node``'s output (default: the output) over the grid."""
        network = self._held or self._twin.sync(self.state.require_network())
        if self._holding:
            self._held = network
        node = network.output if node is None else node
        _, _, x = self._grid(n)
        start = time.perf_counter()
        with single_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
            if len(x) <= BLOCK:
                network.forward(x)
                output = network.outputs[node]
            else:
                blocks = []  # blocks that stay in the processor's cache are faster
                for first in range(0, len(x), BLOCK):
                    network.forward(x[first:first + BLOCK])
                    blocks.append(network.outputs[node])
                output = np.concatenate(blocks)
        self.speed.measured(len(x) * multiply_adds(network), time.perf_counter() - start)
        return network, output

    @contextlib.contextmanager
    def weights_held(self) -> Iterator[None]:
        """Inside, the weights do not change: the pictures made copy them once (a wide
        network's take tens of milliseconds to copy)."""
        self._holding, self._held = True, None
        try:
            yield
        finally:
            self._holding, self._held = False, None

    def side_within(self, seconds: float, largest: int, smallest: int) -> int:
        """The side of the finest grid, from ``smallest`` to ``largest``, whose picture takes
        about ``seconds`` (a wide network gets a coarse picture, not a slow one)."""
        return self.speed.side_within(seconds, self.state.require_network(), largest, smallest)

    def coding(self) -> dict:
        """How the pictures of what the network says are coded now: ``{"code", "low",
        "high", "classes"}`` (see the module's docstring)."""
        data = self.state.data
        if data.classes is None:
            high = data.target_range
            return {"code": VALUE, "low": -high, "high": high, "classes": 0}
        if data.classes == 2:
            return {"code": SCORE, "low": 0.0, "high": 1.0, "classes": 2}
        return {"code": CLASSES, "low": 0.0, "high": 1.0, "classes": data.classes}

    def says(self, output: np.ndarray, coding: dict) -> np.ndarray:
        """What the network ``output`` says over the plane, as bytes coded as ``coding``."""
        if coding["code"] == SCORE:
            return to_bytes(self.state.class_one_score(output), 0.0, 1.0)
        if coding["code"] == CLASSES:
            return class_bytes(output, self.state.training.loss == "cross-entropy")
        return to_bytes(output[:, 0], coding["low"], coding["high"])

    def boundary(self, n: int) -> np.ndarray:
        """What the network says over an ``n × n`` grid, rows from the top, coded as
        ``coding()`` says (two classes: 0 for class 0 for sure, 255 for class 1, 128 on the
        boundary)."""
        _, output = self._outputs(n)
        return self.says(output, self.coding())

    def units(self, n: int, units: dict[Node, int]) -> list[tuple[Node, int, np.ndarray, dict]]:
        """For every node of the network (the input first): ``(node, unit, image, coding)``,
        the unit's output over an ``n × n`` grid as uint8 between ``coding["low"]`` and
        ``["high"]`` (a range symmetric around 0). ``units`` says which unit of each node
        (default 0). The output node shows what the network says instead (``coding()``)."""
        network, _ = self._outputs(n)
        pictures = []
        for node in (INPUT, *network.order):
            if node == network.output:
                coding = self.coding()
                pictures.append((node, 0, self.says(network.outputs[node], coding), coding))
                continue
            output = network.outputs[node]
            unit = min(max(int(units.get(node, 0)), 0), output.shape[1] - 1)
            values = output[:, unit]
            low, high = symmetric_range(values)
            pictures.append((node, unit, to_bytes(values, low, high),
                             {"code": VALUE, "low": low, "high": high}))
        return pictures

    def activations(self, n: int) -> dict[Node, np.ndarray]:
        """Every node's output over an ``n × n`` grid of the plane (``n`` of 45 at most: one
        forward pass), by node; the input's is the grid as the network sees it."""
        network, _ = self._outputs(min(n, 45))
        return dict(network.outputs)

    def unit_map(self, node: Node, unit: int, n: int) -> tuple[np.ndarray, float, float]:
        """One unit of one node over an ``n × n`` grid (for the Inside tab)."""
        _, output = self._outputs(n, node)
        values = output[:, unit]
        low, high = symmetric_range(values)
        return to_bytes(values, low, high), low, high


def edge_norms(network: Network, mode: str = "gradient") -> dict[tuple[Node, Node], float]:
    """For every edge ``(src, dst)`` of ``network``: the norm of the gradient that flowed back
    along it in the last backward (``mode="gradient"``), or the norm of the weights it goes
    through (``"weights"``: the rows of a Linear's weight that read ``src``; 0 for an edge into
    a module without weights)."""
    norms = {}
    if mode == "gradient":
        flows = getattr(network, "edge_grads", None) or {}
        for (src, dst), grad in flows.items():
            norms[src, dst] = _norm(grad)
        return norms
    for dst in network.order:
        module = network.operators[dst]
        for src in network.inputs[dst]:
            norms[src, dst] = _norm(module.weight) if isinstance(module, Linear) else 0.0
    return norms


def _norm(array) -> float:
    flat = np.asarray(array, dtype=np.float64).ravel()
    value = math.sqrt(float(np.dot(flat, flat)))
    return value if math.isfinite(value) else math.inf
