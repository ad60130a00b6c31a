"""The JSON of the widget's traits: the graph, the settings and the status as the page shows
them (``static/protocol.js`` describes each)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from labnet.lab import streams
from labnet.lab.dataset import CUSTOM, MAX_NOISE, MAX_POINTS, MIN_POINTS, TEST_FRACTIONS
from labnet.lab.display import CLICK_MODES, EDGE_MODES, VIEWS
from labnet.lab.edits import ACTIVATIONS
from labnet.lab.pictures import BOUNDARY_STOPS, CLASS_COLOURS, GRADIENT_DECADES, GRADIENT_STOPS

if TYPE_CHECKING:
    from labnet.lab.lab import Lab


def graph_json(lab: Lab) -> dict:
    state = lab.state
    graph, network = state.graph, state.network
    widths = {}
    with contextlib.suppress(ValueError):  # a graph read from a file may not fit yet
        widths = graph.widths()
    nodes = [{"id": 0, "kind": "input", "label": "input", "short": "x", "params": {},
              "x": graph.position(0)[0], "y": graph.position(0)[1], "width": 2,
              "trained": network is not None}]
    for node, spec in graph.nodes.items():
        x, y = graph.position(node)
        nodes.append({"id": node, "kind": spec.kind, "label": spec.label(),
                      "short": spec.short_label(), "params": _json_params(spec.params()),
                      "x": x, "y": y, "width": widths.get(node),
                      "trained": network is not None and node in network.operators
                      and network.operators[node] is state.modules.get(node)})
    return {"nodes": nodes, "edges": [list(edge) for edge in graph.edges],
            "output": None if network is None else network.output,
            "error": state.graph_error, "can_undo": state.can_undo, "can_redo": state.can_redo}


def _json_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if isinstance(v, int | float | str | bool)}


def settings_json(lab: Lab) -> dict:
    from labnet.data import DATASETS
    from labnet.losses import LOSSES
    from labnet.optim import OPTIMIZERS
    from labnet.presets import PRESETS

    state = lab.state
    data, training = state.data.settings, state.training
    datasets = list(DATASETS) + ([CUSTOM] if state.data.points is not None else [])
    return {
        "data": {"dataset": data.dataset, "noise": data.noise,
                 "n_points": len(state.data.x_all) if data.dataset == CUSTOM else data.n_points,
                 "test_fraction": data.test_fraction, "seed": data.seed,
                 "standardize": data.standardize},
        "training": {"loss": training.loss, "optimizer": training.optimizer,
                     "lr": training.lr, "batch_size": training.batch_size,
                     "max_steps_per_second": training.max_steps_per_second},
        "choices": {"datasets": datasets, "losses": list(LOSSES),
                    "optimizers": list(OPTIMIZERS), "presets": list(PRESETS),
                    "palette": list(state.palette), "views": list(VIEWS),
                    "clicks": list(CLICK_MODES), "edge_modes": list(EDGE_MODES),
                    "activations": list(ACTIVATIONS)},
        "limits": {"noise": [0, MAX_NOISE], "points": [MIN_POINTS, MAX_POINTS],
                   "test_fraction": list(TEST_FRACTIONS),
                   "lr": [1e-4, 10]},  # the slider's span: the box takes any rate
        "colours": {"classes": list(CLASS_COLOURS), "boundary": list(BOUNDARY_STOPS),
                    "gradient": list(GRADIENT_STOPS), "decades": GRADIENT_DECADES},
    }


def status_json(lab: Lab) -> dict:
    state = lab.state
    trainer = state.trainer
    status = {"playing": lab.playing, "steps_per_second": lab.steps_per_second,
              "network": state.network is not None, "errors_hidden":
              "errors" in lab.display.hidden}
    if trainer is None:
        return status
    if not lab.playing:
        lab.player.score_now()  # exact figures when nothing moves (soon, if there are many)
    latest = state.scorer.latest or {}
    loss = trainer.history.step_loss[-1] if trainer.history.step_loss else None
    status.update(epoch=trainer.epochs, step=trainer.steps, loss=streams._finite(loss)
                  if loss is not None else None, scored_step=latest.get("step"))
    for name in ("train_error", "test_error", "train_loss", "test_loss"):
        if name in latest:
            status[name] = streams._finite(latest[name])
    return status
