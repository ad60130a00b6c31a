"""Checks for exercises in lesson notebooks: each says, in a student's words, what is missing or
wrong, or prints a ✓ line when the exercise is solved.

>>> check_backward(MyLinear(3, 2, rng=0), exercise="Exercise 1")   # a backward you wrote
>>> check_prediction(my_guess, walk.grads[0], exercise="Exercise 3", what="dL/dx")
>>> check_order_of_magnitude(my_ratio, measured_ratio, exercise="Exercise 4", what="...")

An exercise that is not solved raises ``NotSolvedYet``, so its cell stops with that message (the
cells after it do not depend on it); IPython shows the message alone, without a traceback. Shapes
that do not fit (NumPy's ``ValueError`` in the student's ``backward``) are said in the same way,
with the shapes expected; any other error in the student's own code goes up as it is. Answers
are never printed by a check that fails: the notebook reveals them in its next cell.
"""

from __future__ import annotations

import math
import traceback

import numpy as np

from labnet.gradcheck import gradcheck
from labnet.modules import Module

Array = np.ndarray


class NotSolvedYet(AssertionError):  # noqa: N818 (read by students: it says what it means)
    """An exercise's check failed: the message says what is missing or wrong."""

    def _render_traceback_(self) -> list[str]:
        """How IPython shows it: the message alone, in red; no traceback through this module
        (the student's cell is what to change)."""
        return [f"\x1b[1;31m✗ {self}\x1b[0m"]


def _not_solved(exercise: str, text: str) -> NotSolvedYet:
    return NotSolvedYet(f"{exercise} is not solved yet: {text}")


def check_backward(module: Module, x: Array | None = None, *, exercise: str,
                   tolerance: float = 1e-6) -> None:
    """Check ``module.backward`` (and the gradients of its parameters) against finite
    differences (``labnet.gradcheck``) on ``x`` (default: 4 random rows); print a ✓ line, or
    raise ``NotSolvedYet`` saying what is wrong."""
    name = f"{type(module).__name__}.backward"
    if x is None:
        width = getattr(module, "in_features", None) or 3
        x = np.random.default_rng(0).normal(size=(4, width))
    x = np.asarray(x, dtype=np.float64)
    probe = module.forward(x.copy())
    buffers = {key: grad for key, (_, grad) in module.named_params().items()}
    try:
        grad_in = module.backward(np.ones_like(probe))
    except NotImplementedError as error:
        said = f" ({error})" if str(error) else ""
        raise _not_solved(exercise, f"{name} is not written yet{said}: put your code in place "
                                    f"of its raise NotImplementedError") from None
    except ValueError as error:  # NumPy: shapes that do not fit
        raise _not_solved(exercise, f"{name} fails{_where(error)}: {error}. "
                                    f"{_shapes_expected(module, x, probe)}") from None
    # (any other exception is the student's code failing: it goes up as it is, with its
    # traceback pointing at the line to fix)
    if grad_in is None:
        raise _not_solved(exercise, f"{name} returns None: it must return dL/dx, an array of "
                                    f"the shape of x, {x.shape}")
    params = module.named_params()
    if np.shape(grad_in) != x.shape:
        raise _not_solved(exercise, f"{name} returns an array of shape {np.shape(grad_in)}: "
                                    f"dL/dx must have the shape of x, {x.shape}. "
                                    f"{_shapes_expected(module, x, probe)}")
    wrong = [f"{_symbol(key)} of shape {np.shape(grad)}"
             for key, (value, grad) in params.items() if np.shape(grad) != value.shape]
    if wrong:
        raise _not_solved(exercise, f"{name} sets {' and '.join(wrong)}. "
                                    f"{_shapes_expected(module, x, probe)}")
    for key, buffer in buffers.items():
        if params[key][1] is not buffer:
            attribute = f"self.grad_{key}"
            raise _not_solved(exercise, f"{name} makes {attribute} a new array "
                                        f"({attribute} = ...): an optimizer holds the array it "
                                        f"had, and would never see this gradient. Write into it: "
                                        f"{attribute}[...] = ...")
    report = gradcheck(module, x, tolerance=tolerance)
    if not report.ok:
        wrong = [(f"dL/d{'x' if key == 'input 0' else f'({key})'}", error)
                 for key, error in report.errors.items() if error > tolerance]
        listing = "; ".join(f"{what} is off by {error:.2g}" for what, error in wrong)
        raise _not_solved(exercise, f"{name} disagrees with finite differences: {listing} "
                                    f"(tolerance {tolerance:g}). Check it against the "
                                    f"formulas above, one line at a time")
    print(f"✓ {exercise}: {name} agrees with finite differences "
          f"(largest error {report.max_error:.1e})")


