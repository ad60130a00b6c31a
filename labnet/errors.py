"""The errors a user of labnet can cause.

Every one is a ``ValueError``, so ``except ValueError`` catches them all, and every message names
the node, edge, key or shape at fault. They are raised before anything changes.
"""

from __future__ import annotations


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
