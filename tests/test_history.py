"""The history of training (``ln.History``): bounded series whose entries are the means of their
steps and reach the last step exactly; norms measured every few steps; epoch series thinned;
its state read back checked throughout."""

import math

import numpy as np
import pytest
from traintools import disk_data, make_trainer, small_net

import labnet as ln


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
