"""Trainer: counts and history, determinism, callbacks, schedules, divergence, optimizers."""

import math

import numpy as np
import pytest

import labnet as ln
from labnet.optim import Optimizer


def small_net(seed=0):
    return ln.Sequential(ln.Linear(2, 8, rng=seed), ln.Tanh(), ln.Linear(8, 2, rng=seed + 1))


def disk_data(n=50, seed=0):
    return ln.disk(n, rng=seed)


def make_trainer(n=50, batch_size=10, seed=0, **kwargs):
    x, labels = disk_data(n)
    test = ln.disk(30, rng=99)
    return ln.Trainer(small_net(), data=(x, labels), test=test, batch_size=batch_size, rng=seed,
                      **kwargs)


class Recorder(ln.Callback):
    def __init__(self):
        self.events = []

    def on_step_end(self, trainer):
        self.events.append(("step", trainer.steps, trainer.lr))

    def on_epoch_end(self, trainer):
        self.events.append(("epoch", trainer.epochs, trainer.steps))


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


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_lr_schedule_lowers_the_rate_to_zero(kind):
    recorder = Recorder()
    schedule = ln.LRSchedule(2, kind=kind)
    trainer = make_trainer(lr=0.2, callbacks=[schedule, recorder])
    trainer.fit(2)
    rates = [event[2] for event in recorder.events if event[0] == "step"]
    progress = np.arange(1, 11) / 10
    factor = 1 - progress if kind == "linear" else (1 + np.cos(math.pi * progress)) / 2
    np.testing.assert_allclose(rates, 0.2 * factor, atol=1e-15)
    assert trainer.lr == 0.0


# -- divergence ----------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("optimizer", [None, "momentum"])
def test_a_huge_learning_rate_raises_and_leaves_the_parameters_as_before_that_step(optimizer):
    trainer = make_trainer(lr=1e150, optimizer=optimizer)
    for _ in range(50):
        before = trainer.net.state_dict()
        steps, losses = trainer.steps, len(trainer.history.step_loss)
        try:
            trainer.step()
        except ln.DivergedError as error:
            assert f"step {steps + 1}" in str(error)
            break
    else:
        pytest.fail("training with lr=1e150 never diverged")
    for key, value in trainer.net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    assert trainer.steps == steps and len(trainer.history.step_loss) == losses


class Explode(ln.Module):
    """Identity forward, infinite gradient backward."""

    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out * np.inf


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_an_infinite_gradient_raises_naming_the_node_and_changes_nothing():
    x, labels = disk_data()
    net = ln.Sequential(ln.Linear(2, 2, rng=0), Explode())
    trainer = ln.Trainer(net, data=(x, labels), rng=0)
    before = net.state_dict()
    with pytest.raises(ln.DivergedError, match=r"gradient of node\(s\) \[1\] is not finite"):
        trainer.step()
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    assert trainer.steps == 0


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


def test_finish_step_refuses_a_loss_that_is_not_finite_and_changes_nothing():
    trainer = make_trainer()
    x, labels = trainer.next_batch()
    trainer.loss.forward(trainer.net.forward(x), labels)
    trainer.net.backward(trainer.loss.backward())
    before = trainer.net.state_dict()
    with pytest.raises(ln.DivergedError, match="the loss is nan"):
        trainer.finish_step(math.nan)
    assert trainer.steps == 0 and trainer.history.step_loss == []
    for key, value in trainer.net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


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


# -- a bounded history ----------------------------------------------------------------------------

def brute_force_entries(values, stride, steps):
    """The entries a bounded history must hold: the mean of each run of ``stride`` steps, the
    last run perhaps partial."""
    return [float(np.mean(values[start:min(start + stride, steps)]))
            for start in range(0, steps, stride)]


