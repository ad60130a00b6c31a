"""The JSON of the widget's traits, all of it built here: the graph, the settings, the status,
the view, the walk and the message line as the page shows them (``static/protocol.js``
describes each). Each is a pure function of what it shows.
"""

from __future__ import annotations

import contextlib

from labnet.colours import BOUNDARY_STOPS, CLASS_COLOURS
from labnet.data import DATASETS
from labnet.features import FEATURE_FORMULAS, FEATURE_LABELS, FEATURES
from labnet.lab.dataset import (
    CUSTOM,
    GENERATED,
    MAX_NOISE,
    MAX_POINTS,
    MIN_POINTS,
    TEST_FRACTIONS,
    LabData,
)
from labnet.lab.display import CLASS_NAMES, CLICK_MODES, EDGE_MODES, VIEWS, Display
from labnet.lab.edits import ACTIVATIONS
from labnet.lab.jsonnumbers import json_number
from labnet.lab.lock import CONTROLS, MODES
from labnet.lab.pictures import GRADIENT_DECADES, GRADIENT_STOPS
from labnet.lab.play import Player
from labnet.lab.settings import REGULARIZATION_RATES, REGULARIZATIONS, default_cap
from labnet.lab.state import LabState
from labnet.lab.walking import sample_point
from labnet.losses import LOSSES
from labnet.multiclass import MAX_CLASSES, MULTICLASS_DATASETS
from labnet.optim import OPTIMIZERS
from labnet.presets import PRESETS
from labnet.regression import REGRESSION_DATASETS
from labnet.walkthrough import Walk


def graph_json(state: LabState) -> dict:
    graph, network = state.graph, state.network
    widths = {}
    with contextlib.suppress(ValueError):  # a graph read from a file may not fit yet
        widths = graph.widths()
    nodes = [{"id": 0, "kind": "input", "label": "input", "short": "x", "params": {},
              "x": graph.position(0)[0], "y": graph.position(0)[1],
              "width": len(graph.features),
              "trained": network is not None}]
    for node, spec in graph.nodes.items():
        x, y = graph.position(node)
        nodes.append({"id": node, "kind": spec.kind, "label": spec.label(),
                      "short": spec.short_label(), "params": _json_params(spec.params()),
                      "x": x, "y": y, "width": widths.get(node),
                      "trained": network is not None and node in network.operators
                      and network.operators[node] is state.modules.get(node)})
    return {"nodes": nodes, "edges": [list(edge) for edge in graph.edges],
            "features": list(graph.features),
            "output": None if network is None else network.output,
            "error": state.graph_error, "can_undo": state.can_undo, "can_redo": state.can_redo}


def _json_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if isinstance(v, int | float | str | bool)}


