"""A picture of the lab for slides: the decision boundary, the curves and the graph, as a PNG.

Drawn with matplotlib (Agg), from the same arrays the browser paints (``labnet.lab.pictures``),
so the picture looks like the lab. Only this module of the lab imports matplotlib, and only when
a picture is asked for.
"""

from __future__ import annotations

import io
import os

import numpy as np

from labnet.errors import InputError
from labnet.history import History
from labnet.lab.display import Display
from labnet.lab.nodes import INPUT
from labnet.lab.pictures import (
    CLASS_COLOURS,
    CLASSES,
    GRADIENT_DECADES,
    GRADIENT_STOPS,
    LEVELS,
    SCORE,
    VALUE,
    Pictures,
    colour_table,
    to_bytes,
)
from labnet.lab.state import LabState
from labnet.writing import write_atomically

CURVE_POINTS = 400
"""The most points a curve of the picture has."""


def picture(state: LabState, display: Display, grid: int = 100, dpi: int = 110) -> bytes:
    """The PNG bytes of a three-panel picture of the lab (its ``state``, shown as ``display``
    says) as it is now."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 4.2), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    boundary_ax, curves_ax, graph_ax = figure.subplots(1, 3, width_ratios=[1, 1.2, 1.5])
    pictures = Pictures(state)
    coding = pictures.coding()
    table = colour_table(coding)
    if state.network is not None:
        image = pictures.boundary(grid).reshape(grid, grid)  # (rows from the top)
        _, (x1_low, x1_high, x2_low, x2_high) = pictures.grid(grid)
        if display.discretize and coding["code"] == SCORE:
            image = np.where(image > 127, 255, 0)
        elif display.discretize and coding["code"] == CLASSES:
            image = image // LEVELS * LEVELS + LEVELS - 1
        boundary_ax.imshow(table[image], interpolation="bilinear",
                           extent=(x1_low, x1_high, x2_low, x2_high), aspect="auto")
    (x_train, labels_train), (x_test, labels_test) = state.data.train, state.data.test
    for x, labels, test in ((x_train, labels_train, False), (x_test, labels_test, True)):
        if test and not display.show_test:
            continue
        if coding["code"] == VALUE:  # a regression: each point the colour of its target
            colours = table[to_bytes(labels[:, 0], coding["low"], coding["high"])]
        else:
            colours = [CLASS_COLOURS[label] for label in labels]
        if test:
            boundary_ax.scatter(*x.T, s=9, facecolors="none", edgecolors=colours,
                                linewidths=0.8)
        else:
            boundary_ax.scatter(*x.T, s=9, c=colours, edgecolors="white", linewidths=0.4)
    boundary_ax.set_title("decision boundary" if coding["code"] != VALUE else
                          f"prediction (from {coding['low']:.3g} to {coding['high']:.3g})")
    history = state.trainer.history if state.trainer is not None else None
    _curves(curves_ax, history)
    _graph(graph_ax, state, history)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _curves(ax, history: History | None) -> None:
    from matplotlib.ticker import EngFormatter, MaxNLocator

    ax.set_title("loss and test error")
    ax.set_xlabel("step")
    if history is None or not history.step_loss:
        return
    ends, losses = _means(history.step_ends(), np.asarray(history.step_loss, dtype=float))
    ax.plot(ends, losses, color="#555555", linewidth=0.8, label="batch loss")
    errors = np.asarray(history.test_error, dtype=float)
    if errors.size and np.isnan(errors).all():  # a regression: the test loss instead
        ax.set_title("loss and test loss")
        errors = np.asarray(history.test_loss, dtype=float)
        label = "test loss"
    else:
        label = "test error"
    if errors.size:
        steps = np.asarray(history.epoch_step[:len(errors)], dtype=float)
        ax.plot(steps, np.maximum(errors, 1e-4), color=CLASS_COLOURS[1], label=label)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(EngFormatter(sep=""))  # 5k, 10k, 1M: labels that fit
    ax.legend(loc="upper right", fontsize=8)


def _means(x: np.ndarray, y: np.ndarray, points: int = CURVE_POINTS
           ) -> tuple[np.ndarray, np.ndarray]:
    """At most ``points`` points of the curve ``(x, y)``: the mean of each run of entries (as
    the lab draws it: every noisy batch loss of a long run would be a solid block)."""
    if len(y) <= points:
        return x, y
    runs = np.array_split(np.arange(len(y)), points)
    return (np.array([x[run[-1]] for run in runs]),
            np.array([np.nanmean(y[run]) for run in runs]))


def _norms(network, history: History | None) -> dict:
    """‖dL/d output‖ of each node after the last step: from the network's gradients, or the
    history's last entry (a lab just opened has no gradients yet)."""
    if network is not None and network.grads:
        return network.grad_norms()
    if history is None:
        return {}
    return {node: values[-1] for node, values in history.grad_norms.items() if values}


def _graph(ax, state: LabState, history: History | None) -> None:
    from matplotlib.colors import LinearSegmentedColormap

    graph = state.graph
    norms = _norms(state.network, history)
    top = max((v for v in norms.values() if np.isfinite(v)), default=1.0) or 1.0
    gradient = LinearSegmentedColormap.from_list("gradient", list(GRADIENT_STOPS))
    ax.set_title("the graph (border: ‖dL/d output‖, log scale)")
    ax.axis("off")
    for src, dst in graph.edges:
        (x1, y1), (x2, y2) = graph.position(src), graph.position(dst)
        ax.annotate("", (x2 - 0.3, -y2), (x1 + 0.3, -y1),
                    arrowprops={"arrowstyle": "->", "color": "#888888"})
    for node in (INPUT, *graph.nodes):
        x, y = graph.position(node)
        label = "input" if node == INPUT else graph.nodes[node].short_label()
        level = 0.0
        if node in norms and np.isfinite(norms[node]) and norms[node] > 0:
            level = float(np.clip(1 + np.log10(norms[node] / top) / GRADIENT_DECADES, 0, 1))
        colour = gradient(level) if node in norms else "#cccccc"  # (grey: not trained)
        ax.text(x, -y, f"{node}\n{label}", ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": colour,
                      "linewidth": 2.5})
    xs = [graph.position(n)[0] for n in (INPUT, *graph.nodes)]
    ys = [-graph.position(n)[1] for n in (INPUT, *graph.nodes)]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)


def write_file(path: str | os.PathLike, content: bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all (``labnet.writing.write_atomically``:
    a failed write leaves the old file as it was)."""
    if not isinstance(path, str | os.PathLike):
        raise InputError(f"a file name is text, got {path!r}")
    write_atomically(path, lambda file: file.write(content))
