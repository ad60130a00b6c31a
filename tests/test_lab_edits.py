"""Edits at the speed of speech (``labnet.lab.edits``): replace a node's module keeping the
edges it allows, take a node out of a chain joining its neighbours, widen a Linear, put in a
layer, set every activation at once. Each returns a new graph or raises and changes nothing; and
each is a ``Lab`` method, undone by one Undo."""

import numpy as np
import pytest

import labnet as ln
from labnet.lab import Lab
from labnet.lab.edits import (
    ACTIVATIONS,
    add_layer,
    common_activation,
    fit_output,
    output_edge,
    remove_joining,
    replace_node,
    set_activation,
    widen,
)
from labnet.lab.graph import MAX_WIDTH, Graph


def seed() -> Graph:
    """The seed chain 0 → 1 (Linear 25) → 2 (ReLU) → ... → 6 (ReLU) → 7 (Linear 2)."""
    return Graph.of(ln.PRESETS["seed"](0))


def kinds(graph: Graph) -> dict:
    return {node: spec.label() for node, spec in graph.nodes.items()}


CHAIN = ((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7))


def test_a_replaced_node_keeps_its_id_place_and_edges():
    graph = seed()
    tanh = replace_node(graph, 2, "Tanh")
    assert kinds(tanh)[2] == "Tanh" and tanh.edges == graph.edges
    assert tanh.positions == graph.positions and tanh.problems() is None
    assert kinds(graph)[2] == "ReLU"  # the old graph as it was


def test_a_replaced_node_keeps_only_the_edges_its_module_takes_in_their_order():
    graph = seed().add("ReLU")[0].connect(5, 8)  # 5 feeds 6 and 8
    summed = replace_node(graph, 6, "Sum")
    summed = summed.connect(8, 6)  # a Sum takes two inputs
    assert summed.inputs_of(6) == [5, 8]
    linear = replace_node(summed, 6, "Linear", {"width": 4})  # one input: the first kept
    assert linear.inputs_of(6) == [5] and (6, 7) in linear.edges
    assert kinds(linear)[6] == "Linear 4"


def test_a_replacement_whose_width_does_not_fit_a_sum_loses_that_edge():
    graph = Graph.of(ln.PRESETS["figure1"](0))  # 4 (ReLU) and 6 (Linear 25) feed Sum 5
    narrow = replace_node(graph, 6, "Linear", {"width": 3})
    assert (0, 6) in narrow.edges and (6, 5) not in narrow.edges
    assert narrow.inputs_of(5) == [4]


@pytest.mark.parametrize(("node", "kind", "words"), [
    (0, "Tanh", "node 0 is the input"),
    (42, "Tanh", "cannot replace node 42"),
    ([1], "Tanh", "a node id is a whole number or a name"),
    (2, "Conv2d", "unknown module kind 'Conv2d'"),
    (1, "Linear", None),  # (a width of 25: the same module, no change)
])
def test_a_replacement_that_cannot_be_is_refused_saying_why(node, kind, words):
    graph = seed()
    if words is None:
        assert replace_node(graph, node, kind) == graph
        return
    with pytest.raises(ValueError, match=words):
        replace_node(graph, node, kind)


def test_removing_a_node_inside_a_chain_joins_its_neighbours():
    graph = seed()
    joined = remove_joining(graph, 5)
    assert 5 not in joined.nodes and (4, 6) in joined.edges
    assert joined.edges == ((0, 1), (1, 2), (2, 3), (3, 4), (4, 6), (6, 7))
    assert joined.problems() is None
    assert graph.edges == CHAIN


def test_a_joined_edge_takes_the_removed_nodes_place_among_a_sums_inputs():
    graph = Graph.of(ln.PRESETS["figure1"](0))  # Sum 5 fed by 4 then 6; 0 → 6
    joined = remove_joining(graph, 4)  # 3 (Linear 25) takes 4's place
    assert joined.inputs_of(5) == [3, 6]


