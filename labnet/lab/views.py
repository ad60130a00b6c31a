"""The lab's pictures, drawn with matplotlib's Agg backend into image bytes. No widgets here.

Each view owns one figure. Its artists are made once; ``update(model)`` changes them in place and
says whether the picture changed; ``render()`` returns the picture as PNG (or JPEG) bytes.

Speed: a full ``canvas.draw()`` costs tens of milliseconds, so each view draws its static parts
(axes, ticks, labels) once into a cached background, and per frame only restores that background
and draws the artists that move (``set_animated(True)`` keeps them out of the background). When
something static must change (an axis range grows, the graph is edited) the view draws in full
once and caches the new background.

The decision boundary is faster still: its colours are computed in NumPy straight into the
canvas pixels, and the data points, drawn once into a transparent layer, are blended on top.
"""

from __future__ import annotations

import io
import math

import matplotlib
import matplotlib.ticker
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path
from PIL import Image

from labnet.data import extent
from labnet.lab.model import INPUT, LabModel, NodeSpec

# TensorFlow Playground's colours: class 0 orange, class 1 blue, white on the boundary
CLASS_COLOURS = ("#f59322", "#0877bd")
BOUNDARY_CMAP = LinearSegmentedColormap.from_list(
    "labnet_boundary", [CLASS_COLOURS[0], "#fbe2c6", "#ffffff", "#c6dff0", CLASS_COLOURS[1]])
GRADIENT_CMAP = matplotlib.colormaps["YlOrRd"]
HIGHLIGHT = "#8e44ad"  # the node the walk or the node view is at
GRADIENT_DECADES = 4  # the graph colours span 4 decades of gradient norm below the largest
MAX_LINE_POINTS = 400  # curves are thinned to this many points (enough for a 400 px plot)

STYLE = {
    "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "xtick.labelsize": 10,
    "ytick.labelsize": 10, "legend.fontsize": 9, "axes.spines.top": False,
    "axes.spines.right": False, "font.family": "DejaVu Sans",
}


SHARP = {"quality": 95, "subsampling": 0}
"""JPEG settings for lines and text: without chroma subsampling they look as sharp as PNG,
and encode 5× faster."""
SMOOTH = {"quality": 85, "subsampling": 2}
"""JPEG settings for the boundary, a smooth picture sent many times a second: 2.5× smaller."""


def encode(rgb: np.ndarray, fmt: str = "jpeg", jpeg: dict = SHARP) -> bytes:
    """Image bytes of an ``(h, w, 3)`` uint8 array, as JPEG (or PNG)."""
    buffer = io.BytesIO()
    if fmt == "png":
        Image.fromarray(rgb).save(buffer, format="png", compress_level=1)
    else:
        Image.fromarray(rgb).save(buffer, format="jpeg", **jpeg)
    return buffer.getvalue()


class Overlay:
    """A transparent layer (RGBA pixels drawn by matplotlib) to lay over frames, fast: its
    opaque pixels are copied, its half-transparent ones (antialiased edges) blended."""

    def __init__(self, rgba: np.ndarray) -> None:
        layer = rgba.reshape(-1, 4)
        alpha = layer[:, 3]
        self.opaque = np.flatnonzero(alpha == 255)
        self.opaque_colour = layer[self.opaque, :3].copy()
        self.seen = np.flatnonzero((alpha > 0) & (alpha < 255))
        weight = (alpha[self.seen] / np.float32(255))[:, None]
        self.seen_colour = layer[self.seen, :3] * weight
        self.seen_keep = 1 - weight

    def lay_over(self, frame: np.ndarray) -> None:
        """Put the layer over ``frame`` (``(h, w, 3)`` uint8, changed in place)."""
        flat = frame.reshape(-1, 3)
        flat[self.opaque] = self.opaque_colour
        flat[self.seen] = (flat[self.seen] * self.seen_keep + self.seen_colour).astype(np.uint8)


