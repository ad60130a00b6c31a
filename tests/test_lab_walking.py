"""The walk through one training step in the lab (``labnet.lab.walking`` and the ``Lab``'s walk
gestures): a walk through the next mini-batch is one training step when it ends, a walk of one
point alone only shows its update, a click on the plane picks the training point nearest, the
scrubber goes to any step, and what the page is sent matches the arithmetic of NumPy."""

import asyncio

import numpy as np
import pytest
from labtools import accepted, refused, run, same, snapshot

import labnet as ln
from labnet.lab import Lab
from labnet.lab.traits import walk_json
from labnet.lab.walking import nearest_training_point, was_a_training_step


def tiny_lab(**settings) -> Lab:
    """A 2-3-2 network (Linear 3, Tanh, Linear 2) in a lab, trained a little."""
    net = ln.Network({1: ln.Linear(2, 3, rng=0), 2: ln.Tanh(), 3: ln.Linear(3, 2, rng=1)},
                     {0: [1], 1: [2], 2: [3]})
    lab = Lab(network=net, grid=16)
    lab.set_data(n_points=100, **settings)
    lab.step(20)
    return lab


def test_a_one_sample_walk_shows_its_update_and_is_not_a_training_step():
    lab = tiny_lab()
    before = snapshot(lab)
    walk = lab.start_walk(sample=7)
    accepted(lab, "walk_to", {"index": -1})
    assert walk.done and not walk.train and not was_a_training_step(walk)
    after = snapshot(lab)
    before.pop("display"), after.pop("display")
    assert same(before, after)  # weights, trainer, history: no step made, none counted
    assert lab.display.walk is walk  # still shown: nothing changed that would end it
    trait = lab.widget.walk
    assert trait["done"] and trait["train"] is False and trait["sample"] == 7
    assert trait["step"]["phase"] == "update" and "shown only" in trait["step"]["text"]
    assert lab.widget.status["step"] == 20


def test_a_walk_through_the_next_mini_batch_is_one_training_step_counted_once():
    lab = tiny_lab()
    walk = lab.start_walk()
    accepted(lab, "walk_to", {"index": len(walk) - 1})  # the scrubber's end: the update
    assert walk.train and was_a_training_step(walk)
    assert lab.state.trainer.steps == 21 and lab.widget.status["step"] == 21
    accepted(lab, "walk_back")
    accepted(lab, "walk_next")  # the same update again: not another step
    accepted(lab, "finish_walk")
    assert lab.state.trainer.steps == 21 and len(lab.history.step_loss) == 21


def test_the_scrubber_goes_to_any_step_running_those_on_the_way():
    lab = tiny_lab()
    walk = lab.start_walk()
    accepted(lab, "walk_to", {"index": 4})  # the loss: forward ran on the way
    assert walk.position == 4 and walk.current.phase == "loss"
    assert lab.widget.walk["index"] == 4 and lab.widget.walk["loss"] == walk.loss_value
    accepted(lab, "walk_to", {"index": 1})
    assert walk.current.node == 1 and lab.state.trainer.steps == 20
    for index in (len(walk), -len(walk) - 1):
        assert "must be a step of the walk" in refused(lab, "walk_to", {"index": index})


def test_a_click_on_the_plane_picks_the_nearest_training_point_at_the_same_step():
    lab = tiny_lab()
    (x_train, labels), (x_test, _) = lab.state.data.train, lab.state.data.test
    lab.start_walk(sample=0)
    accepted(lab, "walk_to", {"index": 9})
    target = x_train[42] + 1e-3
    assert accepted(lab, "pick_sample", {"x1": float(target[0]), "x2": float(target[1])}) == 42
    walk = lab.display.walk
    assert walk.sample == 42 and walk.position == 9 and not walk.train
    assert lab.widget.walk["point"] == {"x1": float(x_train[42, 0]),
                                        "x2": float(x_train[42, 1]), "label": int(labels[42])}
    # only training points: a click on a test point walks the training point nearest it
    nearest = nearest_training_point(lab.state.data, *x_test[0])
    distances = np.hypot(*(x_train - x_test[0]).T)
    assert distances[nearest] == distances.min()


def test_picking_a_point_during_a_walk_through_a_mini_batch_starts_at_the_beginning():
    lab = tiny_lab()
    lab.start_walk()
    lab.walk_to(5)
    lab.pick_sample(0.0, 0.0)
    assert lab.display.walk.position == 0 and lab.display.walk.sample is not None


def test_end_walk_closes_the_walk_and_changes_nothing_else():
    lab = tiny_lab()
    accepted(lab, "end_walk")  # no walk: nothing to do
    lab.start_walk()
    lab.walk_next()
    before = snapshot(lab)
    accepted(lab, "end_walk")
    after = snapshot(lab)
    assert lab.display.walk is None and lab.widget.walk == {} and not lab.widget.view["walking"]
    before.pop("display"), after.pop("display")
    assert same(before, after)
    assert "no walk under way" in refused(lab, "walk_to", {"index": 0})