def test_removing_the_output_or_a_node_whose_join_does_not_fit_only_takes_it_out():
    graph = seed()
    assert remove_joining(graph, 7) == graph.remove(7)
    skip = Graph.of(ln.PRESETS["figure1"](0))
    # 6 (Linear 25) joins the input (2 wide) to the Sum of 25-wide inputs: no join
    assert remove_joining(skip, 6) == skip.remove(6)


def test_removing_a_node_fed_by_two_into_a_node_of_one_input_does_not_join():
    graph = Graph.of(ln.PRESETS["figure1"](0))
    assert remove_joining(graph, 5) == graph.remove(5)  # 4 and 6 cannot both feed Linear 7


def test_widen_adds_or_takes_units_from_a_linear():
    graph = seed()
    assert kinds(widen(graph, 3, 1))[3] == "Linear 26"
    assert kinds(widen(graph, 3, -24))[3] == "Linear 1"


@pytest.mark.parametrize(("node", "by", "words"), [
    (2, 1, "node 2 is a ReLU: only a Linear has a width"),
    (0, 1, "node 0 is the input"),
    (3, -25, "cannot be 0 wide"),
    (3, MAX_WIDTH, f"1 to {MAX_WIDTH} units"),
    (3, 1.5, "by must be a whole number"),
    (3, True, "by must be a whole number"),
    (99, 1, "cannot widen node 99"),
])
def test_a_width_the_lab_cannot_have_is_refused(node, by, words):
    with pytest.raises(ValueError, match=words):
        widen(seed(), node, by)


def test_a_layer_goes_into_the_edge_into_the_output_with_the_networks_activation():
    graph = set_activation(seed(), "Tanh")
    layered, (linear, act) = add_layer(graph, width=8)
    assert kinds(layered)[linear] == "Linear 8" and kinds(layered)[act] == "Tanh"
    assert (6, linear) in layered.edges and (linear, act) in layered.edges
    assert (act, 7) in layered.edges and (6, 7) not in layered.edges
    assert layered.problems() is None
    assert layered.position(linear)[0] < layered.position(act)[0] < layered.position(7)[0]


def test_a_layer_goes_where_it_is_asked_and_refuses_what_it_cannot():
    layered, (linear, act) = add_layer(seed(), 4, "Sigmoid", between=(2, 3))
    assert layered.inputs_of(linear) == [2] and layered.inputs_of(3) == [act]
    with pytest.raises(ValueError, match="activation is one of"):
        add_layer(seed(), 4, "Sum")
    with pytest.raises(ValueError, match="between must be a pair"):
        add_layer(seed(), 4, None, between=(1,))
    with pytest.raises(ValueError, match="there is no edge 1 → 3"):
        add_layer(seed(), 4, None, between=(1, 3))
    loose = seed().add("ReLU")[0]  # two nodes feed nothing: say where
    with pytest.raises(ValueError, match="say where the layer goes"):
        add_layer(loose)
    assert output_edge(loose, output=7) == (6, 7)


def test_one_activation_for_every_activation_node():
    graph = seed()
    assert common_activation(graph) == "ReLU"
    tanh = set_activation(graph, "Tanh")
    assert {kinds(tanh)[n] for n in (2, 4, 6)} == {"Tanh"} and common_activation(tanh) == "Tanh"
    leaky = set_activation(graph, "LeakyReLU", {"negative_slope": 0.2})
    assert kinds(leaky)[4] == "Leaky 0.2" and kinds(leaky)[1] == "Linear 25"
    assert common_activation(replace_node(graph, 2, "Tanh")) is None  # mixed
    assert set(ACTIVATIONS) == {"ReLU", "LeakyReLU", "Tanh", "Sigmoid"}


@pytest.mark.parametrize(("kind", "words"), [
    ("Sum", "the activation is one of"), ("", "the activation is one of"),
])
def test_an_activation_that_is_not_one_is_refused(kind, words):
    with pytest.raises(ValueError, match=words):
        set_activation(seed(), kind)
    with pytest.raises(ValueError, match="no activation node"):
        set_activation(Graph.of(ln.Network({1: ln.Linear(2, 2)}, {0: [1]})), "Tanh")


