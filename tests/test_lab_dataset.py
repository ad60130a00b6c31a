"""The lab's data (``labnet.lab.dataset``): settings checked whole before any data is made, data
made from settings (the same settings: the same points), the user's own points, and what the
network sees (standardised inputs)."""

import numpy as np
import pytest
from labtools import lab_from

from labnet.lab import Lab
from labnet.lab.dataset import (
    MAX_COORDINATE,
    MAX_POINTS,
    DataSettings,
    LabData,
    Points,
    check_point,
)
from labnet.lab.pictures import plane

HUGE = 10**400


def square(n=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 2))
    return x, (x[:, 0] > 0.5).astype(int)


def test_the_default_settings_are_the_seed_experiments():
    data = LabData.make(DataSettings())
    assert data.settings == DataSettings("disk", 0.0, 2000, 0.5, 0, True)
    assert len(data.train[0]) == len(data.test[0]) == 1000
    assert data.train[1].dtype.kind == "i" and set(np.unique(data.train[1])) == {0, 1}
    assert data.points is None


def test_the_same_settings_make_the_same_data_and_another_seed_other_data():
    settings = DataSettings("xor", noise=0.1, n_points=500, test_fraction=0.2, seed=3)
    a, b = LabData.make(settings), LabData.make(settings)
    assert np.array_equal(a.train[0], b.train[0]) and np.array_equal(a.test[1], b.test[1])
    assert len(a.train[0]) == 400 and len(a.test[0]) == 100
    c = a.changed(seed=4)
    assert not np.array_equal(a.train[0], c.train[0])


def test_checked_settings_are_of_the_right_types():
    settings = DataSettings(noise=np.float32(0.25), n_points=300.0, seed=np.int64(7),
                            standardize=np.bool_(False)).checked()
    assert settings == DataSettings(noise=0.25, n_points=300, seed=7, standardize=False)
    assert type(settings.n_points) is int and type(settings.noise) is float
    assert type(settings.seed) is int and type(settings.standardize) is bool


@pytest.mark.parametrize(("changes", "words"), [
    ({"dataset": "mnist"}, "unknown data set 'mnist'"),
    ({"noise": -0.1}, "noise must be between 0 and 0.5"),
    ({"noise": 0.6}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"noise": HUGE}, "noise"),
    ({"noise": "0.1"}, "noise must be a number"),
    ({"noise": True}, "noise must be a number, got True"),
    ({"n_points": 3}, "the number of points must be a whole number from 4 to 100000"),
    ({"n_points": MAX_POINTS + 1}, "the number of points"),
    ({"n_points": 300.5}, "the number of points"),
    ({"n_points": float("inf")}, "the number of points"),
    ({"n_points": HUGE}, "the number of points"),
    ({"n_points": True}, "the number of points must be a whole number, got True"),
    ({"test_fraction": 1.0}, "the test fraction must be between 0.05 and 0.95"),
    ({"test_fraction": 0.0}, "the test fraction"),
    ({"seed": -1}, "the seed must be a whole number from 0 to 4294967295, got -1"),
    ({"seed": 2**32}, "the seed"),
    ({"seed": 1.5}, "the seed"),
    ({"standardize": 1}, "standardize must be True or False"),
    ({"n_points": 4, "test_fraction": 0.1}, "leave no test point or no training point"),
    ({"n_points": 10, "test_fraction": 0.95}, "leave no test point or no training point"),
    ({"colour": "red"}, "unknown data setting(s) colour"),
])
def test_a_bad_setting_is_refused_and_the_data_stay_as_they_were(changes, words):
    data = LabData.make(DataSettings(n_points=200))
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        data.changed(**changes)
    assert data.settings == DataSettings(n_points=200)


def test_a_refused_change_leaves_later_changes_working():
    # (issue 9: a refused seed used to be kept, and every later data change failed)
    data = LabData.make(DataSettings(n_points=200))
    for bad in ({"seed": -1}, {"n_points": 4, "test_fraction": 0.1}):
        with pytest.raises(ValueError):
            data.changed(**bad)
    assert data.changed(noise=0.1).settings == DataSettings(n_points=200, noise=0.1)


def test_none_leaves_a_setting_as_it_is():
    data = LabData.make(DataSettings(n_points=200, seed=5))
    assert data.changed(seed=None, noise=0.2).settings == DataSettings(n_points=200, seed=5,
                                                                        noise=0.2)


