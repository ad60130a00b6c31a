"""Reading ``.npz`` archives safely: a file is untrusted input.

A NumPy ``.npz`` archive is a zip of ``.npy`` arrays. labnet's files (networks, labs) are such
archives, with a JSON description stored as text under one key. Opening one runs no code from it
and asks for a bounded amount of memory:

- nothing is unpickled: arrays of Python objects are refused, and so is every dtype that is not
  bools, integers or floats (``ARRAY_KINDS``), or text for the description;
- the archive's directory, each member's declared size and each array's header (shape, dtype)
  are checked against ``max_bytes`` before any data is read, and only the members asked for are
  read;
- the JSON is checked for its nesting depth before it is parsed.

Whatever is wrong with a file becomes an ``InputError`` naming the file and what is wrong.
Writing archives is ``labnet.writing``'s; what a description means, ``labnet.spec``'s.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import zipfile
from collections.abc import Iterable

import numpy as np

from labnet.errors import InputError, short_repr

MAX_BYTES = 64 * 2**20
"""What reading a file may take by default: the file itself, and all it holds that is read
(arrays and JSON text together), at most 64 MiB. A lab of a few dozen nodes that has played
for hours is under 30 MiB."""
MAX_MEMBERS = 10_000
"""The most arrays an archive may hold."""
MAX_JSON_DEPTH = 64
"""How deeply a file's JSON description may nest lists and objects."""
ARRAY_KINDS = "biuf"
"""The kinds of array a file may hold (NumPy's ``dtype.kind``): bools, integers, floats. No
objects (they would need pickle), no complex numbers, no structured records."""

_CHUNK = 2**20  # bytes read at a time from an archive member


def read_archive(path: str | os.PathLike, key: str, what: str, *,
                 members: Iterable[str] | None = None, max_bytes: int = MAX_BYTES,
                 content: bytes | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON description (an object) stored under ``key`` in the ``.npz`` archive at
    ``path``, and its arrays by name: all of them, or only the ``members`` named (a name ending
    in ``/`` stands for every member under it: ``"weights/"``); the others are never read.

    The file and all that is read from it may take at most ``max_bytes``; see ``Archive``.
    Anything else (no such file, not an archive, no such key, not JSON, too big, an array of
    objects) is an ``InputError`` naming the file and what is wrong. With ``content`` (a file
    uploaded from a browser), that is the archive's bytes and ``path`` only its name."""
    with Archive(path, what, max_bytes=max_bytes, content=content) as archive:
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
                 max_bytes: int = MAX_BYTES, content: bytes | None = None) -> None:
        self.path, self.what = os.fspath(path), what
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise InputError(f"max_bytes must be a positive integer, got {short_repr(max_bytes)}")
        self.max_bytes = self.budget = max_bytes
        if content is not None:  # the bytes of a file (an upload), read as the file would be
            self._file = io.BytesIO(content)
        else:
            try:
                self._file = open(self.path, "rb")  # noqa: SIM115 (closed by close())
            except OSError as error:
                raise InputError(f"cannot open {self.path!r}: {error.strerror or error}") from None
        try:
            self.size = size = self._file.seek(0, os.SEEK_END)
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
