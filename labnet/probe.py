"""Look inside a network: the output of every node, on any points or over a grid of the plane.

>>> outputs = node_outputs(net, x)            # {node: (batch, width)}, the input node included
>>> maps = plane_outputs(net, xs, ys)         # {node: (len(ys), len(xs), width)}
>>> plt.imshow(maps[3][:, :, 0], origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]))

A forward pass stores the output of every node in ``net.outputs``; these functions run one and
hand those outputs back. Like any forward, they replace what the modules kept for ``backward``:
call them before a forward/backward pair or after it, not in between (a ``Walk`` is safe).
"""

from __future__ import annotations

import numpy as np

from labnet.errors import ShapeError
from labnet.network import Network, Node

Array = np.ndarray


def node_outputs(net: Network, x: Array) -> dict[Node, Array]:
    """Run ``net`` on ``x`` of shape ``(batch, in_features)``; return ``{node: its output}``, each
    of shape ``(batch, width of the node)``, for the input node and every module."""
    net.forward(x)
    return dict(net.outputs)


def plane_outputs(net: Network, xs: Array, ys: Array) -> dict[Node, Array]:
    """The output of every node at every point ``(xs[j], ys[i])`` of a grid of the plane.

    ``net`` takes 2 inputs. Returns ``{node: array of shape (len(ys), len(xs), width)}``: entry
    ``[i, j, unit]`` is that unit's output at ``(xs[j], ys[i])``, so ``[:, :, unit]`` is an image
    whose rows go up the y axis (``imshow(..., origin="lower")``, or ``contourf(xs, ys, ...)``).
    """
    xs, ys = np.asarray(xs).ravel(), np.asarray(ys).ravel()
    if net.in_features not in (None, 2):
        raise ShapeError(f"input node {net.input!r} takes {net.in_features} features; a grid "
                         f"of the plane gives 2")
    grid_x, grid_y = np.meshgrid(xs, ys)  # both (len(ys), len(xs))
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    return {node: output.reshape(len(ys), len(xs), -1)
            for node, output in node_outputs(net, points).items()}
