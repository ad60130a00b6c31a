"""The modules a network is made of.

A module is one node of the graph. ``forward`` takes the node's inputs and returns its output;
``backward`` takes dL/d(output) and returns dL/d(input) (a tuple, one per input, for modules that
can take several inputs, ``max_inputs != 1``, even when fed by one) and, for modules with
parameters, sets the gradient of each parameter.

Arrays are ``(batch, features)``. Each ``backward`` sits right under its ``forward``, with the
derivative it applies written in a comment, so the two can be read together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from labnet.errors import (
    InputError,
    ShapeError,
    check_float_dtype,
    check_lr,
    check_number,
    check_positive_int,
)

Array = np.ndarray


class Module:
    """Base class of every module.

    Subclasses implement ``forward`` and ``backward``; modules with parameters also implement
    ``named_params``. ``min_inputs``/``max_inputs`` say how many incoming edges the node takes.
    """

    min_inputs: int = 1
    max_inputs: int | None = 1  # None: any number
    regularized: tuple[str, ...] = ()
    """The names of the parameters (of ``named_params``) that are weights, which L1/L2
    regularisation applies to (``labnet.regularization``); biases are not."""

    def forward(self, *inputs: Array) -> Array:
        raise NotImplementedError

    def backward(self, grad_out: Array) -> Array | tuple[Array, ...]:
        raise NotImplementedError

    def saved(self, name: str):
        """What ``forward`` kept for ``backward`` under ``name``, or an ``InputError`` if there
        has been no forward yet (``backward`` needs one)."""
        value = getattr(self, name, None)
        if value is None:
            raise InputError(f"{self!r}: backward needs a forward first")
        return value

    # -- parameters ---------------------------------------------------------------------------
    def named_params(self) -> dict[str, tuple[Array, Array]]:
        """``{name: (value, grad)}`` for each parameter; live arrays, updated in place."""
        return {}

    def params(self) -> list[tuple[Array, Array]]:
        """``[(value, grad), ...]``: the parameters and their gradients (live arrays)."""
        return list(self.named_params().values())

    def num_params(self) -> int:
        return sum(value.size for value, _ in self.params())

    def update_param(self, lr: float) -> None:
        """One step of plain gradient descent: ``value -= lr * grad`` for every parameter."""
        lr = check_lr(lr)
        for value, grad in self.params():
            value -= lr * grad

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw new initial values for the parameters (nothing to do for most modules)."""

    def astype(self, dtype) -> Module:
        """Convert the parameters to ``dtype`` (e.g. ``np.float32``) in place; return self."""
        return self

    # -- what a Network asks of a module when it is built ---------------------------------------
    def output_width(self, in_widths: Sequence[tuple[object, int | None]]) -> int | None:
        """Width of the output, given ``[(source node, its width), ...]`` (``None``: unknown).

        Raises ``ShapeError`` if the widths do not fit. Must not change the module.
        """
        (_, width), *_ = in_widths
        return width

    def build(self, in_widths: Sequence[int | None]) -> None:
        """Finish the module once the input widths are known (``Linear(None, n)`` uses this)."""

    # -- printing and saving --------------------------------------------------------------------
    def config(self) -> dict:
        """The constructor arguments that rebuild this module (without its weights)."""
        return {}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.config().items())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


MAX_PARAMETERS = 2**26
"""The most parameters one ``Linear`` may hold (``(in_features + 1) · out_features``): 2**26,
512 MiB of float64 weights, and as much again for their gradients. A larger one is refused
before anything is allocated: by its constructor, or, when its input width is inferred, by the
Network being built."""

INITS = ("he", "xavier")
"""How ``Linear`` draws its weights: see ``Linear``."""


