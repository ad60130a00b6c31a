"""The learning-rate schedule (``ln.LRSchedule``): warm-up, then decay to zero."""

import math

import numpy as np
import pytest
from traintools import Recorder, make_trainer

import labnet as ln


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_lr_schedule_lowers_the_rate_to_zero(kind):
    recorder = Recorder()
    schedule = ln.LRSchedule(2, kind=kind)
    trainer = make_trainer(lr=0.2, callbacks=[schedule, recorder])
    trainer.fit(2)
    rates = [event[2] for event in recorder.events if event[0] == "step"]
    progress = np.arange(1, 11) / 10
    factor = 1 - progress if kind == "linear" else (1 + np.cos(math.pi * progress)) / 2
    np.testing.assert_allclose(rates, 0.2 * factor, atol=1e-15)
    assert trainer.lr == 0.0
