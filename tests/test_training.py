"""Trainer: counts and history, determinism, callbacks, optimizers, a step in parts, its state;
what it refuses."""

import math

import numpy as np
import pytest
from traintools import Recorder, disk_data, make_trainer, small_net

import labnet as ln
from labnet.optim import Optimizer

# -- counts and history --------------------------------------------------------------------------

def test_step_trains_one_mini_batch_and_records_it():
    trainer = make_trainer()
    loss = trainer.step()
    assert isinstance(loss, float) and trainer.steps == 1 and trainer.epochs == 0
    assert trainer.history.step_loss == [loss]
    assert trainer.epoch_progress == pytest.approx(10 / 50)
    assert set(trainer.history.grad_norms) == {0, 1, 2, 3}  # the input (dL/dx) too
    assert set(trainer.history.param_grad_norms) == {1, 3}


def test_epoch_runs_every_mini_batch_once_including_a_short_last_one():
    trainer = make_trainer(n=55)
    trainer.epoch()
    assert trainer.steps == 6 and trainer.epochs == 1
    assert trainer.history.epoch_step == [6]


def test_epoch_mid_way_finishes_the_current_epoch():
    trainer = make_trainer()
    trainer.step()
    trainer.step()
    trainer.epoch()
    assert trainer.steps == 5 and trainer.epochs == 1


def test_fit_history_lengths():
    trainer = make_trainer()
    history = trainer.fit(3)
    assert history is trainer.history
    assert trainer.steps == 15 and trainer.epochs == 3
    assert len(history.step_loss) == 15
    assert history.epoch_step == [5, 10, 15]
    for series in (history.epoch_loss, history.train_error, history.test_loss,
                   history.test_error):
        assert len(series) == 3
    for series in (*history.grad_norms.values(), *history.param_grad_norms.values()):
        assert len(series) == 15
    assert history.epoch_loss[1] == pytest.approx(np.mean(history.step_loss[5:10]))
    assert set(history.as_dict()) >= {"step_loss", "grad_norms", "epoch_loss", "test_error"}


def test_history_grad_norms_are_the_network_values_at_each_step():
    trainer = make_trainer()
    trainer.step()
    for node, norm in trainer.net.grad_norms().items():
        assert trainer.history.grad_norms[node] == [norm]


def test_without_a_test_set_the_test_series_stay_empty():
    x, labels = disk_data()
    trainer = ln.Trainer(small_net(), data=(x, labels), rng=0)
    trainer.fit(2)
    assert trainer.history.test_error == [] and trainer.history.test_loss == []
    assert len(trainer.history.train_error) == 2


def test_record_grad_norms_off_keeps_no_norms():
    trainer = make_trainer(record_grad_norms=False)
    trainer.fit(1)
    assert trainer.history.grad_norms == {} and trainer.history.param_grad_norms == {}


def test_evaluate_scores_the_whole_sets():
    trainer = make_trainer()
    scores = trainer.evaluate()
    output = trainer.net.forward(trainer.x)
    assert scores["train_error"] == ln.error_rate(output, trainer.labels)
    assert scores["train_loss"] == pytest.approx(ln.MSELoss().forward(output, trainer.labels))
    assert set(scores) == {"train_loss", "train_error", "test_loss", "test_error"}


def test_a_few_epochs_of_the_seed_network_lower_the_loss():
    x, labels = ln.disk(200, rng=0)
    trainer = ln.Trainer(ln.PRESETS["seed"](0), data=(x, labels), batch_size=10, lr=0.1, rng=0)
    first = trainer.evaluate()["train_loss"]
    trainer.fit(3)
    assert trainer.evaluate()["train_loss"] < first
    assert np.isfinite(trainer.history.step_loss).all()


def test_a_network_with_one_output_column_trains_on_labels():
    x, labels = disk_data(60)
    net = ln.Sequential(ln.Linear(2, 8, rng=0), ln.Tanh(), ln.Linear(8, 1, rng=1))
    trainer = ln.Trainer(net, data=(x, labels), test=(x, labels), rng=0, lr=0.1)
    trainer.fit(2)
    assert len(trainer.history.test_error) == 2
    assert trainer.history.epoch_loss[-1] < trainer.history.step_loss[0]


