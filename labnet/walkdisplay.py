"""How a walk (``labnet.walkthrough``) is shown: as text for a notebook, as JSON for a page, as a
matplotlib figure.

Text: ``print(step)`` lists what the step received and passed on (small arrays as numbers, big
ones as statistics), then its equations with their numbers side by side::

    dL/dx = dL/dy · Wᵀ
      dL/dx (1×2)             dL/dy (1×3)              Wᵀ (3×2)
                                                  ⎡ 0.5    -1  ⎤
    [ 0.12  -0.4 ]   =   [ 0.1  0.2  -0.3 ]   ·   ⎢ 0.25    2  ⎥
                                                  ⎣ -1    0.5  ⎦

JSON (``step_json``, ``walk_json``): plain lists, numbers, strings and None only (a number that
is NaN or infinite becomes None), every array cut to a corner of at most ``rows`` × ``cols``,
every list of arrays or formulas to ``MAX_ITEMS``: what a page needs to draw the step, and no
more. matplotlib is imported only by ``plot_step``, when it is called.
"""

from __future__ import annotations

import math
import numbers
import textwrap
from typing import TYPE_CHECKING

import numpy as np

from labnet.chainrule import ShownFormula, ShownTerm
from labnet.colours import BOUNDARY_STOPS

if TYPE_CHECKING:
    from labnet.walkstep import WalkStep
    from labnet.walkthrough import Walk

Array = np.ndarray

PRINTED = {"rows": 4, "cols": 4, "inner": 4}
"""How much of each formula ``print(step)`` shows (a notebook line holds about 100 characters)."""
SMALL = 12
"""Arrays with at most this many numbers are printed in full; bigger ones as statistics."""
MAX_ITEMS = 48
"""At most this many arrays, formulas, flows or nodes in a list of the JSON form."""
INFIX = {"matmul": ("·",), "affine": ("·", "+"), "multiply": ("⊙",), "copy": (),
         "sgd": ("− lr ·",)}


def array_stats(array: Array) -> dict[str, object]:
    """A few numbers that describe ``array``: shape, mean, std, min, max and the fraction of
    entries that are exactly zero (``"zeros"``, from 0 to 1). An empty array has NaN statistics."""
    array = np.asarray(array, dtype=np.float64)
    if array.size == 0:
        nan = math.nan
        return {"shape": array.shape, "mean": nan, "std": nan, "min": nan, "max": nan,
                "zeros": nan}
    with np.errstate(invalid="ignore", over="ignore"):  # (an infinity: NaN statistics)
        mean, std = float(array.mean()), float(array.std())
    return {
        "shape": array.shape,
        "mean": mean,
        "std": std,
        "min": float(array.min()),
        "max": float(array.max()),
        "zeros": float(np.mean(array == 0)),
    }


def heatmap_values(array: Array, max_rows: int = 16, max_cols: int = 32) -> Array:
    """A small 2-D corner of ``array`` to draw as a heatmap: its first ``max_rows`` rows and
    ``max_cols`` columns. A 1-D array (a bias) becomes one row, a number a 1 × 1 array."""
    array = np.asarray(array)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array[None, :]
    elif array.ndim > 2:
        array = array.reshape(array.shape[0], -1)
    return array[:max_rows, :max_cols].copy()


# -- text -------------------------------------------------------------------------------------

def number_text(value: float) -> str:
    """A number as a student reads it: four significant digits, no ``-0``."""
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.4g}"


def matrix_lines(values: Array, more_rows: bool = False, more_cols: bool = False) -> list[str]:
    """``values`` (2-D) as lines of a matrix in brackets, columns aligned; ``⋮`` and ``…`` mark
    rows and columns left out."""
    cells = [[number_text(v) for v in row] for row in np.atleast_2d(values)]
    if more_cols:
        cells = [[*row, "…"] for row in cells]
    if more_rows:
        cells.append(["⋮"] * len(cells[0]))
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    rows = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
            for row in cells]
    if len(rows) == 1:
        return [f"[ {rows[0]} ]"]
    brackets = [("⎡", "⎤"), *[("⎢", "⎥")] * (len(rows) - 2), ("⎣", "⎦")]
    return [f"{left} {row} {right}" for (left, right), row in zip(brackets, rows, strict=True)]


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if shape else "a number"


def _term_block(term: ShownTerm) -> tuple[str, list[str]]:
    """A term as (its label, the lines of its matrix)."""
    more_rows = term.rows[1] < (term.shape[-2] if len(term.shape) >= 2 else 1)
    more_cols = term.cols[1] < (term.shape[-1] if term.shape else 1)
    return f"{term.symbol} ({_shape_text(term.shape)})", matrix_lines(term.values, more_rows,
                                                                      more_cols)


