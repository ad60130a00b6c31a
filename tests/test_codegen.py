"""Exporting a network as Python code (``ln.to_python``): the code reads as the design's example
and rebuilds the same graph, with the same weights if asked."""

import numpy as np
import pytest
from filetools import Shift, X, assert_same_network

import labnet as ln


def run_exported(code, **names):
    """Execute exported code in a fresh namespace; return the network it builds."""
    namespace = dict(names)
    exec(compile(code, "<exported>", "exec"), namespace)
    return namespace["net"]


def assert_same_graph(rebuilt, net):
    assert dict(rebuilt.connectivity) == dict(net.connectivity)
    assert rebuilt.order == net.order and rebuilt.input == net.input
    assert [type(m) for m in rebuilt.operators.values()] == [type(m) for m in
                                                               net.operators.values()]
    assert [m.config() for m in rebuilt.operators.values()] == [m.config() for m in
                                                                  net.operators.values()]
    assert rebuilt.dtype == net.dtype


def design_example():
    """DESIGN.md's network, as it is written there."""
    operators = {1: ln.Linear(2, 25), 2: ln.Tanh(), 3: ln.Linear(25, 25), 4: ln.ReLU(),
                 5: ln.Sum(), 6: ln.Linear(2, 25), 7: ln.Linear(25, 2)}
    connectivity = {0: [1, 6], 1: [2], 2: [3], 3: [4], 4: [5], 6: [5], 5: [7]}
    return ln.Network(operators, connectivity)


def test_exported_figure1_reads_as_the_design_example():
    code = ln.to_python(design_example())
    assert "import labnet as ln\n" in code
    assert "    1: ln.Linear(2, 25),\n    2: ln.Tanh(),\n" in code
    assert "connectivity = {0: [1, 6], 1: [2], 2: [3], 3: [4], 4: [5], 6: [5], 5: [7]}" in code
    assert "net = ln.Network(operators, connectivity, rng=0)" in code
    assert "weights" not in code and "numpy" not in code
    assert all(len(line) <= 100 for line in code.splitlines())
    preset = ln.to_python(ln.PRESETS["figure1"](0))  # the preset's own initialisations
    assert "    1: ln.Linear(2, 25, init='xavier'),\n    2: ln.Tanh(),\n" in preset


@pytest.mark.parametrize("name", ["seed", "figure1", "deep-sigmoid", "deep-sigmoid-skip"])
def test_exported_code_rebuilds_the_same_graph_and_with_weights_the_same_outputs(name):
    net = ln.PRESETS[name](3)
    assert_same_graph(run_exported(ln.to_python(net)), net)
    rebuilt = run_exported(ln.to_python(net, include_weights=True))
    assert_same_graph(rebuilt, net)
    np.testing.assert_array_equal(rebuilt.forward(X), net.forward(X))
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(rebuilt.state_dict()[key], value)


def test_exported_code_without_weights_draws_the_same_new_weights_every_time():
    code = ln.to_python(ln.PRESETS["seed"](0))
    np.testing.assert_array_equal(run_exported(code).forward(X), run_exported(code).forward(X))


def test_export_keeps_ids_input_dtype_non_default_arguments_and_in_features():
    rng = np.random.default_rng(0)
    net = ln.Network({"act": ln.LeakyReLU(0.2), "hidden": ln.Linear(3, 4, init="xavier", rng=rng),
                      "cat": ln.Concat(), "out": ln.Linear(None, 2, rng=rng)},
                     {"x": ["act", "cat"], "act": ["hidden"], "hidden": ["cat"], "cat": ["out"]},
                     input="x", in_features=3, dtype=np.float32)
    code = ln.to_python(net, include_weights=True)
    assert "'act': ln.LeakyReLU(negative_slope=0.2)," in code
    assert "'hidden': ln.Linear(3, 4, init='xavier')," in code
    assert "'out': ln.Linear(7, 2)," in code  # the inferred width, written out
    assert "input='x', in_features=3, dtype='float32'" in code
    rebuilt = run_exported(code)
    assert_same_graph(rebuilt, net)
    x = np.random.default_rng(1).normal(size=(4, 3))
    np.testing.assert_array_equal(rebuilt.forward(x), net.forward(x))


def test_export_of_a_module_class_from_outside_labnet_imports_it():
    net = ln.Network({1: Shift(2, scale=3.0), 2: ln.Linear(2, 2, rng=0)}, {0: [1], 1: [2]})
    net.operators[1].shift[...] = [0.25, -1.5]
    code = ln.to_python(net, include_weights=True)
    assert f"from {Shift.__module__} import Shift" in code
    assert "1: Shift(2, scale=3.0)," in code
    rebuilt = run_exported(code)
    np.testing.assert_array_equal(rebuilt.forward(X), net.forward(X))


def test_export_of_a_class_defined_in_a_notebook_asks_for_its_definition():
    namespace = {}
    exec("import labnet as ln\nclass Twice(ln.Module):\n"
         "    def forward(self, x):\n        return 2 * x\n"
         "    def backward(self, grad_out):\n        return 2 * grad_out\n", namespace)
    twice = namespace["Twice"]
    net = ln.Network({1: twice(), 2: ln.Linear(2, 2, rng=0)}, {0: [1], 1: [2]}, in_features=2)
    code = ln.to_python(net)
    assert "# Twice is your own module class: define it before this code" in code
    assert "1: Twice()," in code
    assert_same_graph(run_exported(code, Twice=twice), net)


def test_export_with_a_weights_file_writes_it_and_the_code_reads_it(tmp_path):
    net = ln.PRESETS["figure1"](2)
    path = tmp_path / "figure1 weights.npz"
    code = ln.to_python(net, include_weights=True, weights_path=path)
    assert path.exists() and repr(str(path)) in code
    assert "[[" not in code  # no weights written in the code itself
    np.testing.assert_array_equal(run_exported(code).forward(X), net.forward(X))


def test_exported_weights_keep_every_float_exactly_even_odd_ones():
    net = ln.Sequential(ln.Linear(2, 3, rng=0), ln.Linear(3, 2, rng=1))
    net.operators[1].weight[0] = [1e-300, -123456789.123456789, 1 / 3]
    net.operators[2].bias[...] = [5e-324, np.float64(2.0) ** 70]
    rebuilt = run_exported(ln.to_python(net, include_weights=True))
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(rebuilt.state_dict()[key], value)


def test_weights_path_without_include_weights_is_refused(tmp_path):
    with pytest.raises(ln.InputError, match="include_weights=True"):
        ln.to_python(ln.PRESETS["seed"](0), weights_path=tmp_path / "w.npz")
    assert not (tmp_path / "w.npz").exists()


def test_a_concat_fed_out_of_node_order_round_trips_with_its_column_order(tmp_path):
    operators = {1: ln.Linear(2, 3, rng=0), 2: ln.Linear(2, 4, rng=1), 3: ln.Concat(),
                 4: ln.Linear(7, 2, rng=2)}
    net = ln.Network(operators, {0: [1, 2], 2: [3], 1: [3], 3: [4]})  # node 2's columns first
    ln.save(net, tmp_path / "concat.npz")
    assert_same_network(ln.load(tmp_path / "concat.npz"), net)
    rebuilt = run_exported(ln.to_python(net, include_weights=True))
    assert rebuilt.inputs[3] == (2, 1)
    np.testing.assert_array_equal(rebuilt.forward(X), net.forward(X))
