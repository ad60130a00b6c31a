"""Saving and loading network files: graph and weights round-trip exactly; foreign files get a
clear error; whatever a file holds (fuzz), opening it gives a network or a ValueError, imports
nothing and takes bounded memory."""

import json
import re
import struct
import sys
import tracemalloc
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from filetools import Shift, assert_same_network
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labnet as ln
from labnet.saving import SPEC_KEY
from labnet.spec import graph_spec


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


def test_custom_module_round_trips_once_registered(tmp_path):
    ln.register(Shift)
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
                                              "init": "xavier"}}


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


def rewrite_spec(path, change):
    """Rewrite the graph description of the network file at ``path`` with ``change(spec)``."""
    with np.load(path) as archive:
        arrays = dict(archive)
    spec = json.loads(str(arrays[SPEC_KEY]))
    change(spec)
    arrays[SPEC_KEY] = np.array(json.dumps(spec))
    np.savez(path, **arrays)


def test_saving_a_module_class_that_is_not_registered_is_refused_and_writes_nothing(tmp_path):
    net = ln.Network({1: ln.Linear(2, 3, rng=0), 2: Shift(3)}, {0: [1], 1: [2]})
    with pytest.raises(ln.InputError, match=r"node 2: Shift is not a registered module class.*"
                                            r"call ln.register\(Shift\)"):
        ln.save(net, tmp_path / "custom.npz")
    assert list(tmp_path.iterdir()) == []


def test_the_file_names_the_registered_name(tmp_path):
    ln.register(Shift, name="Shifter")
    ln.save(ln.Network({1: Shift(2)}, {0: [1]}, in_features=2), tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz") as archive:
        assert json.loads(str(archive[SPEC_KEY]))["nodes"][0][1]["class"] == "Shifter"
    assert type(ln.load(tmp_path / "net.npz").operators[1]) is Shift


def test_opening_a_file_whose_class_is_not_registered_says_how_to_register_it(tmp_path, registry):
    ln.register(Shift)
    path = tmp_path / "custom.npz"
    ln.save(ln.Network({1: ln.Linear(2, 3, rng=0), 2: Shift(3)}, {0: [1], 1: [2]}), path)
    del registry["Shift"]  # a new session, where Shift has not been registered yet
    with pytest.raises(ln.InputError, match=r"custom.npz': node 2: module class 'Shift' is not "
                                            r"registered: define it and call "
                                            r"ln.register\(Shift\)"):
        ln.load(path)


PLANTED = """
import pathlib
pathlib.Path(__file__).with_name("planted-ran").write_text("the planted module ran")
raise SystemExit("a file's module must never be imported")
"""


def plant(folder):
    """A module beside the file, that an import would find (its folder is on sys.path)."""
    (folder / "planted.py").write_text(PLANTED)
    return folder / "planted-ran"


@pytest.mark.parametrize("name", ["planted:Planted", "planted.sub:Planted", "planted",
                                  "os:system", "labnet.lab:Lab"])
def test_an_old_file_naming_a_module_path_is_refused_and_imports_nothing(tmp_path, monkeypatch,
                                                                         name):
    ran = plant(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "old.npz"
    ln.save(ln.Network({1: ln.Linear(2, 3, rng=0), 2: ln.ReLU()}, {0: [1], 1: [2]}), path)
    rewrite_spec(path, lambda spec: spec["nodes"][1][1].update({"class": name}))
    modules = set(sys.modules)
    with pytest.raises(ln.InputError, match=rf"node 2: module class {re.escape(repr(name))} is "
                                            r"not registered.*ln.register\("):
        ln.load(path)
    assert set(sys.modules) == modules
    assert not ran.exists()


# -- fuzz: whatever a file holds, opening it gives a network or a ValueError ---------------------

CLASS_NAMES = ["planted:Planted", "planted", "planted.sub:Planted", "os:system",
               "builtins:eval", "Linear", "ReLU", "LeakyReLU", "Sum", "Concat", "Shift"]
KEYS = ["format", "nodes", "connectivity", "input", "in_features", "dtype", "class", "config",
        "out_features", "init", "negative_slope", "rng"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 10**15) | st.floats() | st.text(max_size=8)
    | st.sampled_from(CLASS_NAMES + KEYS + ["float64", "float32", "int64", "complex128"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=4),
    max_leaves=12)
MEMORY_BOUND = 8 * 2**20  # bytes; the files are about 20 kB


class Fuzz(NamedTuple):
    folder: Path
    ran: Path  # the file the planted module writes if it is ever imported
    good: bytes  # a good network file
    net: ln.Network  # the network in it

    def __repr__(self) -> str:  # what hypothesis prints of a failing example: keep it short
        return f"Fuzz({self.folder})"


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory):
    """A folder with a good network file, and a planted module that an import would run."""
    folder = tmp_path_factory.mktemp("fuzz")
    ran = plant(folder)
    net = ln.PRESETS["figure1"](0)
    ln.save(net, folder / "good.npz")
    ln.load(folder / "good.npz")  # whatever loading imports the first time, imported now
    sys.path.insert(0, str(folder))
    yield Fuzz(folder, ran, (folder / "good.npz").read_bytes(), net)
    sys.path.remove(str(folder))


def open_safely(path, ran):
    """``ln.load(path)``: a network, or None for a ValueError; never another exception, an
    import, the planted module run, or more than MEMORY_BOUND bytes allocated."""
    modules = set(sys.modules)
    tracemalloc.start()
    try:
        net = ln.load(path)
    except ValueError:
        net = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert set(sys.modules) - modules == set()
    assert not ran.exists()
    assert peak < MEMORY_BOUND
    return net


def spec_paths(value, path=()):
    """Every path into a JSON value (dict keys and list indices), the value itself first."""
    yield path
    children = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, child in children:
        yield from spec_paths(child, (*path, key))


FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.binary(max_size=3000))
def test_fuzz_random_bytes_are_refused(fuzz_folder, data):
    folder, ran, _, _ = fuzz_folder
    (folder / "random.npz").write_bytes(data)
    assert open_safely(folder / "random.npz", ran) is None


