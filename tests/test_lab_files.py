"""Saving a lab and opening it again (``labnet.lab.files``): the whole lab comes back just as it
was, whatever value the Python API took; a file is untrusted input, and a file that cannot be
opened is a ValueError saying why that leaves the lab as it was."""

import contextlib
import copy
import io
import json
import os
import random
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest
from labtools import accepted, lab_from, refused, same, shown_equals_the_model, snapshot

import labnet as ln
from labnet.lab import Lab
from labnet.lab import files as lab_files
from labnet.lab.display import Display
from labnet.lab.files import open_lab, save_lab
from labnet.lab.graph import MAX_WIDTH
from labnet.lab.state import LabState
from labnet.lab.traits import view_json


@pytest.fixture(autouse=True)
def in_the_notebooks_folder(tmp_path, monkeypatch):
    """The page saves and opens files in the notebook's folder (the kernel's): here, tmp_path."""
    monkeypatch.chdir(tmp_path)


def page(path) -> str:
    """``path`` (in tmp_path) as the page names it: relative to the notebook's folder."""
    return os.path.relpath(path)


def saved_lab(tmp_path, name="lab.npz") -> tuple[Lab, str]:
    lab = Lab(preset="figure1")
    lab.set_training(optimizer="adam", lr=0.01, batch_size=20)
    lab.set_data(noise=0.05, test_fraction=0.3)
    lab.step(60)
    lab.add_point(0.2, 0.8, 1)
    lab.set_lock("weights", "hidden")
    path = str(tmp_path / name)
    lab.save(path)
    return lab, path


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A lab saved once for the tests that break its file (they leave the lab as it was)."""
    lab, path = saved_lab(tmp_path_factory.mktemp("saved"))
    return lab, path


def description(path) -> tuple[dict, dict]:
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return json.loads(str(arrays.pop("__lab__"))), arrays


def write(path, description, arrays) -> None:
    np.savez(path, __lab__=np.array(json.dumps(description)), **arrays)


def test_save_and_open_give_back_the_whole_lab_and_it_carries_on_exactly(tmp_path):
    lab, path = saved_lab(tmp_path)
    pending = lab.add("Tanh")  # an edit not finished yet is saved too
    lab.hide("errors")
    lab.save(path)
    again = lab_from(path)
    assert again.state.data.settings == lab.state.data.settings
    assert again.state.training == lab.state.training
    assert again.state.graph == lab.state.graph and pending in again.state.graph.nodes
    assert again.graph_error == lab.graph_error and again.display.hidden == {"errors"}
    assert all(np.array_equal(a, b) for a, b in zip(
        again.network.state_dict().values(), lab.network.state_dict().values(), strict=True))
    assert np.array_equal(again.state.data.train[0], lab.state.data.train[0])
    assert np.array_equal(again.state.data.points.test, lab.state.data.points.test)
    assert again.history.as_dict() == lab.history.as_dict()
    shown_equals_the_model(again)
    for opened in (lab, again):
        opened.step(15)
    assert again.history.step_loss == lab.history.step_loss  # the same steps, to the bit


@pytest.mark.parametrize("change", [
    lambda lab: lab.set_training(lr=0.05),  # values no widget offers (issue 9)
    lambda lab: lab.set_training(batch_size=32, max_steps_per_second=123.5),
    lambda lab: lab.set_data(n_points=300),
    lambda lab: lab.set_data(seed=2**32 - 1, noise=0.5, test_fraction=0.05),
    lambda lab: lab.present(True),
    lambda lab: lab.set_scale(2.7),
    lambda lab: lab.show(test_points=False, discretize=True, edges="weights"),
    lambda lab: lab.hide("boundary", "curves", "gradients", "graph", "errors"),
    lambda lab: lab.set_training(loss="cross-entropy", optimizer="momentum"),
    lambda lab: [lab.set_lock(control, mode) for control, mode in (
        ("lr", "locked"), ("graph", "hidden"), ("weights", "locked"), ("teach", "hidden"))],
    lambda lab: lab.set_lock("files", "locked", sealed=False),  # (sealed once opened)
    lambda lab: lab.set_training(regularization="l1", regularization_rate=0.0042),
    lambda lab: lab.set_training(regularization="l2", regularization_rate=10),
    lambda lab: lab.set_standardize(False),
    lambda lab: lab.load_preset("deep-sigmoid-skip"),
    lambda lab: lab.remove(7),
    lambda lab: lab.add("LeakyReLU", negative_slope=0.3, at=(-999.5, 999.5)),
    lambda lab: lab.move(3, 1000, -1000),
    lambda lab: lab.add_point(1e6, -1e6, 0),
    lambda lab: lab.set_data(dataset="blobs", classes=5, noise=0.2),
    lambda lab: lab.set_features(["x2", "sin(x1)", "x1*x2"]),
    lambda lab: (lab.toggle_feature("x1^2"), lab.add("Tanh")),  # the graph's, not trained
    lambda lab: lab.set_data(dataset="reg-gauss"),
    lambda lab: (lab.set_data(dataset="reg-plane"), lab.add_point(0.5, -0.5, 123.25)),
    lambda lab: (lab.set_data(dataset="spirals"), lab.add_point(0.5, -0.5, 3),
                 lab.remove_point(0.5, -0.5)),  # 4 classes, the fourth with no point left
])
def test_every_value_the_python_api_takes_saves_reopens_and_shows(tmp_path, change):
    lab = Lab()
    lab.step(3)
    change(lab)
    lab.save(tmp_path / "lab.npz")
    for again in (lab_from(tmp_path / "lab.npz"), Lab()):
        if again.state.trainer.steps == 0:
            again.open(tmp_path / "lab.npz")
        assert again.state.training == lab.state.training
        assert again.state.data.settings == lab.state.data.settings
        assert again.state.graph == lab.state.graph
        assert again.display.saved() == lab.display.saved()
        assert again.widget.settings == lab.widget.settings
        assert again.widget.graph == lab.widget.graph | {"can_undo": False, "can_redo": False}
        assert again.widget.view == view_json(again.display)


def test_a_network_of_ones_own_with_named_nodes_saves_and_reopens(tmp_path):
    net = ln.Network({"hidden": ln.Linear(2, 6, rng=0), "act": ln.Tanh(),
                      "out": ln.Linear(6, 2, rng=1)},
                     {0: ["hidden"], "hidden": ["act"], "act": ["out"]})
    x, labels = ln.moons(200, 0.1, rng=2)
    lab = Lab(network=net, data=(x, labels))
    lab.step(4)
    lab.save(tmp_path / "mine.npz")
    again = lab_from(tmp_path / "mine.npz")
    assert again.network.output == "out" and again.state.data.settings.dataset == "custom"
    assert np.array_equal(again.network.operators["hidden"].weight, net.operators["hidden"].weight)
    assert again.history.as_dict() == lab.history.as_dict()


class Shifted(ln.Module):
    """y = x + shift (a module of one's own, for the lab's palette)."""

    def __init__(self, shift: float = 0.5) -> None:
        self.shift = float(shift)

    def forward(self, x):
        return x + self.shift

    def backward(self, grad_out):
        return grad_out  # dL/dx = grad_out

    def config(self) -> dict:
        return {"shift": self.shift}


def test_a_registered_module_is_in_the_palette_and_a_lab_with_it_saves_and_reopens(tmp_path):
    ln.register(Shifted)
    lab = Lab()
    assert "Shifted" in lab.widget.settings["choices"]["palette"]
    node = accepted(lab, "add", {"kind": "Shifted", "params": {"shift": 0.25},
                                 "between": [6, 7]})
    assert lab.graph_error is None and lab.network.operators[node].shift == 0.25
    lab.step(3)
    lab.save(tmp_path / "mine.npz")
    again = lab_from(tmp_path / "mine.npz")
    assert again.network.operators[node].shift == 0.25
    assert again.history.step_loss == lab.history.step_loss


def test_a_lab_of_as_few_own_points_as_it_keeps_saves_and_reopens(tmp_path):
    x = np.array([[0.1, 0.1], [0.9, 0.9], [0.1, 0.9], [0.9, 0.1], [0.5, 0.5]])
    lab = Lab(data=(x, [0, 1, 0, 1, 1]))
    lab.remove_point(0.5, 0.5)
    with pytest.raises(ValueError, match="keeps 4 points"):
        lab.remove_point(0.1, 0.1)
    lab.save(tmp_path / "few.npz")
    again = lab_from(tmp_path / "few.npz")
    assert len(again.state.data.x_all) == 4 and again.widget.settings == lab.widget.settings


def test_errors_of_epochs_not_scored_yet_are_scored_before_saving(tmp_path):
    state = LabState()
    state.use_training(state.training.changed(batch_size=1000))  # an epoch a step
    state.train(1, seconds=1.0)  # as the play loop trains: the errors left to score
    assert np.isnan(state.trainer.history.train_error[-1])
    save_lab(state, Display(), tmp_path / "lab.npz")
    again, _ = open_lab(tmp_path / "lab.npz")
    assert np.isfinite(again.trainer.history.train_error).all()


def test_open_through_the_page_replaces_the_lab_in_place(tmp_path):
    lab, path = saved_lab(tmp_path)
    other = Lab()
    widget = other.widget
    accepted(other, "open", {"path": page(path)})
    assert other.widget is widget and other.network.num_params() == lab.network.num_params()
    assert other.state.trainer.steps == 60 and "Opened" in other.widget.message["text"]
    shown_equals_the_model(other)
    accepted(other, "step", {"n": 2})
    assert other.state.trainer.steps == 62


def test_opening_a_file_ends_the_walk_of_the_old_lab(tmp_path):
    lab = Lab()
    lab.save(tmp_path / "lab.npz")
    lab.start_walk()
    lab.open(tmp_path / "lab.npz")
    assert lab.display.walk is None and lab.widget.walk == {}
    with pytest.raises(ValueError, match="no walk"):
        lab.finish_walk()


def test_saving_where_no_file_can_be_written_says_why(tmp_path):
    lab = Lab()
    message = refused(lab, "save", {"path": page(tmp_path / "missing" / "lab.npz")})
    assert "cannot write" in message
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        lab.save(folder)


def test_a_save_that_fails_leaves_the_old_file_as_it_was(tmp_path, monkeypatch):
    lab, path = saved_lab(tmp_path)
    with open(path, "rb") as file:
        before = file.read()

    def broken(file, **arrays):
        file.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(ValueError, match="No space left"):
        lab.save(path)
    with open(path, "rb") as file:
        assert file.read() == before
    assert [name for name in os.listdir(tmp_path) if name != "lab.npz"] == []


BAD_PARTS = [
    ("format", 1, "unknown lab file format 1"),
    ("format", "2", "format must be a whole number"),
    ("data", None, "has no data.dataset"),
    ("data.noise", "loud", "data.noise must be a number"),
    ("data.noise", 7, "noise must be between"),
    ("data.n_points", True, "data.n_points must be a number"),
    ("data.seed", -1, "the seed"),
    ("data.dataset", "mnist", "unknown data set"),
    ("training.lr", -1, "learning rate"),
    ("training.lr", 10**400, "learning rate"),
    ("training.batch_size", 0, "batch size"),
    ("training.optimizer", "lbfgs", "unknown optimizer"),
    ("training.max_steps_per_second", "fast", "max_steps_per_second must be"),
    ("data.classes", 9, "the number of classes must be a whole number from 2 to 8"),
    ("graph.features", ["x1", "x9"], "unknown feature 'x9'"),
    ("graph.features", [], "give at least one"),
    ("graph.features", "x1", "graph.features must be a list"),
    ("graph.features", ["x1"] * 50, "more than there are features"),
    ("features", ["x1", "x2", "x1^2"], "the lab's input has 3 features; this network takes 2"),
    ("features", ["x1", "x1"], "given twice"),
    ("data.classes", "many", "data.classes must be a number"),
    ("training.regularization", "l3", "regularization must be one of none, l1, l2"),
    ("training.regularization", 2, "training.regularization must be text"),
    ("training.regularization_rate", -1, "regularisation rate must be a number from 0"),
    ("training.regularization_rate", "high", "regularization_rate must be a number"),
    ("display.scale", 99, "scale must be between"),
    ("display.hidden", ["everything"], "cannot hide everything"),
    ("display.hidden", "boundary", "display.hidden must be a list"),
    ("display.edges", None, "display.edges must be text"),
    ("display.lock", ["lr"], "display.lock must be a mapping"),
    ("display.lock", {"lr": "maybe"}, "display.lock: a control is free, locked, hidden"),
    ("display.lock", {"everything": "locked"}, "display.lock: there is no control"),
    ("display.lock", {"lr": None}, "display.lock: a control is"),
    ("graph.nodes", {"1": 2}, "graph.nodes must be a list"),
    ("graph.nodes", [[1]], r"graph.nodes\[0\] must be a list of 2 items"),
    ("graph.nodes", [[True, {"class": "ReLU", "config": {}}]], "a node id is a whole number"),
    ("graph.nodes", [[1, "ReLU"]], "node 1's module must be a mapping with a class"),
    ("graph.nodes", [[1, {"class": "Conv2d", "config": {}}]], "Conv2d"),
    ("graph.nodes", [[1, {"class": "Linear", "config": {"in_features": 2,
                                                        "out_features": 10**9}}]],
     "out_features is 1000000000, not a width from 1 to 4096"),
    ("graph.nodes", [[i, {"class": "ReLU", "config": {}}] for i in range(1, 1100)],
     "has 1099 entries, more than 1000"),
    ("graph.edges", [[0, 99]], r"graph.edges\[0\] is 0 → 99, between nodes that are not"),
    ("graph.edges", [[1, 2]] * 5000, "more than 4000"),
    ("graph.positions", [[1, "left", 0]], "not two finite numbers"),
    ("graph.positions", [[1, 10**400, 0]], "can be opened"),
    # (issue 14, 5: a node at (1e308, -1e308) made the whole graph vanish from the page)
    ("graph.positions", [[n, 1e308 if n == 1 else n, -1e308 if n == 1 else 0]
                         for n in range(8)], "a position is within ±1000"),
    ("network.nodes", [[1, {"class": "Linear", "config": {"in_features": 10**6,
                                                          "out_features": 10**6}}]],
     "in_features is 1000000, not a width"),
    ("network.nodes", [[n, {"class": "Linear", "config": {"in_features": 4096,
                                                          "out_features": 4096}}]
                       for n in range(1, 4)], "more than the lab's"),
    ("network.nodes", [[1, {"class": "Linear", "config": {"in_features": None,
                                                          "out_features": 25}}]],
     "in_features is None"),
    ("network.format", 7, "unknown labnet file format"),
    ("network.connectivity", [[0, [99]]], "99"),
    ("rng", {"bit_generator": "MT19937"}, "can be opened"),
    ("rng", 5, "rng must be a mapping"),
    ("trainer.steps", "many", "steps"),
    ("trainer.order", {"array": "nothing"}, "names an array"),
    ("trainer.position", 10**9, "position"),
    ("trainer.history", {"loss_of_the_century": []}, "unknown history series"),
    ("trainer", [1, 2], "trainer must be a mapping"),
]


def broken(description: dict, where: str, value) -> dict:
    description = copy.deepcopy(description)
    *parents, last = where.split(".")
    part = description
    for name in parents:
        part = part[name]
    part[last] = value
    return description


@pytest.mark.parametrize(("where", "value", "words"), BAD_PARTS,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(BAD_PARTS)])
def test_a_file_with_a_bad_part_is_refused_naming_it_and_a_failed_open_changes_nothing(
        tmp_path, saved, where, value, words):
    lab, path = saved
    good, arrays = description(path)
    bad = str(tmp_path / "bad.npz")
    write(bad, broken(good, where, value), arrays)
    with pytest.raises(ValueError, match=words) as error:
        lab_from(bad)
    assert "bad.npz" in str(error.value)
    message = refused(lab, "open", {"path": page(bad)})
    assert "bad.npz" in message


@pytest.mark.parametrize(("content", "words"), [
    (b"", "not an .npz archive"),
    (b"PK\x03\x04 broken zip", "not an .npz archive"),
    ("npy", "not an .npz archive"),
    ("no key", "no '__lab__' entry"),
    ("bad json", "not JSON"),
    ("not a mapping", "not a JSON object"),
    ("missing parts", "its description has no"),
    ("weights of another shape", "shape"),
    ("points that are not a plane's", "2 columns"),
    ("a test mask that is not one", "points/test must say"),
    ("classes fewer than the labels", "the number of classes must be a whole number from 2"),
    ("classes that are not a number", "points.classes must be a whole number"),
    ("targets of two columns", "one target a point"),
    ("a network for other data", "node 7 has width 2: the lab needs 3 outputs"),
    ("no test point", "points/test must say"),
])
def test_opening_a_file_that_is_not_a_lab_says_so(tmp_path, saved, content, words):
    lab, path = saved
    good, arrays = description(path)
    bad = tmp_path / "bad.npz"
    if content == "npy":
        np.save(tmp_path / "x.npy", np.zeros(3))
        bad = tmp_path / "x.npy"
    elif content == "no key":
        np.savez(bad, weights=np.zeros(3))
    elif content == "bad json":
        np.savez(bad, __lab__=np.array("{not json"))
    elif content == "not a mapping":
        np.savez(bad, __lab__=np.array("[1, 2, 3]"))
    elif content == "missing parts":
        np.savez(bad, __lab__=np.array('{"format": 2}'))
    elif content == "weights of another shape":
        write(bad, good, {**arrays, "weights/1.weight": np.zeros((3, 3))})
    elif content == "points that are not a plane's":
        write(bad, good, {**arrays, "points/x": np.zeros((len(arrays["points/x"]), 3))})
    elif content == "a test mask that is not one":
        write(bad, good, {**arrays, "points/test": arrays["points/test"].astype(int)})
    elif content == "classes fewer than the labels":
        write(bad, {**good, "points": {"classes": 1}}, arrays)
    elif content == "classes that are not a number":
        write(bad, {**good, "points": {"classes": "3"}}, arrays)
    elif content == "targets of two columns":
        write(bad, good, {**arrays, "points/labels": np.zeros((len(arrays["points/x"]), 2))})
    elif content == "a network for other data":
        changed = copy.deepcopy(good)
        changed["data"]["dataset"] = "blobs"  # 3 classes; the network gives 2
        write(bad, changed, arrays)
    elif content == "no test point":
        write(bad, good, {**arrays, "points/test": np.zeros_like(arrays["points/test"])})
    else:
        bad.write_bytes(content)
    with pytest.raises(ValueError, match=words):
        lab_from(bad)
    assert words.split("'")[0] in refused(lab, "open", {"path": page(bad)})


def test_damaged_and_random_files_are_value_errors_and_change_nothing(tmp_path):
    lab, path = saved_lab(tmp_path)
    with open(path, "rb") as file:
        data = file.read()
    generator = random.Random(0)
    before = snapshot(lab)
    bad = tmp_path / "bad.npz"
    for trial in range(150):
        kind = trial % 3
        if kind == 0:  # truncated
            content = data[:generator.randrange(len(data))]
        elif kind == 1:  # a few bytes changed
            content = bytearray(data)
            for _ in range(generator.randint(1, 10)):
                content[generator.randrange(len(content))] = generator.randrange(256)
            content = bytes(content)
        else:  # noise
            content = bytes(generator.randrange(256) for _ in range(generator.randint(0, 3000)))
        bad.write_bytes(content)
        try:
            lab.open(bad)
        except ValueError:
            assert same(before, snapshot(lab))
        else:  # (a byte changed in a number's last digit can still be a lab)
            lab = lab_from(path)
            before = snapshot(lab)


def test_random_changes_to_a_files_description_are_value_errors(tmp_path):
    _, path = saved_lab(tmp_path)
    good, arrays = description(path)
    generator = random.Random(1)
    values = [None, True, 0, -1, 2, 10**400, 1.5, -1e308, "x", [], {}, [0], [[0, 1]],
              {"array": "nope"}, {"float": "nan"}, 2**63, [[1, {"class": "ReLU"}]]]
    places = []

    def walk(value, where):
        places.append(where)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*where, key))
        elif isinstance(value, list):
            for i, item in enumerate(value[:4]):
                walk(item, (*where, i))

    walk(good, ())
    bad = str(tmp_path / "bad.npz")
    for _ in range(80):
        changed = copy.deepcopy(good)
        where = generator.choice(places[1:])
        part = changed
        for key in where[:-1]:
            part = part[key]
        part[where[-1]] = generator.choice(values)
        write(bad, changed, arrays)
        with contextlib.suppress(ValueError):  # (some changes still make a lab)
            open_lab(bad)


def test_a_file_asking_for_huge_modules_is_refused_before_anything_is_allocated(tmp_path):
    _, path = saved_lab(tmp_path)
    good, arrays = description(path)
    huge = {"class": "Linear", "config": {"in_features": MAX_WIDTH, "out_features": MAX_WIDTH}}
    bad = str(tmp_path / "bad.npz")
    for where in ("graph.nodes", "network.nodes"):
        write(bad, broken(good, where, [[n, huge] for n in range(1, 200)]), arrays)
        tracemalloc.start()
        with pytest.raises(ValueError):
            open_lab(bad)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 300 * 2**20  # (what 200 such layers would take: 26 GB)


def with_a_lying_array(path, good: dict, arrays: dict, rows: int) -> None:
    """A lab file whose points/x says, in its header, that it has ``rows`` rows (and has a few
    bytes)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (rows, 2)})
    write(path, good, {name: value for name, value in arrays.items() if name != "points/x"})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("points/x.npy", header.getvalue() + bytes(64))


