"""A teacher's lab: controls locked (shown, not moving) or hidden, so that students who open the
lab get one where only the intended controls move.

``Lock`` is a value: each control of ``CONTROLS`` is ``"free"``, ``"locked"`` or ``"hidden"``.
The page shows it (a locked control greyed, a hidden one gone), but the page is not what holds
it: every intent from the page is checked here first (``Lock.check``), and one that would move
a control locked or hidden is refused, naming it. Intents are untrusted; the check is in Python.

Who can loosen a lock. A lock set in Python (``Lab(lock=...)``, ``lab.set_lock``) or read from a
lab file is *sealed*: no intent from the page can loosen it, neither ``set_lock`` nor an Open
(a lab opened from the page keeps the locks of the lab it replaces, added to the file's, and a
file that differs from the lab in a control locked is refused: ``Lock.check_open``). The
page's Teach panel can lock more, and loosen only what it locked itself since the lab was made
or opened. So a teacher's file or link cannot be undone from the page; the teacher frees a
control from Python (``lab.set_lock("lr", "free")``), where, with the kernel, anything goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from labnet.errors import InputError, short_repr
from labnet.lab.dataset import CUSTOM
from labnet.lab.edits import ACTIVATIONS

MODES = ("free", "locked", "hidden")
"""From loosest to strictest."""
CONTROLS: dict[str, str] = {
    "play": "Play, Step and Epoch",
    "reset": "Reset (new weights)",
    "dataset": "the data set (and data of one's own)",
    "noise": "the noise",
    "points": "the points, test part, seed, classes and standardising",
    "clicks": "adding and removing points on the plane",
    "lr": "the learning rate",
    "optimizer": "the optimizer",
    "loss": "the loss",
    "batch": "the batch size",
    "activation": "the activation picker",
    "regularisation": "the regularisation",
    "features": "the input's features (x₁², sin x₁...)",
    "graph": "editing the graph (modules, edges, widths, presets)",
    "weights": "setting a weight by hand",
    "teach": "hiding and revealing views, and these locks",
    "files": "Save and Open",
}
"""The controls a teacher can lock or hide, and what each is, in words."""
ACTION_CONTROLS = {
    **dict.fromkeys(("add", "connect", "disconnect", "remove", "replace", "widen", "add_layer",
                     "set_params", "load_preset"), "graph"),
    "set_activation": "activation", "set_weight": "weights", "load_csv": "dataset",
    "set_features": "features", "toggle_feature": "features",
    "click_plane": "clicks", "step": "play", "epoch": "play", "play": "play", "reset": "reset",
    "hide": "teach", "reveal": "teach", "set_lock": "teach",
    "save": "files", "open": "files", "open_upload": "files",
}
"""The control each action moves, whatever its arguments."""
ARGUMENT_CONTROLS = {
    "set_data": {"dataset": "dataset", "classes": "dataset", "noise": "noise",
                 "n_points": "points", "test_fraction": "points", "seed": "points",
                 "standardize": "points"},
    "set_training": {"loss": "loss", "optimizer": "optimizer", "lr": "lr",
                     "batch_size": "batch", "regularization": "regularisation",
                     "regularization_rate": "regularisation",
                     "max_steps_per_second": None},  # (free below the server's cap: intents)
    "show": {"click": "clicks", "test_points": None, "discretize": None, "edges": None},
}
"""The control each argument of these actions moves (None: none)."""
FREE = frozenset({
    "pause", "toggle_play", "undo", "redo",  # (checked by what they do: see Lock.check)
    "move", "tidy", "edge_weights", "look_at", "present", "dismiss_hint", "export_csv",
    "export_code", "export_picture", "start_walk", "walk_next", "walk_back", "walk_to",
    "finish_walk", "pick_sample", "end_walk",
})
"""Actions no lock holds: they look, lay the graph out, or write a copy for the student. (Some
move a control by what they do, not by their name, and the ``Lab`` checks them as they do it
(``Lab._page_may``): under a lock of "play" a walk from the page only shows its update, and a
walk under way does not make it; data that refit the output count as "graph" and "weights",
and as "loss" if they change it.)"""


class LockedError(InputError):
    """A control the lab's teacher locked or hid."""


