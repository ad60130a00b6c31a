"""Save a whole lab to one file, and open it again exactly where it was.

The file is a NumPy ``.npz`` archive read without pickle (``labnet.archive.read_archive``): its
arrays (weights, the user's own points, optimizer state, the order of the epoch under way) under
their own names, and under ``"__lab__"`` a JSON description of the rest: the graph being edited
(with where each node is drawn), the network being trained, the data and training settings, what
is shown, the counters, the history and the random generator's state.

A file is untrusted input. Opening one imports nothing (module classes are looked up among the
registered ones), checks every part before it builds anything, and turns every fault into a
``ValueError`` naming the file and the part; a lab that fails to open is left as it was.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib

import numpy as np

from labnet.archive import read_archive
from labnet.errors import InputError, LabnetError, short_repr
from labnet.features import FEATURES, PLAIN
from labnet.lab.dataset import DataSettings, LabData, Points
from labnet.lab.display import Display
from labnet.lab.graph import MAX_EDGES, Graph
from labnet.lab.inputs import in_order
from labnet.lab.lock import Lock
from labnet.lab.nodes import MAX_PARAMETERS, MAX_WIDTH, NodeSpec
from labnet.lab.settings import TrainingSettings
from labnet.lab.state import LabState
from labnet.spec import MAX_NODES, graph_spec, module_from_spec, module_spec, network_from_spec
from labnet.writing import archive_bytes, write_archive

FORMAT = 2
MAX_BYTES = 256 * 2**20
"""The longest lab file: one written is opened again (a lab of a few dozen nodes that has
played for hours takes under 30 MiB; Adam's moments triple the weights of a big network)."""
KEY = "__lab__"


class FileExistsInputError(InputError):
    """A file that would be replaced, and was not to be (the page asks a second time)."""


def checked_name(path, suffix: str, what: str) -> str:
    """``path`` as text, if it names a ``suffix`` file: a name that does not end in ``suffix``
    (a notebook, say) is refused."""
    if not isinstance(path, str | os.PathLike):
        raise InputError(f"a file name is text, got {short_repr(path)}")
    text = os.fspath(path)
    if not text.strip() or os.path.basename(text) == suffix:  # ("" or ".npz": hidden)
        raise InputError(f"give the file a name, such as my-lab{suffix}")
    if not text.endswith(suffix):
        raise InputError(f"{what}'s name ends in {suffix}: {short_repr(text)} does not (it could "
                         f"be a notebook, or anything else)")
    return text


def checked_path(path, suffix: str, what: str, *, replace: bool = True) -> str:
    """``path`` as text, if it names a ``suffix`` file that can be written (``checked_name``):
    a folder is refused, and an existing file unless ``replace``."""
    text = checked_name(path, suffix, what)
    if os.path.isdir(text):
        raise InputError(f"{short_repr(text)} is a folder: give a file name, such as "
                         f"my-lab{suffix}")
    if not replace and os.path.exists(text):
        raise FileExistsInputError(f"{short_repr(text)} already exists: press again to replace it")
    return text


def save_lab(state: LabState, display: Display, path: str | os.PathLike) -> None:
    """Write everything about ``state`` (and the plain parts of ``display``) to ``path``."""
    write_archive(path, _lab_arrays(state, display), max_bytes=MAX_BYTES)


def lab_bytes(state: LabState, display: Display, name: str) -> bytes:
    """The bytes ``save_lab`` would write to a file called ``name`` (a download)."""
    return archive_bytes(name, _lab_arrays(state, display), max_bytes=MAX_BYTES)


def _lab_arrays(state: LabState, display: Display) -> dict[str, np.ndarray]:
    """Everything about ``state`` as the arrays of a lab file (the description under KEY)."""
    state.scorer.finish()  # the errors of the epochs ended: a file opened computes no more
    arrays: dict[str, np.ndarray] = {}
    network, graph = state.network, state.graph
    data = state.data.settings
    description = {
        "format": FORMAT,
        "graph": {
            "nodes": [[node, module_spec(spec.make())] for node, spec in graph.nodes.items()],
            "edges": [list(edge) for edge in graph.edges],
            "positions": [[node, x, y] for node, (x, y) in graph.positions.items()],
            "features": list(graph.features),
        },
        "features": list(state.features),  # (those of the network trained)
        "network": None if network is None else graph_spec(network),
        "data": {"dataset": data.dataset, "noise": data.noise, "n_points": data.n_points,
                 "test_fraction": data.test_fraction, "seed": data.seed,
                 "standardize": data.standardize, "classes": data.classes},
        "training": {"loss": state.training.loss, "optimizer": state.training.optimizer,
                     "lr": state.training.lr, "batch_size": state.training.batch_size,
                     "max_steps_per_second": state.training.max_steps_per_second,
                     "regularization": state.training.regularization,
                     "regularization_rate": state.training.regularization_rate},
        "display": display.saved(),
        "rng": state.rng.bit_generator.state,
        "trainer": None if state.trainer is None else _split(state.trainer.state_dict(),
                                                              "trainer", arrays),
    }
    if network is not None:
        arrays.update({f"weights/{key}": value for key, value in network.state_dict().items()})
    points = state.data.points
    if points is not None:
        arrays["points/x"], arrays["points/labels"] = points.x, points.labels  # (or targets)
        arrays["points/test"] = points.test
        description["points"] = {"classes": points.classes}
    arrays[KEY] = np.array(json.dumps(_json_safe(description), allow_nan=False))
    return arrays


def open_lab(path: str | os.PathLike, content: bytes | None = None) -> tuple[LabState, Display]:
    """The state and the display of the lab saved in ``path`` (or, with ``content``, in those
    bytes, a file of that name uploaded from a browser: the same checks, the same bounds)."""
    name = os.fspath(path)
    try:
        description, arrays = read_archive(path, KEY, "labnet lab", max_bytes=MAX_BYTES,
                                           content=content)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as error:  # a damaged archive (or one zipfile cannot read: encrypted)
        raise InputError(f"{name!r} is not a labnet lab file that can be opened: it is "
                         f"damaged ({type(error).__name__}: {error})") from None
    except MemoryError:  # an array whose header asks for more memory than there is
        raise InputError(f"{name!r} is not a labnet lab file that can be opened: an array in "
                         f"it is too big") from None
    try:
        return _lab_from(Reader(description, name), arrays)
    except LabnetError as error:
        message = str(error)
        raise InputError(message if name in message else f"{name!r}: {message}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
            RecursionError) as error:  # a part of the file that is not what it should be
        raise InputError(f"{name!r} is not a labnet lab file that can be opened: "
                         f"{type(error).__name__}: {error}") from None


class Reader:
    """Reads the parts of a description, checking each: a part missing or of the wrong kind
    is an ``InputError`` naming the file and the part (``"data.noise"``)."""

    def __init__(self, description, path: str) -> None:
        self.description, self.path = description, path

    def get(self, where: str, kind: type | tuple, optional: bool = False):
        value = self.description
        for part in where.split("."):
            if not isinstance(value, dict) or part not in value:
                if optional:
                    return None
                raise InputError(f"{self.path!r}: its description has no {where}")
            value = value[part]
        if value is None and optional:
            return None
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise InputError(f"{self.path!r}: {where} must be {_kind_words(kind)}, got {value!r}")
        if not isinstance(value, kind):
            raise InputError(f"{self.path!r}: {where} must be {_kind_words(kind)}, got "
                             f"{short_repr(value)}")
        return value

    def pairs(self, where: str, size: int, limit: int = MAX_NODES) -> list[list]:
        """A list of lists of ``size`` items (such as ``[[node, spec], ...]``)."""
        items = self.get(where, list)
        if len(items) > limit:
            raise InputError(f"{self.path!r}: {where} has {len(items)} entries, more than "
                             f"{limit}")
        for i, item in enumerate(items):
            if not isinstance(item, list) or len(item) != size:
                raise InputError(f"{self.path!r}: {where}[{i}] must be a list of {size} items, "
                                 f"got {short_repr(item)}")
            node = item[0]
            if isinstance(node, bool) or not isinstance(node, int | str):
                raise InputError(f"{self.path!r}: {where}[{i}] names node {short_repr(node)}: a "
                                 f"node id is a whole number or a name")
        return items


def _kind_words(kind) -> str:
    if kind == (int, float):
        return "a number"
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {dict: "a mapping", list: "a list", str: "text", int: "a whole number",
             float: "a number", bool: "true or false", type(None): "null"}
    return " or ".join(words.get(k, k.__name__) for k in kinds)


NUMBER = (int, float)


def _lab_from(read: Reader, arrays: dict) -> tuple[LabState, Display]:
    if read.get("format", int) != FORMAT:
        raise InputError(f"{read.path!r}: unknown lab file format {read.description['format']!r}"
                         f" (this labnet reads format {FORMAT})")
    data = DataSettings(
        dataset=read.get("data.dataset", str), noise=read.get("data.noise", NUMBER),
        n_points=read.get("data.n_points", NUMBER),
        test_fraction=read.get("data.test_fraction", NUMBER),
        seed=read.get("data.seed", NUMBER), standardize=read.get("data.standardize", bool),
        **_optional(read, {"classes": ("data.classes", NUMBER)}),
    ).checked()
    points = None
    if "points/x" in arrays:
        test = np.asarray(arrays.get("points/test"))
        points = Points.of(arrays["points/x"], arrays.get("points/labels"), 0.5, 0,
                           read.get("points.classes", int, optional=True))
        if test.shape != (len(points.x),) or test.dtype != bool or test.all() or (
                not test.any()):
            raise InputError(f"{read.path!r}: points/test must say, for each point, whether it "
                             f"is a test point (one at least, and one training point)")
        points = Points(points.x, points.labels, test.copy(), points.classes)
    training = TrainingSettings(
        loss=read.get("training.loss", str), optimizer=read.get("training.optimizer", str),
        lr=read.get("training.lr", NUMBER), batch_size=read.get("training.batch_size", NUMBER),
        max_steps_per_second=read.get("training.max_steps_per_second", NUMBER, optional=True),
        **_optional(read, {"regularization": ("training.regularization", str),
                           "regularization_rate": ("training.regularization_rate", NUMBER)}),
    ).checked()
    display = _display(read)
    network = None
    if read.get("network", dict, optional=True) is not None:
        network = _network(read)
        network.load_state_dict({key[len("weights/"):]: value for key, value in arrays.items()
                                 if key.startswith("weights/")})
    graph = _graph(read)
    trainer = read.get("trainer", dict, optional=True)
    state = LabState.restore(
        data=LabData.make(data, points), training=training, graph=graph, network=network,
        features=_features(read, "features"), rng_state=read.get("rng", dict),
        trainer_state=None if trainer is None else _join(trainer, arrays, read.path))
    return state, display


def _optional(read: Reader, parts: dict[str, tuple[str, type | tuple]]) -> dict:
    """The parts a file may lack (one written before they were saved): ``{argument: value}``
    for those it has, checked as ``read.get`` checks them."""
    found = {name: read.get(where, kind, optional=True) for name, (where, kind) in parts.items()}
    return {name: value for name, value in found.items() if value is not None}


def _module_spec(read: Reader, where: str, node, spec, built: bool) -> dict:
    """A module's spec, checked before a module is made from it: a class name, a config, and
    widths the lab takes (``built``: with its input width, as in the network trained), so no
    file makes the lab allocate more than it would itself."""
    if not (isinstance(spec, dict) and isinstance(spec.get("class"), str)
            and isinstance(spec.get("config"), dict)):
        raise InputError(f"{read.path!r}: {where}: node {node!r}'s module must be a mapping "
                         f"with a class and a config, got {short_repr(spec)}")
    config = spec["config"]
    for key in ("in_features", "out_features"):
        if key not in config or (key == "in_features" and not built):
            continue
        width = config[key]
        if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
            raise InputError(f"{read.path!r}: {where}: node {node!r}'s {key} is "
                             f"{short_repr(width)}, not a width from 1 to {MAX_WIDTH}")
    return spec


def _network(read: Reader):
    """The network trained, checked part by part before it is built (its weights drawn anew,
    then loaded from the file)."""
    total = 0
    for node, spec in read.pairs("network.nodes", 2):
        config = _module_spec(read, "network.nodes", node, spec, built=True)["config"]
        if "out_features" in config:
            total += (config.get("in_features", 0) + 1) * config["out_features"]
    if total > MAX_PARAMETERS:
        raise InputError(f"{read.path!r}: its network has {total:,} parameters, more than the "
                         f"lab's {MAX_PARAMETERS:,}")
    read.pairs("network.connectivity", 2, limit=MAX_NODES + 1)
    return network_from_spec(read.get("network", dict), max_bytes=MAX_BYTES)


def _graph(read: Reader) -> Graph:
    nodes = {}
    for node, spec in read.pairs("graph.nodes", 2):
        spec = _module_spec(read, "graph.nodes", node, spec, built=False)
        if "in_features" in spec["config"]:  # inferred from the graph: nothing is allocated
            spec = {**spec, "config": {**spec["config"], "in_features": None}}
        nodes[node] = NodeSpec.of(module_from_spec(spec, max_bytes=MAX_BYTES))
    edges = []
    for i, (src, dst) in enumerate(read.pairs("graph.edges", 2, limit=MAX_EDGES)):
        if (src not in nodes and src != 0) or dst not in nodes:
            raise InputError(f"{read.path!r}: graph.edges[{i}] is {src!r} → {dst!r}, between "
                             f"nodes that are not in the graph")
        edges.append((src, dst))
    positions = {}
    for node, x, y in read.pairs("graph.positions", 3, limit=MAX_NODES + 1):
        if isinstance(x, bool) or isinstance(y, bool) or not (
                isinstance(x, NUMBER) and isinstance(y, NUMBER)
                and math.isfinite(x) and math.isfinite(y)):
            raise InputError(f"{read.path!r}: graph.positions: node {node!r} is at "
                             f"({short_repr(x)}, {short_repr(y)}), not two finite numbers")
        positions[node] = (float(x), float(y))
    graph = Graph(nodes, tuple(edges), positions, _features(read, "graph.features"))
    if not all(node in positions for node in (0, *nodes)):
        graph = graph.tidy()
    return graph


def _features(read: Reader, where: str) -> tuple[str, ...]:
    """The features of the input (``labnet.FEATURES`` names; x1, x2 in a file without them)."""
    names = read.get(where, list, optional=True)
    if names is None:
        return PLAIN
    if len(names) > len(FEATURES):
        raise InputError(f"{read.path!r}: {where} has {len(names)} entries, more than there "
                         f"are features")
    return in_order(names)


def _display(read: Reader) -> Display:
    lock = read.get("display.lock", dict, optional=True)  # (a file before locks has none)
    try:
        lock = Lock.of(lock)  # sealed: what the teacher locked, a student's page cannot free
    except InputError as error:
        raise InputError(f"{read.path!r}: display.lock: {error}") from None
    return Display(
        hidden=frozenset(read.get("display.hidden", list)),
        show_test=read.get("display.show_test", bool),
        discretize=read.get("display.discretize", bool),
        edges=read.get("display.edges", str),
        scale=read.get("display.scale", NUMBER),
        lock=lock,
    ).checked()


def _json_safe(value):
    """``value`` with NumPy scalars as Python numbers and NaN as None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}  # nan, inf, -inf, read back by _join
    return value


def _split(value, name: str, arrays: dict):
    """``value`` with its arrays moved into ``arrays`` (under names made from ``name``) and
    replaced by ``{"array": that name}``, so the rest can be written as JSON."""
    if isinstance(value, np.ndarray):
        arrays[name] = value
        return {"array": name}
    if isinstance(value, dict):
        return {key: _split(item, f"{name}/{key}", arrays) for key, item in value.items()}
    if isinstance(value, list | tuple) and len(value) >= 32 and all(
            isinstance(item, int | float) and not isinstance(item, bool) for item in value):
        # a long series of numbers (the history): an array, 8 bytes a number (JSON text in a
        # NumPy string takes 4 bytes a character: a deep network's history took 27 MB)
        kind = np.int64 if all(isinstance(item, int) for item in value) else np.float64
        arrays[name] = np.asarray(value, dtype=kind)
        return {"array": name}
    if isinstance(value, list | tuple):
        return [_split(item, f"{name}/{i}", arrays) for i, item in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _join(value, arrays: dict, path: str, depth: int = 0):
    """The inverse of ``_split`` (and of ``_json_safe``'s non-finite floats)."""
    if depth > 50:
        raise InputError(f"{path!r}: the trainer's state is nested too deep")
    if isinstance(value, dict):
        if set(value) == {"array"}:
            if value["array"] not in arrays:
                raise InputError(f"{path!r}: the trainer's state names an array "
                                 f"{short_repr(value['array'])} the file does not have")
            return arrays[value["array"]]
        if set(value) == {"float"} and value["float"] in ("nan", "inf", "-inf"):
            return float(value["float"])
        return {key: _join(item, arrays, path, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_join(item, arrays, path, depth + 1) for item in value]
    return value
