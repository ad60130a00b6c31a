"""node_outputs and plane_outputs: the output of every node, on points and over the plane."""

import numpy as np
import pytest

import labnet as ln


def test_node_outputs_are_every_node_output_of_a_forward():
    net = ln.PRESETS["figure1"](0)
    x = np.random.default_rng(0).uniform(size=(7, 2))
    outputs = ln.node_outputs(net, x)
    assert set(outputs) == {net.input, *net.order}
    np.testing.assert_array_equal(outputs[0], x)
    np.testing.assert_array_equal(outputs[net.output], net.forward(x))
    np.testing.assert_allclose(outputs[5], outputs[4] + outputs[6])  # the Sum node
    np.testing.assert_array_equal(outputs[4], np.maximum(outputs[3], 0))
    assert {node: out.shape[1] for node, out in outputs.items() if node} == {
        node: width for node, width in net.widths.items() if node}


def test_plane_outputs_put_each_grid_point_at_row_y_column_x():
    net = ln.PRESETS["figure1"](0)
    xs, ys = np.linspace(0, 1, 5), np.linspace(-1, 0, 3)
    maps = ln.plane_outputs(net, xs, ys)
    assert maps[1].shape == (3, 5, 25) and maps[7].shape == (3, 5, 2)
    assert maps[0].shape == (3, 5, 2)
    np.testing.assert_array_equal(maps[0][2, 4], [xs[4], ys[2]])
    point = np.array([[xs[1], ys[2]]])
    np.testing.assert_allclose(maps[3][2, 1], ln.node_outputs(net, point)[3][0])


def test_plane_outputs_need_a_network_with_two_inputs():
    net = ln.Sequential(ln.Linear(3, 2, rng=0))
    with pytest.raises(ln.ShapeError, match="takes 3 features"):
        ln.plane_outputs(net, [0, 1], [0, 1])