# -- determinism ---------------------------------------------------------------------------------

def test_training_is_deterministic_for_a_seed():
    a, b = make_trainer(seed=3), make_trainer(seed=3)
    a.fit(2)
    b.fit(2)
    assert a.history.step_loss == b.history.step_loss
    for key, value in a.net.state_dict().items():
        np.testing.assert_array_equal(value, b.net.state_dict()[key])


def test_another_seed_shuffles_differently():
    a, b = make_trainer(seed=3), make_trainer(seed=4)
    a.fit(1)
    b.fit(1)
    assert a.history.step_loss != b.history.step_loss


def test_every_point_is_used_once_per_epoch():
    batches = []

    class Spy(ln.Callback):
        def on_step_end(self, trainer):
            batches.append(trainer.net.outputs[0].copy())  # the mini-batch the step read

    trainer = make_trainer(n=23, batch_size=5, callbacks=[Spy()])
    trainer.epoch()
    assert [len(batch) for batch in batches] == [5, 5, 5, 5, 3]
    used = np.concatenate(batches)
    assert sorted(map(tuple, used)) == sorted(map(tuple, trainer.x))
    assert not np.array_equal(used, trainer.x)  # shuffled


# -- callbacks -----------------------------------------------------------------------------------

def test_callbacks_are_told_after_every_step_and_every_epoch():
    recorder = Recorder()
    trainer = make_trainer(callbacks=[recorder])
    trainer.fit(2)
    steps = [event for event in recorder.events if event[0] == "step"]
    epochs = [event for event in recorder.events if event[0] == "epoch"]
    assert [event[1] for event in steps] == list(range(1, 11))
    assert epochs == [("epoch", 1, 5), ("epoch", 2, 10)]
    assert recorder.events.index(("epoch", 1, 5)) == 5  # after the epoch's last step


def test_a_callback_added_later_is_called():
    trainer = make_trainer()
    trainer.step()
    recorder = Recorder()
    trainer.callbacks.append(recorder)
    trainer.step()
    assert recorder.events == [("step", 2, trainer.lr)]


# -- optimizers and settings -----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind"), [("sgd", ln.SGD), ("momentum", ln.SGD),
                                            ("adam", ln.Adam)])
def test_optimizers_by_name(name, kind):
    trainer = make_trainer(optimizer=name, lr=0.01)
    assert isinstance(trainer.optimizer, kind)
    assert trainer.optimizer.params[0][0] is trainer.net.params()[0][0]
    trainer.lr = 0.02
    assert trainer.optimizer.lr == 0.02 == trainer.lr
    before = trainer.net.state_dict()
    trainer.step()
    assert not np.array_equal(trainer.net.state_dict()["1.weight"], before["1.weight"])


def test_trainer_takes_an_optimizer_object():
    net = small_net()
    x, labels = disk_data()
    optimizer = ln.Adam(net.params(), lr=0.003)
    trainer = ln.Trainer(net, optimizer=optimizer, data=(x, labels), rng=0)
    assert trainer.optimizer is optimizer and trainer.lr == 0.003
    trainer.step()
    assert optimizer.steps == 1


def test_loss_by_name():
    assert isinstance(make_trainer(loss="cross-entropy").loss, ln.CrossEntropyLoss)
    assert isinstance(make_trainer().loss, ln.MSELoss)


def test_set_data_trains_on_the_new_data_from_a_fresh_epoch():
    trainer = make_trainer()
    trainer.step()
    x, labels = ln.xor(20, rng=1)
    trainer.set_data((x, labels), test=(x, labels))
    assert trainer.epoch_progress == 0.0
    np.testing.assert_array_equal(trainer.x, x)
    trainer.epoch()
    assert trainer.steps == 1 + 2  # 20 points in batches of 10
    assert trainer.history.test_error[-1] == trainer.evaluate()["test_error"]


