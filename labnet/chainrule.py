"""Each step of a training step written as equations, with the step's own numbers.

A ``Formula`` is one equation, such as ``dL/dx = dL/dy · Wᵀ``: a result and the operands it is
made from, each a ``Term`` (a symbol and the whole array the step had), and the ``operation``
that makes the one from the others (``OPERATIONS`` says what each means). ``forward_formulas``,
``backward_formulas``, ``loss_formulas`` and ``update_formulas`` write the equations of one step
of a walk (``labnet.walkthrough``) for the built-in modules and losses; a module labnet does not
know gets none (its arrays are still shown).

Big arrays do not fit on a page: ``Formula.shown(rows, cols, inner)`` gives the part to show,
every array cut to its first ``rows`` rows and ``cols`` columns, and every sum inside the
operation (the ``k`` of a matrix product) to its first ``inner`` terms. ``exact`` then says
whether the numbers shown make the result shown on their own (no sum was cut), and ``note``
says in words what was left out. On a tiny network, or one sample, everything is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from labnet.data import one_hot
from labnet.losses import CrossEntropyLoss, MSELoss
from labnet.modules import Concat, LeakyReLU, Linear, Module, ReLU, Sigmoid, Sum, Tanh

Array = np.ndarray

ROWS, COLS, INNER = 6, 6, 16
"""What ``Formula.shown`` shows by default: rows, columns, and terms of each sum."""

OPERATIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # name: (operands' axes, result's axes, what it computes); axes as in np.einsum: a letter of
    # an operand that is not in the result is summed over
    "affine": (("ik", "kj", "j"), "ij", "r = a · b + c  (c added to each row)"),
    "matmul": (("ik", "kj"), "ij", "r = a · b  (matrix product)"),
    "sum_rows": (("kj",), "j", "r = Σ_k a[k, :]  (the sum of the rows)"),
    "multiply": (("ij", "ij"), "ij", "r = a ⊙ b  (element by element)"),
    "copy": (("ij",), "ij", "r = a"),
    "add": (("ij",), "ij", "r = a + b + ...  (any number of operands, element by element)"),
    "tanh": (("ij",), "ij", "r = tanh(a)"),
    "sigmoid": (("ij",), "ij", "r = 1 / (1 + e^(−a))"),
    "relu": (("ij",), "ij", "r = max(a, 0)"),
    "leaky_relu": (("ij",), "ij", "r = a where a > 0, else slope · a"),
    "mse": (("kl", "kl"), "", "r = mean((a − b)²)"),
    "mse_grad": (("ij", "ij"), "ij", "r = 2 (a − b) / N"),
    "softmax": (("il",), "ij", "r[i, j] = e^a[i, j] / Σ_l e^a[i, l]"),
    "cross_entropy": (("kl", "kl"), "", "r = −Σ b ⊙ log(a) / B  (a: probabilities)"),
    "cross_entropy_grad": (("ij", "ij"), "ij", "r = (a − b) / B"),
    "sgd": (("ij", "ij"), "ij", "r = a − lr · b"),
}
"""Every operation a ``Formula`` may name: the axes of its operands and result (for 2-D
arrays; a 1-D array, a bias, uses the last letters, and a number none) and what it computes.
``constants`` holds the numbers named here (N, B, lr, slope)."""

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
ELEMENTWISE = {"multiply", "copy", "add", "tanh", "sigmoid", "relu", "leaky_relu", "mse_grad",
               "cross_entropy_grad", "sgd"}


@dataclass(frozen=True)
class Term:
    """One array of an equation: how the equation names it, and the whole array."""

    symbol: str
    array: Array


@dataclass(frozen=True)
class ShownTerm:
    """The part of a term that is shown: ``values`` (always 2-D: a bias is one row, a number a
    1 × 1 array) are ``rows`` [start, stop) and ``cols`` of the whole array, of ``shape``."""

    symbol: str
    values: Array
    shape: tuple[int, ...]
    rows: tuple[int, int]
    cols: tuple[int, int]


@dataclass(frozen=True)
class ShownFormula:
    """A formula as it is shown: its terms cut to size (see ``Formula.shown``)."""

    text: str
    operation: str
    label: str
    result: ShownTerm
    operands: tuple[ShownTerm, ...]
    constants: Mapping[str, float]
    exact: bool
    """The operands shown give the result shown on their own: no sum was cut."""
    note: str
    """What was left out, in words ("" when everything is shown)."""


@dataclass(frozen=True)
class Formula:
    """One equation of a step, with the step's whole arrays."""

    text: str
    """The equation in symbols: ``"dL/dx = dL/dy · Wᵀ"``."""
    operation: str
    """One of ``OPERATIONS``: how ``result`` is made from ``operands``."""
    result: Term
    operands: tuple[Term, ...]
    constants: Mapping[str, float] = field(default_factory=dict)
    label: str = ""
    """What the equation is about when a step has many (the update: ``"1.weight"``)."""

    def shown(self, rows: int = ROWS, cols: int = COLS, inner: int = INNER) -> ShownFormula:
        """The part to show: the first ``rows`` rows and ``cols`` columns of each array, and
        the first ``inner`` terms of each sum (see the module's docstring)."""
        limits = {"i": rows, "j": cols}
        sizes: dict[str, int] = {}
        for axes, term in zip((*self.operand_axes(), self.result_axes()),
                              (*self.operands, self.result), strict=True):
            for letter, size in zip(axes, np.shape(term.array), strict=True):
                sizes[letter] = max(sizes.get(letter, 0), size)
        kept = {letter: min(size, limits.get(letter, inner)) for letter, size in sizes.items()}
        result_axes = self.result_axes()

        def cut(term: Term, axes: str) -> ShownTerm:
            array = np.asarray(term.array, dtype=np.float64)
            values = array[tuple(slice(0, kept[letter]) for letter in axes)]
            if values.ndim < 2:  # a bias is shown as one row, a number as a 1 × 1 array
                values = values.reshape(1, -1)
            rows_shown, cols_shown = values.shape
            return ShownTerm(term.symbol, values.copy(), array.shape, (0, rows_shown),
                             (0, cols_shown))

        summed = sorted(set(sizes) - set(result_axes))
        exact = all(kept[letter] == sizes[letter] for letter in summed)
        return ShownFormula(
            self.text, self.operation, self.label, cut(self.result, result_axes),
            tuple(cut(term, axes) for term, axes in zip(self.operands, self.operand_axes(),
                                                          strict=True)),
            dict(self.constants), exact, _note(sizes, kept, result_axes, summed))

    def operand_axes(self) -> tuple[str, ...]:
        axes, _, _ = OPERATIONS[self.operation]
        if self.operation in ELEMENTWISE or self.operation in ("mse", "cross_entropy"):
            letters = axes[0]
            return tuple(letters[len(letters) - np.ndim(t.array):] for t in self.operands)
        return axes

    def result_axes(self) -> str:
        _, axes, _ = OPERATIONS[self.operation]
        return axes[len(axes) - np.ndim(self.result.array):] if self.operation in ELEMENTWISE \
            else axes