def test_a_file_whose_array_claims_more_memory_than_there_is_is_a_value_error(tmp_path):
    lab, path = saved_lab(tmp_path)
    good, arrays = description(path)
    bad = str(tmp_path / "bad.npz")
    with_a_lying_array(bad, good, arrays, rows=4 * 10**12)  # 64 TB
    with pytest.raises(ValueError, match=r"bad\.npz"):
        lab_from(bad)
    refused(lab, "open", {"path": page(bad)})


def test_opening_a_file_allocates_no_more_than_a_bound_whatever_its_arrays_claim(tmp_path):
    _, path = saved_lab(tmp_path)
    good, arrays = description(path)
    bad = str(tmp_path / "bad.npz")
    with_a_lying_array(bad, good, arrays, rows=80_000_000)  # 1.3 GB, in a file of kilobytes
    tracemalloc.start()
    with pytest.raises(ValueError):
        lab_from(bad)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200 * 2**20


def test_opening_a_file_never_imports_anything(tmp_path):
    _, path = saved_lab(tmp_path)
    good, arrays = description(path)
    bad = str(tmp_path / "bad.npz")
    spec = {"class": "colorsys:rgb_to_hsv", "config": {}}
    write(bad, broken(good, "graph.nodes", [[1, spec]]), arrays)
    code = (f"import sys, labnet.lab.files as f\n"
            f"try:\n    f.open_lab({bad!r})\nexcept ValueError:\n    pass\n"
            f"print('colorsys' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_a_long_history_is_kept_as_arrays_so_the_file_stays_small(tmp_path):
    lab = Lab(preset="deep-sigmoid-skip")
    lab.step(3000)
    path = tmp_path / "deep.npz"
    lab.save(path)
    with np.load(path) as archive:
        assert any(name.startswith("trainer/history") for name in archive.files)
        description = str(archive["__lab__"])
    assert len(description) < 20_000  # the series are arrays, not JSON text
    assert path.stat().st_size < 2_000_000
    opened = lab_from(path)
    assert opened.history.step_loss == lab.history.step_loss


def _renamed_norms(description: dict, held_too: bool) -> dict:
    """Node 1's gradient-norm series under the name 99 (and its held norm, if ``held_too``)."""
    description = copy.deepcopy(description)
    history = description["trainer"]["history"]
    history["series"]["grad_norms"] = [[99 if node == 1 else node, values]
                                       for node, values in history["series"]["grad_norms"]]
    if held_too:
        history["held"][0] = [[99 if node == 1 else node, value]
                              for node, value in history["held"][0]]
    return description


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: _renamed_norms(d, held_too=False), "'held' has norms of nodes"),
    (lambda d: _renamed_norms(d, held_too=True), r"grad_norms has node\(s\) \[99\]"),
    (lambda d: broken(d, "trainer.history.held", [[[0, "big"]], []]), "'held'"),
    (lambda d: broken(d, "trainer.history.limit", None), "limit None is more than"),
    (lambda d: broken(d, "trainer.optimizer.state",
                      [{"m": s["m"]} for s in d["trainer"]["optimizer"]["state"]]),
     r"has \['m'\]; Adam keeps \['m', 'v'\]"),
])
def test_a_file_that_opens_can_be_trained_or_it_does_not_open(tmp_path, saved, change, words):
    """Parts that are each well formed but do not fit together (norms of a node the network
    has not, an Adam without its second moments, a history without bound) are refused when
    the file is opened, not by a KeyError at the next step."""
    _lab, path = saved
    good, arrays = description(path)
    bad = str(tmp_path / "bad.npz")
    write(bad, change(good), arrays)
    with pytest.raises(ValueError, match=words):
        lab_from(bad)
    lab_from(path).step(20)  # (the good file trains)


def test_a_lab_too_big_to_open_again_is_not_saved_and_the_old_file_stays(tmp_path, monkeypatch):
    path = tmp_path / "lab.npz"
    lab = Lab()
    lab.save(path)
    before = path.read_bytes()
    lab.step(50)
    monkeypatch.setattr(lab_files, "MAX_BYTES", len(before))  # the file would be longer now
    with pytest.raises(ValueError, match="a file may have to be opened again"):
        lab.save(path, replace=True)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["lab.npz"]
    lab_from(path)  # (what is saved opens)


def test_a_file_saved_before_the_moves_of_playground_opens_with_them_at_their_defaults(
        tmp_path, saved):
    lab, path = saved
    good, arrays = description(path)
    for key in ("regularization", "regularization_rate"):
        del good["training"][key]
    del good["data"]["classes"], good["graph"]["features"], good["features"], good["points"]
    old = tmp_path / "old.npz"
    write(old, good, arrays)
    again = lab_from(old)
    assert again.state.training.regularization == "none"
    assert again.state.trainer.regularization is None
    assert again.state.features == again.state.graph.features == ("x1", "x2")
    assert again.state.data.settings.classes == 3 and again.state.data.outputs == 2
    assert again.state.training.lr == lab.state.training.lr
