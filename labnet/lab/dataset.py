"""The lab's data: the settings it is made from, and the training and test points made from them.

``DataSettings`` and ``LabData`` are values. A change of settings is checked whole, then the data
is made from the new settings; either step can refuse, and then nothing has changed. The user's
own points (clicked on the plane, or given as arrays) are ``Points``, split once into training
and test points.

Data are of one of two tasks. Classification: each point has a class, 0 to ``classes - 1``
(two for ``labnet.DATASETS``, 2 to ``MAX_CLASSES`` for ``labnet.MULTICLASS_DATASETS`` and one's
own points), and the network has an output per class. Regression (``labnet.REGRESSION_DATASETS``,
or one's own points given with targets ``(n, 1)``): each point has a target value, and the
network has one output, its prediction. ``LabData.outputs`` is what the network's output must
give.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from labnet.data import DATASETS, check_data, check_labels, train_test_split
from labnet.errors import InputError, short_repr
from labnet.features import PLAIN, input_features
from labnet.lab.settings import check_setting_names
from labnet.multiclass import MAX_CLASSES, MULTICLASS_DATASETS
from labnet.regression import REGRESSION_DATASETS

CLASSIFICATION, REGRESSION = "classification", "regression"
CUSTOM = "custom"
"""The data set's name when the data are the user's own points."""
MAX_POINTS = 100_000
MIN_POINTS = 4
MAX_NOISE = 0.5
TEST_FRACTIONS = (0.05, 0.95)
"""The test fraction is between these."""
MAX_SEED = 2**32 - 1
MAX_COORDINATE = 1e6
"""Points lie within ±this (beyond, the standardisation and the plane's grid overflow)."""
MAX_TARGET = 1e6
"""Regression targets lie within ±this."""
GENERATED = {**DATASETS, **MULTICLASS_DATASETS, **REGRESSION_DATASETS}
"""Every data set the lab makes, by name: two classes, more classes, regression."""


CONSTANT = 1e-9
"""A feature whose standard deviation is below this (relative to its size, at least 1) is
constant (a CSV whose x₁ is all equal): it is centred, not divided by a rounding error."""


def scale_of(values: np.ndarray) -> np.ndarray:
    """What standardising divides each column of ``values`` by: its standard deviation, or 1
    for a constant column (as scikit-learn's StandardScaler does; dividing by ~0 made the points
    beside it, the plane's grid or a click, inputs of a trillion)."""
    std = values.std(axis=0)
    size = np.maximum(np.abs(values).max(axis=0, initial=0.0), 1.0)
    return np.where(std < CONSTANT * size, 1.0, std)


def task_of(dataset: str) -> str:
    """What the data set ``dataset`` (not ``"custom"``) is for: classification or regression."""
    return REGRESSION if dataset in REGRESSION_DATASETS else CLASSIFICATION


def _number(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{name} must be a number, got {short_repr(value)}")
    if not low <= value <= high:  # (NaN compares False; a huge int too big for a float fails)
        raise InputError(f"{name} must be between {low:g} and {high:g}, got {short_repr(value)}")
    return float(value)


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{name} must be a whole number, got {short_repr(value)}")
    if not (low <= value <= high and value == int(value)):  # (range first: NaN, inf, huge)
        raise InputError(f"{name} must be a whole number from {low} to {high}, got "
                         f"{short_repr(value)}")
    return int(value)


@dataclass(frozen=True)
class DataSettings:
    """What the data are made from."""

    dataset: str = "disk"
    noise: float = 0.0
    """From 0 to 0.5: what it does depends on the data set (``labnet.data``)."""
    n_points: int = 2000
    test_fraction: float = 0.5
    seed: int = 0
    standardize: bool = True
    """The network sees ``(x - mean) / std`` of the training points, not the raw coordinates."""
    classes: int = 3
    """The number of classes of the data sets of more than two (``blobs``, ``spirals``)."""

    def checked(self) -> DataSettings:
        """These settings with every value checked (and made of the right type)."""
        if self.dataset != CUSTOM and (not isinstance(self.dataset, str)
                                       or self.dataset not in GENERATED):
            raise InputError(f"unknown data set {short_repr(self.dataset)}; choose one of "
                             f"{', '.join(GENERATED)}")
        if not isinstance(self.standardize, bool | np.bool_):
            raise InputError(f"standardize must be True or False, got "
                             f"{short_repr(self.standardize)}")
        settings = replace(
            self, noise=_number("noise", self.noise, 0.0, MAX_NOISE),
            n_points=_whole("the number of points", self.n_points, MIN_POINTS, MAX_POINTS),
            test_fraction=_number("the test fraction", self.test_fraction, *TEST_FRACTIONS),
            seed=_whole("the seed", self.seed, 0, MAX_SEED),
            standardize=bool(self.standardize),
            classes=_whole("the number of classes", self.classes, 2, MAX_CLASSES))
        n_test = round(settings.n_points * settings.test_fraction)
        if settings.dataset != CUSTOM and not 0 < n_test < settings.n_points:
            raise InputError(f"{settings.n_points} points with a test fraction of "
                             f"{settings.test_fraction:g} leave no test point or no training "
                             f"point")
        return settings

    def changed(self, **changes) -> DataSettings:
        """Checked settings with ``changes`` (names of the fields; ``None`` leaves a value)."""
        check_setting_names(self, changes, "data")
        return replace(self, **{k: v for k, v in changes.items() if v is not None}).checked()


@dataclass(frozen=True)
class Points:
    """The user's own points: ``x`` ``(n, 2)``; ``labels``, classes ``(n,)`` (0 to ``classes -
    1``) or, for regression, targets ``(n, 1)``; ``test``, which are test points."""

    x: np.ndarray
    labels: np.ndarray
    test: np.ndarray
    classes: int | None = 2
    """How many classes the points are of (some may have no point left); None: targets."""

    @classmethod
    def of(cls, x, labels, test_fraction: float, seed: int, classes: int | None = None
           ) -> Points:
        """Checked points, a ``test_fraction`` of them drawn (with ``seed``) as test points
        (one at least, and one training point at least). ``classes``: how many classes
        (default: the largest label's and those below it, two at least)."""
        x, labels = check_data(x, labels)
        if x.shape[1] != 2:
            raise InputError(f"the lab shows data in a plane: x must have 2 columns, got "
                             f"{x.shape[1]}")
        if not MIN_POINTS <= len(x) <= MAX_POINTS:
            raise InputError(f"the lab takes {MIN_POINTS} to {MAX_POINTS} points, got {len(x)}")
        if np.abs(x).max() > MAX_COORDINATE:
            row = int(np.argmax(np.abs(x).max(axis=1)))
            raise InputError(f"the lab's points lie within ±{MAX_COORDINATE:g}; point {row} is "
                             f"at ({x[row, 0]:g}, {x[row, 1]:g})")
        if labels.ndim == 2:
            labels, classes = _checked_targets(labels), None
        else:
            if labels.size and labels.max() >= MAX_CLASSES:
                raise InputError(f"label {labels.max()} is out of range: the lab takes "
                                 f"{MAX_CLASSES} classes at most (labels 0 to {MAX_CLASSES - 1})")
            if classes is None:
                classes = max(2, int(labels.max()) + 1) if labels.size else 2
            classes = _whole("the number of classes", classes, 2, MAX_CLASSES)
            labels = check_labels(labels, classes)
        test = np.zeros(len(x), dtype=bool)
        n_test = min(max(round(len(x) * test_fraction), 1), len(x) - 1)
        test[np.random.default_rng(seed).permutation(len(x))[:n_test]] = True
        return cls(x.copy(), labels.copy(), test, classes)

    def with_point(self, x1: float, x2: float, label: float) -> Points:
        if len(self.x) >= MAX_POINTS:
            raise InputError(f"the lab takes at most {MAX_POINTS} points")
        if self.classes is None:
            labels = np.vstack([self.labels, [[label]]])
        else:
            labels = np.append(self.labels, int(label))
        classes = None if self.classes is None else max(self.classes, int(label) + 1)
        return Points(np.vstack([self.x, [[x1, x2]]]), labels, np.append(self.test, False),
                      classes)

    def without(self, index: int) -> Points:
        keep = np.arange(len(self.x)) != index
        if len(self.x) <= MIN_POINTS:  # (a lab of fewer could not be opened again)
            raise InputError(f"the lab keeps {MIN_POINTS} points at least")
        if (~self.test[keep]).sum() < 1:
            raise InputError("the last training point cannot be removed")
        if not self.test[keep].any():  # the history's test errors would stop, out of step
            raise InputError("the last test point cannot be removed (the lab measures the test "
                             "error on the test points)")
        return Points(self.x[keep], self.labels[keep], self.test[keep], self.classes)


def _checked_targets(targets: np.ndarray) -> np.ndarray:
    """Regression targets as the lab takes them: one column, each within ±``MAX_TARGET``."""
    if targets.shape[1] != 1:
        raise InputError(f"the lab's regression has one target a point: targets must have 1 "
                         f"column, got {targets.shape[1]}")
    if np.abs(targets).max(initial=0.0) > MAX_TARGET:
        row = int(np.argmax(np.abs(targets[:, 0])))
        raise InputError(f"the lab's targets lie within ±{MAX_TARGET:g}; point {row}'s is "
                         f"{targets[row, 0]:g}")
    return targets


def check_point(x1, x2, label, classes: int | None = MAX_CLASSES) -> tuple[float, float, float]:
    """A point the user adds: finite coordinates, and a class from 0 to ``classes - 1`` (or,
    ``classes`` None, a regression target, a finite number)."""
    if isinstance(label, bool) or not isinstance(label, int | float | np.integer | np.floating):
        raise InputError(f"a point's {'target' if classes is None else 'class'} must be a "
                         f"number, got {short_repr(label)}")
    if classes is None:
        if not abs(label) <= MAX_TARGET:  # (NaN compares False)
            raise InputError(f"a point's target must be a number within ±{MAX_TARGET:g}, got "
                             f"{label!r}")
        label = float(label)
    elif not (0 <= label < classes and label == int(label)):
        raise InputError(f"a point's class must be a whole number from 0 to {classes - 1}, got "
                         f"{label!r}")
    else:
        label = int(label)
    try:
        x1, x2 = float(x1), float(x2)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"a point's coordinates must be numbers within ±{MAX_COORDINATE:g}, "
                         f"got ({str(x1)[:40]}, {str(x2)[:40]})") from None
    if not (abs(x1) <= MAX_COORDINATE and abs(x2) <= MAX_COORDINATE):  # (NaN compares False)
        raise InputError(f"a point must have coordinates within ±{MAX_COORDINATE:g}, got "
                         f"({x1}, {x2})")
    return x1, x2, label


@dataclass(frozen=True)
class LabData:
    """The points the lab trains on and tests with, made from ``settings`` (or ``points``)."""

    settings: DataSettings
    train: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    points: Points | None = None
    """The user's own points: the data if the data set is ``"custom"``, else kept for when it
    is again (a student who tries another data set does not lose the points clicked). A click
    on another data set's plane makes new points of your own from it: the kept ones go."""

    @classmethod
    def make(cls, settings: DataSettings, points: Points | None = None) -> LabData:
        settings = settings.checked()
        if settings.dataset == CUSTOM:
            if points is None:
                raise InputError("the data set 'custom' needs points of your own: click on the "
                                 "plane, or give Lab(data=(x, labels))")
            train = (points.x[~points.test], points.labels[~points.test])
            test = (points.x[points.test], points.labels[points.test])
            return cls(settings, train, test, points)
        rng = np.random.default_rng(settings.seed)
        make = GENERATED[settings.dataset]
        if settings.dataset in MULTICLASS_DATASETS:
            x, labels = make(settings.n_points, settings.noise, rng, classes=settings.classes)
        else:
            x, labels = make(settings.n_points, settings.noise, rng)
        split = train_test_split(x, labels, settings.test_fraction, rng)
        return cls(settings, (split.x_train, split.labels_train),
                   (split.x_test, split.labels_test), points)

    # -- changes ----------------------------------------------------------------------------------
    def changed(self, **changes) -> LabData:
        """New data from changed settings. The user's points stay when another data set is
        chosen, for ``dataset="custom"`` again; a new seed or test fraction splits them anew."""
        settings = self.settings.changed(**changes)
        points = self.points
        if points is not None and (changes.get("seed") is not None
                                   or changes.get("test_fraction") is not None):
            points = Points.of(points.x, points.labels, settings.test_fraction, settings.seed,
                               points.classes)
        return LabData.make(settings, points)

    # -- what the data are for ----------------------------------------------------------------
    @property
    def task(self) -> str:
        """``"classification"`` (labels) or ``"regression"`` (targets)."""
        return REGRESSION if self.train[1].ndim == 2 else CLASSIFICATION

    @property
    def classes(self) -> int | None:
        """The number of classes (None for regression)."""
        if self.task == REGRESSION:
            return None
        if self.settings.dataset == CUSTOM:
            return self.points.classes
        return self.settings.classes if self.settings.dataset in MULTICLASS_DATASETS else 2

    @property
    def outputs(self) -> int:
        """What the network's output must give: a value per class, or the one target."""
        classes = self.classes
        return 1 if classes is None else classes

    def needs(self) -> str:
        """What the network's output must be, in words: "2 outputs, one per class"."""
        if self.task == REGRESSION:
            return "1 output, the value it predicts"
        return f"{self.outputs} outputs, one per class"

    @property
    def target_range(self) -> float:
        """Regression: the largest target in size (at least 1e-9), the colour scale's end."""
        cached = self.__dict__.get("_target_range")
        if cached is None:
            targets = np.concatenate([self.train[1].ravel(), self.test[1].ravel()])
            cached = max(float(np.abs(targets).max(initial=0.0)), 1e-9)
            object.__setattr__(self, "_target_range", cached)  # a value: computed once
        return cached

    # -- one's own points ---------------------------------------------------------------------
    def own_points(self) -> Points:
        """The points as they are now, as the user's own (to add to or remove from)."""
        if self.points is not None and self.settings.dataset == CUSTOM:
            return self.points
        (x_train, labels_train), (x_test, labels_test) = self.train, self.test
        return Points(np.concatenate([x_train, x_test]),
                      np.concatenate([labels_train, labels_test]),
                      np.arange(len(x_train) + len(x_test)) >= len(x_train), self.classes)

    def with_point(self, x1, x2, label) -> LabData:
        """The data with a training point at ``(x1, x2)``: of class ``label`` (a new class at
        most one more than there are, up to ``MAX_CLASSES``), or, for regression, of target
        ``label``."""
        classes = self.classes
        x1, x2, label = check_point(x1, x2, label,
                                    None if classes is None else min(classes + 1, MAX_CLASSES))
        return LabData.make(replace(self.settings, dataset=CUSTOM),
                            self.own_points().with_point(x1, x2, label))

    def without_point_near(self, x1: float, x2: float, within: float | None = None) -> LabData:
        """The data without the point (training or test) nearest to ``(x1, x2)``, if it is
        closer than ``within`` (default: 3 % of the width of the points)."""
        x1, x2, _ = check_point(x1, x2, 0)
        points = self.own_points()
        distance = np.hypot(points.x[:, 0] - x1, points.x[:, 1] - x2)
        nearest = int(np.argmin(distance))
        if within is None:
            within = 0.03 * float(np.ptp(points.x[:, 0]) or 1.0)
        within = _number("within", within, 0.0, 1e300)
        if distance[nearest] > within:
            raise InputError(f"there is no point near ({x1:.3g}, {x2:.3g}) to remove")
        return LabData.make(replace(self.settings, dataset=CUSTOM), points.without(nearest))

    # -- what the network sees --------------------------------------------------------------------
    @property
    def mean(self) -> np.ndarray:
        return self.train[0].mean(axis=0)

    @property
    def std(self) -> np.ndarray:
        return scale_of(self.train[0])

    def network_input(self, x: np.ndarray, features: tuple[str, ...] = PLAIN) -> np.ndarray:
        """Points ``x`` of the plane as the network sees them: their ``features``
        (``labnet.input_features``, computed from the points as they are), standardised with
        the mean and the standard deviation of the training points' features, if the settings
        say so."""
        values = x if tuple(features) == PLAIN else input_features(x, features)
        if not self.settings.standardize:
            return values
        mean, std = self._standardisation(tuple(features))
        return (values - mean) / std

    def standardisation(self, features: tuple[str, ...] = PLAIN
                        ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(mean, std)`` the network's inputs (with ``features``) are standardised with, or
        None if the settings say not to standardise."""
        return self._standardisation(tuple(features)) if self.settings.standardize else None

    def _standardisation(self, features: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """The mean and standard deviation of the training points' ``features`` (a value:
        computed once for each list of features)."""
        cache = self.__dict__.setdefault("_mean_std", {})
        if features not in cache:
            values = self.train[0] if features == PLAIN else input_features(self.train[0],
                                                                            features)
            cache[features] = (values.mean(axis=0), scale_of(values))
        return cache[features]

    def network_sets(self, features: tuple[str, ...] = PLAIN
                     ) -> tuple[tuple[np.ndarray, np.ndarray],
                                tuple[np.ndarray, np.ndarray] | None]:
        """The training set and the test set (``None`` if there is no test point) as the
        network sees them (with the input's ``features``)."""
        (x_train, labels_train), (x_test, labels_test) = self.train, self.test
        test = (self.network_input(x_test, features), labels_test) if len(x_test) else None
        return (self.network_input(x_train, features), labels_train), test

    @property
    def x_all(self) -> np.ndarray:
        return np.concatenate([self.train[0], self.test[0]])
