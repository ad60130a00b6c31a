"""What the lab shows, as one value: hidden views, the node looked at, the walk, how points and
edges are drawn, the size. A new view is built from it in one line (the widget's ``view`` trait
is ``traits.view_json(display)``); saving a lab keeps the parts of it that are plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from labnet.errors import InputError, short_repr
from labnet.lab.lock import Lock
from labnet.network import Node
from labnet.walkthrough import Walk

VIEWS = ("boundary", "curves", "gradients", "graph", "errors")
"""What a teacher can hide from the class ("errors": the error rates in the status line)."""
CLASS_NAMES = ("orange", "blue", "green", "pink", "red", "sky", "violet", "grey")
"""Each class by the name of its colour (``labnet.lab.pictures.CLASS_COLOURS``): class 0 is
orange, class 1 blue, as in TensorFlow Playground."""
CLICK_MODES = ("off", *CLASS_NAMES, "remove")
"""What a click on the plane does: nothing, add a point of a class (``"orange"``: class 0,
``"blue"``: class 1, ``"green"``: class 2...), remove the nearest point."""
EDGE_MODES = ("gradient", "weights")
"""What an edge's width shows: the norm of the gradient that flowed back along it, or of the
weights it goes through."""
SCALES = (0.5, 3.0)
PRESENTATION_SCALE = 1.4


@dataclass(frozen=True)
class Display:
    hidden: frozenset[str] = frozenset()
    show_test: bool = True
    """Draw the test points (hollow) over the plane."""
    discretize: bool = False
    """Colour the plane by class, not by score."""
    click: str = "off"
    edges: str = "gradient"
    scale: float = 1.0
    """1.4 for a projector (presentation mode)."""
    picked: Node | None = None
    """The node looked at (the Inside tab shows its unit over the plane; the graph outlines
    it)."""
    units: Mapping[Node, int] = field(default_factory=dict)
    """The unit each node's thumbnail shows (default 0)."""
    walk: Walk | None = None
    """A step-through walk under way."""
    lock: Lock = field(default_factory=Lock)
    """The controls the lab's teacher locked or hid (``labnet.lab.lock``)."""

    def changed(self, **changes) -> Display:
        """This display with ``changes`` (``None`` leaves a value), every value checked."""
        names = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise InputError(f"unknown display setting(s) {', '.join(unknown)}")
        new = replace(self, **{k: v for k, v in changes.items()
                               if v is not None or k in ("picked", "walk")})
        return new.checked()

    def checked(self) -> Display:
        hidden = frozenset(self.hidden)
        unknown = sorted(str(name) for name in hidden - set(VIEWS))
        if unknown:
            names = ", ".join(name[:40] for name in unknown[:5])
            raise InputError(f"cannot hide {names}{'...' if len(unknown) > 5 else ''}; choose "
                             f"among {', '.join(VIEWS)}")
        for name in ("show_test", "discretize"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name} must be True or False, got "
                                 f"{short_repr(getattr(self, name))}")
        if self.click not in CLICK_MODES:
            raise InputError(f"a click on the plane does one of {', '.join(CLICK_MODES)}, not "
                             f"{short_repr(self.click)}")
        if self.edges not in EDGE_MODES:
            raise InputError(f"edges show one of {', '.join(EDGE_MODES)}, not "
                             f"{short_repr(self.edges)}")
        scale = self.scale
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not (
                SCALES[0] <= scale <= SCALES[1]):  # (NaN compares False)
            raise InputError(f"scale must be between {SCALES[0]} and {SCALES[1]}, got "
                             f"{short_repr(scale)}")
        if not isinstance(self.lock, Lock):
            raise InputError(f"lock must be a labnet.lab.lock.Lock, got {type(self.lock)}")
        return replace(self, hidden=hidden, scale=float(scale), units=dict(self.units))

    def saved(self) -> dict:
        """The plain values to keep in a lab file (not the walk, not the node picked)."""
        return {"hidden": sorted(self.hidden), "show_test": self.show_test,
                "discretize": self.discretize, "edges": self.edges, "scale": self.scale,
                "lock": self.lock.saved()}
