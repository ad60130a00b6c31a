"""The front end's intents (``labnet.lab.intents``), run as the browser runs them
(``lab.widget.run(action, args)``): each reaches the ``Lab`` method of its name, and every bad
message a page (or anyone with the kernel's comm) can send is a ``ValueError`` shown in the
message line, never an internal error, and changes nothing."""

import math

import pytest
from labtools import accepted, messages, refused

from labnet.lab import Lab
from labnet.lab.intents import ACTIONS, REQUIRED
from labnet.lab.lab import MAX_STEPS

NAN, INF = math.nan, math.inf
HUGE = 10**400  # a whole number no float holds (Python's json reads one from a page)


@pytest.fixture(scope="module")
def lab():
    """The seed network (nodes 1-7 in a chain: Linear, ReLU, ... Linear 2), after two steps,
    with clicks on the plane adding orange points. The tests here leave it as it is (each
    checks that nothing changed)."""
    lab = Lab()
    lab.step(2)
    lab.show(click="orange")
    return lab


GOOD = {
    "add": {"kind": "Linear", "params": {"width": 8}, "at": [3, 2], "between": [1, 2]},
    "connect": {"src": 1, "dst": 2}, "disconnect": {"src": 1, "dst": 2},
    "remove": {"node": 4, "join": False}, "set_params": {"node": 3, "params": {"width": 7}},
    "replace": {"node": 2, "kind": "LeakyReLU", "params": {"negative_slope": 0.2}},
    "widen": {"node": 3, "by": -2}, "set_activation": {"kind": "Tanh"},
    "set_features": {"names": ["x1", "x2", "sin(x1)"]},
    "toggle_feature": {"name": "x1^2", "on": True},
    "add_layer": {"width": 8, "activation": "Sigmoid", "between": [2, 3]},
    "move": {"node": 2, "x": 1.5, "y": -2}, "tidy": {}, "undo": {}, "redo": {},
    "load_preset": {"name": "figure1"},
    "set_weight": {"node": 3, "name": "weight", "index": [0, 1], "value": 0.5},
    "edge_weights": {"src": 2, "dst": 3}, "dismiss_hint": {"key": "adam-lr"},
    "load_csv": {"text": "0,0,0\n1,1,1\n", "name": "mine.csv", "task": "classification"},
    "export_csv": {}, "set_lock": {"control": "lr", "mode": "hidden"},
    "set_data": {"dataset": "xor", "noise": 0.1, "n_points": 300, "test_fraction": 0.3,
                 "seed": 4, "standardize": False, "classes": 4},
    "set_training": {"loss": "cross-entropy", "optimizer": "adam", "lr": 0.01,
                     "batch_size": 32, "max_steps_per_second": 500, "regularization": "l2",
                     "regularization_rate": 0.003},
    "click_plane": {"x1": 0.5, "x2": 0.25}, "step": {"n": 3}, "epoch": {}, "reset": {},
    "play": {}, "pause": {}, "toggle_play": {},
    "show": {"test_points": False, "discretize": True, "edges": "weights", "click": "blue"},
    "look_at": {"node": 3, "unit": 4}, "hide": {"names": ["boundary", "errors"]},
    "reveal": {"names": ["errors"]}, "present": {"on": True},
    "start_walk": {"sample": 3}, "walk_next": {}, "walk_back": {}, "walk_to": {"index": 9},
    "finish_walk": {}, "pick_sample": {"x1": 0.5, "x2": -1}, "end_walk": {},
    "save": {"path": "a.npz"}, "open": {"path": "a.npz"}, "open_upload": {"name": "a.npz"},
    "export_code": {"include_weights": True}, "export_picture": {"path": "a.png"},
}
EXPECTED_CALLS = {  # what the Lab method receives, when it is not GOOD's arguments as they are
    "add": ((("Linear",), {"at": (3, 2), "between": (1, 2), "width": 8})),
    "set_params": (((3,), {"width": 7})),
    "replace": (((2, "LeakyReLU"), {"negative_slope": 0.2})),
    "add_layer": (((), {"width": 8, "activation": "Sigmoid", "between": (2, 3)})),
    "hide": (("boundary", "errors"), {}), "reveal": (("errors",), {}),
    # the page asks before it replaces a file
    "set_lock": ((), {"control": "lr", "mode": "hidden", "sealed": False}),
    "save": ((), {"path": "a.npz", "replace": False, "from_page": True}),
    "export_picture": ((), {"path": "a.png", "replace": False, "from_page": True}),
    "open": ((), {"path": "a.npz", "from_page": True}),  # (labnet.lab.pagefiles: where it goes)
}


