"""Hints (``labnet.lab.hints``): a setting that is likely wrong, found from what the lab has
already computed, one shown at a time, dismissed while it holds; none where nothing is
wrong."""

import math
import time
from types import SimpleNamespace

import numpy as np
import pytest
from labtools import accepted, play_for

from labnet.lab import Lab, widget
from labnet.lab import hints as hints_module
from labnet.lab.hints import Hints, find_hints
from labnet.lab.settings import TrainingSettings


@pytest.fixture
def lab():
    lab = Lab(grid=16)
    lab.set_data(n_points=300)
    yield lab
    lab.close()


def keys(lab) -> list[str]:
    return [hint.key for hint in lab.hints]


@pytest.mark.parametrize(("dataset", "optimizer", "lr", "loss"), [
    ("disk", "sgd", 0.1, "mse"), ("xor", "adam", 0.01, "cross-entropy"),
    ("circle", "momentum", 0.01, "mse"), ("spiral", "sgd", 0.1, "cross-entropy"),
])
def test_a_lab_that_learns_gets_no_hint(lab, dataset, optimizer, lr, loss):
    lab.set_data(dataset=dataset)
    lab.set_training(optimizer=optimizer, lr=lr, loss=loss)
    for _ in range(10):
        lab.step(100)
        assert keys(lab) == [], [hint.text for hint in lab.hints]
    assert lab.widget.hint == {}


def test_adam_with_a_learning_rate_of_0_1_or_more_is_said_next_to_the_learning_rate(lab):
    lab.set_training(optimizer="adam", lr=0.11)
    assert lab.widget.hint["key"] == "adam-lr" and lab.widget.hint["about"] == "lr"
    assert "Adam with a learning rate of 0.11" in lab.widget.hint["text"]
    lab.set_training(lr=0.099)
    assert "adam-lr" not in keys(lab)
    lab.set_training(optimizer="sgd", lr=0.5)
    assert "adam-lr" not in keys(lab)


def test_relus_killed_by_a_big_learning_rate_are_said_on_their_node(lab):
    lab.set_training(optimizer="adam", lr=0.3)  # the student: the ReLUs die
    lab.step(600)
    dead = [hint for hint in lab.hints if hint.key.startswith("dead-relu:")]
    assert dead and dead[0].about == "node" and dead[0].node in (2, 4, 6)
    assert f"ReLU node {dead[0].node}:" in dead[0].text and "dead" in dead[0].text


def test_dead_units_are_read_from_the_outputs_over_the_plane(lab):
    lab.step(1)
    state, width = lab.state, 25
    alive = {4: np.ones((576, width))}
    assert find_hints(state, alive) == []
    most = np.zeros((576, width))
    most[:, :2] = 1  # 23 of 25 dead: 92 %
    assert [h.text.split(":")[1] for h in find_hints(state, {4: most})] == [
        " 23 of its 25 units are 0 everywhere on the plane (dead"]
    assert "every one of its 25 units is 0" in find_hints(state, {4: np.zeros((576, 25))})[0].text
    fewer = np.zeros((576, width))
    fewer[:, :3] = 1  # 22 of 25: 88 %, not yet
    assert find_hints(state, {4: fewer}) == []
    assert find_hints(state, {3: np.zeros((576, width))}) == []  # a Linear may well be 0


def test_a_vanishing_gradient_in_a_deep_sigmoid_stack_is_said_next_to_the_activation(lab):
    lab.load_preset("deep-sigmoid")
    assert keys(lab) == []  # (no step yet: no gradient)
    lab.step(20)
    hint = lab.hints[0]
    assert hint.key.startswith("vanishing:") and hint.about == "activation"
    assert "Sigmoid multiplies it by its slope (at most ¼)" in hint.text
    node = int(hint.key.split(":")[1])
    assert lab.network.grad_norms()[node] < 1e-6
    lab.load_preset("deep-sigmoid-skip")
    lab.step(20)
    assert keys(lab) == []


