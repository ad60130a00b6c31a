"""Helpers shared by the lab's tests (``tests/test_lab*.py``): what a lab is now, as a value to
compare before and after an action; running an intent as the browser does; an event loop on a
thread of its own for the play loop."""

from __future__ import annotations

import asyncio
import gc
import json
import math
import threading

import numpy as np

from labnet.lab import Lab, LabState
from labnet.lab.traits import graph_json, settings_json, view_json, walk_json


def add(state: LabState, kind: str, *, at=None, between=None, **params):
    """A node added to a bare state, as ``Lab.add`` adds it; returns its id."""
    graph, node = state.graph.add(kind, params, at=at, between=between)
    state.edit(graph, new_nodes=(node,))
    return node


def epoch(state: LabState) -> int:
    """Train a bare state to the end of its epoch, as ``Lab.epoch`` does; returns the steps."""
    trainer = state.trainer
    epochs = trainer.epochs
    return state.train(10**9, until=lambda: trainer.epochs > epochs, score_epochs=True)


def snapshot(lab: Lab) -> dict:
    """Everything an action may change, as values (arrays copied, objects by identity)."""
    state = lab.state
    trainer, network = state.trainer, state.network
    history = trainer.history if trainer is not None else None
    return {
        "graph": (dict(state.graph.nodes), state.graph.edges, dict(state.graph.positions)),
        "graph_error": state.graph_error,
        "network": id(network),
        "modules": {node: id(module) for node, module in state.modules.items()},
        "weights": [] if network is None else [value.copy() for value, _ in network.params()],
        "data": (id(state.data), state.data.settings),
        "training": state.training,
        "trainer": None if trainer is None else (id(trainer), trainer.steps, trainer.epochs,
                                                 trainer.lr, trainer.batch_size),
        "history": None if history is None else {
            name: len(value) for name, value in history.as_dict().items()},
        "undo": (len(state._undo), len(state._redo)),
        "display": lab.display,
        "playing": lab.playing,
    }


def same(before: dict, after: dict) -> bool:
    """Whether two snapshots are of the same lab (weights compared exactly)."""
    if before.keys() != after.keys():
        return False
    for key in before:
        if key == "weights":
            if len(before[key]) != len(after[key]) or not all(
                    np.array_equal(a, b, equal_nan=True) for a, b in zip(before[key], after[key],
                                                                           strict=True)):
                return False
        elif before[key] != after[key]:
            return False
    return True


def differences(before: dict, after: dict) -> list[str]:
    return [key for key in before if not same({key: before[key]}, {key: after.get(key)})]


def refused(lab: Lab, action: str, args) -> str:
    """Run an intent the lab must refuse; check that it was a user's mistake (a ValueError
    shown in the message line, no internal error) and that nothing changed; return the
    message."""
    lab.widget.last_traceback = None
    before = snapshot(lab)
    result = lab.widget.run(action, args)
    message = lab.widget.message
    assert lab.last_traceback is None, lab.last_traceback
    assert result is None
    assert message.get("error") and message.get("text"), (action, args, message)
    assert "internal error" not in message["text"]
    after = snapshot(lab)
    assert same(before, after), (action, args, differences(before, after))
    return message["text"]


def accepted(lab: Lab, action: str, args=None):
    """Run an intent the lab must accept; check no error was shown; return its result."""
    lab.widget.last_traceback = None
    result = lab.widget.run(action, args or {})
    assert lab.last_traceback is None, lab.last_traceback
    message = lab.widget.message
    assert not (message.get("error") and not message.get("sticky")), (action, args, message)
    return result


def shown_equals_the_model(lab: Lab) -> None:
    """What the widget's traits show is what the lab's state is."""
    widget = lab.widget
    assert widget.graph == graph_json(lab.state)
    assert widget.settings == settings_json(lab.state)
    assert widget.view == view_json(lab.display)
    assert widget.walk == walk_json(lab.display.walk, lab.state.data)
    json.dumps(widget.status, allow_nan=False)  # plain JSON numbers: finite, or None
    for value in widget.status.values():
        assert value is None or isinstance(value, bool | str) or math.isfinite(value)


def in_thread(function):
    """Call ``function()`` on a thread of its own and return what it returns: it gets no event
    loop from the main thread (where Playwright's may be running, after the browser tests)."""
    result = {}

    def target():
        try:
            result["value"] = function()
        except BaseException as error:  # handed to the caller
            result["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def run(coroutine):
    """Run ``coroutine`` to its end on a new event loop, as a kernel's loop would run it."""
    return in_thread(lambda: asyncio.run(coroutine))


def play_for(lab: Lab, seconds: float) -> None:
    """Play, wait ``seconds`` on the event loop, pause, and wait for the play loop to end."""
    async def scenario():
        task = lab.play()
        await asyncio.sleep(seconds)
        lab.pause()
        await task

    run(scenario())


def live_widgets() -> int:
    """How many ipywidgets are alive (open, in ipywidgets' registry)."""
    from ipywidgets.widgets import widget

    gc.collect()
    return len(widget._instances)


def lab_from(path) -> Lab:
    """A new lab, opened from ``path``."""
    lab = Lab()
    lab.open(path)
    return lab


def painted(widget, **frames) -> None:
    """The page says it painted ``frames`` (``boundary=3``), as its ``painted`` message does."""
    widget._on_message(widget, {"type": "painted", "frames": frames}, [])


def messages(lab: Lab) -> list[tuple[dict, list[bytes]]]:
    """From now on, the custom messages the lab's widget sends: ``(content, buffers)``."""
    sent: list[tuple[dict, list[bytes]]] = []
    lab.widget.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    return sent
