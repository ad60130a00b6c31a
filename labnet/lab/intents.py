"""The front end's intents, each mapped to the ``Lab`` method a notebook would call.

A message from the page is untrusted input: its action must be one of ``ACTIONS``, its
arguments the ones that action takes, each of a JSON type that makes sense for it. Anything
else is an ``InputError`` saying what is wrong (echoing no more than a few dozen characters of
it), before any method runs. ``intent_call`` turns an intent into the call to make; the lab
makes it (``Lab.run_intent``).

A new intent: a ``Lab`` method, its arguments here in ``ACTIONS`` (and ``REQUIRED``), and a
line in the stateful fuzz of ``tests/test_lab.py``.
"""

from __future__ import annotations

import math
from pathlib import PurePath, PureWindowsPath

from labnet.errors import InputError, short_repr
from labnet.lab.settings import check_page_cap

NUMBER = (int, float)
NODE = (int, str)
ACTIONS: dict[str, dict[str, tuple]] = {
    # the graph
    "add": {"kind": (str,), "params": (dict,), "at": (list,), "between": (list,)},
    "connect": {"src": NODE, "dst": NODE},
    "disconnect": {"src": NODE, "dst": NODE},
    "remove": {"node": NODE, "join": (bool,)},
    "replace": {"node": NODE, "kind": (str,), "params": (dict,)},
    "widen": {"node": NODE, "by": (int,)},
    "add_layer": {"width": (int,), "activation": (str,), "between": (list,)},
    "set_activation": {"kind": (str,)},
    "set_features": {"names": (list,)}, "toggle_feature": {"name": (str,), "on": (bool,)},
    "set_params": {"node": NODE, "params": (dict,)},
    "set_weight": {"node": NODE, "name": (str,), "index": (list,), "value": NUMBER},
    "edge_weights": {"src": NODE, "dst": NODE},
    "move": {"node": NODE, "x": NUMBER, "y": NUMBER},
    "tidy": {}, "undo": {}, "redo": {},
    "load_preset": {"name": (str,)},
    # data and training
    "set_data": {"dataset": (str,), "noise": NUMBER, "n_points": NUMBER,
                 "test_fraction": NUMBER, "seed": NUMBER, "standardize": (bool,),
                 "classes": NUMBER},
    "set_training": {"loss": (str,), "optimizer": (str,), "lr": NUMBER, "batch_size": NUMBER,
                     "max_steps_per_second": (*NUMBER, str),  # "none": the empty box
                     "regularization": (str,), "regularization_rate": NUMBER},
    "click_plane": {"x1": NUMBER, "x2": NUMBER},
    # a paste as text, or a file's bytes as the message's one buffer
    "load_csv": {"text": (str,), "name": (str,), "task": (str,)}, "export_csv": {},
    "step": {"n": (int,)}, "epoch": {}, "reset": {},
    "play": {}, "pause": {}, "toggle_play": {},
    # what is shown
    "show": {"test_points": (bool,), "discretize": (bool,), "edges": (str,), "click": (str,)},
    "look_at": {"node": NODE, "unit": (int,)},
    "hide": {"names": (list,)}, "reveal": {"names": (list,)},
    "present": {"on": (bool,)}, "dismiss_hint": {"key": (str,)},
    "set_lock": {"control": (str,), "mode": (str,)},
    "start_walk": {"sample": (int,)}, "walk_next": {}, "walk_back": {},
    "walk_to": {"index": (int,)}, "finish_walk": {}, "pick_sample": {"x1": NUMBER, "x2": NUMBER},
    "end_walk": {},
    # files
    "save": {"path": (str,), "replace": (bool,)}, "open": {"path": (str,)},
    "export_code": {"include_weights": (bool,)},
    "export_picture": {"path": (str,), "replace": (bool,)},
    "open_upload": {"name": (str,)},  # + the file's bytes, the message's one buffer
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "add": ("kind",), "connect": ("src", "dst"), "disconnect": ("src", "dst"),
    "remove": ("node",), "replace": ("node", "kind"), "widen": ("node",),
    "set_activation": ("kind",), "set_params": ("node",), "move": ("node", "x", "y"),
    "set_features": ("names",), "toggle_feature": ("name",),
    "set_weight": ("node", "name", "index", "value"), "edge_weights": ("src", "dst"),
    "dismiss_hint": ("key",), "set_lock": ("control",),
    "load_preset": ("name",), "click_plane": ("x1", "x2"), "look_at": ("node",),
    "walk_to": ("index",), "pick_sample": ("x1", "x2"),
    "save": ("path",), "open": ("path",), "open_upload": ("name",),
}
"""The arguments an action cannot do without (null counts as missing)."""
QUERIES = frozenset({"edge_weights"})
"""Actions that only read (the pointer on an edge): they change nothing, and their reply
carries what they return (JSON); the message line stays as it is."""
OWN_ARGUMENTS = {"add": ("self", "kind", "at", "between"), "set_params": ("self", "node"),
                 "replace": ("self", "node", "kind")}
"""The arguments of the method a module's parameter may not be named as."""
MAX_TEXT = 4096
"""The most characters of a text the page sends (a file's path may be as long)."""
NO_CAP = "none"
"""What the page sends for an empty cap box: no cap on the training rate."""


WORDS = {"lr": "the learning rate", "batch_size": "the batch size",
         "max_steps_per_second": "the cap on steps per second", "noise": "the noise",
         "n_points": "the number of points", "test_fraction": "the test part",
         "seed": "the seed", "unit": "the unit", "sample": "the point to walk",
         "index": "the step of the walk", "regularization_rate": "the regularisation rate",
         "classes": "the number of classes"}
