"""Data sets of more than two classes: labels 0 to k-1 in runs as equal as can be; blobs and
spiral arms shaped as Playground's gauss and spiral are with two; a network learns them with
cross-entropy and with MSE on one-hot rows, its error rate counted as with two classes."""

import math

import numpy as np
import pytest

import labnet as ln
from labnet.multiclass import BLOB_RADIUS, MAX_CLASSES, class_labels

NAMES = sorted(ln.MULTICLASS_DATASETS)


def test_the_multi_class_data_sets_are_there():
    assert NAMES == ["blobs", "spirals"]
    assert ln.MULTICLASS_DATASETS["blobs"] is ln.blobs
    assert ln.MULTICLASS_DATASETS["spirals"] is ln.spirals


@pytest.mark.parametrize("classes", [2, 3, 4, MAX_CLASSES])
@pytest.mark.parametrize("name", NAMES)
def test_labels_run_from_0_to_k_minus_1_in_runs_as_equal_as_can_be(name, classes):
    x, labels = ln.MULTICLASS_DATASETS[name](403, 0.1, 0, classes)
    assert x.shape == (403, 2) and x.dtype == np.float64 and np.isfinite(x).all()
    assert labels.shape == (403,) and labels.dtype.kind == "i"
    counts = np.bincount(labels)
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    assert np.all(np.diff(labels) >= 0)  # class 0 first
    np.testing.assert_array_equal(labels, class_labels(403, classes))


@pytest.mark.parametrize("name", NAMES)
def test_three_classes_by_default_a_seed_gives_the_same_data_and_no_global_rng(name):
    make = ln.MULTICLASS_DATASETS[name]
    np.random.seed(5)
    expected = np.random.random(2)
    np.random.seed(5)
    x, labels = make(60, 0.2, 9)
    again = make(60, 0.2, np.random.default_rng(9), 3)
    make(60, 0.2)
    np.testing.assert_array_equal(np.random.random(2), expected)
    assert set(labels) == {0, 1, 2}
    np.testing.assert_array_equal(x, again[0])
    assert not np.array_equal(x, make(60, 0.2, 10)[0])


@pytest.mark.parametrize("classes", [2, 3, 4, 8])
def test_blobs_lie_around_their_centres_widened_as_gauss(classes):
    noise = 0.25
    x, labels = ln.blobs(8000, noise, 1, classes)
    std = ln.data.gauss_std(noise)
    for label in range(classes):
        angle = math.radians(225) + 2 * math.pi * label / classes
        centre = BLOB_RADIUS * np.array([math.cos(angle), math.sin(angle)])
        blob = x[labels == label]
        np.testing.assert_allclose(blob.mean(axis=0), centre, atol=4 * std / math.sqrt(len(blob)))
        np.testing.assert_allclose(blob.std(axis=0), std, rtol=0.1)


def test_two_blobs_are_gauss_with_its_labels():
    x, labels = ln.blobs(4000, 0.0, 2, classes=2)
    for label, centre in ((0, -0.4), (1, 0.4)):
        np.testing.assert_allclose(x[labels == label].mean(axis=0), centre, atol=0.01)


def test_two_spiral_arms_are_playgrounds_spiral_with_its_labels_and_its_noise():
    x, labels = ln.spirals(400, 0.0, 3, classes=2)
    reference, reference_labels = ln.spiral(400, 0.0, 3)
    ours = sorted(zip(np.round(x, 9).tolist(), labels.tolist(), strict=True))
    theirs = sorted(zip(np.round(reference, 9).tolist(), reference_labels.tolist(), strict=True))
    assert ours == theirs  # the same points and labels, in another order
    moved = ln.spirals(400, 0.3, 3, classes=2)[0] - x
    np.testing.assert_allclose(moved, ln.spiral(400, 0.3, 3)[0] - reference, atol=1e-12)


def test_spiral_arms_are_evenly_turned_and_reach_radius_one():
    x, labels = ln.spirals(3000, 0.0, 0, classes=3)
    for label in range(3):
        arm = x[labels == label]
        radius = np.hypot(arm[:, 0], arm[:, 1])
        np.testing.assert_allclose(radius, np.arange(1000) / 1000, atol=1e-12)
        angle = np.arctan2(arm[1, 0], arm[1, 1])  # the first point off the centre
        expected = 1.75 * 2 * math.pi / 1000 + math.pi + 2 * math.pi * label / 3
        assert math.remainder(angle - expected, 2 * math.pi) == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("classes", [1, 9, 0, 2.5, True, "3", None, math.inf])
def test_a_number_of_classes_out_of_bounds_is_refused_before_anything_is_drawn(name, classes):
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    with pytest.raises(ln.InputError, match=rf"classes must be a whole number from 2 to "
                                            rf"{MAX_CLASSES}, got"):
        ln.MULTICLASS_DATASETS[name](10, 0.0, rng, classes)
    assert rng.bit_generator.state == before


@pytest.mark.parametrize("name", NAMES)
def test_bad_points_or_noise_are_refused_as_for_two_classes(name):
    with pytest.raises(ln.InputError, match=r"at most 1,000,000"):
        ln.MULTICLASS_DATASETS[name](10**9, 0.0, 0)
    with pytest.raises(ln.InputError, match=r"noise must be >= 0"):
        ln.MULTICLASS_DATASETS[name](10, -1.0, 0)


# -- training with k classes -----------------------------------------------------------------------

@pytest.mark.parametrize("loss", [ln.CrossEntropyLoss(), ln.MSELoss()], ids=["ce", "mse"])
def test_a_network_learns_four_blobs_with_either_loss(loss):
    x, labels = ln.blobs(800, 0.0, 0, classes=4)
    test = ln.blobs(400, 0.0, 1, classes=4)
    net = ln.Sequential(ln.Linear(2, 16, rng=0), ln.ReLU(), ln.Linear(16, 4, rng=1))
    trainer = ln.Trainer(net, loss, "adam", data=(x, labels), test=test, lr=0.01, rng=0)
    assert trainer.task == "classification"
    trainer.fit(10)
    assert trainer.history.test_error[-1] < 0.03
    assert trainer.history.test_error[-1] == ln.error_rate(net.forward(test[0]), test[1])


def test_labels_beyond_the_networks_outputs_are_refused_naming_them():
    x, labels = ln.spirals(40, 0.0, 0, classes=4)
    net = ln.Sequential(ln.Linear(2, 8, rng=0), ln.ReLU(), ln.Linear(8, 3, rng=1))
    with pytest.raises(ln.InputError, match=r"label 3 is out of range: the output has 3 classes"):
        ln.Trainer(net, data=(x, labels))


@pytest.mark.parametrize("loss", [ln.CrossEntropyLoss(), ln.MSELoss()], ids=["ce", "mse"])
def test_losses_on_k_class_labels_pass_the_gradient_check(loss):
    rng = np.random.default_rng(0)
    output = rng.normal(size=(6, 5))
    labels = np.array([0, 4, 2, 3, 1, 4])
    assert ln.gradcheck(loss, output, target=labels).ok