@pytest.mark.parametrize("limit", [2, 5, 8])
def test_bounded_history_entries_are_the_means_of_their_steps(limit):
    rng = np.random.default_rng(limit)
    losses = rng.random(300).tolist()
    history = ln.History(limit=limit)
    for steps, loss in enumerate(losses, start=1):
        history.record_step(loss)
        ends = history.step_ends()
        assert len(history.step_loss) <= limit and len(ends) == len(history.step_loss)
        assert ends[-1] == steps == history.steps
        stride = history.stride
        assert stride & (stride - 1) == 0
        np.testing.assert_array_equal(ends[:-1], stride * np.arange(1, len(ends)))
        np.testing.assert_allclose(history.step_loss,
                                   brute_force_entries(losses, stride, steps), rtol=1e-12)


def test_without_a_limit_the_history_keeps_every_step():
    history = ln.History()
    for step in range(1, 1001):
        history.record_step(float(step))
    assert history.stride == 1 and history.step_loss == [float(s) for s in range(1, 1001)]
    np.testing.assert_array_equal(history.step_ends(), np.arange(1, 1001))


@pytest.mark.parametrize("steps", [50_000, 10_000_000])
def test_a_long_play_stays_bounded_and_reaches_the_last_step(steps):
    history = ln.History(limit=1000)
    norms = ({0: 1.0, 1: 2.0}, {1: 3.0})
    record = history.record_step
    for block in range(0, steps, 4096):  # the loss of step t is t: a run's mean is its middle
        record(float(block + 1), norms)  # norms measured every 4096 steps
        for loss in map(float, range(block + 2, min(block + 4096, steps) + 1)):
            record(loss)
    ends = history.step_ends()
    assert len(history.step_loss) <= 1000 and ends[-1] == steps == history.steps
    assert history.stride == 2 ** math.ceil(math.log2(steps / 1000))
    starts = np.concatenate([[0], ends[:-1]])
    np.testing.assert_allclose(history.step_loss, (starts + 1 + ends) / 2, rtol=1e-9)
    for series in (*history.grad_norms.values(), *history.param_grad_norms.values()):
        assert len(series) == len(ends)
    assert set(history.grad_norms[1]) == {2.0}


def test_a_trainer_with_a_history_limit_stays_bounded_and_ends_at_the_last_step():
    trainer = make_trainer(n=20, history_limit=50, norm_every=8)  # 2 steps an epoch
    for _ in range(1500):
        trainer.epoch()
    history = trainer.history
    assert history.step_ends()[-1] == trainer.steps == 3000 and history.stride == 64
    assert len(history.step_loss) <= 50 and len(history.epoch_step) <= 50
    assert history.epoch_step[-1] == 3000
    for series in (*history.grad_norms.values(), *history.param_grad_norms.values()):
        assert len(series) == len(history.step_loss)


def held_norm_entries(measured, ends):
    """Entries of a norm series by the rule: the mean of the norms measured during an entry's
    steps, else the last measured before it. ``measured``: {step: norm}."""
    entries, last, start = [], math.nan, 0
    for end in ends:
        inside = [norm for step, norm in measured.items() if start < step <= end]
        if inside:
            last = inside[-1]
        entries.append(float(np.mean(inside)) if inside else last)
        start = end
    return entries


@pytest.mark.parametrize(("limit", "norm_every"), [(None, 4), (6, 1), (6, 4), (7, 8)])
def test_norm_series_measured_every_few_steps_follow_the_rule(limit, norm_every):
    rng = np.random.default_rng(norm_every)
    history, measured = ln.History(limit=limit), {}
    for step in range(1, 200):
        norms = None
        if (step - 1) % norm_every == 0:  # as the trainer measures: step 1, then every few
            measured[step] = float(rng.random())
            norms = ({"a": measured[step]}, {})
        history.record_step(1.0, norms)
        np.testing.assert_allclose(history.grad_norms["a"],
                                   held_norm_entries(measured, history.step_ends()),
                                   rtol=1e-12)