def thin(values, points: int = MAX_LINE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, values)`` of a per-step series, at most ``points`` of them: consecutive steps
    are averaged in buckets of 2ᵏ steps, so the buckets stay put as the series grows and the
    line does not shimmer from frame to frame."""
    values = np.asarray(values, dtype=float)
    size = 1
    while len(values) > size * points:
        size *= 2
    whole = len(values) // size * size
    means = values[:whole].reshape(-1, size).mean(axis=1)
    steps = np.arange(len(means)) * size + (size + 1) / 2
    if whole < len(values):  # the partial bucket at the end
        means = np.append(means, values[whole:].mean())
        steps = np.append(steps, (whole + 1 + len(values)) / 2)
    return steps, means


def nice_ceiling(value: float, at_least: float = 1.0) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ ``value`` (and ≥ ``at_least``): axis ends
    that change rarely."""
    if value <= at_least:
        return at_least
    decade = 10 ** math.floor(math.log10(value))
    return next(m * decade for m in (1, 2, 5, 10) if m * decade >= value)


def grown_end(end: float, steps: int) -> float:
    """The end of a step axis: kept while the steps fit, else a nice number twice as far, so
    the axis (and its costly full redraw) changes only now and then."""
    if end > 0 and steps <= end and (steps > end / 5 or end <= 10):
        return end
    return nice_ceiling(max(2 * steps, 10))


def decade_range(values, old: tuple[float, float] | None = None) -> tuple[float, float]:
    """Whole decades around the positive finite ``values``, for a log axis. Given the ``old``
    range, the new one grows at once to cover the values, but shrinks only when the values
    moved two decades inside it: the axis (and its costly full redraw) changes rarely."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 1e-12)]
    if values.size == 0:
        return old or (1e-3, 1.0)
    low = 10.0 ** math.floor(math.log10(values.min()))
    high = 10.0 ** math.ceil(math.log10(values.max()) + 1e-9)
    high = max(high, 10 * low)
    if old is None:
        return low, high
    old_low, old_high = old
    keep_low = old_low <= low < 100 * old_low
    keep_high = old_high / 100 < high <= old_high
    return (old_low if keep_low else low), (old_high if keep_high else high)


def placeholder(width: int, height: int, name: str, scale: float = 1.0) -> bytes:
    """A grey picture that stands for a hidden view."""
    figure = Figure(figsize=(width / 100, height / 100), dpi=100, facecolor="#eeeeee")
    canvas = FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, f"{name}: hidden\nwhat do you predict?", ha="center", va="center",
                fontsize=14 * scale, color="#555555")
    canvas.draw()
    return encode(np.asarray(canvas.buffer_rgba())[..., :3].copy(), "png")


def log_scale(ax) -> None:
    """A log y axis with ticks at whole decades only (minor ticks cost a lot to draw)."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, numticks=6))
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.grid(True, axis="y", which="major", alpha=0.25)


class View:
    """A figure of ``width`` × ``height`` pixels, with a cached background for fast frames."""

    fmt = "jpeg"

    def __init__(self, width: int, height: int, scale: float = 1.0) -> None:
        self.width, self.height, self.scale = width, height, scale
        self.animated: list = []
        self.full_redraw = True
        self._background = None
        with matplotlib.rc_context(self.style()):
            self.figure = Figure(figsize=(width / 100, height / 100), dpi=100)
            self.canvas = FigureCanvasAgg(self.figure)
            self.build()
            # ticks made later (when a range changes) get their size from here, not rcParams
            for ax in self.figure.axes:
                ax.tick_params(labelsize=STYLE["xtick.labelsize"] * scale)

    def style(self) -> dict:
        return {key: value * self.scale if key.endswith("size") else value
                for key, value in STYLE.items()}

    def build(self) -> None:
        """Make the axes and artists (once)."""

    def render(self) -> bytes:
        """Draw (the background only when it changed) and return the picture's bytes."""
        if self.full_redraw or self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.full_redraw = False
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            if artist.get_visible():
                artist.axes.draw_artist(artist) if artist.axes else self.figure.draw_artist(
                    artist)
        return encode(self.pixels(), self.fmt)

    def pixels(self) -> np.ndarray:
        return np.asarray(self.canvas.buffer_rgba())[..., :3]

    def two_panels(self, titles: tuple[str, str], xlabels: tuple[str, str]) -> list:
        """Two axes side by side, each with a title, an x label and a log y axis."""
        axes = [self.figure.add_axes((0.11, 0.24, 0.36, 0.64)),
                self.figure.add_axes((0.61, 0.24, 0.36, 0.64))]
        for ax, title, xlabel in zip(axes, titles, xlabels, strict=True):
            ax.set_title(title, y=1.01)
            ax.set_xlabel(xlabel)
            log_scale(ax)
        return axes

    def animate(self, *artists) -> None:
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)


