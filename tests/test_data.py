"""Data sets: shapes and types, determinism, no global RNG, the disk rule; TensorFlow
Playground's four against a port of its own generators, draw for draw, and their statistics;
split; one_hot."""

import math

import numpy as np
import pytest
from playgroundtools import dist, rand_uniform

import labnet as ln

NAMES = sorted(ln.DATASETS)


def test_the_six_data_sets_are_there():
    assert NAMES == ["circle", "disk", "gauss", "moons", "spiral", "xor"]
    for name in NAMES:
        assert ln.DATASETS[name] is getattr(ln, name)


@pytest.mark.parametrize("name", NAMES)
def test_data_set_returns_float64_points_and_int_labels_0_and_1(name):
    x, labels = ln.DATASETS[name](100, 0.1, 0)
    assert x.shape == (100, 2) and x.dtype == np.float64
    assert labels.shape == (100,) and labels.dtype.kind == "i"
    assert set(np.unique(labels)) == {0, 1}
    assert np.isfinite(x).all()


@pytest.mark.parametrize("name", NAMES)
def test_data_set_is_deterministic_for_a_seed(name):
    make = ln.DATASETS[name]
    x1, labels1 = make(50, 0.1, 3)
    x2, labels2 = make(50, 0.1, np.random.default_rng(3))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(labels1, labels2)
    x3, _ = make(50, 0.1, 4)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("name", NAMES)
def test_data_set_leaves_the_global_rng_alone(name):
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    ln.DATASETS[name](50, 0.1, 0)
    ln.DATASETS[name](50, 0.1)  # no rng: fresh entropy, still not the global state
    np.testing.assert_array_equal(np.random.random(3), expected)


def test_disk_labels_follow_the_seed_rule():
    x, labels = ln.disk(2000, rng=0)
    radius = ln.data.DISK_RADIUS
    assert radius == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert np.all((x >= 0) & (x <= 1))
    inside = np.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5) < 1 / math.sqrt(2 * math.pi)
    np.testing.assert_array_equal(labels, inside.astype(int))


def test_disk_classes_are_about_balanced():
    _, labels = ln.disk(4000, rng=1)
    assert abs(labels.mean() - 0.5) < 0.03  # the disk's area is 1/2; 4 std devs is 0.032


def test_disk_noise_moves_points_after_labelling():
    clean, labels = ln.disk(500, 0.0, 0)
    noisy, _ = ln.disk(500, 0.1, 0)
    assert 0.03 < np.std(noisy - clean) < 0.07  # noise 0.1 in units of the half-width 0.5
    assert labels.sum() > 0


# -- TensorFlow Playground's generators (src/dataset.ts), ported line by line -------------------
# Its units (±5) and labels (+1, -1); Math.random() becomes rng.random(), one call at a time, and
# normalRandom(mean, variance) becomes mean + √variance · rng.standard_normal(). labnet must give
# the same points and labels from the same draws, scaled by 1/5, label +1 → 1 and -1 → 0.

