"""Saving and loading: graph and weights round-trip exactly; foreign files get a clear error."""

import errno
import io
import json
import os
import re
import stat
import struct
import sys
import tracemalloc
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labnet as ln
from labnet.saving import (
    MAX_MEMBERS,
    MAX_NODES,
    SPEC_KEY,
    graph_spec,
    module_from_spec,
    network_from_spec,
    read_archive,
    require,
    write_archive,
)


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


# -- saving is atomic ---------------------------------------------------------------------------

def saved_figure1(path, seed=0):
    net = ln.PRESETS["figure1"](seed)
    ln.save(net, path)
    return net


def test_a_save_that_fails_half_way_leaves_the_old_file_and_no_temporary_file(tmp_path,
                                                                               monkeypatch):
    path = tmp_path / "net.npz"
    net = saved_figure1(path)
    good = path.read_bytes()
    write_array = np.lib.format.write_array

    def disk_full(file, array, **options):
        write_array(file, array, **options)  # some bytes reach the file, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(np.lib.format, "write_array", disk_full)
    with pytest.raises(ln.InputError, match=r"cannot write .*net.npz': No space left on device; "
                                            r"the file was left as it was"):
        ln.save(ln.PRESETS["figure1"](1), path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]
    monkeypatch.undo()
    assert_same_network(ln.load(path), net)


def test_a_save_over_the_file_size_limit_leaves_the_old_file(tmp_path):
    resource = pytest.importorskip("resource")
    path = tmp_path / "net.npz"
    ln.save(ln.Sequential(ln.Linear(2, 2, rng=0)), path)
    good = path.read_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(good) + 1000, hard))
    try:
        with pytest.raises(ln.InputError, match=r"File too large"):
            ln.save(ln.PRESETS["figure1"](0), path)  # far bigger than the limit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_saving_over_a_file_keeps_its_mode_and_writes_through_a_symbolic_link(tmp_path):
    target, link = tmp_path / "real.npz", tmp_path / "link.npz"
    saved_figure1(target)
    target.chmod(0o640)
    link.symlink_to(target)
    net = saved_figure1(link, seed=5)
    assert link.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert_same_network(ln.load(target), net)


def test_saving_into_a_missing_folder_says_why(tmp_path):
    with pytest.raises(ln.InputError, match=r"cannot write .*: No such file or directory"):
        ln.save(ln.PRESETS["seed"](0), tmp_path / "no" / "net.npz")


def test_write_archive_refuses_arrays_of_objects_which_would_need_pickle(tmp_path):
    with pytest.raises(ln.InputError, match=r"'x' holds Python objects"):
        write_archive(tmp_path / "a.npz", {"x": np.array([{}, []], dtype=object)})
    with pytest.raises(ln.InputError, match=r"other than 'file' and 'allow_pickle', got 'file'"):
        write_archive(tmp_path / "a.npz", {"file": np.zeros(2)})  # np.savez's own arguments
    assert list(tmp_path.iterdir()) == []


# -- reading archives safely ----------------------------------------------------------------------

def npy_bytes(array=None, *, header=None, data=b""):
    """A ``.npy`` member: an array, or a ``header`` dict with the raw ``data`` after it."""
    buffer = io.BytesIO()
    if header is None:
        np.lib.format.write_array(buffer, array, allow_pickle=True)
    else:
        np.lib.format.write_array_header_1_0(buffer, header)
        buffer.write(data)
    return buffer.getvalue()


