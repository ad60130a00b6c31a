"""Writing files whole or not at all, and ``.npz`` archives without pickle.

A file is written to a temporary file in the same folder, flushed to disk, then renamed over
the old one, which a failed write (a full disk, an exception half-way) leaves as it was.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import stat
from collections.abc import Callable
from typing import BinaryIO

import numpy as np

from labnet.errors import InputError, short_repr


def write_archive(path: str | os.PathLike, arrays: dict[str, np.ndarray], *,
                  max_bytes: int | None = None) -> None:
    """Write ``arrays`` to ``path`` as an ``.npz`` archive (``np.savez``, never pickling),
    whole or not at all (``write_atomically``). A file longer than ``max_bytes`` (the most its
    reader takes) is not written either."""
    path = os.fspath(path)
    arrays = _archive_arrays(path, arrays)
    write_atomically(path, lambda file: np.savez(file, allow_pickle=False, **arrays),
                     max_bytes=max_bytes)


def archive_bytes(name: str, arrays: dict[str, np.ndarray], *,
                  max_bytes: int | None = None) -> bytes:
    """What ``write_archive`` would write to a file called ``name``, as bytes (a download)."""
    arrays = _archive_arrays(name, arrays)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    if max_bytes is not None and buffer.tell() > max_bytes:
        raise InputError(f"cannot write {name!r}: it would be {buffer.tell():,} bytes, more "
                         f"than the {max_bytes:,} a file may have to be opened again")
    return buffer.getvalue()


def _archive_arrays(path: str, arrays: dict) -> dict[str, np.ndarray]:
    """``arrays`` as NumPy arrays, if an archive can hold them without pickle."""
    arrays = {name: np.asanyarray(value) for name, value in arrays.items()}
    for name, array in arrays.items():
        if not isinstance(name, str) or not name or name in ("file", "allow_pickle"):
            raise InputError(f"cannot write {path!r}: an array name must be a string other "
                             f"than 'file' and 'allow_pickle', got {short_repr(name)}")
        if array.dtype.hasobject:
            raise InputError(f"cannot write {path!r}: {name!r} holds Python objects; an archive "
                             f"holds arrays of numbers or text (never pickle)")
    return arrays


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
