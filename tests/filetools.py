"""Helpers shared by the tests of the framework's files (``test_saving``, ``test_spec``,
``test_archive``, ``test_writing``, ``test_codegen``): a module of one's own, network files and
hand-made archives, and a check that two networks are the same."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

import labnet as ln


class Shift(ln.Module):
    """A module defined outside labnet, with a constructor argument and a parameter."""

    def __init__(self, width: int, scale: float = 1.0) -> None:
        self.width, self.scale = width, scale
        self.shift = np.linspace(-1.0, 1.0, width)
        self.grad_shift = np.zeros(width)

    def forward(self, x):
        return self.scale * x + self.shift

    def backward(self, grad_out):
        self.grad_shift[...] = grad_out.sum(axis=0)
        return self.scale * grad_out

    def named_params(self):
        return {"shift": (self.shift, self.grad_shift)}

    def config(self):
        return {"width": self.width, "scale": self.scale}


X = np.random.default_rng(0).normal(size=(5, 2))


def assert_same_network(loaded, net):
    assert type(loaded) is ln.Network
    assert loaded.input == net.input and loaded.output == net.output
    assert dict(loaded.connectivity) == dict(net.connectivity)
    assert dict(loaded.inputs) == dict(net.inputs)
    assert loaded.order == net.order
    assert [type(m) for m in loaded.operators.values()] == [type(m) for m in net.operators.values()]
    assert [m.config() for m in loaded.operators.values()] == [
        m.config() for m in net.operators.values()
    ]
    assert loaded.dtype == net.dtype
    original = net.state_dict()
    state = loaded.state_dict()
    assert list(state) == list(original)
    for key, value in state.items():
        assert value.dtype == original[key].dtype
        np.testing.assert_array_equal(value, original[key])
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))


def saved_figure1(path, seed=0):
    net = ln.PRESETS["figure1"](seed)
    ln.save(net, path)
    return net


def npy_bytes(array=None, *, header=None, data=b""):
    """A ``.npy`` member: an array, or a ``header`` dict with the raw ``data`` after it."""
    buffer = io.BytesIO()
    if header is None:
        np.lib.format.write_array(buffer, array, allow_pickle=True)
    else:
        np.lib.format.write_array_header_1_0(buffer, header)
        buffer.write(data)
    return buffer.getvalue()


def zip_file(path, members, compression=zipfile.ZIP_STORED):
    """Write ``{name: bytes}`` as a zip archive."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def description_member(description):
    return npy_bytes(np.array(json.dumps(description)))
