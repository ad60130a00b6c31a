"""Network: forward and backward over a graph, its derived structure, printing and state."""

import math

import numpy as np
import pytest

import labnet as ln


def figure1(seed=0):
    """The DESIGN.md example, written out as there."""
    rng = np.random.default_rng(seed)
    operators = {1: ln.Linear(2, 25, rng=rng), 2: ln.Tanh(), 3: ln.Linear(25, 25, rng=rng),
                 4: ln.ReLU(), 5: ln.Sum(), 6: ln.Linear(2, 25, rng=rng),
                 7: ln.Linear(25, 2, rng=rng)}
    connectivity = {0: [1, 6], 1: [2], 2: [3], 3: [4], 4: [5], 6: [5], 5: [7]}
    return ln.Network(operators, connectivity)


def scalar_linear(weight):
    """A Linear(1, 1) with the given weight and a zero bias."""
    linear = ln.Linear(1, 1)
    linear.weight[...] = weight
    return linear


X = np.random.default_rng(1).uniform(size=(6, 2))


# -- forward and backward --------------------------------------------------------------------

def test_figure1_gradients_match_finite_differences():
    report = ln.gradcheck(figure1(), X)
    assert report.ok, str(report)
    assert len(report.errors) == 1 + 2 * 4  # the input, and weight and bias of 4 Linears


def test_figure1_forward_is_the_composition_of_its_modules():
    net = figure1()
    ops = net.operators
    main = ops[4].forward(ops[3].forward(ops[2].forward(ops[1].forward(X))))
    expected = ops[7].forward(main + ops[6].forward(X))
    np.testing.assert_allclose(net.forward(X), expected)


def test_design_example_trains_with_the_seed_api():
    net = figure1()
    x, labels = ln.disk(50, rng=0)
    loss = ln.MSELoss()
    first = loss.forward(net.forward(x), ln.one_hot(labels, 2))
    grad_x = net.backward(loss.backward())
    assert grad_x.shape == x.shape
    before = [value.copy() for value, _ in net.params()]
    net.update_param(0.05)
    for (value, grad), old in zip(net.params(), before, strict=True):
        np.testing.assert_allclose(value, old - 0.05 * grad)
    assert loss.forward(net.forward(x), ln.one_hot(labels, 2)) < first


def test_fan_out_sums_the_gradients_of_every_consumer():
    # x → 1 (×2) → {2 (×3), 3 (×5)} → 4 Sum: y = 3·2x + 5·2x = 16x
    operators = {1: scalar_linear(2.0), 2: scalar_linear(3.0), 3: scalar_linear(5.0),
                 4: ln.Sum()}
    net = ln.Network(operators, {0: [1], 1: [2, 3], 2: [4], 3: [4]})
    x = np.array([[1.0], [2.0]])
    np.testing.assert_allclose(net.forward(x), 16 * x)
    grad_x = net.backward(np.array([[1.0], [1.0]]))
    np.testing.assert_allclose(grad_x, [[16.0], [16.0]])
    np.testing.assert_allclose(net.grads[1], [[8.0], [8.0]])  # 3 + 5, from both consumers
    # dL/dw1 = Σ_batch x · 8 = 24; dL/dw2 = Σ_batch (2x) = 6; dL/dw3 likewise
    np.testing.assert_allclose(operators[1].grad_weight, [[24.0]])
    np.testing.assert_allclose(operators[2].grad_weight, [[6.0]])
    np.testing.assert_allclose(operators[3].grad_weight, [[6.0]])
    np.testing.assert_allclose(operators[1].grad_bias, [8.0 * 2])


def test_edge_grads_hold_what_flowed_back_along_each_edge_and_sum_to_the_node_gradient():
    # the same fan-out: node 1 feeds 2 (×3) and 3 (×5); each edge carries its own share
    operators = {1: scalar_linear(2.0), 2: scalar_linear(3.0), 3: scalar_linear(5.0),
                 4: ln.Sum()}
    net = ln.Network(operators, {0: [1], 1: [2, 3], 2: [4], 3: [4]})
    net.backward(np.ones((2, 1)) + 0 * net.forward(np.array([[1.0], [2.0]])))
    assert set(net.edge_grads) == {(0, 1), (1, 2), (1, 3), (2, 4), (3, 4)}
    np.testing.assert_allclose(net.edge_grads[1, 2], 3.0)
    np.testing.assert_allclose(net.edge_grads[1, 3], 5.0)
    np.testing.assert_allclose(net.edge_grads[1, 2] + net.edge_grads[1, 3], net.grads[1])
    np.testing.assert_allclose(net.edge_grads[0, 1], net.grads[0])