class Linear(Module):
    """Affine map ``y = x @ weight + bias``.

    ``weight`` is ``(in_features, out_features)``, ``bias`` is ``(out_features,)``.
    ``in_features=None`` leaves the input width to be inferred when a Network is built.
    ``init`` is ``"he"`` (normal, std √(2/in); suits ReLU) or ``"xavier"`` (uniform in
    ±√(6/(in+out)); suits Tanh and Sigmoid, and a Linear whose output no activation follows:
    ``labnet.presets.suggested_init`` says which for a node of a network). ``rng`` is a
    ``numpy.random.Generator`` or a seed.
    """

    x: Array | None = None  # the input of the last forward, for backward
    regularized = ("weight",)

    def __init__(
        self,
        in_features: int | None,
        out_features: int,
        *,
        init: str = "he",
        rng: np.random.Generator | int | None = None,
        dtype=np.float64,
    ) -> None:
        if init not in INITS:
            raise InputError(f"Linear: init must be 'he' or 'xavier', got {init!r}")
        self.in_features = None if in_features is None else check_positive_int(
            in_features, "Linear: in_features")
        self.out_features = check_positive_int(out_features, "Linear: out_features")
        _check_linear_size(self.in_features or 1, self.out_features, InputError)
        self.dtype = check_float_dtype(dtype, "Linear: dtype")
        self.init = init
        try:
            self.rng = np.random.default_rng(rng)
        except (TypeError, ValueError) as error:
            raise InputError(f"Linear: rng must be a numpy.random.Generator or a seed, got "
                             f"{rng!r} ({error})") from None
        self.weight: Array | None = None
        self.bias: Array | None = None
        if self.in_features is not None:
            self._allocate()

    def _allocate(self) -> None:
        shape = (self.in_features, self.out_features)
        self.weight = np.empty(shape, dtype=self.dtype)
        self.bias = np.zeros(self.out_features, dtype=self.dtype)
        self.grad_weight = np.zeros(shape, dtype=self.dtype)  # dL/d(weight), set by backward
        self.grad_bias = np.zeros(self.out_features, dtype=self.dtype)  # dL/d(bias)
        self.reset_parameters(self.rng)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        if self.weight is None:
            return
        rng = np.random.default_rng(rng)
        fan_in, fan_out = self.weight.shape
        if self.init == "he":
            values = rng.normal(0.0, math.sqrt(2.0 / fan_in), size=self.weight.shape)
        else:
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            values = rng.uniform(-limit, limit, size=self.weight.shape)
        self.weight[...] = values
        self.bias[...] = 0.0
        self.grad_weight[...] = 0.0
        self.grad_bias[...] = 0.0

    def forward(self, x: Array) -> Array:
        # NumPy checks the width as it multiplies (for free); we only put its refusal in our words
        try:
            y = x @ self.weight + self.bias
        except (TypeError, ValueError):
            if self.in_features is None:
                raise ShapeError(f"{self!r}: its input width is not known yet; build it inside "
                                 f"a Network, or give in_features") from None
            raise ShapeError(f"{self!r} got input of shape {np.shape(x)}: expected (batch, "
                             f"{self.in_features})") from None
        self.x = x
        return y

    def backward(self, grad_out: Array) -> Array:
        np.matmul(self.saved("x").T, grad_out, out=self.grad_weight)  # dL/dW = xᵀ · grad_out
        grad_out.sum(axis=0, out=self.grad_bias)  # dL/db = Σ_batch grad_out
        return grad_out @ self.weight.T  # dL/dx = grad_out · Wᵀ

    def named_params(self) -> dict[str, tuple[Array, Array]]:
        if self.weight is None:
            return {}
        return {"weight": (self.weight, self.grad_weight), "bias": (self.bias, self.grad_bias)}

    def update_param(self, lr: float) -> None:
        lr = check_lr(lr)
        self.weight -= lr * self.grad_weight
        self.bias -= lr * self.grad_bias

    def astype(self, dtype) -> Linear:
        dtype = check_float_dtype(dtype, "Linear: dtype")
        if dtype == self.dtype:
            return self
        self.dtype = dtype
        if self.weight is not None:
            for name in ("weight", "bias", "grad_weight", "grad_bias"):
                setattr(self, name, getattr(self, name).astype(self.dtype))
        return self

    def output_width(self, in_widths):
        (source, width), = in_widths
        if width is not None and self.in_features is not None and width != self.in_features:
            raise ShapeError(
                f"node {source!r} gives width {width}, but {self!r} takes {self.in_features}"
            )
        if width is not None and self.in_features is None:  # before build() allocates
            _check_linear_size(width, self.out_features, ShapeError)
        return self.out_features

    def build(self, in_widths):
        (width,) = in_widths
        if self.in_features is None and width is not None:
            self.in_features = int(width)
            self._allocate()

    def config(self) -> dict:
        return {"in_features": self.in_features, "out_features": self.out_features,
                "init": self.init}

    def extra_repr(self) -> str:
        text = f"{self.in_features if self.in_features is not None else '?'} → {self.out_features}"
        return text if self.init == "he" else f"{text}, init='{self.init}'"


