"""Two-dimensional data sets for classification, and helpers to split and encode them.

Every data set is a function ``(n, noise, rng) -> (x, labels)``: ``x`` is ``(n, 2)`` float64,
``labels`` is ``(n,)`` int with values 0 and 1. ``rng`` is a ``numpy.random.Generator`` or a
seed; nothing here touches NumPy's global random state. ``noise`` is a number >= 0 (NaN,
infinity and negative values are refused before anything is drawn).

``disk`` is the seed report's data, in [0, 1]². ``circle``, ``xor``, ``gauss`` and ``spiral``
are TensorFlow Playground's (``src/dataset.ts``), formula by formula, scaled from its ±5 to ±1
(its label 1 is class 1, its -1 class 0), with its meaning of ``noise``, 0 to 0.5 on its slider
(the formulas go on past 0.5): circle and xor keep their points and blur their labels, gauss
widens its blobs, spiral moves its points. ``moons`` is scikit-learn's; ``disk`` and ``moons``
move their points by Gaussian jitter. Each function's docstring says what its noise does, and
the share of points whose label then disagrees with the clean rule (measured on 200,000 points;
20,000 for the spiral).

Each of Playground's four draws from ``rng`` in the order its own code calls ``Math.random()``,
point by point, its class-1 points first, and always the same number of draws whatever the
noise: the same seed gives the same points at every noise (circle and xor: only labels change).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from labnet.errors import (
    InputError,
    ShapeError,
    as_real_array,
    check_positive_int,
    short_repr,
)

Array = np.ndarray
Rng = np.random.Generator | int | None

MAX_POINTS = 10**6
"""The most points a data set function makes (16 MB of coordinates): more is refused before
anything is drawn."""

DISK_RADIUS = 1.0 / math.sqrt(2.0 * math.pi)
"""Radius of the seed's disk: its area is 1/2, so the two classes are balanced."""


def _check_noise(noise: float) -> float:
    """``noise`` as a float, or an ``InputError`` naming it (negative, NaN, infinite, not a
    number). Called before any draw, so a refused call leaves ``rng`` as it was."""
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise InputError(f"noise must be a number >= 0, got {noise!r}") from None
    if not value >= 0:  # also NaN, for which every comparison is False
        raise InputError(f"noise must be >= 0, got {value}")
    if not math.isfinite(value):
        raise InputError(f"noise must be finite, got {value}")
    return value


def _check_n(n: int) -> int:
    """``n`` as an int from 1 to ``MAX_POINTS``, or an ``InputError`` (before anything is
    drawn or allocated)."""
    n = check_positive_int(n, "the number of points")
    if n > MAX_POINTS:
        raise InputError(f"the number of points must be at most {MAX_POINTS:,}, got {n:,}")
    return n


def start_drawing(n: int, noise: float, rng: Rng) -> tuple[int, float, np.random.Generator]:
    """The arguments every data set function checks, in one place, before anything is drawn:
    ``n`` (1 to ``MAX_POINTS``), ``noise`` (a finite number >= 0) and ``rng`` (a Generator or a
    seed, made a Generator)."""
    return _check_n(n), _check_noise(noise), np.random.default_rng(rng)


def _jitter(x: Array, noise: float, half_width: float, rng: np.random.Generator) -> Array:
    """``x`` moved by Gaussian jitter of standard deviation ``noise · half_width``."""
    if noise == 0:
        return x
    return x + rng.normal(0.0, noise * half_width, size=x.shape)


def rand_uniform(u: Array, low: float, high: float) -> Array:
    """TensorFlow Playground's ``randUniform(a, b) = Math.random() * (b - a) + a``, from draws
    ``u`` of ``rng.random()``."""
    return u * (high - low) + low