def formula_text(formula: ShownFormula) -> str:
    """A formula as its equation, then its terms side by side with their numbers."""
    blocks = [_term_block(formula.result)]
    operands = [_term_block(term) for term in formula.operands]
    if formula.operation in INFIX or formula.operation == "add":
        signs = INFIX.get(formula.operation) or ("+",) * (len(operands) - 1)
        pieces = [blocks[0], ("", ["="])]
        for i, block in enumerate(operands):
            pieces.append(block)
            if i < len(signs):
                pieces.append(("", [signs[i]]))
    else:  # a function of the operands: the equation says which
        pieces = [blocks[0], ("", ["←"])]
        for i, block in enumerate(operands):
            pieces.append(block)
            if i < len(operands) - 1:
                pieces.append(("", [","]))
    height = max(len(lines) for _, lines in pieces)
    columns = []
    for label, lines in pieces:  # each block centred under its label, and vertically
        block = max(len(line) for line in lines)
        width = max(len(label), block)
        left = " " * ((width - block) // 2)
        top = (height - len(lines)) // 2
        padded = [""] * top + lines + [""] * (height - len(lines) - top)
        columns.append([label.center(width),
                        *((left + line.ljust(block)).ljust(width) for line in padded)])
    body = ["  ".join(column[i] for column in columns).rstrip() for i in range(height + 1)]
    head = formula.text
    if formula.label:
        head = f"{formula.label}: {head}"
    if formula.constants:
        head += "   (" + ", ".join(f"{name} = {number_text(value)}"
                                    for name, value in formula.constants.items()) + ")"
    lines = [head, *("  " + line for line in body)]
    if formula.note:
        lines.extend(textwrap.wrap(f"({formula.note})", 96, initial_indent="  ",
                                   subsequent_indent="   "))
    return "\n".join(lines)


def array_lines(name: str, array: Array) -> list[str]:
    """An array described on a line: its numbers if it is small (as a matrix, on as many lines
    as it has rows), else its statistics."""
    array = np.asarray(array, dtype=np.float64)
    head = f"{name:<24} {_shape_text(array.shape):<8} "
    if array.size <= SMALL:
        matrix = matrix_lines(heatmap_values(array))
        return [head + matrix[0], *(" " * len(head) + line for line in matrix[1:])]
    s = array_stats(array)
    return [f"{head}mean {s['mean']:+.3g}  std {s['std']:.3g}  min {s['min']:+.3g}  "
            f"max {s['max']:+.3g}  zeros {100 * s['zeros']:.0f} %"]


def step_text(step: WalkStep) -> str:
    """A step in full: what it did, its arrays, and its equations with their numbers."""
    where = "" if step.node is None else f" · node {step.node!r}"
    lines = [f"[{step.index}] {step.phase}{where} · {step.module}",
             *textwrap.wrap(step.text, 96, initial_indent="    ", subsequent_indent="    ")]
    for title, arrays in (("received", step.received), ("passed on", step.passed)):
        if arrays:
            lines.append(f"  {title}:")
            for name, array in arrays.items():
                lines.extend(f"    {line}" for line in array_lines(name, array))
    if step.formulas:
        lines.append("  with this step's numbers:")
        for formula in step.formulas:
            text = formula_text(formula.shown(**PRINTED))
            lines.extend("    " + line for line in text.splitlines())
    return "\n".join(lines)


# -- JSON -------------------------------------------------------------------------------------

def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _node(node):
    """A node id JSON can carry (a NumPy integer becomes an int)."""
    return int(node) if isinstance(node, numbers.Integral) else node


def _values(values: Array) -> list[list[float | None]]:
    return [[_finite(v) for v in row] for row in np.asarray(values, dtype=np.float64)]


def array_json(name: str, array: Array, rows: int, cols: int) -> dict:
    """An array as its name, shape, statistics, and the values of its first ``rows`` rows and
    ``cols`` columns (always a list of rows: a bias is one row, a number one row of one)."""
    corner = heatmap_values(np.asarray(array, dtype=np.float64), rows, cols)
    stats = array_stats(array)
    return {"name": name, "shape": list(np.shape(array)), "values": _values(corner),
            "rows": [0, corner.shape[0]], "cols": [0, corner.shape[1]],
            "stats": {key: _finite(stats[key]) for key in ("mean", "std", "min", "max",
                                                           "zeros")}}


def term_json(term: ShownTerm) -> dict:
    return {"symbol": term.symbol, "shape": list(term.shape), "values": _values(term.values),
            "rows": list(term.rows), "cols": list(term.cols)}


def formula_json(formula: ShownFormula) -> dict:
    return {"text": formula.text, "operation": formula.operation, "label": formula.label,
            "result": term_json(formula.result),
            "operands": [term_json(term) for term in formula.operands],
            "constants": {name: _finite(value) for name, value in formula.constants.items()},
            "exact": formula.exact, "note": formula.note}


def _bounded(items: list, key: str, left_out: dict[str, int]) -> list:
    left_out[key] = max(len(items) - MAX_ITEMS, 0)
    return items[:MAX_ITEMS]


def step_json(step: WalkStep, rows: int = 8, cols: int = 8, inner: int = 32) -> dict:
    """A step as plain values: ``index``, ``phase``, ``node``, ``module``, ``text``;
    ``received`` and ``passed`` (lists of ``array_json``), ``formulas`` (``formula_json``:
    each term cut by ``Formula.shown(rows, cols, inner)``), ``flows`` (the edges at work:
    ``src``, ``dst``, ``carries``, ``role``, ``array``, ``how``), and ``left_out``: how many
    entries of each list were left out (beyond ``MAX_ITEMS``)."""
    left_out: dict[str, int] = {}
    return {
        "index": step.index, "phase": step.phase, "node": _node(step.node),
        "module": step.module, "text": step.text,
        "received": _bounded([array_json(name, array, rows, cols)
                              for name, array in step.received.items()], "received", left_out),
        "passed": _bounded([array_json(name, array, rows, cols)
                            for name, array in step.passed.items()], "passed", left_out),
        "formulas": _bounded([formula_json(formula.shown(rows, cols, inner))
                              for formula in step.formulas], "formulas", left_out),
        "flows": _bounded([{"src": _node(flow.src), "dst": _node(flow.dst),
                            "carries": flow.carries, "role": flow.role, "array": flow.array,
                            "how": flow.how} for flow in step.flows], "flows", left_out),
        "left_out": left_out,
    }


def walk_json(walk: Walk, rows: int = 8, cols: int = 8, inner: int = 32) -> dict:
    """The walk at its cursor: ``index``, ``total``, ``done``, ``at_start``, ``sample`` (the
    point walked alone, or None), ``batch`` (its number of points), ``loss`` (once computed),
    ``plan`` (``[phase, node]`` of every step, for a scrubber), ``step`` (``step_json`` of the
    current step) and ``nodes``: every node's output (``value``) and dL/d(output) (``grad``)
    as far as the walk has gone, for the first point of the batch (the sample), cut to
    ``cols`` numbers, or None where not known yet; ``scaling``: if the input is standardised,
    ``{"mean", "std", "x", "scaled"}`` (``x``: the first point as given, ``scaled``: as the
    network sees it, ``(x − mean) / std``), each cut to ``cols`` numbers, else None."""
    values, grads = walk.values_so_far(), walk.grads_so_far()

    def first_row(array: Array | None) -> list[float | None] | None:
        if array is None:
            return None
        return _values(heatmap_values(array, 1, cols))[0]

    nodes = [{"node": _node(node), "value": first_row(values.get(node)),
              "grad": first_row(grads.get(node))} for node in (walk.net.input, *walk.net.order)]
    left_out = {"nodes": max(len(nodes) - MAX_ITEMS, 0)}
    scaling = None
    if walk.scaling is not None:
        mean, std = walk.scaling
        scaling = {"mean": first_row(mean), "std": first_row(std),
                   "x": first_row(walk.unscaled), "scaled": first_row(walk.x)}
    return {
        "index": walk.position, "total": len(walk), "done": walk.done,
        "at_start": walk.at_start, "sample": walk.sample, "batch": len(walk.x),
        "loss": None if walk.loss_value is None else _finite(walk.loss_value),
        "plan": [[phase, _node(node)] for phase, node in walk.plan],
        "step": step_json(walk.current, rows, cols, inner),
        "nodes": nodes[:MAX_ITEMS], "left_out": left_out, "scaling": scaling,
    }


# -- a figure ---------------------------------------------------------------------------------

def plot_step(step: WalkStep, figure=None, max_arrays: int = 12):
    """The step's arrays (received, then passed on) as heatmaps, each with its own colour scale
    centred on 0, in the lab's colours (blue above 0, orange below) and, when small, its numbers
    written in. Returns the matplotlib Figure (a new one unless ``figure`` is given)."""
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure  # a Figure of its own: no pyplot, no global state

    diverging = LinearSegmentedColormap.from_list("labnet", BOUNDARY_STOPS)  # as in the lab

    arrays = [(name, array) for name, array in step.arrays.items()][:max_arrays]
    columns = min(len(arrays), 4) or 1
    rows = math.ceil(len(arrays) / columns) or 1
    if figure is None:
        figure = Figure(figsize=(3.4 * columns, 2.6 * rows + 0.6), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
    for ax, (name, array) in zip(axes, arrays, strict=False):
        values = heatmap_values(np.asarray(array, dtype=np.float64))
        finite = values[np.isfinite(values)]
        limit = float(np.max(np.abs(finite))) if finite.size else 1.0
        image = ax.imshow(values, cmap=diverging, vmin=-limit or -1, vmax=limit or 1,
                          aspect="equal", interpolation="nearest")
        figure.colorbar(image, ax=ax, shrink=0.8)
        if values.shape[0] <= 8 and values.shape[1] <= 8:  # room for the numbers
            for (i, j), value in np.ndenumerate(values):
                dark = abs(value) > 0.6 * limit  # white on the deep colours
                ax.text(j, i, number_text(value), ha="center", va="center", fontsize=10,
                        color="white" if dark else "black")
        cut = "" if values.shape == np.shape(array) or np.ndim(array) < 2 else " (corner)"
        ax.set_title(f"{name}\n{_shape_text(np.shape(array))}{cut}", fontsize=9)
        ax.set(xticks=[], yticks=[])
    for ax in axes[len(arrays):]:
        ax.set_visible(False)
    where = "" if step.node is None else f" · node {step.node!r}"
    figure.suptitle(f"[{step.index}] {step.phase}{where} · {step.module}", fontsize=10)
    return figure
