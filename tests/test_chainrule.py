"""The equations of a walk's steps: each one holds for the step's own arrays (checked here with
NumPy written out independently), its terms are those arrays, and what is shown of a big array
is a true slice of it that still adds up when no sum was cut."""

import numpy as np
import pytest

import labnet as ln
from labnet.chainrule import OPERATIONS, Formula, Term

X, LABELS = ln.disk(10, rng=1)


def evaluate(operation, operands, constants):
    """What ``operation`` makes of ``operands``, written out here as a reader would."""
    a = operands[0]
    b = operands[1] if len(operands) > 1 else None
    if operation == "affine":
        return a @ b + operands[2]
    if operation == "matmul":
        return a @ b
    if operation == "sum_rows":
        return a.sum(axis=0)
    if operation == "multiply":
        return a * b
    if operation == "copy":
        return a
    if operation == "add":
        return sum(operands[1:], operands[0])
    if operation == "tanh":
        return np.tanh(a)
    if operation == "sigmoid":
        return 1 / (1 + np.exp(-a))
    if operation == "relu":
        return np.maximum(a, 0)
    if operation == "leaky_relu":
        return np.where(a > 0, a, constants["slope"] * a)
    if operation == "mse":
        return np.mean((a - b) ** 2)
    if operation == "mse_grad":
        return 2 * (a - b) / constants["N"]
    if operation == "softmax":
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if operation == "cross_entropy":
        return -np.sum(b * np.log(a)) / constants["B"]
    if operation == "cross_entropy_grad":
        return (a - b) / constants["B"]
    if operation == "sgd":
        return a - constants["lr"] * b
    raise AssertionError(f"no reference for {operation}")


def every_kind(seed=0):
    """Every built-in module: Linear, the four activations, a Sum and a Concat."""
    rng = np.random.default_rng(seed)
    operators = {1: ln.Linear(2, 4, rng=rng), 2: ln.Tanh(), 3: ln.Sigmoid(), 4: ln.ReLU(),
                 5: ln.LeakyReLU(0.1), 6: ln.Sum(), 7: ln.Concat(), 8: ln.Linear(12, 2, rng=rng)}
    connectivity = {0: [1], 1: [2, 3, 4], 2: [6], 3: [5, 6], 4: [7], 5: [7], 6: [7], 7: [8]}
    return ln.Network(operators, connectivity)


def tiny(seed=0):
    return ln.Sequential(ln.Linear(2, 3, rng=seed), ln.Tanh(), ln.Linear(3, 2, rng=seed + 1))


WALKS = {
    "every module, MSE": lambda: ln.Walk(every_kind(), ln.MSELoss(), X, LABELS, lr=0.1),
    "every module, cross-entropy": lambda: ln.Walk(every_kind(), ln.CrossEntropyLoss(), X,
                                                   LABELS),
    "figure 1, Adam": lambda: ln.Walk(
        (net := ln.PRESETS["figure1"](0)), ln.MSELoss(), X, LABELS,
        optimizer=ln.Adam(net.params(), lr=0.01)),
    "2-3-2, one sample": lambda: ln.Walk(tiny(), ln.MSELoss(), X, LABELS, sample=2),
    "one output column": lambda: ln.Walk(ln.Sequential(ln.Linear(2, 1, rng=0), ln.Sigmoid()),
                                         ln.MSELoss(), X, LABELS, train=False),
}


def finished(make):
    walk = make()
    walk.finish()
    return walk


@pytest.mark.parametrize("make", WALKS.values(), ids=WALKS.keys())
def test_every_equation_holds_for_the_whole_arrays(make):
    walk = finished(make)
    operations = set()
    for step in walk.steps:
        for formula in step.formulas:
            operations.add(formula.operation)
            operands = [np.asarray(t.array, dtype=np.float64) for t in formula.operands]
            got = evaluate(formula.operation, operands, formula.constants)
            np.testing.assert_allclose(formula.result.array, got, rtol=1e-10, atol=1e-15,
                                       err_msg=f"step {step.index}: {formula.text}")
    assert operations <= set(OPERATIONS)


