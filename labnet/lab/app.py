"""The lab's widgets: controls that call ``Lab`` methods, and images that show the views.

This is the only module of labnet that imports ipywidgets. It holds no state of its own beyond
what the widgets show: the state is the ``LabModel``; the pictures are the ``views``.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time
import traceback
from typing import TYPE_CHECKING

import ipywidgets as widgets
from ipyevents import Event

from labnet.data import DATASETS
from labnet.lab.model import INPUT, LEARNING_RATES, PALETTE, NodeSpec, single_blas_thread
from labnet.lab.views import (
    BoundaryView,
    CurvesView,
    GradientsView,
    GraphView,
    NodeView,
    WalkView,
    placeholder,
)
from labnet.losses import LOSSES
from labnet.optim import OPTIMIZERS
from labnet.presets import PRESETS

if TYPE_CHECKING:
    from labnet.lab.lab import Lab

BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
POINT_COUNTS = (100, 200, 500, 1000, 2000, 5000)
# While playing, the boundary is drawn MAX_FPS times a second, and the other views each at
# most every SLOW_VIEW_INTERVAL seconds; on a slow machine less often, so that drawing never
# takes more than these shares of the time. On a machine like ours a boundary frame costs
# ~6 ms alone, ~10 ms beside a browser: drawing takes 15-25 % of the time.
MAX_FPS = 18.0
BOUNDARY_SHARE = 0.3
OTHERS_SHARE = 0.04
SLOW_VIEW_INTERVAL = 0.3
PRESET_NAMES = {
    "seed": "seed: 2-25-25-25-2",
    "figure1": "report's Figure 1 (skip into Sum)",
    "deep-sigmoid": "deep sigmoid stack",
    "deep-sigmoid-skip": "deep sigmoid + skips",
}


def _close_tree(widget: widgets.Widget) -> None:
    """Close ``widget`` and every widget inside it (not ``Widget.close_all``: that closes
    every widget of the kernel)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _choice(node, spec: NodeSpec | None) -> tuple[str, object]:
    """A dropdown's ``(label, value)`` for a node: ``"3: Linear 25"``, ``"0: input"``."""
    return (f"{node}: input" if node == INPUT else f"{node}: {spec.label()}", node)


def _px(value: float) -> str:
    return f"{round(value)}px"


