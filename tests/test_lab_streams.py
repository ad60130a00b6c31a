"""The custom messages the kernel sends the page (``labnet.lab.streams``): each one's content
and binary buffers as ``static/protocol.js`` describes them; the curves sent a few new entries
at a time."""

import json
import math

import numpy as np

import labnet as ln
from labnet.lab import Lab
from labnet.lab.pictures import Pictures
from labnet.lab.streams import (
    EPOCH_SERIES,
    Curves,
    boundary,
    points,
    thumbs,
    unit_map,
    walk_maps,
)
from labnet.lab.traits import walk_json


def parts(message) -> dict[str, np.ndarray]:
    """The series of a curves message, by name, as arrays (with their start)."""
    content, buffers = message
    return {part["name"]: (part["start"], np.frombuffer(buffer, dtype=np.float64))
            for part, buffer in zip(content["series"], buffers, strict=True)}


def test_a_boundary_frame_is_an_n_by_n_grid_of_bytes_over_the_plane():
    lab = Lab()
    content, buffers = boundary(Pictures(lab.state), 16, frame=3)
    assert content["type"] == "boundary" and content["frame"] == 3 and content["n"] == 16
    assert len(content["extent"]) == 4 and [len(b) for b in buffers] == [256]
    json.dumps(content, allow_nan=False)


def test_thumbs_have_one_image_per_node_and_finite_or_null_gradient_norms():
    lab = Lab(preset="figure1")
    lab.step(2)
    content, buffers = thumbs(lab.state, lab.display, Pictures(lab.state), 8, frame=1)
    network = lab.state.network
    assert [node["id"] for node in content["nodes"]] == [0, *network.order]
    assert len(buffers) == 1 and len(buffers[0]) == 64 * (1 + len(network.order))
    assert set(content["grad_norms"]) == {str(node) for node in (0, *network.order)}
    assert len(content["edges"]) == 8 and content["edge_mode"] == "gradient"
    json.dumps(content, allow_nan=False)
    for value in network.grads.values():
        value[...] = np.nan  # a diverged backward: the page gets null, never NaN
    content, _ = thumbs(lab.state, lab.display, Pictures(lab.state), 8, frame=2)
    json.dumps(content, allow_nan=False)
    assert None in content["grad_norms"].values()


def test_after_a_reset_or_a_new_preset_no_gradient_is_sent_for_nodes_or_edges():
    """New weights (Reset) or a new network (a preset) had no backward yet: no node and no edge
    is coloured by the gradient of weights that are gone; the weights' norms still are."""
    lab = Lab()
    lab.step(3)
    content, _ = thumbs(lab.state, lab.display, Pictures(lab.state), 8, frame=1)
    assert content["grad_norms"] and content["edges"]
    for change in (lab.reset, lambda: lab.load_preset("deep-sigmoid-skip")):
        change()
        content, _ = thumbs(lab.state, lab.display, Pictures(lab.state), 8, frame=2)
        assert content["grad_norms"] == {} and content["edges"] == [], change
    lab.show(edges="weights")
    content, _ = thumbs(lab.state, lab.display, Pictures(lab.state), 8, frame=3)
    assert content["edges"] and content["edge_mode"] == "weights"


def test_points_are_sent_as_float32_coordinates_and_uint8_classes():
    lab = Lab()
    lab.set_data(n_points=300, test_fraction=0.2)
    content, buffers = points(lab.state.data)
    assert (content["n_train"], content["n_test"]) == (240, 60)
    assert [len(b) for b in buffers] == [240 * 8, 240, 60 * 8, 60]
    x_train = np.frombuffer(buffers[0], dtype=np.float32).reshape(-1, 2)
    assert np.allclose(x_train, lab.state.data.train[0])
    assert content["dataset"] == "disk"


def test_a_unit_map_is_sent_for_the_node_picked_only():
    lab = Lab()
    pictures = Pictures(lab.state)
    assert unit_map(lab.state, lab.display, pictures, 8) is None
    lab.look_at(3, 4)
    content, buffers = unit_map(lab.state, lab.display, pictures, 8)
    assert (content["node"], content["unit"], content["width"]) == (3, 4, 25)
    assert len(buffers[0]) == 64
    lab.look_at(0, 1)
    assert unit_map(lab.state, lab.display, pictures, 8)[0]["width"] == 2


def test_a_walks_arrays_are_sent_while_it_is_under_way_what_came_in_then_what_went_out():
    lab = Lab()
    assert walk_maps(None) == ({"type": "walkmaps", "index": None, "arrays": []}, [])
    lab.start_walk()
    lab.walk_next()  # node 1, Linear 25: its input (10 × 2) and its output (10 × 25)
    content, buffers = walk_maps(lab.display.walk)
    assert content["index"] == 1
    assert [(a["role"], a["name"], a["shape"], a["rows"], a["cols"]) for a in content["arrays"]
            ] == [("received", "input from node 0", [10, 2], 10, 2),
                  ("passed", "output", [10, 25], 10, 25)]
    step = lab.display.walk.current
    for array, buffer, whole in zip(content["arrays"], buffers,
                                    (*step.received.values(), *step.passed.values()),
                                    strict=True):
        values = np.frombuffer(buffer, "<f4").reshape(array["rows"], array["cols"])
        np.testing.assert_allclose(values, whole, rtol=1e-6)


def test_the_update_sends_each_parameter_before_its_step_and_after():
    lab = Lab()
    lab.start_walk()
    lab.finish_walk()
    keys = list(lab.network.state_dict())
    content, _ = walk_maps(lab.display.walk)
    assert [(a["role"], a["name"]) for a in content["arrays"]] == [
        *(("received", f"{key} before") for key in keys),
        *(("passed", f"{key} {part}") for key in keys for part in ("step", "after"))]