def test_every_action_has_a_good_example_here():
    assert set(GOOD) == set(ACTIONS)


@pytest.mark.parametrize("action", sorted(set(ACTIONS) - {"open_upload"}))
def test_each_intent_calls_the_lab_method_of_its_name_with_its_arguments(action, monkeypatch):
    lab = Lab()
    calls = []

    def method(*args, **kwargs):
        calls.append((args, kwargs))
        return 42

    monkeypatch.setattr(lab, action, method)
    assert lab.widget.run(action, GOOD[action]) == 42
    assert lab.last_traceback is None and not lab.widget.message.get("error")
    assert calls == [EXPECTED_CALLS.get(action, ((), GOOD[action]))]


def test_an_upload_opens_the_bytes_of_its_one_buffer_as_the_page_asks(monkeypatch):
    lab = Lab()
    calls = []
    monkeypatch.setattr(lab, "open", lambda *args, **kwargs: calls.append((args, kwargs)))
    lab.widget.run("open_upload", {"name": "mine.npz"}, buffers=[memoryview(b"PK...")])
    assert calls == [(("mine.npz",), {"content": b"PK...", "from_page": True})]
    for buffers in ([], [b"a", b"b"]):  # the file's bytes are one buffer, never none or two
        lab.widget.run("open_upload", {"name": "mine.npz"}, buffers=buffers)
        assert "one buffer" in lab.widget.message["text"] and len(calls) == 1


def test_a_reply_carries_the_value_of_the_method_or_the_refusal():
    lab = Lab()
    sent = messages(lab)
    node = lab.widget.run("add", {"kind": "ReLU"}, request=8)
    assert node == 8 and lab.graph_error is not None  # not connected yet
    assert sent[-1] == ({"type": "reply", "id": 8, "ok": True, "value": 8}, [])
    lab.widget.run("connect", {"src": 7, "dst": 1}, request=9)
    reply = sent[-1][0]
    assert reply["type"] == "reply" and reply["id"] == 9 and not reply["ok"]
    assert "cycle" in reply["error"] and reply["error"] == lab.widget.message["text"]
    lab.widget.run("remove", {"node": node})  # no request id: no reply
    assert lab.graph_error is None
    assert [content["id"] for content, _ in sent if content["type"] == "reply"] == [8, 9]


def test_missing_optional_arguments_and_nulls_take_the_methods_defaults():
    lab = Lab()
    accepted(lab, "step", {})
    accepted(lab, "step", {"n": None})
    accepted(lab, "look_at", {"node": 1, "unit": None})
    accepted(lab, "set_data", {"noise": None, "seed": 3})
    assert lab.state.trainer.steps == 2 and lab.display.picked == 1
    assert lab.state.data.settings.seed == 3 and lab.state.data.settings.noise == 0