def _note(sizes: dict[str, int], kept: dict[str, int], result_axes: str,
          summed: Sequence[str]) -> str:
    """What a cut left out, in words."""
    parts = []
    for letter, word in zip(result_axes[-2:].rjust(2), ("rows", "columns"), strict=True):
        if letter != " " and kept[letter] < sizes[letter]:
            parts.append(f"the first {kept[letter]} of {sizes[letter]} {word}")
    cut_sums = [letter for letter in summed if kept[letter] < sizes[letter]]
    text = f"a slice: {' and '.join(parts)}" if parts else ""
    if cut_sums:
        terms = " × ".join(str(sizes[letter]) for letter in cut_sums)
        shown = " × ".join(str(kept[letter]) for letter in cut_sums)
        sums = (f"each sum has {terms} terms and only {shown} are shown, so the numbers shown "
                f"do not add up to the result by themselves")
        text = f"{text}; {sums}" if text else sums
    return text


# -- the equations of each kind of step -------------------------------------------------------

def input_symbols(count: int) -> list[str]:
    """``["x"]`` for one input, ``["x₁", "x₂", ...]`` for several."""
    return ["x"] if count == 1 else [f"x{i + 1}".translate(SUBSCRIPTS) for i in range(count)]


def forward_formulas(module: Module, inputs: Sequence[Array], output: Array,
                     params: Mapping[str, Array]) -> tuple[Formula, ...]:
    """The forward equations of ``module`` (none for a module labnet does not know)."""
    y = Term("y", output)
    if isinstance(module, Linear):
        return (Formula("y = x · W + b", "affine", y, (Term("x", inputs[0]),
                        Term("W", params["weight"]), Term("b", params["bias"]))),)
    if isinstance(module, Sum | Concat):
        symbols = input_symbols(len(inputs))
        terms = tuple(Term(symbol, x) for symbol, x in zip(symbols, inputs, strict=True))
        if isinstance(module, Sum):
            return (Formula(f"y = {' + '.join(symbols)}", "add", y, terms),)
        formulas, start = [], 0
        for term in terms:
            stop = start + term.array.shape[1]
            part = f"y[:, {start}:{stop}]"
            formulas.append(Formula(f"{part} = {term.symbol}", "copy",
                                    Term(part, output[:, start:stop]), (term,)))
            start = stop
        return tuple(formulas)
    x = Term("x", inputs[0])
    if isinstance(module, Tanh):
        return (Formula("y = tanh(x)", "tanh", y, (x,)),)
    if isinstance(module, Sigmoid):
        return (Formula("y = σ(x) = 1 / (1 + e^(−x))", "sigmoid", y, (x,)),)
    if isinstance(module, LeakyReLU):
        slope = module.negative_slope
        return (Formula(f"y = x where x > 0, else {slope:g} · x", "leaky_relu", y, (x,),
                        {"slope": slope}),)
    if isinstance(module, ReLU):
        return (Formula("y = max(x, 0)", "relu", y, (x,)),)
    return ()


