import math

import numpy as np
import pytest

import labnet as ln
from labnet.experiment import Config, plot_run, run, run_many


def test_short_seed_run_reaches_low_test_error():
    # Measured with the default recipe cut to 20 epochs, seeds 0-19: test error 3.5 ± 0.6 %,
    # worst 4.5 %. (With the full 100 epochs: 1.3 ± 0.5 % over seeds 0-39.)
    results = run_many(Config(epochs=20), runs=3)
    errors = [result.test_error for result in results]
    assert np.mean(errors) < 0.05, errors
    assert max(errors) < 0.07, errors
    assert all(result.train_error < 0.08 for result in results)


def test_same_seed_gives_the_same_run():
    first, second = run(Config(epochs=3, seed=5)), run(Config(epochs=3, seed=5))
    assert first.history.epoch_loss == second.history.epoch_loss
    assert first.history.test_error == second.history.test_error
    for (a, _), (b, _) in zip(first.net.params(), second.net.params(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_another_seed_gives_other_data_and_weights():
    first, second = run(Config(epochs=1, seed=0)), run(Config(epochs=1, seed=1))
    assert not np.array_equal(first.x_train, second.x_train)
    assert first.history.epoch_loss != second.history.epoch_loss


def test_data_is_the_seeds_disk_with_separate_train_and_test_sets():
    result = run(Config(epochs=1, seed=3))
    for x, labels in ((result.x_train, result.labels_train), (result.x_test, result.labels_test)):
        assert x.shape == (1000, 2) and labels.shape == (1000,)
        assert x.min() >= 0 and x.max() <= 1
        inside = np.sum((x - 0.5) ** 2, axis=1) < 1 / (2 * math.pi)
        np.testing.assert_array_equal(labels, inside)
    assert not np.array_equal(result.x_train, result.x_test)


def test_standardising_uses_the_training_sets_statistics_for_both_sets():
    result = run(Config(epochs=1, seed=2))
    np.testing.assert_allclose(result.mean, result.x_train.mean(axis=0))
    np.testing.assert_allclose(result.std, result.x_train.std(axis=0))
    # predict() takes raw points and agrees with the test error the trainer recorded
    wrong = np.mean(result.predict(result.x_test) != result.labels_test)
    assert wrong == pytest.approx(result.test_error)


def test_no_standardize_feeds_the_raw_inputs():
    result = run(Config(epochs=1, seed=2, standardize=False))
    np.testing.assert_array_equal(result.mean, [0, 0])
    np.testing.assert_array_equal(result.std, [1, 1])
    assert np.mean(result.predict(result.x_test) != result.labels_test) == result.test_error


def test_schedule_warms_up_from_a_tenth_then_decays_to_zero():
    schedule = ln.LRSchedule(10, "cosine", lr=0.2, warmup=1.0)
    assert schedule.lr_at(0.0) == pytest.approx(0.02)
    assert schedule.lr_at(0.5) == pytest.approx(0.2 * 0.55 * 0.5 * (1 + math.cos(math.pi / 20)))
    assert schedule.lr_at(5.0) == pytest.approx(0.1)
    assert schedule.lr_at(10.0) == pytest.approx(0.0)
    constant = ln.LRSchedule(10, "constant", lr=0.2)
    assert constant.lr_at(0.0) == constant.lr_at(7.3) == 0.2


def test_schedule_drives_the_trainers_learning_rate():
    x, labels = ln.disk(50, rng=0)
    schedule = ln.LRSchedule(2, lr=0.1, warmup=1.0)
    trainer = ln.Trainer(ln.PRESETS["seed"](0), data=(x, labels), lr=schedule.lr_at(0),
                         batch_size=10, rng=0, callbacks=[schedule])
    assert trainer.lr == pytest.approx(0.01)
    trainer.step()
    assert trainer.lr == pytest.approx(schedule.lr_at(0.2))
    trainer.fit(2)
    assert trainer.lr == pytest.approx(0.0)


@pytest.mark.parametrize("graph", ["chain", "figure1"])
@pytest.mark.parametrize(("loss", "optimizer", "lr"), [
    ("mse", "sgd", 0.15), ("mse", "momentum", 0.01), ("cross-entropy", "adam", 0.01),
])
def test_every_recipe_trains(graph, loss, optimizer, lr):
    result = run(Config(graph=graph, loss=loss, optimizer=optimizer, lr=lr, epochs=2,
                        schedule="constant"))
    assert result.history.epoch_loss[-1] < result.history.epoch_loss[0]
    assert result.test_error < 0.3


def test_run_many_uses_consecutive_seeds():
    seen = []
    results = run_many(Config(epochs=1, seed=7), runs=3, on_result=seen.append)
    assert [result.config.seed for result in results] == [7, 8, 9]
    assert seen == results


@pytest.mark.parametrize(("field", "value"), [
    ("graph", "ring"), ("loss", "hinge"), ("optimizer", "rmsprop"), ("schedule", "step"),
    ("epochs", 0), ("batch_size", 2.5), ("lr", -0.1), ("lr", float("nan")), ("warmup", -1),
    ("warmup", 200),
])
def test_config_check_names_the_bad_setting(field, value):
    with pytest.raises(ln.InputError, match=field):
        Config(**{field: value}).check()


def test_plot_run_saves_a_png(tmp_path):
    result = run(Config(epochs=2))
    path = tmp_path / "seed.png"
    figure = plot_run(result, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    titles = [ax.get_title() for ax in figure.axes]
    assert "decision boundary" in titles
    assert f"test error {100 * result.test_error:.1f} %" in figure.get_suptitle()
