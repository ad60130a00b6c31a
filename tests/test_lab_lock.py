"""A teacher's lab (``labnet.lab.lock``; ``Lab(lock=...)``, ``Lab.set_lock``): every intent that
would move a locked or hidden control is refused in Python, naming it, and changes nothing; the
lock is kept in the lab file; the page cannot loosen a lock the teacher sealed, not even by
opening another file; Python can."""

import pytest
from labtools import accepted, refused, same, snapshot

from labnet.lab import Lab
from labnet.lab.intents import ACTIONS
from labnet.lab.lock import ACTION_CONTROLS, ARGUMENT_CONTROLS, CONTROLS, FREE, Lock
from labnet.lab.traits import settings_json, view_json


@pytest.fixture
def lab():
    lab = Lab(grid=16)
    lab.set_data(n_points=200)
    yield lab
    lab.close()


# an intent a page may send for each control (the control free, it is accepted)
MOVES = [
    ("play", "step", {"n": 1}), ("play", "epoch", {}),
    ("reset", "reset", {}),
    ("dataset", "set_data", {"dataset": "xor"}),
    ("dataset", "load_csv", {"text": "0,0,0\n1,1,1\n0,1,1\n1,0,0\n"}),
    ("noise", "set_data", {"noise": 0.2}),
    ("points", "set_data", {"n_points": 300}), ("points", "set_data", {"seed": 3}),
    ("points", "set_data", {"standardize": False}),
    ("clicks", "show", {"click": "orange"}),
    ("lr", "set_training", {"lr": 0.05}), ("optimizer", "set_training", {"optimizer": "adam"}),
    ("loss", "set_training", {"loss": "cross-entropy"}),
    ("batch", "set_training", {"batch_size": 32}),
    ("activation", "set_activation", {"kind": "Tanh"}),
    ("regularisation", "set_training", {"regularization": "l2"}),
    ("features", "toggle_feature", {"name": "sin(x1)"}),
    ("graph", "add", {"kind": "ReLU", "between": [1, 2]}), ("graph", "widen", {"node": 3}),
    ("graph", "remove", {"node": 2}), ("graph", "load_preset", {"name": "figure1"}),
    ("weights", "set_weight", {"node": 3, "name": "weight", "index": [0, 0], "value": 1}),
    ("teach", "hide", {"names": ["boundary"]}), ("teach", "set_lock", {"control": "lr"}),
    ("files", "save", {"path": "mine.npz"}),
]


@pytest.mark.parametrize(("control", "action", "args"), MOVES,
                         ids=[f"{c}-{a}-{'-'.join(map(str, g))}" for c, a, g in MOVES])
@pytest.mark.parametrize("mode", ["locked", "hidden"])
def test_an_intent_that_moves_a_locked_control_is_refused_naming_it(tmp_path, monkeypatch,
                                                                    control, action, args,
                                                                    mode):
    monkeypatch.chdir(tmp_path)
    lab = Lab(grid=16, lock={control: mode})
    lab.set_data(n_points=200)
    text = refused(lab, action, args)
    assert text.lower().startswith(CONTROLS[control][:12].lower())
    assert f"{mode} in this lab, by its teacher" in text
    free = Lab(grid=16)  # the same intent, the control free
    free.set_data(n_points=200)
    accepted(free, action, args)


def test_what_no_lock_holds_goes_on_in_a_lab_with_everything_locked():
    locked = Lab(grid=16, lock=list(CONTROLS))  # (every control locked)
    for action, args in [("move", {"node": 2, "x": 1, "y": 2}), ("tidy", {}),
                         ("look_at", {"node": 3}), ("present", {"on": True}),
                         ("show", {"edges": "weights", "click": "off"}),
                         ("edge_weights", {"src": 2, "dst": 3}), ("export_csv", {}),
                         ("export_code", {}), ("start_walk", {}), ("walk_next", {}),
                         ("pause", {}), ("set_training", {"max_steps_per_second": 500})]:
        accepted(locked, action, args)


def test_python_is_the_teacher_locked_controls_move_from_a_notebook(lab):
    lab.set_lock("lr")
    lab.set_training(lr=0.03)
    assert lab.state.training.lr == 0.03


