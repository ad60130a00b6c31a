"""Where the page's Save, Open and Export picture go: the page is untrusted, and in the app
many students share one server.

- **The app** (``LABNET_FILES=browser``, which ``make app``'s config sets for every kernel; a page
  cannot change it): the page reads and writes no file on the server. Save and Export picture
  hand the student a download, Open takes a file from their machine (an upload, checked as any
  lab file is, and at most ``MAX_UPLOAD`` bytes).
- **Elsewhere** (JupyterLab: one user, their own files): the page's files stay in the notebook's
  folder (the kernel's working folder when the lab was made) and the folders in it, *after*
  symbolic links are resolved: a link to outside, or one inside that points out, is refused. The
  folders are then opened one by one without following a link, and the file is written in the
  last one opened (a temporary file renamed over the name, which replaces a link put there
  rather than follow it): a link swapped in after the check is not followed either. What one
  lab may write from its page is capped (``MAX_WRITTEN``): the refusal says so.

A notebook's own calls (``lab.save(path)``) are the user's, with Python's rights: not limited.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable

from labnet.errors import InputError, short_repr
from labnet.lab.files import MAX_BYTES, FileExistsInputError

VARIABLE = "LABNET_FILES"
SERVER, BROWSER = "server", "browser"
MAX_WRITTEN = 2**30
"""What one lab's page may write on the server in all (a 16-million-parameter lab is 134 MB a
Save): no page fills the disk."""
MAX_UPLOAD = 8 * 2**20
"""The largest lab file the app takes from a browser (one message to the kernel: Jupyter's
server refuses a message over 10 MiB)."""
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_NO_LINK = getattr(os, "O_NOFOLLOW", 0)


def mode_from_environment() -> str:
    """``BROWSER`` where the server says the page gets no server file (``LABNET_FILES=browser``:
    the app), else ``SERVER``. A value other than "server" or unset counts as "browser": the
    safe side."""
    value = os.environ.get(VARIABLE, "").strip().lower()
    return SERVER if value in ("", SERVER) else BROWSER


class PageFiles:
    """The page's files, as the server allows them: ``mode`` (``SERVER`` or ``BROWSER``) and the
    notebook's folder (``folder``; by default the kernel's working folder at the time)."""

    def __init__(self, mode: str = SERVER, folder: str | os.PathLike | None = None) -> None:
        if mode not in (SERVER, BROWSER):
            raise InputError(f"files: {short_repr(mode)} is neither {SERVER!r} nor {BROWSER!r}")
        self.mode = mode
        self.folder = PageFolder(folder)

    def keep(self, name: str, content: bytes, *, replace: bool,
             offer: Callable[[str, bytes], None]) -> str:
        """Keep ``content`` (a lab file, a picture) as ``name``: in the app, ``offer`` it to the
        browser as a download; else write it in the folder. The words that say where."""
        if self.mode == BROWSER:
            base = os.path.basename(name)
            offer(base, content)
            return f"{base} is in your browser's downloads (the server keeps nothing)."
        self.folder.write(name, content, replace=replace)
        return f"Saved {name} in the notebook's folder."

    def lab_file(self, name: str, content: bytes | None) -> bytes:
        """The bytes of the lab file the page opens: ``content`` uploaded from the browser, else
        (not in the app) the file ``name`` in the folder."""
        if content is not None:
            if len(content) > MAX_UPLOAD:
                raise InputError(f"{short_repr(name)} is {len(content) / 1e6:,.1f} MB: the lab "
                                 f"takes files of up to {MAX_UPLOAD / 2**20:.0f} MB from a "
                                 f"browser")
            return content
        if self.mode == BROWSER:
            raise InputError("In this app the lab opens files from your computer: press Open "
                             "and pick one (the server keeps no files)")
        return self.folder.read(name, MAX_BYTES)


class PageFolder:
    """The folder the page's files live in (``folder``, or the kernel's working folder at each
    call: the notebook's), and what the page has written there."""

    def __init__(self, folder: str | os.PathLike | None = None,
                 max_written: int = MAX_WRITTEN) -> None:
        self.folder = folder
        self.max_written = max_written
        self.written = 0

    @property
    def root(self) -> str:
        return os.path.realpath(os.getcwd() if self.folder is None else self.folder)

    def write(self, name: str, content: bytes, *, replace: bool) -> str:
        """Write ``content`` as the file ``name`` (relative to the folder); return where."""
        if self.written + len(content) > self.max_written:
            raise InputError(
                f"{short_repr(name)}: this lab's page has written {self.written / 1e6:,.0f} MB "
                f"on the server, and may write {self.max_written / 1e6:,.0f} MB in all (so that "
                f"no page fills the server's disk); this file is {len(content) / 1e6:,.1f} MB. "
                f"Delete files you no longer need, or save from Python: lab.save(path)")
        folder, base, where = self._open_folder(name, "write")
        try:
            there = _kind(base, folder)
            if there is not None and stat.S_ISDIR(there):
                raise InputError(f"{short_repr(name)} is a folder: give a file name, such as "
                                 f"my-lab.npz")
            if there is not None and not replace:
                raise FileExistsInputError(f"{short_repr(name)} already exists: press again to "
                                           f"replace it")
            temp = f".{base}.{secrets.token_hex(4)}.tmp"
            try:
                descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINK,
                                     0o666, dir_fd=folder)
            except OSError as error:
                raise InputError(f"cannot write {short_repr(name)}: "
                                 f"{error.strerror or error}") from None
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(content)
                    file.flush()
                    os.fsync(file.fileno())
                # (a link put at the name is replaced, not followed)
                os.replace(temp, base, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException as error:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=folder)
                if isinstance(error, OSError):
                    raise InputError(f"cannot write {short_repr(name)}: {_why(error)}") from None
                raise
        finally:
            os.close(folder)
        self.written += len(content)
        return where

    def read(self, name: str, max_bytes: int) -> bytes:
        """The bytes of the file ``name`` (at most ``max_bytes``, else refused)."""
        folder, base, _where = self._open_folder(name, "open")
        try:
            try:
                descriptor = os.open(base, os.O_RDONLY | _NO_LINK, dir_fd=folder)
            except OSError as error:
                raise InputError(f"cannot open {short_repr(name)}: {_why(error)}") from None
            with os.fdopen(descriptor, "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    raise InputError(f"{short_repr(name)} is not a file")
                content = file.read(max_bytes + 1)
        finally:
            os.close(folder)
        if len(content) > max_bytes:
            raise InputError(f"{short_repr(name)} is longer than the {max_bytes:,} bytes a lab "
                             f"file may be")
        return content

    def _open_folder(self, name: str, doing: str) -> tuple[int, str, str]:
        """(the folder holding ``name``, opened; the file's own name; its real path), if it is
        inside this folder once links are resolved. ``doing``: "open" or "write"."""
        if not isinstance(name, str) or not name.strip() or "\0" in name:
            raise InputError(f"cannot {doing} {short_repr(name)}: give a file name, such as "
                             f"my-lab.npz")
        root = self.root
        real = os.path.realpath(os.path.join(root, name))
        inside = os.path.relpath(real, root)
        parts = inside.split(os.sep)
        if os.path.isabs(inside) or inside == os.curdir or parts[0] == os.pardir:
            raise InputError(f"cannot {doing} {short_repr(name)}: it leads outside the "
                             f"notebook's folder ({root}) through a link; from the lab's page, "
                             f"files stay in that folder and the folders in it")
        *folders, base = parts
        descriptor = os.open(root, _DIRECTORY)
        try:
            for part in folders:  # one by one, never through a link
                try:
                    inner = os.open(part, _DIRECTORY | _NO_LINK, dir_fd=descriptor)
                except OSError as error:
                    raise InputError(f"cannot {doing} {short_repr(name)}: its folder "
                                     f"{short_repr(part)} {_why(error)}") from None
                os.close(descriptor)
                descriptor = inner
        except BaseException:
            os.close(descriptor)
            raise
        return descriptor, base, real


def _kind(base: str, folder: int) -> int | None:
    """The mode of what is at ``base`` in ``folder`` (a link itself, not what it names), or
    None."""
    try:
        return os.stat(base, dir_fd=folder, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return None


def _why(error: OSError) -> str:
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        return "changed into a link while the lab was opening it (refused)"
    if isinstance(error, FileNotFoundError):
        return "does not exist"
    return error.strerror or str(error)
