"""Save a network, its graph and its weights, to one file, and load it back exactly; or export it
as Python code (``to_python``) that rebuilds it.

The file is a NumPy ``.npz`` archive: one array per parameter (named as in ``state_dict()``, e.g.
``"1.weight"``) and, under ``"__labnet__"``, the graph as JSON: each node's module class (by the
name it is registered under) and constructor arguments, and the connectivity.

Opening a file runs no code from it and asks for a bounded amount of memory:

- module classes are looked up by name in the registry (``labnet.modules.MODULES``: the built-in
  modules and those given to ``ln.register``); nothing is ever imported, nothing unpickled;
- the archive's directory, each member's declared size and each array's header (shape, dtype)
  are checked against ``max_bytes`` before any data is read, and only the members asked for are
  read; the JSON is checked for its nesting depth before it is parsed;
- every part of the description is checked (types, ranges) before a module is built.

Whatever is wrong with a file becomes an ``InputError`` naming the file and the part at fault.
Saving is atomic: the archive is written to a temporary file in the same folder, flushed to disk,
then renamed over the old file, which a failed save leaves as it was.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import numbers
import os
import re
import secrets
import stat
import struct
import sys
import textwrap
import zipfile
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import numpy as np

from labnet.errors import InputError, LabnetError, check_float_dtype, short_repr
from labnet.modules import BUILTIN_MODULES, MODULES, Linear, Module, registered_name
from labnet.network import Network

FORMAT = 1
SPEC_KEY = "__labnet__"

MAX_BYTES = 64 * 2**20
"""What reading a file may take by default: the file itself, and all it holds that is read
(arrays and JSON text together), at most 64 MiB. A lab of a few dozen nodes that has played
for hours is under 30 MiB."""
MAX_MEMBERS = 10_000
"""The most arrays an archive may hold."""
MAX_JSON_DEPTH = 64
"""How deeply a file's JSON description may nest lists and objects."""
MAX_NODES = 1_000
"""The most nodes a network read from a file may have (and a lab's graph: its page draws every
node)."""
MAX_WIDTH = 2**14
"""The widest Linear (``in_features``, ``out_features``) a file may describe."""
ARRAY_KINDS = "biuf"
"""The kinds of array a file may hold (NumPy's ``dtype.kind``): bools, integers, floats. No
objects (they would need pickle), no complex numbers, no structured records."""

_CHUNK = 2**20  # bytes read at a time from an archive member


# -- the registry, and the modules of a file -----------------------------------------------------
def module_spec(module: Module) -> dict[str, Any]:
    """``{"class": registered name, "config": constructor arguments}`` for one module.

    A module whose class is not registered is refused: a file naming it could not be opened."""
    cls = type(module)
    name = registered_name(cls)
    if name is None:
        raise InputError(f"{cls.__qualname__} is not a registered module class, so a file "
                         f"naming it could not be opened: call ln.register({cls.__name__}) "
                         f"(or decorate the class with @ln.register) before saving")
    return {"class": name, "config": module.config()}


def module_from_spec(spec: Any, *, where: str | os.PathLike | None = None,
                     node: Any = None, max_bytes: int = MAX_BYTES) -> Module:
    """A new module from ``module_spec`` data. Its class is looked up in the registry only.

    ``where`` (a file) and ``node`` name the culprit in errors; a ``Linear`` whose weights would
    take more than ``max_bytes`` is refused before it is built."""
    at = _prefix(where) + ("" if node is None else f"node {node!r}: ")
    if not isinstance(spec, dict):
        raise InputError(f"{at}a module must be described by an object with 'class' and "
                         f"'config', got {short_repr(spec)}")
    name, config = spec.get("class"), spec.get("config", {})
    if not isinstance(name, str):
        raise InputError(f"{at}the module class must be a name, got {short_repr(name)}")
    if not isinstance(config, dict):
        raise InputError(f"{at}the config of {name} must be an object, got {short_repr(config)}")
    cls = MODULES.get(name)
    if cls is None:
        raise InputError(at + _unregistered(name))
    if issubclass(cls, Linear):
        _check_linear_size(config, at, max_bytes)
    try:
        return cls(**config)
    except (TypeError, ValueError) as error:  # arguments it does not take, or refuses
        raise InputError(f"{at}{name}({_arguments_text(config)}): {error}") from None


