"""The lab's scores (``labnet.lab.scoring``): the errors of each epoch and the status's figures,
computed on a copy of the weights (a ``Twin``) a slice at a time, equal to what one evaluation
of the whole data gives."""

import copy
import time

import numpy as np
import pytest
from labtools import epoch

import labnet as ln
from labnet.lab.events import Scored
from labnet.lab.scoring import CHUNK, Twin
from labnet.lab.state import LabState
from labnet.lab.weights import weight_change


def evaluation(network, loss, x, labels) -> tuple[float, float]:
    """(loss, error rate) of ``network`` on all of ``x`` at once."""
    output = network.forward(x)
    return loss.forward(output, labels), ln.error_rate(output, labels)


def test_a_twin_computes_with_the_originals_weights_without_disturbing_it():
    net = ln.PRESETS["figure1"](0)
    x = np.random.default_rng(0).uniform(size=(6, 2))
    loss = ln.MSELoss()
    loss.forward(net.forward(x), np.array([0, 1, 0, 1, 1, 0]))
    net.backward(loss.backward())
    outputs, grads = dict(net.outputs), dict(net.grads)
    twin = Twin(np.float32)
    other = twin.sync(net)
    assert other is not net and other.dtype == np.float32
    y = np.random.default_rng(1).uniform(size=(50, 2))
    assert np.allclose(other.forward(y.astype(np.float32)), net.forward(y), atol=1e-5)
    net.forward(x)  # (the comparison ran the original: run it on its batch again)
    assert all(np.array_equal(net.outputs[n], outputs[n]) for n in outputs)
    assert all(np.array_equal(net.grads[n], grads[n]) for n in grads)
    net.params()[0][0][...] += 1.0  # the original trains on: the twin follows on sync
    assert twin.sync(net) is other and np.allclose(other.params()[0][0], net.params()[0][0])
    weights = [np.zeros_like(value) for value, _ in net.params()]
    assert np.all(twin.sync(net, weights).params()[0][0] == 0)


def test_the_errors_of_an_epoch_are_those_of_the_whole_data_at_its_end():
    state = LabState()
    epoch(state)
    trainer, history = state.trainer, state.trainer.history
    loss = ln.MSELoss()
    train_loss, train_error = evaluation(trainer.net, loss, trainer.x, trainer.labels)
    test_loss, test_error = evaluation(trainer.net, loss, *trainer.test)
    assert history.train_error == [pytest.approx(train_error)]
    assert history.test_error == [pytest.approx(test_error)]
    assert history.test_loss == [pytest.approx(test_loss)]
    scores = state.scorer.now()
    assert scores["step"] == trainer.steps
    assert scores["train_loss"] == pytest.approx(train_loss)
    assert scores["test_error"] == pytest.approx(test_error)


def test_scores_are_of_the_weights_when_the_epoch_ended_even_if_training_went_on():
    state = LabState()
    # 1000 training points: an epoch a step
    state.use_training(state.training.changed(batch_size=1000))
    state.train(1, seconds=1.0)
    at_the_end = copy.deepcopy(state.network)
    state.train(1, seconds=1.0)  # a second epoch: two jobs wait
    assert np.isnan(state.trainer.history.train_error).all()
    state.scorer.finish()
    _, expected = evaluation(at_the_end, ln.MSELoss(), state.trainer.x, state.trainer.labels)
    assert state.trainer.history.train_error[0] == pytest.approx(expected)