def test_the_walks_above_use_every_operation():
    used = {formula.operation for make in WALKS.values() for step in finished(make).steps
            for formula in step.formulas}
    assert used == set(OPERATIONS)


@pytest.mark.parametrize("make", WALKS.values(), ids=WALKS.keys())
@pytest.mark.parametrize("limits", [(6, 6, 16), (2, 3, 4), (1, 1, 1)])
def test_what_is_shown_is_a_slice_of_the_arrays_and_adds_up_when_exact(make, limits):
    rows, cols, inner = limits
    walk = finished(make)
    for step in walk.steps:
        for formula in step.formulas:
            shown = formula.shown(rows, cols, inner)
            for term, whole in zip((*shown.operands, shown.result),
                                   (*formula.operands, formula.result), strict=True):
                array = np.atleast_2d(np.asarray(whole.array, dtype=np.float64))
                assert term.shape == np.shape(whole.array) and term.symbol == whole.symbol
                np.testing.assert_array_equal(
                    term.values, array[slice(*term.rows), slice(*term.cols)])
                assert term.values.shape[0] <= max(rows, inner)
                assert term.values.shape[1] <= max(cols, inner)
            if shown.exact:  # the printed matrices make the printed result
                got = evaluate(shown.operation, [t.values for t in shown.operands],
                               shown.constants)
                np.testing.assert_allclose(np.reshape(got, shown.result.values.shape),
                                           shown.result.values, rtol=1e-10, atol=1e-15,
                                           err_msg=f"{formula.text} at {limits}")
            else:
                assert "do not add up" in shown.note


def test_a_tiny_network_on_one_sample_shows_every_number_exactly():
    walk = finished(WALKS["2-3-2, one sample"])
    count = 0
    for step in walk.steps:
        for formula in step.formulas:
            shown = formula.shown()
            assert shown.exact and shown.note == "", formula.text
            count += 1
    assert count == 1 + 1 + 1 + 2 + 3 + 1 + 3 + 4  # forward, loss, backward, update


def test_a_big_layer_is_shown_as_a_slice_with_a_note():
    walk = ln.Walk(ln.PRESETS["figure1"](0), ln.MSELoss(), X, LABELS)
    walk.finish()
    step = next(s for s in walk.steps if s.phase == "backward" and s.node == 3)  # 25 → 25
    dx, dw, db = (f.shown(4, 4, 8) for f in step.formulas)
    assert dx.text == "dL/dx = dL/dy · Wᵀ" and not dx.exact
    assert dx.note == ("a slice: the first 4 of 10 rows and the first 4 of 25 columns; each sum "
                       "has 25 terms and only 8 are shown, so the numbers shown do not add up "
                       "to the result by themselves")
    assert dw.operands[0].symbol == "xᵀ" and dw.operands[0].shape == (25, 10)
    assert db.note.startswith("a slice: the first 4 of 25 columns; each sum has 10 terms")
    everything = step.formulas[0].shown(10, 25, 25)
    assert everything.exact and everything.note == ""


def test_linear_terms_are_the_steps_arrays_and_the_weights_it_used():
    net = tiny()
    weight = net.operators[3].weight.copy()
    walk = ln.Walk(net, ln.MSELoss(), X, LABELS, sample=2)
    walk.finish()
    step = next(s for s in walk.steps if s.phase == "backward" and s.node == 3)
    dx, dw, db = step.formulas
    assert [dx.text, dw.text, db.text] == ["dL/dx = dL/dy · Wᵀ", "dL/dW = xᵀ · dL/dy",
                                           "dL/db = Σ_batch dL/dy"]
    assert dx.result.array is step.passed["dL/d(input) to node 2"]
    assert dx.operands[0].array is step.received["dL/d(output)"]
    np.testing.assert_array_equal(dx.operands[1].array, weight.T)  # before the update
    assert dw.result.array is step.passed["dL/d(weight)"]
    forward = next(s for s in walk.steps if s.phase == "forward" and s.node == 3)
    np.testing.assert_array_equal(dw.operands[0].array, forward.received["input from node 2"].T)