def test_undo_and_redo_are_refused_only_for_what_they_would_change(lab):
    lab.widen(3, 1)  # a graph edit
    lab.set_weight(3, "weight", [0, 0], 0.5)  # then a weight
    lab.set_lock("graph")
    accepted(lab, "undo")  # the weight: free
    assert "Editing the graph" in refused(lab, "undo", {})
    lab.undo()  # (Python)
    assert "Editing the graph" in refused(lab, "redo", {})
    lab.set_lock("graph", "free")
    lab.set_lock("weights")
    accepted(lab, "redo")
    assert "Setting a weight" in refused(lab, "redo", {})


def test_play_and_pause_play_is_the_teachers_but_pause_always_answers():
    lock = Lock.of(["play"])
    with pytest.raises(ValueError, match="Play, Step and Epoch"):
        lock.check("toggle_play", {}, playing=False)
    lock.check("toggle_play", {}, playing=True)  # (a pause)
    lock.check("pause", {})


@pytest.mark.parametrize("ends", [("finish_walk", {}), ("walk_to", {"index": -1}), "next"])
def test_a_walk_from_the_page_under_a_play_lock_only_shows_its_update(ends):
    lab = Lab(grid=16, lock={"play": "locked"})
    weights = snapshot(lab)["weights"]
    accepted(lab, "start_walk")
    assert "without making it" in lab.widget.message["text"]
    assert lab.widget.walk["train"] is False
    if ends == "next":
        for _ in range(len(lab.display.walk) - 1):
            accepted(lab, "walk_next")
    else:
        accepted(lab, *ends)
    assert lab.display.walk.done and "update" in lab.widget.walk["step"]["phase"]
    assert lab.state.trainer.steps == 0 and same({"weights": weights},
                                                 {"weights": snapshot(lab)["weights"]})


def test_a_walk_under_way_does_not_train_once_play_is_locked():
    lab = Lab(grid=16)
    lab.start_walk()  # (the teacher's: it trains)
    lab.set_lock("play")
    accepted(lab, "walk_next")  # forward, loss, backward: looking is free
    accepted(lab, "walk_to", {"index": -2})
    for action, args in [("walk_next", {}), ("walk_to", {"index": -1}), ("finish_walk", {})]:
        text = refused(lab, action, args)
        assert text.startswith("Play, Step and Epoch: locked") and "training step" in text
    assert lab.state.trainer.steps == 0 and not lab.display.walk.done
    accepted(lab, "walk_back")
    lab.finish_walk()  # (Python: the teacher)
    assert lab.state.trainer.steps == 1


FOUR_CLASSES = "x1,x2,label\n0,0,0\n1,1,1\n0,1,2\n1,0,3\n0.5,0.5,3\n"
TARGETS = "x1,x2,target\n0,0,0.5\n1,1,2\n0,1,-1\n1,0,3\n"


def refused_upload(lab: Lab, text: str) -> str:
    before = snapshot(lab)
    lab.widget.run("load_csv", {"name": "mine.csv"}, buffers=[text.encode()])
    assert lab.last_traceback is None and lab.widget.message.get("error")
    assert same(before, snapshot(lab))
    return lab.widget.message["text"]


@pytest.mark.parametrize("control", ["graph", "weights"])
def test_data_that_would_refit_a_locked_graph_are_refused_before_anything_changes(control):
    lab = Lab(grid=16, lock={control: "locked"})
    lab.set_data(n_points=200)
    lab.show(click="green")  # (class 2: a third class)
    name = CONTROLS[control][:12].lower()
    texts = [refused(lab, "load_csv", {"text": FOUR_CLASSES}), refused_upload(lab, FOUR_CLASSES),
             refused(lab, "set_data", {"dataset": "blobs"}),  # (3 classes)
             refused(lab, "set_data", {"dataset": "reg-plane"}),  # (one output)
             refused(lab, "click_plane", {"x1": 0.1, "x2": 0.2})]
    lab.set_data(dataset="blobs", classes=3)  # (the teacher, from Python)
    texts.append(refused(lab, "set_data", {"classes": 4}))
    for text in texts:
        assert text.lower().startswith(name) and "need" in text
    assert lab.network.out_features == 3
    accepted(lab, "set_data", {"noise": 0.1})  # (data that fit: free)
    accepted(lab, "load_csv", {"text": "0,0,0\n1,1,1\n0,1,2\n1,0,1\n"})