def _unregistered(name: str) -> str:
    if ":" in name:  # written by labnet before the registry: "package.module:Class"
        qualname = name.rpartition(":")[2]
        return (f"module class {name!r} is not registered. Opening a file never imports code: "
                f"import {qualname} yourself and call ln.register({qualname.rpartition('.')[2]})"
                f" before opening the file")
    return (f"module class {name!r} is not registered: define it and call ln.register({name}) "
            f"(or decorate it with @ln.register) before opening the file")


def _check_linear_size(config: dict, at: str, max_bytes: int) -> None:
    """Refuse a Linear wider than ``MAX_WIDTH``, or whose weights would take more than
    ``max_bytes`` (in float64), before it allocates them."""
    sizes = [config.get(key) for key in ("in_features", "out_features")]
    for key, size in zip(("in_features", "out_features"), sizes, strict=True):
        if isinstance(size, numbers.Integral) and size > MAX_WIDTH:
            raise InputError(f"{at}Linear {key} is {size}, more than the {MAX_WIDTH} a file may "
                             f"describe")
    if all(isinstance(size, numbers.Integral) and not isinstance(size, bool) and size > 0
           for size in sizes):
        count = (sizes[0] + 1) * sizes[1]
        if count * 8 > max_bytes:
            raise InputError(f"{at}Linear({sizes[0]}, {sizes[1]}) has {count} parameters: more "
                             f"than the {max_bytes}-byte limit allows")


def _arguments_text(config: dict) -> str:
    """``in_features=2, out_features=25``, cut to about 80 characters."""
    text = ", ".join(f"{key}={short_repr(value, 30)}" for key, value in config.items())
    return text if len(text) <= 80 else text[:75] + "..."


def _prefix(where: str | os.PathLike | None) -> str:
    return "" if where is None else f"{os.fspath(where)!r}: "


# -- graphs --------------------------------------------------------------------------------------
def graph_spec(net: Network) -> dict[str, Any]:
    """The graph of ``net`` as plain JSON-able data (node ids keep their int or str type)."""
    nodes = []
    for node, module in net.operators.items():
        try:
            nodes.append([node, module_spec(module)])
        except InputError as error:
            raise InputError(f"node {node!r}: {error}") from None
    return {
        "format": FORMAT,
        "input": net.input,
        "in_features": net.in_features,
        "dtype": net.dtype.name,
        "nodes": nodes,
        "connectivity": [[src, list(dsts)] for src, dsts in net.connectivity.items()],
    }