def test_input_fanning_out_gets_the_sum_of_gradients():
    net = ln.Network({1: scalar_linear(2.0), 2: scalar_linear(-7.0), 3: ln.Sum()},
                     {0: [1, 2], 1: [3], 2: [3]})
    grad_x = net.backward(np.ones_like(net.forward(np.ones((3, 1)))))
    np.testing.assert_allclose(grad_x, -5.0)


def test_backward_sets_gradients_without_accumulating_across_calls():
    net = figure1()
    grad_out = np.ones((len(X), 2))
    net.forward(X)
    net.backward(grad_out)
    first = [grad.copy() for _, grad in net.params()]
    net.forward(X)
    net.backward(grad_out)
    for (_, grad), old in zip(net.params(), first, strict=True):
        np.testing.assert_array_equal(grad, old)


def test_call_and_predict_use_forward():
    net = figure1()
    np.testing.assert_array_equal(net(X), net.forward(X))
    np.testing.assert_array_equal(net.predict(X), np.argmax(net.forward(X), axis=1))


def test_forward_converts_lists_and_ints_to_the_network_dtype():
    net = ln.Sequential(ln.Linear(2, 1, rng=0))
    out = net.forward([[1, 2]])
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, np.array([[1.0, 2.0]]) @ net.operators[1].weight)


# -- the derived graph ---------------------------------------------------------------------------

def test_inputs_follow_the_order_the_edges_are_listed():
    # Concat's columns come in the order of its incoming edges: node 2's, then node 1's
    operators = {1: scalar_linear(1.0), 2: scalar_linear(10.0), 3: ln.Concat()}
    net = ln.Network(operators, {0: [2, 1], 2: [3], 1: [3]})
    assert net.inputs[3] == (2, 1)
    np.testing.assert_allclose(net.forward(np.array([[1.0]])), [[10.0, 1.0]])
    swapped = ln.Network({1: scalar_linear(1.0), 2: scalar_linear(10.0), 3: ln.Concat()},
                         {0: [1, 2], 1: [3], 2: [3]})
    assert swapped.inputs[3] == (1, 2)
    np.testing.assert_allclose(swapped.forward(np.array([[1.0]])), [[1.0, 10.0]])


def test_topological_order_and_depth_of_figure1():
    net = figure1()
    order = net.order
    assert sorted(order) == [1, 2, 3, 4, 5, 6, 7]
    for node, srcs in net.inputs.items():
        for src in srcs:
            assert src == 0 or order.index(src) < order.index(node)
    assert order[-1] == 7 == net.output
    assert dict(net.depth) == {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 6: 1, 5: 5, 7: 6}


def test_depth_is_the_longest_path_from_the_input():
    operators = {"a": ln.Linear(2, 2), "b": ln.Sum(), "c": ln.ReLU()}
    net = ln.Network(operators, {0: ["a", "b"], "a": ["c"], "c": ["b"]})
    assert net.depth["b"] == 3  # 0 → a → c → b, not the short edge 0 → b
    assert net.order == ("a", "c", "b")


def test_ties_in_the_order_go_to_the_node_listed_first_in_operators():
    operators = {2: ln.Linear(2, 3), 1: ln.Linear(2, 3), 3: ln.Sum()}
    net = ln.Network(operators, {0: [1, 2], 1: [3], 2: [3]})
    assert net.order == (2, 1, 3)


def test_derived_structure_is_read_only():
    net = figure1()
    with pytest.raises(TypeError):
        net.inputs[1] = (6,)
    with pytest.raises(TypeError):
        net.depth[1] = 9
    with pytest.raises(TypeError):
        net.operators[8] = ln.ReLU()
    assert isinstance(net.order, tuple)


def test_connectivity_is_kept_as_given():
    net = figure1()
    assert dict(net.connectivity) == {0: (1, 6), 1: (2,), 2: (3,), 3: (4,), 4: (5,), 6: (5,),
                                      5: (7,)}