def test_data_that_would_change_a_locked_loss_are_refused():
    lab = Lab(grid=16, lock={"loss": "locked"})
    lab.set_training(loss="cross-entropy")
    for text in [refused(lab, "load_csv", {"text": TARGETS}), refused_upload(lab, TARGETS),
                 refused(lab, "set_data", {"dataset": "reg-gauss"})]:
        assert text.startswith("The loss: locked") and "regression" in text
    lab.set_training(loss="mse")  # (the teacher's loss already fits: a regression goes)
    accepted(lab, "set_data", {"dataset": "reg-gauss"})
    assert lab.network.out_features == 1


@pytest.mark.parametrize("control", ["dataset", "graph", "weights", "noise", "loss"])
def test_undoing_data_that_refit_the_output_moves_the_data_and_the_graph(lab, control):
    lab.set_training(loss="cross-entropy")
    lab.set_data(noise=0.1)
    lab.set_data(dataset="reg-plane", noise=0.2)  # (the teacher's: a refit, and mse)
    lab.set_lock(control)
    assert refused(lab, "undo", {}).lower().startswith(CONTROLS[control][:12].lower())
    lab.set_lock(control, "free")
    accepted(lab, "undo")
    assert lab.state.data.settings.noise == 0.1 and lab.state.training.loss == "cross-entropy"
    lab.set_lock(control)
    assert refused(lab, "redo", {}).lower().startswith(CONTROLS[control][:12].lower())


def test_the_page_cannot_free_a_sealed_lock_but_frees_its_own(lab):
    lab.set_lock("lr", "locked")  # Python's: sealed
    assert "cannot be freed from the page" in refused(lab, "set_lock",
                                                      {"control": "lr", "mode": "free"})
    accepted(lab, "set_lock", {"control": "lr", "mode": "hidden"})  # stricter: yes
    assert lab.lock.mode("lr") == "hidden" and "lr" in lab.lock.sealed
    assert "cannot be freed" in refused(lab, "set_lock", {"control": "lr", "mode": "locked"})
    accepted(lab, "set_lock", {"control": "loss", "mode": "locked"})  # the page's own
    assert "loss" not in lab.lock.sealed
    accepted(lab, "set_lock", {"control": "loss", "mode": "free"})
    lab.set_lock("lr", "free")  # Python frees anything
    assert lab.lock.modes == {}


def test_a_page_that_locks_the_teach_panel_cannot_lock_or_reveal_any_more(lab):
    lab.hide("boundary")
    accepted(lab, "set_lock", {"control": "teach", "mode": "locked"})
    assert "Hiding and revealing views" in refused(lab, "reveal", {"names": ["boundary"]})
    assert "Hiding and revealing" in refused(lab, "set_lock", {"control": "teach",
                                                               "mode": "free"})


@pytest.mark.parametrize(("spec", "words"), [
    ({"lr": "sometimes"}, "a control is free, locked, hidden"),
    (["everything"], "there is no control 'everything'"),
    ("lr", "lock must be control names"), (3, "lock must be control names"),
    ({3: "locked"}, "there is no control 3"),
])
def test_a_bad_lock_is_refused_saying_what_there_is(spec, words):
    with pytest.raises(ValueError, match=words):
        Lab(grid=16, lock=spec)


@pytest.mark.parametrize(("args", "words"), [
    ({"control": "everything"}, "there is no control"),
    ({"control": "lr", "mode": "gone"}, "a control is free, locked, hidden"),
    ({"control": 3}, "set_lock: control must be a name"),
    ({}, "set_lock needs control"),
])
def test_a_bad_lock_from_the_page_is_refused(lab, args, words):
    assert words in refused(lab, "set_lock", args)


