"""The input node's features (``labnet.lab.inputs``): toggled in Playground's order, refused
when no network could have them, and a first layer's weights carried across a toggle, a row per
feature (zeros for a feature turned on); in the lab, what the network trains on, what the
plane shows, undo and the lab file all follow the features."""

import numpy as np
import pytest
from labtools import accepted, lab_from, refused, shown_equals_the_model

import labnet as ln
from labnet.lab import Lab
from labnet.lab.graph import Graph
from labnet.lab.inputs import carry_weights, in_order, toggle, with_features
from labnet.lab.state import LabState


def seed_graph() -> Graph:
    return Graph.of(ln.PRESETS["seed"](0))


def test_features_come_in_playgrounds_order_and_bad_ones_are_refused():
    assert in_order(["sin(x2)", "x1", "x1*x2"]) == ("x1", "x1*x2", "sin(x2)")
    for bad, words in [([], "give at least one"), (["x1", "x1"], "given twice"),
                       (["x3"], "unknown feature 'x3'"), ("x1", "a list of names")]:
        with pytest.raises(ValueError, match=words):
            in_order(bad)


def test_toggling_turns_a_feature_on_or_off_but_never_the_last_one():
    graph = seed_graph()
    assert graph.features == ("x1", "x2") and graph.widths()[0] == 2
    more = toggle(graph, "x1^2")
    assert more.features == ("x1", "x2", "x1^2") and more.widths()[0] == 3
    assert toggle(more, "x1^2").features == ("x1", "x2")
    assert toggle(more, "x1^2", on=True) == more and toggle(graph, "x1^2", on=False) == graph
    alone = with_features(graph, ["sin(x1)"])
    with pytest.raises(ValueError, match="sin\\(x1\\) is the input's last feature"):
        toggle(alone, "sin(x1)")
    with pytest.raises(ValueError, match="unknown feature"):
        toggle(graph, "cos(x1)")


def test_a_feature_no_network_could_take_is_refused_naming_the_node():
    graph, node = seed_graph().add("Sum")  # a Sum of the input and a Linear of 2
    graph, linear = graph.add("Linear", {"width": 2})
    graph = graph.connect(0, node).connect(0, linear).connect(linear, node)
    with pytest.raises(ln.ShapeError, match=f"node {node}"):
        toggle(graph, "x2^2")


def test_a_first_layers_weights_follow_the_features_row_by_row():
    network = ln.PRESETS["seed"](0)
    old = network.operators[1]
    graph = with_features(seed_graph(), ["x1", "x1^2", "sin(x2)"])
    carried = carry_weights(dict(network.operators), graph, network, ("x1", "x2"))
    new = carried[1]
    assert new is not old and new.weight.shape == (3, 25)
    assert np.array_equal(new.weight[0], old.weight[0])  # x1's row
    assert not new.weight[1:].any()  # x1² and sin x₂: zeros
    assert np.array_equal(new.bias, old.bias)
    assert all(carried[n] is network.operators[n] for n in range(2, 8))
    back = carry_weights(dict(carried), seed_graph(), network, ("x1", "x2"))
    assert back[1] is old  # the features trained on: the network's own module


def test_a_feature_turned_on_changes_nothing_the_network_computes_until_it_trains():
    lab = Lab()
    lab.step(30)
    x = lab.state.data.test[0]
    before = lab.network.forward(lab.state.data.network_input(x)).copy()
    trained = lab.network
    lab.toggle_feature("x1*x2")
    network = lab.network
    assert network is not trained and network.in_features == 3
    assert lab.state.features == ("x1", "x2", "x1*x2")
    inputs = lab.state.data.network_input(x, lab.state.features)
    assert np.allclose(network.forward(inputs), before)
    assert lab.state.trainer.x.shape[1] == 3 and lab.history.step_loss == []
    lab.step(30)
    assert lab.network.operators[1].weight[2].any()  # x1x2's row learns
    lab.undo()  # the network on x1, x2 again, its modules as they are
    assert lab.network.in_features == 2 and lab.state.features == ("x1", "x2")
    assert lab.network.operators[1] is trained.operators[1]


