"""Random graphs: any DAG of modules back-propagates what finite differences measure."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import labnet as ln

KINDS = ["Linear", "Linear(None)", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Sum", "Concat"]
MAX_CONCAT_WIDTH = 8


@st.composite
def dags(draw):
    """``(operators, connectivity, in_features, seed, srcs)``: a random valid graph.

    Nodes come in a topological order; each one takes its inputs from earlier nodes. A Sum takes
    inputs of one width; a Concat any. If several nodes feed nothing, a last Concat joins them.
    ``srcs`` maps each node to its sources in the order its edges are listed in connectivity.
    """
    string_ids = draw(st.booleans())
    in_features = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    widths = {0: in_features}
    operators, chosen = {}, {}
    for i in range(1, draw(st.integers(1, 7)) + 1):
        node = f"n{i}" if string_ids else i
        earlier = list(widths)
        kind = draw(st.sampled_from(KINDS))
        if kind == "Sum":
            first = draw(st.sampled_from(earlier))
            alike = [src for src in earlier if widths[src] == widths[first] and src != first]
            more = draw(st.lists(st.sampled_from(alike), max_size=2, unique=True)) if alike else []
            sources, width, module = [first, *more], widths[first], ln.Sum()
        elif kind == "Concat":
            sources = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=3, unique=True))
            if sum(widths[src] for src in sources) > MAX_CONCAT_WIDTH:
                sources = sources[:1]
            width, module = sum(widths[src] for src in sources), ln.Concat()
        else:
            sources = [draw(st.sampled_from(earlier))]
            width = widths[sources[0]]
            if kind.startswith("Linear"):
                width = draw(st.integers(1, 3))
                known = None if kind == "Linear(None)" else widths[sources[0]]
                init = draw(st.sampled_from(["he", "xavier"]))
                module = ln.Linear(known, width, init=init, rng=rng)
            else:
                module = {"ReLU": ln.ReLU, "LeakyReLU": lambda: ln.LeakyReLU(0.2),
                          "Tanh": ln.Tanh, "Sigmoid": ln.Sigmoid}[kind]()
        operators[node], chosen[node], widths[node] = module, sources, width
    fed = {src for sources in chosen.values() for src in sources}
    sinks = [node for node in operators if node not in fed]
    if len(sinks) > 1:
        chosen["out"] = sinks
        operators["out"] = ln.Concat()
    # list the edges in a random order: a node's inputs follow it, whatever it is
    edges = draw(st.permutations([(src, dst) for dst, srcs in chosen.items() for src in srcs]))
    connectivity = {}
    for src, dst in edges:
        connectivity.setdefault(src, []).append(dst)
    listed = [(src, dst) for src, dsts in connectivity.items() for dst in dsts]
    srcs = {node: [src for src, dst in listed if dst == node] for node in operators}
    return operators, connectivity, in_features, seed, srcs


def reference_forward(operators, srcs, order, x):
    """The graph's output, computed the plain way: each node on its listed inputs, in order."""
    outputs = {0: x}
    for node in order:
        outputs[node] = operators[node].forward(*[outputs[src] for src in srcs[node]])
    return outputs[order[-1]]


@settings(max_examples=30, deadline=None)
@given(dags(), st.integers(1, 3))
def test_random_dag_gradients_match_finite_differences(dag, batch):
    operators, connectivity, in_features, seed, srcs = dag
    net = ln.Network(operators, connectivity, in_features=in_features)
    rng = np.random.default_rng(seed)
    for value, _ in net.params():  # random biases too: no ReLU input sits exactly at its kink
        value[...] = rng.normal(size=value.shape)
    x = rng.normal(size=(batch, in_features))

    assert {node: list(inputs) for node, inputs in net.inputs.items()} == srcs
    for node in net.order:
        assert all(src == 0 or net.order.index(src) < net.order.index(node) for src in srcs[node])
        assert net.depth[node] == 1 + max(net.depth[src] for src in srcs[node])
    np.testing.assert_allclose(net.forward(x), reference_forward(operators, srcs, net.order, x))

    report = ln.gradcheck(net, x, rng=seed)
    assert report.ok, f"{net.summary()}\n{report}"
    assert set(net.grad_norms()) == {net.input, *net.order}
    assert net.forward(x).shape == (batch, net.out_features)
