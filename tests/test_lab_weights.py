"""The weights an edge carries, shown under the pointer, and one weight set by hand
(``labnet.lab.weights``; ``Lab.edge_weights``, ``Lab.set_weight``): checked before anything
changes, undoable, and training goes on from it."""

import json
import math
import re

import numpy as np
import pytest
from labtools import accepted, messages, refused, snapshot

import labnet as ln
from labnet.lab import Lab
from labnet.lab.weights import MAX_SHOWN, MAX_WEIGHT


@pytest.fixture
def lab():
    lab = Lab(grid=16)
    lab.set_data(n_points=200)
    yield lab
    lab.close()


def test_an_edge_into_a_small_linear_shows_its_whole_weight_matrix_and_bias():
    network = ln.Network({1: ln.Linear(2, 3, rng=0), 2: ln.Linear(3, 2, rng=1)}, {0: [1], 1: [2]})
    lab = Lab(network=network, grid=16)
    shown = lab.edge_weights(1, 2)
    module = network.operators[2]
    assert shown["shape"] == [3, 2] and (shown["rows"], shown["cols"]) == (3, 2)
    assert shown["values"] == module.weight.tolist() and shown["bias"] == module.bias.tolist()
    assert shown["high"] == pytest.approx(np.abs(module.weight).max()) == -shown["low"]
    assert shown["norm"] == pytest.approx(np.linalg.norm(module.weight))
    assert shown["text"] == "node 2's weight, 3 × 2"
    json.dumps(shown, allow_nan=False)


def test_an_edge_into_a_big_linear_shows_its_top_left_corner_and_says_so(lab):
    shown = lab.edge_weights(2, 3)  # 25 × 25
    assert (shown["rows"], shown["cols"]) == (MAX_SHOWN, MAX_SHOWN) and shown["shape"] == [25, 25]
    assert np.array_equal(shown["values"], lab.network.operators[3].weight[:16, :16])
    assert shown["text"] == "node 3's weight, 25 × 25, the first 16 × 16 shown"
    # the colours span the whole matrix, not just the corner shown
    assert shown["high"] == pytest.approx(np.abs(lab.network.operators[3].weight).max())


def test_an_edge_without_weights_says_why(lab):
    assert "ReLU has no weights: the edge hands it node 1's output as it is" in (
        lab.edge_weights(1, 2)["text"])
    assert "values" not in lab.edge_weights(1, 2)
    assert "not in the network being trained" in lab.edge_weights(1, 3)["text"]
    assert "not in the network being trained" in lab.edge_weights(5, 99)["text"]


def test_non_finite_weights_are_shown_as_null(lab):
    lab.network.operators[3].weight[0, 0] = math.nan
    shown = lab.edge_weights(2, 3)
    assert shown["values"][0][0] is None
    json.dumps(shown, allow_nan=False)


def test_a_weight_set_by_hand_is_in_the_network_trained_and_its_pictures(lab):
    sent = messages(lab)
    weight = lab.network.operators[3].weight
    lab.step(3)
    scores = lab.scores()
    sent.clear()
    lab.set_weight(3, "weight", [2, 4], 7.5)
    assert weight[2, 4] == 7.5  # the live array: the optimizer and the trainer see it
    assert {"boundary", "thumbs"} <= {content["type"] for content, _ in sent}
    assert lab.scores() != scores  # scored anew, at the same step
    assert lab.widget.graph["can_undo"]
    lab.step(1)  # training goes on from it
    assert weight[2, 4] != 7.5 and abs(weight[2, 4] - 7.5) < 1


def test_the_status_shows_the_scores_of_a_weight_set_undone_and_redone(lab):
    # (was: no scores at all until the next step)
    lab.step(3)
    for change in (lambda: lab.set_weight(3, "weight", [2, 4], 7.5), lab.undo, lab.redo):
        change()
        status = lab.widget.status
        assert status["scored_step"] == status["step"] == 3
        assert status["train_error"] == pytest.approx(lab.scores()["train_error"])
        assert status["test_loss"] == pytest.approx(lab.scores()["test_loss"])


def test_a_bias_takes_one_index_or_a_number(lab):
    lab.set_weight(7, "bias", [1], -0.25)
    lab.set_weight(7, "bias", 0, 0.5)
    assert lab.network.operators[7].bias.tolist() == [0.5, -0.25]


def test_undo_puts_a_weight_back_and_redo_sets_it_again_in_turn_with_graph_edits(lab):
    weight = lab.network.operators[3].weight
    old = weight[2, 4]
    lab.set_weight(3, "weight", [2, 4], 3.0)
    lab.set_params(5, width=8)  # a graph edit after it
    lab.undo()
    assert lab.network.operators[5].out_features == 25 and weight[2, 4] == 3.0
    lab.undo()
    assert weight[2, 4] == old and lab.state.next_undo() is None
    assert lab.state.next_undo(redo=True) == "weights"
    lab.redo()
    assert weight[2, 4] == 3.0 and lab.state.next_undo(redo=True) == "graph"
    lab.redo()
    assert lab.network.operators[5].out_features == 8