def test_a_node_first_measured_late_has_nan_before():
    history = ln.History()
    history.record_step(1.0, ({0: 1.0}, {}))
    history.record_step(1.0)
    history.record_step(1.0, ({0: 2.0, 5: 3.0}, {5: 4.0}))
    assert history.grad_norms[0] == [1.0, 1.0, 2.0]
    assert np.isnan(history.grad_norms[5][:2]).all() and history.grad_norms[5][2] == 3.0
    assert history.param_grad_norms[5][2] == 4.0 and len(history.param_grad_norms[5]) == 3


def test_an_epochs_errors_measured_later_are_filled_in_unless_it_was_thinned_away():
    history = ln.History(limit=2)
    for step in (10, 20):
        history.record_epoch(step, 0.5, math.nan, math.nan, math.nan)
    assert history.fill_epoch(20, 0.1, 0.2, 0.3)
    assert (history.train_error[1], history.test_loss[1], history.test_error[1]) == (
        0.1, 0.2, 0.3)
    assert math.isnan(history.train_error[0]) and not history.fill_epoch(15, 0.1)
    history.record_epoch(30, 0.5, math.nan)  # thins: the epoch of step 10 is gone
    assert history.epoch_step == [20, 30] and not history.fill_epoch(10, 0.4)
    assert history.fill_epoch(30, 0.4) and history.train_error == [0.1, 0.4]


def test_bounded_epoch_series_keep_the_later_of_each_pair():
    history = ln.History(limit=4)
    kept = []
    for epoch in range(1, 12):
        history.record_epoch(10 * epoch, loss=epoch, train_error=epoch / 100,
                             test_loss=2 * epoch, test_error=epoch / 50)
        if len(kept) >= 4:
            kept = kept[1::2] + kept[-1:] * (len(kept) % 2)
        kept.append(epoch)
        assert history.epoch_step == [10 * e for e in kept]
        assert history.epoch_loss == kept and history.test_loss == [2 * e for e in kept]
    assert len(history.epoch_step) <= 4 and history.epoch_step[-1] == 110


def test_a_test_set_that_comes_late_fills_its_series_with_nan_before():
    trainer = make_trainer()
    x, labels = trainer.x, trainer.labels
    trainer.set_data((x, labels))
    trainer.epoch()
    trainer.set_data((x, labels), test=(x, labels))
    trainer.epoch()
    assert len(trainer.history.test_error) == 2 and math.isnan(trainer.history.test_error[0])
    assert trainer.history.test_error[1] == trainer.evaluate()["test_error"]


def test_norm_every_measures_the_first_step_and_every_few_after():
    trainer = make_trainer(norm_every=4)
    measured = []
    for _ in range(9):
        trainer.step()
        measured.append(trainer.net.grad_norms()[1])
    assert trainer.history.grad_norms[1] == [measured[i] for i in (0, 0, 0, 0, 4, 4, 4, 4, 8)]


@pytest.mark.parametrize("norm_every", [0, 3, 2.0, True])
def test_norm_every_must_be_a_power_of_two(norm_every):
    with pytest.raises(ln.InputError, match="norm_every must be a power of two"):
        make_trainer(norm_every=norm_every)


@pytest.mark.parametrize("limit", [1, 0, 2.5, "10"])
def test_a_history_limit_must_be_an_integer_of_two_or_more(limit):
    with pytest.raises(ln.InputError, match="history limit must be an integer >= 2"):
        make_trainer(history_limit=limit)


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


def history_state_with(**change):
    x, labels = disk_data()
    trainer = ln.Trainer(small_net(), data=(x, labels), rng=0, history_limit=4)
    for _ in range(11):
        trainer.step()
    state = trainer.state_dict()
    history = state["history"]
    if "series" in change:  # change some series, keep the others
        change["series"] = {**history["series"], **change["series"]}
    state["history"] = {**history, **change}
    return state


