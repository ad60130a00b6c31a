"""The errors a user of labnet can cause, and the checks that raise them.

Every error is a ``ValueError``, so ``except ValueError`` catches them all, and every message names
the node, edge, key or shape at fault. They are raised before anything changes.

The checks of a value that many places take (a learning rate, a positive integer, a finite
number, an array of real numbers) live here once, so they mean the same everywhere.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


class LabnetError(ValueError):
    """Base class of labnet's errors: a mistake in what the user gave us."""


class GraphError(LabnetError):
    """The ``operators`` / ``connectivity`` dictionaries do not describe a valid network."""


class ShapeError(LabnetError):
    """An array does not have the shape (or width) a node, loss or edge expects."""


class InputError(LabnetError):
    """Bad values: NaN in the data, labels out of range, a negative learning rate..."""


class DivergedError(LabnetError):
    """Training produced a loss that is not finite; the step was not applied."""


def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters: for messages about values that may be
    huge (a string of a megabyte read from a file)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 5]}...{text[-2:]}"


def _is_real(value: object) -> bool:
    """A real number: an int or a float, NumPy's included; not a bool, a string or an array."""
    if type(value) is float or type(value) is int:  # the common case, first: a step checks its lr
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _as_float(value: numbers.Real) -> float:
    """``float(value)``; an int too large for a float (10**400) is infinite, as it is to us."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def check_positive_int(value: object, name: str) -> int:
    """``value`` as an ``int``, or an ``InputError`` saying ``name`` must be a positive integer.

    A whole number >= 1, given as an int (NumPy's too) or as a float with nothing after the point
    (``10.0``). Refused: 0 and below, fractions, NaN, infinities, bools (``True`` is not a
    count), strings, ``None``, arrays."""
    if _is_real(value):
        if isinstance(value, numbers.Integral):
            whole = int(value)
        else:
            number = float(value)
            whole = int(number) if math.isfinite(number) and number.is_integer() else 0
        if whole >= 1:
            return whole
    raise InputError(f"{name} must be a positive integer, got {short_repr(value)}")


def check_lr(value: object, name: str = "learning rate") -> float:
    """``value`` as a ``float``, or an ``InputError`` saying what a learning rate must be.

    A learning rate is a finite real number >= 0. Zero is allowed: a step that changes nothing,
    where every decaying schedule ends. Refused: negative rates (they climb the loss), NaN and
    infinities (they destroy the weights), bools, strings, ``None``, complex numbers, arrays."""
    if _is_real(value):
        lr = _as_float(value)
        if math.isfinite(lr) and lr >= 0:
            return lr
    raise InputError(f"{name} must be a finite number >= 0, got {short_repr(value)}")


def check_number(value: object, name: str, *, low: float | None = None,
                 high: float | None = None, low_open: bool = False,
                 high_open: bool = False) -> float:
    """``value`` as a finite ``float`` between ``low`` and ``high`` (each included unless
    ``low_open`` / ``high_open``), or an ``InputError`` naming ``name`` and the range."""
    if _is_real(value):
        number = _as_float(value)
        inside = math.isfinite(number) and (
            low is None or (number > low if low_open else number >= low)) and (
            high is None or (number < high if high_open else number <= high))
        if inside:
            return number
    bounds = []
    if low is not None:
        bounds.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        bounds.append(f"{'<' if high_open else '<='} {high:g}")
    wanted = f"a finite number {' and '.join(bounds)}" if bounds else "a finite number"
    raise InputError(f"{name} must be {wanted}, got {short_repr(value)}")


def as_real_array(value: object, name: str, dtype=None) -> np.ndarray:
    """``value`` as a NumPy array of real numbers (converted to ``dtype`` if given), or an
    ``InputError`` naming ``name``: complex numbers would lose their imaginary part, and strings,
    ``None`` or other objects are not numbers."""
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        array = value
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:  # e.g. ragged lists
            raise InputError(f"{name} must be an array of real numbers: {error}") from None
    if array.dtype.kind == "c":
        raise InputError(f"{name} holds complex numbers ({array.dtype}); labnet works with real "
                         f"numbers: give the real part, or the magnitude, yourself")
    if array.dtype.kind not in "biuf":
        raise InputError(f"{name} must be an array of real numbers, got {array.dtype} values "
                         f"such as {short_repr(array.ravel()[0] if array.size else value)}")
    return array if dtype is None else array.astype(dtype, copy=False)


def check_float_dtype(dtype: object, name: str = "dtype") -> np.dtype:
    """``dtype`` as a NumPy floating-point dtype (``float32``, ``float64``...), or an
    ``InputError``: an integer network would silently truncate its inputs and weights."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.kind != "f":
        raise InputError(f"{name} must be a floating-point type such as 'float64' or "
                         f"'float32', got {short_repr(dtype)}")
    return resolved
