"""Losses, and the error rate.

A loss's ``forward(output, target)`` returns the loss as a float and remembers what ``backward()``
needs; ``backward()`` returns dL/d(output), of the output's shape.

``target`` is either integer class labels, shape ``(batch,)``, or an array of the output's shape
(one-hot rows, or any real targets for MSE).
"""

from __future__ import annotations

import numpy as np

from labnet.data import check_labels, one_hot
from labnet.errors import InputError, ShapeError, as_real_array, short_repr

Array = np.ndarray


def _as_output(loss: object, output: Array) -> Array:
    """The output as a float array of shape ``(batch, width)`` with at least one row."""
    output = as_real_array(output, f"{loss!r}: the output")
    if output.dtype.kind != "f":
        output = output.astype(np.float64)
    if output.ndim != 2 or output.shape[0] == 0:
        raise ShapeError(f"{loss!r} needs an output of shape (batch, width) with at least one "
                         f"row, got {output.shape}")
    return output


def _as_target(output: Array, target: Array) -> Array:
    """The target as an array of the output's shape (integer labels become one-hot rows)."""
    target = as_real_array(target, "the target")
    if target.shape == output.shape:
        return target
    if target.ndim == 1 and output.ndim == 2 and target.shape[0] == output.shape[0]:
        if output.shape[1] == 1:  # one column predicts class 1 where > 0.5: the label is its target
            return check_labels(target, 2)[:, None].astype(output.dtype)
        return one_hot(target, output.shape[1], dtype=output.dtype)
    raise ShapeError(f"target of shape {target.shape} does not fit output of shape "
                     f"{output.shape}: give labels of shape ({output.shape[0]},) or an array "
                     f"of shape {output.shape}")


class MSELoss:
    """Mean squared error, over all elements: ``L = mean((output - target)²)``."""

    diff: Array | None = None  # output - target, from the last forward

    def forward(self, output: Array, target: Array) -> float:
        output = _as_output(self, output)
        self.diff = output - _as_target(output, target)
        return float(np.mean(self.diff * self.diff))

    def backward(self) -> Array:
        if self.diff is None:
            raise InputError("MSELoss: backward needs a forward first")
        return self.diff * (2.0 / self.diff.size)  # dL/d(output) = 2 (output - target) / N

    def __repr__(self) -> str:
        return "MSELoss()"


class CrossEntropyLoss:
    """Softmax, then the negative log-likelihood of the target class, mean over the batch.

    ``L = -mean_i log softmax(z_i)[label_i]``. One-hot (or soft) target rows work too.
    """

    probs: Array | None = None  # softmax of the logits, from the last forward

    def forward(self, logits: Array, target: Array) -> float:
        logits = _as_output(self, logits)
        if logits.shape[1] < 2:
            raise ShapeError(f"CrossEntropyLoss needs logits of shape (batch, classes) with at "
                             f"least 2 classes, got {logits.shape}")
        target = _as_target(logits, target)
        shifted = logits - logits.max(axis=1, keepdims=True)  # the same softmax, no overflow
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.probs = np.exp(log_probs)
        self.target = target
        return float(-np.sum(target * log_probs) / logits.shape[0])

    def backward(self) -> Array:
        if self.probs is None:
            raise InputError("CrossEntropyLoss: backward needs a forward first")
        # dL/dz = (softmax(z) - target) / batch
        return (self.probs - self.target) / self.probs.shape[0]

    def __repr__(self) -> str:
        return "CrossEntropyLoss()"


LOSSES = {"mse": MSELoss, "cross-entropy": CrossEntropyLoss}
"""The losses by name, as the command line and the lab offer them."""


def make_loss(loss, who: str = "Trainer") -> object:
    """A loss object from ``loss``: ``None`` (MSE), a name of ``LOSSES``, or an object with
    ``forward`` and ``backward`` (a loss of one's own); ``who`` (``"Trainer"``, ``"Walk"``)
    names the one asking in the refusals."""
    if loss is None:
        return MSELoss()
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise InputError(f"unknown loss {short_repr(loss)}; choose one of "
                             f"{', '.join(LOSSES)}")
        return LOSSES[loss]()
    if isinstance(loss, type):
        raise InputError(f"{who}: loss must be a loss object, such as {loss.__name__}() (with "
                         f"parentheses), not the class {loss.__name__}")
    if not (callable(getattr(loss, "forward", None)) and callable(getattr(loss, "backward",
                                                                          None))):
        raise InputError(f"{who}: loss must be one of {', '.join(LOSSES)} or a loss object "
                         f"with forward and backward, such as ln.MSELoss(); got "
                         f"{short_repr(loss)}")
    return loss


def predict_labels(output: Array) -> Array:
    """Class labels from an output: the index of the largest column (output > 0.5 if width 1)."""
    output = as_real_array(output, "the output")
    if output.ndim != 2:
        raise ShapeError(f"the output must have shape (batch, width), got {output.shape}")
    if output.ndim == 2 and output.shape[1] == 1:
        return (output[:, 0] > 0.5).astype(np.intp)
    return np.argmax(output, axis=1)


def error_rate(output: Array, labels: Array) -> float:
    """The fraction of rows whose predicted class is not the label."""
    output = as_real_array(output, "the output")
    labels = as_real_array(labels, "the labels")
    if output.ndim != 2 or labels.ndim != 1 or output.shape[0] == 0:
        raise ShapeError(f"error_rate needs an output of shape (batch, width) and labels of "
                         f"shape (batch,), with at least one row; got {output.shape} and "
                         f"{labels.shape}")
    if output.shape[0] != labels.shape[0]:
        raise ShapeError(f"output has {output.shape[0]} rows but there are {labels.shape[0]} "
                         f"labels")
    return float(np.mean(predict_labels(output) != labels))
