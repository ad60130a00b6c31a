"""Two-dimensional data sets for regression: TensorFlow Playground's two.

Each is a function ``(n, noise, rng) -> (x, targets)``, like the data sets of ``labnet.data``,
with one difference: ``targets`` is ``(n, 1)`` float64, the value the network's one output
should give at each point (a column per output, as ``MSELoss`` compares them), not ``(n,)``
class labels. A ``Trainer`` given such targets does regression: the loss is the measure (MSE;
cross-entropy compares classes, and is refused), and the history's error rates are NaN (a
share of misclassified points means nothing here).

``reg-plane`` and ``reg-gauss`` are Playground's ``regressPlane`` and ``regressGaussian``
(``src/dataset.ts``), formula by formula, in labnet's units: Playground's ``X`` is ``5x``, as
for the classification sets, so its square of ±6 is ±1.2 here (the classification sets' ±5 is
±1). Targets keep Playground's values (about ±1). ``noise`` is Playground's: the points stay,
and each target is taken where a copy of the point, moved by uniform(-1.2, 1.2) · noise in each
coordinate (its uniform(-6, 6) · noise), falls. Draws: ``rng.random((n, 4))``, one row per
point in the order of Playground's ``Math.random()`` calls (x₁, x₂, x₁-offset, x₂-offset), the
same at every noise: one seed gives the same points at every noise, only the targets change.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from labnet.data import Rng, rand_uniform, start_drawing

Array = np.ndarray

HALF_WIDTH = 6.0 / 5.0
"""The points are uniform in ±1.2 (Playground's ±6)."""

GAUSS_CENTRES = np.array([[-4.0, 2.5], [0.0, 2.5], [4.0, 2.5],
                          [-4.0, -2.5], [0.0, -2.5], [4.0, -2.5]]) / 5.0
"""``reg-gauss``'s six bumps, in labnet's units (Playground's centres / 5)."""
GAUSS_SIGNS = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
"""Each bump's sign: +1 a hill, -1 a hollow."""
GAUSS_RADIUS = 2.0 / 5.0
"""A bump's value falls linearly from ±1 at its centre to 0 at this distance (Playground's 2)."""


def _points_and_moved(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """The points, uniform in ±``HALF_WIDTH``, and the moved copies their targets are taken
    from (Playground's ``x + noiseX``, ``y + noiseY``)."""
    u = rng.random((n, 4))
    x = rand_uniform(u[:, :2], -HALF_WIDTH, HALF_WIDTH)
    return x, x + rand_uniform(u[:, 2:], -HALF_WIDTH, HALF_WIDTH) * noise


def reg_plane(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """Playground's plane: the target rises linearly across the plane, ``(x₁ + x₂) / 2`` (its
    ``(X₁ + X₂) / 10``), from -1.2 to 1.2 at the corners, 0 on the diagonal x₁ = -x₂.

    ``noise`` takes each target at a moved copy of the point (see the module's docstring): the
    target then differs from ``(x₁ + x₂) / 2`` by up to 1.2 · noise, with standard deviation
    0.49 · noise (the mean of two uniform offsets)."""
    n, noise, rng = start_drawing(n, noise, rng)
    x, moved = _points_and_moved(n, noise, rng)
    return x, ((moved[:, 0] + moved[:, 1]) / 2.0)[:, None]


def reg_gauss(n: int = 1000, noise: float = 0.0, rng: Rng = None) -> tuple[Array, Array]:
    """Playground's Gaussian: six bumps in two rows (centres at x₁ = -0.8, 0, 0.8 and
    x₂ = ±0.5), hills (+1) and hollows (-1) alternating like a chessboard, each falling
    linearly to 0 at distance 0.4 from its centre (a cone, not a Gaussian, despite its name);
    the target is the value of the bump whose value is largest in size (the first of equals),
    0 outside them.

    ``noise`` takes each target at a moved copy of the point (see the module's docstring)."""
    n, noise, rng = start_drawing(n, noise, rng)
    x, moved = _points_and_moved(n, noise, rng)
    distances = np.hypot(moved[:, None, 0] - GAUSS_CENTRES[:, 0],
                         moved[:, None, 1] - GAUSS_CENTRES[:, 1])  # (n, 6)
    values = GAUSS_SIGNS * np.clip(1.0 - distances / GAUSS_RADIUS, 0.0, 1.0)
    largest = np.argmax(np.abs(values), axis=1)  # the first of equals, as Playground's loop
    return x, values[np.arange(n), largest][:, None]


REGRESSION_DATASETS: dict[str, Callable[..., tuple[Array, Array]]] = {
    "reg-plane": reg_plane, "reg-gauss": reg_gauss,
}
"""The regression data sets by Playground's names: ``REGRESSION_DATASETS["reg-gauss"](n, noise,
rng)`` gives ``(x, targets)``, targets ``(n, 1)``."""