def backward_formulas(module: Module, inputs: Sequence[Array], output: Array, grad_out: Array,
                      grads_in: Sequence[Array], params: Mapping[str, Array],
                      param_grads: Mapping[str, Array]) -> tuple[Formula, ...]:
    """The chain rule of ``module``: how dL/d(each input) and dL/d(each parameter) are made
    from dL/d(output) (none for a module labnet does not know)."""
    g = Term("dL/dy", grad_out)
    if isinstance(module, Linear):
        return (
            Formula("dL/dx = dL/dy · Wᵀ", "matmul", Term("dL/dx", grads_in[0]),
                    (g, Term("Wᵀ", params["weight"].T))),
            Formula("dL/dW = xᵀ · dL/dy", "matmul", Term("dL/dW", param_grads["weight"]),
                    (Term("xᵀ", inputs[0].T), g)),
            Formula("dL/db = Σ_batch dL/dy", "sum_rows", Term("dL/db", param_grads["bias"]),
                    (g,)),
        )
    if isinstance(module, Sum | Concat):
        symbols = [f"dL/d{symbol}" for symbol in input_symbols(len(inputs))]
        if isinstance(module, Sum):
            return tuple(Formula(f"{symbol} = dL/dy", "copy", Term(symbol, grad), (g,))
                         for symbol, grad in zip(symbols, grads_in, strict=True))
        formulas, start = [], 0
        for symbol, grad in zip(symbols, grads_in, strict=True):
            stop = start + grad.shape[1]
            part = f"dL/dy[:, {start}:{stop}]"
            formulas.append(Formula(f"{symbol} = {part}", "copy", Term(symbol, grad),
                                    (Term(part, grad_out[:, start:stop]),)))
            start = stop
        return tuple(formulas)
    local = _local_derivative(module, inputs[0], output)
    if local is None:
        return ()
    symbol, values = local
    return (Formula(f"dL/dx = dL/dy ⊙ {symbol}", "multiply", Term("dL/dx", grads_in[0]),
                    (g, Term(symbol, values))),)


