"""Two-dimensional data sets of more than two classes.

Each is a function ``(n, noise, rng, classes=3) -> (x, labels)``, like the data sets of
``labnet.data``, with ``classes`` more: ``labels`` run from 0 to ``classes - 1`` (2 to
``MAX_CLASSES`` classes). The classes are as equal in size as ``n`` allows (the first ones take
one point more), class 0's points first. A network for them has one output per class; both
``CrossEntropyLoss`` and ``MSELoss`` (on one-hot rows) train it, and the error rate is the share
of points whose largest output is not their class, as with two.

``blobs`` and ``spirals`` carry TensorFlow Playground's ``gauss`` and ``spiral`` over to ``k``
classes, with their meaning of noise, in labnet's units (about ±1). With two classes they make
the same shapes as ``gauss`` and ``spiral``, with the same labels (their points in another
order).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from labnet.data import Rng, gauss_std, rand_uniform, start_drawing
from labnet.errors import InputError, check_positive_int, short_repr

Array = np.ndarray

MAX_CLASSES = 8
"""The most classes a data set (and a CSV file, ``labnet.csvdata``) may have."""

BLOB_RADIUS = 0.4 * math.sqrt(2.0)
"""The blobs' centres lie on a circle of this radius: ``gauss``'s centres, ±(0.4, 0.4)."""


def check_classes(classes: object) -> int:
    """``classes`` as an int from 2 to ``MAX_CLASSES``, or an ``InputError``."""
    try:
        count = check_positive_int(classes, "classes")
    except InputError:
        count = 0
    if not 2 <= count <= MAX_CLASSES:
        raise InputError(f"classes must be a whole number from 2 to {MAX_CLASSES}, got "
                         f"{short_repr(classes)}")
    return count


def class_labels(n: int, classes: int) -> Array:
    """``(n,)`` labels 0, 0, ..., 1, 1, ...: ``classes`` runs as equal as ``n`` allows, the
    first ones a point longer."""
    sizes = [n // classes + (label < n % classes) for label in range(classes)]
    return np.repeat(np.arange(classes, dtype=np.intp), sizes)


def blobs(n: int = 1000, noise: float = 0.0, rng: Rng = None,
          classes: int = 3) -> tuple[Array, Array]:
    """Gaussian blobs, one per class, their centres evenly spaced on a circle of radius
    0.566 (``BLOB_RADIUS``): class ``j`` at the angle 225° + 360° · j / classes, so class 0
    is at (-0.4, -0.4) and, with two classes, class 1 at (0.4, 0.4), as in ``gauss``.

    ``noise`` widens the blobs as it does ``gauss``'s: the standard deviation per coordinate is
    ``gauss_std(noise)``, 0.141 at noise 0 to 0.4 at 0.5. Neighbouring centres are 0.98 apart
    with 3 classes, 0.8 with 4, 0.43 with 8.

    Draws: ``rng.standard_normal((n, 2))``, one row per point."""
    n, noise, rng = start_drawing(n, noise, rng)
    classes = check_classes(classes)
    z = rng.standard_normal((n, 2))
    labels = class_labels(n, classes)
    angle = math.radians(225.0) + 2.0 * math.pi * labels / classes
    centres = BLOB_RADIUS * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + gauss_std(noise) * z, labels


def spirals(n: int = 1000, noise: float = 0.0, rng: Rng = None,
            classes: int = 3) -> tuple[Array, Array]:
    """Spiral arms, one per class, each of 1.75 turns from the centre, evenly spaced: class
    ``j``'s arm turned by π + 2π · j / classes (so with two classes, class 0 and class 1 are
    ``spiral``'s arms).

    Point ``i`` of an arm sits at radius ``r = i / (n / classes)`` and angle ``t = 1.75 · 2π ·
    r`` plus its arm's turn, at ``(r sin t, r cos t)``. ``noise`` moves each point by
    uniform(-1, 1) · noise / 5 per coordinate, as ``spiral``'s; labels stay. Arms lie 0.57 /
    classes apart along a radius: 0.19 with 3 classes, 0.14 with 4.

    Draws: ``rng.random((n, 2))``, one row per point: x₁-offset, x₂-offset."""
    n, noise, rng = start_drawing(n, noise, rng)
    classes = check_classes(classes)
    u = rng.random((n, 2))
    labels = class_labels(n, classes)
    starts = np.searchsorted(labels, labels)  # where each point's class begins
    radius = (np.arange(n) - starts) / (n / classes)
    angle = 1.75 * 2.0 * math.pi * radius + math.pi + 2.0 * math.pi * labels / classes
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return x + rand_uniform(u, -1.0, 1.0) * (noise / 5.0), labels


MULTICLASS_DATASETS: dict[str, Callable[..., tuple[Array, Array]]] = {
    "blobs": blobs, "spirals": spirals,
}
"""The data sets of more than two classes by name: ``MULTICLASS_DATASETS["blobs"](n, noise,
rng, classes)``."""
