"""The JSON of the widget's traits (``labnet.lab.traits``): each a pure function of what it shows,
in plain JSON numbers (finite, or null), following the state it is of."""

import json
import math

import numpy as np

from labnet.lab import Lab
from labnet.lab.jsonnumbers import json_number
from labnet.lab.traits import (
    graph_json,
    settings_json,
    status_json,
    view_json,
    walk_json,
)


def test_the_status_holds_finite_numbers_or_null_even_for_a_diverged_network():
    # (issue 9: the status line printed a diverged loss as an 80-digit number)
    lab = Lab()
    lab.state.trainer.history.step_loss.append(1e300)
    for value, _ in lab.network.params():
        value[...] = 1e300
    lab.state.scorer.clear()  # (the weights changed behind the lab's back)
    lab.scores()
    status = status_json(lab.state, lab.player, lab.display)
    json.dumps(status, allow_nan=False)
    assert status["loss"] == 1e300 and status["train_loss"] in (None, 1e308, -1e308)
    assert all(v is None or isinstance(v, bool) or math.isfinite(v) for v in status.values())


def test_the_status_is_built_without_scoring_anything():
    # (issue 14: building the status's JSON computed the scores)
    lab = Lab()
    lab.step(3)
    lab.state.scorer.clear()
    before = lab.state.scorer.work_left()
    status = status_json(lab.state, lab.player, lab.display)
    assert "train_error" not in status and status["scored_step"] is None
    assert lab.state.scorer.work_left() == before and lab.state.scorer.latest is None


def test_graph_and_settings_json_follow_edits_and_settings():
    lab = Lab()
    node = lab.add("Linear", width=8)
    graph = lab.widget.graph
    new = next(n for n in graph["nodes"] if n["id"] == node)
    assert new["params"]["width"] == 8 and new["width"] == 8
    assert not new["trained"] and graph["can_undo"]
    lab.set_params(3, width=6)
    assert lab.widget.graph == graph_json(lab.state)
    assert next(n for n in lab.widget.graph["nodes"] if n["id"] == 3)["width"] == 6
    lab.set_training(lr=0.05, batch_size=32)
    assert lab.widget.settings["training"]["lr"] == 0.05
    assert lab.widget.settings == settings_json(lab.state)
    lab.add_point(0.5, 0.5, 1)
    assert "custom" in lab.widget.settings["choices"]["datasets"]
    assert lab.widget.settings["data"]["n_points"] == 2001  # the points there are


def test_the_view_and_the_walk_are_what_the_display_says():
    lab = Lab()
    assert walk_json(None, lab.state.data) == {}
    view = view_json(lab.display)
    assert view["walking"] is False and view["hidden"] == [] and view["scale"] == 1.0
    lab.hide("errors")
    lab.look_at(3, 2)
    view = view_json(lab.display)
    assert view["hidden"] == ["errors"] and view["picked"] == 3 and [3, 2] in view["units"]
    lab.start_walk()
    lab.walk_next()
    walk = walk_json(lab.display.walk, lab.state.data)
    assert walk["index"] == 1 and walk["step"]["phase"] == "forward" and walk["step"]["node"] == 1
    assert walk["total"] == len(lab.display.walk) and not walk["done"]
    assert walk["train"] is True and walk["point"] is None and walk["lr"] == 0.1
    json.dumps(walk, allow_nan=False)
    assert view_json(lab.display)["walking"] is True


def test_json_number_gives_numbers_json_can_carry():
    assert json_number(math.nan) is None
    assert json_number(math.inf) == 1e308 and json_number(-math.inf) == -1e308
    assert json_number(np.float32(0.5)) == 0.5 and type(json_number(np.float64(2))) is float


def test_the_settings_tell_the_page_the_servers_cap(monkeypatch):
    monkeypatch.delenv("LABNET_MAX_STEPS_PER_SECOND", raising=False)
    lab = Lab(grid=8)
    assert lab.widget.settings["limits"]["server_cap"] is None
    lab.close()
    monkeypatch.setenv("LABNET_MAX_STEPS_PER_SECOND", "500")
    lab = Lab(grid=8)
    assert lab.widget.settings["limits"]["server_cap"] == 500
    lab.close()
