"""Input features: TensorFlow Playground's seven, against a port of its INPUTS, in labnet's
units; the columns follow the names; a check of names; x₁x₂ makes xor a straight line apart."""

import math

import numpy as np
import pytest

import labnet as ln
from labnet.features import FEATURE_LABELS, PLAIN, check_features, input_features

# Playground's INPUTS (src/playground.ts), each of its point (X, Y), in its order; its X is 5x
PLAYGROUND_INPUTS = {
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "xSquared": lambda x, y: x * x,
    "ySquared": lambda x, y: y * y,
    "xTimesY": lambda x, y: x * y,
    "sinX": lambda x, y: math.sin(x),
    "sinY": lambda x, y: math.sin(y),
}
OURS = {"x": "x1", "y": "x2", "xSquared": "x1^2", "ySquared": "x2^2", "xTimesY": "x1*x2",
        "sinX": "sin(x1)", "sinY": "sin(x2)"}
SCALE_BACK = {"x": 5, "y": 5, "xSquared": 25, "ySquared": 25, "xTimesY": 25, "sinX": 1,
              "sinY": 1}  # the polynomials in labnet's units, as its data are Playground's / 5


def test_the_seven_features_are_playgrounds_in_its_order():
    assert list(ln.FEATURES) == [OURS[name] for name in PLAYGROUND_INPUTS]
    assert list(FEATURE_LABELS) == list(ln.FEATURES)


@pytest.mark.parametrize("playground_name", list(PLAYGROUND_INPUTS))
def test_each_feature_is_playgrounds_of_five_times_the_point_scaled_back(playground_name):
    x, _ = ln.spiral(300, 0.2, 0)
    ours = input_features(x, [OURS[playground_name]])[:, 0]
    function = PLAYGROUND_INPUTS[playground_name]
    theirs = np.array([function(5 * x1, 5 * x2) for x1, x2 in x]) / SCALE_BACK[playground_name]
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


def test_a_sine_makes_playgrounds_waves_across_the_data():
    x = np.column_stack([np.linspace(-1, 1, 2000), np.zeros(2000)])
    sine = input_features(x, ["sin(x1)"])[:, 0]
    assert np.count_nonzero(sine[:-1] * sine[1:] < 0) == 3  # sin X over [-5, 5]: 0 at ±π, 0


def test_the_columns_follow_the_names_given_and_the_plain_features_are_the_points():
    x, _ = ln.xor(50, 0.0, 1)
    np.testing.assert_array_equal(input_features(x, PLAIN), x)
    both = input_features(x, ["x1*x2", "x2", "x1^2"])
    assert both.shape == (50, 3) and both.dtype == np.float64
    np.testing.assert_array_equal(both, np.column_stack([x[:, 0] * x[:, 1], x[:, 1], x[:, 0] ** 2]))
    assert input_features(x.astype(np.float32), ["x1"]).dtype == np.float32
    assert input_features(np.array([[1, 2]]), ["x1*x2"]).tolist() == [[2.0]]
    assert input_features(np.zeros((0, 2)), list(ln.FEATURES)).shape == (0, 7)


@pytest.mark.parametrize(("names", "message"), [
    ("x1", r"^features must be a list of names such as \['x1', 'x2'\], got 'x1'$"),
    (None, r"features must be a list of names"),
    ([], r"^features: give at least one of x1, x2, x1\^2"),
    (["x1", "x3"], r"^unknown feature 'x3'; choose among x1, x2, x1\^2, x2\^2, x1\*x2, "
                   r"sin\(x1\), sin\(x2\)$"),
    (["X1"], r"unknown feature 'X1'"),
    ([1], r"unknown feature 1"),
    (["x1", "x2", "x1"], r"^features: x1 given twice$"),
    (["sin(x1)"] * 10**5 + ["y" * 10**6], r"unknown feature 'yyyy.*\.\.\.y'; choose among"),
])
def test_a_list_of_names_that_is_not_one_of_features_is_refused_saying_why(names, message):
    with pytest.raises(ln.InputError, match=message) as refused:
        check_features(names)
    assert len(str(refused.value)) < 300
    with pytest.raises(ln.InputError, match=message):
        input_features(np.zeros((3, 2)), names)


def test_check_features_gives_the_names_as_a_tuple():
    assert check_features(iter(["x2", "x1"])) == ("x2", "x1")


@pytest.mark.parametrize(("x", "error", "message"), [
    (np.zeros((3, 3)), ln.ShapeError, r"points of the plane, shape \(n, 2\); got \(3, 3\)"),
    (np.zeros(2), ln.ShapeError, r"got \(2,\)"),
    (np.zeros((3, 2)) + 1j, ln.InputError, r"complex numbers"),
    ([["a", "b"]], ln.InputError, r"must be an array of real numbers"),
])
def test_points_that_are_not_points_of_the_plane_are_refused(x, error, message):
    with pytest.raises(error, match=message):
        input_features(x, ["x1"])


def test_the_product_feature_makes_xor_separable_by_one_linear_layer():
    x, labels = ln.xor(400, 0.0, 0)
    test = ln.xor(400, 0.0, 1)
    errors = {}
    for names in (PLAIN, ("x1*x2",)):
        net = ln.Sequential(ln.Linear(len(names), 2, rng=0))
        trainer = ln.Trainer(net, "cross-entropy", "adam", data=(input_features(x, names), labels),
                             test=(input_features(test[0], names), test[1]), lr=0.05, rng=0)
        trainer.fit(20)
        errors[names] = trainer.history.test_error[-1]
    assert errors[PLAIN] > 0.3 and errors[("x1*x2",)] < 0.02
