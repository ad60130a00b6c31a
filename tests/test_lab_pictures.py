"""The lab's pictures as NumPy arrays (``labnet.lab.pictures``): what the browser paints is what
the network computes over the plane, from a float32 twin that leaves the network alone."""

import numpy as np

from labnet.lab import edits
from labnet.lab.pictures import (
    CLASS_COLOURS,
    LEVELS,
    Pictures,
    class_bytes,
    colour_table,
    edge_norms,
    hex_rgb,
    plane,
    symmetric_range,
    to_bytes,
)
from labnet.lab.state import LabState


def outputs_over(state, x: np.ndarray, node=None) -> np.ndarray:
    """The output of ``node`` (default: the output) of the network being trained over points
    ``x`` of the plane: one plain forward (the oracle the lab's pictures are checked with)."""
    network = state.network
    network.forward(state.data.network_input(x))
    return network.outputs[network.output if node is None else node]


def test_the_plane_is_a_grid_over_the_data_row_by_row_from_the_top():
    x = np.array([[0.0, 0.0], [1.0, 2.0]])
    points, (x1_low, x1_high, x2_low, x2_high) = plane(x, 4)
    assert points.shape == (16, 2)
    assert x1_low < 0 < 1 < x1_high and x2_low < 0 < 2 < x2_high
    assert points[0, 1] > points[-1, 1] and points[0, 0] < points[3, 0]  # top left first
    assert np.all(np.diff(points[:4, 0]) > 0) and np.all(points[:4, 1] == points[0, 1])


def test_to_bytes_maps_a_range_to_0_255_and_not_a_number_to_the_middle():
    values = np.array([0.0, 0.5, 1.0, np.nan, np.inf, -np.inf, 2.0])
    assert list(to_bytes(values, 0.0, 1.0)) == [0, 128, 255, 128, 255, 0, 255]
    assert to_bytes(np.array([3.0]), 3.0, 3.0).dtype == np.uint8  # an empty range
    assert symmetric_range(np.array([-2.0, 1.0, np.nan])) == (-2.0, 2.0)
    assert symmetric_range(np.array([np.nan])) == (-1.0, 1.0)
    assert symmetric_range(np.zeros(3)) == (-1e-9, 1e-9)


def test_the_boundary_is_the_class_1_score_the_network_gives_over_the_grid():
    state = LabState()
    state.train(200, score_epochs=True)
    pictures = Pictures(state)
    image = pictures.boundary(20)
    assert image.shape == (400,) and image.dtype == np.uint8
    points, _ = pictures.grid(20)
    score = state.class_one_score(outputs_over(state, points))
    assert np.abs(image.astype(int) - np.round(score * 255)).max() <= 1
    predicted = state.network.predict(state.data.network_input(points))
    assert np.mean((image > 128) != (predicted == 1)) < 0.01  # (float32 right on the boundary)


def test_pictures_leave_the_network_being_trained_alone():
    state = LabState()
    state.train(3, score_epochs=True)
    network = state.network
    outputs = {node: value.copy() for node, value in network.outputs.items()}
    weights = [value.copy() for value, _ in network.params()]
    pictures = Pictures(state)
    pictures.boundary(16)
    pictures.units(8, {})
    pictures.unit_map(3, 2, 8)
    assert all(np.array_equal(network.outputs[n], outputs[n]) for n in outputs)
    assert all(np.array_equal(v, w) for (v, _), w in zip(network.params(), weights, strict=True))


def test_every_node_has_a_thumbnail_of_the_unit_asked_for():
    state = LabState(preset="figure1")
    state.train(20, score_epochs=True)
    pictures = Pictures(state)
    found = pictures.units(8, {3: 4, 1: 99})
    assert [node for node, *_ in found] == [0, *state.network.order]
    by_node = {node: (unit, image, coding["low"], coding["high"])
               for node, unit, image, coding in found}
    assert by_node[3][0] == 4 and by_node[1][0] == 24  # a unit past the last: the last
    assert by_node[7][2:] == (0.0, 1.0)  # the output node: the class-1 score
    assert found[-1][3]["code"] == "score" and found[2][3]["code"] == "value"
    points, _ = pictures.grid(8)
    values = outputs_over(state, points, node=3)[:, 4]
    _, image, low, high = by_node[3]
    assert low == -high and high >= np.abs(values).max() * 0.999
    assert np.abs(image.astype(float) - (values - low) / (high - low) * 255).max() <= 1.5
    image, low, high = pictures.unit_map(3, 4, 8)
    assert image.shape == (64,) and low == by_node[3][2]


