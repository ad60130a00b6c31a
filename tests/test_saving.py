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