def network_from_spec(spec: Any, *, where: str | os.PathLike | None = None,
                      max_bytes: int = MAX_BYTES) -> Network:
    """Build a network (with fresh weights) from ``graph_spec`` data.

    Every part is checked before a module is built, and the parameters the graph declares must
    fit in ``max_bytes``; anything wrong is an ``InputError`` naming ``where`` (a file) and the
    part."""
    at = _prefix(where)
    if not isinstance(spec, dict):
        raise InputError(f"{at}the graph must be an object, got {short_repr(spec)}")
    if spec.get("format") != FORMAT or isinstance(spec.get("format"), bool):
        raise InputError(f"{at}unknown labnet file format {short_repr(spec.get('format'))}")
    nodes = require(spec, "nodes", list, where=where)
    connectivity = require(spec, "connectivity", list, where=where)
    if len(nodes) > MAX_NODES:
        raise InputError(f"{at}the graph has {len(nodes)} nodes, more than {MAX_NODES}")
    input_node = _node_id(spec.get("input", None), f"{at}input")
    in_features = require(spec, "in_features", int, where=where, optional=True, low=1)
    dtype = require(spec, "dtype", str, where=where)
    try:
        dtype = check_float_dtype(dtype)
    except InputError as error:
        raise InputError(f"{at}{error}") from None

    module_specs: dict[Any, Any] = {}
    for i, entry in enumerate(nodes):
        if not (isinstance(entry, list) and len(entry) == 2):
            raise InputError(f"{at}nodes.{i} must be a pair [node id, module], got "
                             f"{short_repr(entry)}")
        node = _node_id(entry[0], f"{at}nodes.{i}")
        if node in module_specs:
            raise InputError(f"{at}node {node!r} is listed twice")
        module_specs[node] = entry[1]
    edges: dict[Any, list] = {}
    for i, entry in enumerate(connectivity):
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], list)):
            raise InputError(f"{at}connectivity.{i} must be a pair [node id, [node ids]], got "
                             f"{short_repr(entry)}")
        src = _node_id(entry[0], f"{at}connectivity.{i}")
        if src in edges:
            raise InputError(f"{at}connectivity lists node {src!r} twice")
        edges[src] = [_node_id(dst, f"{at}connectivity.{i}") for dst in entry[1]]

    # the parameters the graph declares, before any is allocated
    itemsize, count = dtype.itemsize, 0
    for node, module in module_specs.items():
        name = module.get("class") if isinstance(module, dict) else None
        config = module.get("config") if isinstance(module, dict) else None
        if isinstance(name, str) and MODULES.get(name) is Linear:
            if not isinstance(config, dict):
                continue  # module_from_spec says why
            for key in ("in_features", "out_features"):
                require(config, key, int, where=where, low=1,
                        name=f"node {node!r}: Linear {key}")
            count += (config["in_features"] + 1) * config["out_features"]
    if count * itemsize > max_bytes:
        raise InputError(f"{at}the graph declares {count} parameters of {dtype.name}: more than "
                         f"the {max_bytes}-byte limit allows")

    operators = {node: module_from_spec(module, where=where, node=node, max_bytes=max_bytes)
                 for node, module in module_specs.items()}
    try:
        return Network(operators, edges, input=input_node, in_features=in_features,
                       dtype=dtype)
    except LabnetError as error:
        raise type(error)(f"{at}{error}") from None


def _node_id(value: Any, at: str) -> int | str:
    if not isinstance(value, int | str) or isinstance(value, bool):
        raise InputError(f"{at}: a node id must be an int or a str, got {short_repr(value)}")
    return value


def save(net: Network, path: str | os.PathLike) -> None:
    """Write the graph and weights of ``net`` to ``path`` (an ``.npz`` file), atomically.

    Every module class must be registered (``ln.register``), so that the file can be opened."""
    arrays = net.state_dict()
    arrays[SPEC_KEY] = np.array(json.dumps(graph_spec(net)))
    write_archive(path, arrays)


def load(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> Network:
    """Read a network written by ``save``: the same graph, the same weights.

    Module classes are looked up among the registered ones only (``ln.register``); nothing is
    imported. The file, and what is read from it, may take at most ``max_bytes``."""
    with Archive(path, "labnet network", max_bytes=max_bytes) as archive:
        spec = archive.description(SPEC_KEY)
        # the weights a graph declares are in the file: no more than its size, to allocate
        net = network_from_spec(spec, where=path, max_bytes=min(archive.budget, archive.size))
        own = list(net.named_params())
        stored = [name for name in archive.names if name != SPEC_KEY]
        missing = [key for key in own if key not in stored]
        unexpected = [key for key in stored if key not in own]
        if missing or unexpected:
            raise InputError(f"{os.fspath(path)!r}: the weights do not fit the graph: missing "
                             f"{missing}, unexpected {short_repr(unexpected)}")
        state = archive.arrays(own, kinds="f")
    try:
        net.load_state_dict(state)
    except LabnetError as error:
        raise type(error)(f"{os.fspath(path)!r}: {error}") from None
    return net


# -- checking the parts of a description ---------------------------------------------------------
_KIND_WORDS = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
               dict: "an object", list: "a list"}