def test_activation_derivatives_are_written_from_the_forward_pass():
    walk = finished(WALKS["every module, MSE"])
    forward = {s.node: s for s in walk.steps if s.phase == "forward"}
    backward = {s.node: s for s in walk.steps if s.phase == "backward"}
    for node, symbol, derivative in [
        (2, "(1 − y²)", lambda x, y: 1 - np.tanh(x) ** 2),
        (3, "y(1 − y)", lambda x, y: np.exp(-x) / (1 + np.exp(-x)) ** 2),
        (4, "1[x > 0]", lambda x, y: (x > 0) * 1.0),
        (5, "(1 where x > 0, else 0.1)", lambda x, y: np.where(x > 0, 1, 0.1)),
    ]:
        (formula,) = backward[node].formulas
        assert formula.text == f"dL/dx = dL/dy ⊙ {symbol}" and formula.operands[1].symbol == symbol
        (x,) = forward[node].received.values()
        np.testing.assert_allclose(formula.operands[1].array,
                                   derivative(x, forward[node].passed["output"]), rtol=1e-9)


def test_sum_copies_and_concat_splits_in_both_directions():
    walk = finished(WALKS["every module, MSE"])
    by = {(s.phase, s.node): s for s in walk.steps}
    assert [f.text for f in by["forward", 6].formulas] == ["y = x₁ + x₂"]
    assert [f.text for f in by["backward", 6].formulas] == ["dL/dx₁ = dL/dy", "dL/dx₂ = dL/dy"]
    assert [f.text for f in by["forward", 7].formulas] == [
        "y[:, 0:4] = x₁", "y[:, 4:8] = x₂", "y[:, 8:12] = x₃"]
    assert [f.text for f in by["backward", 7].formulas] == [
        "dL/dx₁ = dL/dy[:, 0:4]", "dL/dx₂ = dL/dy[:, 4:8]", "dL/dx₃ = dL/dy[:, 8:12]"]


def test_an_unknown_module_has_no_equation_but_its_arrays():
    class Double(ln.Module):
        def forward(self, x):
            return 2 * x

        def backward(self, grad_out):
            return 2 * grad_out

    walk = ln.Walk(ln.Sequential(ln.Linear(2, 2, rng=0), Double()), ln.MSELoss(), X, LABELS)
    walk.finish()
    double = [s for s in walk.steps if s.node == 2]
    assert all(s.formulas == () and s.arrays for s in double)
    assert all(f.how == "" for s in double for f in s.flows)


def test_update_equations_say_what_the_step_was():
    plain = finished(WALKS["every module, MSE"]).current
    assert plain.formulas[0].text == "W ← W − lr · dL/dW" and plain.formulas[0].label == "1.weight"
    assert plain.formulas[1].text == "b ← b − lr · dL/db"
    assert plain.formulas[0].constants == {"lr": 0.1}
    adam = finished(WALKS["figure 1, Adam"]).current
    assert {f.text for f in adam.formulas} == {"W ← W + step", "b ← b + step"}
    assert "Adam" in adam.text


def test_one_output_column_takes_the_label_as_its_target():
    walk = finished(WALKS["one output column"])
    loss = next(s for s in walk.steps if s.phase == "loss")
    target = loss.formulas[0].operands[1]
    assert target.symbol == "t" and target.array.shape == (10, 1)
    np.testing.assert_array_equal(target.array[:, 0], LABELS)


def test_shown_of_a_number_and_of_a_bias():
    formula = Formula("L = mean((y − t)²)", "mse", Term("L", np.array(0.5)),
                      (Term("y", np.ones((3, 2))), Term("t", np.zeros((3, 2)))))
    shown = formula.shown()
    assert shown.result.values.shape == (1, 1) and shown.result.shape == ()
    bias = Formula("b ← b − lr · dL/db", "sgd", Term("b after", np.arange(9.0)),
                   (Term("b", np.arange(9.0)), Term("dL/db", np.zeros(9))), {"lr": 0.1})
    shown = bias.shown(cols=4)
    assert shown.result.values.shape == (1, 4) and shown.result.cols == (0, 4)
    assert shown.exact and shown.note == "a slice: the first 4 of 9 columns"