def test_a_loss_that_grows_until_it_diverges_is_said_next_to_the_learning_rate(lab):
    lab.step(300)
    lab.set_training(lr=3.0)
    with pytest.raises(ValueError, match="the loss is"):
        lab.step(100)
    hint = lab.hints[0]
    assert hint.key == "loss-grows" and hint.about == "lr"
    assert "the learning rate (3) is likely too big; try 0.3" in hint.text


@pytest.mark.parametrize(("losses", "grows"), [
    ([1.2, 12, 290, 6.9e8, 2.7e53], True),  # blowing up from the start
    ([0.1] * 40 + [0.09, 1.3, 2.0, 6e3, 2.6e21], True),  # after a long calm
    ([0.3] * 25 + [0.8] * 25, True),  # from 0.3 to 0.8
    ([0.01] * 25 + [0.04] * 25, False),  # 4 times more, but a mini-batch's noise
    ([0.5, 0.4, 0.3, 0.2, 0.1] * 10, False),
    ([0.2] * 3, False), ([], False), ([math.nan] * 10, False),
    ([0.1] * 40 + [0.2, 0.3, 0.5, 0.9], False),  # rising, not yet ten times
])
def test_the_loss_grows_when_its_medians_say_so_or_it_blows_up(losses, grows):
    assert (hints_module._loss_growth(losses) is not None) == grows


def test_cross_entropy_on_regression_data_is_said_next_to_the_loss():
    trainer = SimpleNamespace(task="regression", history=SimpleNamespace(step_loss=[]),
                              steps=0)
    network = SimpleNamespace(order=[], operators={}, grads={}, output=1)
    state = SimpleNamespace(trainer=trainer, network=network,
                            training=TrainingSettings(loss="cross-entropy"))
    assert [(h.key, h.about) for h in find_hints(state)] == [("loss-task", "loss")]
    state.training = TrainingSettings(loss="mse")
    assert find_hints(state) == []


def test_without_a_network_there_is_no_hint():
    lab = Lab(None, grid=16)
    assert lab.hints == [] and lab.widget.hint == {}


def test_one_hint_is_shown_and_a_dismissed_one_stays_away_while_it_holds(lab):
    lab.set_training(optimizer="adam", lr=0.3)
    lab.step(600)
    found = keys(lab)
    assert found[0] == "adam-lr" and len(found) >= 2
    assert lab.widget.hint["key"] == "adam-lr"
    accepted(lab, "dismiss_hint", {"key": "adam-lr"})
    assert lab.widget.hint["key"] == found[1]
    lab.set_training(lr=0.2)  # still Adam at 0.2: still dismissed
    assert lab.widget.hint["key"] != "adam-lr"
    lab.set_training(lr=0.01)  # it no longer holds: forgotten...
    lab.set_training(lr=0.2)  # ...and back when it holds again
    assert lab.widget.hint["key"] == "adam-lr"


def test_dismissing_a_hint_not_shown_changes_nothing(lab):
    lab.set_training(optimizer="adam", lr=0.2)
    accepted(lab, "dismiss_hint", {"key": "no such hint"})
    accepted(lab, "dismiss_hint", {"key": "x" * 4_000})  # (past 4,096: refused, as any text)
    assert lab.widget.hints.dismissed == set() and lab.widget.hint["key"] == "adam-lr"
    with pytest.raises(ValueError, match="a hint is named by its key"):
        lab.dismiss_hint(3)


def test_hints_cost_little_and_are_checked_a_few_times_a_second_while_playing(lab,
                                                                              monkeypatch):
    lab.set_training(optimizer="adam", lr=0.2)
    start = time.perf_counter()
    for _ in range(20):
        Hints().check(lab.state, lab.widget.pictures)
    assert (time.perf_counter() - start) / 20 < 0.02  # (about 0.3 ms here, alone)
    checks = []
    real = Hints.check
    monkeypatch.setattr(Hints, "check", lambda self, *a: checks.append(1) or real(self, *a))
    lab.widget.views.hello("test")  # (a page that paints: the play loop draws)
    play_for(lab, 1.5)
    assert 1 <= len(checks) <= 1.5 / widget.HINT_INTERVAL + 3