def test_the_grid_follows_the_data():
    state = LabState()
    pictures = Pictures(state)
    _, before = pictures.grid(10)
    state.use_data(state.data.changed(dataset="moons"))
    _, after = pictures.grid(10)
    assert before != after


def test_edge_norms_are_the_gradients_along_edges_or_the_weights_they_go_through():
    state = LabState(preset="figure1")
    state.train(1, score_epochs=True)
    network = state.network
    edges = {(src, dst) for dst in network.order for src in network.inputs[dst]}
    gradients = edge_norms(network, "gradient")
    assert set(gradients) == edges and all(value > 0 for value in gradients.values())
    weights = edge_norms(network, "weights")
    assert set(weights) == edges
    assert weights[0, 1] == np.linalg.norm(network.operators[1].weight)
    assert weights[4, 5] == 0.0  # into a Sum: no weights


def test_class_bytes_name_the_winning_class_and_how_sure_the_network_is():
    output = np.array([[0.0, 5.0, 0.0], [2.0, 2.0, 0.0], [0.0, 0.0, 0.4], [np.nan, 1.0, 0.0],
                       [-1.0, -3.0, 0.9]])
    mse = class_bytes(output, cross_entropy=False)
    assert list(mse // LEVELS) == [1, 0, 2, 0, 2]
    assert list(mse % LEVELS) == [31, 0, round(0.4 * 31), 0, round(1.0 * 31)]
    cross = class_bytes(output, cross_entropy=True)
    assert list(cross // LEVELS) == [1, 0, 2, 0, 2] and cross[1] % LEVELS == 0
    probabilities = np.exp([0.0, 0.0, 0.4]) / np.exp([0.0, 0.0, 0.4]).sum()
    assert cross[2] % LEVELS == round((probabilities[2] - probabilities[0]) * 31)
    eight = class_bytes(np.eye(8) * 9, cross_entropy=True)
    assert list(eight) == [c * LEVELS + 31 for c in range(8)]  # 8 classes fill the byte


def test_two_classes_agree_with_the_score_far_from_the_boundary():
    margin = np.linspace(-3, 3, 61)
    output = np.column_stack([np.zeros_like(margin), margin])
    state = LabState()
    score = state.class_one_score(output)
    coded = class_bytes(output, cross_entropy=False)
    assert np.all((coded // LEVELS == 1)[margin != 0] == (score > 0.5)[margin != 0])
    assert np.allclose(coded % LEVELS / 31, np.abs(2 * score - 1), atol=1 / 31)


def test_the_plane_shows_classes_or_a_regressions_values_as_the_data_are():
    state = LabState()
    pictures = Pictures(state)
    assert pictures.coding() == {"code": "score", "low": 0.0, "high": 1.0, "classes": 2}
    blobs = state.data.changed(dataset="blobs", classes=4)
    state.use_data(blobs, graph=edits.fit_output(state.graph, 4))
    state.train(300, score_epochs=True)
    assert pictures.coding()["code"] == "classes" and pictures.coding()["classes"] == 4
    image = pictures.boundary(20)
    points, _ = pictures.grid(20)
    predicted = outputs_over(state, points).argmax(axis=1)
    assert np.mean(image // LEVELS != predicted) < 0.01 and len(set(image // LEVELS)) == 4
    plane_data = state.data.changed(dataset="reg-plane")
    state.use_data(plane_data, graph=edits.fit_output(state.graph, 1))
    state.train(400, score_epochs=True)
    coding = pictures.coding()
    assert coding["code"] == "value" and coding["low"] == -coding["high"]
    assert coding["high"] == state.data.target_range
    image = pictures.boundary(20)
    points, _ = pictures.grid(20)
    assert np.array_equal(image, to_bytes(outputs_over(state, points)[:, 0], coding["low"],
                                          coding["high"]))
    assert len(np.unique(image)) > 60  # a continuous picture, not classes
    output = next(entry for entry in pictures.units(8, {}) if entry[0] == 7)
    assert output[3]["code"] == "value" and output[3]["high"] == coding["high"]


def test_the_colour_tables_of_the_plane():
    score = colour_table({"code": "score"})
    assert np.allclose(score[0], hex_rgb(CLASS_COLOURS[0]))
    assert np.allclose(score[255], hex_rgb(CLASS_COLOURS[1])) and score.shape == (256, 3)
    classes = colour_table({"code": "classes"})
    assert np.allclose(classes[2 * 32 + 31], hex_rgb(CLASS_COLOURS[2]))
    assert np.allclose(classes[2 * 32], 1.0)  # unsure: white
