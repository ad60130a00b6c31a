"""Input features: what a network sees of a point of the plane, TensorFlow Playground's way.

>>> x, labels = ln.spiral(500, 0.1, rng=0)                    # points (500, 2)
>>> inputs = ln.input_features(x, ["x1", "x2", "sin(x1)", "sin(x2)"])   # (500, 4)
>>> net = ln.Sequential(ln.Linear(4, 8), ln.Tanh(), ln.Linear(8, 2))

Playground offers seven features of a point ``(X₁, X₂)`` (``src/playground.ts``, ``INPUTS``):
``X₁``, ``X₂``, ``X₁²``, ``X₂²``, ``X₁X₂``, ``sin X₁``, ``sin X₂``, in its own units, where the
data lie in about ±5 (its plane is ±6). labnet's data sets are Playground's scaled by 1/5 (``X =
5x``), so each feature here is Playground's, computed on ``X = 5x``, then scaled back by the
same factor as the data: ``x₁`` (``X₁ / 5``), ``x₁²`` and ``x₁x₂`` (``X₁² / 25``, ``X₁X₂ /
25``), and ``sin 5x₁`` (``sin X₁``, already within ±1). The polynomials are then the plain
``x₁²``, ``x₁x₂`` of labnet's points, and a sine makes the same 1.6 waves across the data as
Playground's: ``sin x₁`` of labnet's units would be almost a straight line over [-1, 1].

Features are computed from the points as they are (a data set's own units), before any
standardisation. The columns come in the order the names are given; ``FEATURES`` lists them in
Playground's order, which is the order to keep when features are toggled on and off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from labnet.errors import InputError, ShapeError, as_real_array, short_repr

Array = np.ndarray

PLAYGROUND_SCALE = 5.0
"""Playground's units per unit of labnet's data: its ``X`` is ``5x``."""

FEATURES: dict[str, Callable[[Array], Array]] = {
    "x1": lambda x: x[:, 0],
    "x2": lambda x: x[:, 1],
    "x1^2": lambda x: x[:, 0] * x[:, 0],
    "x2^2": lambda x: x[:, 1] * x[:, 1],
    "x1*x2": lambda x: x[:, 0] * x[:, 1],
    "sin(x1)": lambda x: np.sin(PLAYGROUND_SCALE * x[:, 0]),
    "sin(x2)": lambda x: np.sin(PLAYGROUND_SCALE * x[:, 1]),
}
"""Each feature by name: ``(n, 2)`` points → ``(n,)`` values. In Playground's order."""

FEATURE_LABELS: dict[str, str] = {
    "x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
    "sin(x1)": "sin x₁", "sin(x2)": "sin x₂",
}
"""How to show each feature (as Playground labels them)."""

FEATURE_FORMULAS: dict[str, str] = {
    "x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
    "sin(x1)": "sin(5·x₁)", "sin(x2)": "sin(5·x₂)",
}
"""What each feature computes, in labnet's units."""

PLAIN = ("x1", "x2")
"""The features that are the point itself: a network without features sees these."""


def check_features(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` as a tuple of feature names (of ``FEATURES``), or an ``InputError`` saying
    what is wrong: not a list of names, an unknown name, a name twice, no name at all."""
    if isinstance(names, str | bytes) or not isinstance(names, Iterable):
        raise InputError(f"features must be a list of names such as ['x1', 'x2'], got "
                         f"{short_repr(names)}")
    names = tuple(names)
    if not names:
        raise InputError(f"features: give at least one of {', '.join(FEATURES)}")
    for name in names:
        if not isinstance(name, str) or name not in FEATURES:
            raise InputError(f"unknown feature {short_repr(name)}; choose among "
                             f"{', '.join(FEATURES)}")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InputError(f"features: {', '.join(twice)} given twice")
    return names


def input_features(x: Array, names: Iterable[str]) -> Array:
    """The features ``names`` of the points ``x`` ``(n, 2)``: an ``(n, len(names))`` float
    array, one column per name, in the order given (``input_features(x, PLAIN)`` is ``x``)."""
    names = check_features(names)
    x = as_real_array(x, "features: the points")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ShapeError(f"features are made from points of the plane, shape (n, 2); got "
                         f"{x.shape}")
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return np.column_stack([FEATURES[name](x) for name in names]).astype(x.dtype, copy=False)