def test_float32_network_trains_in_float32():
    x, labels = disk_data()
    net = small_net().astype(np.float32)
    trainer = ln.Trainer(net, data=(x, labels), rng=0)
    assert trainer.x.dtype == np.float32
    trainer.fit(1)
    assert all(value.dtype == np.float32 for value, _ in net.params())


def test_optimizer_is_a_template():
    class Halve(Optimizer):
        def update_one(self, value, grad, state):
            value *= 0.5

    params = small_net().params()
    before = params[0][0].copy()
    Halve(params, lr=0.1).step()
    np.testing.assert_array_equal(params[0][0], before / 2)


def test_an_optimizer_of_ones_own_with_state_saves_and_loads_it():
    class Momentum(Optimizer):  # keeps its own state, says nothing of its keys
        def update_one(self, value, grad, state):
            state.setdefault("speed", np.zeros_like(value))
            state["speed"] += grad
            value -= self.lr * state["speed"]

    net = small_net()
    net.forward(np.ones((3, 2)))
    net.backward(np.ones((3, 2)))
    mine = Momentum(net.params(), lr=0.1)
    mine.step()
    again = Momentum(net.params(), lr=0.1)
    again.load_state_dict(mine.state_dict())
    np.testing.assert_array_equal(again.state[0]["speed"], mine.state[0]["speed"])
    with pytest.raises(ValueError, match=r"has \['speed'\]; Adam keeps"):  # Adam's are known
        ln.Adam(net.params()).load_state_dict(mine.state_dict())


# -- a step in parts (what a Walk through a trainer's step uses) ---------------------------------

def test_next_batch_is_what_the_next_step_trains_on_and_does_not_move():
    trainer = make_trainer(n=25, batch_size=10)
    x, labels = trainer.next_batch()
    np.testing.assert_array_equal(trainer.next_batch()[0], x)  # asking twice: the same batch
    assert trainer.step() == ln.MSELoss().forward(small_net().forward(x), labels)
    sizes = []
    for _ in range(3):
        sizes.append(len(trainer.next_batch()[0]))
        trainer.step()
    assert sizes == [10, 5, 10]  # the last batch of an epoch is what is left


def test_forward_backward_then_finish_step_is_a_step():
    by_parts, whole = make_trainer(n=25, optimizer="adam", lr=0.01), make_trainer(
        n=25, optimizer="adam", lr=0.01)
    for _ in range(6):  # over an epoch's end
        x, labels = by_parts.next_batch()
        loss = by_parts.loss.forward(by_parts.net.forward(x), labels)
        by_parts.net.backward(by_parts.loss.backward())
        by_parts.finish_step(loss)
        whole.step()
    assert by_parts.steps == whole.steps == 6 and by_parts.epochs == whole.epochs == 2
    assert by_parts.history.as_dict() == whole.history.as_dict()
    for key, value in whole.net.state_dict().items():
        np.testing.assert_array_equal(by_parts.net.state_dict()[key], value)


@pytest.mark.parametrize(("change", "message"), [
    ({"batch_size": 0}, "batch_size"),
    ({"position": 10**6}, "position"),
    ({"lr": -1.0}, "learning rate"),
    ({"history": {"no_such_series": []}}, "no_such_series"),
])
def test_loading_a_bad_trainer_state_changes_nothing(change, message):
    x, labels = disk_data()
    saved = ln.Trainer(small_net(), optimizer="adam", data=(x, labels), rng=0)
    saved.step()
    state = {**saved.state_dict(), **change}
    trainer = ln.Trainer(small_net(), optimizer="adam", data=(x, labels), rng=0)
    before = (trainer.optimizer.steps, trainer.steps, trainer.lr, trainer.batch_size)
    with pytest.raises(ValueError, match=message):
        trainer.load_state_dict(state)
    assert (trainer.optimizer.steps, trainer.steps, trainer.lr, trainer.batch_size) == before


