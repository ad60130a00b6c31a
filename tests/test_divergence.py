"""Divergence: a step whose loss or gradients are not finite raises ``DivergedError`` and changes
nothing; one dot product over all the parameter gradients finds it, whatever the module does
with its gradient arrays; a huge but finite gradient is not divergence."""

import math

import numpy as np
import pytest
from traintools import disk_data, make_trainer

import labnet as ln


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("optimizer", [None, "momentum"])
def test_a_huge_learning_rate_raises_and_leaves_the_parameters_as_before_that_step(optimizer):
    trainer = make_trainer(lr=1e150, optimizer=optimizer)
    for _ in range(50):
        before = trainer.net.state_dict()
        steps, losses = trainer.steps, len(trainer.history.step_loss)
        try:
            trainer.step()
        except ln.DivergedError as error:
            assert f"step {steps + 1}" in str(error)
            break
    else:
        pytest.fail("training with lr=1e150 never diverged")
    for key, value in trainer.net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    assert trainer.steps == steps and len(trainer.history.step_loss) == losses


class Explode(ln.Module):
    """Identity forward, infinite gradient backward."""

    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out * np.inf


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_an_infinite_gradient_raises_naming_the_node_and_changes_nothing():
    x, labels = disk_data()
    net = ln.Sequential(ln.Linear(2, 2, rng=0), Explode())
    trainer = ln.Trainer(net, data=(x, labels), rng=0)
    before = net.state_dict()
    with pytest.raises(ln.DivergedError, match=r"gradient of node\(s\) \[1\] is not finite"):
        trainer.step()
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    assert trainer.steps == 0


def test_finish_step_refuses_a_loss_that_is_not_finite_and_changes_nothing():
    trainer = make_trainer()
    x, labels = trainer.next_batch()
    trainer.loss.forward(trainer.net.forward(x), labels)
    trainer.net.backward(trainer.loss.backward())
    before = trainer.net.state_dict()
    with pytest.raises(ln.DivergedError, match="the loss is nan"):
        trainer.finish_step(math.nan)
    assert trainer.steps == 0 and trainer.history.step_loss == []
    for key, value in trainer.net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


class FreshGradient(ln.Module):
    """A scale with a parameter whose gradient array is a new one at every backward (against
    the contract of live arrays), infinite from the third backward on."""

    def __init__(self):
        self.scale = np.ones(2)
        self.grad_scale = np.zeros(2)
        self.calls = 0

    def named_params(self):
        return {"scale": (self.scale, self.grad_scale)}

    def forward(self, x):
        self.x = x
        return x * self.scale

    def backward(self, grad_out):
        self.calls += 1
        self.grad_scale = (grad_out * self.x).sum(axis=0) * (np.inf if self.calls >= 3 else 1.0)
        return grad_out * self.scale


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_module_that_makes_new_gradient_arrays_is_still_checked():
    x, labels = disk_data()
    net = ln.Sequential(ln.Linear(2, 2, rng=0), FreshGradient())
    trainer = ln.Trainer(net, data=(x, labels), rng=0)
    trainer.step()
    trainer.step()
    before = net.state_dict()
    with pytest.raises(ln.DivergedError, match=r"gradient of node\(s\) \[2\] is not finite"):
        trainer.step()
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


class HugeGradient(ln.Module):
    """Identity forward; backward multiplies the gradient by 1e200: large, finite."""

    def forward(self, x):
        return x

    def backward(self, grad_out):
        return grad_out * 1e200


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_huge_but_finite_gradient_is_not_divergence():
    x, labels = disk_data()
    net = ln.Sequential(ln.Linear(2, 2, rng=0), HugeGradient())
    trainer = ln.Trainer(net, data=(x, labels), lr=1e-210, rng=0)
    trainer.step()  # the sum of squares overflows (1e400), but every gradient is finite
    assert trainer.steps == 1
    assert math.isinf(trainer.history.param_grad_norms[1][0])


def test_param_grad_norms_in_the_history_are_the_networks():
    trainer = make_trainer()
    trainer.step()
    for node, norm in trainer.net.param_grad_norms().items():
        assert trainer.history.param_grad_norms[node] == [pytest.approx(norm, rel=1e-12)]