def test_widths_are_inferred_through_the_graph():
    operators = {1: ln.Linear(2, 3), 2: ln.Linear(2, 4), 3: ln.Concat(), 4: ln.Tanh(),
                 5: ln.Linear(None, 5)}
    net = ln.Network(operators, {0: [1, 2], 1: [3], 2: [3], 3: [4], 4: [5]})
    assert dict(net.widths) == {0: 2, 1: 3, 2: 4, 3: 7, 4: 7, 5: 5}
    assert operators[5].in_features == 7 and operators[5].weight.shape == (7, 5)
    assert net.in_features == 2 and net.out_features == 5
    assert net.forward(np.ones((3, 2))).shape == (3, 5)


def test_linear_none_reading_the_input_takes_the_network_in_features():
    net = ln.Network({1: ln.Linear(None, 4), 2: ln.ReLU(), 3: ln.Linear(None, 2)},
                     {0: [1], 1: [2], 2: [3]}, in_features=3)
    assert net.operators[1].weight.shape == (3, 4)
    assert net.operators[3].weight.shape == (4, 2)
    report = ln.gradcheck(net, np.random.default_rng(0).normal(size=(4, 3)))
    assert report.ok, str(report)


def test_input_width_unknown_when_no_linear_reads_it():
    net = ln.Sequential(ln.ReLU(), ln.Tanh())
    assert net.in_features is None and net.out_features is None
    assert net.forward(np.ones((2, 7))).shape == (2, 7)


# -- norms ---------------------------------------------------------------------------------------

def test_grad_norms_are_the_norms_of_each_node_output_gradient():
    net = ln.Sequential(ln.Linear(2, 3, rng=0), ln.ReLU(), ln.Linear(3, 2, rng=1))
    net.forward(X)
    grad_out = np.random.default_rng(2).normal(size=(len(X), 2))
    net.backward(grad_out)
    grad_x = net.backward(grad_out)
    norms = net.grad_norms()
    assert list(norms) == [0, 1, 2, 3]
    grad_2 = grad_out @ net.operators[3].weight.T
    grad_1 = grad_2 * (net.outputs[1] > 0)
    assert norms[0] == pytest.approx(np.linalg.norm(grad_x))
    assert norms[3] == pytest.approx(np.linalg.norm(grad_out))
    assert norms[2] == pytest.approx(np.linalg.norm(grad_2))
    assert norms[1] == pytest.approx(np.linalg.norm(grad_1))


def test_param_grad_norms_cover_nodes_with_parameters():
    net = figure1()
    net.backward(np.ones_like(net.forward(X)))
    norms = net.param_grad_norms()
    assert sorted(norms) == [1, 3, 6, 7]
    for node, value in norms.items():
        module = net.operators[node]
        expected = math.sqrt(np.sum(module.grad_weight**2) + np.sum(module.grad_bias**2))
        assert value == pytest.approx(expected)
    assert set(net.grad_norms()) == {net.input, *net.order}


def test_grad_norms_are_empty_before_any_backward():
    assert figure1().grad_norms() == {}


# -- parameters ----------------------------------------------------------------------------------

def test_params_are_live_and_in_node_order():
    net = figure1()
    params = net.params()
    modules = [net.operators[node] for node in net.order if net.operators[node].params()]
    expected = [pair for module in modules for pair in module.params()]
    assert len(params) == len(expected) == 8
    for (value, grad), (value2, grad2) in zip(params, expected, strict=True):
        assert value is value2 and grad is grad2
    assert list(net.named_params())[:2] == ["1.weight", "1.bias"]
    assert net.num_params() == sum(value.size for value, _ in params)


def test_network_rng_redraws_every_parameter_deterministically():
    a = ln.Network({1: ln.Linear(2, 3), 2: ln.Linear(3, 2)}, {0: [1], 1: [2]}, rng=4)
    b = ln.Network({1: ln.Linear(2, 3), 2: ln.Linear(3, 2)}, {0: [1], 1: [2]}, rng=4)
    for (va, _), (vb, _) in zip(a.params(), b.params(), strict=True):
        np.testing.assert_array_equal(va, vb)


