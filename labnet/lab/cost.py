"""What a forward pass costs, so that the lab's pictures and scores fit in the time they have.

A point through a network costs about as many multiply-adds as the network has weights (a
Linear of ``m`` inputs and ``n`` outputs: ``m·n``). The seed network takes 1,400 a point, the
widest network the lab accepts 17 million: a 100 × 100 picture of its boundary is 170 billion,
seconds of work where the seed's takes a millisecond. ``Speed`` measures how long a
multiply-add takes on this machine as the lab computes, and says how many points fit in a time:
the pictures are made on a grid that fits, the scores in slices that fit, and a frame that still
costs too much is sent less often.
"""

from __future__ import annotations

import math

from labnet.modules import Linear
from labnet.network import Network

FIRST_GUESS = 2e-10
"""Seconds a multiply-add takes, until one is measured (5 billion a second: one core, NumPy)."""


def multiply_adds(network: Network) -> int:
    """Multiply-adds one point costs through ``network`` (its Linears' weights; at least 1)."""
    total = 0
    for module in network.operators.values():
        if isinstance(module, Linear):
            total += module.weight.size
    return max(total, 1)


class Speed:
    """Seconds a multiply-add takes, measured: the mean of the last measurements, weighted by
    their size."""

    def __init__(self) -> None:
        self.per_multiply_add = FIRST_GUESS

    def measured(self, multiply_adds: int, seconds: float) -> None:
        """``multiply_adds`` took ``seconds`` (too small a piece of work says nothing)."""
        if multiply_adds >= 10**6 and seconds > 0:
            self.per_multiply_add = 0.7 * self.per_multiply_add + 0.3 * seconds / multiply_adds

    def seconds(self, points: int, network: Network) -> float:
        """About how long ``points`` points take through ``network``."""
        return points * multiply_adds(network) * self.per_multiply_add

    def points_within(self, seconds: float, network: Network) -> int:
        """About how many points go through ``network`` in ``seconds`` (at least 1)."""
        return max(int(seconds / (multiply_adds(network) * self.per_multiply_add)), 1)

    def side_within(self, seconds: float, network: Network, largest: int, smallest: int) -> int:
        """The side of the largest square grid, from ``smallest`` to ``largest``, whose points go
        through ``network`` in about ``seconds``."""
        return min(largest, max(smallest, math.isqrt(self.points_within(seconds, network))))