BAD = [
    # what the message is not
    ("fly", {}, "unknown action 'fly'"),
    (None, {}, "unknown action None"),
    (3, {}, "unknown action 3"),
    (["step"], {}, "unknown action"),
    ("__init__", {}, "unknown action"),
    ("_edit", {}, "unknown action"),
    ("step", [1], "must be a mapping"),
    ("step", "n=1", "must be a mapping"),
    ("step", 5, "must be a mapping"),
    ("step", {"m": 1}, "takes no argument m"),
    ("connect", {"src": 1, "dst": 2, "via": 3}, "takes no argument via"),
    ("tidy", {"all": True}, "takes no argument all"),
    # what is missing (null is missing)
    ("connect", {"src": 1}, "connect needs dst"),
    ("connect", {}, "connect needs src, dst"),
    ("connect", {"src": None, "dst": 2}, "needs src"),
    ("disconnect", {"dst": 2}, "needs src"),
    ("remove", {}, "remove needs node"),
    ("move", {"node": 1, "x": 0}, "move needs y"),
    ("add", {}, "add needs kind"),
    ("add", {"params": {"width": 3}}, "add needs kind"),
    ("set_params", {"params": {"width": 3}}, "set_params needs node"),
    ("load_preset", {}, "needs name"),
    ("click_plane", {"x1": 0.5}, "needs x2"),
    ("look_at", {}, "needs node"),
    ("look_at", {"unit": 2}, "needs node"),
    ("save", {}, "needs path"),
    ("open", {}, "needs path"),
    # wrong types
    ("step", {"n": 1.5}, "n must be a whole number"),
    ("step", {"n": "3"}, "n must be a whole number"),
    ("step", {"n": True}, "n must be a whole number, got True"),
    ("step", {"n": [3]}, "n must be a whole number"),
    ("connect", {"src": 1.5, "dst": 2}, "src must be a whole number or a name"),
    ("connect", {"src": [1], "dst": 2}, "src must be"),
    ("connect", {"src": True, "dst": 2}, "src must be"),
    ("connect", {"src": {"id": 1}, "dst": 2}, "src must be"),
    ("move", {"node": 1, "x": "a", "y": 0}, "x must be"),
    ("move", {"node": 1, "x": False, "y": 0}, "x must be"),
    ("add", {"kind": 3}, "kind must be a name"),
    ("add", {"kind": "Linear", "params": [8]}, "params must be a mapping"),
    ("add", {"kind": "Linear", "params": {"width": [1]}}, "map parameter names to numbers"),
    ("add", {"kind": "Linear", "params": {"width": {"n": 1}}}, "map parameter names"),
    ("add", {"kind": "Linear", "params": {3: 1}}, "map parameter names"),
    ("add", {"kind": "Linear", "params": {f"p{i}": 1 for i in range(30)}}, "map parameter"),
    ("add", {"kind": "Linear", "at": [1]}, "at must be two values"),
    ("add", {"kind": "Linear", "at": [1, 2, 3]}, "at must be two values"),
    ("add", {"kind": "Linear", "at": [{"a": 1}, 0]}, "short list of numbers or names"),
    ("add", {"kind": "Linear", "at": list(range(200))}, "short list"),
    ("add", {"kind": "Linear", "at": ["left", "top"]}, "a position is two numbers"),
    ("add", {"kind": "ReLU", "between": [1]}, "between must be two values"),
    ("add", {"kind": "ReLU", "between": 1}, "between must be a list"),
    ("hide", {"names": "boundary"}, "names must be a list"),
    ("hide", {"names": [["boundary"]]}, "short list"),
    ("set_data", {"standardize": 1}, "standardize must be true or false"),
    ("set_data", {"dataset": 5}, "dataset must be a name"),
    ("set_data", {"noise": "0.1"}, "noise must be"),
    ("set_training", {"lr": "fast"}, "the learning rate must be a number, got 'fast'"),
    ("set_training", {"loss": ["mse"]}, "loss must be a name"),
    ("show", {"test_points": 1}, "test_points must be true or false"),
    ("present", {"on": "yes"}, "on must be true or false"),
    ("look_at", {"node": 3, "unit": 1.0}, "unit must be a whole number"),
    ("export_code", {"include_weights": 1}, "include_weights must be true or false"),
    ("save", {"path": 5}, "path must be a name"),
    ("open", {"path": ["a.npz"]}, "path must be a name"),
    # NaN and infinity
    ("move", {"node": 1, "x": NAN, "y": 0}, "a position is within ±1000"),
    ("move", {"node": 1, "x": 0, "y": -INF}, "a position is within ±1000"),
    ("move", {"node": 1, "x": 1e308, "y": 0}, "a position is within ±1000"),  # (issue 14, 5)
    ("add", {"kind": "ReLU", "at": [NAN, 0]}, "a position is within ±1000"),
    ("add", {"kind": "LeakyReLU", "params": {"negative_slope": NAN}}, "finite number"),
    ("add", {"kind": "LeakyReLU", "params": {"negative_slope": INF}}, "finite number"),
    ("set_params", {"node": 1, "params": {"width": INF}}, "width must be a finite number"),
    ("set_params", {"node": 1, "params": {"width": NAN}}, "finite number"),
    ("set_data", {"noise": NAN}, "noise must be between 0 and 0.5, got nan"),
    ("set_data", {"noise": INF}, "noise must be between"),
    ("set_data", {"test_fraction": NAN}, "test fraction"),
    ("set_data", {"n_points": INF}, "number of points"),
    ("set_data", {"seed": NAN}, "seed"),
    ("set_data", {"classes": NAN}, "the number of classes must be a whole number from 2 to 8"),
    ("set_features", {}, "set_features needs names"),
    ("set_features", {"names": "x1"}, "names must be a list"),
    ("set_features", {"names": []}, "features: give at least one"),
    ("set_features", {"names": ["x1", "x1"]}, "x1 given twice"),
    ("set_features", {"names": ["x3"]}, "unknown feature 'x3'"),
    ("set_features", {"names": [1]}, "unknown feature 1"),
    ("set_features", {"names": [["x1"]]}, "short list of numbers or names"),
    ("toggle_feature", {}, "toggle_feature needs name"),
    ("toggle_feature", {"name": "cos(x1)"}, "unknown feature 'cos"),
    ("toggle_feature", {"name": 3}, "name must be a name"),
    ("toggle_feature", {"name": "x1", "on": "yes"}, "on must be true or false"),
    ("set_data", {"classes": 9}, "the number of classes must be a whole number from 2 to 8"),
    ("set_data", {"classes": "3"}, "the number of classes must be a number"),
    ("set_data", {"dataset": "reg-cube"}, "unknown data set 'reg-cube'"),
    ("set_training", {"lr": NAN}, "learning rate"),
    ("set_training", {"lr": INF}, "learning rate"),
    ("set_training", {"lr": -INF}, "learning rate"),
    ("set_training", {"batch_size": NAN}, "batch size"),
    ("set_training", {"max_steps_per_second": NAN}, "cap on steps per second"),
    ("set_training", {"regularization_rate": NAN}, "the regularisation rate must be a number"),
    ("set_training", {"regularization_rate": INF}, "the regularisation rate must be a number"),
    ("set_training", {"regularization_rate": "0.1"}, "the regularisation rate must be a"),
    ("set_training", {"regularization": "dropout"}, "regularization must be one of none, l1"),
    ("set_training", {"regularization": True}, "regularization must be a name"),
    ("click_plane", {"x1": NAN, "x2": 0}, "coordinates within"),
    ("click_plane", {"x1": 0.5, "x2": INF}, "coordinates within"),
    # too big, too small
    ("step", {"n": MAX_STEPS + 1}, f"from 1 to {MAX_STEPS:,}"),
    ("step", {"n": 0}, "steps must be a whole number from 1"),
    ("step", {"n": -1}, "steps must be a whole number from 1"),
    ("step", {"n": HUGE}, "steps must be a whole number from 1"),
    ("set_data", {"n_points": 10**6}, "the number of points must be a whole number from 4"),
    ("set_data", {"n_points": 3}, "the number of points"),
    ("set_data", {"n_points": HUGE}, "the number of points"),
    ("set_data", {"n_points": 2.5}, "the number of points"),
    ("set_data", {"noise": HUGE}, "noise must be between"),
    ("set_data", {"noise": -0.1}, "noise must be between"),
    ("set_data", {"seed": -1}, "the seed must be a whole number from 0"),
    ("set_data", {"seed": 2**64}, "the seed"),
    ("set_data", {"test_fraction": 1.0}, "test fraction"),
    ("set_data", {"n_points": 4, "test_fraction": 0.1}, "leave no test point"),
    ("set_training", {"lr": 0}, "learning rate"),
    ("set_training", {"lr": -0.1}, "learning rate"),
    ("set_training", {"lr": 1000}, "learning rate"),
    ("set_training", {"lr": HUGE}, "learning rate"),
    ("set_training", {"batch_size": 0}, "batch size"),
    ("set_training", {"batch_size": 10**6}, "batch size"),
    ("set_training", {"batch_size": HUGE}, "batch size"),
    ("set_training", {"batch_size": 2.5}, "batch size"),
    ("set_training", {"max_steps_per_second": 0.5}, "cap on steps per second"),
    ("set_training", {"max_steps_per_second": HUGE}, "cap on steps per second"),
    ("move", {"node": 1, "x": HUGE, "y": 0}, "a position is two numbers"),
    ("click_plane", {"x1": HUGE, "x2": 0}, "coordinates"),
    ("click_plane", {"x1": 1e300, "x2": 0}, "within ±1e+06"),
    ("click_plane", {"x1": -2e6, "x2": 0}, "within ±1e+06"),
    ("add", {"kind": "Linear", "params": {"width": 10**6}}, "width must be a whole number "
                                                            "from 1 to 4096"),
    ("add", {"kind": "Linear", "params": {"width": HUGE}}, "width must be a whole number"),
    ("add", {"kind": "Linear", "params": {"width": 0}}, "width must be a whole number"),
    ("add", {"kind": "Linear", "params": {"width": -3}}, "width must be a whole number"),
    ("add", {"kind": "Linear", "params": {"width": 2.5}}, "width must be a whole number"),
    ("set_params", {"node": 1, "params": {"width": 10**9}}, "from 1 to 4096"),
    ("look_at", {"node": 1, "unit": 25}, "unit must be 0 to 24"),
    ("look_at", {"node": 1, "unit": -1}, "unit must be 0 to 24"),
    ("look_at", {"node": 1, "unit": HUGE}, "unit must be 0 to 24"),
    # bools where numbers go
    ("set_data", {"n_points": True}, "the number of points must be a number, got True"),
    ("set_data", {"noise": False}, "noise must be a number, got False"),
    ("set_data", {"seed": True}, "seed must be a number"),
    ("set_training", {"lr": True}, "the learning rate must be a number"),
    ("set_training", {"batch_size": True}, "the batch size must be a number"),
    ("set_training", {"max_steps_per_second": True}, "must be a number"),
    ("set_training", {"max_steps_per_second": "fast"}, "cap on steps per second"),
    ("add", {"kind": "Linear", "params": {"at": 1}}, "a module has no parameter 'at'"),
    ("add", {"kind": "Linear", "params": {"kind": "ReLU"}}, "no parameter 'kind'"),
    ("set_params", {"node": 1, "params": {"node": 2}}, "no parameter 'node'"),
    ("set_params", {"node": 1, "params": {"self": 2}}, "no parameter 'self'"),
    ("add", {"kind": "Linear", "params": {"self": 1}}, "no parameter 'self'"),
    ("save", {"path": "lab\0.npz"}, "is not a file name"),
    ("save", {"path": ".npz"}, "give the file a name"),
    ("save", {"path": "runs/.npz"}, "give the file a name"),
    ("export_picture", {"path": ".png"}, "give the file a name"),
    ("click_plane", {"x1": True, "x2": 0}, "x1 must be"),
    ("add", {"kind": "Linear", "params": {"width": True}}, "width must be a whole number"),
    ("set_params", {"node": 1, "params": {"width": False}}, "width must be a whole number"),
    ("look_at", {"node": 1, "unit": True}, "unit must be a whole number"),
    ("step", {"n": False}, "n must be a whole number"),
    # nodes and edges that do not exist
    ("connect", {"src": 99, "dst": 1}, "cannot connect from node 99: there is no such node"),
    ("connect", {"src": 1, "dst": 99}, "cannot connect to node 99"),
    ("connect", {"src": "a", "dst": 1}, "node 'a'"),
    ("connect", {"src": "1", "dst": 3}, "node '1'"),
    ("connect", {"src": -1, "dst": 3}, "node -1"),
    ("disconnect", {"src": 1, "dst": 3}, "there is no edge 1 → 3"),
    ("disconnect", {"src": 99, "dst": 98}, "there is no edge 99 → 98"),
    ("remove", {"node": 99}, "cannot remove node 99"),
    ("remove", {"node": "1"}, "cannot remove node '1'"),
    ("remove", {"node": 0}, "node 0 is the input"),
    ("set_params", {"node": 99, "params": {"width": 3}}, "node 99"),
    ("set_params", {"node": 0, "params": {"width": 3}}, "the input"),
    ("move", {"node": 99, "x": 0, "y": 0}, "cannot move node 99"),
    ("look_at", {"node": 99}, "node 99 is not in the network"),
    ("add", {"kind": "ReLU", "between": [1, 3]}, "there is no edge 1 → 3"),
    ("add", {"kind": "ReLU", "between": [99, 1]}, "there is no edge 99 → 1"),
    ("replace", {"node": 2}, "replace needs kind"),
    ("replace", {"kind": "Tanh"}, "replace needs node"),
    ("replace", {"node": 2, "kind": "Conv2d"}, "unknown module kind 'Conv2d'"),
    ("replace", {"node": 0, "kind": "Tanh"}, "node 0 is the input"),
    ("replace", {"node": 99, "kind": "Tanh"}, "cannot replace node 99"),
    ("replace", {"node": 2, "kind": "Linear", "params": {"node": 3}}, "no parameter 'node'"),
    ("replace", {"node": 2, "kind": "Linear", "params": {"width": 0}}, "width must be"),
    ("widen", {}, "widen needs node"),
    ("widen", {"node": 2}, "only a Linear has a width"),
    ("widen", {"node": 3, "by": 1.5}, "by must be a whole number"),
    ("widen", {"node": 3, "by": HUGE}, "cannot be"),
    ("widen", {"node": 7, "by": -2}, "cannot be 0 wide"),
    ("add_layer", {"activation": "Sum"}, "activation is one of"),
    ("add_layer", {"width": 0}, "width must be a whole number"),
    ("add_layer", {"width": 10**6}, "width must be a whole number"),
    ("add_layer", {"between": [1]}, "between must be two values"),
    ("add_layer", {"between": [1, 3]}, "there is no edge 1 → 3"),
    ("set_activation", {}, "set_activation needs kind"),
    ("set_activation", {"kind": "Linear"}, "activation is one of"),
    ("set_activation", {"kind": 3}, "kind must be a name"),
    ("remove", {"node": 4, "join": "yes"}, "join must be true or false"),
    # edits no network can have
    ("connect", {"src": 7, "dst": 1}, "cycle: 1 → 2 → 3 → 4 → 5 → 6 → 7 → 1"),
    ("connect", {"src": 3, "dst": 3}, "a node cannot feed itself"),
    ("connect", {"src": 3, "dst": 0}, "nothing can feed the input"),
    ("connect", {"src": 1, "dst": 2}, "edge 1 → 2 is already there"),
    ("connect", {"src": 0, "dst": 3}, "takes 1 input(s), but would be fed by 2"),
    # values the lab does not know
    ("add", {"kind": "Conv2d"}, "unknown module kind 'Conv2d'"),
    ("add", {"kind": ""}, "unknown module kind"),
    ("add", {"kind": "ReLU", "params": {"width": 3}}, "ReLU"),
    ("add", {"kind": "Linear", "params": {"dtype": "float32"}}, "takes no parameter dtype"),
    ("add", {"kind": "Linear", "params": {"init": "zeros"}}, "Linear takes no parameter init"),
    ("add", {"kind": "LeakyReLU", "params": {"negative_slope": "steep"}}, "LeakyReLU"),
    ("set_params", {"node": 2, "params": {"width": 3}}, "ReLU"),
    ("load_preset", {"name": "resnet"}, "unknown preset 'resnet'"),
    ("set_data", {"dataset": "mnist"}, "unknown data set 'mnist'"),
    ("set_data", {"dataset": "custom"}, "needs points of your own"),
    ("set_training", {"loss": "hinge"}, "unknown loss 'hinge'"),
    ("set_training", {"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'"),
    ("show", {"click": "magenta"}, "a click on the plane does one of"),
    ("show", {"edges": "colour"}, "edges show one of"),
    ("hide", {"names": ["everything"]}, "cannot hide everything"),
    ("hide", {"names": [3]}, "cannot hide 3"),
    ("undo", {}, "there is no edit to undo"),
    ("redo", {}, "there is no edit to redo"),
    ("walk_next", {}, "no walk under way"),
    ("walk_back", {}, "no walk under way"),
    ("finish_walk", {}, "no walk under way"),
    ("walk_to", {"index": 3}, "no walk under way"),
    ("walk_to", {}, "walk_to needs index"),
    ("walk_to", {"index": 1.5}, "the step of the walk must be a whole number"),
    ("start_walk", {"sample": -1}, "sample must be the index of a point of the data"),
    ("start_walk", {"sample": 10**6}, "0 to 999"),
    ("start_walk", {"sample": "3"}, "the point to walk must be a whole number"),
    ("start_walk", {"sample": True}, "the point to walk must be a whole number"),
    ("pick_sample", {"x1": 0.5}, "pick_sample needs x2"),
    ("pick_sample", {"x1": NAN, "x2": 0.5}, "the point picked's x1 must be a finite number"),
    ("pick_sample", {"x1": 0.5, "x2": INF}, "the point picked's x2 must be a finite number"),
    ("pick_sample", {"x1": HUGE, "x2": 0}, "x1 must be a finite number"),
    ("open", {"path": "no/such/folder/lab.npz"}, "cannot open"),
    ("open", {"path": ""}, "cannot open"),
    ("open", {"path": "/etc/passwd.npz"}, "keeps its files in the notebook's folder"),
    ("save", {"path": "no/such/folder/lab.npz"}, "cannot write"),
    ("save", {"path": "/tmp/lab.npz"}, "keeps its files in the notebook's folder"),
    ("save", {"path": "../lab.npz"}, "keeps its files in the notebook's folder"),
    ("save", {"path": "02-lab.ipynb"}, "ends in .npz"),
    ("save", {"path": "lab"}, "ends in .npz"),
    ("save", {"path": " "}, "give the file a name"),
    ("export_picture", {"path": "no/such/folder/lab.png"}, "cannot write"),
    ("export_picture", {"path": "lab.npz"}, "ends in .png"),
]


@pytest.mark.parametrize(("action", "args", "words"), BAD,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(BAD)])
def test_a_bad_intent_is_refused_in_the_message_line_and_changes_nothing(lab, action, args,
                                                                         words):
    message = refused(lab, action, args)
    assert words in message