"""What a student calls the settings the page sends (messages use these words)."""


def _checked(action: str, name: str, value, types: tuple):
    if value is None:
        return None
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise InputError(f"{action}: {name} is {len(value):,} characters long, more than "
                         f"{MAX_TEXT:,}")
    if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
        what = WORDS.get(name, f"{action}: {name}")
        raise InputError(f"{what} must be {_type_words(types)}, got {short_repr(value)}")
    if isinstance(value, list) and (
            len(value) > 100 or not all(isinstance(v, int | float | str) for v in value)):
        raise InputError(f"{action}: {name} must be a short list of numbers or names")
    if isinstance(value, dict) and (len(value) > 20 or not all(
            isinstance(k, str) and isinstance(v, int | float | str) for k, v in value.items())):
        raise InputError(f"{action}: {name} must map parameter names to numbers")
    return value


def _type_words(types: tuple) -> str:
    if types[:2] == NUMBER:  # (the cap's "none" is the page's, not the user's)
        return "a number"
    words = {int: "a whole number", float: "a number", str: "a name", bool: "true or false",
             list: "a list", dict: "a mapping"}
    return " or ".join(words[t] for t in types)


def _check_page_path(action: str, path: str) -> None:
    """From the page, files are kept in the notebook's folder and below: no absolute path, no
    way up (a student's page must not write over the server's files)."""
    if "\0" in path:
        raise InputError(f"{action}: {short_repr(path)} is not a file name; give a name such "
                         f"as my-lab.npz")
    parts = PurePath(path).parts
    if PurePath(path).is_absolute() or PureWindowsPath(path).is_absolute() or ".." in parts:
        raise InputError(f"{action}: {short_repr(path)}: the lab keeps its files in the "
                         f"notebook's folder and the folders in it; give a name such as "
                         f"my-lab.npz or runs/my-lab.npz")


def _pair(action: str, name: str, value) -> tuple | None:
    if value is None:
        return None
    if len(value) != 2:
        raise InputError(f"{action}: {name} must be two values, got {short_repr(value)}")
    return tuple(value)


PAGE_FILES = ("save", "open", "export_picture")
"""The intents that touch a file: the ``Lab`` method is told the page asks (``from_page``:
``labnet.lab.pagefiles`` decides where the file goes)."""


def intent_call(action, args, buffers=()) -> tuple[str, tuple, dict]:
    """Check the intent; return the ``Lab`` method to call, with its positional and keyword
    arguments. ``buffers``: the message's binary parts (an upload's bytes)."""
    if not isinstance(action, str) or action not in ACTIONS:
        raise InputError(f"unknown action {short_repr(action)}")
    args = {} if args is None else args
    if not isinstance(args, dict):
        raise InputError(f"{action}: its arguments must be a mapping, got {short_repr(args)}")
    allowed = ACTIONS[action]
    unknown = sorted(set(args) - set(allowed), key=str)
    if unknown:
        names = ", ".join(str(name)[:40] for name in unknown[:5])
        raise InputError(f"{action} takes no argument {names}{'...' if len(unknown) > 5 else ''}")
    args = {name: _checked(action, name, value, allowed[name]) for name, value in args.items()}
    args = {name: value for name, value in args.items() if value is not None}
    missing = [name for name in REQUIRED.get(action, ()) if name not in args]
    if missing:
        raise InputError(f"{action} needs {', '.join(missing)}")
    for name in ("path", "name"):
        if name in args:
            _check_page_path(action, args[name])
    if action == "set_training" and args.get("max_steps_per_second") == NO_CAP:
        args["max_steps_per_second"] = math.inf  # the page's empty cap box: no cap
    if action == "set_training" and "max_steps_per_second" in args:
        check_page_cap(args["max_steps_per_second"])  # never above the server's
    clash = sorted(set(args.get("params", {})) & set(OWN_ARGUMENTS.get(action, ())))
    if clash:
        raise InputError(f"{action}: a module has no parameter {clash[0]!r}")
    if action in ("save", "export_picture"):
        args.setdefault("replace", False)  # the page asks twice before replacing a file
    if action == "open_upload":  # a lab file from the student's machine
        if len(buffers) != 1:
            raise InputError(f"open_upload: the file's bytes come as one buffer, got "
                             f"{len(buffers)}")
        return "open", (args["name"],), {"content": bytes(buffers[0]), "from_page": True}
    if action == "set_lock":  # the page's locks: it may loosen them later (not the teacher's)
        return action, (), {**args, "sealed": False}
    if action == "load_csv":  # a paste, or a file from the student's machine
        if bool(buffers) == ("text" in args) or len(buffers) > 1:
            raise InputError("load_csv takes CSV text, or one file's bytes")
        if buffers:
            args["text"] = bytes(buffers[0])
    if action in PAGE_FILES:
        return action, (), {**args, "from_page": True}
    if action == "add":
        params = args.pop("params", {})
        return "add", (args.pop("kind", None),), {
            "at": _pair(action, "at", args.get("at")),
            "between": _pair(action, "between", args.get("between")), **params}
    if action == "set_params":
        return "set_params", (args["node"],), args.get("params", {})
    if action == "replace":
        return "replace", (args["node"], args["kind"]), args.get("params", {})
    if action == "add_layer" and "between" in args:
        args["between"] = _pair(action, "between", args["between"])
    if action in ("hide", "reveal"):
        return action, tuple(str(name) for name in args.get("names", [])), {}
    return action, (), args