def _check_linear_size(in_features: int, out_features: int, error: type[ValueError]) -> None:
    """Refuse a Linear of more than ``MAX_PARAMETERS`` parameters, with ``error``."""
    count = (in_features + 1) * out_features
    if count > MAX_PARAMETERS:
        raise error(f"Linear({in_features} → {out_features}) would hold {count:,} parameters, "
                    f"more than the {MAX_PARAMETERS:,} a Linear may have")


class ReLU(Module):
    """``y = max(x, 0)``, element-wise."""

    x: Array | None = None

    def forward(self, x: Array) -> Array:
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, grad_out: Array) -> Array:
        return grad_out * (self.saved("x") > 0)  # dL/dx = grad_out · 1[x > 0]


class LeakyReLU(Module):
    """``y = x`` where ``x > 0``, else ``negative_slope · x``."""

    positive: Array | None = None

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = check_number(negative_slope, "LeakyReLU: negative_slope")

    def forward(self, x: Array) -> Array:
        self.positive = x > 0
        return np.where(self.positive, x, self.negative_slope * x)

    def backward(self, grad_out: Array) -> Array:
        # dL/dx = grad_out · (1 if x > 0 else negative_slope)
        return np.where(self.saved("positive"), grad_out, self.negative_slope * grad_out)

    def config(self) -> dict:
        return {"negative_slope": self.negative_slope}


class Tanh(Module):
    """``y = tanh(x)``, element-wise."""

    y: Array | None = None

    def forward(self, x: Array) -> Array:
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_out: Array) -> Array:
        y = self.saved("y")
        return grad_out * (1.0 - y * y)  # dL/dx = grad_out · (1 - y²)


class Sigmoid(Module):
    """``y = 1 / (1 + e^(-x))``, element-wise."""

    y: Array | None = None

    def forward(self, x: Array) -> Array:
        # the same function written with tanh, which never overflows: σ(x) = (1 + tanh(x/2)) / 2
        self.y = 0.5 + 0.5 * np.tanh(0.5 * x)
        return self.y

    def backward(self, grad_out: Array) -> Array:
        y = self.saved("y")
        return grad_out * y * (1.0 - y)  # dL/dx = grad_out · y (1 - y)


class Sum(Module):
    """``y = x₁ + x₂ + ...``: adds inputs of the same width (a skip connection ends here)."""

    max_inputs = None
    n_inputs: int | None = None

    def forward(self, *inputs: Array) -> Array:
        _check_some(self, inputs)
        y = inputs[0]
        for x in inputs[1:]:
            if x.shape != y.shape:  # NumPy would broadcast (5, 1) + (5, 4): not a sum of widths
                shapes = ", ".join(str(x.shape) for x in inputs)
                raise ShapeError(f"Sum adds inputs of the same shape, got {shapes}")
            y = y + x
        self.n_inputs = len(inputs)
        return y

    def backward(self, grad_out: Array) -> tuple[Array, ...]:
        return (grad_out,) * self.saved("n_inputs")  # dL/dxᵢ = grad_out, for every input

    def output_width(self, in_widths):
        known = {width for _, width in in_widths if width is not None}
        if len(known) > 1:
            listing = ", ".join(f"node {source!r} gives {width}" for source, width in in_widths)
            raise ShapeError(f"Sum adds inputs of different widths: {listing}")
        return known.pop() if known else None