class LabView:
    """All the widgets of a lab. ``widget`` is the whole app; the controls are attributes, so
    tests can click them: ``view.step_button.click()``, ``view.lr.value = 0.01``."""

    def __init__(self, lab: Lab, scale: float = 1.0, grid: int = 100) -> None:
        self.lab = lab
        self.model = lab.model
        self.scale = scale
        self.views = {
            "boundary": BoundaryView(size=int(400 * scale), grid=grid, scale=scale),
            "curves": CurvesView(int(430 * scale), int(200 * scale), scale),
            "gradients": GradientsView(int(430 * scale), int(200 * scale), scale),
            "graph": GraphView(int(840 * scale), int(250 * scale), scale),
            "node": NodeView(size=int(270 * scale), scale=scale),
            "walk": WalkView(int(280 * scale), int(150 * scale), scale),
        }
        self.images = {
            name: widgets.Image(format=view.fmt, layout=widgets.Layout(
                width=_px(view.width), height=_px(view.height), object_fit="contain"))
            for name, view in self.views.items()
        }
        for name, image in self.images.items():
            image.add_class(f"lab-{name}")
        self._dirty = set(self.views)
        self._last_drawn = dict.fromkeys(self.views, 0.0)
        self._next_time: dict[str, float] = {}  # while playing: when each view may be drawn
        self._scores, self._scores_time = None, 0.0  # the error rates last shown, and when
        self._cost: dict[str, float] = {}  # seconds each view takes to draw (a moving mean)
        self._syncing = False  # True while widgets are set from the model (no feedback)
        self.hidden: set[str] = set()  # views (and "errors") hidden from the class for now
        self._build_controls()
        self.widget = self._layout()
        self.widget.add_class("labnet-lab")
        self.model.listeners.append(self._on_model_change)
        self._on_model_change("graph")
        self._on_model_change("data")
        # clicks on the pictures (ipyevents): add or remove points, pick a node
        self._events = [
            Event(source=self.images["boundary"], watched_events=["click"]),
            Event(source=self.images["graph"], watched_events=["click"]),
        ]
        self._events[0].on_dom_event(self.guarded(self.click_boundary))
        self._events[1].on_dom_event(self.guarded(self.click_graph))

    def close(self) -> None:
        """Stop listening to the model and close every widget (the view is replaced)."""
        if self._on_model_change in self.model.listeners:
            self.model.listeners.remove(self._on_model_change)
        for event in self._events:
            event.close()
        _close_tree(self.widget)

    # -- controls -------------------------------------------------------------------------------
    def _button(self, description: str, css: str, action, tooltip: str = "",
                style: str = "") -> widgets.Button:
        button = widgets.Button(description=description, tooltip=tooltip or description,
                                button_style=style,
                                layout=widgets.Layout(width="auto", min_width="60px"))
        button.add_class(css)
        button.on_click(self.guarded(lambda _button: action()))
        return button

    def _on_value(self, widget: widgets.Widget, action) -> None:
        def handler(change):
            if not self._syncing:
                action(change["new"])
        widget.observe(self.guarded(handler), names="value")

    def _build_controls(self) -> None:
        lab, model = self.lab, self.model
        description = {"description_width": "88px"}
        wide = widgets.Layout(width="100%")
        # training
        self.step_button = self._button("Step", "lab-step", lab.step, "train on one mini-batch")
        self.epoch_button = self._button("Epoch", "lab-epoch", lab.epoch,
                                         "train to the end of the epoch")
        self.play_button = self._button("▶ Play", "lab-play", self._toggle_play,
                                        "train continuously / pause", style="success")
        self.reset_button = self._button("Reset", "lab-reset", lab.reset,
                                         "new weights, new optimizer, empty history",
                                         style="warning")
        self.loss = widgets.Dropdown(options=list(LOSSES), value=model.loss,
                                     description="loss", style=description, layout=wide)
        self.optimizer = widgets.Dropdown(options=list(OPTIMIZERS), value=model.optimizer,
                                          description="optimizer", style=description,
                                          layout=wide)
        self.lr = widgets.SelectionSlider(options=list(LEARNING_RATES), value=model.lr,
                                          description="learning rate", style=description,
                                          continuous_update=False, layout=wide)
        self.batch_size = widgets.Dropdown(options=list(BATCH_SIZES), value=model.batch_size,
                                           description="batch size", style=description,
                                           layout=wide)
        self._on_value(self.loss, lambda v: lab.set_training(loss=v))
        self._on_value(self.optimizer, lambda v: lab.set_training(optimizer=v))
        self._on_value(self.lr, lambda v: lab.set_training(lr=v))
        self._on_value(self.batch_size, lambda v: lab.set_training(batch_size=v))
        # data
        datasets = list(DATASETS) + (["custom"] if model.custom_data is not None else [])
        self.dataset = widgets.Dropdown(options=datasets, value=model.dataset,
                                        description="data", style=description, layout=wide)
        self.noise = widgets.FloatSlider(value=model.noise, min=0.0, max=0.5, step=0.05,
                                         description="noise", style=description,
                                         continuous_update=False, layout=wide)
        self.n_points = widgets.Dropdown(options=list(POINT_COUNTS), value=model.n_points,
                                         description="points", style=description,
                                         layout=wide)
        self.test_fraction = widgets.FloatSlider(
            value=model.test_fraction, min=0.1, max=0.9, step=0.05, description="test part",
            style=description, continuous_update=False, readout_format=".0%", layout=wide)
        self.data_seed = widgets.IntText(value=model.data_seed, description="seed",
                                         style=description, layout=widgets.Layout(width="60%"))
        self.regenerate_button = self._button(
            "New data", "lab-regenerate",
            lambda: lab.set_data(seed=self.data_seed.value), "make the data again with this seed")
        self.standardize = widgets.Checkbox(
            value=model.standardize, indent=False, description="standardise inputs",
            tooltip="the network sees (x − mean) / std of the training points",
            layout=widgets.Layout(width="150px"))
        self._on_value(self.standardize, lab.set_standardize)
        self.show_test = widgets.Checkbox(value=True, description="test points", indent=False,
                                          layout=widgets.Layout(width="110px"))
        self.discretize = widgets.Checkbox(value=False, description="discretise",
                                           tooltip="colour by class, not by score",
                                           indent=False, layout=widgets.Layout(width="110px"))
        self._on_value(self.dataset, lambda v: lab.set_data(dataset=v))
        self._on_value(self.noise, lambda v: lab.set_data(noise=v))
        self._on_value(self.n_points, lambda v: lab.set_data(n_points=v))
        self._on_value(self.test_fraction, lambda v: lab.set_data(test_fraction=v))
        self._on_value(self.show_test, lambda v: lab.show(test_points=v))
        self._on_value(self.discretize, lambda v: lab.show(discretize=v))
        # graph editing
        self.kind = widgets.Dropdown(options=list(PALETTE), value="Linear", description="module",
                                     style={"description_width": "50px"},
                                     layout=widgets.Layout(width="160px"))
        self.width = widgets.BoundedIntText(value=8, min=1, max=1024, description="width",
                                            style={"description_width": "40px"},
                                            layout=widgets.Layout(width="110px"))
        self.kind.observe(lambda change: setattr(
            self.width.layout, "visibility",
            "visible" if change["new"] == "Linear" else "hidden"), names="value")
        self.add_button = self._button("Add", "lab-add", self._add, "add the module as a new node")
        self.source = widgets.Dropdown(description="from", style={"description_width": "36px"},
                                       layout=widgets.Layout(width="50%"))
        self.target = widgets.Dropdown(description="to", style={"description_width": "22px"},
                                       layout=widgets.Layout(width="50%"))
        self.connect_button = self._button(
            "Connect", "lab-connect", lambda: lab.connect(self.source.value, self.target.value))
        self.disconnect_button = self._button(
            "Disconnect", "lab-disconnect",
            lambda: lab.disconnect(self.source.value, self.target.value))
        self.node = widgets.Dropdown(description="node", style=description, layout=wide)
        self.remove_button = self._button("Remove", "lab-remove",
                                          lambda: lab.remove(self.node.value))
        self.undo_button = self._button("Undo", "lab-undo", lab.undo, "undo the last graph edit")
        self.preset = widgets.Dropdown(options=[(label, name) for name, label in
                                                PRESET_NAMES.items() if name in PRESETS],
                                       value="seed", layout=widgets.Layout(width="230px"))
        self.preset_button = self._button("Load preset", "lab-preset",
                                          lambda: lab.load_preset(self.preset.value),
                                          "replace the graph (Undo brings it back)")
        # clicks on the plane
        self.click_mode = widgets.Dropdown(
            options=[("does nothing", "off"), ("adds an orange point", 0),
                     ("adds a blue point", 1), ("removes the nearest point", "remove")],
            value="off", description="a click", style=description, layout=wide,
            tooltip="what a click on the decision boundary's plane does")
        # looking inside: one unit of one node over the plane
        self.look_node = widgets.Dropdown(description="node", style=description, layout=wide)
        self.look_unit = widgets.BoundedIntText(value=0, min=0, max=0, description="unit",
                                                style=description, layout=wide)
        self._on_value(self.look_node, lambda v: lab.look_at(v, self.look_unit.value))
        self._on_value(self.look_unit, lambda v: lab.look_at(self.look_node.value, v))
        # stepping through one mini-batch, node by node
        self.walk_start = self._button("Start", "lab-walk-start", lab.start_walk,
                                       "walk through the next mini-batch, node by node")
        self.walk_back = self._button("◀", "lab-walk-back", lab.walk_back, "one node back")
        self.walk_next = self._button("▶", "lab-walk-next", lab.walk_next, "one node further")
        self.walk_finish = self._button("Finish", "lab-walk-finish", lab.finish_walk,
                                        "run the rest of the step and update the weights")
        self.walk_text = widgets.HTML("Start a walk: one training step, one node at a time.")
        self.walk_text.add_class("lab-walk-text")
        # teaching
        self.hide_toggles = {
            name: widgets.ToggleButton(value=False, description=name, tooltip=f"hide the {name}",
                                       layout=widgets.Layout(width="auto"))
            for name in ("boundary", "curves", "gradients", "graph", "errors")
        }
        for name, toggle in self.hide_toggles.items():
            toggle.add_class(f"lab-hide-{name}")
            self._on_value(toggle, lambda hidden, name=name: (
                lab.hide(name) if hidden else lab.reveal(name)))
        self.file_name = widgets.Text(value="my-lab.npz", description="file",
                                      style={"description_width": "36px"},
                                      layout=widgets.Layout(width="100%"))
        self.save_button = self._button("Save", "lab-save", lambda: lab.save(self.file_name.value),
                                        "save the whole lab to the file")
        self.open_button = self._button("Open", "lab-open", self._open,
                                        "open a lab saved in the file (click twice)")
        self._open_armed = 0.0  # when Open was clicked once: a second click opens
        self.code = widgets.Textarea(layout=widgets.Layout(width="100%", height="160px"),
                                     placeholder="the network as Python code")
        self.code.add_class("lab-code")
        self.export_button = self._button(
            "Export as code", "lab-export",
            lambda: setattr(self.code, "value", lab.export_code()),
            "the network being trained, as operators and connectivity dictionaries")
        self.presentation = widgets.Checkbox(value=self.scale > 1, indent=False,
                                             description="presentation (1.4× larger)",
                                             tooltip="larger fonts and figures, for a projector")
        self._on_value(self.presentation, lambda v: lab.set_scale(1.4 if v else 1.0))
        for name in ("kind", "width", "source", "target", "node", "loss", "optimizer", "lr",
                     "batch_size", "dataset", "noise", "n_points", "test_fraction", "preset",
                     "show_test", "discretize", "data_seed", "click_mode", "look_node",
                     "look_unit", "presentation", "file_name", "standardize"):
            getattr(self, name).add_class(f"lab-{name.replace('_', '-')}")
        # status and messages
        self.status = widgets.HTML()
        self.status.add_class("lab-status")
        self.message = widgets.HTML()
        self.message.add_class("lab-message")

    def _layout(self) -> widgets.Widget:
        def section(title: str, *children) -> widgets.VBox:
            heading = widgets.HTML(f"<b style='font-size:{round(13 * self.scale)}px'>"
                                   f"{title}</b>")
            return widgets.VBox([heading, *children],
                                layout=widgets.Layout(margin="0 0 6px 0"))

        row = widgets.HBox
        build_and_train = widgets.VBox([
            section("Train",
                    row([self.step_button, self.epoch_button, self.play_button,
                         self.reset_button]),
                    self.loss, self.optimizer, self.lr, self.batch_size),
            section("Data", self.dataset, self.noise, self.n_points, self.test_fraction,
                    row([self.data_seed, self.regenerate_button]),
                    self.standardize, row([self.show_test, self.discretize]),
                    self.click_mode),
            section("Graph", row([self.kind, self.width]),
                    row([self.add_button, self.undo_button]),
                    row([self.source, self.target]),
                    row([self.connect_button, self.disconnect_button]),
                    row([self.node, self.remove_button])),
        ])
        walk_buttons = [self.walk_start, self.walk_back, self.walk_next, self.walk_finish]
        for button in walk_buttons:
            button.layout.min_width = "44px"
        inside = widgets.VBox([
            section("Step through one mini-batch", widgets.HBox(walk_buttons),
                    self.walk_text, self.images["walk"]),
            section("One unit over the plane",
                    widgets.HTML("Pick a node here or click it on the graph."),
                    self.look_node, self.look_unit, self.images["node"]),
        ])
        teach = widgets.VBox([
            section("Hide, to ask the class first", widgets.HBox(
                list(self.hide_toggles.values()), layout=widgets.Layout(flex_flow="row wrap"))),
            section("Projector", self.presentation),
            section("Save and share", self.file_name,
                    widgets.HBox([self.save_button, self.open_button, self.export_button]),
                    self.code),
        ])
        self.tabs = widgets.Tab(children=[build_and_train, inside, teach],
                                titles=["Build & train", "Inside", "Teach"])
        self.tabs.add_class("lab-tabs")
        controls = widgets.VBox([self.tabs], layout=widgets.Layout(
            width=_px(300 * self.scale), padding="0 8px 0 0"))
        # as tall as the pictures: the controls scroll within it if they need more
        self.tabs.layout.height = _px(self.views["boundary"].height + self.views["graph"].height)
        for page in self.tabs.children:
            page.layout.overflow_y = "auto"
        pictures = widgets.VBox([
            row([self.images["boundary"],
                 widgets.VBox([self.images["curves"], self.images["gradients"]])]),
            self.images["graph"],
        ])
        header = row([
            widgets.HTML(f"<b style='font-size:{round(18 * self.scale)}px'>labnet lab</b>",
                         layout=widgets.Layout(margin="0 16px 0 0")),
            self.preset, self.preset_button, self.status,
        ], layout=widgets.Layout(align_items="center"))
        return widgets.VBox([header, self.message, row([controls, pictures])])

    # -- actions that need the view -------------------------------------------------------------
    def _toggle_play(self) -> None:
        if self.lab.playing:
            self.lab.pause()
        else:
            self.lab.play()

    def click_boundary(self, event: dict) -> None:
        """A click on the plane adds a point of the chosen class, or removes the nearest one."""
        mode = self.click_mode.value
        if mode == "off":
            return
        where = self.views["boundary"].data_coordinates(event["dataX"], event["dataY"])
        if where is None:
            return
        if mode == "remove":
            self.lab.remove_point(*where)
        else:
            self.lab.add_point(*where, label=mode)

    def click_graph(self, event: dict) -> None:
        """A click on a node of the graph picks it: for the node view, and for the edits."""
        node = self.views["graph"].node_at(event["dataX"], event["dataY"])
        if node is None:
            return
        with self._quietly():
            for dropdown in (self.node, self.source, self.look_node):
                if node in [value for _, value in dropdown.options]:
                    dropdown.value = node
        self.lab.look_at(node, 0)

    def _open(self) -> None:
        """Open asks first: it replaces the graph, the weights and the data being shown."""
        path = self.file_name.value
        if time.perf_counter() - self._open_armed > 10:
            self._open_armed = time.perf_counter()
            self.open_button.description = "Open: sure?"
            self.show_message(f"Opening {path} replaces this lab: its graph, weights, data and "
                              f"history. Click “Open: sure?” to go on.", sticky=True)
            return
        self._open_armed = 0.0
        self.open_button.description = "Open"
        self.lab.load(path)

    def _add(self) -> None:
        params = {"width": self.width.value} if self.kind.value == "Linear" else {}
        node = self.lab.add(self.kind.value, **params)
        self.target.value = node

    @contextlib.contextmanager
    def _quietly(self):
        """Set widgets from the model inside this block: their observers do not act on it."""
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    def guarded(self, handler):
        """Wrap a widget callback: it runs on the event loop's thread, between two turns of
        the play loop (ipykernel 7 may deliver a click on another thread while the kernel is
        busy); an exception shows in the lab's message area, never lost in a log."""
        def run(*args):
            loop = self.lab.event_loop
            if (loop is not None and threading.get_ident() != self.lab.event_loop_thread
                    and loop.is_running()):
                loop.call_soon_threadsafe(run_here, *args)
            else:
                run_here(*args)

        def run_here(*args):
            if self.message.value and not self._message_sticky:
                self.show_message("")  # a new action: the last one's message has been read
            try:
                handler(*args)
            except ValueError as error:  # the user's mistake: say what it is
                self.show_message(str(error), error=True)
            except Exception as error:  # our bug: say so, keep the traceback for a report
                self.lab.last_traceback = traceback.format_exc()
                self.show_message(f"internal error ({type(error).__name__}: {error}); "
                                  f"the traceback is in lab.last_traceback", error=True)
        return run

    _message_sticky = False

    def show_message(self, text: str, error: bool = False, sticky: bool = False) -> None:
        """Show ``text`` above the lab (red if ``error``); "" clears it."""
        self._message_sticky = sticky and bool(text)
        if not text:
            self.message.value = ""
            return
        colour = "#c0392b" if error else "#1f618d"
        self.message.value = (f"<div style='color:{colour};font-size:{round(13 * self.scale)}px;"
                              f"white-space:normal'>{html.escape(text)}</div>")

    # -- keeping the pictures and the widgets in step with the model ----------------------------
    def _on_model_change(self, what: str) -> None:
        model = self.model
        views = self.views
        if what == "graph":
            views["graph"].set_graph(model)
            if model.graph_error is None:
                views["gradients"].set_network(model)
            self._sync_node_choices()
            self._sync_look()
            self._dirty.update(self.views)
            if model.graph_error:
                self.show_message(f"The graph is not a valid network yet: {model.graph_error} "
                                  f"(training goes on with the last valid one)", error=True,
                                  sticky=True)
            elif self._message_sticky:
                self.show_message("")
        elif what == "data":
            views["boundary"].set_data(model)
            views["node"].set_data(model)
            self._dirty.update(("boundary", "curves", "node"))
            self._sync_widgets()
        elif what == "train":
            self._dirty.update(name for name in self.views if name != "walk")
        elif what == "settings":
            self._dirty.add("boundary")
            self._sync_widgets()

    def _sync_look(self) -> None:
        """The node view's choices: every node of the network; the unit within its width."""
        network = self.model.network
        nodes = [INPUT, *network.order] if network else [INPUT]
        with self._quietly():
            self.look_node.options = [
                _choice(n, NodeSpec.of(network.operators[n]) if n != INPUT else None)
                for n in nodes]
            view = self.views["node"]
            if view.node not in nodes:
                view.node = None
            self.look_node.value = view.node if view.node is not None else nodes[-1]
            width = network.widths.get(self.look_node.value) if network else None
            self.look_unit.max = max((width or 1) - 1, 0)

    def look_at(self, node, unit: int) -> None:
        """Show unit ``unit`` of ``node`` in the node view, and outline the node on the graph."""
        network = self.model.network
        if network is None or (node != INPUT and node not in network.operators):
            raise ValueError(f"node {node!r} is not in the network being trained")
        width = network.widths[node]
        if not 0 <= unit < width:
            raise ValueError(f"node {node!r} has {width} units: unit must be 0 to {width - 1}")
        self.views["node"].select(self.model, node, unit)
        self.views["graph"].highlight(node)
        with self._quietly():
            self.look_node.value = node
            self.look_unit.max = width - 1
            self.look_unit.value = unit
        self._dirty.update(("node", "graph"))

    def show_points(self, test_points: bool | None, discretize: bool | None) -> None:
        """Show or hide the test points; colour the plane by score or by class."""
        boundary = self.views["boundary"]
        with self._quietly():
            if test_points is not None:
                boundary.show_test = self.show_test.value = bool(test_points)
                boundary.set_data(self.model)
            if discretize is not None:
                boundary.discretize = self.discretize.value = bool(discretize)
        self._dirty.add("boundary")

    def show_walk(self, walk) -> None:
        """Show the walk's current step: what the node received and produced (or the gradient
        it received and passed on), and outline the node on the graph."""
        if walk is None:
            self.walk_text.value = "Start a walk: one training step, one node at a time."
            self.views["graph"].highlight(None)
            self._dirty.add("graph")
            return
        step = walk.current
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{tuple(stats['shape'])}</td>"
            f"<td>{stats['mean']:+.3f}</td><td>{stats['std']:.3f}</td>"
            f"<td>{stats['min']:+.2f}…{stats['max']:+.2f}</td></tr>"
            for name, stats in step.stats().items())
        where = "" if step.node is None else f" · node {step.node}"
        size = round(12 * self.scale)
        self.walk_text.value = (
            f"<div style='font-size:{size}px;line-height:1.3'>"
            f"<b>{step.index + 1}/{len(walk)} · {step.phase}{html.escape(str(where))}</b>"
            f"{'' if step.module == step.phase else ' · ' + html.escape(step.module)}"
            f"<br>{html.escape(step.text)}"
            f"<table style='font-size:{size - 1}px'><tr><th>array</th><th>shape</th>"
            f"<th>mean</th><th>std</th><th>range</th></tr>{rows}</table></div>")
        self.views["walk"].show(step.arrays)
        self.views["graph"].highlight(step.node)
        self._dirty.update(("walk", "graph"))
        self.walk_back.disabled = walk.at_start
        self.walk_next.disabled = self.walk_finish.disabled = walk.done

    def hide(self, name: str, hidden: bool = True) -> None:
        """Hide a view (or the error rates, ``"errors"``) from the class, or show it again."""
        if name not in self.hide_toggles:
            raise ValueError(f"cannot hide {name!r}; choose one of {', '.join(self.hide_toggles)}")
        if hidden:
            self.hidden.add(name)
            if name in self.images:
                view = self.views[name]
                self.images[name].format = "png"
                self.images[name].value = placeholder(view.width, view.height, name, self.scale)
        else:
            self.hidden.discard(name)
            if name in self.images:
                self.images[name].format = self.views[name].fmt
                self._dirty.add(name)
        with self._quietly():
            self.hide_toggles[name].value = hidden

    def _sync_node_choices(self) -> None:
        nodes = [INPUT, *self.model.nodes]
        labels = [_choice(node, self.model.nodes.get(node)) for node in nodes]
        with self._quietly():
            for dropdown, choices in ((self.source, labels), (self.target, labels[1:]),
                                      (self.node, labels[1:])):
                old = dropdown.value
                dropdown.options = choices
                values = [value for _, value in choices]
                if old in values:
                    dropdown.value = old
                elif values:
                    dropdown.value = values[-1]

    def _sync_widgets(self) -> None:
        """Show the model's settings in the controls (after a change made from Python)."""
        model = self.model
        with self._quietly():
            for name, value in (("loss", model.loss), ("optimizer", model.optimizer),
                                ("batch_size", model.batch_size), ("dataset", model.dataset),
                                ("noise", model.noise), ("n_points", model.n_points),
                                ("test_fraction", model.test_fraction),
                                ("data_seed", model.data_seed),
                                ("standardize", model.standardize)):
                widget = getattr(self, name)
                options = getattr(widget, "options", None)
                if options is not None and value not in [
                        o[1] if isinstance(o, tuple) else o for o in options]:
                    widget.options = sorted({*options, value})
                if widget.value != value:
                    widget.value = value
            if model.lr in LEARNING_RATES and self.lr.value != model.lr:
                self.lr.value = model.lr

    def due(self) -> list[str]:
        """The views to redraw: those that changed and are not hidden."""
        return [name for name in self.views if name in self._dirty and name not in self.hidden
                and (name != "node" or self.views["node"].node is not None
                     or not self.images["node"].value)]

    def next_to_draw(self, now: float) -> str | None:
        """While playing: the view to draw now, if one's time has come. The boundary comes
        first, as often as its budget allows; the others, one at a time, the one waiting
        longest first, each at most every ``SLOW_VIEW_INTERVAL`` seconds."""
        due = [name for name in self.due() if now >= self._next_time.get(name, 0.0)]
        if "boundary" in due:
            return "boundary"
        return min(due, key=self._last_drawn.__getitem__, default=None)

    def draw(self, name: str) -> None:
        """Update one view from the model and show its new picture (and, with the boundary,
        the status line). Keeps the view's cost, and says when it may be drawn next while
        playing, so that drawing takes at most its share of the time."""
        start = time.perf_counter()
        with single_blas_thread():
            view = self.views[name]
            view.update(self.model)
            full = view.full_redraw  # a full redraw is rare and slow: not what a frame costs
            self.images[name].value = view.render()
            if name == "boundary":
                self.update_status()
        self._dirty.discard(name)
        end = time.perf_counter()
        cost = end - start
        if not full or name not in self._cost:
            cost = min(cost, 0.005) if full else cost
            self._cost[name] = 0.7 * self._cost.get(name, cost) + 0.3 * cost
        if name == "boundary":
            interval = max(1.0 / MAX_FPS, self._cost[name] / BOUNDARY_SHARE)
        else:  # the views that change with training share OTHERS_SHARE
            others = len({"curves", "gradients", "graph", "node"} - self.hidden)
            interval = max(SLOW_VIEW_INTERVAL, self._cost[name] * others / OTHERS_SHARE)
        self._last_drawn[name] = end
        # like a metronome: the next frame is due one interval after this one was due (not
        # after it was drawn), so frames keep their rate though turns end at uneven times
        due = self._next_time.get(name, 0.0)
        on_time = 0.0 <= start - due < interval  # not early (a click's redraw), not far behind
        self._next_time[name] = (due if on_time else start) + interval

    def time_to_next_frame(self, now: float) -> float:
        """Seconds until the boundary's next frame is due (0 if it is due now)."""
        return max(self._next_time.get("boundary", 0.0) - now, 0.0)

    def refresh(self) -> list[str]:
        """Redraw every view that changed, and the status line; return the views drawn."""
        due = self.due()
        for name in due:
            self.draw(name)
        if "boundary" not in due:
            self.update_status()
        return due

    def update_status(self) -> None:
        model, lab = self.model, self.lab
        trainer = model.trainer
        if trainer is None:
            self.status.value = "<span>no valid network yet</span>"
            return
        # the error rates cost two passes over the data: while playing, four times a second
        now = time.perf_counter()
        if not lab.playing or now - self._scores_time >= 0.25 or self._scores is None:
            self._scores, self._scores_time = lab.scores(), now
        scores = self._scores
        loss = trainer.history.step_loss[-1] if trainer.history.step_loss else float("nan")
        parts = [
            f"epoch <b>{trainer.epochs}</b>",
            f"step <b>{trainer.steps}</b>",
            f"loss <b>{loss:.4f}</b>",
            *(["train error <b>?</b>", "test error <b>?</b>"] if "errors" in self.hidden else
              [f"train error <b>{100 * scores['train_error']:.1f}%</b>",
               f"test error <b>{100 * scores['test_error']:.1f}%</b>"]),
            f"<b>{lab.steps_per_second:,.0f}</b> steps/s" if lab.playing else "paused",
        ]
        size = round(14 * self.scale)
        self.status.value = (f"<span style='font-size:{size}px;margin-left:16px'>"
                             + " &middot; ".join(parts) + "</span>")

    def set_playing(self, playing: bool) -> None:
        self.play_button.description = "⏸ Pause" if playing else "▶ Play"
        self.play_button.button_style = "danger" if playing else "success"
