"""Regression data sets: TensorFlow Playground's two against a port of its own generators, draw
for draw; their shapes, targets and noise; what a Trainer does with targets."""

import math

import numpy as np
import pytest
from playgroundtools import dist, rand_uniform

import labnet as ln
from labnet import regression

NAMES = sorted(ln.REGRESSION_DATASETS)


def test_the_two_regression_data_sets_are_playgrounds_by_its_names():
    assert NAMES == ["reg-gauss", "reg-plane"]
    assert ln.REGRESSION_DATASETS["reg-plane"] is ln.reg_plane
    assert ln.REGRESSION_DATASETS["reg-gauss"] is ln.reg_gauss


# -- TensorFlow Playground's generators (src/dataset.ts), ported line by line -------------------
# Its units (points in ±6) and its labels (the targets); Math.random() becomes rng.random(), one
# call at a time. labnet must give the same points scaled by 1/5 and the same targets.

def playground_points(num_samples, noise, rng, get_label):
    """The loop both of Playground's regression generators run, with their ``getLabel``."""
    radius, points = 6, []
    for _ in range(num_samples):
        x = rand_uniform(rng, -radius, radius)
        y = rand_uniform(rng, -radius, radius)
        noise_x = rand_uniform(rng, -radius, radius) * noise
        noise_y = rand_uniform(rng, -radius, radius) * noise
        points.append((x, y, get_label(x + noise_x, y + noise_y)))
    return points


def playground_regress_plane(num_samples, noise, rng):
    def get_label(x, y):  # d3.scale.linear().domain([-10, 10]).range([-1, 1]) of x + y
        return (x + y - -10) / (10 - -10) * (1 - -1) + -1

    return playground_points(num_samples, noise, rng, get_label)


def playground_regress_gaussian(num_samples, noise, rng):
    def label_scale(d):  # d3.scale.linear().domain([0, 2]).range([1, 0]).clamp(true)
        return 1 - min(max(d, 0), 2) / 2

    gaussians = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
                 (4, -2.5, -1)]

    def get_label(x, y):
        label = 0
        for cx, cy, sign in gaussians:  # choose the one that is maximum in abs value
            new_label = sign * label_scale(dist(x, y, cx, cy))
            if abs(new_label) > abs(label):
                label = new_label
        return label

    return playground_points(num_samples, noise, rng, get_label)


PLAYGROUND = {"reg-plane": playground_regress_plane, "reg-gauss": playground_regress_gaussian}


@pytest.mark.parametrize("noise", [0.0, 0.1, 0.5])
@pytest.mark.parametrize("n", [200, 201])
@pytest.mark.parametrize("name", NAMES)
def test_regression_data_set_is_playgrounds_generator_draw_for_draw(name, n, noise):
    x, targets = ln.REGRESSION_DATASETS[name](n, noise, np.random.default_rng(7))
    reference = np.array(PLAYGROUND[name](n, noise, np.random.default_rng(7)))
    np.testing.assert_allclose(x, reference[:, :2] / 5, rtol=0, atol=1e-12)
    np.testing.assert_allclose(targets[:, 0], reference[:, 2], rtol=0, atol=1e-12)


# -- the conventions of the data sets, with targets ----------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_regression_data_set_returns_points_in_playgrounds_square_and_a_column_of_targets(name):
    x, targets = ln.REGRESSION_DATASETS[name](500, 0.1, 0)
    assert x.shape == (500, 2) and x.dtype == np.float64
    assert targets.shape == (500, 1) and targets.dtype == np.float64
    assert np.abs(x).max() <= 1.2 and np.abs(x).max() > 1.1  # Playground's ±6, scaled by 1/5
    assert np.isfinite(targets).all() and len(np.unique(targets)) > 100


@pytest.mark.parametrize("name", NAMES)
def test_regression_data_set_is_deterministic_and_leaves_the_global_rng_alone(name):
    make = ln.REGRESSION_DATASETS[name]
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    first = make(50, 0.1, 3)
    again = make(50, 0.1, np.random.default_rng(3))
    make(50, 0.1)  # fresh entropy, still not the global state
    np.testing.assert_array_equal(np.random.random(3), expected)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], make(50, 0.1, 4)[0])


@pytest.mark.parametrize("name", NAMES)
def test_noise_keeps_the_points_and_changes_the_targets(name):
    make = ln.REGRESSION_DATASETS[name]
    clean_x, clean = make(2000, 0.0, 1)
    for noise in (0.1, 0.5):
        x, targets = make(2000, noise, 1)
        np.testing.assert_array_equal(x, clean_x)
        assert not np.array_equal(targets, clean)


def test_reg_plane_targets_are_half_the_sum_of_the_coordinates_blurred_by_the_noise():
    x, targets = ln.reg_plane(20000, 0.0, 2)
    np.testing.assert_allclose(targets[:, 0], x.sum(axis=1) / 2, rtol=0, atol=1e-15)
    for noise in (0.1, 0.5):
        x, targets = ln.reg_plane(20000, noise, 2)
        deviation = targets[:, 0] - x.sum(axis=1) / 2
        assert np.abs(deviation).max() <= 1.2 * noise
        assert deviation.std() == pytest.approx(0.49 * noise, rel=0.03)  # √0.24 · noise


def test_reg_gauss_has_hills_and_hollows_of_one_at_their_centres_and_zero_between():
    centres, signs = regression.GAUSS_CENTRES, regression.GAUSS_SIGNS
    x, targets = ln.reg_gauss(20000, 0.0, 3)
    distances = np.hypot(x[:, None, 0] - centres[:, 0], x[:, None, 1] - centres[:, 1])
    nearest = distances.argmin(axis=1)
    near = distances.min(axis=1)
    inside = near < 0.4
    bumps = signs[nearest[inside]] * (1 - near[inside] / 0.4)  # (the bumps do not overlap)
    np.testing.assert_allclose(targets[inside, 0], bumps, rtol=0, atol=1e-12)
    assert np.all(targets[~inside, 0] == 0.0)
    assert set(np.sign(targets[inside, 0]).astype(int)) == {-1, 1}
    assert np.abs(targets).max() <= 1.0 and np.abs(targets).max() > 0.95


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("n", "noise", "message"), [
    (0, 0.0, r"number of points must be a positive integer"),
    (10**7, 0.0, r"number of points must be at most 1,000,000"),
    (10, -0.1, r"noise must be >= 0"),
    (10, math.nan, r"noise must be >= 0, got nan"),
    (10, "loud", r"noise must be a number >= 0"),
])
def test_bad_arguments_are_refused_before_anything_is_drawn(name, n, noise, message):
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    with pytest.raises(ln.InputError, match=message):
        ln.REGRESSION_DATASETS[name](n, noise, rng)
    assert rng.bit_generator.state == before


def test_a_small_network_learns_reg_gauss_with_mse():
    x, targets = ln.reg_gauss(600, 0.0, 0)
    test = ln.reg_gauss(300, 0.0, 1)
    net = ln.Sequential(ln.Linear(2, 16, rng=0), ln.Tanh(), ln.Linear(16, 16, rng=1), ln.Tanh(),
                        ln.Linear(16, 1, init="xavier", rng=2))
    trainer = ln.Trainer(net, "mse", "adam", data=(x, targets), test=test, lr=0.01, rng=0)
    trainer.fit(40)
    # the MSE of predicting the mean would be the targets' variance: half of it is explained
    assert trainer.history.test_loss[-1] < 0.5 * np.var(test[1])
    assert all(math.isnan(error) for error in trainer.history.test_error)