def playground_circle(num_samples, noise, rng):
    points, radius = [], 5

    def get_circle_label(x, y):
        return 1 if dist(x, y, 0, 0) < radius * 0.5 else -1

    for r_low, r_high in ((0, radius * 0.5), (radius * 0.7, radius)):  # positive, then negative
        for _ in range(math.ceil(num_samples / 2)):  # for (i = 0; i < numSamples / 2; i++)
            r = rand_uniform(rng, r_low, r_high)
            angle = rand_uniform(rng, 0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            noise_x = rand_uniform(rng, -radius, radius) * noise
            noise_y = rand_uniform(rng, -radius, radius) * noise
            points.append((x, y, get_circle_label(x + noise_x, y + noise_y)))
    return points


def playground_xor(num_samples, noise, rng):
    points = []
    for _ in range(num_samples):
        x = rand_uniform(rng, -5, 5)
        padding = 0.3
        x += padding if x > 0 else -padding
        y = rand_uniform(rng, -5, 5)
        y += padding if y > 0 else -padding
        noise_x = rand_uniform(rng, -5, 5) * noise
        noise_y = rand_uniform(rng, -5, 5) * noise
        points.append((x, y, 1 if (x + noise_x) * (y + noise_y) >= 0 else -1))
    return points


def playground_gauss(num_samples, noise, rng):
    points = []
    variance = 0.5 + (4 - 0.5) * noise / 0.5  # d3.scale.linear().domain([0, .5]).range([.5, 4])

    def normal_random(mean, variance):
        return mean + math.sqrt(variance) * rng.standard_normal()

    for cx, cy, label in ((2, 2, 1), (-2, -2, -1)):
        for _ in range(math.ceil(num_samples / 2)):
            x = normal_random(cx, variance)
            y = normal_random(cy, variance)
            points.append((x, y, label))
    return points


def playground_spiral(num_samples, noise, rng):
    points, n = [], num_samples / 2
    for delta_t, label in ((0, 1), (math.pi, -1)):
        for i in range(math.ceil(n)):
            r = i / n * 5
            t = 1.75 * i / n * 2 * math.pi + delta_t
            x = r * math.sin(t) + rand_uniform(rng, -1, 1) * noise
            y = r * math.cos(t) + rand_uniform(rng, -1, 1) * noise
            points.append((x, y, label))
    return points


PLAYGROUND = {"circle": playground_circle, "xor": playground_xor, "gauss": playground_gauss,
              "spiral": playground_spiral}


@pytest.mark.parametrize("noise", [0.0, 0.1, 0.5])
@pytest.mark.parametrize("n", [200, 201])
@pytest.mark.parametrize("name", sorted(PLAYGROUND))
def test_playground_data_set_is_playgrounds_generator_draw_for_draw(name, n, noise):
    x, labels = ln.DATASETS[name](n, noise, np.random.default_rng(7))
    # for an odd n, Playground makes one point more (n/2 rounded up in both classes): labnet
    # stops at n, and its first n points are Playground's
    reference = np.array(PLAYGROUND[name](n, noise, np.random.default_rng(7)))[:n]
    np.testing.assert_allclose(x, reference[:, :2] / 5, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(labels, (reference[:, 2] == 1).astype(int))


# -- their statistics: what the noise does -------------------------------------------------------
# The shares of labels that disagree with the clean rule, as the docstrings and the README give
# them (measured there on 200,000 points; 20,000 for the spiral).
DISAGREE = {
    "circle": {0.1: 0.026, 0.25: 0.078, 0.5: 0.247},
    "xor": {0.1: 0.008, 0.25: 0.070, 0.5: 0.175},
    "gauss": {0.1: 0.005, 0.25: 0.029, 0.5: 0.078},
    "spiral": {0.1: 0.005, 0.25: 0.013, 0.5: 0.032},
}


def assert_share(share, expected, n):
    """A share measured on n points is within 4 standard errors (and the rounding) of expected."""
    assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / n) + 0.001


def nearest_arm(x, samples=2000):
    """The class of the spiral arm nearest to each point (the arms drawn with no noise)."""
    along = np.linspace(0.0, 1.0, samples)
    arms = [np.column_stack([along * np.sin(t), along * np.cos(t)])
            for t in (3.5 * math.pi * along, 3.5 * math.pi * along + math.pi)]
    points, classes = np.concatenate(arms), np.repeat([1, 0], samples)
    nearest = [((chunk[:, None, :] - points) ** 2).sum(axis=2).argmin(axis=1)
               for chunk in np.array_split(x, max(1, len(x) // 500))]
    return classes[np.concatenate(nearest)]


def test_circle_noise_keeps_the_points_and_blurs_the_labels():
    n = 20000
    clean_x, clean = ln.circle(n, 0.0, 1)
    inside = np.arange(n) < n // 2
    np.testing.assert_array_equal(clean, inside)  # half in the disk: class 1, half in the ring
    radius = np.hypot(clean_x[:, 0], clean_x[:, 1])
    assert radius[inside].max() < 0.5 and radius[~inside].min() >= 0.7
    assert radius[~inside].max() <= 1.0
    assert radius[inside].mean() == pytest.approx(0.25, abs=0.005)  # uniform in the radius
    for noise, expected in DISAGREE["circle"].items():
        x, labels = ln.circle(n, noise, 1)
        np.testing.assert_array_equal(x, clean_x)  # the same points at every noise
        assert_share(np.mean(labels != inside), expected, n)


def test_xor_noise_keeps_the_points_and_blurs_the_labels():
    n = 20000
    clean_x, clean = ln.xor(n, 0.0, 1)
    np.testing.assert_array_equal(clean, clean_x[:, 0] * clean_x[:, 1] > 0)
    assert np.abs(clean_x).min() >= 0.06 and np.abs(clean_x).max() <= 1.06  # the margin
    assert abs(clean.mean() - 0.5) < 4 * 0.5 / math.sqrt(n)
    for noise, expected in DISAGREE["xor"].items():
        x, labels = ln.xor(n, noise, 1)
        np.testing.assert_array_equal(x, clean_x)
        assert_share(np.mean(labels != clean), expected, n)


@pytest.mark.parametrize(("noise", "std"), [(0.0, 0.1414), (0.1, 0.2191), (0.25, 0.3),
                                            (0.5, 0.4)])
def test_gauss_noise_widens_the_blobs(noise, std):
    assert ln.data.gauss_std(noise) == pytest.approx(std, abs=1e-4)  # √(0.5 + 7·noise) / 5
    n = 20000
    x, labels = ln.gauss(n, noise, 1)
    assert labels.sum() == n // 2
    for label, centre in ((1, 0.4), (0, -0.4)):
        blob = x[labels == label]
        np.testing.assert_allclose(blob.mean(axis=0), centre, atol=4 * std / math.sqrt(n / 2))
        np.testing.assert_allclose(blob.std(axis=0), std, rtol=0.03)
    wrong_side = np.mean((x.sum(axis=1) > 0) != (labels == 1))
    assert_share(wrong_side, DISAGREE["gauss"].get(noise, 0.0), n)


def test_spiral_noise_moves_the_points_and_keeps_the_labels():
    n = 4000
    clean_x, clean = ln.spiral(n, 0.0, 1)
    np.testing.assert_array_equal(clean, np.arange(n) < n // 2)
    radius = np.hypot(clean_x[:, 0], clean_x[:, 1])
    np.testing.assert_allclose(radius[: n // 2], np.arange(n // 2) / (n / 2))  # centre to 1
    assert np.mean(nearest_arm(clean_x) != clean) <= 2 / n  # only the two points at the centre
    for noise, expected in DISAGREE["spiral"].items():
        x, labels = ln.spiral(n, noise, 1)
        np.testing.assert_array_equal(labels, clean)
        moved = x - clean_x
        assert np.abs(moved).max() <= noise / 5  # uniform(-1, 1) · noise / 5 per coordinate
        np.testing.assert_allclose(moved.std(axis=0), noise / 5 / math.sqrt(3), rtol=0.05)
        assert_share(np.mean(nearest_arm(x) != labels), expected, n)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("noise", [math.nan, -0.1, math.inf, "a lot"])
def test_bad_noise_is_refused_naming_it_before_anything_is_drawn(name, noise):
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    with pytest.raises(ln.InputError, match=rf"noise must be .*, got '?{noise}'?"):
        ln.DATASETS[name](10, noise, rng)
    assert rng.bit_generator.state == before


def test_train_test_split_sizes_and_contents():
    x, labels = ln.disk(100, rng=0)
    split = ln.train_test_split(x, labels, test_fraction=0.3, rng=0)
    assert split.x_train.shape == (70, 2) and split.x_test.shape == (30, 2)
    assert split.labels_train.shape == (70,) and split.labels_test.shape == (30,)
    joined = np.concatenate([split.x_train, split.x_test])
    assert sorted(map(tuple, joined)) == sorted(map(tuple, x))  # a permutation of the points
    for points, point_labels in ((split.x_train, split.labels_train),
                                 (split.x_test, split.labels_test)):
        rows = [int(np.flatnonzero((x == point).all(axis=1))[0]) for point in points]
        np.testing.assert_array_equal(point_labels, labels[rows])


def test_train_test_split_is_deterministic_for_a_seed():
    x, labels = ln.disk(60, rng=0)
    a = ln.train_test_split(x, labels, rng=5)
    b = ln.train_test_split(x, labels, rng=5)
    c = ln.train_test_split(x, labels, rng=6)
    for first, second in zip(a, b, strict=True):
        np.testing.assert_array_equal(first, second)
    assert not np.array_equal(a.x_test, c.x_test)


def test_one_hot_rows():
    encoded = ln.one_hot(np.array([1, 0, 2]), 3)
    np.testing.assert_array_equal(encoded, [[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    assert encoded.dtype == np.float64
    assert ln.one_hot([0, 1], 2, dtype=np.float32).dtype == np.float32


def test_one_hot_accepts_whole_float_labels():
    np.testing.assert_array_equal(ln.one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])


def test_check_data_takes_labels_or_regression_targets_of_one_column_per_output():
    x = np.zeros((3, 2))
    _, labels = ln.data.check_data(x, [1.0, 0.0, 2.0])
    assert labels.tolist() == [1, 0, 2] and labels.dtype.kind == "i"
    _, targets = ln.data.check_data(x, np.array([[0.5, 1], [2, 3], [4, 5]], dtype=np.float32))
    assert targets.shape == (3, 2) and targets.dtype == np.float64
    with pytest.raises(ln.InputError, match=r"labels must be integers, got float64 values such "
                                            r"as 0.5 \(for regression, give targets of shape"):
        ln.data.check_data(x, [1.0, 0.5, 2.0])  # (the first value that is not whole, named)
    with pytest.raises(ln.InputError, match=r"targets contains NaN or infinity \(first in row 1"):
        ln.data.check_data(x, [[0.0], [np.inf], [1.0]])
    with pytest.raises(ln.InputError, match=r"targets holds complex numbers"):
        ln.data.check_data(x, np.ones((3, 1)) * 1j)
    with pytest.raises(ln.ShapeError, match=r"labels must have shape \(3,\) to match x of shape "
                                            r"\(3, 2\), got \(2, 1\) \(or, for regression, "
                                            r"targets of shape \(3, outputs\)\)"):
        ln.data.check_data(x, np.zeros((2, 1)))