def test_a_walk_pauses_play():
    lab = tiny_lab()

    async def scenario():
        task = lab.play()
        await asyncio.sleep(0.05)
        lab.start_walk(sample=2)
        await task
        return lab.playing

    assert run(scenario()) is False
    assert lab.display.walk is not None and lab.display.walk.sample == 2
    assert "paused for the walk" in lab.widget.message["text"]


def test_a_failed_start_changes_nothing():
    lab = tiny_lab()
    lab.start_walk()
    lab.walk_next()
    for args, words in (({"sample": 100}, "0 to"), ({"sample": -3}, "index of a point")):
        assert words in refused(lab, "start_walk", args)
    assert lab.display.walk.position == 1 and lab.display.walk.sample is None


@pytest.mark.parametrize("loss", ["mse", "cross-entropy"])
def test_one_samples_numbers_in_the_trait_are_numpys_arithmetic(loss):
    """What the page shows of a one-sample walk on 2-3-2, step by step, against the same sums
    written in NumPy: every value, every gradient, every parameter's step."""
    lab = tiny_lab()
    lab.set_training(loss=loss)
    net, trainer = lab.network, lab.state.trainer
    x, label = trainer.x[5], int(trainer.labels[5])
    w1, b1 = net.operators[1].weight.copy(), net.operators[1].bias.copy()
    w2, b2 = net.operators[3].weight.copy(), net.operators[3].bias.copy()
    h = x @ w1 + b1
    a = np.tanh(h)
    y = a @ w2 + b2
    t = np.eye(2)[label]
    if loss == "mse":
        grad_y = 2 * (y - t) / 2
    else:
        p = np.exp(y - y.max()) / np.exp(y - y.max()).sum()
        grad_y = p - t
    grad_a = grad_y @ w2.T
    grad_h = grad_a * (1 - a**2)
    expected = {
        ("forward", 1): {"output": h}, ("forward", 2): {"output": a},
        ("forward", 3): {"output": y},
        ("loss", None): {"dL/d(output)": grad_y},
        ("backward", 3): {"dL/d(input) to node 2": grad_a,
                          "dL/d(weight)": np.outer(a, grad_y), "dL/d(bias)": grad_y},
        ("backward", 2): {"dL/d(input) to node 1": grad_h},
        ("backward", 1): {"dL/d(input) to node 0": grad_h @ w1.T,
                          "dL/d(weight)": np.outer(x, grad_h), "dL/d(bias)": grad_h},
        ("update", None): {"1.weight after": w1 - 0.1 * np.outer(x, grad_h),
                           "3.bias after": b2 - 0.1 * grad_y},
    }
    walk = lab.start_walk(sample=5)
    seen = set()
    while True:
        trait = walk_json(walk, lab.state.data)
        step = trait["step"]
        arrays = {a["name"]: np.array(a["values"], dtype=float) for a in step["passed"]}
        for name, value in expected.get((step["phase"], step["node"]), {}).items():
            np.testing.assert_allclose(arrays[name], np.atleast_2d(value), rtol=1e-12,
                                       atol=1e-15, err_msg=f"{step['phase']} {step['node']}")
            seen.add((step["phase"], step["node"], name))
        for formula in step["formulas"]:  # a tiny network's formulas are whole and exact
            assert formula["exact"] and formula["note"] == ""
        if walk.done:
            break
        lab.walk_next()
    assert len(seen) == sum(map(len, expected.values()))
    assert np.array_equal(net.operators[1].weight, w1)  # shown, not made


def test_one_point_says_its_standardised_input_which_is_x_minus_mean_over_std():
    lab = tiny_lab()
    walk = lab.start_walk(sample=17)
    trait = walk_json(walk, lab.state.data)
    scaling = trait["scaling"]
    point = lab.state.data.train[0][17]
    assert np.allclose(scaling["x"], point)
    assert np.allclose(scaling["x"], [trait["point"]["x1"], trait["point"]["x2"]])
    assert np.allclose(scaling["scaled"], (point - scaling["mean"]) / np.array(scaling["std"]))
    assert np.allclose(scaling["scaled"], lab.state.trainer.x[17])  # what node 0 passes on
    assert np.allclose(trait["nodes"][0]["value"], scaling["scaled"])
    assert "standardised (x − mean) / std" in walk.current.text
    lab.set_standardize(False)
    walk = lab.start_walk(sample=17)
    assert walk_json(walk, lab.state.data)["scaling"] is None
    assert "standardised" not in walk.current.text