def test_the_lock_is_kept_in_the_lab_file_and_sealed_when_it_is_opened(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    teacher = Lab(grid=16, lock={"lr": "locked", "graph": "hidden"})
    accepted(teacher, "set_lock", {"control": "optimizer", "mode": "locked"})  # the page's
    teacher.save("lesson.npz")
    student = Lab(grid=16)
    accepted(student, "open", {"path": "lesson.npz"})
    assert student.lock.modes == {"lr": "locked", "graph": "hidden", "optimizer": "locked"}
    assert student.lock.sealed == {"lr", "graph", "optimizer"}
    assert "cannot be freed" in refused(student, "set_lock", {"control": "optimizer",
                                                             "mode": "free"})
    view = view_json(student.display)["lock"]
    assert view == {"modes": {"lr": "locked", "graph": "hidden", "optimizer": "locked"},
                    "sealed": ["graph", "lr", "optimizer"]}
    assert student.widget.view["lock"] == view


def test_opening_another_file_from_the_page_keeps_the_lock(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Lab(grid=16).save("free.npz")  # a lab with no lock, made elsewhere
    student = Lab(grid=16, lock={"lr": "hidden"})
    accepted(student, "open", {"path": "free.npz"})
    assert student.lock.mode("lr") == "hidden" and "lr" in student.lock.sealed
    assert "hidden in this lab" in refused(student, "set_training", {"lr": 1.0})
    with open("free.npz", "rb") as file:  # and uploaded, as in the app
        student.widget.run("open_upload", {"name": "free.npz"}, None, [file.read()])
    assert student.lock.mode("lr") == "hidden"
    student.open("free.npz")  # Python's Open: the file's lab, as it was
    assert student.lock.modes == {}


def test_every_intent_and_argument_says_which_control_it_moves_if_any():
    classified = set(ACTION_CONTROLS) | set(ARGUMENT_CONTROLS) | FREE
    assert set(ACTIONS) - classified == set(), "say in labnet/lab/lock.py what these move"
    assert classified - set(ACTIONS) == set()
    for action, controls in ARGUMENT_CONTROLS.items():
        assert set(controls) == set(ACTIONS[action]), action
    assert set(ACTION_CONTROLS.values()) | {c for m in ARGUMENT_CONTROLS.values()
                                            for c in m.values() if c} <= set(CONTROLS)


def test_the_page_is_told_the_controls_and_what_is_locked():
    lab = Lab(grid=16, lock=["weights"])
    assert settings_json(lab.state)["choices"]["controls"][0] == ["play", CONTROLS["play"]]
    assert lab.widget.view["lock"] == {"modes": {"weights": "locked"}, "sealed": ["weights"]}


@pytest.mark.parametrize(("control", "change"), [
    ("lr", lambda lab: lab.set_training(lr=5.0)),
    ("graph", lambda lab: lab.widen(3)),
    ("dataset", lambda lab: lab.set_data(dataset="xor")),
    ("weights", lambda lab: lab.set_weight(3, "weight", (0, 0), 9.0)),
    ("features", lambda lab: lab.set_features(["x1", "x2", "x1^2"])),
], ids=["lr", "graph", "dataset", "weights", "features"])
def test_opening_a_file_from_the_page_cannot_move_a_locked_control(tmp_path, monkeypatch,
                                                                   control, change):
    monkeypatch.chdir(tmp_path)
    other = Lab(grid=16)  # a file whose lab differs from the teacher's in what is locked
    other.set_data(n_points=200)
    change(other)
    other.save("other.npz")
    student = Lab(grid=16, lock={control: "locked"})
    student.set_data(n_points=200)
    student.save("mine.npz")  # the student's own save of this lab opens
    text = refused(student, "open", {"path": "other.npz"})
    assert text.lower().startswith(CONTROLS[control][:12].lower()), text
    before = snapshot(student)  # and uploaded, as in the app
    student.widget.run("open_upload", {"name": "other.npz"}, None,
                       [(tmp_path / "other.npz").read_bytes()])
    assert student.widget.message["text"] == text and same(snapshot(student), before)
    accepted(student, "open", {"path": "mine.npz"})
    assert student.lock.mode(control) == "locked"
    student.open("other.npz")  # Python (the teacher) opens any file


def test_undo_cannot_take_back_a_feature_the_teacher_chose_under_a_lock(lab):
    lab.set_lock("features")
    lab.set_features(["x1", "x2", "x1^2"])  # the teacher, from Python
    assert "locked in this lab" in refused(lab, "undo", {})
    lab.set_lock("features", "free")
    accepted(lab, "undo")
    assert lab.state.graph.features == ("x1", "x2")