def test_the_network_sees_standardised_training_points_unless_told_otherwise():
    data = LabData.make(DataSettings(n_points=400))
    (x_train, _), (x_test, _) = data.network_sets()
    assert np.allclose(x_train.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(x_train.std(axis=0), 1)
    assert np.allclose(data.network_input(data.train[0]), x_train)
    assert np.allclose(x_test, (data.test[0] - data.mean) / data.std)
    raw = data.changed(standardize=False)
    assert np.array_equal(raw.network_sets()[0][0], raw.train[0])
    assert np.array_equal(raw.network_input(data.test[0]), data.test[0])


def test_points_of_one_place_have_a_standard_deviation_that_is_not_zero():
    x = np.array([[0.5, 0.5]] * 3 + [[0.5, 0.7]] * 3)
    data = LabData.make(DataSettings(dataset="custom"),
                        Points.of(x, np.array([0, 1, 0, 1, 0, 1]), 0.5, 0))
    assert np.isfinite(data.network_sets()[0][0]).all()


def test_own_points_are_split_once_and_the_split_follows_seed_and_fraction():
    x, labels = square(40)
    points = Points.of(x, labels, 0.25, 3)
    assert points.test.sum() == 10 and points.labels.dtype.kind == "i"
    assert np.array_equal(Points.of(x, labels, 0.25, 3).test, points.test)
    data = LabData.make(DataSettings(dataset="custom", test_fraction=0.25, seed=3), points)
    assert len(data.train[0]) == 30 and len(data.test[0]) == 10
    resplit = data.changed(seed=4)
    assert resplit.points.test.sum() == 10 and not np.array_equal(resplit.points.test,
                                                                  points.test)
    assert data.changed(test_fraction=0.5).points.test.sum() == 20
    assert data.changed(noise=0.1).points is points  # other settings keep the split


def test_own_points_always_have_a_test_point_and_a_training_point():
    x, labels = square(4)
    for fraction in (0.05, 0.95):
        points = Points.of(x, labels, fraction, 0)
        assert points.test.any() and not points.test.all()


def test_the_custom_data_set_needs_points_and_they_wait_while_another_is_tried():
    with pytest.raises(ValueError, match="needs points of your own"):
        LabData.make(DataSettings(dataset="custom"))
    x, labels = square(10)
    data = LabData.make(DataSettings(dataset="custom"), Points.of(x, labels, 0.5, 0))
    disk = data.changed(dataset="disk")
    assert len(disk.x_all) == 2000 and disk.points is data.points
    again = disk.changed(dataset="custom")  # the points are back
    np.testing.assert_array_equal(again.x_all, data.x_all)
    clicked = disk.with_point(0.5, 0.5, 1)  # a click on the disk: the disk's points and it
    assert len(clicked.x_all) == 2001


def test_a_lab_keeps_the_points_clicked_through_a_try_of_another_data_set(tmp_path):
    lab = Lab()
    lab.add_point(0.1, 0.2, 1)
    mine = lab.state.data.x_all.copy()
    lab.set_data(dataset="xor")
    assert "custom" in lab.widget.settings["choices"]["datasets"]
    lab.save(tmp_path / "lab.npz")
    again = lab_from(tmp_path / "lab.npz")
    again.set_data(dataset="custom")
    np.testing.assert_array_equal(again.state.data.x_all, mine)


@pytest.mark.parametrize(("x", "labels", "words"), [
    (np.zeros((10, 3)), np.zeros(10, dtype=int), "2 columns"),
    (np.zeros((3, 2)), np.zeros(3, dtype=int), "4 to 100000 points"),
    (np.zeros((10, 2)), np.zeros(9, dtype=int), "labels must have shape"),
    (np.full((10, 2), np.nan), np.zeros(10, dtype=int), "NaN"),
    (np.full((10, 2), 1e300), np.zeros(10, dtype=int), "within ±1e\\+06"),
    (np.zeros((10, 2)), np.full(10, 8), "label 8 is out of range"),
    (np.zeros((10, 2)), np.zeros((10, 2)), "one target a point"),
    (np.zeros((10, 2)), np.full((10, 1), 1e7), "targets lie within"),
    (np.zeros((10, 2)), np.full((10, 1), np.inf), "NaN or infinity"),
    (np.zeros((10, 2)), np.full(10, 0.5), "labels must be integers"),
])
def test_bad_own_points_are_refused(x, labels, words):
    with pytest.raises(ValueError, match=words):
        Points.of(x, labels, 0.5, 0)


def test_a_point_added_keeps_the_labels_whole_numbers():
    # (issue 9: add_point(0.5, 0.5, 1.0) was an IndexError, and the labels became floats)
    data = LabData.make(DataSettings(n_points=100))
    more = data.with_point(0.5, 0.5, 1.0).with_point(0.25, 0.75, np.int64(0))
    assert more.settings.dataset == "custom" and len(more.x_all) == 102
    assert more.train[1].dtype.kind == "i" and list(more.train[1][-2:]) == [1, 0]
    assert np.array_equal(more.train[0][-2:], [[0.5, 0.5], [0.25, 0.75]])
    assert len(data.x_all) == 100  # a value: the old data are as they were


@pytest.mark.parametrize(("point", "words"), [
    ((0.5, 0.5, 3), "class must be a whole number from 0 to 2"),
    ((0.5, 0.5, -1), "class must be a whole number from 0 to 2"),
    ((0.5, 0.5, 0.5), "class must be a whole number from 0 to 2"),
    ((0.5, 0.5, True), "class must be a number"),
    ((0.5, 0.5, "1"), "class must be a number"),
    ((float("nan"), 0.5, 1), "within ±1e\\+06"),
    ((0.5, float("inf"), 1), "within ±1e\\+06"),
    ((2 * MAX_COORDINATE, 0.5, 1), "within ±1e\\+06"),
    ((HUGE, 0.5, 1), "within ±1e\\+06"),
    (("left", 0.5, 1), "must be numbers"),
])
def test_a_bad_point_is_refused(point, words):
    with pytest.raises(ValueError, match=words):
        check_point(*point, classes=3)
    data = LabData.make(DataSettings(n_points=100))  # two classes: a third may be added
    with pytest.raises(ValueError, match=words):
        data.with_point(*point)


def test_the_point_nearest_a_click_is_removed_if_it_is_near_enough():
    data = LabData.make(DataSettings(n_points=100))
    target = data.test[0][3]
    fewer = data.without_point_near(*(target + 0.001))
    assert len(fewer.x_all) == 99 and not np.any(np.all(fewer.x_all == target, axis=1))
    assert len(fewer.test[0]) == 49 and fewer.settings.dataset == "custom"
    with pytest.raises(ValueError, match="no point near"):
        data.without_point_near(5.0, 5.0)
    with pytest.raises(ValueError, match="no point near"):
        data.without_point_near(*(target + 0.001), within=1e-6)


def test_the_last_training_point_cannot_be_removed_nor_the_fourth_last_point():
    x = np.random.default_rng(0).uniform(size=(8, 2))
    data = LabData.make(DataSettings(dataset="custom"), Points.of(x, [0, 1] * 4, 0.5, 0))
    train, test = data.train[0], data.test[0]
    for point in train[:3]:
        data = data.without_point_near(*point, within=1e-9)
    with pytest.raises(ValueError, match="the last training point cannot be removed"):
        data.without_point_near(*train[3], within=1e-9)
    data = data.without_point_near(*test[0], within=1e-9)
    assert len(data.train[0]) == 1 and len(data.test[0]) == 3
    with pytest.raises(ValueError, match="the lab keeps 4 points at least"):
        data.without_point_near(*test[1], within=1e-9)


def test_the_last_test_point_cannot_be_removed():
    x = np.array([[0.1, 0.1], [0.9, 0.9], [0.1, 0.9], [0.9, 0.1], [0.5, 0.5], [0.3, 0.7]])
    data = LabData.make(DataSettings(dataset="custom", test_fraction=0.05),
                        Points.of(x, [0, 1, 0, 1, 1, 0], 0.05, 0))
    assert len(data.test[0]) == 1
    with pytest.raises(ValueError, match="the last test point cannot be removed"):
        data.without_point_near(*data.test[0][0])


def test_own_points_of_generated_data_are_its_training_then_its_test_points():
    data = LabData.make(DataSettings(n_points=20))
    points = data.own_points()
    assert np.array_equal(points.x, data.x_all)
    assert points.test.sum() == 10 and not points.test[:10].any()


def test_new_data_on_ones_own_points_says_it_splits_them_anew():
    lab = Lab()
    lab.add_point(0.1, 0.2, 1)
    x = lab.state.data.x_all.copy()
    lab.widget.run("set_data", {"seed": 5})
    assert "Your own points stay: seed 5 splits them anew" in lab.widget.message["text"]
    np.testing.assert_array_equal(np.sort(lab.state.data.x_all, axis=0), np.sort(x, axis=0))


# -- more classes, and regression ------------------------------------------------------------
@pytest.mark.parametrize(("dataset", "classes", "task", "outputs"), [
    ("xor", 3, "classification", 2),  # (the setting is for blobs and spirals)
    ("blobs", 3, "classification", 3), ("spirals", 4, "classification", 4),
    ("blobs", 8, "classification", 8),
    ("reg-plane", 3, "regression", 1), ("reg-gauss", 3, "regression", 1),
])
def test_each_data_set_says_what_it_is_for_and_what_the_network_must_give(
        dataset, classes, task, outputs):
    data = LabData.make(DataSettings(dataset, noise=0.1, n_points=400, classes=classes))
    assert (data.task, data.outputs) == (task, outputs)
    labels = np.concatenate([data.train[1], data.test[1]])
    if task == "regression":
        assert labels.shape == (400, 1) and data.classes is None
        assert data.target_range == pytest.approx(np.abs(labels).max())
        assert f"{outputs} output, the value it predicts" == data.needs()
    else:
        assert labels.shape == (400,) and set(np.unique(labels)) == set(range(outputs))
        assert data.needs() == f"{outputs} outputs, one per class"


def test_the_number_of_classes_is_a_setting_from_2_to_8():
    assert DataSettings(classes=4.0).checked().classes == 4
    for bad in (1, 9, 2.5, True, "3", float("nan")):
        with pytest.raises(ValueError, match="the number of classes must be a whole number"):
            DataSettings(classes=bad).checked()


def test_points_of_more_classes_and_a_new_class_added_by_a_point():
    x, labels = square(12)
    points = Points.of(x, np.arange(12) % 3, 0.5, 0)
    assert points.classes == 3
    assert Points.of(x, labels, 0.5, 0, classes=5).classes == 5  # (none of 2, 3, 4 yet)
    data = LabData.make(DataSettings("blobs", n_points=60))  # 3 classes
    more = data.with_point(0.1, 0.1, 3)  # a fourth class
    assert more.classes == 4 and more.outputs == 4 and more.settings.dataset == "custom"
    with pytest.raises(ValueError, match="class must be a whole number from 0 to 4"):
        more.with_point(0.1, 0.1, 5)
    fewer = more.without_point_near(0.1, 0.1)  # its last point: the class stays
    assert fewer.classes == 4


def test_own_targets_make_a_regression_and_points_added_to_it_have_targets():
    x, _ = square(10)
    data = LabData.make(DataSettings("custom"), Points.of(x, x[:, :1] - 0.5, 0.5, 0))
    assert data.task == "regression" and data.outputs == 1
    more = data.with_point(0.5, 0.5, 2.5)
    assert more.train[1].shape[1] == 1 and more.target_range == 2.5
    reg = LabData.make(DataSettings("reg-plane", n_points=50))
    assert reg.with_point(0.0, 0.0, -0.25).task == "regression"
    for bad in (float("nan"), 1e7, "1"):
        with pytest.raises(ValueError, match="target must be"):
            reg.with_point(0.0, 0.0, bad)


def test_a_generated_data_sets_own_points_keep_its_classes_or_targets():
    for dataset in ("spirals", "reg-gauss"):
        data = LabData.make(DataSettings(dataset, n_points=90, classes=4))
        own = data.own_points()
        assert own.classes == data.classes and own.labels.ndim == data.train[1].ndim


@pytest.mark.parametrize("features", [("x1", "x2"), ("x1", "x2", "x1^2", "sin(x1)")])
def test_a_constant_feature_is_centred_not_blown_up(features):
    # (a CSV whose x1 is all equal: its standard deviation is 0, or a rounding error)
    x2 = np.linspace(-1, 1, 40)
    csv = "x1,x2,label\n" + "".join(f"0.3,{v:.6f},{int(v > 0)}\n" for v in x2)
    lab = Lab()
    lab.load_csv(csv)
    lab.set_features(features)
    data = lab.state.data
    assert np.all(data.std > 0)
    grid, _extent = plane(data.x_all, 16)
    seen = data.network_input(grid, features)
    assert np.isfinite(seen).all() and np.abs(seen).max() < 100
    assert np.abs(data.network_input(np.array([[1.0, 0.5]]), features)).max() < 100
    assert np.allclose(data.network_sets(features)[0][0][:, 0], 0)
    lab.add_point(1.0, 0.5, 1)  # (a click beside the line: no input of a trillion)
    lab.step(200)
    assert np.isfinite(lab.history.step_loss).all() and lab.history.step_loss[-1] < 0.3
