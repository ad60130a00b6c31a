"""Data sets: shapes and types, determinism, no global RNG, the disk rule; split; one_hot."""

import math

import numpy as np
import pytest

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


@pytest.mark.parametrize("name", NAMES)
def test_noise_changes_the_points_but_not_the_labels(name):
    make = ln.DATASETS[name]
    clean_x, clean_labels = make(200, 0.0, 0)
    noisy_x, noisy_labels = make(200, 0.2, 0)
    assert not np.allclose(clean_x, noisy_x)
    np.testing.assert_array_equal(clean_labels, noisy_labels)


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


def test_circle_labels_inside_are_class_one():
    x, labels = ln.circle(400, 0.0, 0)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert np.all(radius[labels == 1] < 0.5) and np.all(radius[labels == 0] >= 0.7)


def test_xor_labels_follow_the_quadrants():
    x, labels = ln.xor(400, 0.0, 0)
    np.testing.assert_array_equal(labels, (x[:, 0] * x[:, 1] > 0).astype(int))


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