class Concat(Module):
    """``y = [x₁ | x₂ | ...]``: joins its inputs side by side, in the order of the edges."""

    max_inputs = None
    bounds: Array | None = None

    def forward(self, *inputs: Array) -> Array:
        _check_some(self, inputs)
        self.bounds = np.cumsum([x.shape[1] for x in inputs])[:-1]
        return np.concatenate(inputs, axis=1)

    def backward(self, grad_out: Array) -> tuple[Array, ...]:
        # dL/dxᵢ = the columns of grad_out that came from xᵢ
        return tuple(np.split(grad_out, self.saved("bounds"), axis=1))

    def output_width(self, in_widths):
        widths = [width for _, width in in_widths]
        return None if None in widths else sum(widths)


def _check_some(module: Module, inputs: tuple) -> None:
    if not inputs:
        raise InputError(f"{module!r} takes at least one input, got none")


# -- the registry: the module classes a file may name ------------------------------------------
BUILTIN_MODULES: dict[str, type[Module]] = {
    cls.__name__: cls for cls in (Linear, ReLU, LeakyReLU, Tanh, Sigmoid, Sum, Concat)
}
"""The built-in modules by name."""

MODULES: dict[str, type[Module]] = dict(BUILTIN_MODULES)
"""Every registered module class by name: the built-ins, then the classes given to ``register``.
It is what the lab's palette lists and the only place ``load`` looks a name up: opening a file
never imports anything. Change it with ``register``, not by hand."""


def register(cls: type[Module] | None = None, *, name: str | None = None):
    """Register ``cls``, a ``Module`` subclass, under ``name`` (by default its ``__name__``), so
    that files naming it can be opened and the lab lists it; return ``cls``.

    ``ln.register(Swish)``, or as a decorator, ``@ln.register`` or
    ``@ln.register(name="MySwish")``. A name already taken by a different class is refused
    (the built-in names always are), except by the same class defined again (same module and
    qualified name: a notebook cell run twice), which replaces it. A class has one name."""
    if cls is None:
        return lambda cls: register(cls, name=name)
    if not (isinstance(cls, type) and issubclass(cls, Module)) or cls is Module:
        raise InputError(f"register: {cls!r} is not a subclass of labnet's Module")
    name = cls.__name__ if name is None else name
    if not (isinstance(name, str) and name.isidentifier()):
        raise InputError(f"register: the name must be a Python identifier, got {name!r}")
    taken = MODULES.get(name)
    if taken is not None and taken is not cls and (
            name in BUILTIN_MODULES or not _same_definition(taken, cls)):
        raise InputError(f"register: the name {name!r} is taken by {_class_path(taken)}; "
                         f"register {_class_path(cls)} under another name: "
                         f"ln.register({cls.__name__}, name=...)")
    for other, registered in MODULES.items():
        if other != name and (registered is cls or (
                other not in BUILTIN_MODULES and _same_definition(registered, cls))):
            if registered is cls:
                raise InputError(f"register: {_class_path(cls)} is already registered as "
                                 f"{other!r}")
            del MODULES[other]  # an earlier definition of this class, under another name
            break
    MODULES[name] = cls
    return cls


def registered_modules() -> dict[str, type[Module]]:
    """A copy of ``MODULES``: the built-in modules and the registered ones, by name."""
    return dict(MODULES)


def registered_name(cls: type) -> str | None:
    """The name ``cls`` is registered under, or ``None``."""
    for name, registered in MODULES.items():
        if registered is cls:
            return name
    return None


def _same_definition(old: type, new: type) -> bool:
    return (old.__module__, old.__qualname__) == (new.__module__, new.__qualname__)


def _class_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
