"""The checks of lesson exercises: each unsolved or wrong answer is a NotSolvedYet saying what is
missing or wrong (never the answer itself); a right one prints a ✓ line."""

import numpy as np
import pytest

import labnet as ln
from labnet.exercises import (
    NotSolvedYet,
    check_backward,
    check_order_of_magnitude,
    check_prediction,
)


class Unwritten(ln.Linear):
    def backward(self, grad_out):
        raise NotImplementedError("write it")


class ReturnsNothing(ln.Linear):
    def backward(self, grad_out):
        self.grad_weight[...] = self.x.T @ grad_out


class WrongShape(ln.Linear):
    def backward(self, grad_out):
        return grad_out


class ForgetsTheWeights(ln.Linear):
    def backward(self, grad_out):
        self.grad_bias[...] = grad_out.sum(axis=0)
        return grad_out @ self.weight.T


class Transposes(ln.Linear):
    def backward(self, grad_out):
        return grad_out @ self.weight  # the shapes do not fit: NumPy says so


class Rebinds(ln.Linear):
    """Right numbers, but in new arrays: an optimizer holds the old ones and never sees them."""

    def backward(self, grad_out):
        self.grad_weight = self.x.T @ grad_out
        self.grad_bias[...] = grad_out.sum(axis=0)
        return grad_out @ self.weight.T


class TransposesTheWeightsGradient(ln.Linear):
    def backward(self, grad_out):
        self.grad_weight[...] = grad_out.T @ self.x  # (2, 3) into (3, 2): NumPy refuses
        self.grad_bias[...] = grad_out.sum(axis=0)
        return grad_out @ self.weight.T


class RebindsTransposed(ln.Linear):
    def backward(self, grad_out):
        self.grad_weight = grad_out.T @ self.x
        self.grad_bias[...] = grad_out.sum(axis=0)
        return grad_out @ self.weight.T


class Right(ln.Linear):
    def backward(self, grad_out):
        self.grad_weight[...] = self.x.T @ grad_out
        self.grad_bias[...] = grad_out.sum(axis=0)
        return grad_out @ self.weight.T


@pytest.mark.parametrize(("module", "message"), [
    (Unwritten(3, 2, rng=0), r"^Ex 1 is not solved yet: Unwritten.backward is not written yet "
                             r"\(write it\): put your code in place of its raise "
                             r"NotImplementedError$"),
    (ReturnsNothing(3, 2, rng=0), r"ReturnsNothing.backward returns None: it must return dL/dx,"
                                  r" an array of the shape of x, \(4, 3\)"),
    (WrongShape(3, 2, rng=0), r"returns an array of shape \(4, 2\): dL/dx must have the shape "
                              r"of x, \(4, 3\)"),
    (ForgetsTheWeights(3, 2, rng=0), r"disagrees with finite differences: dL/d\(weight\) is off "
                                     r"by [0-9.]+ \(tolerance 1e-06\)"),
])
def test_check_backward_says_what_is_missing_or_wrong(module, message):
    with pytest.raises(NotSolvedYet, match=message):
        check_backward(module, exercise="Ex 1")


def test_check_backward_refuses_a_gradient_rebound_instead_of_written_into():
    module = Rebinds(3, 2, rng=0)
    with pytest.raises(NotSolvedYet, match=r"^Ex 1 is not solved yet: Rebinds.backward makes "
                                           r"self.grad_weight a new array .*"
                                           r"self.grad_weight\[\.\.\.\] = ") as refused:
        check_backward(module, exercise="Ex 1")
    assert "optimizer" in str(refused.value)


@pytest.mark.parametrize("module", [Transposes(3, 2, rng=0),
                                    TransposesTheWeightsGradient(3, 2, rng=0),
                                    RebindsTransposed(3, 2, rng=0)],
                         ids=["dx", "dW written", "dW rebound"])
def test_check_backward_names_the_shapes_expected_when_the_students_shapes_do_not_fit(module):
    name = type(module).__name__
    with pytest.raises(NotSolvedYet, match=rf"^Ex 1 is not solved yet: {name}.backward") as not_yet:
        check_backward(module, exercise="Ex 1")
    said = str(not_yet.value)
    assert "dL/dW must have the shape of weight, (3, 2)" in said, said
    assert "dL/dx the shape of x, (4, 3)" in said, said


