"""The lab's graph editing (``labnet.lab.graph``): a ``Graph`` is a value, every edit returns a
new one or raises and leaves the old one as it was; incomplete graphs are allowed and say why;
``network()`` builds the Network, keeping modules that still fit."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labnet as ln
from labnet.lab.graph import (
    INPUT,
    MAX_NODES,
    MAX_PARAMETERS,
    MAX_WIDTH,
    POSITION_LIMIT,
    Graph,
    NodeSpec,
    check_fits_the_lab,
    layout,
)

FIGURE1_NODES = [("Linear", {"width": 25}), ("Tanh", {}), ("Linear", {"width": 25}),
                 ("ReLU", {}), ("Sum", {}), ("Linear", {"width": 25}), ("Linear", {"width": 2})]
FIGURE1_EDGES = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 6), (6, 5), (5, 7)]


def figure1() -> Graph:
    graph = Graph(positions={0: (0.0, 0.0)})
    for kind, params in FIGURE1_NODES:
        graph, _ = graph.add(kind, params)
    for src, dst in FIGURE1_EDGES:
        graph = graph.connect(src, dst)
    return graph


def frozen(graph: Graph):
    return dict(graph.nodes), tuple(graph.edges), dict(graph.positions)


def test_figure1_built_node_by_node_is_the_design_examples_network():
    graph = figure1()
    assert graph.problems() is None
    net = graph.network(np.random.default_rng(0))
    assert dict(net.inputs) == {1: (0,), 2: (1,), 3: (2,), 4: (3,), 5: (4, 6), 6: (0,), 7: (5,)}
    assert net.output == 7 and net.widths[5] == 25 and net.num_params() == 852
    assert ln.gradcheck(net, ln.disk(4, rng=0)[0]).ok


def test_a_graph_of_a_network_has_its_nodes_edges_and_specs():
    net = ln.PRESETS["figure1"](0)
    graph = Graph.of(net)
    assert set(graph.nodes) == set(net.operators)
    assert sorted(graph.edges) == sorted(FIGURE1_EDGES)
    assert (graph.nodes[1].kind, graph.nodes[1].width) == ("Linear", 25)
    assert graph.nodes[5].kind == "Sum" and set(graph.positions) == {0, *net.operators}


def test_every_edit_returns_a_new_graph_and_leaves_the_old_one_as_it_was():
    graph = figure1()
    before = frozen(graph)
    edits = [lambda g: g.add("ReLU")[0], lambda g: g.disconnect(6, 5).connect(6, 5),
             lambda g: g.disconnect(0, 6), lambda g: g.remove(6),
             lambda g: g.set_params(1, {"width": 8}), lambda g: g.move(3, 2.5, 1),
             lambda g: g.tidy().move(1, 9, 9), lambda g: g.add("Tanh", between=(1, 2))[0]]
    for edit in edits:
        new = edit(graph)
        assert new is not graph and frozen(new) != before
        assert frozen(graph) == before


def test_a_node_put_into_an_edge_takes_its_place():
    graph, node = figure1().add("Sigmoid", between=(1, 2))
    assert (1, node) in graph.edges and (node, 2) in graph.edges and (1, 2) not in graph.edges
    assert graph.edges.index((1, node)) + 1 == graph.edges.index((node, 2))  # the edge's place
    assert graph.problems() is None
    assert graph.network(np.random.default_rng(0)).inputs[2] == (node,)


@pytest.mark.parametrize(("edit", "words"), [
    (lambda g: g.connect(3, 0), "edge 3 → 0: nothing can feed the input"),
    (lambda g: g.connect(3, 3), "a node cannot feed itself"),
    (lambda g: g.connect(1, 2), "edge 1 → 2 is already there"),
    (lambda g: g.connect(7, 1), "cycle: 1 → 2 → 3 → 4 → 5 → 7 → 1"),
    (lambda g: g.connect(0, 3), "node 3 (Linear 25) takes 1 input(s), but would be fed by 2"),
    (lambda g: g.connect(99, 1), "cannot connect from node 99: there is no such node"),
    (lambda g: g.connect(1, "x"), "cannot connect to node 'x'"),
    (lambda g: g.disconnect(1, 3), "there is no edge 1 → 3"),
    (lambda g: g.remove(0), "node 0 is the input"),
    (lambda g: g.remove(42), "cannot remove node 42"),
    (lambda g: g.set_params(0, {"width": 3}), "node 0 is the input"),
    (lambda g: g.set_params(42, {"width": 3}), "node 42"),
    (lambda g: g.set_params(2, {"width": 3}), "Tanh"),
    (lambda g: g.set_params(1, {"width": 0}), "width must be a whole number from 1 to 4096"),
    (lambda g: g.move(42, 0, 0), "cannot move node 42"),
    (lambda g: g.move(1, float("nan"), 0), "a position is within"),
    (lambda g: g.move(1, "left", 0), "a position is two numbers"),
    (lambda g: g.add("Conv2d"), "unknown module kind 'Conv2d'"),
    (lambda g: g.add("ReLU", {"width": 3}), "ReLU"),
    (lambda g: g.add("Linear", {"width": 0}), "width must be"),
    (lambda g: g.add("Linear", {"width": MAX_WIDTH + 1}), "from 1 to 4096"),
    (lambda g: g.add("ReLU", between=(1, 3)), "there is no edge 1 → 3 to put a ReLU into"),
    (lambda g: g.add("Linear", at=(float("inf"), 0)), "a position is within"),
    (lambda g: g.add("ReLU", at=(1, 2, 3)), "ReLU: at must be a pair, got (1, 2, 3)"),
    (lambda g: g.add("ReLU", at=5), "at must be a pair"),
    (lambda g: g.add("ReLU", between=(1,)), "between must be a pair"),
    (lambda g: g.add("ReLU", between=7), "between must be a pair"),
])
def test_an_edit_no_network_can_have_is_refused_saying_why(edit, words):
    graph = figure1()
    before = frozen(graph)
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        edit(graph)
    assert frozen(graph) == before


def test_inputs_of_a_sum_whose_widths_differ_are_refused_naming_the_node_and_edges():
    graph = figure1().remove(6)
    graph, extra = graph.add("Linear", {"width": 30})
    graph = graph.connect(0, extra)
    with pytest.raises(ln.ShapeError, match=rf"node 5, fed by 4 → 5, {extra} → 5"):
        graph.connect(extra, 5)


def test_widening_a_linear_that_feeds_a_sum_is_refused_too():
    with pytest.raises(ln.ShapeError, match="node 5"):
        figure1().set_params(6, {"width": 30})


@pytest.mark.parametrize(("edit", "words"), [
    (lambda g: g.add("ReLU")[0], "node(s) 8 cannot be reached from the input"),
    (lambda g: g.disconnect(6, 5), "nodes 6, 7 feed nothing"),
    (lambda g: g.disconnect(3, 4).connect(1, 4), "nodes 3, 7"),
    (lambda g: g.remove(5), "node(s) 7 cannot be reached"),
])
def test_an_incomplete_graph_is_allowed_and_says_what_is_missing(edit, words):
    graph = edit(figure1())
    assert words in graph.problems()
    with pytest.raises(ValueError):
        graph.network(np.random.default_rng(0))


def test_an_empty_graph_says_it_is_empty():
    assert "empty" in Graph(positions={0: (0.0, 0.0)}).problems()


def test_a_network_whose_output_is_not_what_the_data_need_is_refused_saying_what_they_need():
    network = ln.Sequential(ln.Linear(2, 4, rng=0), ln.ReLU(), ln.Linear(4, 1, rng=1))
    check_fits_the_lab(network)  # (the outputs are checked only when said)
    with pytest.raises(ln.GraphError, match="node 3 has width 1: the lab needs 2 outputs"):
        check_fits_the_lab(network, outputs=2)
    with pytest.raises(ln.GraphError, match="the lab needs 3 outputs, one per class"):
        check_fits_the_lab(network, outputs=3, needs="3 outputs, one per class")
    check_fits_the_lab(network, outputs=1)


def test_the_output_of_a_graph_is_its_one_node_that_feeds_nothing():
    graph = figure1()
    assert graph.output() == 7
    assert graph.add("ReLU")[0].output() is None  # two nodes feed nothing


def test_check_fits_the_lab_wants_node_0_with_two_features():
    with pytest.raises(ln.GraphError, match="input is node 0"):
        check_fits_the_lab(ln.Network({1: ln.Linear(2, 2)}, {"x": [1]}, input="x"))
    with pytest.raises(ln.GraphError, match="2 features"):
        check_fits_the_lab(ln.Network({1: ln.Linear(3, 2)}, {0: [1]}))


def test_network_keeps_modules_whose_spec_and_input_width_are_unchanged():
    graph = figure1()
    old = graph.network(np.random.default_rng(0))
    # a new branch 0 → 8 → 5 of the right width: every old module is kept, weights and all
    graph, node = graph.add("Linear", {"width": 25})
    graph = graph.connect(0, node).connect(node, 5)
    net = graph.network(np.random.default_rng(1), keep=old.operators)
    assert all(net.operators[n] is module for n, module in old.operators.items())
    # node 3 now reads 12 features, not 25: a new Linear, its in_features inferred
    graph, narrow = graph.disconnect(2, 3).add("Linear", {"width": 12})
    graph = graph.connect(2, narrow).connect(narrow, 3)
    net = graph.network(np.random.default_rng(1), keep=net.operators)
    assert net.operators[3] is not old.operators[3] and net.operators[3].in_features == 12
    assert net.operators[1] is old.operators[1]
    # a Linear made anew with another width is a new module
    net = graph.set_params(1, {"width": 24}).network(np.random.default_rng(1),
                                                     keep=net.operators)
    assert net.operators[1] is not old.operators[1] and net.operators[1].out_features == 24


def test_new_weights_are_drawn_from_the_generator_given():
    a = figure1().network(np.random.default_rng(5))
    b = figure1().network(np.random.default_rng(5))
    c = figure1().network(np.random.default_rng(6))
    assert all(np.array_equal(x, y) for (x, _), (y, _) in zip(a.params(), b.params(),
                                                              strict=True))
    assert not np.array_equal(a.params()[0][0], c.params()[0][0])


def test_problems_does_not_draw_from_any_generator_or_touch_the_modules():
    graph = figure1()
    net = graph.network(np.random.default_rng(0))
    weights = [value.copy() for value, _ in net.params()]
    graph.problems()
    graph.network(np.random.default_rng(3), keep=net.operators)
    assert all(np.array_equal(v, w) for (v, _), w in zip(net.params(), weights, strict=True))


def test_a_network_bigger_than_the_lab_takes_is_refused_naming_the_node():
    graph, wide = Graph(positions={0: (0.0, 0.0)}).add("Linear", {"width": MAX_WIDTH})
    graph = graph.connect(0, wide)
    graph, wider = graph.add("Linear", {"width": MAX_WIDTH})
    graph = graph.connect(wide, wider)  # a 4096 × 4096 layer fits
    graph, widest = graph.add("Linear", {"width": MAX_WIDTH})
    before = frozen(graph)
    with pytest.raises(ln.GraphError, match=rf"node {widest} \(Linear 4096\) would give the "
                                            rf"network more than {MAX_PARAMETERS:,} parameters"):
        graph.connect(wider, widest)
    assert frozen(graph) == before
    graph, narrow = graph.add("Linear", {"width": 2})
    graph.remove(widest).connect(wider, narrow).check()


def test_a_graph_has_at_most_max_nodes():
    specs = {node: NodeSpec.new("ReLU", {}) for node in range(1, MAX_NODES + 1)}
    graph = Graph(specs, (), {0: (0.0, 0.0)})
    with pytest.raises(ln.GraphError, match=f"at most {MAX_NODES} nodes"):
        graph.add("ReLU")


def test_positions_beyond_the_limit_are_refused():
    # (issue 14, 5: x = 1e308 was taken, and a node at (1e308, -1e308) made the graph vanish)
    graph = figure1().move(1, POSITION_LIMIT, -POSITION_LIMIT)
    assert graph.position(1) == (POSITION_LIMIT, -POSITION_LIMIT)
    for x, y in ((1e308, 0), (0, -1e308), (POSITION_LIMIT + 1, 0)):
        with pytest.raises(ln.InputError, match="a position is within"):
            graph.move(1, x, y)
    with pytest.raises(ln.InputError, match="a position is within"):
        Graph(graph.nodes, graph.edges, {**graph.positions, 2: (1e308, -1e308)}).check()


def test_node_ids_are_short_and_unique_as_text():
    # (issue 14, 5: ids of 100,000 characters were drawn outside the graph; 3 and "3" were two
    # nodes labelled 3)
    net = ln.Network({"x" * 100_000: ln.Linear(2, 2)}, {0: ["x" * 100_000]})
    with pytest.raises(ln.GraphError, match="1 to 32 characters") as refused:
        Graph.of(net).check()
    assert len(str(refused.value)) < 200
    with pytest.raises(ln.GraphError, match="within ±2\\*\\*53"):
        Graph.of(ln.Network({10**20: ln.Linear(2, 2)}, {0: [10**20]})).check()
    relu = NodeSpec.new("ReLU", {})
    twins = Graph({3: relu, "3": relu}, ((0, 3), (3, "3")), {0: (0, 0), 3: (1, 0), "3": (2, 0)})
    with pytest.raises(ln.GraphError, match="the same name"):  # (as a file may have them)
        twins.check()
    named = Graph.of(ln.Network({"8": ln.Linear(2, 2), 7: ln.ReLU()}, {0: ["8"], "8": [7]}))
    assert named.next_id() == 9  # (8 is taken, as text)


def test_node_ids_may_be_names_and_new_ids_follow_the_largest_number():
    graph = Graph(positions={0: (0.0, 0.0)})
    graph, first = graph.add("Linear", {"width": 2})
    net = ln.Network({"hidden": ln.Linear(2, 4), "out": ln.Linear(4, 2)},
                     {0: ["hidden"], "hidden": ["out"]})
    named = Graph.of(net)
    assert first == 1 and named.next_id() == 1
    named, node = named.add("ReLU", between=("hidden", "out"))
    assert node == 1 and named.problems() is None


def test_a_nodespec_says_what_it_is():
    spec = NodeSpec.new("Linear", {"width": 8})
    assert spec.params()["width"] == 8 and spec.width == 8
    assert (spec.label(), spec.short_label(), spec.kind) == ("Linear 8", "L8", "Linear")
    assert NodeSpec.new("Linear", {}).width == 25
    leaky = NodeSpec.new("LeakyReLU", {"negative_slope": 0.2})
    assert leaky.params() == {"negative_slope": 0.2} and leaky.width is None
    assert leaky.with_params({"negative_slope": 0.3}).params() == {"negative_slope": 0.3}
    assert NodeSpec.new("Sum", {}).short_label() == "+"
    assert NodeSpec.of(ln.Linear(3, 5)) == NodeSpec.new("Linear", {"width": 5})


@pytest.mark.parametrize(("kind", "params", "words"), [
    ("Linear", {"width": True}, "width must be a whole number"),
    ("Linear", {"width": "8"}, "width must be a whole number"),
    ("Linear", {"width": 10**400}, "width must be a whole number"),
    ("Linear", {"dtype": "float32"}, "Linear takes no parameter dtype; it takes .*width"),
    ("Linear", {"rng": 3}, r"^Linear: the lab sets rng itself \(rng is drawn from the lab's "
                           r"seed\); it takes width$"),
    ("Linear", {"in_features": 10**6}, r"^Linear: the lab sets in_features itself \(in_features "
                                       r"is the width of the node that feeds it\)"),
    ("Linear", {"width": 3, "bias": False}, r"^Linear takes no parameter bias; it takes width$"),
    ("ReLU", {"slope": 3}, r"^ReLU takes no parameter slope; it takes none$"),
    ("LeakyReLU", {"slope": 3}, r"^LeakyReLU takes no parameter slope; it takes "
                                r"negative_slope$"),
    ("LeakyReLU", {"negative_slope": float("nan")}, "negative_slope must be a finite number"),
    ("LeakyReLU", {"negative_slope": "steep"}, "LeakyReLU: .*steep"),
])
def test_a_bad_parameter_of_a_new_node_is_refused_with_its_module_named(kind, params, words):
    with pytest.raises(ValueError, match=words):
        NodeSpec.new(kind, params)


def test_layout_columns_are_depths_and_a_branch_takes_its_own_row():
    graph = figure1()
    positions = layout(graph.nodes, graph.edges)
    net = graph.network(np.random.default_rng(0))
    assert {n: x for n, (x, _) in positions.items()} == dict(net.depth)
    assert positions[6][1] != positions[1][1]
    assert len(set(positions.values())) == len(positions)
    assert graph.tidy().positions == positions


def test_layout_copes_with_cycles_loose_nodes_and_deep_chains():
    positions = layout({1: None, 2: None, 3: None}, [(INPUT, 1), (1, 2), (2, 1)])
    assert set(positions) == {0, 1, 2, 3}
    assert positions[1][0] < positions[2][0]
    chain = {n: None for n in range(1, 3001)}
    deep = layout(chain, [(n - 1, n) for n in chain])  # no recursion
    assert deep[3000] == (3000.0, 0.0)


def test_a_cycle_in_a_graph_read_from_a_file_is_refused_by_check():
    specs = {1: NodeSpec.new("Sum", {}), 2: NodeSpec.new("Sum", {})}
    graph = Graph(specs, ((0, 1), (1, 2), (2, 1)), {})
    with pytest.raises(ln.GraphError, match="cycle"):
        graph.check()


KINDS = ["Linear", "ReLU", "Tanh", "Sum", "Concat", "Sigmoid"]
EDITS = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(KINDS), st.integers(1, 6)),
    st.tuples(st.just("connect"), st.integers(0, 8), st.integers(0, 8)),
    st.tuples(st.just("disconnect"), st.integers(0, 8), st.integers(0, 8)),
    st.tuples(st.just("remove"), st.integers(0, 8)),
    st.tuples(st.just("set_params"), st.integers(0, 8), st.integers(1, 6)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, max_size=25))
def test_random_edits_give_graphs_or_value_errors_and_complete_graphs_build(edits):
    graph = Graph(positions={0: (0.0, 0.0)})
    for edit in edits:
        try:
            if edit[0] == "add":
                graph, _ = graph.add(edit[1], {"width": edit[2]} if edit[1] == "Linear" else {})
            elif edit[0] == "set_params":
                graph = graph.set_params(edit[1], {"width": edit[2]})
            else:
                graph = getattr(graph, edit[0])(*edit[1:])
        except ValueError:
            continue
        graph.check()  # what an edit gives is always a graph some network can have
        if graph.problems() is None:
            net = graph.network(np.random.default_rng(0))
            assert {node: list(net.inputs[node]) for node in net.operators} == {
                node: graph.inputs_of(node) for node in graph.nodes}
            assert net.out_features >= 1  # (how many the data need is checked apart)