def test_every_required_argument_is_one_the_action_takes():
    for action, names in REQUIRED.items():
        assert set(names) <= set(ACTIONS[action]), action


def test_a_click_on_the_plane_with_no_point_near_is_refused_in_remove_mode():
    lab = Lab()
    lab.show(click="remove")
    message = refused(lab, "click_plane", {"x1": 5.0, "x2": 5.0})
    assert "no point near" in message
    lab.show(click="off")
    accepted(lab, "click_plane", {"x1": 0.5, "x2": 0.5})  # off: a click does nothing
    assert lab.state.data.settings.dataset == "disk"


def test_an_empty_cap_box_removes_the_cap_and_so_does_an_infinite_rate_from_python():
    lab = Lab(max_steps_per_second=50)
    lab.widget.run("set_training", {"max_steps_per_second": 0})  # typed 0: not a cap, refused
    assert "cap on steps per second" in lab.widget.message["text"]
    assert lab.state.training.max_steps_per_second == 50
    lab.widget.run("set_training", {"max_steps_per_second": "none", "lr": 0.05})  # empty box
    assert lab.state.training.max_steps_per_second is None and lab.state.training.lr == 0.05
    lab.set_training(max_steps_per_second=80)
    lab.set_training(max_steps_per_second=INF)
    assert lab.state.training.max_steps_per_second is None