def require(description: Any, part: str, kind: type, *, where: str | os.PathLike | None = None,
            optional: bool = False, low: float | None = None, high: float | None = None,
            choices: Iterable | None = None, name: str | None = None) -> Any:
    """The value at ``part`` of a decoded JSON ``description``, checked; else an ``InputError``
    naming ``where`` (a file) and the part: ``'x.npz': training.lr must be a number, got 'x'``.

    ``part`` is a dotted path: ``"training.lr"``, ``"graph.nodes.0"`` (a number indexes a list).
    ``kind`` is ``int`` (whole, not a bool), ``float`` (a finite number, an int too; returned as
    a float), ``str``, ``bool``, ``dict`` or ``list``. ``optional``: ``null`` (``None``) is
    accepted too. ``low``/``high`` bound a number (both included); ``choices`` lists the values
    allowed. ``name`` is how messages call the part (by default ``part``)."""
    at, name = _prefix(where), part if name is None else name
    value = description
    walked: list[str] = []
    for key in part.split("."):
        if isinstance(value, dict):
            if key not in value:
                raise InputError(f"{at}{'.'.join([*walked, key])} is missing")
            value = value[key]
        elif isinstance(value, list) and key.isdigit():
            if int(key) >= len(value):
                raise InputError(f"{at}{'.'.join([*walked, key])} is missing")
            value = value[int(key)]
        else:
            where_text = ".".join(walked) or "the description"
            wanted = "a list" if key.isdigit() else "an object"
            raise InputError(f"{at}{where_text} must be {wanted}, got {short_repr(value)}")
        walked.append(key)
    if value is None and optional:
        return None
    words = _KIND_WORDS[kind]
    good = _is_kind(value, kind)
    if kind in (int, float):
        if low is not None:
            words += f" >= {low:g}"
        if high is not None:
            words += f" <= {high:g}"
        good = good and (low is None or value >= low) and (high is None or value <= high)
    if choices is not None:
        choices = list(choices)
        words = "one of " + ", ".join(repr(choice) for choice in choices)
        good = good and value in choices
    if optional:
        words += " (or null)"
    if not good:
        raise InputError(f"{at}{name} must be {words}, got {short_repr(value)}")
    return float(value) if kind is float else value


def _is_kind(value: Any, kind: type) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is int:
        return isinstance(value, int)
    if kind is float:
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, kind)


