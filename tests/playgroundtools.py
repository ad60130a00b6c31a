"""TensorFlow Playground's random helpers (``src/dataset.ts``), ported for the tests that check
labnet's data sets against Playground's generators draw for draw (``test_data``,
``test_regression``): ``Math.random()`` becomes ``rng.random()``, one call at a time."""

from __future__ import annotations

import math


def rand_uniform(rng, a, b):
    """``randUniform(a, b)``: ``Math.random() * (b - a) + a``."""
    return rng.random() * (b - a) + a


def dist(ax, ay, bx, by):
    """``dist(a, b)``: the Euclidean distance."""
    dx, dy = ax - bx, ay - by
    return math.sqrt(dx * dx + dy * dy)
