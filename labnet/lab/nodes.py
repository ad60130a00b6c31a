"""What a node of the lab's graph is, without its weights: ``NodeSpec``, a module class and
its constructor arguments, checked by making one; and the lab's limits on what a node may be."""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from labnet.errors import InputError, LabnetError, short_repr
from labnet.modules import MODULES, LeakyReLU, Linear, Module

INPUT = 0
"""The lab's input node: the two coordinates of a point of the plane."""
IN_FEATURES = 2
DEFAULT_WIDTH = 25
"""The width of a new Linear when none is given (the seed network's)."""
MAX_WIDTH = 4096
"""The widest Linear the lab makes (the front end's width box goes as far)."""
MAX_PARAMETERS = 2**24 + 2**16
"""The most parameters a lab's network may have (a 4096 × 4096 Linear: 128 MiB of weights)."""

SHORT_LABELS = {"ReLU": "ReLU", "LeakyReLU": "leaky", "Tanh": "tanh", "Sigmoid": "σ", "Sum": "+",
                "Concat": "cat"}


@dataclass(frozen=True)
class NodeSpec:
    """What a node is, without its weights: a module class and its constructor arguments.

    A Linear's ``in_features`` and ``init`` are left out: the graph gives the first, and the
    lab chooses the second when it draws the weights (``labnet.presets.suggested_init``: He's
    before a ReLU, Xavier's elsewhere), so an edit elsewhere never redraws a node's weights."""

    cls: type[Module]
    config: Mapping = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.cls.__name__

    @property
    def width(self) -> int | None:
        """The width of the node's output if the module fixes it (a Linear's), else None."""
        return self.config.get("out_features")

    def make(self, rng: np.random.Generator | None = None) -> Module:
        """A new module (a Linear's weights are drawn when a Network builds it)."""
        if self.cls is Linear:
            return Linear(None, rng=rng, **self.config)
        return self.cls(**self.config)

    @classmethod
    def of(cls, module: Module) -> NodeSpec:
        config = dict(module.config())
        if isinstance(module, Linear):
            config.pop("in_features", None)
            config.pop("init", None)
        return cls(type(module), MappingProxyType(config))

    @classmethod
    def new(cls, kind: str, params: Mapping) -> NodeSpec:
        """The spec of a new ``kind`` module with ``params`` (``width`` for a Linear's
        ``out_features``), checked by making one: a bad parameter is refused here."""
        if kind not in MODULES:
            raise InputError(f"unknown module kind {short_repr(kind)}; choose one of "
                             f"{', '.join(MODULES)}")
        module_class = MODULES[kind]
        params = dict(params)
        _check_names(kind, module_class, params)
        for name, value in params.items():
            if isinstance(value, float | np.floating) and not math.isfinite(value):
                raise InputError(f"{kind}: {name} must be a finite number, got {value}")
        if "width" in params:
            params["out_features"] = params.pop("width")
        if module_class is Linear:
            width = params.setdefault("out_features", DEFAULT_WIDTH)
            if isinstance(width, bool) or not isinstance(width, int | float | np.integer) or not (
                    1 <= width <= MAX_WIDTH and width == int(width)):
                raise InputError(f"Linear: width must be a whole number from 1 to {MAX_WIDTH}, "
                                 f"got {short_repr(width)}")
        if module_class is LeakyReLU:
            slope = params.get("negative_slope", 0.01)
            if isinstance(slope, bool) or not isinstance(slope, int | float | np.number) or not (
                    0 <= slope <= 1):
                raise InputError(f"LeakyReLU: the slope for x < 0 is a number from 0 to 1, got "
                                 f"{short_repr(slope)}")
        try:
            spec = cls.of(cls(module_class, params).make())
        except LabnetError:
            raise
        except (TypeError, ValueError) as error:  # a parameter the module does not take
            raise InputError(f"{kind}: {error}") from None
        unknown = sorted(set(params) - set(spec.config))
        if unknown:  # taken by the constructor, but not kept (nor saved)
            raise InputError(f"{kind} takes no parameter {', '.join(unknown)}; it takes "
                             f"{', '.join(spec.params()) or 'none'}")
        return spec

    def with_params(self, params: Mapping) -> NodeSpec:
        """This spec with some constructor arguments changed (checked as ``new`` does)."""
        return NodeSpec.new(self.kind, {**self.config, **params})

    def params(self) -> dict:
        """The parameters a user can set, by the names ``Lab.add`` takes."""
        params = dict(self.config)
        if self.cls is Linear:
            params["width"] = params.pop("out_features")
        return params

    def label(self) -> str:
        if self.cls is Linear:
            return f"Linear {self.width}"
        if self.cls is LeakyReLU:
            return f"Leaky {self.config['negative_slope']:g}"
        return self.kind

    def short_label(self) -> str:
        """A label of a few characters, for crowded drawings."""
        if self.cls is Linear:
            return f"L{self.width}"
        return SHORT_LABELS.get(self.kind, self.kind[:5])


SET_BY_THE_LAB = {"in_features": "the width of the node that feeds it",
                  "rng": "drawn from the lab's seed"}
"""Arguments of a Linear's constructor that the lab chooses itself, and from what."""


def _check_names(kind: str, module_class: type[Module], params: Mapping) -> None:
    """Refuse, in words, a parameter that ``kind`` does not take (before its constructor is
    called, whose refusal would be in Python's words)."""
    parameters = inspect.signature(module_class).parameters.values()
    if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters):
        return  # it takes any name: what it does not keep is refused after it is made
    names = [parameter.name for parameter in parameters if parameter.kind in (
        parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)]
    if module_class is Linear:
        lab_sets = [name for name in params if name in SET_BY_THE_LAB]
        if lab_sets:
            reasons = "; ".join(f"{name} is {SET_BY_THE_LAB[name]}" for name in lab_sets)
            raise InputError(f"Linear: the lab sets {', '.join(lab_sets)} itself ({reasons}); "
                             f"it takes width")
        names = ["width", "out_features"]
    unknown = [name for name in params if name not in names]
    if unknown:
        takes = ", ".join(name for name in names if name != "out_features") or "none"
        listing = ", ".join(name if name.isidentifier() and len(name) <= 40 else short_repr(name)
                            for name in unknown)
        raise InputError(f"{kind} takes no parameter {listing}; "
                         f"it takes {takes}")

