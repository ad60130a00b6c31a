"""One's own data as CSV, from the page or a notebook: a paste or an upload read into the
lab's points, and the lab's points written back (``labnet.csvdata`` does the reading and the
writing: a bad text is refused naming its line and column).

The points read are the lab's own (``"custom"``): a class a point (0 to 7) or, for a
regression, a target; they are split into training and test points by the lab's test part and
seed, as points clicked on the plane are.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from labnet.csvdata import from_csv, to_csv
from labnet.lab.dataset import CUSTOM, LabData, Points


def data_from_csv(data: LabData, text: str | bytes, task: str | None = None) -> LabData:
    """``data`` made of the points in the CSV ``text`` (``task``: ``"classification"``,
    ``"regression"``, or None: the header or the values say)."""
    x, labels = from_csv(text, task=task)
    settings = replace(data.settings, dataset=CUSTOM)
    return LabData.make(settings, Points.of(x, labels, settings.test_fraction, settings.seed))


def data_csv(data: LabData) -> str:
    """The lab's points, training then test points, as CSV text that ``data_from_csv`` reads
    back exactly (a header first)."""
    (x_train, labels_train), (x_test, labels_test) = data.train, data.test
    return to_csv(np.concatenate([x_train, x_test]),
                  np.concatenate([labels_train, labels_test]))


def described(data: LabData) -> str:
    """What the points are, in words: "200 points of 3 classes (100 to train on, 100 to
    test)"."""
    what = "a target each" if data.classes is None else f"{data.classes} classes"
    return (f"{len(data.train[0]) + len(data.test[0]):,} points of {what} "
            f"({len(data.train[0]):,} to train on, {len(data.test[0]):,} to test)")