def settings_json(state: LabState) -> dict:
    data, training = state.data.settings, state.training
    datasets = list(GENERATED) + ([CUSTOM] if state.data.points is not None else [])
    return {
        "data": {"dataset": data.dataset, "noise": data.noise,
                 "n_points": len(state.data.x_all) if data.dataset == CUSTOM else data.n_points,
                 "test_fraction": data.test_fraction, "seed": data.seed,
                 "standardize": data.standardize, "classes": data.classes,
                 "task": state.data.task, "outputs": state.data.outputs,
                 "target_range": None if state.data.classes else state.data.target_range},
        "training": {"loss": training.loss, "optimizer": training.optimizer,
                     "lr": training.lr, "batch_size": training.batch_size,
                     "max_steps_per_second": training.max_steps_per_second,
                     "regularization": training.regularization,
                     "regularization_rate": training.regularization_rate},
        "choices": {"datasets": datasets,
                    "dataset_groups": [["2 classes", list(DATASETS)],
                                       ["3+ classes", list(MULTICLASS_DATASETS)],
                                       ["regression", list(REGRESSION_DATASETS)]],
                    "multiclass_datasets": list(MULTICLASS_DATASETS),
                    "class_names": list(CLASS_NAMES), "losses": list(LOSSES),
                    "features": [[name, FEATURE_LABELS[name], FEATURE_FORMULAS[name]]
                                 for name in FEATURES],
                    "optimizers": list(OPTIMIZERS), "presets": list(PRESETS),
                    "palette": list(state.palette), "views": list(VIEWS),
                    "clicks": list(CLICK_MODES), "edge_modes": list(EDGE_MODES),
                    "activations": list(ACTIVATIONS),
                    "regularizations": list(REGULARIZATIONS),
                    "regularization_rates": list(REGULARIZATION_RATES),
                    "controls": [[name, words] for name, words in CONTROLS.items()],
                    "lock_modes": list(MODES)},
        "limits": {"noise": [0, MAX_NOISE], "points": [MIN_POINTS, MAX_POINTS],
                   "test_fraction": list(TEST_FRACTIONS), "classes": [2, MAX_CLASSES],
                   "lr": [1e-4, 10],  # the slider's span: the box takes any rate
                   "server_cap": default_cap()},  # (steps/s: a page may not lift it; or None)
        "colours": {"classes": list(CLASS_COLOURS), "boundary": list(BOUNDARY_STOPS),
                    "gradient": list(GRADIENT_STOPS), "decades": GRADIENT_DECADES},
    }


def status_json(state: LabState, player: Player, display: Display) -> dict:
    """Where training is, and the latest scores (of the step ``scored_step``)."""
    trainer = state.trainer
    status = {"playing": player.playing, "steps_per_second": player.steps_per_second,
              "network": state.network is not None, "errors_hidden": "errors" in display.hidden}
    if trainer is None:
        return status
    latest = state.scorer.latest or {}
    loss = trainer.history.step_loss[-1] if trainer.history.step_loss else None
    status.update(epoch=trainer.epochs, step=trainer.steps,
                  loss=None if loss is None else json_number(loss),
                  scored_step=latest.get("step"))
    for name in ("train_error", "test_error", "train_loss", "test_loss"):
        if name in latest:
            status[name] = json_number(latest[name])
    return status


def view_json(display: Display) -> dict:
    """What is shown (the walk is sent apart, in ``walk_json``)."""
    return {"hidden": sorted(display.hidden), "show_test": display.show_test,
            "discretize": display.discretize, "click": display.click, "edges": display.edges,
            "scale": display.scale, "picked": display.picked,
            "units": [[node, unit] for node, unit in display.units.items()],
            "walking": display.walk is not None, "lock": display.lock.as_json()}


WALK_SHOWN = {"batch": {"rows": 3, "cols": 4, "inner": 4},
              "point": {"rows": 8, "cols": 8, "inner": 8}}
"""How much of each array and formula the walk's trait holds (``Walk.as_json``): walking a
mini-batch, a corner of each (the page says which part); walking one point alone, all of a
layer of up to 8 units (Playground's widest)."""


def walk_json(walk: Walk | None, data: LabData) -> dict:
    """The walk at its cursor, as ``Walk.as_json`` gives it (its arrays and formulas cut as
    ``WALK_SHOWN`` says), and: ``train`` (false: the update is only shown), ``lr``, and
    ``point``, where the point a one-sample walk walks lies ({x1, x2, label}; None for a
    mini-batch). {} without a walk."""
    if walk is None:
        return {}
    shown = WALK_SHOWN["batch" if walk.sample is None else "point"]
    return {**walk.as_json(**shown), "train": walk.train, "lr": json_number(walk.lr),
            "point": sample_point(data, walk)}


def message_json(text: str, error: bool, sticky: bool, number: int) -> dict:
    """The message line: ``sticky``, it says what holds until it is no longer true (the graph
    is not a network yet); ``number`` tells one message from the next."""
    return {"text": text, "error": error, "sticky": sticky, "id": number}
