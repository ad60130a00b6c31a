"""How the lab trains: ``TrainingSettings``, a value checked whole, and the cap on its rate that
a server sets for every lab (``$LABNET_MAX_STEPS_PER_SECOND``).

The server's cap is what makes students share a server's cores, so it is a ceiling for the
page: the page may lower a lab's cap and set it back, never above the server's, nor lift it
(``check_page_cap``), and a lab file opened from the page keeps within it
(``within_server_cap``). Python (the teacher's notebook, trusted as the kernel is) may set any
cap: ``lab.set_training(max_steps_per_second=math.inf)``."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace

import numpy as np

from labnet.errors import InputError, short_repr
from labnet.losses import LOSSES
from labnet.optim import OPTIMIZERS
from labnet.regularization import KINDS, Regularization

MAX_BATCH = 100_000
MAX_CAP = 1e9
"""The largest cap on steps per second (no lab trains that fast: the same as no cap)."""
NO_REGULARIZATION = "none"
REGULARIZATIONS = (NO_REGULARIZATION, *KINDS)
"""What the regularisation setting may be: none, L1 or L2 (``labnet.regularization``)."""
MAX_REGULARIZATION_RATE = 10.0
"""The largest regularisation rate (TensorFlow Playground's largest)."""
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""The rates the page offers (TensorFlow Playground's); any from 0 to the largest is taken."""
CAP_VARIABLE = "LABNET_MAX_STEPS_PER_SECOND"
"""An environment variable a server sets for every lab: the default cap of training steps/s."""


def check_setting_names(settings, changes: dict, what: str) -> None:
    """An ``InputError`` if ``changes`` names a field the dataclass ``settings`` has not."""
    names = {f.name for f in fields(settings)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise InputError(f"unknown {what} setting(s) {', '.join(unknown)}; the settings are "
                         f"{', '.join(sorted(names))}")


@dataclass(frozen=True)
class TrainingSettings:
    """How the network trains."""

    loss: str = "mse"
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 10
    max_steps_per_second: float | None = None
    """A cap on training steps per second (``None``: as fast as it goes), so that many labs
    playing on one server share it."""
    regularization: str = NO_REGULARIZATION
    """``"none"``, ``"l1"`` or ``"l2"``: a penalty on the weights (not the biases), as in
    TensorFlow Playground; the loss shown stays the data's."""
    regularization_rate: float = 0.001
    """The penalty's rate (kept while the regularisation is off, for when it is on again)."""

    def checked(self) -> TrainingSettings:
        if self.loss not in LOSSES:
            raise InputError(f"unknown loss {short_repr(self.loss)}; choose one of "
                             f"{', '.join(LOSSES)}")
        if self.optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {short_repr(self.optimizer)}; choose one of "
                             f"{', '.join(OPTIMIZERS)}")
        lr, batch, cap = self.lr, self.batch_size, self.max_steps_per_second
        if isinstance(lr, bool) or not isinstance(lr, int | float | np.integer | np.floating) \
                or not 0 < lr <= 100:  # (NaN compares False)
            raise InputError(f"the learning rate must be a number above 0 and at most 100, got "
                             f"{short_repr(lr)}")
        if isinstance(batch, bool) or not isinstance(batch, int | float | np.integer) or not (
                1 <= batch <= MAX_BATCH and batch == int(batch)):
            raise InputError(f"the batch size must be a whole number from 1 to {MAX_BATCH}, got "
                             f"{short_repr(batch)}")
        if cap is not None and (isinstance(cap, bool) or not isinstance(
                cap, int | float | np.integer | np.floating) or not 1 <= cap <= MAX_CAP):
            raise InputError(f"the cap on steps per second must be a number from 1 to "
                             f"{MAX_CAP:g} (or None), got {short_repr(cap)}")
        if self.regularization not in REGULARIZATIONS:
            raise InputError(f"regularization must be one of {', '.join(REGULARIZATIONS)}, got "
                             f"{short_repr(self.regularization)}")
        rate = self.regularization_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float | np.integer | np.floating) \
                or not 0 <= rate <= MAX_REGULARIZATION_RATE:  # (NaN compares False)
            raise InputError(f"the regularisation rate must be a number from 0 to "
                             f"{MAX_REGULARIZATION_RATE:g}, got {short_repr(rate)}")
        return replace(self, lr=float(lr), batch_size=int(batch),
                       max_steps_per_second=None if cap is None else float(cap),
                       regularization_rate=float(rate))

    def regularizer(self) -> Regularization | None:
        """The trainer's regularisation (``None`` when it is off)."""
        if self.regularization == NO_REGULARIZATION:
            return None
        return Regularization(self.regularization, self.regularization_rate)

    def changed(self, **changes) -> TrainingSettings:
        check_setting_names(self, changes, "training")
        kept = {k: v for k, v in changes.items() if v is not None}
        cap = changes.get("max_steps_per_second")
        if isinstance(cap, float) and cap == math.inf:  # an infinite rate: no cap
            kept["max_steps_per_second"] = None
        return replace(self, **kept).checked()


def default_cap() -> float | None:
    """The cap a server sets for every lab in ``$LABNET_MAX_STEPS_PER_SECOND`` (None if unset;
    a value that is not a number from 1 to ``MAX_CAP`` is ignored, so a typo on a server breaks
    no lab)."""
    text = os.environ.get(CAP_VARIABLE, "").strip()
    try:
        cap = float(text)
    except ValueError:
        return None
    return cap if 1 <= cap <= MAX_CAP else None


def check_page_cap(cap) -> None:
    """An ``InputError`` if the page asks for a cap above the server's (``math.inf``: no cap);
    one that is not a number at all is left to ``TrainingSettings.checked`` to refuse."""
    server = default_cap()
    if server is None or isinstance(cap, bool) or not isinstance(cap, int | float):
        return
    if not cap <= server:  # (NaN too)
        asked = "no cap" if cap == math.inf else f"{cap:g}"
        raise InputError(f"this server caps training at {server:g} steps per second, so that "
                         f"its students share its cores: the cap may be lower, or {server:g}, "
                         f"not {asked}")


def within_server_cap(settings: TrainingSettings) -> TrainingSettings:
    """``settings`` with their cap lowered to the server's, if it is above it or there is none
    (a lab file opened from the page)."""
    server, cap = default_cap(), settings.max_steps_per_second
    if server is None or (cap is not None and cap <= server):
        return settings
    return replace(settings, max_steps_per_second=server)
