"""Where the lab draws the nodes of a graph when it lays it out (``Graph.tidy``): columns by
depth, branches on rows of their own. Works on graphs that are not networks yet (cycles, loose
nodes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from labnet.lab.nodes import INPUT
from labnet.network import Node


def layout(nodes: Mapping[Node, object], edges: Iterable[tuple[Node, Node]]
           ) -> dict[Node, tuple[float, float]]:
    """``{node: (column, row)}``: the column is the node's depth (the longest path to it from
    the input; back edges of a cycle are ignored, and a node no path reaches sits in column 1);
    the row follows the node's deepest input, so a chain stays on one row and a branch takes
    the next free row above or below."""
    edges = list(edges)
    feeds: dict[Node, list] = {node: [] for node in (INPUT, *nodes)}
    inputs: dict[Node, list] = {node: [] for node in (INPUT, *nodes)}
    for src, dst in edges:
        feeds[src].append(dst)
        inputs[dst].append(src)
    # a depth-first order that skips back edges (iterative: deep graphs are fine)
    order, seen = [], set()
    for root in (INPUT, *nodes):
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(feeds[root]))]
        while stack:
            node, children = stack[-1]
            child = next((c for c in children if c not in seen), None)
            if child is None:
                stack.pop()
                order.append(node)
            else:
                seen.add(child)
                stack.append((child, iter(feeds[child])))
    order.reverse()
    position = {node: i for i, node in enumerate(order)}
    forward = {node: [d for d in feeds[node] if position[d] > position[node]] for node in order}
    depth = {INPUT: 0}
    for node in order:
        if node in depth:
            for dst in forward[node]:
                depth[dst] = max(depth.get(dst, 0), depth[node] + 1)
    for node in nodes:
        depth.setdefault(node, 1)
    height: dict[Node, int] = {}  # the longest path from a node on to the output
    for node in reversed(order):
        height[node] = 1 + max((height[d] for d in forward[node]), default=0)
    rows: dict[Node, int] = {INPUT: 0}
    taken: dict[int, set] = {}
    for node in sorted(depth, key=lambda n: (depth[n], -height[n], str(n))):
        if node == INPUT:
            continue
        placed = [s for s in inputs[node] if s in rows]
        wanted = rows[max(placed, key=lambda s: (depth[s], height[s]))] if placed else 0
        used = taken.setdefault(depth[node], set())
        row = next(r for k in range(len(depth) + 1) for r in (wanted + k, wanted - k)
                   if r not in used)
        used.add(row)
        rows[node] = row
    return {node: (float(depth[node]), float(rows[node])) for node in depth}