# -- the seed's data ------------------------------------------------------------------------------
def disk(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """The seed's data: uniform in [0, 1]², label 1 inside the disk of radius 1/√(2π) around
    (0.5, 0.5), else 0.

    ``noise`` moves every point, after labelling, by Gaussian jitter of standard deviation
    ``noise / 2`` (``noise`` in units of the half-width 0.5 of the square)."""
    n, noise, rng = start_drawing(n, noise, rng)
    x = rng.uniform(0.0, 1.0, size=(n, 2))
    labels = (np.sum((x - 0.5) ** 2, axis=1) < DISK_RADIUS**2).astype(np.intp)
    return _jitter(x, noise, 0.5, rng), labels


# -- TensorFlow Playground's four -----------------------------------------------------------------
def circle(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """TensorFlow Playground's circle: a disk of class 1 inside a ring of class 0.

    Half the points (the first ``n - n // 2``) are drawn in the disk of radius 0.5, half in the
    ring from 0.7 to 1, uniform in radius and angle. The points never move; ``noise`` blurs the
    labels: each point is labelled by where a copy of it, moved by uniform(-1, 1) · noise in each
    coordinate, falls (inside radius 0.5: class 1).

    Draws: ``rng.random((n, 4))``, one row per point: radius, angle, x-offset, y-offset (the
    order of Playground's ``Math.random()`` calls). Labels that disagree with the point's own
    side of radius 0.5: none at noise 0, 2.6 % at 0.1, 7.8 % at 0.25, 24.7 % at 0.5.
    """
    n, noise, rng = start_drawing(n, noise, rng)
    u = rng.random((n, 4))
    inside = np.arange(n) < n - n // 2  # Playground's first loop: the class-1 disk
    radius = np.where(inside, rand_uniform(u[:, 0], 0.0, 0.5), rand_uniform(u[:, 0], 0.7, 1.0))
    angle = rand_uniform(u[:, 1], 0.0, 2.0 * math.pi)
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    moved = x + rand_uniform(u[:, 2:], -1.0, 1.0) * noise  # the copy the label is taken from
    labels = (np.hypot(moved[:, 0], moved[:, 1]) < 0.5).astype(np.intp)
    return x, labels


def xor(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """TensorFlow Playground's xor: class 1 in two opposite quadrants (x₁·x₂ ≥ 0).

    Uniform in [-1, 1]², each coordinate pushed 0.06 away from its axis (a margin between the
    quadrants). The points never move; ``noise`` blurs the labels: each point is labelled by the
    quadrant of a copy of it moved by uniform(-1, 1) · noise in each coordinate.

    Draws: ``rng.random((n, 4))``, one row per point: x₁, x₂, x₁-offset, x₂-offset. Labels that
    disagree with the point's own quadrant: none at noise 0, 0.8 % at 0.1, 7.0 % at 0.25,
    17.5 % at 0.5.
    """
    n, noise, rng = start_drawing(n, noise, rng)
    u = rng.random((n, 4))
    x = rand_uniform(u[:, :2], -1.0, 1.0)
    x += np.where(x > 0, 0.06, -0.06)  # Playground's padding, 0.3 of its ±5
    moved = x + rand_uniform(u[:, 2:], -1.0, 1.0) * noise
    labels = (moved[:, 0] * moved[:, 1] >= 0).astype(np.intp)
    return x, labels


def gauss_std(noise: float) -> float:
    """The standard deviation of each ``gauss`` blob, per coordinate: Playground's variance
    0.5 + 7 · noise in its ±5 units (0.5 at noise 0, 4 at noise 0.5), here √(0.5 + 7·noise) / 5."""
    return math.sqrt(0.5 + 7.0 * _check_noise(noise)) / 5.0


def gauss(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """TensorFlow Playground's gauss: two Gaussian blobs, class 1 around (0.4, 0.4), class 0
    around (-0.4, -0.4).

    ``noise`` widens both blobs: the standard deviation per coordinate is ``gauss_std(noise)``,
    0.141 at noise 0, 0.219 at 0.1, 0.3 at 0.25, 0.4 at 0.5. Class 1 is the first ``n - n // 2``
    points.

    Draws: ``rng.standard_normal((n, 2))``, one row per point: x₁, x₂. Points on the other
    side of the line x₁ + x₂ = 0 than their blob's centre: 0.003 % at noise 0, 0.5 % at 0.1,
    2.9 % at 0.25, 7.8 % at 0.5.
    """
    n, noise, rng = start_drawing(n, noise, rng)
    z = rng.standard_normal((n, 2))
    labels = (np.arange(n) < n - n // 2).astype(np.intp)
    centres = np.where(labels[:, None] == 1, 0.4, -0.4)
    return centres + gauss_std(noise) * z, labels


def spiral(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """TensorFlow Playground's spiral: two arms of 1.75 turns from the centre, class 1 and
    class 0 half a turn apart.

    Point ``i`` of an arm sits at radius ``r = i / (n / 2)`` and angle ``t = 1.75 · 2π · r``
    (plus π for class 0), at ``(r sin t, r cos t)``. Class 1 is the first ``n - n // 2`` points.
    ``noise`` moves each point by uniform(-1, 1) · noise / 5 in each coordinate (Playground
    moves it by uniform(-1, 1) · noise in its ±5 units); labels stay. Noise 0.5 moves a point
    at most 0.1 per coordinate, while the arms are about 0.29 apart.

    Draws: ``rng.random((n, 2))``, one row per point: x₁-offset, x₂-offset. Points nearer the
    other arm than their own: none at noise 0, 0.5 % at 0.1, 1.3 % at 0.25, 3.2 % at 0.5
    (near the centre, where the arms are close).
    """
    n, noise, rng = start_drawing(n, noise, rng)
    u = rng.random((n, 2))
    first = n - n // 2
    labels = (np.arange(n) < first).astype(np.intp)
    index = np.concatenate([np.arange(first), np.arange(n - first)])
    radius = index / (n / 2)
    angle = 1.75 * 2.0 * math.pi * radius + np.where(labels == 1, 0.0, math.pi)
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return x + rand_uniform(u, -1.0, 1.0) * (noise / 5.0), labels


# -- and scikit-learn's moons ---------------------------------------------------------------------
def moons(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """Two interleaving half circles (scikit-learn's moons), centred and scaled into [-1, 1]².

    ``noise`` moves every point, after labelling, by Gaussian jitter of standard deviation
    ``noise`` per coordinate."""
    n, noise, rng = start_drawing(n, noise, rng)
    labels = (np.arange(n) >= n // 2).astype(np.intp)  # class 0: the upper moon
    angle = rng.uniform(0.0, math.pi, n)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    x = np.where(labels[:, None] == 0, upper, lower)
    x = (x - [0.5, 0.25]) * 0.6
    return _jitter(x, noise, 1.0, rng), labels


def one_hot(labels: Array, n_classes: int, dtype=np.float64) -> Array:
    """``(batch,)`` integer labels → ``(batch, n_classes)`` rows of zeros with a 1 at the label."""
    labels = check_labels(labels, n_classes)
    encoded = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    encoded[np.arange(labels.shape[0]), labels] = 1.0
    return encoded


def check_labels(labels: Array, n_classes: int) -> Array:
    """Return ``labels`` as an int array, or raise if they are not class indices below n_classes."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ShapeError(f"labels must have shape (batch,), got {labels.shape}")
    labels = _integer_labels(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)][0]
        raise InputError(f"label {bad} is out of range: the output has {n_classes} classes "
                         f"(labels 0 to {n_classes - 1})")
    return labels


DATASETS: dict[str, Callable[..., tuple[Array, Array]]] = {
    "disk": disk, "circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons,
}
"""The data sets by name: ``DATASETS["xor"](n, noise, rng)``."""


class Split(NamedTuple):
    x_train: Array
    labels_train: Array
    x_test: Array
    labels_test: Array


def train_test_split(x: Array, labels: Array, test_fraction: float = 0.5,
                     rng: Rng = None) -> Split:
    """Shuffle with ``rng`` and split: the last ``test_fraction`` of the points are the test set."""
    x, labels = check_data(x, labels)
    if not 0.0 < test_fraction < 1.0:
        raise InputError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    n_test = round(len(x) * test_fraction)
    if not 0 < n_test < len(x):
        raise InputError(f"cannot split {len(x)} points with test_fraction={test_fraction}: "
                         f"one side would be empty")
    order = np.random.default_rng(rng).permutation(len(x))
    train, test = order[: len(x) - n_test], order[len(x) - n_test:]
    return Split(x[train], labels[train], x[test], labels[test])


def check_data(x: Array, labels: Array) -> tuple[Array, Array]:
    """Return ``(x, labels)`` as a float64 ``(n, d)`` array and either int ``(n,)`` class
    labels (>= 0) or, for regression, float64 ``(n, k)`` targets (``check_targets``), or
    raise."""
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    if x.ndim != 2:
        raise ShapeError(f"x must have shape (n, features), got {x.shape}")
    if labels.ndim == 2 and labels.shape[0] == x.shape[0]:
        _check_finite(x, "x")
        return x, check_targets(labels)
    if labels.shape != (x.shape[0],):
        raise ShapeError(f"labels must have shape ({x.shape[0]},) to match x of shape "
                         f"{x.shape}, got {labels.shape} (or, for regression, targets of "
                         f"shape ({x.shape[0]}, outputs))")
    _check_finite(x, "x")
    labels = _integer_labels(labels)
    if labels.size and labels.min() < 0:
        raise InputError(f"labels must be >= 0, got {labels.min()}")
    return x, labels


def check_targets(targets: Array) -> Array:
    """Regression targets: a float64 ``(n, k)`` array of finite real numbers (one column per
    output of the network), or an ``InputError``/``ShapeError``."""
    targets = as_real_array(targets, "targets", np.float64)
    if targets.ndim != 2:
        raise ShapeError(f"targets must have shape (n, outputs), got {targets.shape}")
    _check_finite(targets, "targets")
    return targets


def _check_finite(values: Array, name: str) -> None:
    if not np.isfinite(values).all():
        row = int(np.argwhere(~np.isfinite(values))[0, 0])
        raise InputError(f"{name} contains NaN or infinity (first in row {row}: {values[row]})")


def _integer_labels(labels: Array) -> Array:
    """``labels`` as an int array; floats are accepted if they hold whole numbers."""
    whole = labels.dtype.kind in "iub" or (
        labels.dtype.kind == "f" and np.all(np.isfinite(labels))
        and np.all(labels == np.round(labels))
    )
    if labels.size and not whole:
        flat = labels.ravel()
        bad = flat[~np.isin(flat, np.round(flat))] if labels.dtype.kind == "f" else flat
        example = (bad if bad.size else flat)[0]
        example = example.item() if isinstance(example, np.generic) else example
        hint = (" (for regression, give targets of shape (n, 1): labels[:, None])"
                if labels.dtype.kind == "f" else "")
        raise InputError(f"labels must be integers, got {labels.dtype} values such as "
                         f"{short_repr(example)}{hint}")
    return labels.astype(np.intp, copy=False)


def extent(x: Array, margin: float = 0.1) -> tuple[float, float, float, float]:
    """``(x₁ min, x₁ max, x₂ min, x₂ max)`` of the points, widened by ``margin`` of their span."""
    low, high = x[:, :2].min(axis=0), x[:, :2].max(axis=0)
    pad = margin * np.maximum(high - low, 1e-9)
    return (float(low[0] - pad[0]), float(high[0] + pad[0]),
            float(low[1] - pad[1]), float(high[1] + pad[1]))