def test_a_trainer_state_round_trip_carries_on_exactly():
    x, labels = disk_data()
    first = ln.Trainer(small_net(), optimizer="momentum", data=(x, labels), rng=3)
    first.fit(1)
    first.step()
    second = ln.Trainer(small_net(), optimizer="momentum", data=(x, labels), rng=3)
    second.net.load_state_dict(first.net.state_dict())
    second.load_state_dict(first.state_dict())
    for trainer in (first, second):
        for _ in range(7):
            trainer.step()
    assert first.history.step_loss == second.history.step_loss


def test_a_bounded_trainer_state_round_trip_carries_on_exactly():
    x, labels = disk_data()
    first = ln.Trainer(small_net(), data=(x, labels), rng=3, history_limit=6, norm_every=2)
    for _ in range(23):  # mid-bucket: stride 4, the last entry partial
        first.step()
    assert first.history.stride == 4 and first.history.step_ends()[-1] == 23
    second = ln.Trainer(small_net(), data=(x, labels), rng=3, history_limit=6, norm_every=2)
    second.net.load_state_dict(first.net.state_dict())
    second.load_state_dict(first.state_dict())
    for trainer in (first, second):
        for _ in range(30):
            trainer.step()
    assert first.history.as_dict() == second.history.as_dict()
    np.testing.assert_array_equal(first.history.step_ends(), second.history.step_ends())
    assert second.history.stride == first.history.stride and second.history.limit == 6


# -- regression: targets instead of labels ---------------------------------------------------------

def regression_trainer(**kwargs):
    x, targets = ln.reg_plane(60, 0.0, 0)
    net = ln.Sequential(ln.Linear(2, 1, rng=0))
    return ln.Trainer(net, data=(x, targets), test=ln.reg_plane(30, 0.0, 1), rng=0, **kwargs)


def test_a_trainer_given_targets_does_regression_with_no_error_rate():
    trainer = regression_trainer(lr=0.1)
    assert trainer.task == "regression" and make_trainer().task == "classification"
    trainer.fit(20)  # reg-plane is linear: one Linear fits it
    history = trainer.history
    assert history.test_loss[-1] < 1e-3 < history.test_loss[0]
    assert all(math.isnan(error) for error in history.train_error + history.test_error)
    scores = trainer.evaluate()
    assert math.isnan(scores["train_error"]) and math.isnan(scores["test_error"])
    assert scores["test_loss"] == history.test_loss[-1]


def test_targets_that_do_not_fit_the_network_or_the_loss_are_refused_when_given():
    x, targets = ln.reg_plane(20, 0.0, 0)
    with pytest.raises(ln.ShapeError, match=r"^data: the targets have 1 column\(s\), but output "
                                            r"node 3 gives 2$"):
        ln.Trainer(small_net(), data=(x, targets))
    with pytest.raises(ln.InputError, match=r"^data: targets are for regression, which trains "
                                            r"with MSE; cross-entropy compares classes"):
        ln.Trainer(ln.Sequential(ln.Linear(2, 1)), "cross-entropy", data=(x, targets))
    with pytest.raises(ln.InputError, match=r"targets contains NaN or infinity \(first in row 2"):
        ln.Trainer(ln.Sequential(ln.Linear(2, 1)), data=(x, np.where(np.arange(20)[:, None] == 2,
                                                                     np.nan, targets)))
    with pytest.raises(ln.InputError, match=r"labels must be integers, got float64 values such "
                                            r"as -?0\.\d+ \(for regression, give targets of shape "
                                            r"\(n, 1\): labels\[:, None\]\)"):
        ln.Trainer(ln.Sequential(ln.Linear(2, 1)), data=(x, targets[:, 0]))


def test_new_data_may_turn_a_trainer_from_classification_to_regression_and_back():
    x, labels = ln.disk(40, rng=0)
    trainer = ln.Trainer(ln.Sequential(ln.Linear(2, 1, rng=0)), data=(x, labels), rng=0)
    trainer.set_data(ln.reg_plane(40, 0.0, 0))
    assert trainer.task == "regression" and trainer.labels.dtype == np.float64
    trainer.epoch()
    trainer.set_data((x, labels))
    assert trainer.task == "classification"
    trainer.epoch()
    assert not math.isnan(trainer.history.train_error[-1])
