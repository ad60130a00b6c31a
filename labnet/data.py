"""Two-dimensional data sets for classification, and helpers to split and encode them.

Every data set is a function ``(n, noise, rng) -> (x, labels)``: ``x`` is ``(n, 2)`` float64,
``labels`` is ``(n,)`` int with values 0 and 1. ``noise`` is the standard deviation of a Gaussian
jitter added to every coordinate after labelling, in units of the data's half-width (so 0.1 blurs
the border between the classes by a tenth of the plane). ``rng`` is a
``numpy.random.Generator`` or a seed; nothing here touches NumPy's global random state.

``disk`` is the seed report's data, in [0, 1]²; the others are TensorFlow Playground's (``circle``,
``xor``, ``gauss``, ``spiral``) and scikit-learn's two ``moons``, in about [-1, 1]².
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from labnet.errors import InputError, ShapeError

Array = np.ndarray
Rng = np.random.Generator | int | None

DISK_RADIUS = 1.0 / math.sqrt(2.0 * math.pi)
"""Radius of the seed's disk: its area is 1/2, so the two classes are balanced."""


def _jitter(x: Array, noise: float, half_width: float, rng: np.random.Generator) -> Array:
    if noise < 0:
        raise InputError(f"noise must be >= 0, got {noise}")
    if noise == 0:
        return x
    return x + rng.normal(0.0, noise * half_width, size=x.shape)


def _check_n(n: int) -> int:
    if int(n) != n or n < 1:
        raise InputError(f"the number of points must be a positive integer, got {n!r}")
    return int(n)


def disk(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """The seed's data: uniform in [0, 1]², label 1 inside the disk of radius 1/√(2π) around
    (0.5, 0.5), else 0."""
    n, rng = _check_n(n), np.random.default_rng(rng)
    x = rng.uniform(0.0, 1.0, size=(n, 2))
    labels = (np.sum((x - 0.5) ** 2, axis=1) < DISK_RADIUS**2).astype(np.intp)
    return _jitter(x, noise, 0.5, rng), labels


def circle(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """A disk of class 1 (radius < 0.5) inside a ring of class 0 (radius 0.7 to 1)."""
    n, rng = _check_n(n), np.random.default_rng(rng)
    labels = (np.arange(n) < n // 2).astype(np.intp)
    radius = np.where(labels == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _jitter(x, noise, 1.0, rng), labels


def xor(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """Uniform in [-1, 1]²; class 1 where x₁·x₂ > 0 (two opposite quadrants)."""
    n, rng = _check_n(n), np.random.default_rng(rng)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    x += np.where(x > 0, 0.06, -0.06)  # a margin along the axes, as in TensorFlow Playground
    labels = (x[:, 0] * x[:, 1] > 0).astype(np.intp)
    return _jitter(x, noise, 1.0, rng), labels


def gauss(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """Two Gaussian blobs: class 1 around (0.4, 0.4), class 0 around (-0.4, -0.4).

    Here ``noise`` widens the blobs (standard deviation 0.15 + noise) instead of jittering."""
    n, rng = _check_n(n), np.random.default_rng(rng)
    if noise < 0:
        raise InputError(f"noise must be >= 0, got {noise}")
    labels = (np.arange(n) < n // 2).astype(np.intp)
    centres = np.where(labels[:, None] == 1, 0.4, -0.4)
    x = centres + rng.normal(0.0, 0.15 + noise, size=(n, 2))
    return x, labels


def spiral(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """Two interleaved spirals, 1.75 turns each, class 1 and class 0 half a turn apart."""
    n, rng = _check_n(n), np.random.default_rng(rng)
    labels = (np.arange(n) < n // 2).astype(np.intp)
    # position along its spiral, 0 at the centre to 1 at the end
    half = n // 2
    along = np.concatenate([np.arange(half) / max(half, 1), np.arange(n - half) / (n - half)])
    angle = 1.75 * 2.0 * math.pi * along + np.where(labels == 1, 0.0, math.pi)
    x = np.column_stack([along * np.sin(angle), along * np.cos(angle)])
    return _jitter(x, noise, 1.0, rng), labels


def moons(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """Two interleaving half circles (scikit-learn's moons), centred and scaled into [-1, 1]²."""
    n, rng = _check_n(n), np.random.default_rng(rng)
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
    """Return ``(x, labels)`` as float64 ``(n, d)`` and int ``(n,)`` arrays, or raise."""
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    if x.ndim != 2:
        raise ShapeError(f"x must have shape (n, features), got {x.shape}")
    if labels.shape != (x.shape[0],):
        raise ShapeError(f"labels must have shape ({x.shape[0]},) to match x of shape "
                         f"{x.shape}, got {labels.shape}")
    if not np.isfinite(x).all():
        row = int(np.argwhere(~np.isfinite(x))[0, 0])
        raise InputError(f"x contains NaN or infinity (first in row {row}: {x[row]})")
    labels = _integer_labels(labels)
    if labels.size and labels.min() < 0:
        raise InputError(f"labels must be >= 0, got {labels.min()}")
    return x, labels


def _integer_labels(labels: Array) -> Array:
    """``labels`` as an int array; floats are accepted if they hold whole numbers."""
    whole = labels.dtype.kind in "iub" or (
        labels.dtype.kind == "f" and np.all(np.isfinite(labels))
        and np.all(labels == np.round(labels))
    )
    if labels.size and not whole:
        raise InputError(f"labels must be integers, got {labels.dtype} values such as "
                         f"{labels.ravel()[0]!r}")
    return labels.astype(np.intp, copy=False)


def extent(x: Array, margin: float = 0.1) -> tuple[float, float, float, float]:
    """``(x₁ min, x₁ max, x₂ min, x₂ max)`` of the points, widened by ``margin`` of their span."""
    low, high = x[:, :2].min(axis=0), x[:, :2].max(axis=0)
    pad = margin * np.maximum(high - low, 1e-9)
    return (float(low[0] - pad[0]), float(high[0] + pad[0]),
            float(low[1] - pad[1]), float(high[1] + pad[1]))