def test_float32_network_runs_in_float32():
    net = ln.PRESETS["figure1"](0).astype(np.float32)
    out = net.forward(X)
    grad_x = net.backward(np.ones_like(out))
    assert out.dtype == grad_x.dtype == np.float32
    assert all(v.dtype == g.dtype == np.float32 for v, g in net.params())
    expected = ln.PRESETS["figure1"](0).forward(X)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_network_dtype_argument_converts_parameters():
    net = ln.Network({1: ln.Linear(2, 2)}, {0: [1]}, dtype=np.float32)
    assert net.dtype == np.float32 and net.operators[1].weight.dtype == np.float32


# -- Sequential, node ids, input -------------------------------------------------------------------

def test_sequential_is_a_chain_numbered_from_one():
    modules = [ln.Linear(2, 4, rng=0), ln.ReLU(), ln.Linear(4, 2, rng=1)]
    net = ln.Sequential(*modules)
    assert dict(net.connectivity) == {0: (1,), 1: (2,), 2: (3,)}
    assert [net.operators[i] for i in (1, 2, 3)] == modules
    expected = modules[2].forward(modules[1].forward(modules[0].forward(X)))
    np.testing.assert_array_equal(net.forward(X), expected)


def test_string_node_ids_work_everywhere():
    operators = {"hidden": ln.Linear(2, 3, rng=0), "act": ln.Tanh(), "out": ln.Linear(3, 2, rng=1)}
    net = ln.Network(operators, {0: ["hidden"], "hidden": ["act"], "act": ["out"]})
    assert net.order == ("hidden", "act", "out") and net.output == "out"
    report = ln.gradcheck(net, X)
    assert report.ok, str(report)
    assert list(net.state_dict()) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert set(net.grad_norms()) == {0, "hidden", "act", "out"}


def test_input_can_have_another_id():
    net = ln.Network({1: ln.Linear(2, 3, rng=0), 2: ln.Linear(3, 2, rng=1)},
                     {"x": [1], 1: [2]}, input="x")
    assert net.input == "x" and net.depth["x"] == 0 and net.in_features == 2
    grad_x = net.backward(np.ones_like(net.forward(X)))
    assert grad_x.shape == X.shape
    assert "'x'" in net.summary()


def test_node_zero_is_an_ordinary_node_when_the_input_has_another_id():
    net = ln.Network({0: ln.Linear(2, 2, rng=0), 1: ln.ReLU()}, {"in": [0], 0: [1]}, input="in")
    assert net.order == (0, 1)
    np.testing.assert_allclose(net.forward(X), np.maximum(net.operators[0].forward(X), 0))


# -- printing --------------------------------------------------------------------------------------

def test_summary_lists_node_module_inputs_width_and_parameter_count():
    text = figure1().summary()
    lines = text.splitlines()
    assert lines[0].split() == ["node", "module", "inputs", "width", "params"]
    rows = {line.split()[0]: line for line in lines[2:-1]}
    assert set(rows) == {"0", "1", "2", "3", "4", "5", "6", "7"}
    assert "(input)" in rows["0"]
    assert "Linear(2 → 25)" in rows["1"] and rows["1"].split()[-1] == "75"
    assert "4, 6" in rows["5"] and "Sum()" in rows["5"] and rows["5"].split()[-1] == "0"
    assert rows["7"].split()[-2:] == ["2", "52"]
    total = 75 + 650 + 75 + 52
    assert lines[-1] == f"output: node 7; {total} parameters in all"


def test_repr_lists_the_modules_in_order():
    assert repr(ln.Sequential(ln.Linear(2, 3), ln.ReLU())) == (
        "Network({1: Linear(2 → 3), 2: ReLU()}, output=2)"
    )


# -- state -----------------------------------------------------------------------------------------

def test_state_dict_is_a_copy_keyed_by_node_and_name():
    net = figure1()
    state = net.state_dict()
    assert list(state) == [f"{n}.{p}" for n in (1, 3, 6, 7) for p in ("weight", "bias")]
    state["1.weight"][...] = 0.0
    assert np.any(net.operators[1].weight != 0.0)


def test_load_state_dict_round_trip_copies_in_place():
    source, target = figure1(0), figure1(1)
    weight = target.operators[1].weight
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target.operators[1].weight is weight
    np.testing.assert_array_equal(target.forward(X), source.forward(X))