def test_a_new_weight_set_forgets_what_could_be_redone(lab):
    lab.set_weight(3, "weight", [0, 0], 1.0)
    lab.undo()
    lab.set_weight(3, "weight", [0, 1], 1.0)
    assert not lab.state.can_redo


BAD = [
    ({"node": 99, "name": "weight", "index": [0, 0], "value": 1},
     "node 99 is not in the network being trained: set a weight of one of its nodes \\(nodes 1, "
     "3, 5, 7\\)"),
    ({"node": 2, "name": "weight", "index": [0, 0], "value": 1},
     "node 2 \\(ReLU\\) has no weights to set"),
    ({"node": 3, "name": "gamma", "index": [0, 0], "value": 1},
     "node 3 \\(Linear\\) has no parameter 'gamma': it has weight, bias"),
    ({"node": 3, "name": "weight", "index": [2, 25], "value": 1},
     "node 3's weight is 25 × 25: index \\[2, 25\\] is out of range"),
    ({"node": 3, "name": "weight", "index": [-1, 0], "value": 1}, "index \\[-1, 0\\] is out of"),
    ({"node": 3, "name": "weight", "index": [2], "value": 1},
     "node 3's weight is 25 × 25: its index is 2 whole number\\(s\\), got \\[2\\]"),
    ({"node": 3, "name": "bias", "index": [0, 0], "value": 1}, "node 3's bias is 25"),
    ({"node": 3, "name": "weight", "index": [1.5, 0], "value": 1}, "2 whole number"),
    ({"node": 3, "name": "weight", "index": [True, 0], "value": 1}, "2 whole number"),
    ({"node": 3, "name": "weight", "index": [0, 0], "value": 1e9},
     "node 3's weight\\[0, 0\\]: a weight set by hand is a finite number from -1000 to 1000"),
    ({"node": 3, "name": "weight", "index": [0, 0], "value": -1000.5}, "from -1000 to 1000"),
    ({"node": 3, "name": "weight", "index": [0, 0], "value": 10**400}, "from -1000 to 1000"),
    ({"node": 3, "name": "weight", "index": [0, 0], "value": "1"}, "must be a number"),
    ({"node": 3, "name": "weight", "index": [0, 0]}, "set_weight needs value"),
    ({"node": [3], "name": "weight", "index": [0, 0], "value": 1}, "set_weight: node must be"),
]


@pytest.mark.parametrize(("args", "words"), BAD, ids=[words[:30] for _, words in BAD])
def test_a_weight_that_cannot_be_set_is_refused_naming_the_node_and_index(lab, args, words):
    text = refused(lab, "set_weight", args)
    assert re.search(words, text), text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1001, True, None, [1]])
def test_a_weight_from_python_that_is_not_a_finite_number_in_range_is_a_value_error(lab, value):
    before = snapshot(lab)
    with pytest.raises(ValueError, match="node 3"):
        lab.set_weight(3, "weight", (0, 0), value)
    assert not lab.state.can_undo and before["weights"][0].shape == (2, 25)


def test_every_bound_is_accepted_and_numpy_numbers_too(lab):
    for value in (MAX_WEIGHT, -MAX_WEIGHT, 0, np.float32(0.5), np.int64(2)):
        lab.set_weight(np.int64(3), "weight", (np.int64(24), 24), value)
        assert lab.network.operators[3].weight[24, 24] == float(value)


def test_without_a_network_there_is_no_weight_to_set():
    lab = Lab(None, grid=16)
    with pytest.raises(ValueError, match="there is no network yet"):
        lab.set_weight(1, "weight", [0, 0], 1.0)
    assert "not in the network being trained" in lab.edge_weights(0, 1)["text"]


def test_the_page_asks_for_an_edges_weights_and_the_message_line_stays(lab):
    refused(lab, "set_weight", {"node": 3, "name": "weight", "index": [0, 99], "value": 1})
    said = lab.widget.message["text"]
    sent = messages(lab)
    lab.widget.run("edge_weights", {"src": 2, "dst": 3}, request="v:1")
    reply = sent[-1][0]
    assert reply["type"] == "reply" and reply["ok"] and reply["value"]["node"] == 3
    assert lab.widget.message["text"] == said  # a look changes nothing, says nothing
    json.dumps(reply, allow_nan=False)


def test_a_weight_set_from_the_page_is_one_undo_step(lab):
    accepted(lab, "set_weight", {"node": 1, "name": "weight", "index": [1, 3], "value": -2})
    assert lab.network.operators[1].weight[1, 3] == -2
    accepted(lab, "undo")
    assert lab.network.operators[1].weight[1, 3] != -2


def test_a_weight_set_ends_a_walk(lab):
    lab.start_walk()
    lab.set_weight(3, "weight", [0, 0], 1.0)
    assert lab.display.walk is None