@dataclass(frozen=True)
class Lock:
    """Each control's mode (those not named are free), and the controls whose lock the page
    cannot loosen (``sealed``)."""

    modes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sealed: frozenset[str] = frozenset()

    @classmethod
    def of(cls, spec: Iterable[str] | Mapping[str, str] | Lock | None) -> Lock:
        """A sealed lock from ``spec``: control names (locked), or ``{control: mode}``."""
        if spec is None:
            return cls()
        if isinstance(spec, Lock):
            return spec
        if isinstance(spec, str) or not isinstance(spec, Iterable):
            raise InputError(f"lock must be control names or a mapping of them to a mode, got "
                             f"{short_repr(spec)}; the controls are {', '.join(CONTROLS)}")
        items = spec.items() if isinstance(spec, Mapping) else ((name, "locked") for name in spec)
        lock = cls()
        for count, (control, mode) in enumerate(items):
            if count >= len(CONTROLS):
                raise InputError(f"lock names more than the {len(CONTROLS)} controls there are")
            lock = lock.with_mode(control, mode, sealed=True)
        return lock

    def mode(self, control: str) -> str:
        return self.modes.get(control, "free")

    def with_mode(self, control, mode, *, sealed: bool) -> Lock:
        """This lock with ``control`` ``mode``; ``sealed``: the page cannot loosen it (a lock
        set from the page is not, until the lab is saved and opened again)."""
        if not isinstance(control, str) or control not in CONTROLS:
            raise InputError(f"there is no control {short_repr(control)} to lock; the controls "
                             f"are {', '.join(CONTROLS)}")
        if not isinstance(mode, str) or mode not in MODES:
            raise InputError(f"a control is {', '.join(MODES)}, not {short_repr(mode)}")
        modes = {name: m for name, m in self.modes.items() if name != control}
        if mode != "free":
            modes[control] = mode
        sealed_now = (self.sealed | {control}) if sealed and mode != "free" else (
            self.sealed - {control} if mode == "free" else self.sealed)
        return Lock(MappingProxyType(modes), frozenset(sealed_now))

    def merged(self, other: Lock) -> Lock:
        """Each control as the stricter of the two locks has it, sealed if either seals it."""
        modes = {}
        for control in {*self.modes, *other.modes}:
            modes[control] = max(self.mode(control), other.mode(control), key=MODES.index)
        return Lock(MappingProxyType(modes), self.sealed | other.sealed)

    def covers(self, other: Lock) -> bool:
        """Whether this lock is at least as strict as ``other`` wherever ``other`` seals."""
        return all(MODES.index(self.mode(c)) >= MODES.index(other.mode(c)) and c in self.sealed
                   for c in other.sealed)

    # -- the page's intents -----------------------------------------------------------------
    def check(self, action: str, args: dict, *, playing: bool = False,
              next_undo: str | tuple[str, ...] | None = None) -> None:
        """A ``LockedError`` if the page's intent ``action`` (``args``, as checked by
        ``intent_call``) would move a control this lock holds. ``playing``: Play pauses (always
        allowed); ``next_undo``: what an undo or redo would change (``"features"``, ``"graph"``,
        ``"weights"``; several for data that refit the output: ``LabState.next_undo``)."""
        self.check_controls(self.moved(action, args, playing=playing, next_undo=next_undo))
        if action == "set_lock":
            control, mode = args.get("control"), args.get("mode", "locked")
            if control in self.sealed and mode in MODES and (
                    MODES.index(mode) < MODES.index(self.mode(control))):
                raise LockedError(f"{_capital(CONTROLS[control])}: {self.mode(control)} by the "
                                  f"lab's teacher; it cannot be freed from the page")

    def check_controls(self, controls: Iterable[str], because: str = "") -> None:
        """A ``LockedError`` naming the first of ``controls`` this lock holds (``because``:
        why the intent would move it, when its action does not say: a data set that refits the
        graph, a walk's update)."""
        for control in controls:
            if self.mode(control) != "free":
                why = f" ({because})" if because else ""
                raise LockedError(f"{_capital(CONTROLS[control])}: {self.mode(control)} in this "
                                  f"lab, by its teacher{why}")

    def moved(self, action: str, args: dict, *, playing: bool = False,
              next_undo: str | tuple[str, ...] | None = None) -> list[str]:
        """The controls the intent would move."""
        if action in ACTION_CONTROLS:
            return [ACTION_CONTROLS[action]]
        if action == "toggle_play":
            return [] if playing else ["play"]
        if action in ("undo", "redo"):
            return [] if next_undo is None else (
                [next_undo] if isinstance(next_undo, str) else list(next_undo))
        if action in ARGUMENT_CONTROLS:
            controls = ARGUMENT_CONTROLS[action]
            if action == "show" and args.get("click") in (None, "off"):
                return []  # (clicks that do nothing move nothing)
            return [controls[name] for name in args if controls.get(name) is not None]
        return []

    # -- the page and the file --------------------------------------------------------------
    def as_json(self) -> dict:
        return {"modes": dict(self.modes), "sealed": sorted(self.sealed)}

    def saved(self) -> dict:
        """What a lab file keeps: each control's mode (all sealed when it is opened)."""
        return dict(self.modes)

    def check_open(self, old: tuple, new: tuple) -> None:
        """A ``LockedError`` if the lab ``new`` (its ``(state, display)``), opened from the page
        in place of ``old``, differs from it in a control this lock holds: an Open brings in a
        file's settings, graph and weights, and must not move what the page may not."""
        for control in self.modes:
            if held(control, *old) != held(control, *new):
                raise LockedError(f"{_capital(CONTROLS[control])}: {self.mode(control)} in this "
                                  f"lab, by its teacher, and this file has another; open it "
                                  f"from Python if you are the teacher")


def held(control: str, state, display) -> object:
    """What ``control`` holds in a lab (its ``LabState`` and ``Display``), as a value to
    compare: the learning rate, the graph's wiring, the weights..."""
    data, training, graph = state.data, state.training, state.graph
    if control in ("play", "reset", "weights"):  # (what Play, Reset and a weight set change)
        network = state.network
        return None if network is None else [value.tobytes() for value, _ in network.params()]
    if control in ("dataset", "clicks"):
        points = tuple(array.tobytes() for part in (data.train, data.test) for array in part)
        kind = (data.settings.dataset, data.settings.classes, data.task)
        return (kind, points) if control == "clicks" or kind[0] == CUSTOM else kind
    if control == "noise":
        return data.settings.noise
    if control == "points":
        settings = data.settings
        return settings.n_points, settings.test_fraction, settings.seed, settings.standardize
    if control in ("lr", "optimizer", "loss"):
        return getattr(training, control)
    if control == "batch":
        return training.batch_size
    if control == "regularisation":
        return training.regularization, training.regularization_rate
    if control == "activation":
        return frozenset(spec.kind for spec in graph.nodes.values()
                         if spec.kind in ACTIVATIONS)
    if control == "features":
        return graph.features
    if control == "graph":
        return dict(graph.nodes), graph.edges, graph.features
    if control == "teach":
        return display.hidden
    return None  # files: an Open is refused with it


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