class BoundaryView(View):
    """The decision boundary over the input plane, with the training and test points."""

    def __init__(self, size: int = 420, grid: int = 100, scale: float = 1.0) -> None:
        self.grid = grid
        self.show_test = True
        self.discretize = False
        self._lut = (BOUNDARY_CMAP(np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
        self._points_layer = None
        self._frame = None
        super().__init__(size, size, scale)

    def build(self) -> None:
        self.ax = self.figure.add_axes((0.13, 0.11, 0.83, 0.83))
        self.ax.set_xlabel("x₁")
        self.ax.set_ylabel("x₂")
        self.train_points = self.ax.scatter([], [], s=14 * self.scale, linewidths=0.6,
                                            edgecolors="white", zorder=3, label="train")
        self.test_points = self.ax.scatter([], [], s=14 * self.scale, linewidths=0.9,
                                           edgecolors="black", zorder=3, label="test")
        for spine in self.ax.spines.values():
            spine.set_zorder(4)

    def set_data(self, model: LabModel) -> None:
        """New points: place them, fit the axes to them, and redraw the static layers."""
        (x_train, labels_train), (x_test, labels_test) = model.train_set, model.test_set
        colours = np.array([to_rgb(c) for c in CLASS_COLOURS])
        self.train_points.set_offsets(x_train)
        self.train_points.set_facecolors(colours[labels_train])
        self.test_points.set_offsets(x_test)
        self.test_points.set_facecolors(colours[labels_test])
        self.test_points.set_visible(self.show_test)
        x0, x1, y0, y1 = extent(model.x_all, margin=0.08)
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        xs, ys = np.linspace(x0, x1, self.grid), np.linspace(y0, y1, self.grid)
        self.grid_points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        self.full_redraw = True

    def update(self, model: LabModel) -> None:
        """Compute the network's leaning to class 1 over the grid of the plane."""
        if model.network is None:
            return
        score = model.class_one_score(self.grid_points).reshape(self.grid, self.grid)
        self.score = np.where(score > 0.5, 0.9, 0.1) if self.discretize else score

    def data_coordinates(self, column: float, row: float) -> tuple[float, float] | None:
        """The point of the plane at pixel ``(column, row)`` of the picture (row 0 at the top),
        or ``None`` outside the axes."""
        x1, x2 = self.ax.transData.inverted().transform((column, self.height - row))
        (left, right), (bottom, top) = self.ax.get_xlim(), self.ax.get_ylim()
        if left <= x1 <= right and bottom <= x2 <= top:
            return float(x1), float(x2)
        return None

    def _draw_layers(self) -> None:
        """The static layers: the empty axes, and the points on a transparent layer."""
        self.train_points.set_visible(False)
        self.test_points.set_visible(False)
        self.canvas.draw()
        self._frame = self.pixels().copy()
        renderer = self.canvas.get_renderer()
        renderer.clear()
        self.train_points.set_visible(True)
        self.test_points.set_visible(self.show_test)
        for artist in (self.train_points, self.test_points, *self.ax.spines.values()):
            if artist.get_visible():
                self.ax.draw_artist(artist)
        self._points_layer = Overlay(np.asarray(self.canvas.buffer_rgba()))
        # where the boundary goes: the inside of the axes, in pixel rows (top down) and columns
        (x0, y0), (x1, y1) = self.ax.get_window_extent().get_points()
        self._box = (self.height - round(y1), self.height - round(y0),
                     round(x0), round(x1))
        rows, cols = self._box[1] - self._box[0], self._box[3] - self._box[2]
        self._upsample_rows = _bilinear_matrix(self.grid, rows)
        self._upsample_cols = _bilinear_matrix(self.grid, cols).T
        self.full_redraw = False

    def render(self) -> bytes:
        if self.full_redraw or self._points_layer is None:
            self._draw_layers()
        frame = self._frame.copy()
        top, bottom, left, right = self._box
        if hasattr(self, "score"):
            # the score field, flipped so row 0 is the top, upsampled to the axes' pixels by
            # bilinear interpolation (two small matrix products), coloured by table look-up
            field = self._upsample_rows @ self.score[::-1].astype(np.float32) @ self._upsample_cols
            index = (field * 255).astype(np.uint8)
            frame[top:bottom, left:right] = np.take(self._lut, index, axis=0)
        self._points_layer.lay_over(frame)
        return encode(frame, self.fmt, SMOOTH)


def _bilinear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """``(n_out, n_in)`` weights that resample ``n_in`` samples (taken at cell centres) to
    ``n_out`` by linear interpolation: ``matrix @ samples``."""
    position = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    weight = position - low
    matrix = np.zeros((n_out, n_in), dtype=np.float32)
    np.add.at(matrix, (np.arange(n_out), low), 1 - weight)
    np.add.at(matrix, (np.arange(n_out), high), weight)
    return matrix


class CurvesView(View):
    """Loss (per mini-batch, and per epoch on the training and test sets) and error rates."""

    def build(self) -> None:
        self.loss_ax, self.error_ax = self.two_panels(("loss", "error rate"), ("step", "step"))
        self.error_ax.set_ylim(0.001, 1.0)
        self.error_ax.yaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(lambda v, _: f"{100 * v:g}%"))
        self.batch_loss, = self.loss_ax.plot([], [], color="#bbbbbb", lw=0.8, label="batch")
        self.train_loss, = self.loss_ax.plot([], [], color=CLASS_COLOURS[1], lw=1.8,
                                             label="train", marker="o", markersize=3)
        self.test_loss, = self.loss_ax.plot([], [], color=CLASS_COLOURS[0], lw=1.8,
                                            label="test", marker="o", markersize=3)
        self.train_error, = self.error_ax.plot([], [], color=CLASS_COLOURS[1], lw=1.8,
                                               label="train", marker="o", markersize=3)
        self.test_error, = self.error_ax.plot([], [], color=CLASS_COLOURS[0], lw=1.8,
                                              label="test", marker="o", markersize=3)
        self.loss_ax.legend(handles=[self.batch_loss, self.train_error, self.test_error],
                            labels=["batch", "train", "test"], loc="upper right",
                            frameon=False, fontsize=8 * self.scale, handlelength=1.2)
        self.animate(self.batch_loss, self.train_loss, self.test_loss, self.train_error,
                     self.test_error)
        self._x_end = 0.0
        self._loss_range: tuple[float, float] | None = None

    def update(self, model: LabModel) -> None:
        history = model.trainer.history if model.trainer else None
        if history is None:
            return
        steps, loss = thin(history.step_loss)
        steps = steps * model.history_stride
        self.batch_loss.set_data(steps, loss)
        epoch_steps = np.asarray(history.epoch_step)
        for line, values in ((self.train_error, history.train_error),
                             (self.test_error, history.test_error),
                             (self.test_loss, history.test_loss)):
            line.set_data(*_thin_xy(epoch_steps[:len(values)], np.maximum(values, 0.0005)))
        self.train_loss.set_data(*_thin_xy(epoch_steps, history.epoch_loss))
        few = len(epoch_steps) <= 40
        for line in (self.train_loss, self.test_loss, self.train_error, self.test_error):
            line.set_marker("o" if few else "")
        # axis ranges: change them (a full redraw) only when the data leave them
        x_end = grown_end(self._x_end, model.trainer.steps)
        loss_range = decade_range([*loss, *history.test_loss], self._loss_range or None)
        if x_end != self._x_end or loss_range != self._loss_range:
            self._x_end, self._loss_range = x_end, loss_range
            for ax in (self.loss_ax, self.error_ax):
                ax.set_xlim(0, x_end)
            self.loss_ax.set_ylim(*loss_range)
            self.full_redraw = True


def _thin_xy(x, y):
    if len(x) <= MAX_LINE_POINTS:
        return x, y
    index = np.linspace(0, len(x) - 1, MAX_LINE_POINTS).astype(int)
    return np.asarray(x)[index], np.asarray(y)[index]


class GradientsView(View):
    """The gradient norm of every module: now (bars), and over the steps (lines, log scale)."""

    def build(self) -> None:
        self.bar_ax, self.line_ax = self.two_panels(
            ("‖dL/d output‖ of each node", "over the steps"), ("node", "step"))
        self.nodes: tuple = ()
        self.bars = []
        self.lines = []
        self._x_end = 0.0
        self._y_range: tuple[float, float] | None = None

    def set_network(self, model: LabModel) -> None:
        """New modules: one bar and one line for each, in the order forward runs them."""
        for artist in [*self.bars, *self.lines]:
            artist.remove()
        self.animated = []
        network = model.network
        self.nodes = network.order if network else ()
        colours = node_colours(self.nodes)
        positions = np.arange(len(self.nodes))
        self.bars = list(self.bar_ax.bar(positions, np.ones(len(self.nodes)),
                                         color=[colours[n] for n in self.nodes], width=0.7))
        every = math.ceil(len(self.nodes) / 12)  # at most 12 labels: every k-th node
        self.bar_ax.set_xticks(positions[::every], [str(n) for n in self.nodes[::every]],
                               fontsize=(10 if every == 1 else 8) * self.scale)
        self.bar_ax.set_xlim(-0.6, max(len(self.nodes), 1) - 0.4)
        self.lines = [self.line_ax.plot([], [], color=colours[n], lw=1.2)[0]
                      for n in self.nodes]
        self.animate(*self.bars, *self.lines)
        self._x_end, self._y_range = 0.0, None
        self.full_redraw = True

    def update(self, model: LabModel) -> None:
        history = model.trainer.history if model.trainer else None
        if history is None or not self.nodes:
            return
        floor = 1e-12
        shown = []  # the values on the lines: bucket means, steadier than one step's norms
        for node, bar, line in zip(self.nodes, self.bars, self.lines, strict=True):
            series = history.grad_norms.get(node, [])
            bar.set_height(max(series[-1], floor) if series else floor)
            steps, values = thin(np.maximum(series, floor))
            line.set_data(steps * model.history_stride, values)
            shown.append(values[-len(values) // 4 - 1:])  # the latest quarter of the run
        x_end = grown_end(self._x_end, model.trainer.steps)
        y_range = decade_range(np.concatenate(shown) if shown else [], self._y_range)
        if x_end != self._x_end or y_range != self._y_range:
            self._x_end, self._y_range = x_end, y_range
            self.line_ax.set_xlim(0, x_end)
            for ax in (self.bar_ax, self.line_ax):
                ax.set_ylim(*self._y_range)
            self.full_redraw = True


def node_colours(nodes) -> dict:
    """A distinct colour per node, the same in every view."""
    palette = matplotlib.colormaps["tab20"].colors
    return {node: palette[(2 * i) % 20 + (2 * i // 20) % 2] for i, node in enumerate(nodes)}


class GraphView(View):
    """The graph: nodes by depth, each with its id, kind and width, coloured by its gradient
    norm; edges labelled with the width they carry; the output and the input outlined."""

    def build(self) -> None:
        self.ax = self.figure.add_axes((0.0, 0.1, 0.88, 0.78))
        self.ax.set_axis_off()
        self.title = self.figure.text(0.01, 0.95, "", fontsize=11 * self.scale,
                                      va="center", ha="left")
        self.message = self.figure.text(0.01, 0.03, "", color="#c0392b",
                                        fontsize=10 * self.scale, va="bottom")
        colourbar_ax = self.figure.add_axes((0.9, 0.14, 0.014, 0.66))
        colourbar_ax.imshow(np.linspace(0, 1, 64)[:, None], cmap=GRADIENT_CMAP, aspect="auto",
                            origin="lower", extent=(0, 1, -GRADIENT_DECADES, 0))
        colourbar_ax.set_xticks([])
        colourbar_ax.yaxis.tick_right()
        colourbar_ax.set_yticks(range(-GRADIENT_DECADES, 1),
                                [f"10{_superscript(d)}" if d else "max"
                                 for d in range(-GRADIENT_DECADES, 1)],
                                fontsize=8 * self.scale)
        colourbar_ax.set_title("‖dL/d out‖", fontsize=8 * self.scale, loc="left", pad=8)
        self._base = None
        self.boxes: dict = {}  # node → its box
        self.labels: dict = {}  # node → the text in its box
        self.faces: dict = {}  # node → the colour of its box, RGB uint8
        self.artists: list = []
        self.highlighted = None
        self.output = None

    def set_graph(self, model: LabModel) -> None:
        """Lay the graph out anew (after an edit) and draw its static parts."""
        for artist in self.artists:
            artist.remove()
        self.artists, self.boxes, self.labels, self.animated = [], {}, {}, []
        self.faces = {}
        positions = model.graph_layout()
        network = model.network if model.graph_error is None else None
        widths = network.widths if network else {}
        output = self.output = network.output if network else None
        pixels_per_unit = self._fit(positions)
        compact = pixels_per_unit < 70  # crowded: short labels, node ids under the nodes
        half = (0.34, 0.2) if compact else (0.4, 0.25)  # half width and height of a node
        font = (7 if compact else 9) * self.scale
        for src, dst in model.edges:
            if src in positions and dst in positions:
                self._draw_edge(positions, src, dst, half, widths.get(src), compact)
        for node, (x, y) in positions.items():
            spec = model.nodes.get(node)
            if node == INPUT:
                inside = "input" if compact else f"{INPUT}\ninput"
            else:
                inside = spec.short_label() if compact else f"{node}\n{spec.label()}"
            marked = node in (INPUT, output)
            box = FancyBboxPatch((x - half[0], y - half[1]), 2 * half[0], 2 * half[1],
                                 boxstyle="round,pad=0,rounding_size=0.08",
                                 facecolor="#dddddd" if node == INPUT else "#f4f4f4",
                                 edgecolor="#000000" if marked else "#777777",
                                 lw=2.2 if marked else 1.0, zorder=3)
            self.ax.add_patch(box)
            label = self.ax.text(x, y, inside, ha="center", va="center", zorder=4,
                                 fontsize=font, linespacing=1.1)
            self.boxes[node] = box
            self.labels[node] = label
            self.artists += [box, label]
            below = [str(node)] if compact and node != INPUT else []
            if node == output:
                below.append("output")
            if below:
                tag = self.ax.text(x, y - half[1] - 0.05, " ".join(below), ha="center",
                                   va="top", fontsize=font, zorder=4)
                self.artists.append(tag)
        highlighted, self.highlighted = self.highlighted, None
        self.highlight(highlighted)
        if model.graph_error:
            self.message.set_text(_wrap(f"not a valid network yet: {model.graph_error}"))
            self.title.set_text("graph, being edited (training goes on with the last valid one)")
        else:
            self.message.set_text("")
            self.title.set_text(f"graph: {len(model.nodes)} modules, "
                                f"{network.num_params() if network else 0} parameters")
        self.full_redraw = True

    def _draw_edge(self, positions, src, dst, half, width, compact) -> None:
        """An arrow from box to box. An edge that skips columns runs along a free lane (its
        source's row, or half a row above the nodes it passes) so it never crosses a node."""
        (x0, y0), (x1, y1) = positions[src], positions[dst]
        points = [(x0, y0)]
        if x1 - x0 > 1.5:
            between = [py for px, py in positions.values() if x0 < px < x1]
            if y0 not in between:
                lane = y0
            elif y1 not in between:
                lane = y1
            else:
                lane = max(between) + 0.55
            points += [(x0 + 0.55, lane), (x1 - 0.55, lane)] if lane != y0 else [(x1 - 0.55, y0)]
        points.append((x1, y1))
        points[0] = _box_exit(points[0], points[1], half)
        points[-1] = _box_exit(points[-1], points[-2], half)
        arrow = FancyArrowPatch(path=Path(points), arrowstyle="-|>", lw=1.1, color="#555555",
                                mutation_scale=10 * self.scale, zorder=1)
        self.ax.add_patch(arrow)
        self.artists.append(arrow)
        if width is not None and not compact:
            (ax, ay), (bx, by) = points[-2], points[-1]
            label = self.ax.text((ax + bx) / 2, (ay + by) / 2 + 0.04, str(width),
                                 fontsize=8 * self.scale, color="#777777", ha="center",
                                 va="bottom", zorder=2)
            self.artists.append(label)

    def _fit(self, positions) -> float:
        """Set the axes' limits so that one unit is as many pixels across as up; return that
        number of pixels (a unit is the distance between two columns)."""
        xs = [p[0] for p in positions.values()]
        ys = [p[1] for p in positions.values()]
        x0, x1, y0, y1 = min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.55, max(ys) + 0.7
        box = self.ax.get_position()
        width_px, height_px = box.width * self.width, box.height * self.height
        pixels_per_unit = min(width_px / (x1 - x0), height_px / (y1 - y0), 130 * self.scale)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = width_px / pixels_per_unit / 2, height_px / pixels_per_unit / 2
        self.ax.set_xlim(cx - half_w, cx + half_w)
        self.ax.set_ylim(cy - half_h, cy + half_h)
        return pixels_per_unit

    def node_at(self, column: float, row: float):
        """The node drawn at pixel ``(column, row)`` of the picture (row 0 at the top), or
        ``None``."""
        for node, box in self.boxes.items():
            if box.contains_point((column, self.height - row)):
                return node
        return None

    def highlight(self, node) -> None:
        """Outline ``node`` (``None``: no node) in purple, as the step-through walk and the
        node view do."""
        if self.highlighted in self.boxes:
            box = self.boxes[self.highlighted]
            marked = self.highlighted in (INPUT, self.output)
            box.set_edgecolor("#000000" if marked else "#777777")
            box.set_linewidth(2.2 if marked else 1.0)
        self.highlighted = node
        if node in self.boxes:
            self.boxes[node].set_edgecolor(HIGHLIGHT)
            self.boxes[node].set_linewidth(3.5)
        self.full_redraw = True

    def update(self, model: LabModel) -> None:
        """Colour each node by the norm of the gradient of the loss w.r.t. its output, on a
        log scale relative to the largest."""
        network = model.network
        norms = network.grad_norms() if network is not None and model.graph_error is None else {}
        largest = max((v for v in norms.values() if np.isfinite(v)), default=0.0)
        self.faces = {}
        for node in self.boxes:
            value = norms.get(node)
            if node == INPUT or value is None or largest <= 0 or not np.isfinite(value):
                continue
            level = math.log10(max(value / largest, 10.0 ** -GRADIENT_DECADES))
            colour = GRADIENT_CMAP(0.05 + 0.8 * (1 + level / GRADIENT_DECADES))[:3]
            self.faces[node] = (np.array(colour) * 255).astype(np.uint8)

    def render(self) -> bytes:
        """The static picture, each box filled with its colour, the outlines and labels on top:
        no text is drawn again from frame to frame."""
        if self.full_redraw or self._base is None:
            self._draw_layers()
        frame = self._base.copy()
        flat = frame.reshape(-1, 3)
        for node, pixels in self._box_pixels.items():
            if node in self.faces:
                flat[pixels] = self.faces[node]
        self._overlay.lay_over(frame)
        return encode(frame, self.fmt)

    def _draw_layers(self) -> None:
        """Three layers: the figure without boxes and labels; which pixels belong to which box;
        the boxes' outlines and labels, on a transparent layer."""
        boxes, labels = list(self.boxes.values()), list(self.labels.values())
        for artist in (*boxes, *labels):
            artist.set_visible(False)
        self.canvas.draw()
        for artist in (*boxes, *labels):
            artist.set_visible(True)
        base = self.pixels().copy()
        renderer = self.canvas.get_renderer()
        # each box filled with a colour that encodes its number, not antialiased
        renderer.clear()
        styles = [(box.get_facecolor(), box.get_edgecolor()) for box in boxes]
        for number, box in enumerate(boxes, start=1):
            box.set_antialiased(False)
            box.set_facecolor((number / 255, 0, 0, 1))
            box.set_edgecolor("none")
            self.ax.draw_artist(box)
        painted = np.asarray(self.canvas.buffer_rgba()).reshape(-1, 4)
        number = np.where(painted[:, 3] == 255, painted[:, 0], 0)
        self._box_pixels = {node: np.flatnonzero(number == i)
                            for i, node in enumerate(self.boxes, start=1)}
        # the outlines and labels
        renderer.clear()
        for box, (_, edge) in zip(boxes, styles, strict=True):
            box.set_antialiased(True)
            box.set_facecolor("none")
            box.set_edgecolor(edge)
            self.ax.draw_artist(box)
        for label in labels:
            self.ax.draw_artist(label)
        self._overlay = Overlay(np.asarray(self.canvas.buffer_rgba()))
        # the boxes' own fill, where no gradient colour is given
        flat = base.reshape(-1, 3)
        for box, (face, _), pixels in zip(boxes, styles, self._box_pixels.values(), strict=True):
            flat[pixels] = (np.array(face[:3]) * 255).astype(np.uint8)
            box.set_facecolor(face)
        self._base = base
        self.full_redraw = False


def _box_exit(centre, toward, half) -> tuple[float, float]:
    """Where the segment from a box's ``centre`` toward a point leaves the box."""
    (cx, cy), (tx, ty) = centre, toward
    dx, dy = tx - cx, ty - cy
    scale = min(half[0] / abs(dx) if dx else math.inf, half[1] / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def _superscript(number: int) -> str:
    return str(number).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _wrap(text: str, width: int = 110) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])



UNIT_CMAP = LinearSegmentedColormap.from_list(
    "labnet_unit", [CLASS_COLOURS[0], "#ffffff", CLASS_COLOURS[1]])


class NodeView(View):
    """One output unit of one node, as a heatmap over the input plane: what that unit has
    learned to detect (TensorFlow Playground shows its neurons this way)."""

    def __init__(self, size: int = 270, grid: int = 60, scale: float = 1.0) -> None:
        self.grid = grid
        self.node = None
        self.unit = 0
        super().__init__(size, size, scale)

    def build(self) -> None:
        self.ax = self.figure.add_axes((0.14, 0.1, 0.72, 0.78))
        self.image = self.ax.imshow(np.zeros((2, 2)), cmap=UNIT_CMAP, origin="lower",
                                    interpolation="bilinear", aspect="auto")
        self.colourbar = self.figure.colorbar(self.image, cax=self.figure.add_axes(
            (0.88, 0.1, 0.03, 0.78)))
        self.ax.set_title("pick a node", fontsize=10 * self.scale, y=1.01)
        self.ax.tick_params(labelsize=8 * self.scale)
        self.colourbar.ax.tick_params(labelsize=8 * self.scale)
        self.animate(self.image)

    def set_data(self, model: LabModel) -> None:
        x0, x1, y0, y1 = extent(model.x_all, margin=0.08)
        self.image.set_extent((x0, x1, y0, y1))
        xs, ys = np.linspace(x0, x1, self.grid), np.linspace(y0, y1, self.grid)
        self.grid_points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        self.full_redraw = True

    def select(self, model: LabModel, node, unit: int = 0) -> None:
        """Show unit ``unit`` of ``node`` (of the network being trained) from now on."""
        self.node, self.unit = node, unit
        name = "input" if node == INPUT else NodeSpec.of(model.network.operators[node]).label()
        self.ax.set_title(f"node {node} ({name}), unit {unit}", fontsize=10 * self.scale,
                          y=1.01)
        self.full_redraw = True

    def update(self, model: LabModel) -> None:
        network = model.network
        if network is None or self.node is None:
            return
        if self.node != INPUT and self.node not in network.operators:
            return
        with np.errstate(over="ignore", invalid="ignore"):
            values = model.outputs_over(self.grid_points, self.node)
        unit = min(self.unit, values.shape[1] - 1)
        field = values[:, unit].reshape(self.grid, self.grid)
        largest = float(np.nanmax(np.abs(field)))
        limit = nice_ceiling(largest, at_least=1e-12) if np.isfinite(largest) else 1.0
        self.image.set_data(field)
        if self.image.get_clim()[1] != limit:
            self.image.set_clim(-limit, limit)
            self.colourbar.set_ticks([-limit, 0, limit], labels=[f"{-limit:g}", "0", f"{limit:g}"])
            self.full_redraw = True  # a new scale on the colour bar: draw it again


class WalkView(View):
    """The arrays of one step of a step-through walk, as small heatmaps (rows: the examples
    of the mini-batch; columns: the units)."""

    def build(self) -> None:
        self.axes = [self.figure.add_axes((0.06 + 0.48 * i, 0.08, 0.42, 0.74))
                     for i in range(2)]
        self.images = []
        for ax in self.axes:
            ax.set_xticks([])
            ax.set_yticks([])
            self.images.append(ax.imshow(np.zeros((2, 2)), cmap=UNIT_CMAP, aspect="auto",
                                         interpolation="nearest"))

    def show(self, arrays: dict[str, np.ndarray]) -> None:
        """Show up to two of ``arrays`` (name → array), each scaled to its own largest value."""
        from labnet.walkthrough import heatmap_values

        items = list(arrays.items())[-2:]
        for ax, image, item in zip(self.axes, self.images, [*items, None, None], strict=False):
            ax.set_visible(item is not None)
            if item is None:
                continue
            name, array = item
            values = heatmap_values(np.atleast_2d(array))
            limit = float(np.nanmax(np.abs(values))) if values.size else 1.0
            image.set_data(values)
            image.set_extent((0, values.shape[1], values.shape[0], 0))
            image.set_clim(-(limit or 1.0), limit or 1.0)
            ax.set_title(_wrap(f"{name} {tuple(np.shape(array))}", 28),
                         fontsize=8 * self.scale, y=1.01)
        self.full_redraw = True

    def update(self, model: LabModel) -> None:
        pass