@pytest.mark.parametrize(("change", "message"), [
    ({"stride": 3}, "stride must be a power of two"),
    ({"stride": "2"}, "stride must be an integer"),
    ({"steps": 12}, "do not make 12 steps"),
    ({"room": 9}, "room for 9 more"),
    ({"limit": 1}, "limit must be an integer >= 2"),
    ({"extra": 1}, r"unknown part\(s\) \['extra'\]"),
    ({"series": {"step_loss": [1.0, "x"]}}, "step_loss must be a list of numbers"),
    ({"series": {"epoch_step": [1.5]}}, "epoch_step must be a list of whole numbers"),
    ({"series": {"grad_norms": [[0, [1.0] * 9]]}}, r"grad_norms\[0\] has 9 entries"),
    ({"held": [[0, 1.0]]}, "'held' must be two lists"),
])
def test_a_malformed_history_state_is_refused_naming_the_part_and_changes_nothing(change,
                                                                                  message):
    state = history_state_with(**change)
    x, labels = disk_data()
    trainer = ln.Trainer(small_net(), data=(x, labels), rng=0, history_limit=4)
    trainer.step()
    before = (trainer.steps, trainer.history.as_dict(), trainer.history.stride)
    with pytest.raises(ln.InputError, match=message):
        trainer.load_state_dict(state)
    assert (trainer.steps, trainer.history.as_dict(), trainer.history.stride) == before


def test_a_history_state_of_the_older_layout_is_read_one_entry_per_step():
    state = {"step_loss": [0.5, 0.25], "grad_norms": [[1, [2.0, 3.0]]], "epoch_step": [2],
             "epoch_loss": [0.375], "train_error": [0.1]}
    history = ln.History.from_state(state)
    assert history.steps == 2 and history.stride == 1 and history.grad_norms == {1: [2.0, 3.0]}
    np.testing.assert_array_equal(history.step_ends(), [1, 2])
    long = {"step_loss": [float(step) for step in range(1, 11)]}  # past the limit: halved
    history = ln.History.from_state(long, limit=4)
    assert history.stride == 4 and history.step_loss == [2.5, 6.5, 9.5]
    np.testing.assert_array_equal(history.step_ends(), [4, 8, 10])


# -- the divergence check: one dot product over all the parameter gradients ------------------------

class FreshGradient(ln.Module):
    """A scale with a parameter whose gradient array is a new one at every backward (against
    the contract of live arrays), infinite from the third backward on."""

    def __init__(self):
        self.scale = np.ones(2)
        self.grad_scale = np.zeros(2)
        self.calls = 0

    def named_params(self):
        return {"scale": (self.scale, self.grad_scale)}

    def forward(self, x):
        self.x = x
        return x * self.scale

    def backward(self, grad_out):
        self.calls += 1
        self.grad_scale = (grad_out * self.x).sum(axis=0) * (np.inf if self.calls >= 3 else 1.0)
        return grad_out * self.scale


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_module_that_makes_new_gradient_arrays_is_still_checked():
    x, labels = disk_data()
    net = ln.Sequential(ln.Linear(2, 2, rng=0), FreshGradient())
    trainer = ln.Trainer(net, data=(x, labels), rng=0)
    trainer.step()
    trainer.step()
    before = net.state_dict()
    with pytest.raises(ln.DivergedError, match=r"gradient of node\(s\) \[2\] is not finite"):
        trainer.step()
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


class HugeGradient(ln.Module):
    """Identity forward; backward multiplies the gradient by 1e200: large, finite."""

    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out * 1e200


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_huge_but_finite_gradient_is_not_divergence():
    x, labels = disk_data()
    net = ln.Sequential(ln.Linear(2, 2, rng=0), HugeGradient())
    trainer = ln.Trainer(net, data=(x, labels), lr=1e-210, rng=0)
    trainer.step()  # the sum of squares overflows (1e400), but every gradient is finite
    assert trainer.steps == 1
    assert math.isinf(trainer.history.param_grad_norms[1][0])


def test_param_grad_norms_in_the_history_are_the_networks():
    trainer = make_trainer()
    trainer.step()
    for node, norm in trainer.net.param_grad_norms().items():
        assert trainer.history.param_grad_norms[node] == [pytest.approx(norm, rel=1e-12)]