def zip_file(path, members, compression=zipfile.ZIP_STORED):
    """Write ``{name: bytes}`` as a zip archive."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def description_member(description):
    return npy_bytes(np.array(json.dumps(description)))


def test_read_archive_reads_only_the_members_asked_for(tmp_path):
    path = zip_file(tmp_path / "lab.npz", {
        "__lab__.npy": description_member({"format": 1}),
        "weights/1.weight.npy": npy_bytes(np.ones((2, 3))),
        "custom/x.npy": npy_bytes(np.zeros((4, 2))),
        "junk.npy": b"this member is broken, and never read",
    })
    description, arrays = read_archive(path, "__lab__", "labnet lab",
                                       members=["weights/", "custom/x"])
    assert description == {"format": 1}
    assert sorted(arrays) == ["custom/x", "weights/1.weight"]
    np.testing.assert_array_equal(arrays["weights/1.weight"], np.ones((2, 3)))
    with pytest.raises(ln.InputError, match=r"lab.npz' is not a labnet lab file: its 'junk' entry "
                                            r"cannot be read"):
        read_archive(path, "__lab__", "labnet lab")


@pytest.mark.parametrize(("member", "message"), [
    (npy_bytes(header={"descr": "<f8", "fortran_order": False, "shape": (10**13,)}, data=b"x"),
     r"its 'a' entry declares 80000000000000 bytes \(shape \(10000000000000,\) of float64\) but "
     r"holds 1"),
    (npy_bytes(np.array([{"a": 1}], dtype=object)), r"its 'a' entry holds object values"),
    (npy_bytes(np.ones(3) * 1j), r"its 'a' entry holds complex128 values, not bools or integers"),
    (npy_bytes(np.zeros(2, dtype=[("x", "<f8")])), r"its 'a' entry holds \[\('x', '<f8'\)\] "
                                                     r"values"),
    (npy_bytes(np.ones(4))[:-3], r"its 'a' entry declares 32 bytes .* but holds 29"),
    (b"\x93NUMPY\x01\x00\x10\x00{'descr': (((((((", r"its 'a' entry cannot be read"),
    (b"not an array at all", r"its 'a' entry cannot be read"),
])
def test_a_malformed_array_member_is_refused_before_its_data_are_read(tmp_path, member, message):
    path = zip_file(tmp_path / "x.npz", {"__d__.npy": description_member({}), "a.npy": member})
    with pytest.raises(ln.InputError, match=r"x.npz' is not a test file: " + message):
        read_archive(path, "__d__", "test")


def test_a_member_bigger_than_the_limit_is_refused_unless_it_is_not_read(tmp_path):
    path = tmp_path / "bomb.npz"
    saved_figure1(path)
    with (zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
          archive.open("junk.npy", "w", force_zip64=True) as member):  # 256 MiB of zeros
        np.lib.format.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False,
                                                      "shape": (2**25,)})
        for _ in range(256):
            member.write(bytes(2**20))
    assert path.stat().st_size < 2**20
    with pytest.raises(ln.InputError, match=r"the arrays to read take \d+ bytes, more than the "
                                            r"\d+ left of the limit of 67108864"):
        read_archive(path, SPEC_KEY, "labnet network")
    tracemalloc.start()
    try:
        spec, arrays = read_archive(path, SPEC_KEY, "labnet network", members=["7.bias"])
        assert list(arrays) == ["7.bias"] and spec["format"] == 1
        with pytest.raises(ln.InputError, match=r"bomb.npz': the weights do not fit the graph: "
                                                r"missing \[\], unexpected \['junk'\]"):
            ln.load(path)
        assert tracemalloc.get_traced_memory()[1] < 4 * 2**20
    finally:
        tracemalloc.stop()


def test_a_file_bigger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    path = saved_figure1(tmp_path / "net.npz") and tmp_path / "net.npz"
    size = path.stat().st_size
    with pytest.raises(ln.InputError, match=rf"it is {size} bytes long, more than the limit of "
                                            r"1000 \(max_bytes\)"):
        ln.load(path, max_bytes=1000)
    assert ln.load(path, max_bytes=size).num_params() == ln.PRESETS["figure1"](0).num_params()


def test_an_archive_listing_too_many_members_is_refused_before_they_are_listed(tmp_path):
    path = zip_file(tmp_path / "many.npz", {f"{i}.npy": b"" for i in range(MAX_MEMBERS + 1)})
    with pytest.raises(ln.InputError, match=r"it lists 10001 members"):
        read_archive(path, "__d__", "test")


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000 + "]" * 100_000, r"nests deeper than 64 levels"),
    ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', None),
    ("{'single': 'quotes'}", r"its '__d__' entry is not JSON"),
    ("[1, 2]", r"its '__d__' entry is not a JSON object"),
    ('{"n": ' + "9" * 5000 + "}", r"is not JSON"),
])
def test_json_descriptions_are_checked_before_and_as_they_are_parsed(tmp_path, text, message):
    path = zip_file(tmp_path / "j.npz", {"__d__.npy": npy_bytes(np.array(text))})
    if message is None:  # brackets inside strings do not count
        assert read_archive(path, "__d__", "test")[0]["a"].startswith("[[[")
        return
    with pytest.raises(ln.InputError, match=message):
        read_archive(path, "__d__", "test")


def test_a_description_that_is_not_text_is_refused(tmp_path):
    path = zip_file(tmp_path / "j.npz", {"__d__.npy": npy_bytes(np.ones(3))})
    with pytest.raises(ln.InputError, match=r"its '__d__' entry holds float64 values, not text"):
        read_archive(path, "__d__", "test")


# -- checking a description's parts ---------------------------------------------------------------

DESCRIPTION = {"training": {"lr": 0.1, "batch_size": 10, "loss": "mse", "name": None},
               "graph": {"nodes": [[1, {"class": "ReLU"}]]}}


@pytest.mark.parametrize(("part", "kind", "options", "expected"), [
    ("training.lr", float, {}, 0.1),
    ("training.batch_size", float, {}, 10.0),
    ("training.batch_size", int, {"low": 1}, 10),
    ("training.loss", str, {"choices": ["mse", "cross-entropy"]}, "mse"),
    ("training.name", str, {"optional": True}, None),
    ("graph.nodes.0.1.class", str, {}, "ReLU"),
    ("graph", dict, {}, DESCRIPTION["graph"]),
])
def test_require_returns_a_part_that_is_right(part, kind, options, expected):
    value = require(DESCRIPTION, part, kind, where="x.npz", **options)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("description", "part", "kind", "options", "message"), [
    ({"training": {"lr": "x"}}, "training.lr", float, {},
     r"^'x.npz': training.lr must be a number, got 'x'$"),
    ({"training": {"lr": float("nan")}}, "training.lr", float, {}, r"must be a number, got nan"),
    ({"training": {"lr": True}}, "training.lr", float, {}, r"must be a number, got True"),
    ({"training": {}}, "training.lr", float, {}, r"^'x.npz': training.lr is missing$"),
    ({"training": [1]}, "training.lr", float, {}, r"^'x.npz': training must be an object, got"),
    ({"stride": "x"}, "stride", int, {"low": 1}, r"stride must be an integer >= 1, got 'x'"),
    ({"stride": 0}, "stride", int, {"low": 1}, r"stride must be an integer >= 1, got 0"),
    ({"stride": 2.0}, "stride", int, {}, r"stride must be an integer, got 2.0"),
    ({"loss": "hinge"}, "loss", str, {"choices": ["mse"]}, r"loss must be one of 'mse', got"),
    ({"a": None}, "a", str, {}, r"a must be a string, got None"),
    ({"a": [1]}, "a.3", int, {}, r"a.3 is missing"),
    ({"a": "x" * 10_000}, "a", int, {}, r"a must be an integer, got 'xxxxx.{0,60}$"),
])
def test_require_names_the_file_and_the_part_that_is_wrong(description, part, kind, options,
                                                          message):
    with pytest.raises(ln.InputError, match=message):
        require(description, part, kind, where="x.npz", **options)


# -- graphs in files are checked part by part ------------------------------------------------------

def figure1_spec():
    return graph_spec(ln.PRESETS["figure1"](0))


def broken(change):
    spec = figure1_spec()
    change(spec)
    return spec


@pytest.mark.parametrize(("spec", "message"), [
    ([["nodes"]], r"^'f.npz': the graph must be an object, got \[\['nodes'\]\]"),
    (broken(lambda s: s.update(format="1")), r"unknown labnet file format '1'"),
    (broken(lambda s: s.update(nodes={"1": "Linear"})), r"nodes must be a list, got"),
    (broken(lambda s: s["nodes"].append([8])), r"nodes.7 must be a pair \[node id, module\]"),
    (broken(lambda s: s["nodes"].append([[8], {}])), r"nodes.7: a node id must be an int or a str"),
    (broken(lambda s: s["nodes"].append(s["nodes"][1])), r"node 2 is listed twice"),
    (broken(lambda s: s["nodes"][1].__setitem__(1, "ReLU")), r"node 2: a module must be "
                                                              r"described by an object"),
    (broken(lambda s: s["nodes"][1][1].update(config=[])), r"node 2: the config of Tanh must "
                                                            r"be an object"),
    (broken(lambda s: s["nodes"][1][1].update({"class": 7})), r"node 2: the module class must be "
                                                               r"a name, got 7"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(colour="red")),
     r"node 1: Linear\(in_features=2, out_features=25, init='xavier', colour='red'\): .*"
     r"unexpected keyword argument 'colour'"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(in_features="2")),
     r"node 1: Linear in_features must be an integer >= 1, got '2'"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(in_features=None)),
     r"node 1: Linear in_features must be an integer >= 1, got None"),
    (broken(lambda s: s["nodes"][0][1]["config"].update(out_features=10**7)),
     r"the graph declares 30000777 parameters of float64: more than the 67108864-byte limit"),
    (broken(lambda s: s["nodes"][2][1]["config"].update(out_features=2**14, in_features=2**14)),
     r"the graph declares 268452042 parameters"),
    (broken(lambda s: s["nodes"][1][1].update({"class": "Linear", "config": {
        "in_features": None, "out_features": 10**13}})),
     r"node 2: Linear in_features must be an integer >= 1, got None"),
    (broken(lambda s: s["nodes"][3][1]["config"].update(negative_slope="x")),
     r"node 4: ReLU\(negative_slope='x'\): ReLU\(\) takes no arguments"),
    (broken(lambda s: s.update(connectivity={"0": [1]})), r"connectivity must be a list, got"),
    (broken(lambda s: s["connectivity"].append([1, 2])), r"connectivity.7 must be a pair"),
    (broken(lambda s: s["connectivity"].append(s["connectivity"][0])),
     r"connectivity lists node 0 twice"),
    (broken(lambda s: s["connectivity"][0][1].append({})), r"connectivity.0: a node id must be"),
    (broken(lambda s: s.update(input=None)), r"input: a node id must be an int or a str"),
    (broken(lambda s: s.update(in_features=-2)), r"in_features must be an integer >= 1 \(or "
                                                  r"null\), got -2"),
    (broken(lambda s: s.update(dtype="int64")), r"dtype must be a floating-point type"),
    (broken(lambda s: s.update(dtype=["float64"])), r"dtype must be a string"),
    (broken(lambda s: s["connectivity"][0][1].append(9)), r"^'f.npz': edge 0 → 9: node 9 is "
                                                          r"not in operators"),
    (broken(lambda s: s.update(nodes=[[i, {"class": "ReLU", "config": {}}]
                                      for i in range(MAX_NODES + 1)])),
     f"the graph has {MAX_NODES + 1} nodes, more than {MAX_NODES}"),
])
def test_network_from_spec_refuses_malformed_parts_naming_them(spec, message):
    with pytest.raises(ln.InputError if "edge" not in message else ln.GraphError, match=message):
        network_from_spec(spec, where="f.npz")


def test_a_module_too_wide_for_a_file_is_refused_before_it_is_built():
    """The lab's own files describe Linears whose in_features the lab infers: their width is
    bounded too."""
    with pytest.raises(ln.InputError, match=r"^'lab.npz': node 3: Linear out_features is "
                                            r"10000000000000, more than the 16384"):
        module_from_spec({"class": "Linear", "config": {"in_features": None,
                                                        "out_features": 10**13}},
                         where="lab.npz", node=3)
    assert module_from_spec({"class": "Linear", "config": {"in_features": None,
                                                           "out_features": 5}}).weight is None


def test_network_from_spec_builds_what_graph_spec_describes():
    net = network_from_spec(figure1_spec())
    assert net.order == ln.PRESETS["figure1"](0).order and net.num_params() == 852


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