def test_the_network_trains_and_the_plane_is_drawn_on_the_features_of_the_points():
    lab = Lab(features=["x1", "x2", "x1^2", "x2^2"])
    assert lab.network.in_features == 4 and lab.widget.graph["nodes"][0]["width"] == 4
    data = lab.state.data
    raw = ln.input_features(data.train[0], ["x1", "x2", "x1^2", "x2^2"])
    assert np.allclose(lab.state.trainer.x, (raw - raw.mean(axis=0)) / raw.std(axis=0))
    lab.epoch()
    assert lab.scores()["test_error"] < 0.1  # the disk, from its squares
    pictures = lab.widget.pictures
    points, _ = pictures.grid(12)
    expected = lab.network.forward(data.network_input(points, lab.state.features))
    score = lab.state.class_one_score(expected)
    assert np.abs(pictures.boundary(12).astype(int) - np.round(score * 255)).max() <= 2
    found = pictures.units(8, {0: 3})
    assert found[0][1] == 3  # the input's thumbnail: its fourth feature, x2²
    lab.look_at(0, 3)
    shown_equals_the_model(lab)


def test_features_from_the_page_are_undoable_edits_and_refusals_change_nothing():
    lab = Lab()
    accepted(lab, "toggle_feature", {"name": "sin(x1)"})
    accepted(lab, "set_features", {"names": ["x2", "sin(x2)"]})
    assert lab.state.graph.features == ("x2", "sin(x2)")
    accepted(lab, "toggle_feature", {"name": "x2", "on": False})
    assert "sin(x2) is the input's last feature" in refused(lab, "toggle_feature",
                                                           {"name": "sin(x2)"})
    accepted(lab, "undo", {})
    accepted(lab, "undo", {})
    assert lab.state.graph.features == ("x1", "x2", "sin(x1)")
    shown_equals_the_model(lab)
    assert lab.widget.graph["features"] == ["x1", "x2", "sin(x1)"]
    names = [name for name, _, _ in lab.widget.settings["choices"]["features"]]
    assert names == list(ln.FEATURES)


def test_a_preset_and_new_data_keep_the_features():
    lab = Lab(features=["x1", "x2", "x1*x2"])
    lab.load_preset("figure1")
    assert lab.network.in_features == 3 and lab.state.graph.features == ("x1", "x2", "x1*x2")
    assert not lab.network.operators[1].weight[2].any()  # the preset's x1, x2 rows; zeros
    lab.set_data(dataset="xor", noise=0.1)
    assert lab.state.trainer.x.shape[1] == 3
    lab.epoch()
    assert lab.scores()["test_error"] < 0.2


def test_features_of_the_graph_and_of_the_network_trained_save_and_reopen(tmp_path):
    lab = Lab(features=["x1", "x2", "sin(x1)"])
    lab.step(20)
    lab.add("ReLU")  # not connected: the graph is not a network
    lab.toggle_feature("x2^2")  # the graph's features; the network trained keeps its own
    assert lab.state.features == ("x1", "x2", "sin(x1)")
    lab.save(tmp_path / "lab.npz")
    again = lab_from(tmp_path / "lab.npz")
    assert again.state.graph.features == ("x1", "x2", "x2^2", "sin(x1)")
    assert again.state.features == ("x1", "x2", "sin(x1)")
    assert np.array_equal(again.state.trainer.x, lab.state.trainer.x)
    again.step(3)


def test_a_network_of_ones_own_must_take_as_many_inputs_as_there_are_features():
    net = ln.Sequential(ln.Linear(3, 8, rng=0), ln.Tanh(), ln.Linear(8, 2, rng=1))
    with pytest.raises(ValueError, match="the lab's input has 2 features; this network takes 3"):
        Lab(network=net)
    lab = Lab(network=net, features=["x1", "x2", "x1*x2"])
    assert lab.network is not None and lab.state.trainer.x.shape[1] == 3
    with pytest.raises(ValueError, match="the lab's input has 3 features"):
        LabState(network=ln.PRESETS["seed"](0), features=["x1", "x2", "x1^2"])