def test_load_state_dict_strict_rejects_missing_and_unexpected_keys_and_changes_nothing():
    net = figure1()
    before = net.state_dict()
    state = figure1(1).state_dict()
    del state["3.bias"]
    state["9.weight"] = np.zeros(3)
    with pytest.raises(ValueError,
                       match=r"missing keys \['3.bias'\].*unexpected keys \['9.weight'\]"):
        net.load_state_dict(state)
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_load_state_dict_not_strict_reports_keys_and_loads_the_rest():
    net = figure1()
    source = figure1(1).state_dict()
    state = {"1.weight": source["1.weight"], "extra": np.zeros(1)}
    result = net.load_state_dict(state, strict=False)
    assert result.unexpected_keys == ["extra"]
    assert "1.bias" in result.missing_keys and "1.weight" not in result.missing_keys
    np.testing.assert_array_equal(net.operators[1].weight, source["1.weight"])


def test_load_state_dict_shape_mismatch_raises_and_changes_nothing():
    net = figure1()
    before = net.state_dict()
    state = figure1(1).state_dict()
    state["7.weight"] = np.zeros((3, 2))
    for strict in (True, False):
        with pytest.raises(ValueError, match=r"'7.weight' has shape \(3, 2\).*\(25, 2\)"):
            net.load_state_dict(state, strict=strict)
        for key, value in net.state_dict().items():
            np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize("make", [ln.Sum, ln.Concat], ids=["Sum", "Concat"])
def test_sum_or_concat_fed_by_one_node_back_propagates(make):
    # Sum and Concat return a tuple of gradients even with one input; found by test_random_dags
    net = ln.Network({1: ln.Linear(2, 3, rng=0), 2: make(), 3: ln.Linear(3, 2, rng=1)},
                     {0: [1], 1: [2], 2: [3]})
    report = ln.gradcheck(net, X)
    assert report.ok, str(report)
    assert net.grad_norms()[2] == pytest.approx(np.linalg.norm(net.grads[3] @
                                                               net.operators[3].weight.T))


def test_connectivity_keeps_the_order_edges_were_listed_so_a_rebuild_has_the_same_inputs():
    # node 2 is listed before node 1 as a source of the Concat: its columns come first
    def build(connectivity):
        operators = {1: ln.Linear(2, 3, rng=0), 2: ln.Linear(2, 4, rng=1), 3: ln.Concat(),
                     4: ln.Linear(7, 2, rng=2)}
        return ln.Network(operators, connectivity)

    net = build({0: [1, 2], 2: [3], 1: [3], 3: [4]})
    assert net.inputs[3] == (2, 1)
    assert list(net.connectivity) == [0, 2, 1, 3]
    rebuilt = build({src: list(dsts) for src, dsts in net.connectivity.items()})
    assert dict(rebuilt.inputs) == dict(net.inputs)
    np.testing.assert_array_equal(rebuilt.forward(X), net.forward(X))


# -- node ids from NumPy (issue 14) ---------------------------------------------------------------

def test_numpy_integer_and_string_node_ids_are_accepted_and_made_plain_python_ids():
    operators = {np.int64(1): ln.Linear(2, 3, rng=0), np.int32(2): ln.ReLU(),
                 np.str_("out"): ln.Linear(3, 2, rng=1)}
    connectivity = {np.int64(0): [np.int16(1)], 1: [np.uint8(2)], np.int64(2): ["out"]}
    net = ln.Network(operators, connectivity, input=np.int64(0))
    ids = [net.input, *net.order, *net.connectivity, *net.inputs, *net.depth, *net.widths]
    assert net.order == (1, 2, "out") and {type(node) for node in ids} == {int, str}
    assert dict(net.connectivity) == {0: (1,), 1: (2,), 2: ("out",)}
    plain = ln.Network({1: ln.Linear(2, 3, rng=0), 2: ln.ReLU(), "out": ln.Linear(3, 2, rng=1)},
                       {0: [1], 1: [2], 2: ["out"]})
    np.testing.assert_array_equal(net.forward(X), plain.forward(X))
    assert ln.to_python(net) == ln.to_python(plain)  # no np.int64(...) in the code


@pytest.mark.parametrize("bad", [True, np.bool_(True), 1.0, np.float64(1.0), None, b"1"])
def test_what_is_not_a_whole_number_or_a_name_is_still_refused_as_a_node_id(bad):
    with pytest.raises(ln.GraphError, match=r"must be an int or a str"):
        ln.Network({bad: ln.Linear(2, 2)}, {0: [bad]})
