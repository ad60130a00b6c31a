"""Networks to start from: the seed's, the report's Figure 1, a pair about vanishing gradients,
and a tiny one to walk through by hand.

Each preset is a function ``(rng) -> Network``; ``PRESETS`` has them by name. Every preset trains
at the lab's defaults (MSE, plain SGD, lr 0.1, batch 10, standardised disk data) without
diverging, for every seed tried (``tests/test_presets.py`` tries 20).
"""

from __future__ import annotations

import numpy as np

from labnet.errors import GraphError
from labnet.modules import LeakyReLU, Linear, ReLU, Sigmoid, Sum, Tanh
from labnet.network import Network, Node

Rng = np.random.Generator | int | None


def suggested_init(net: Network, node: Node) -> str:
    """How to draw the weights of the ``Linear`` at ``node`` of ``net``: ``"he"`` if it feeds
    ReLUs only (He's gain of √2 makes up for the half of the units a ReLU zeroes), ``"xavier"``
    otherwise: before a Tanh or a Sigmoid, into a Sum or a Concat, or as the output.

    With He everywhere, Figure 1's skip branch (a Linear of fan-in 2 into the Sum: weights of
    standard deviation 1) gave the output layer inputs so large that plain SGD at lr 0.1 blew
    up within 20 steps for 12 seeds out of 20; with Xavier there, for none. The lab draws the
    Linears of a network built by hand this way."""
    if not isinstance(net.operators.get(node), Linear):
        raise GraphError(f"node {node!r} is not a Linear of this network")
    feeds = net.connectivity.get(node, ())
    relus = all(isinstance(net.operators[dst], ReLU | LeakyReLU) for dst in feeds)
    return "he" if feeds and relus else "xavier"


def seed_chain(rng: Rng = None, hidden: int = 25, activation=ReLU) -> Network:
    """The seed's network: 2 inputs, three hidden layers of 25 units, 2 outputs.

    Every Linear is drawn with He's initialisation (Xavier's if the activation is not ReLU),
    the output's too, as in the seed: the seed experiment's figures are measured with it."""
    rng = np.random.default_rng(rng)
    init = "he" if activation is ReLU else "xavier"
    operators = {
        1: Linear(2, hidden, init=init, rng=rng), 2: activation(),
        3: Linear(hidden, hidden, init=init, rng=rng), 4: activation(),
        5: Linear(hidden, hidden, init=init, rng=rng), 6: activation(),
        7: Linear(hidden, 2, init=init, rng=rng),
    }
    connectivity = {0: [1], 1: [2], 2: [3], 3: [4], 4: [5], 5: [6], 6: [7]}
    return Network(operators, connectivity)


def figure1(rng: Rng = None) -> Network:
    """The report's Figure 1: a main branch and a skip branch from the input meet in a Sum.

    The Linear before the ReLU is drawn with He's initialisation, the others (before the Tanh,
    the skip branch, the output) with Xavier's: see ``suggested_init``."""
    rng = np.random.default_rng(rng)
    operators = {
        1: Linear(2, 25, init="xavier", rng=rng), 2: Tanh(), 3: Linear(25, 25, rng=rng),
        4: ReLU(), 5: Sum(), 6: Linear(2, 25, init="xavier", rng=rng),
        7: Linear(25, 2, init="xavier", rng=rng),
    }
    connectivity = {0: [1, 6], 1: [2], 2: [3], 3: [4], 4: [5], 6: [5], 5: [7]}
    return Network(operators, connectivity)


def deep_sigmoid(rng: Rng = None, depth: int = 8, width: int = 16, skip: bool = False) -> Network:
    """A Linear, ``depth`` blocks of Sigmoid + Linear, then a Sigmoid and the output Linear.

    Without skips the gradient shrinks block by block on its way back (σ' ≤ 1/4): the first
    layers barely learn. With ``skip=True`` (the same modules, plus Sum nodes) each block's output
    is added to its input, ``h ← h + W σ(h) + b``, and the gradient has a path around every
    Sigmoid. (The Sum comes after the block's Linear, not after its Sigmoid: Sigmoid outputs,
    all near ½, would pile up block after block; and the last Sigmoid keeps what the output
    Linear reads between 0 and 1. Either way the stack diverged at learning rate 0.1.)
    """
    rng = np.random.default_rng(rng)
    operators = {1: Linear(2, width, init="xavier", rng=rng)}
    connectivity = {0: [1]}
    last = 1
    for _ in range(depth):
        sigmoid, linear = len(operators) + 1, len(operators) + 2
        operators[sigmoid] = Sigmoid()
        operators[linear] = Linear(width, width, init="xavier", rng=rng)
        connectivity.setdefault(last, []).append(sigmoid)
        connectivity[sigmoid] = [linear]
        if skip:
            total = len(operators) + 1
            operators[total] = Sum()
            connectivity[last].append(total)
            connectivity[linear] = [total]
            last = total
        else:
            last = linear
    sigmoid, output = len(operators) + 1, len(operators) + 2
    operators[sigmoid] = Sigmoid()
    operators[output] = Linear(width, 2, init="xavier", rng=rng)
    connectivity.setdefault(last, []).append(sigmoid)
    connectivity[sigmoid] = [output]
    return Network(operators, connectivity)


def deep_sigmoid_skip(rng: Rng = None, depth: int = 8, width: int = 16) -> Network:
    """``deep_sigmoid`` with a skip edge around every block, into a Sum node."""
    return deep_sigmoid(rng, depth=depth, width=width, skip=True)


def tiny(rng: Rng = None) -> Network:
    """The smallest network to walk through by hand: 2 inputs, 3 Tanh units, 2 outputs
    (Xavier's initialisation: before a Tanh, and the output). On one point, every value and
    every gradient of a training step is a handful of numbers."""
    rng = np.random.default_rng(rng)
    return Network({1: Linear(2, 3, init="xavier", rng=rng), 2: Tanh(),
                    3: Linear(3, 2, init="xavier", rng=rng)}, {0: [1], 1: [2], 2: [3]})


PRESETS = {
    "seed": seed_chain,
    "figure1": figure1,
    "deep-sigmoid": deep_sigmoid,
    "deep-sigmoid-skip": deep_sigmoid_skip,
    "tiny": tiny,
}
"""The presets by name: ``PRESETS["figure1"](rng)``."""