def test_big_data_are_scored_a_slice_at_a_time_to_the_same_figures():
    state = LabState()
    # 10,000 training points: three slices and a bit
    state.use_data(state.data.changed(n_points=20_000))
    state.use_training(state.training.changed(batch_size=10_000))
    state.train(1, seconds=1.0)
    scorer = state.scorer
    slices = 0
    while scorer.pending:
        finished = scorer.advance(0.0)  # one slice a call
        slices += 1
        assert finished == (not scorer.pending)
    assert slices >= 2 * -(-10_000 // CHUNK)  # the training set, then the test set
    trainer = state.trainer
    loss, error = evaluation(trainer.net, ln.MSELoss(), trainer.x, trainer.labels)
    assert trainer.history.train_error[-1] == pytest.approx(error)
    assert scorer.latest["train_loss"] == pytest.approx(loss)


def test_one_slice_of_the_biggest_data_takes_a_few_milliseconds_of_the_processor():
    state = LabState()
    state.use_data(state.data.changed(n_points=100_000))
    state.scorer.request()
    longest = 0.0
    while state.scorer.pending:
        start = time.thread_time()  # the processor's time: other work on the machine is not ours
        state.scorer.advance(0.004)
        longest = max(longest, time.thread_time() - start)
    assert longest < 0.03
    assert state.scorer.latest["step"] == 0


def test_now_asks_for_the_scores_of_the_weights_as_they_are_only_when_they_changed():
    state = LabState()
    heard = []
    state.listeners.append(heard.append)
    first = state.scorer.now()
    assert first["step"] == 0 and heard == [Scored()]
    assert state.scorer.now() == first and heard == [Scored()]  # nothing new to compute
    state.train(2, score_epochs=True)
    assert state.scorer.now()["step"] == 2


def test_a_request_is_not_asked_twice():
    state = LabState()
    state.scorer.request()
    state.scorer.request()
    assert len(state.scorer._jobs) == 1


def test_new_data_drop_the_scores_of_the_old_but_the_epochs_errors_are_computed_on_the_new():
    state = LabState()
    state.use_training(state.training.changed(batch_size=1000))
    state.train(1, seconds=1.0)
    state.scorer.request()
    state.use_data(state.data.changed(n_points=400))
    assert state.scorer.latest is None and len(state.scorer._jobs) == 1  # the epoch's
    state.scorer.finish()
    assert np.isfinite(state.trainer.history.train_error[-1])
    assert len(state.trainer.x) == 200


def test_a_new_network_forgets_the_epochs_waiting_for_the_old_one():
    state = LabState(preset="figure1")
    state.use_training(state.training.changed(batch_size=1000))
    state.train(1, seconds=1.0)
    assert state.scorer.pending
    state.edit(state.graph.set_params(1, {"width": 8}))  # a new network, a new history
    state.scorer.finish()  # (was: the old weights copied into the new network, a ValueError)
    assert state.scorer.now()["step"] == 0 and state.trainer.history.train_error == []
    state.train(1, seconds=1.0)
    state.new_weights()
    assert not state.scorer.pending and state.scorer.latest is None


def test_a_weight_set_while_an_epoch_is_scored_gets_scores_of_its_own_not_the_epochs():
    # (were: the epoch's, of the weights before, labelled with the step the status is at)
    state = LabState()
    state.use_data(state.data.changed(n_points=20_000))
    state.use_training(state.training.changed(batch_size=10_000))  # an epoch a step
    state.train(1, seconds=1.0)
    at_the_end = copy.deepcopy(state.network)
    scorer, trainer = state.scorer, state.trainer
    scorer.advance(0.0)  # one slice of the epoch's errors: the rest waits
    assert scorer.pending
    state.change_weight(weight_change(state.network, 3, "weight", [2, 4], 7.5))
    while scorer.pending:
        scorer.advance(0.0)  # the epoch's errors, a slice a call
    loss = ln.MSELoss()
    _, before = evaluation(at_the_end, loss, trainer.x, trainer.labels)
    assert trainer.history.train_error[-1] == pytest.approx(before)  # the epoch's, as it ended
    assert scorer.latest is None  # (they are not the scores of the weights at this step)
    assert scorer.work_left() == len(trainer.x) + len(trainer.test[1])
    train_loss, train_error = evaluation(trainer.net, loss, trainer.x, trainer.labels)
    assert train_error != pytest.approx(before)
    scores = scorer.now()
    assert scores["step"] == trainer.steps
    assert scores["train_error"] == pytest.approx(train_error)
    assert scores["train_loss"] == pytest.approx(train_loss)


def test_scores_of_a_diverged_network_are_not_a_number_but_never_an_error():
    state = LabState()
    for value, _ in state.network.params():
        value[...] = 1e200
    scores = state.scorer.now()
    assert not np.isfinite(scores["train_loss"])
    assert 0 <= scores["train_error"] <= 1


def test_finishing_scores_is_safe_when_a_listener_asks_for_scores_meanwhile():
    state = LabState()
    state.use_training(state.training.changed(batch_size=1000))
    state.train(3, seconds=1.0)  # three epochs: three jobs
    asked = []
    state.listeners.append(lambda event: asked.append(state.scorer.now()) if isinstance(
        event, Scored) and len(asked) < 5 else None)
    state.scorer.finish()
    assert asked and not state.scorer.pending
    assert np.isfinite(state.trainer.history.train_error).all()