def test_the_shapes_expected_of_a_module_without_parameters_say_what_they_must_be():
    class MultipliesAsMatrices(ln.Sigmoid):  # (exercise 2: * written as @)
        def backward(self, grad_out):
            return grad_out @ (self.y * (1 - self.y))

    with pytest.raises(NotSolvedYet) as not_yet:
        check_backward(MultipliesAsMatrices(), exercise="Ex 2")
    assert "dL/dx must have the shape of x, (4, 3)" in str(not_yet.value), str(not_yet.value)


def test_check_backward_lets_the_students_other_errors_through():
    class Misspells(ln.Linear):
        def backward(self, grad_out):
            return grad_out @ self.weigth.T

    with pytest.raises(AttributeError, match="weigth"):
        check_backward(Misspells(3, 2, rng=0), exercise="Ex 1")


def test_check_backward_passes_a_right_backward_and_an_activation(capsys):
    check_backward(Right(3, 2, rng=0), exercise="Ex 1")
    check_backward(ln.Tanh(), exercise="Ex 2")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✓ Ex 1: Right.backward agrees with finite differences")
    assert out[1].startswith("✓ Ex 2: Tanh.backward agrees")


def test_check_prediction(capsys):
    answer = np.array([[0.75, 0.375]])
    with pytest.raises(NotSolvedYet, match=r"write your prediction of dL/dx in place of the "
                                           r"\.\.\. \(2 number\(s\)\)$"):
        check_prediction(..., answer, exercise="Ex 3", what="dL/dx", hint="secret")
    with pytest.raises(NotSolvedYet, match=r"dL/dx has 2 number\(s\) .* your prediction has 3"):
        check_prediction([1, 2, 3], answer, exercise="Ex 3", what="dL/dx")
    with pytest.raises(NotSolvedYet, match="must be numbers"):
        check_prediction(["a", "b"], answer, exercise="Ex 3", what="dL/dx")
    with pytest.raises(NotSolvedYet, match=r"your prediction \[0.75, 0.5\] is not dL/dx yet.*"
                                           r"Hint: look again") as wrong:
        check_prediction([0.75, 0.5], answer, exercise="Ex 3", what="dL/dx", hint="look again")
    assert "0.375" not in str(wrong.value)  # the answer is not given away
    check_prediction([0.75, 0.375], answer, exercise="Ex 3", what="dL/dx")
    assert capsys.readouterr().out == "✓ Ex 3: right, dL/dx = [[0.75, 0.375]]\n"


def test_check_order_of_magnitude(capsys):
    with pytest.raises(NotSolvedYet, match=r"write your prediction of the ratio in place"):
        check_order_of_magnitude(..., 6.5e5, exercise="Ex 4", what="the ratio")
    for bad in (-1, 0, float("nan"), "big", True):
        with pytest.raises(NotSolvedYet, match="must be a positive number"):
            check_order_of_magnitude(bad, 6.5e5, exercise="Ex 4", what="the ratio")
    with pytest.raises(NotSolvedYet, match="more than ten times larger than 1000"):
        check_order_of_magnitude(1000, 6.5e5, exercise="Ex 4", what="the ratio")
    with pytest.raises(NotSolvedYet, match="more than ten times smaller than 1e"):
        check_order_of_magnitude(1e9, 6.5e5, exercise="Ex 4", what="the ratio")
    check_order_of_magnitude(4 ** 9, 6.5e5, exercise="Ex 4", what="the ratio")
    assert capsys.readouterr().out.startswith("✓ Ex 4: right order of magnitude: the ratio = "
                                              "6.5e+05 (you said 262144)")


def test_ipython_shows_the_message_alone():
    error = NotSolvedYet("Ex 1 is not solved yet: write it")
    assert error._render_traceback_() == ["\x1b[1;31m✗ Ex 1 is not solved yet: write it\x1b[0m"]