HUGE_TEXT = "x" * 1_000_000


def huge_arguments():
    """For each action, each argument given a megabyte of text (as text, a list of it, a
    mapping of it), the action's other arguments sensible."""
    for action, allowed in ACTIONS.items():
        for name, types in allowed.items():
            values = [HUGE_TEXT, [HUGE_TEXT], {HUGE_TEXT: 1}, {"width": HUGE_TEXT}]
            for value in values:
                if not isinstance(value, types):
                    continue
                args = {**{n: v for n, v in GOOD[action].items() if n != name}, name: value}
                yield action, args


@pytest.mark.parametrize(("action", "args"), list(huge_arguments()))
def test_a_huge_input_is_echoed_in_a_few_words(lab, tmp_path, monkeypatch, action, args):
    # (issue 14, 4: a 1 MB action name gave a message of 1,000,017 characters, 161,010 px tall)
    monkeypatch.chdir(tmp_path)
    sent = messages(lab)
    lab.widget.run(action, args, request="v:1")
    message, reply = lab.widget.message, sent[-1][0]
    assert len(message.get("text", "")) <= 400, (action, len(message["text"]))
    assert reply["ok"] or len(reply["error"]) <= 400  # (reveal takes any name: none is hidden)


def test_a_huge_action_name_or_argument_name_is_echoed_in_a_few_words(lab):
    for action, args in [(HUGE_TEXT, {}), ("step", {HUGE_TEXT: 1}), ("step", HUGE_TEXT),
                         ("step", {f"a{i}": 1 for i in range(10_000)})]:
        assert len(refused(lab, action, args)) <= 400
