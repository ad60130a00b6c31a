"""Numbers as JSON carries them to the page: JSON has no NaN and no infinity."""

from __future__ import annotations

import math


def json_number(value: float) -> float | None:
    """A number JSON can carry: None for NaN, ±1e308 for ±infinity."""
    value = float(value)
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else math.copysign(1e308, value)
