"""Check a backward pass against finite differences.

>>> report = gradcheck(Linear(3, 4, rng=0), np.random.default_rng(1).normal(size=(5, 3)))
>>> report.ok, report.max_error
(True, 3.1e-10)

For a module or a network, the scalar checked is ``L = Σ output · R`` with a fixed random ``R``,
so ``dL/d(output) = R``: every output element counts. For a loss (``target=`` given), it is the
loss itself. Each input and each parameter is nudged, entry by entry, by ``±eps`` in float64, and
the central difference ``(L(+eps) - L(-eps)) / 2 eps`` is compared with what ``backward`` gave.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass
class GradcheckReport:
    """The largest error found for each checked array (by name), and whether all are in bounds.

    The error of an entry is ``|analytic - numeric| / max(1, |analytic|, |numeric|)``: absolute
    for small gradients, relative for large ones.
    """

    errors: dict[str, float] = field(default_factory=dict)
    tolerance: float = 1e-6

    @property
    def max_error(self) -> float:
        return max(self.errors.values(), default=0.0)

    @property
    def ok(self) -> bool:
        return self.max_error <= self.tolerance

    def __str__(self) -> str:
        lines = [f"{name:>16}: {error:.2e}" for name, error in self.errors.items()]
        verdict = "ok" if self.ok else f"FAILED (tolerance {self.tolerance:.0e})"
        return "\n".join([*lines, f"gradcheck {verdict}: max error {self.max_error:.2e}"])


def gradcheck(model, *inputs: Array, target: Array | None = None, eps: float = 1e-6,
              tolerance: float = 1e-6, rng: np.random.Generator | int | None = 0
              ) -> GradcheckReport:
    """Compare ``model.backward`` with central differences; return a ``GradcheckReport``.

    ``model`` is a Module (with one input or several), a Network (one input), or a loss (give
    ``target``: the loss of ``inputs[0]`` is checked). Inputs are converted to float64 copies;
    the model's parameters are nudged in place and put back exactly.
    """
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    rng = np.random.default_rng(rng)

    if target is not None:
        def scalar() -> float:
            return model.forward(inputs[0], target)

        scalar()
        grads_in = [model.backward()]
    else:
        projection = rng.normal(size=np.shape(model.forward(*inputs)))

        def scalar() -> float:
            return float(np.sum(model.forward(*inputs) * projection))

        scalar()
        grads_in = model.backward(projection)
        if not isinstance(grads_in, tuple):
            grads_in = (grads_in,)
    named_params = model.named_params() if hasattr(model, "named_params") else {}
    # copy the analytic gradients: the nudged forward passes below must not change them
    analytic = {f"input {i}": np.array(g) for i, g in enumerate(grads_in)}
    analytic.update({name: grad.copy() for name, (_, grad) in named_params.items()})
    values = {f"input {i}": x for i, x in enumerate(inputs)}
    values.update({name: value for name, (value, _) in named_params.items()})

    report = GradcheckReport(tolerance=tolerance)
    for name, value in values.items():
        numeric = _central_differences(scalar, value, eps)
        denominator = np.maximum(1.0, np.maximum(np.abs(analytic[name]), np.abs(numeric)))
        report.errors[name] = float(np.max(np.abs(analytic[name] - numeric) / denominator,
                                           initial=0.0))
    return report


def _central_differences(scalar, value: Array, eps: float) -> Array:
    """dL/d(value) by central differences, nudging ``value`` in place one entry at a time."""
    numeric = np.zeros(value.shape)
    flat, out = value.reshape(-1), numeric.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = scalar()
        flat[i] = original - eps
        minus = scalar()
        flat[i] = original
        out[i] = (plus - minus) / (2.0 * eps)
    return numeric