def test_a_big_layers_walk_sends_kilobytes_a_step_not_megabytes():
    """A Linear of 2,000 × 2,000 on a batch of 500: each step's trait and heatmaps stay small
    (the arrays cut to corners, the formulas' sums to a few terms)."""
    net = ln.Network({1: ln.Linear(2, 2000, rng=0), 2: ln.ReLU(),
                      3: ln.Linear(2000, 2000, rng=1), 4: ln.ReLU(),
                      5: ln.Linear(2000, 2, rng=2)}, {0: [1], 1: [2], 2: [3], 3: [4], 4: [5]})
    lab = Lab(network=net, grid=16)
    lab.set_training(batch_size=500)
    walk = lab.start_walk()
    biggest = 0
    while True:
        trait = json.dumps(walk_json(walk, lab.state.data), allow_nan=False)
        content, buffers = walk_maps(walk)
        biggest = max(biggest, len(trait) + len(json.dumps(content)) + sum(map(len, buffers)))
        if walk.done:
            break
        lab.walk_next()
    assert biggest < 100_000, f"a step sent {biggest:,} bytes"


def test_the_first_curves_message_has_every_series_and_then_only_what_is_new():
    lab = Lab()
    curves = Curves()
    lab.step(3)
    first = curves.message(lab.state.trainer)
    content = first[0]
    assert content["reset"] and content["steps"] == 3 and content["stride"] == 1
    series = parts(first)
    assert {"loss", "step", "epoch", *EPOCH_SERIES} <= set(series)
    assert {f"grad:{node}" for node in (0, *lab.network.order)} <= set(series)
    assert list(series["step"][1]) == [1, 2, 3]
    assert list(series["loss"][1]) == lab.history.step_loss
    # nothing new: a per-step series' last entry only
    again = parts(curves.message(lab.state.trainer))
    assert again["loss"][0] == 2 and len(again["loss"][1]) == 1 and "test_error" not in again
    lab.step(1)
    new = parts(curves.message(lab.state.trainer))
    start, loss = new["loss"]
    assert start == 2 and list(loss) == lab.history.step_loss[2:]  # the last entry again
    assert list(new["step"][1]) == [3, 4]
    assert "epoch" not in new and "test_error" not in new  # no epoch ended


def test_an_epochs_errors_are_sent_again_once_they_are_computed():
    lab = Lab()
    lab.epoch()
    history = lab.history
    history.train_error[-1] = math.nan  # as the play loop leaves it, until the scorer is done
    curves = Curves()
    assert math.isnan(parts(curves.message(lab.state.trainer))["train_error"][1][-1])
    history.train_error[-1] = 0.25
    again = parts(curves.message(lab.state.trainer))
    assert again["train_error"][0] == 0 and list(again["train_error"][1]) == [0.25]
    assert "test_error" not in again and "epoch_loss" not in again  # settled: not sent again
    assert "train_error" not in parts(curves.message(lab.state.trainer))


def test_a_new_network_starts_the_curves_over():
    lab = Lab()
    curves = Curves()
    lab.step(2)
    curves.message(lab.state.trainer)
    lab.load_preset("figure1")
    lab.step(1)
    content, _ = curves.message(lab.state.trainer)
    assert content["reset"] and content["steps"] == 1


def test_frames_say_how_their_bytes_are_coded_as_the_data_are():
    lab = Lab()
    assert boundary(Pictures(lab.state), 8, frame=1)[0]["code"] == "score"
    lab.set_data(dataset="spirals", classes=4)
    content, _ = boundary(Pictures(lab.state), 8, frame=2)
    assert (content["code"], content["classes"]) == ("classes", 4)
    content, _ = thumbs(lab.state, lab.display, Pictures(lab.state), 8, frame=3)
    assert content["nodes"][-1]["code"] == "classes" and content["nodes"][1]["code"] == "value"
    lab.set_data(dataset="reg-plane")
    content, _ = boundary(Pictures(lab.state), 8, frame=4)
    assert content["code"] == "value" and content["high"] == lab.state.data.target_range
    json.dumps(content, allow_nan=False)


def test_points_of_more_classes_carry_their_class_and_a_regressions_its_target_as_a_byte():
    lab = Lab()
    lab.set_data(dataset="blobs", classes=5, n_points=200)
    content, buffers = points(lab.state.data)
    assert (content["task"], content["classes"]) == ("classification", 5)
    assert set(np.frombuffer(buffers[1], dtype=np.uint8)) == set(range(5))
    lab.set_data(dataset="reg-plane")
    content, buffers = points(lab.state.data)
    high = lab.state.data.target_range
    assert content["task"] == "regression" and (content["low"], content["high"]) == (-high, high)
    targets = lab.state.data.train[1][:, 0]
    coded = np.frombuffer(buffers[1], dtype=np.uint8)
    assert np.abs(coded - (targets + high) / (2 * high) * 255).max() <= 0.51
    json.dumps(content, allow_nan=False)


def test_a_regressions_curves_have_no_error_rates_and_settle():
    lab = Lab()
    lab.set_data(dataset="reg-gauss", n_points=200)
    curves = Curves()
    lab.epoch()
    content, _ = curves.message(lab.state.trainer)
    names = {part["name"] for part in content["series"]}
    assert content["task"] == "regression"
    assert {"epoch_loss", "test_loss"} <= names and not {"train_error", "test_error"} & names
    lab.step(1)
    content, _ = curves.message(lab.state.trainer)
    assert all(part["start"] > 0 for part in content["series"] if part["name"] != "epoch")