# -- archives ------------------------------------------------------------------------------------
def write_archive(path: str | os.PathLike, arrays: dict[str, np.ndarray], *,
                  max_bytes: int | None = None) -> None:
    """Write ``arrays`` to ``path`` as an ``.npz`` archive (``np.savez``, never pickling),
    whole or not at all (``write_atomically``). A file longer than ``max_bytes`` (the most its
    reader takes) is not written either."""
    path = os.fspath(path)
    arrays = {name: np.asanyarray(value) for name, value in arrays.items()}
    for name, array in arrays.items():
        if not isinstance(name, str) or not name or name in ("file", "allow_pickle"):
            raise InputError(f"cannot write {path!r}: an array name must be a string other "
                             f"than 'file' and 'allow_pickle', got {short_repr(name)}")
        if array.dtype.hasobject:
            raise InputError(f"cannot write {path!r}: {name!r} holds Python objects; an archive "
                             f"holds arrays of numbers or text (never pickle)")
    write_atomically(path, lambda file: np.savez(file, allow_pickle=False, **arrays),
                     max_bytes=max_bytes)


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], object], *,
                     max_bytes: int | None = None) -> None:
    """Write a file with ``write(file)`` whole or not at all: to a temporary file in the same
    folder, flushed to disk, then renamed over ``path`` (through a symbolic link, to the file
    it names; an old file's mode is kept, a new one gets the umask's). If anything fails, the
    old file is as it was and the temporary file is gone; a path that cannot be written is the
    user's to fix, so it is an ``InputError`` saying why, as is a file longer than
    ``max_bytes``."""
    path = os.fspath(path)
    target = os.path.realpath(path)
    folder, base = os.path.split(target)
    temp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise InputError(f"cannot write {path!r}: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            size = file.tell()
            if max_bytes is not None and size > max_bytes:
                raise InputError(f"cannot write {path!r}: it would be {size:,} bytes, more "
                                 f"than the {max_bytes:,} a file may have to be opened again; "
                                 f"the file was left as it was")
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):  # a new file keeps the umask's mode
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise InputError(f"cannot write {path!r}: {error.strerror or error}; the file was "
                             f"left as it was") from None
        raise
    with contextlib.suppress(OSError):  # the rename itself, to disk (where the system allows)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def read_archive(path: str | os.PathLike, key: str, what: str, *,
                 members: Iterable[str] | None = None,
                 max_bytes: int = MAX_BYTES) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON description (an object) stored under ``key`` in the ``.npz`` archive at
    ``path``, and its arrays by name: all of them, or only the ``members`` named (a name ending
    in ``/`` stands for every member under it: ``"weights/"``); the others are never read.

    The file and all that is read from it may take at most ``max_bytes``; see ``Archive``.
    Anything else (no such file, not an archive, no such key, not JSON, too big, an array of
    objects) is an ``InputError`` naming the file and what is wrong."""
    with Archive(path, what, max_bytes=max_bytes) as archive:
        description = archive.description(key)
        names = [name for name in archive.names if name != key]
        if members is not None:
            members = [members] if isinstance(members, str) else list(members)
            names = [name for name in names if any(
                name == member or (member.endswith("/") and name.startswith(member))
                for member in members)]
        return description, archive.arrays(names)


class Archive:
    """An ``.npz`` archive opened for safe reading: ``names``, then ``description(key)`` and
    ``arrays(names)`` read what is asked for, and only that.

    Before anything is read: the file must be at most ``max_bytes`` long and its directory list
    at most ``MAX_MEMBERS`` members. Before each member is read: its size must fit in what is
    left of ``max_bytes`` (``budget``), and its ``.npy`` header must declare a dtype of
    ``ARRAY_KINDS`` and a shape that is exactly what the member holds. JSON must nest at most
    ``MAX_JSON_DEPTH`` deep. Every refusal is an ``InputError`` naming the file.

    ``size`` is the file's length in bytes; ``budget`` what is left of ``max_bytes`` to read."""

    def __init__(self, path: str | os.PathLike, what: str, *,
                 max_bytes: int = MAX_BYTES) -> None:
        self.path, self.what = os.fspath(path), what
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise InputError(f"max_bytes must be a positive integer, got {short_repr(max_bytes)}")
        self.max_bytes = self.budget = max_bytes
        try:
            self._file = open(self.path, "rb")  # noqa: SIM115 (closed by close())
        except OSError as error:
            raise InputError(f"cannot open {self.path!r}: {error.strerror or error}") from None
        try:
            self.size = size = os.fstat(self._file.fileno()).st_size
            if size > max_bytes:
                raise self.refuse(f"it is {size} bytes long, more than the limit of "
                                  f"{max_bytes} (max_bytes)")
            self._check_directory(size)
            try:
                self._zip = zipfile.ZipFile(self._file)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                    struct.error, NotImplementedError):
                raise self.refuse("it is not an .npz archive") from None
            self._members: dict[str, zipfile.ZipInfo] = {}
            for info in self._zip.infolist():
                name = info.filename.removesuffix(".npy")
                if name in self._members:
                    raise self.refuse(f"it holds {name!r} twice")
                self._members[name] = info
        except BaseException:
            self._file.close()
            raise

    def refuse(self, why: str) -> InputError:
        return InputError(f"{self.path!r} is not a {self.what} file: {why}")

    def _check_directory(self, size: int) -> None:
        """Read the zip's end record, as ``zipfile`` does, and refuse an archive that lists more
        than ``MAX_MEMBERS`` members (``zipfile`` would hold them all in memory)."""
        end_size = 22  # the end-of-central-directory record, then a comment of up to 64 KiB
        if size < end_size:
            raise self.refuse("it is not an .npz archive")
        self._file.seek(max(0, size - end_size - 65535))
        tail = self._file.read()
        at = len(tail) - end_size if tail[-end_size:-end_size + 4] == b"PK\x05\x06" else (
            tail.rfind(b"PK\x05\x06"))
        if at < 0 or len(tail) - at < end_size:
            raise self.refuse("it is not an .npz archive")
        entries, directory_size = struct.unpack("<HI", tail[at + 10:at + 16])
        if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":  # a zip64 end record
            raise self.refuse("it is a zip64 archive, which labnet does not write")
        if entries > MAX_MEMBERS or directory_size > MAX_MEMBERS * 400:
            raise self.refuse(f"it lists {entries} members in {directory_size} bytes, more than "
                              f"the {MAX_MEMBERS} an archive may hold")
        self._file.seek(0)

    @property
    def names(self) -> tuple[str, ...]:
        """The members' names (``.npy`` left out), in the archive's order."""
        return tuple(self._members)

    def description(self, key: str) -> dict:
        """The JSON object stored as text under ``key``."""
        if key not in self._members:
            raise self.refuse(f"it has no {key!r} entry")
        text = self.array(key, kinds="U")
        if text.shape != ():
            raise self.refuse(f"its {key!r} entry is not a JSON text")
        text = str(text[()])
        if _json_depth(text) > MAX_JSON_DEPTH:
            raise self.refuse(f"its {key!r} entry nests deeper than {MAX_JSON_DEPTH} levels")
        try:
            description = json.loads(text)
        except (ValueError, RecursionError):
            raise self.refuse(f"its {key!r} entry is not JSON") from None
        if not isinstance(description, dict):
            raise self.refuse(f"its {key!r} entry is not a JSON object")
        return description

    def arrays(self, names: Iterable[str], kinds: str = ARRAY_KINDS) -> dict[str, np.ndarray]:
        """``{name: array}`` for the members named."""
        names = list(names)
        total = sum(self._info(name).file_size for name in names)
        if total > self.budget:
            raise self.refuse(f"the arrays to read take {total} bytes, more than the "
                              f"{self.budget} left of the limit of {self.max_bytes} (max_bytes)")
        return {name: self.array(name, kinds) for name in names}

    def _info(self, name: str) -> zipfile.ZipInfo:
        if name not in self._members:
            raise self.refuse(f"it has no {name!r} entry")
        return self._members[name]

    def array(self, name: str, kinds: str = ARRAY_KINDS) -> np.ndarray:
        """One member: its header checked, then its data read, a chunk at a time."""
        info = self._info(name)
        if info.flag_bits & 0x1:
            raise self.refuse(f"its {name!r} entry is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.refuse(f"its {name!r} entry is compressed in a way numpy does not write")
        if info.file_size > self.budget:
            raise self.refuse(f"its {name!r} entry is {info.file_size} bytes, more than the "
                              f"{self.budget} left of the limit of {self.max_bytes} (max_bytes)")
        try:
            with self._zip.open(info) as stream:
                shape, fortran_order, dtype = _read_header(stream)
                header_size = stream.tell()
                if dtype.kind not in kinds or dtype.hasobject or dtype.fields is not None or (
                        dtype.subdtype is not None):
                    raise self.refuse(f"its {name!r} entry holds {dtype} values, not "
                                      f"{_kinds_text(kinds)}")
                size = math.prod(shape) * dtype.itemsize
                if header_size + size != info.file_size:
                    raise self.refuse(f"its {name!r} entry declares {size} bytes (shape "
                                      f"{short_repr(shape)} of {dtype}) but holds "
                                      f"{info.file_size - header_size}")
                array = np.empty(shape, dtype, order="F" if fortran_order else "C")
                raw = (array.T if fortran_order else array).reshape(-1).view(np.uint8)
                done = 0
                while done < size:
                    chunk = stream.read(min(_CHUNK, size - done))
                    if not chunk:
                        raise self.refuse(f"its {name!r} entry is cut short")
                    raw[done:done + len(chunk)] = np.frombuffer(chunk, np.uint8)
                    done += len(chunk)
                stream.read(1)  # at the end: zipfile checks the CRC
        except InputError:
            raise
        except Exception as error:  # whatever a malformed member makes zipfile or NumPy's
            # header parser raise: BadZipFile, zlib.error, SyntaxError, TokenError...
            raise self.refuse(f"its {name!r} entry cannot be read: {short_repr(str(error))}"
                              ) from None
        self.budget -= info.file_size
        return array

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _read_header(stream) -> tuple[tuple[int, ...], bool, np.dtype]:
    """``(shape, fortran_order, dtype)`` from a ``.npy`` header, which is never evaluated as
    code (NumPy's readers parse it as a literal)."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(stream)
    raise ValueError(f".npy format version {version} is not one numpy writes for numbers")


def _kinds_text(kinds: str) -> str:
    words = {"b": "bools", "i": "integers", "u": "integers", "f": "floats", "U": "text"}
    return " or ".join(dict.fromkeys(words[kind] for kind in kinds))


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _json_depth(text: str) -> int:
    """How deeply ``text`` nests lists and objects (strings left out), without parsing it."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).encode("ascii")
    depth = deepest = 0
    for start in range(0, len(brackets), _CHUNK):
        codes = np.frombuffer(brackets, np.uint8, count=min(_CHUNK, len(brackets) - start),
                              offset=start)
        levels = depth + np.cumsum(np.where((codes == ord("[")) | (codes == ord("{")), 1, -1))
        deepest, depth = max(deepest, int(levels.max())), int(levels[-1])
    return deepest


# -- export as Python code ----------------------------------------------------------------------
def to_python(net: Network, *, include_weights: bool = False,
              weights_path: str | os.PathLike | None = None) -> str:
    """Python code that rebuilds ``net`` from ``operators`` and ``connectivity`` dictionaries.

    Without weights the code draws new ones (``rng=0``). With ``include_weights=True`` it loads
    ``net``'s weights: written in the code as nested lists, or, if ``weights_path`` is given,
    saved now to that ``.npz`` file (one array per ``state_dict()`` key) and read back from it by
    the code. A module class that is not built in is imported from its module; one defined in a
    notebook or script (``__main__``) must be defined before the code runs.
    """
    if weights_path is not None and not include_weights:
        raise InputError("weights_path is where the weights go: give include_weights=True too")
    lines = ['"""A labnet network, exported by labnet.saving.to_python."""', ""]
    if include_weights:
        lines.append("import numpy as np")
        lines.append("")
    lines.append("import labnet as ln")
    lines.extend(_class_imports(net))
    lines.append("")
    lines.append("operators = {")
    for node, module in net.operators.items():
        lines.append(f"    {node!r}: {_constructor_call(module)},")
    lines.append("}")
    lines.append(_dict_text("connectivity", {src: list(dsts)
                                              for src, dsts in net.connectivity.items()}))
    lines.append(f"net = ln.Network({_network_arguments(net, include_weights)})")
    if include_weights:
        lines.append("")
        if weights_path is None:
            lines.extend(_inline_weights(net))
        else:
            write_archive(weights_path, net.state_dict())
            lines.append(f"net.load_state_dict(dict(np.load({os.fspath(weights_path)!r})))")
    return "\n".join(lines) + "\n"


def _class_imports(net: Network) -> list[str]:
    """``from package.module import Class`` for each module class that is not built in."""
    imports, notes = set(), set()
    for module in net.operators.values():
        cls = type(module)
        if BUILTIN_MODULES.get(cls.__name__) is cls:
            continue
        home = sys.modules.get(cls.__module__)
        if cls.__module__ != "__main__" and getattr(home, cls.__qualname__, None) is cls:
            imports.add(f"from {cls.__module__} import {cls.__qualname__}")
        else:  # defined in a notebook, a script or a function
            notes.add(f"# {cls.__qualname__} is your own module class: define it before this code")
    return sorted(imports) + sorted(notes)


def _constructor_call(module: Module) -> str:
    """``ln.Linear(2, 25)``: the class and the arguments of ``config()`` that are not defaults,
    positional as long as the constructor allows it."""
    cls = type(module)
    name = f"ln.{cls.__name__}" if BUILTIN_MODULES.get(cls.__name__) is cls else cls.__qualname__
    parameters = inspect.signature(cls).parameters
    arguments, positional = [], True
    for key, value in module.config().items():
        parameter = parameters.get(key)
        has_default = parameter is not None and parameter.default is not inspect.Parameter.empty
        if has_default and _same(value, parameter.default):
            positional = False  # a later argument must be named
            continue
        positional = positional and parameter is not None and not has_default and (
            parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
        arguments.append(repr(value) if positional else f"{key}={value!r}")
    return f"{name}({', '.join(arguments)})"


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):  # e.g. arrays compared element-wise
        return False


def _dict_text(name: str, mapping: dict) -> str:
    """``name = {...}`` on one line if it fits in 100 characters, else one entry per line."""
    one_line = f"{name} = {mapping!r}"
    if len(one_line) <= 100:
        return one_line
    entries = [f"    {key!r}: {value!r}," for key, value in mapping.items()]
    return "\n".join([f"{name} = {{", *entries, "}"])


def _network_arguments(net: Network, include_weights: bool) -> str:
    arguments = ["operators", "connectivity"]
    if net.input != 0:
        arguments.append(f"input={net.input!r}")
    linear_reads_input = any(
        isinstance(module, Linear) and net.input in net.inputs[node]
        for node, module in net.operators.items())
    if net.in_features is not None and not linear_reads_input:
        arguments.append(f"in_features={net.in_features}")
    if net.dtype != np.float64:
        arguments.append(f"dtype={net.dtype.name!r}")
    if not include_weights:
        arguments.append("rng=0")  # new weights, drawn from seed 0
    return ", ".join(arguments)


def _inline_weights(net: Network) -> list[str]:
    """``weights = {"1.weight": [[...], ...], ...}`` and the line that loads them."""
    lines = ["weights = {"]
    for key, value in net.state_dict().items():
        if value.ndim == 1:
            lines.extend(_wrapped(f"    {key!r}: [", value, "],", indent=8))
        else:
            lines.append(f"    {key!r}: [")
            for row in value.reshape(value.shape[0], -1):
                lines.extend(_wrapped("        [", row, "],", indent=12))
            lines.append("    ],")
    lines.append("}")
    lines.append("net.load_state_dict({key: np.array(value) for key, value in weights.items()})")
    return lines


def _wrapped(start: str, numbers: np.ndarray, end: str, indent: int) -> list[str]:
    """``start`` + the numbers, comma-separated, wrapped at 100 characters, + ``end``."""
    text = start + ", ".join(_number_text(number) for number in numbers) + end
    return textwrap.wrap(text, width=100, subsequent_indent=" " * indent,
                         break_long_words=False, break_on_hyphens=False)


def _number_text(number: np.floating) -> str:
    """Text that reads back as exactly ``number``: ``repr`` of the Python float (exact for float32
    weights too, which float64 holds exactly); ``np.nan`` and ``±np.inf`` for the others."""
    if np.isnan(number):
        return "np.nan"
    if np.isinf(number):
        return "np.inf" if number > 0 else "-np.inf"
    return repr(float(number))