# -- the same edits as Lab methods: one undo step each, the network trained follows ------------
def test_each_edit_is_a_lab_method_that_one_undo_takes_back():
    lab = Lab()
    lab.step(3)
    before = lab.state.graph
    for edit in (lambda: lab.replace(2, "Tanh"), lambda: lab.remove(5),
                 lambda: lab.widen(3, 2), lambda: lab.add_layer(8),
                 lambda: lab.set_activation("Sigmoid")):
        graph = lab.state.graph
        edit()
        assert lab.state.graph != graph and lab.graph_error is None
        lab.undo()
        assert lab.state.graph == graph
        lab.redo()
    for _ in range(5):
        lab.undo()
    assert lab.state.graph == before


def test_a_replaced_module_is_new_and_the_others_keep_their_weights():
    lab = Lab()
    lab.step(5)
    weight = lab.network.operators[3].weight.copy()
    old = lab.network.operators[2]
    lab.replace(2, "Tanh")
    assert isinstance(lab.network.operators[2], ln.Tanh) and lab.network.operators[2] is not old
    assert np.array_equal(lab.network.operators[3].weight, weight)


def test_figure1_from_the_seed_chain_in_six_edits():
    """The gestures of the browser test, as Lab methods: the report's Figure 1 exactly."""
    lab = Lab()
    lab.replace(2, "Tanh")
    lab.replace(6, "Sum")
    lab.remove(5)
    skip = lab.add("Linear", width=25)
    lab.connect(0, skip)
    lab.connect(skip, 6)
    net, figure1 = lab.network, ln.PRESETS["figure1"](0)
    shape = [(type(net.operators[n]).__name__, net.widths[n], len(net.inputs[n]))
             for n in net.order]
    expected = [(type(figure1.operators[n]).__name__, figure1.widths[n], len(figure1.inputs[n]))
                for n in figure1.order]
    assert sorted(shape) == sorted(expected) and net.num_params() == figure1.num_params()
    assert dict(net.inputs)[6] == (4, skip) and net.output == 7


def test_a_refused_edit_of_the_lab_changes_nothing():
    lab = Lab()
    graph = lab.state.graph
    for edit, words in ((lambda: lab.replace(0, "Tanh"), "input"),
                        (lambda: lab.widen(2), "only a Linear"),
                        (lambda: lab.set_activation("Linear"), "activation is one of"),
                        (lambda: lab.add_layer(activation="Sum"), "activation is one of")):
        with pytest.raises(ValueError, match=words):
            edit()
        assert lab.state.graph is graph and not lab.state.can_undo


def test_remove_without_join_leaves_the_gap():
    lab = Lab()
    lab.remove(5, join=False)
    assert (4, 6) not in lab.state.graph.edges and lab.graph_error is not None


def test_the_output_is_fitted_to_what_the_data_need_and_nothing_else_changes():
    graph = seed()
    assert fit_output(graph, 2) is graph
    three = fit_output(graph, 3)
    assert three.nodes[7].width == 3 and three.edges == graph.edges
    assert {n: s for n, s in three.nodes.items() if n != 7} == {
        n: s for n, s in graph.nodes.items() if n != 7}
    assert fit_output(graph, 1).nodes[7].width == 1
    unfinished = graph.add("ReLU")[0]  # two nodes feed nothing: no output to fit yet
    assert fit_output(unfinished, 3) is unfinished


def test_an_output_that_is_not_a_linear_and_not_as_wide_is_refused_saying_what_is_needed():
    graph = remove_joining(seed(), 7)  # ReLU 6, 25 wide, is the output
    with pytest.raises(ln.GraphError, match=r"node 6 \(ReLU\), gives 25 value\(s\); the data "
                                            r"need 3 outputs, one per class: end the network"):
        fit_output(graph, 3, "3 outputs, one per class")
    summed = Graph.of(ln.PRESETS["figure1"](0)).remove(7)  # a Sum of two 25s is the output
    with pytest.raises(ln.GraphError, match="Sum"):
        fit_output(summed, 2)
