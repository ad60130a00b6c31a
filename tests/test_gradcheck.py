"""The gradient check itself: it passes right backwards and catches wrong ones."""

import numpy as np
import pytest

import labnet as ln


class WrongTanh(ln.Tanh):
    """A classic slip: the derivative of tanh taken as 1 - x² instead of 1 - y²."""

    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, grad_out):
        return grad_out * (1.0 - self.x * self.x)


class WrongBiasLinear(ln.Linear):
    """Right input gradient, but the bias gradient averaged instead of summed over the batch."""

    def backward(self, grad_out):
        grad_x = super().backward(grad_out)
        self.grad_bias[...] = grad_out.mean(axis=0)
        return grad_x


X = np.random.default_rng(0).normal(size=(4, 3))


def test_gradcheck_passes_a_right_backward():
    report = ln.gradcheck(ln.Tanh(), X)
    assert report.ok and report.max_error < 1e-8
    assert "gradcheck ok" in str(report)


def test_gradcheck_detects_a_wrong_input_gradient():
    report = ln.gradcheck(WrongTanh(), X)
    assert not report.ok
    assert report.errors["input 0"] > 1e-2
    assert "FAILED" in str(report)


def test_gradcheck_detects_a_wrong_parameter_gradient_and_names_it():
    report = ln.gradcheck(WrongBiasLinear(3, 2, rng=0), X)
    assert not report.ok
    assert report.errors["bias"] > 1e-2
    assert report.errors["weight"] < 1e-8 and report.errors["input 0"] < 1e-8


def test_gradcheck_detects_a_wrong_module_inside_a_network():
    net = ln.Sequential(ln.Linear(3, 4, rng=0), WrongTanh(), ln.Linear(4, 2, rng=1))
    assert not ln.gradcheck(net, X).ok
    right = ln.Sequential(ln.Linear(3, 4, rng=0), ln.Tanh(), ln.Linear(4, 2, rng=1))
    assert ln.gradcheck(right, X).ok


def test_gradcheck_detects_a_wrong_loss_gradient():
    class HalfMSE(ln.MSELoss):
        def backward(self):
            return super().backward() / 2

    labels = np.array([0, 1, 2, 1])
    assert ln.gradcheck(ln.MSELoss(), X, target=labels).ok
    assert not ln.gradcheck(HalfMSE(), X, target=labels).ok


def test_gradcheck_puts_the_parameters_back_exactly():
    linear = ln.Linear(3, 2, rng=0)
    weight, bias = linear.weight.copy(), linear.bias.copy()
    ln.gradcheck(linear, X)
    np.testing.assert_array_equal(linear.weight, weight)
    np.testing.assert_array_equal(linear.bias, bias)


def test_gradcheck_does_not_change_the_callers_input():
    x = X.copy()
    ln.gradcheck(ln.Linear(3, 2, rng=0), x)
    np.testing.assert_array_equal(x, X)


def test_gradcheck_tolerance_is_respected():
    report = ln.gradcheck(WrongTanh(), X, tolerance=10.0)
    assert report.ok and report.tolerance == 10.0
    assert report.max_error == pytest.approx(max(report.errors.values()))