def how_passed(formulas: Sequence[Formula], i: int) -> str:
    """How the gradient a backward step sends to its input ``i`` is made, in words, from its
    formulas: ``"dL/dy · Wᵀ"``, ``"a copy of dL/dy[:, 0:6]"`` ("" if none says)."""
    passed = [f for f in formulas if f.result.symbol not in ("dL/dW", "dL/db")]
    if i >= len(passed):
        return ""
    right = passed[i].text.split(" = ", 1)[1]
    return f"a copy of {right}" if passed[i].operation == "copy" else right


def _local_derivative(module: Module, x: Array, y: Array) -> tuple[str, Array] | None:
    """dy/dx of an element-wise activation, as ``(its symbol, its values)``."""
    if isinstance(module, Tanh):
        return "(1 − y²)", 1.0 - y * y  # tanh'(x) = 1 − tanh(x)²
    if isinstance(module, Sigmoid):
        return "y(1 − y)", y * (1.0 - y)  # σ'(x) = σ(x)(1 − σ(x))
    if isinstance(module, LeakyReLU):
        slope = module.negative_slope
        return f"(1 where x > 0, else {slope:g})", np.where(x > 0, 1.0, slope)
    if isinstance(module, ReLU):
        return "1[x > 0]", (x > 0).astype(np.float64)
    return None


def target_array(output: Array, target: Array) -> Array:
    """The target as a loss compares it with ``output``: labels become one-hot rows (or, for
    an output of one column, the column of labels); an array of the output's shape stays."""
    target = np.asarray(target)
    if target.shape == output.shape:
        return target.astype(np.float64)
    if output.shape[1] == 1:
        return target.reshape(-1, 1).astype(np.float64)
    return one_hot(target, output.shape[1])


def loss_formulas(loss: object, output: Array, target: Array, value: float,
                  grad: Array) -> tuple[Formula, ...]:
    """The loss and the gradient that starts the backward pass (none for a loss labnet does
    not know)."""
    if isinstance(loss, MSELoss):
        y, t = Term("y", output), Term("t", target_array(output, target))
        return (
            Formula("L = mean((y − t)²)", "mse", Term("L", np.array(value)), (y, t)),
            Formula("dL/dy = 2 (y − t) / N", "mse_grad", Term("dL/dy", grad), (y, t),
                    {"N": output.size}),
        )
    if isinstance(loss, CrossEntropyLoss):
        z, t = Term("z", output), Term("t", target_array(output, target))
        shifted = output - output.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        p = Term("p", probs)
        batch = output.shape[0]
        return (
            Formula("p = softmax(z)", "softmax", p, (z,)),
            Formula("L = −Σ t ⊙ log(p) / B", "cross_entropy", Term("L", np.array(value)),
                    (p, t), {"B": batch}),
            Formula("dL/dz = (p − t) / B", "cross_entropy_grad", Term("dL/dz", grad), (p, t),
                    {"B": batch}),
        )
    return ()


PARAMETER_SYMBOLS = {"weight": "W", "bias": "b"}


def update_formula(key: str, before: Array, grad: Array, after: Array,
                   lr: float | None) -> Formula:
    """The update of parameter ``key`` (``"1.weight"``): ``after = before − lr · dL/d(key)``
    when that is what happened (``lr`` given), else ``after = before + step``."""
    name = key.rsplit(".", 1)[-1]
    symbol = PARAMETER_SYMBOLS.get(name, name)
    grad_symbol = f"dL/d{symbol}" if len(symbol) == 1 else f"dL/d({symbol})"
    after_term = Term(f"{symbol} after", after)
    if lr is not None:
        return Formula(f"{symbol} ← {symbol} − lr · {grad_symbol}", "sgd", after_term,
                       (Term(symbol, before), Term(grad_symbol, grad)), {"lr": lr}, key)
    return Formula(f"{symbol} ← {symbol} + step", "add", after_term,
                   (Term(symbol, before), Term("step", after - before)), {}, key)