@FUZZ
@given(cut=st.integers(min_value=0), flips=st.lists(st.tuples(st.integers(0), st.integers(1, 255)),
                                                    max_size=3))
def test_fuzz_truncated_or_damaged_files_give_a_network_or_a_value_error(fuzz_folder, cut,
                                                                          flips):
    folder, ran, good, _ = fuzz_folder
    data = bytearray(good[:cut % len(good)] if cut % 2 else good)
    for position, change in flips:
        if data:
            data[position % len(data)] ^= change
    (folder / "damaged.npz").write_bytes(bytes(data))
    net = open_safely(folder / "damaged.npz", ran)
    assert net is None or isinstance(net, ln.Network)


@FUZZ
@given(data=st.data())
def test_fuzz_malformed_descriptions_give_a_network_or_a_value_error(fuzz_folder, data):
    folder, ran, _, net = fuzz_folder
    spec = graph_spec(net)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(spec_paths(spec))))
        replacement = data.draw(JSON_VALUES)
        if not path:
            spec = replacement
            continue
        parent = spec
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement
    arrays = net.state_dict()
    arrays[SPEC_KEY] = np.array(json.dumps(spec))
    np.savez(folder / "malformed.npz", **arrays)
    loaded = open_safely(folder / "malformed.npz", ran)
    assert loaded is None or isinstance(loaded, ln.Network)


@FUZZ
@given(descr=st.sampled_from(["<f8", ">f4", "|O", "<c16", "<U1000000000", "|V8", "<i8", "|b1",
                              "<M8[s]", "[('a', '<f8')]"]),
       shape=st.lists(st.integers(0, 10**13), max_size=3).map(tuple),
       data=st.binary(max_size=64), name=st.sampled_from(["1.weight", SPEC_KEY, "junk"]))
def test_fuzz_members_declaring_any_shape_and_dtype_are_refused_in_bounded_memory(
        fuzz_folder, descr, shape, data, name):
    folder, ran, good, _ = fuzz_folder
    path = folder / "declared.npz"
    path.write_bytes(good)
    header = f"{{'descr': {descr if descr.startswith('[') else repr(descr)}, " \
             f"'fortran_order': False, 'shape': {shape!r}, }}"
    member = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header) + 1) + header.encode() + b"\n"
    with zipfile.ZipFile(path, "a") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name, on purpose
        archive.writestr(f"{name}.npy", member + data)
    assert open_safely(path, ran) is None
