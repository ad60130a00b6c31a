"""Save a network, its graph and its weights, to one file, and load it back exactly.

The file is a NumPy ``.npz`` archive: one array per parameter (named as in ``state_dict()``, e.g.
``"1.weight"``) and, under ``"__labnet__"``, the graph as JSON (``labnet.spec.graph_spec``).

Opening a file runs no code from it and asks for a bounded amount of memory: the archive is read
by ``labnet.archive`` (no pickle; sizes checked before anything is read), the graph built by
``labnet.spec`` (classes looked up among the registered ones, nothing imported; every part
checked before a module is built). Whatever is wrong with a file becomes an ``InputError``
naming the file and the part at fault. Saving is atomic (``labnet.writing``): a failed save
leaves the old file as it was.
"""

from __future__ import annotations

import json
import os

import numpy as np

from labnet.archive import MAX_BYTES, Archive
from labnet.errors import InputError, LabnetError, short_repr
from labnet.network import Network
from labnet.spec import graph_spec, network_from_spec
from labnet.writing import write_archive

SPEC_KEY = "__labnet__"


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