def _symbol(key: str) -> str:
    """How the lesson writes the gradient of a parameter: dL/dW, dL/db, dL/d(gamma)."""
    return {"weight": "dL/dW", "bias": "dL/db"}.get(key, f"dL/d({key})")


def _shapes_expected(module: Module, x: Array, probe: Array) -> str:
    """The shapes a backward must give, in words."""
    wanted = [f"{_symbol(key)} the shape of {key}, {value.shape}"
              for key, (value, _) in module.named_params().items()]
    wanted.append(f"dL/dx the shape of x, {x.shape}")
    wanted[0] = wanted[0].replace(" the shape", " must have the shape", 1)  # (the verb once)
    listing = ", ".join(wanted[:-1]) + (", and " if len(wanted) > 1 else "") + wanted[-1]
    return (f"With x of shape {x.shape} and dL/dy of shape {probe.shape}, "
            f"{listing}: check each product's shapes")


def _where(error: BaseException) -> str:
    """`` at `line`` ``: the line of the student's backward that failed, if it is known."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.name == "backward" and frame.line]
    return f" at `{frames[-1].line}`" if frames else ""


def check_prediction(guess, answer: Array, *, exercise: str, what: str,
                     tolerance: float = 1e-6, hint: str = "") -> None:
    """Compare a predicted number (or array) with ``answer``; print a ✓ line, or raise
    ``NotSolvedYet`` without giving the answer away (``hint`` is added to the message)."""
    hint = f" Hint: {hint}" if hint else ""
    if guess is Ellipsis or guess is None:
        raise _not_solved(exercise, f"write your prediction of {what} in place of the ... "
                                    f"({np.size(answer)} number(s))")
    try:
        guess = np.asarray(guess, dtype=np.float64)
    except (TypeError, ValueError):
        raise _not_solved(exercise, f"your prediction of {what} must be numbers, got "
                                    f"{guess!r}") from None
    answer = np.asarray(answer, dtype=np.float64)
    if guess.size != answer.size:
        raise _not_solved(exercise, f"{what} has {answer.size} number(s) (shape "
                                    f"{answer.shape}); your prediction has {guess.size}")
    if not np.allclose(guess.reshape(answer.shape), answer, rtol=tolerance, atol=tolerance):
        raise _not_solved(exercise, f"your prediction {guess.tolist()} is not {what} yet: "
                                    f"compute it again, one step of the chain at a time.{hint}")
    print(f"✓ {exercise}: right, {what} = {answer.tolist()}")


def check_order_of_magnitude(guess, answer: float, *, exercise: str, what: str) -> None:
    """Accept ``guess`` if it is within a factor of 10 of ``answer`` (both positive); print a
    ✓ line with the answer, or raise ``NotSolvedYet`` saying whether to guess higher or lower."""
    if guess is Ellipsis or guess is None:
        raise _not_solved(exercise, f"write your prediction of {what} in place of the ... "
                                    f"(a positive number such as 10, 1000 or 1e6)")
    if isinstance(guess, bool) or not isinstance(guess, int | float | np.number) or not (
            math.isfinite(guess) and guess > 0):
        raise _not_solved(exercise, f"your prediction of {what} must be a positive number, "
                                    f"got {guess!r}")
    off = math.log10(guess) - math.log10(answer)
    if abs(off) > 1:
        direction = "smaller" if off > 0 else "larger"
        raise _not_solved(exercise, f"{what} is more than ten times {direction} than "
                                    f"{guess:g}: think again about what each layer multiplies "
                                    f"the gradient by")
    print(f"✓ {exercise}: right order of magnitude: {what} = {answer:.3g} (you said {guess:g})")
