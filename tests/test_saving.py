"""Saving and loading: graph and weights round-trip exactly; foreign files get a clear error."""

import json

import numpy as np
import pytest

import labnet as ln
from labnet.saving import SPEC_KEY


class Shift(ln.Module):
    """A module defined outside labnet, with a constructor argument and a parameter."""

    def __init__(self, width: int, scale: float = 1.0) -> None:
        self.width, self.scale = width, scale
        self.shift = np.linspace(-1.0, 1.0, width)
        self.grad_shift = np.zeros(width)

    def forward(self, x):
        return self.scale * x + self.shift

    def backward(self, grad_out):
        self.grad_shift[...] = grad_out.sum(axis=0)
        return self.scale * grad_out

    def named_params(self):
        return {"shift": (self.shift, self.grad_shift)}

    def config(self):
        return {"width": self.width, "scale": self.scale}


X = np.random.default_rng(0).normal(size=(5, 2))


def assert_same_network(loaded, net):
    assert type(loaded) is ln.Network
    assert loaded.input == net.input and loaded.output == net.output
    assert dict(loaded.connectivity) == dict(net.connectivity)
    assert dict(loaded.inputs) == dict(net.inputs)
    assert loaded.order == net.order
    assert [type(m) for m in loaded.operators.values()] == [type(m) for m in net.operators.values()]
    assert [m.config() for m in loaded.operators.values()] == [
        m.config() for m in net.operators.values()
    ]
    assert loaded.dtype == net.dtype
    original = net.state_dict()
    state = loaded.state_dict()
    assert list(state) == list(original)
    for key, value in state.items():
        assert value.dtype == original[key].dtype
        np.testing.assert_array_equal(value, original[key])
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))


def test_figure1_round_trips_exactly(tmp_path):
    net = ln.PRESETS["figure1"](0)
    path = tmp_path / "figure1.npz"
    ln.save(net, path)
    assert_same_network(ln.load(path), net)
    assert_same_network(ln.load(str(path)), net)


def test_string_ids_other_input_and_every_module_kind_round_trip(tmp_path):
    operators = {
        "wide": ln.Linear(2, 4, init="xavier", rng=0), "leaky": ln.LeakyReLU(0.3),
        "skip": ln.Linear(None, 4, rng=1), "sum": ln.Sum(), "sig": ln.Sigmoid(),
        "tanh": ln.Tanh(), "cat": ln.Concat(), 7: ln.ReLU(), "out": ln.Linear(None, 2, rng=2),
    }
    connectivity = {"x": ["wide", "skip"], "wide": ["leaky"], "leaky": ["sum"], "skip": ["sum"],
                    "sum": ["sig", "tanh"], "sig": ["cat"], "tanh": ["cat"], "cat": [7],
                    7: ["out"]}
    net = ln.Network(operators, connectivity, input="x", in_features=2)
    path = tmp_path / "net.npz"
    ln.save(net, path)
    loaded = ln.load(path)
    assert_same_network(loaded, net)
    assert 7 in loaded.operators and "7" not in loaded.operators  # ids keep their type
    assert loaded.operators["leaky"].negative_slope == 0.3
    assert loaded.operators["wide"].init == "xavier"


def test_float32_network_round_trips_in_float32(tmp_path):
    net = ln.PRESETS["seed"](0).astype(np.float32)
    ln.save(net, tmp_path / "net32.npz")
    loaded = ln.load(tmp_path / "net32.npz")
    assert loaded.dtype == np.float32
    assert_same_network(loaded, net)


def test_trained_weights_round_trip(tmp_path):
    x, labels = ln.disk(40, rng=0)
    trainer = ln.Trainer(ln.PRESETS["seed"](1), data=(x, labels), rng=0)
    trainer.fit(1)
    ln.save(trainer.net, tmp_path / "trained.npz")
    assert_same_network(ln.load(tmp_path / "trained.npz"), trainer.net)


def test_custom_module_round_trips(tmp_path):
    net = ln.Network({1: ln.Linear(2, 3, rng=0), 2: Shift(3, scale=0.5), 3: ln.Linear(3, 2)},
                     {0: [1], 1: [2], 2: [3]})
    net.operators[2].shift[...] = [7.0, 8.0, 9.0]
    ln.save(net, tmp_path / "custom.npz")
    loaded = ln.load(tmp_path / "custom.npz")
    assert type(loaded.operators[2]) is Shift
    assert loaded.operators[2].scale == 0.5
    np.testing.assert_array_equal(loaded.operators[2].shift, [7.0, 8.0, 9.0])
    assert_same_network(loaded, net)


def test_the_file_holds_the_graph_as_json_and_no_pickle(tmp_path):
    ln.save(ln.PRESETS["figure1"](0), tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz", allow_pickle=False) as archive:
        spec = json.loads(str(archive[SPEC_KEY]))
        assert "1.weight" in archive.files
    assert spec["input"] == 0
    assert [node for node, _ in spec["nodes"]] == [1, 2, 3, 4, 5, 6, 7]
    assert spec["nodes"][0][1] == {"class": "Linear",
                                   "config": {"in_features": 2, "out_features": 25,
                                              "init": "he"}}


def test_a_npz_without_a_graph_is_not_a_labnet_file(tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ValueError, match=r"weights.npz' is not a labnet network file"):
        ln.load(path)


@pytest.mark.parametrize("kind", ["npy", "text", "empty"])
def test_a_file_that_is_not_an_npz_archive_is_not_a_labnet_file(tmp_path, kind):
    path = tmp_path / f"{kind}.data"
    if kind == "npy":
        with open(path, "wb") as file:
            np.save(file, np.zeros(3))
    else:
        path.write_text("" if kind == "empty" else "hello, I am a text file\n")
    with pytest.raises(ValueError, match=rf"{kind}.data' is not a labnet network file"):
        ln.load(path)


def test_a_module_class_that_cannot_be_found_is_named(tmp_path):
    net = ln.Network({1: ln.Linear(2, 3, rng=0), 2: Shift(3)}, {0: [1], 1: [2]})
    path = tmp_path / "custom.npz"
    ln.save(net, path)
    with np.load(path) as archive:
        arrays = dict(archive)
    spec = json.loads(str(arrays[SPEC_KEY]))
    spec["nodes"][1][1]["class"] = "test_saving:NoSuchModule"
    arrays[SPEC_KEY] = np.array(json.dumps(spec))
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"cannot find module class 'test_saving:NoSuchModule'"):
        ln.load(path)


# -- export as Python code ---------------------------------------------------------------------

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


def test_exported_figure1_reads_as_the_design_example():
    code = ln.to_python(ln.PRESETS["figure1"](0))
    assert "import labnet as ln\n" in code
    assert "    1: ln.Linear(2, 25),\n    2: ln.Tanh(),\n" in code
    assert "connectivity = {0: [1, 6], 1: [2], 2: [3], 3: [4], 4: [5], 6: [5], 5: [7]}" in code
    assert "net = ln.Network(operators, connectivity, rng=0)" in code
    assert "weights" not in code and "numpy" not in code
    assert all(len(line) <= 100 for line in code.splitlines())


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
