"""Losses: gradients, values against hand computation, the error rate, predicted labels."""

import math

import numpy as np
import pytest

import labnet as ln

OUTPUT = np.array([[0.2, -1.0, 0.5], [1.5, 0.3, -0.2], [0.0, 0.1, 0.9], [-0.4, 2.0, 1.0]])
LABELS = np.array([2, 0, 1, 1])


@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=repr)
def test_loss_gradient_with_labels_matches_finite_differences(loss):
    report = ln.gradcheck(loss, OUTPUT, target=LABELS)
    assert report.ok, str(report)


@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=repr)
def test_loss_gradient_with_one_hot_targets_matches_finite_differences(loss):
    report = ln.gradcheck(loss, OUTPUT, target=ln.one_hot(LABELS, 3))
    assert report.ok, str(report)


def test_mse_gradient_with_real_targets_matches_finite_differences():
    target = np.random.default_rng(0).normal(size=OUTPUT.shape)
    report = ln.gradcheck(ln.MSELoss(), OUTPUT, target=target)
    assert report.ok, str(report)


def test_mse_is_the_mean_over_all_elements():
    output = np.array([[1.0, 2.0], [0.0, -1.0]])
    target = np.array([[0.0, 2.0], [1.0, 1.0]])
    loss = ln.MSELoss()
    assert loss.forward(output, target) == pytest.approx((1 + 0 + 1 + 4) / 4)
    np.testing.assert_allclose(loss.backward(), 2 * (output - target) / 4)


def test_mse_with_labels_equals_mse_with_one_hot_rows():
    with_labels = ln.MSELoss().forward(OUTPUT, LABELS)
    with_rows = ln.MSELoss().forward(OUTPUT, ln.one_hot(LABELS, 3))
    assert with_labels == with_rows


def test_cross_entropy_is_the_mean_negative_log_softmax_of_the_label():
    logits = np.array([[1.0, 2.0], [0.0, 0.0]])
    labels = np.array([1, 0])
    expected = -(math.log(math.e**2 / (math.e + math.e**2)) + math.log(0.5)) / 2
    loss = ln.CrossEntropyLoss()
    assert loss.forward(logits, labels) == pytest.approx(expected)
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.backward(), (softmax - ln.one_hot(labels, 2)) / 2)


def test_cross_entropy_is_stable_for_huge_logits():
    loss = ln.CrossEntropyLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.forward(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert value == pytest.approx(500.0)
    assert np.isfinite(loss.backward()).all()


def test_loss_backward_has_the_output_shape():
    for loss in (ln.MSELoss(), ln.CrossEntropyLoss()):
        loss.forward(OUTPUT, LABELS)
        assert loss.backward().shape == OUTPUT.shape


def test_loss_keeps_float32():
    output = OUTPUT.astype(np.float32)
    for loss in (ln.MSELoss(), ln.CrossEntropyLoss()):
        loss.forward(output, LABELS)
        assert loss.backward().dtype == np.float32


def test_mse_accepts_labels_for_a_single_output_column():
    # A one-column output predicts class 1 where it is > 0.5 (predict_labels); MSE with labels
    # then means the label itself as the target of that column.
    output = np.array([[0.2], [0.9], [0.4]])
    labels = np.array([0, 1, 1])
    loss = ln.MSELoss()
    assert loss.forward(output, labels) == pytest.approx((0.04 + 0.01 + 0.36) / 3)
    np.testing.assert_allclose(loss.backward(), 2 * (output - labels[:, None]) / 3)


def test_error_rate_counts_wrong_rows():
    assert ln.error_rate(OUTPUT, LABELS) == 0.25  # rows 0, 1, 3 right; row 2 predicts 2
    assert ln.error_rate(OUTPUT, np.array([2, 0, 2, 1])) == 0.0


def test_error_rate_of_a_single_column_thresholds_at_one_half():
    output = np.array([[0.2], [0.7], [0.51]])
    assert ln.error_rate(output, np.array([0, 1, 0])) == pytest.approx(1 / 3)


def test_predict_labels_takes_the_largest_column():
    np.testing.assert_array_equal(ln.predict_labels(OUTPUT), [2, 0, 2, 1])
    np.testing.assert_array_equal(ln.predict_labels(np.array([[0.4], [0.6]])), [0, 1])


def test_losses_by_name_make_the_right_classes():
    from labnet.losses import LOSSES

    assert isinstance(LOSSES["mse"](), ln.MSELoss)
    assert isinstance(LOSSES["cross-entropy"](), ln.CrossEntropyLoss)


def test_cross_entropy_refuses_a_single_output_column():
    # softmax over one column is always 1: the loss would be 0 and nothing would learn
    with pytest.raises(ValueError, match=r"at least 2 classes, got \(3, 1\)"):
        ln.CrossEntropyLoss().forward(np.zeros((3, 1)), np.array([0, 1, 1]))


def test_make_loss_takes_a_name_an_object_or_none_and_refuses_the_rest_naming_who_asks():
    assert isinstance(ln.losses.make_loss(None, "Walk"), ln.MSELoss)
    assert isinstance(ln.losses.make_loss("cross-entropy", "Walk"), ln.CrossEntropyLoss)
    mine = ln.MSELoss()
    assert ln.losses.make_loss(mine, "Walk") is mine
    with pytest.raises(ln.InputError, match="unknown loss 'hinge'"):
        ln.losses.make_loss("hinge", "Walk")
    with pytest.raises(ln.InputError, match=r"^Walk: loss must be a loss object, such as "
                                            r"MSELoss\(\) \(with parentheses\)"):
        ln.losses.make_loss(ln.MSELoss, "Walk")
    with pytest.raises(ln.InputError, match=r"^Trainer: loss must be one of .* got 42"):
        ln.losses.make_loss(42, "Trainer")
