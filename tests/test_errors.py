"""Every bad input of DESIGN.md meets a ValueError whose message names what is at fault, raised
before anything changes."""

import argparse

import numpy as np
import pytest

import labnet as ln
from labnet import errors


def chain(seed=0):
    return ln.Sequential(ln.Linear(2, 3, rng=seed), ln.ReLU(), ln.Linear(3, 2, rng=seed + 1))


def snapshot(net):
    return net.state_dict()


def assert_unchanged(net, before):
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_every_labnet_error_is_a_value_error():
    for error in (ln.LabnetError, ln.GraphError, ln.ShapeError, ln.InputError, ln.DivergedError):
        assert issubclass(error, ValueError)


# -- the graph ----------------------------------------------------------------------------------

def test_cycle_is_refused_and_the_message_shows_it():
    operators = {1: ln.Linear(2, 2), 2: ln.ReLU(), 3: ln.Sum(), 4: ln.Tanh()}
    with pytest.raises(ln.GraphError, match=r"cycle: 2 → 3 → 4 → 2"):
        ln.Network(operators, {0: [1], 1: [2], 2: [3], 3: [4], 4: [2]})


def test_cycle_with_string_ids_shows_them_quoted():
    operators = {"a": ln.Linear(2, 2), "b": ln.Sum(), "c": ln.ReLU(), "d": ln.Tanh()}
    with pytest.raises(ValueError, match=r"cycle: 'b' → 'c' → 'b'"):
        ln.Network(operators, {0: ["a"], "a": ["b"], "b": ["c", "d"], "c": ["b"]})


def test_self_loop_is_refused_naming_the_edge():
    with pytest.raises(ValueError, match=r"edge 1 → 1 is a cycle"):
        ln.Network({1: ln.Sum()}, {0: [1], 1: [1]})


def test_unknown_source_in_connectivity_is_refused():
    with pytest.raises(ValueError, match=r"connectivity names node 9, which is not in operators"):
        ln.Network({1: ln.Linear(2, 2)}, {0: [1], 9: [1]})


def test_unknown_destination_is_refused_naming_the_edge():
    with pytest.raises(ValueError, match=r"edge 1 → 'x': node 'x' is not in operators"):
        ln.Network({1: ln.Linear(2, 2)}, {0: [1], 1: ["x"]})


def test_unreachable_nodes_are_refused_by_name():
    operators = {1: ln.Linear(2, 2), 2: ln.ReLU(), 3: ln.Tanh()}
    with pytest.raises(ValueError, match=r"node\(s\) 2, 3 cannot be reached from the input 0"):
        ln.Network(operators, {0: [1], 2: [3], 3: [1]})


def test_a_module_with_no_edges_is_unreachable():
    with pytest.raises(ValueError, match=r"node\(s\) 'lonely' cannot be reached"):
        ln.Network({1: ln.Linear(2, 2), "lonely": ln.ReLU()}, {0: [1]})


def test_several_outputs_are_refused_naming_the_dangling_nodes():
    operators = {1: ln.Linear(2, 2), 2: ln.Linear(2, 3), 3: ln.ReLU()}
    with pytest.raises(ValueError, match=r"nodes 2, 3 feed nothing"):
        ln.Network(operators, {0: [1, 2], 1: [3]})


def test_width_mismatch_is_found_when_the_network_is_built():
    with pytest.raises(ln.ShapeError, match=r"node 2, fed by 1 → 2: node 1 gives width 3, but "
                                            r"Linear\(4 → 2\) takes 4"):
        ln.Network({1: ln.Linear(2, 3), 2: ln.Linear(4, 2)}, {0: [1], 1: [2]})


def test_sum_of_different_widths_is_refused_naming_each_input():
    operators = {1: ln.Linear(2, 2), 2: ln.Linear(2, 3), 3: ln.Sum()}
    with pytest.raises(ValueError, match=r"node 3.*node 1 gives 2, node 2 gives 3"):
        ln.Network(operators, {0: [1, 2], 1: [3], 2: [3]})


def test_two_linears_reading_the_input_with_different_widths_are_refused():
    operators = {1: ln.Linear(2, 2), 2: ln.Linear(3, 2), 3: ln.Sum()}
    with pytest.raises(ValueError, match=r"node 2, fed by 0 → 2: node 0 gives width 2"):
        ln.Network(operators, {0: [1, 2], 1: [3], 2: [3]})


def test_network_in_features_that_disagree_with_the_first_linear_are_refused():
    with pytest.raises(ValueError, match=r"node 1, fed by 0 → 1: node 0 gives width 5"):
        ln.Network({1: ln.Linear(2, 2)}, {0: [1]}, in_features=5)


def test_linear_none_without_a_known_width_is_refused():
    with pytest.raises(ValueError, match=r"node 2 \(Linear\(\? → 3\)\) cannot infer its input "
                                         r"width from node 1"):
        ln.Network({1: ln.ReLU(), 2: ln.Linear(None, 3)}, {0: [1], 1: [2]})


def test_a_module_object_used_twice_is_refused_naming_both_nodes():
    relu = ln.ReLU()
    with pytest.raises(ValueError, match=r"nodes 2 and 3 use the same module object ReLU\(\)"):
        ln.Network({1: ln.Linear(2, 2), 2: relu, 3: relu}, {0: [1], 1: [2], 2: [3]})


def test_a_one_input_module_fed_by_two_nodes_is_refused():
    operators = {1: ln.Linear(2, 2), 2: ln.Linear(2, 2), 3: ln.ReLU()}
    with pytest.raises(ValueError, match=r"node 3 \(ReLU\(\)\) takes 1 input\(s\), but is fed by "
                                         r"2: 1 → 3, 2 → 3"):
        ln.Network(operators, {0: [1, 2], 1: [3], 2: [3]})


def test_the_input_cannot_have_a_module_or_be_fed():
    with pytest.raises(ValueError, match=r"node 0 is the input"):
        ln.Network({0: ln.ReLU(), 1: ln.ReLU()}, {0: [1]})
    with pytest.raises(ValueError, match=r"edge 1 → 0: nothing can feed the input"):
        ln.Network({1: ln.Linear(2, 2)}, {0: [1], 1: [0]})


def test_other_malformed_graphs_are_refused():
    with pytest.raises(ValueError, match=r"operators is empty"):
        ln.Network({}, {})
    with pytest.raises(ValueError, match=r"edge 0 → 1 is listed twice"):
        ln.Network({1: ln.Linear(2, 2)}, {0: [1, 1]})
    with pytest.raises(ValueError, match=r"node 1: 'relu' is not a labnet Module"):
        ln.Network({1: "relu"}, {0: [1]})
    with pytest.raises(ValueError, match=r"connectivity\[0\] must be a list of node ids, got 1"):
        ln.Network({1: ln.Linear(2, 2)}, {0: 1})
    with pytest.raises(ValueError, match=r"node id 1.5 must be an int or a str"):
        ln.Network({1.5: ln.Linear(2, 2)}, {0: [1.5]})
    with pytest.raises(ValueError, match=r"node ids 1 and '1' print the same"):
        ln.Network({1: ln.Linear(2, 2), "1": ln.ReLU()}, {0: [1], 1: ["1"]})
    with pytest.raises(ValueError, match=r"Sequential needs at least one module"):
        ln.Sequential()


def test_a_refused_network_leaves_its_modules_unbuilt():
    linear = ln.Linear(None, 3)
    operators = {1: ln.Linear(2, 4), 2: linear, 3: ln.Linear(2, 2)}
    with pytest.raises(ValueError, match=r"node 3.*node 2 gives width 3"):
        ln.Network(operators, {0: [1], 1: [2], 2: [3]})
    assert linear.in_features is None and linear.weight is None


def test_bad_linear_arguments_are_refused():
    with pytest.raises(ValueError, match=r"in_features must be a positive integer, got 0"):
        ln.Linear(0, 3)
    with pytest.raises(ValueError, match=r"out_features must be a positive integer, got 2.5"):
        ln.Linear(2, 2.5)
    with pytest.raises(ValueError, match=r"out_features must be a positive integer, got None"):
        ln.Linear(2, None)
    with pytest.raises(ValueError, match=r"init must be 'he' or 'xavier', got 'glorot'"):
        ln.Linear(2, 2, init="glorot")


# -- data through the network ---------------------------------------------------------------------

def test_wrong_input_width_names_the_input_node_and_shapes():
    with pytest.raises(ln.ShapeError, match=r"input node 0: expected shape \(batch, 2\), got "
                                            r"\(4, 3\)"):
        chain().forward(np.ones((4, 3)))


def test_input_that_is_not_two_dimensional_is_refused():
    with pytest.raises(ValueError, match=r"input node 0: .*got \(2,\)"):
        chain().forward(np.ones(2))


def test_wrong_width_deep_inside_names_the_shape_when_the_input_width_is_unknown():
    net = ln.Sequential(ln.ReLU(), ln.Linear(3, 2))
    with pytest.raises(ln.ShapeError, match=r"Linear\(3 → 2\) got input of shape \(4, 5\)"):
        net.forward(np.ones((4, 5)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_input_is_refused(bad):
    x = np.ones((3, 2))
    x[1, 0] = bad
    with pytest.raises(ln.InputError, match=r"input node 0: the input contains NaN or infinity"):
        chain().forward(x)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_input_whose_sum_overflows_is_not_mistaken_for_nan():
    net = ln.Sequential(ln.ReLU())
    np.testing.assert_array_equal(net.forward(np.full((2, 2), 1e308)), 1e308)


def test_backward_with_the_wrong_gradient_shape_names_the_output_node():
    net = chain()
    net.forward(np.ones((4, 2)))
    with pytest.raises(ln.ShapeError, match=r"output node 3: gradient of shape \(4, 3\), "
                                            r"expected \(4, 2\)"):
        net.backward(np.ones((4, 3)))


def test_backward_before_forward_is_refused():
    with pytest.raises(ValueError, match=r"backward needs a forward first"):
        chain().backward(np.ones((1, 2)))


# -- losses ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=repr)
def test_target_shape_mismatch_names_both_shapes(loss):
    output = np.zeros((4, 3))
    with pytest.raises(ln.ShapeError, match=r"target of shape \(5,\) does not fit output of "
                                            r"shape \(4, 3\)"):
        loss.forward(output, np.zeros(5, dtype=int))
    with pytest.raises(ln.ShapeError, match=r"target of shape \(4, 2\)"):
        loss.forward(output, np.zeros((4, 2)))


@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=repr)
@pytest.mark.parametrize("label", [3, -1])
def test_labels_out_of_range_are_refused(loss, label):
    with pytest.raises(ln.InputError, match=rf"label {label} is out of range: the output has 3 "
                                            r"classes"):
        loss.forward(np.zeros((2, 3)), np.array([0, label]))


def test_labels_that_are_not_integers_are_refused():
    with pytest.raises(ln.InputError, match=r"labels must be integers"):
        ln.MSELoss().forward(np.zeros((2, 3)), np.array([0.5, 1.0]))


def test_label_out_of_range_for_a_single_output_column_is_refused():
    with pytest.raises(ln.InputError, match=r"label 2 is out of range"):
        ln.MSELoss().forward(np.zeros((2, 1)), np.array([0, 2]))


def test_error_rate_with_a_row_count_mismatch_is_refused():
    with pytest.raises(ln.ShapeError, match=r"output has 3 rows but there are 2 labels"):
        ln.error_rate(np.zeros((3, 2)), np.array([0, 1]))


def test_one_hot_refuses_labels_out_of_range():
    with pytest.raises(ln.InputError, match=r"label 2 is out of range"):
        ln.one_hot(np.array([0, 2]), 2)


# -- learning rates --------------------------------------------------------------------------------

@pytest.mark.parametrize("lr", [-0.1, float("nan"), float("inf"), None, np.array([0.1, 0.2]),
                                0.1j, "0.1"], ids=repr)
def test_network_update_param_refuses_a_bad_learning_rate_and_changes_nothing(lr):
    net = chain()
    net.backward(np.ones_like(net.forward(np.ones((2, 2)))))
    before = snapshot(net)
    with pytest.raises(ln.InputError, match=r"learning rate must be a finite number >= 0, got"):
        net.update_param(lr)
    assert_unchanged(net, before)


def test_module_update_param_refuses_a_negative_learning_rate_and_changes_nothing():
    linear = ln.Linear(2, 2, rng=0)
    linear.forward(np.ones((1, 2)))
    linear.backward(np.ones((1, 2)))
    weight, bias = linear.weight.copy(), linear.bias.copy()
    with pytest.raises(ln.InputError, match=r"got -1.0"):
        linear.update_param(-1.0)
    np.testing.assert_array_equal(linear.weight, weight)
    np.testing.assert_array_equal(linear.bias, bias)
    with pytest.raises(ln.InputError, match=r"got -1.0"):
        ln.ReLU().update_param(-1.0)


@pytest.mark.parametrize("make", [ln.SGD, ln.Adam], ids=["SGD", "Adam"])
def test_optimizers_refuse_a_negative_learning_rate(make):
    net = chain()
    with pytest.raises(ln.InputError, match=r"got -0.5"):
        make(net.params(), lr=-0.5)
    optimizer = make(net.params(), lr=0.1)
    with pytest.raises(ln.InputError, match=r"got -0.5"):
        optimizer.lr = -0.5
    assert optimizer.lr == 0.1


def test_optimizer_load_state_dict_with_a_negative_learning_rate_changes_nothing():
    net = chain()
    optimizer = ln.SGD(net.params(), lr=0.1, momentum=0.9)
    state = optimizer.state_dict()
    state["lr"], state["steps"] = -1.0, 7
    with pytest.raises(ln.InputError, match=r"got -1.0"):
        optimizer.load_state_dict(state)
    assert optimizer.steps == 0 and optimizer.lr == 0.1


def test_trainer_refuses_a_negative_learning_rate():
    x, labels = ln.disk(20, rng=0)
    with pytest.raises(ln.InputError, match=r"got -0.1"):
        ln.Trainer(chain(), data=(x, labels), lr=-0.1)
    for optimizer in (None, "adam"):
        trainer = ln.Trainer(chain(), optimizer=optimizer, data=(x, labels), lr=0.1)
        with pytest.raises(ln.InputError, match=r"got -0.1"):
            trainer.lr = -0.1
        assert trainer.lr == 0.1


# -- other arguments -------------------------------------------------------------------------------

def test_optimizer_hyper_parameters_are_checked():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\), got 1.0"):
        ln.SGD(chain().params(), momentum=1.0)
    with pytest.raises(ValueError, match=r"betas must be in \[0, 1\), got \(0.9, 1.5\)"):
        ln.Adam(chain().params(), betas=(0.9, 1.5))


def test_optimizer_state_of_another_size_is_refused():
    small = ln.SGD(ln.Sequential(ln.Linear(2, 2)).params())
    with pytest.raises(ValueError, match=r"optimizer state has 2 parameters, this optimizer "
                                         r"has 4"):
        ln.SGD(chain().params()).load_state_dict(small.state_dict())


def test_trainer_refuses_bad_data():
    net = chain()
    x, labels = ln.disk(20, rng=0)
    with pytest.raises(ValueError, match=r"data: x has 3 features, but input node 0 takes 2"):
        ln.Trainer(net, data=(np.ones((20, 3)), labels))
    bad = x.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match=r"x contains NaN or infinity \(first in row 4"):
        ln.Trainer(net, data=(bad, labels))
    with pytest.raises(ValueError, match=r"labels must have shape \(20,\) to match x of shape "
                                         r"\(20, 2\), got \(19,\)"):
        ln.Trainer(net, data=(x, labels[:-1]))
    with pytest.raises(ValueError, match=r"label 2 is out of range: the output has 2 classes"):
        ln.Trainer(net, data=(x, labels), test=(x, labels + 1))
    with pytest.raises(ValueError, match=r"labels must be >= 0, got -1"):
        ln.Trainer(net, data=(x, labels - 1))


def test_trainer_refuses_unknown_names_and_bad_batch_sizes():
    x, labels = ln.disk(20, rng=0)
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprop'; choose one of sgd"):
        ln.Trainer(chain(), optimizer="rmsprop", data=(x, labels))
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; choose one of mse"):
        ln.Trainer(chain(), loss="hinge", data=(x, labels))
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer, got 0"):
        ln.Trainer(chain(), data=(x, labels), batch_size=0)
    with pytest.raises(ValueError, match=r"kind must be 'cosine', 'linear' or 'constant', got "
                                         r"'step'"):
        ln.LRSchedule(10, kind="step")
    with pytest.raises(ValueError, match=r"epochs must be a positive integer, got 0"):
        ln.LRSchedule(0)
    with pytest.raises(ValueError, match=r"warmup must be a number of epochs >= 0, got -1"):
        ln.LRSchedule(10, warmup=-1)
    with pytest.raises(ValueError, match=r"learning rate must be a finite number >= 0"):
        ln.LRSchedule(10, lr=-0.1)


def test_data_functions_refuse_bad_arguments():
    with pytest.raises(ValueError, match=r"noise must be >= 0, got -0.1"):
        ln.disk(10, noise=-0.1)
    with pytest.raises(ValueError, match=r"noise must be >= 0, got -0.1"):
        ln.gauss(10, noise=-0.1)
    with pytest.raises(ValueError, match=r"number of points must be a positive integer, got 0"):
        ln.xor(0)
    x, labels = ln.disk(10, rng=0)
    with pytest.raises(ValueError, match=r"test_fraction must be between 0 and 1, got 1.5"):
        ln.train_test_split(x, labels, test_fraction=1.5)
    with pytest.raises(ValueError, match=r"cannot split 10 points with test_fraction=0.01"):
        ln.train_test_split(x, labels, test_fraction=0.01)


def test_optimizer_state_of_other_shapes_is_refused_and_changes_nothing():
    seed, figure1 = ln.PRESETS["seed"](0), ln.PRESETS["figure1"](0)  # 8 parameters each
    source = ln.Adam(seed.params())
    for _, grad in seed.params():
        grad[...] = 1.0
    source.step()
    optimizer = ln.Adam(figure1.params())
    with pytest.raises(ln.ShapeError, match=r"optimizer state 'm' of parameter 4 has shape "
                                            r"\(25, 25\), the parameter's is \(2, 25\)"):
        optimizer.load_state_dict(source.state_dict())
    assert optimizer.steps == 0 and optimizer.state[0] == {}


# -- the shared checks of labnet.errors ------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [(3, 3), (np.int64(3), 3), (3.0, 3),
                                                 (np.float32(7.0), 7)])
def test_check_positive_int_accepts_whole_numbers(value, expected):
    result = ln.errors.check_positive_int(value, "width")
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", [0, -1, 2.5, float("nan"), float("inf"), True, np.True_, "3",
                                   None, np.array([3]), 3 + 0j])
def test_check_positive_int_refuses_everything_else_naming_the_value(value):
    with pytest.raises(ln.InputError, match=r"^width must be a positive integer, got "):
        ln.errors.check_positive_int(value, "width")


@pytest.mark.parametrize("value", [0, 0.0, 0.1, 1, np.float32(0.5), np.float64(3.0)])
def test_check_lr_accepts_finite_numbers_from_zero_up(value):
    result = ln.errors.check_lr(value)
    assert result == float(value) and type(result) is float


@pytest.mark.parametrize("value", [-0.1, -1, float("nan"), float("inf"), None, "0.1", 0.1j,
                                   np.array([0.1]), True])
def test_check_lr_refuses_everything_else(value):
    with pytest.raises(ln.InputError, match=r"^learning rate must be a finite number >= 0, got"):
        ln.errors.check_lr(value)


def learning_rate_uses():
    """Every place that takes a learning rate, as ``{name: use(lr)}``."""
    from labnet.__main__ import learning_rate
    from labnet.experiment import Config

    x, labels = ln.disk(20, rng=0)

    def option(lr):
        try:
            return learning_rate(str(lr))
        except argparse.ArgumentTypeError as error:  # what argparse turns into its message
            raise ln.InputError(str(error)) from None

    return {
        "Module.update_param": lambda lr: ln.Linear(2, 2, rng=0).update_param(lr),
        "Network.update_param": lambda lr: chain().update_param(lr),
        "SGD": lambda lr: ln.SGD(chain().params(), lr=lr),
        "Adam": lambda lr: ln.Adam(chain().params(), lr=lr),
        "Trainer": lambda lr: ln.Trainer(chain(), data=(x, labels), lr=lr),
        "LRSchedule": lambda lr: ln.LRSchedule(5, lr=lr),
        "Walk": lambda lr: ln.Walk(chain(), ln.MSELoss(), x[:4], labels[:4], lr=lr),
        "Config": lambda lr: Config(lr=lr).check(),
        "--lr": option,
    }


@pytest.mark.parametrize("name", list(learning_rate_uses()))
def test_every_consumer_of_a_learning_rate_means_the_same_by_it(name):
    """lr = 0 is a step that changes nothing (where a decaying schedule ends); -0.1 is refused:
    the same rule in every place that takes a learning rate."""
    use = learning_rate_uses()[name]
    use(0.0)  # accepted
    with pytest.raises(ln.InputError, match=r"finite number >= 0"):
        use(-0.1)


def test_check_number_refuses_nan_and_values_out_of_its_bounds():
    check = ln.errors.check_number
    assert check(0.5, "p", low=0, high=1) == 0.5
    with pytest.raises(ln.InputError, match=r"^p must be a finite number >= 0 and < 1, got 1"):
        check(1, "p", low=0, high=1, high_open=True)
    with pytest.raises(ln.InputError, match=r"^p must be a finite number, got nan"):
        check(float("nan"), "p")
    with pytest.raises(ln.InputError, match=r"got 'x'"):
        check("x", "p")


@pytest.mark.parametrize(("value", "message"), [
    (np.ones(2) * 1j, r"x holds complex numbers"),
    (["a", "b"], r"x must be an array of real numbers, got <U1 values such as np.str_\('a'\)"),
    ([None], r"x must be an array of real numbers, got object"),
    ([[1, 2], [3]], r"x must be an array of real numbers"),
])
def test_as_real_array_refuses_what_is_not_real_numbers(value, message):
    with pytest.raises(ln.InputError, match=message):
        ln.errors.as_real_array(value, "x")


@pytest.mark.parametrize("dtype", [int, np.int32, "foo", object, np.complex128, bool])
def test_check_float_dtype_refuses_what_is_not_floating_point(dtype):
    with pytest.raises(ln.InputError, match=r"dtype must be a floating-point type"):
        ln.errors.check_float_dtype(dtype)


# -- framework errors that used to be internal errors or silent wrong results ---------------------

@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=repr)
def test_a_loss_on_an_empty_batch_is_refused(loss):
    with pytest.raises(ln.ShapeError, match=r"at least one row, got \(0, 2\)"):
        loss.forward(np.zeros((0, 2)), np.zeros(0, dtype=int))


def test_error_rate_on_no_rows_is_refused():
    with pytest.raises(ln.ShapeError, match=r"at least one row"):
        ln.error_rate(np.zeros((0, 2)), np.zeros(0, dtype=int))


@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=repr)
def test_losses_and_error_rate_take_python_lists(loss):
    output, labels = [[0.2, 0.9], [0.7, 0.1]], [1, 1]
    assert loss.forward(output, labels) == loss.forward(np.array(output), np.array(labels))
    np.testing.assert_array_equal(loss.backward(), loss.backward())
    assert ln.error_rate(output, labels) == 0.5


@pytest.mark.parametrize("module", [ln.Linear(2, 2, rng=0), ln.ReLU(), ln.LeakyReLU(), ln.Tanh(),
                                    ln.Sigmoid(), ln.Sum(), ln.Concat()], ids=repr)
def test_module_backward_before_forward_is_refused(module):
    with pytest.raises(ln.InputError, match=r"backward needs a forward first"):
        module.backward(np.ones((1, 2)))


@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=repr)
def test_loss_backward_before_forward_is_refused(loss):
    with pytest.raises(ln.InputError, match=rf"{type(loss).__name__}: backward needs a forward"):
        loss.backward()


def test_integer_networks_and_linears_are_refused_instead_of_truncating():
    with pytest.raises(ln.InputError, match=r"dtype must be a floating-point type.*int64"):
        ln.Network({1: ln.Linear(2, 2)}, {0: [1]}, dtype=np.int64)
    with pytest.raises(ln.InputError, match=r"Linear: dtype must be a floating-point type"):
        ln.Linear(2, 2, dtype=int)
    net = chain()
    before = snapshot(net)
    with pytest.raises(ln.InputError, match=r"floating-point"):
        net.astype(np.int32)
    assert net.dtype == np.float64
    assert_unchanged(net, before)


def test_a_bad_network_dtype_is_refused_before_any_module_is_built():
    linear = ln.Linear(None, 3)
    with pytest.raises(ln.InputError, match=r"dtype must be a floating-point type .* got 'foo'"):
        ln.Network({1: ln.Linear(2, 4), 2: linear}, {0: [1], 1: [2]}, dtype="foo")
    assert linear.weight is None


def test_a_sum_of_widths_unknown_when_built_refuses_to_broadcast():
    # the input's width is not known (no Linear reads it): node 3 adds x to a width-4 output
    operators = {1: ln.ReLU(), 2: ln.Linear(1, 4, rng=0), 3: ln.Sum()}
    net = ln.Network(operators, {0: [1, 3], 1: [2], 2: [3]})
    with pytest.raises(ln.ShapeError, match=r"node 3: Sum adds inputs of the same shape, got "
                                            r"\(5, 1\), \(5, 4\)"):
        net.forward(np.ones((5, 1)))
    assert net.outputs == {}  # nothing of that forward was kept


def test_load_state_dict_of_an_empty_dict_names_what_is_missing():
    x, labels = ln.disk(20, rng=0)
    with pytest.raises(ln.InputError, match=r"missing keys \['1.weight', '1.bias'"):
        chain().load_state_dict({})
    with pytest.raises(ln.InputError, match=r"trainer state lacks 'steps', 'epochs'"):
        ln.Trainer(chain(), data=(x, labels)).load_state_dict({})
    with pytest.raises(ln.InputError, match=r"optimizer state: \{\} lacks 'steps', 'lr', 'state'"):
        ln.Adam(chain().params()).load_state_dict({})


def test_a_malformed_trainer_state_is_refused_and_changes_nothing():
    x, labels = ln.disk(20, rng=0)
    trainer = ln.Trainer(chain(), data=(x, labels), rng=0)
    trainer.step()
    good = trainer.state_dict()
    for key, value, message in [("rng", {"state": 1}, r"'rng' is not the state of a PCG64"),
                                ("steps", "x", r"steps must be an integer >= 0, got 'x'"),
                                ("epoch_losses", ["x"], r"epoch_losses must be a list of numbers"),
                                ("history", {"step_loss": 3}, r"step_loss must be a list of "
                                                              r"numbers"),
                                ("history", {"grad_norms": [[1, ["x"]]]}, r"grad_norms\[1\] must "
                                                                          r"be a list of numbers"),
                                ("order", ["a"] * 20, r"epoch order")]:
        with pytest.raises(ln.InputError, match=message):
            trainer.load_state_dict({**good, key: value})
        assert trainer.steps == 1
        assert trainer.history.step_loss == good["history"]["series"]["step_loss"]


def test_infinite_widths_batch_sizes_and_epochs_are_refused():
    from labnet.experiment import Config

    x, labels = ln.disk(20, rng=0)
    trainer = ln.Trainer(chain(), data=(x, labels))
    for make in (lambda: ln.Linear(2, float("inf")), lambda: ln.Linear(float("inf"), 2),
                 lambda: ln.Trainer(chain(), data=(x, labels), batch_size=float("inf")),
                 lambda: ln.LRSchedule(float("inf")), lambda: trainer.fit(float("inf")),
                 lambda: Config(epochs=float("inf")).check(),
                 lambda: ln.Network({1: ln.Linear(None, 2)}, {0: [1]}, in_features=np.inf)):
        with pytest.raises(ln.InputError, match=r"must be a positive integer, got inf"):
            make()
    assert trainer.steps == 0


@pytest.mark.parametrize(("operators", "connectivity", "input", "message"), [
    ({1: ln.Linear(2, 2)}, {0: [[1]]}, 0, r"connectivity\[0\]: node id \[1\] must be an int"),
    ({1: ln.Linear(2, 2)}, {0: [1]}, [0], r"the input node \[0\] must be an int or a str"),
    ({1: ln.Linear(2, 2)}, [(0, [1])], 0, r"connectivity must be a dict, got list"),
    ([ln.Linear(2, 2)], {0: [1]}, 0, r"operators must be a dict, got list"),
    ({1: ln.Linear(2, 2)}, {0: {1: 2}}, 0, r"connectivity\[0\] must be a list of node ids"),
])
def test_unhashable_or_misshapen_graph_parts_are_graph_errors(operators, connectivity, input,
                                                                 message):
    with pytest.raises(ln.GraphError, match=message):
        ln.Network(operators, connectivity, input=input)


def test_complex_numbers_are_refused_instead_of_losing_their_imaginary_part():
    net = chain()
    with pytest.raises(ln.InputError, match=r"input node 0 holds complex numbers"):
        net.forward(np.ones((2, 2)) * (1 + 1j))
    before = snapshot(net)
    state = {key: value + 1j for key, value in before.items()}
    with pytest.raises(ln.InputError, match=r"load_state_dict: '1.weight' holds complex"):
        net.load_state_dict(state)
    assert_unchanged(net, before)
    with pytest.raises(ln.InputError, match=r"MSELoss\(\): the output holds complex numbers"):
        ln.MSELoss().forward(np.ones((2, 2)) * 1j, np.array([0, 1]))
    x, labels = ln.disk(20, rng=0)
    with pytest.raises(ln.InputError, match=r"data: x holds complex numbers"):
        ln.Trainer(chain(), data=(x * (1 + 1j), labels))


def test_nan_hyper_parameters_are_refused():
    with pytest.raises(ln.InputError, match=r"LeakyReLU: negative_slope must be a finite number"):
        ln.LeakyReLU(float("nan"))
    with pytest.raises(ln.InputError, match=r"Adam: eps must be a finite number > 0, got nan"):
        ln.Adam(chain().params(), eps=float("nan"))
    with pytest.raises(ln.InputError, match=r"momentum must be in \[0, 1\), got nan"):
        ln.SGD(chain().params(), momentum=float("nan"))
    with pytest.raises(ln.InputError, match=r"warmup must be a number of epochs >= 0, got nan"):
        ln.LRSchedule(10, warmup=float("nan"))


def test_a_cycle_at_the_end_of_a_long_chain_is_found_without_exhausting_recursion():
    n = 3000  # deeper than Python's recursion limit
    operators = {i: ln.ReLU() for i in range(1, n + 1)}
    operators[1] = ln.Linear(2, 2)
    operators[n + 1] = ln.Sum()
    connectivity = {i: [i + 1] for i in range(n)}
    connectivity[n] = [n + 1]
    connectivity[n + 1] = [n]  # n → n+1 → n
    with pytest.raises(ln.GraphError, match=rf"cycle: {n} → {n + 1} → {n}"):
        ln.Network(operators, connectivity)


@pytest.mark.parametrize("check", [
    lambda: errors.check_lr(10**400),
    lambda: errors.check_number(10**400, "x", low=0),
    lambda: ln.LeakyReLU(10**400),
    lambda: ln.PRESETS["seed"](0).update_param(10**400),
])
def test_an_int_too_large_for_a_float_is_refused_as_a_value_error(check):
    with pytest.raises(ValueError, match="finite number"):
        check()


# -- framework mistakes that raised other errors than ValueError (issue 14, item 8) -------------

@pytest.mark.parametrize("module", [ln.Sum(), ln.Concat()], ids=["Sum", "Concat"])
def test_a_sum_or_concat_called_with_no_input_is_refused_in_words(module):
    with pytest.raises(ln.InputError, match=r"takes at least one input, got none"):
        module.forward()


@pytest.mark.parametrize(("arguments", "message"), [
    ({"net": 42}, r"^Trainer: net must be a labnet Network, got 42$"),
    ({"loss": 42}, r"^Trainer: loss must be one of mse, cross-entropy or a loss object"),
    ({"loss": ln.MSELoss}, r"^Trainer: loss must be a loss object, such as MSELoss\(\) \(with "
                           r"parentheses\), not the class MSELoss$"),
    ({"loss": "mse", "optimizer": ln.Adam}, r"such as Adam\(net.params\(\)\), not the class"),
    ({"optimizer": 42}, r"^Trainer: optimizer must be None, one of sgd, momentum, adam or an "
                        r"ln.Optimizer"),
    ({"optimizer": ln.MSELoss()}, r"optimizer must be None"),
    ({"data": 42}, r"^data must be a pair \(x, labels\), got 42$"),
    ({"data": "xy"}, r"^data must be a pair \(x, labels\), got 'xy'$"),
    ({"test": (1, 2, 3)}, r"^test must be a pair \(x, labels\), got a tuple of 3$"),
])
def test_a_trainer_refuses_what_is_not_a_network_a_loss_an_optimizer_or_data_when_made(
        arguments, message):
    # (these were accepted, and raised an AttributeError or a TypeError at the first step)
    x, labels = ln.disk(20, rng=0)
    given = {"net": chain(), "loss": "mse", "optimizer": "sgd", "data": (x, labels),
             **arguments}
    net = given.pop("net")
    with pytest.raises(ln.InputError, match=message):
        ln.Trainer(net, given.pop("loss"), given.pop("optimizer"), **given)


@pytest.mark.parametrize("make", [lambda: ln.Linear(2, 10**10), lambda: ln.Linear(10**5, 10**5),
                                  lambda: ln.Linear(None, 10**8)],
                         ids=["2x1e10", "1e5x1e5", "unknown-in"])
def test_a_linear_too_big_to_allocate_is_refused_before_anything_is_allocated(make):
    with pytest.raises(ln.InputError, match=r"would hold [\d,]+ parameters, more than the "
                                            r"67,108,864 a Linear may have"):
        make()


def test_a_linear_of_exactly_the_most_parameters_can_be_made(monkeypatch):
    monkeypatch.setattr(ln.modules, "MAX_PARAMETERS", 12)
    assert ln.Linear(2, 4).num_params() == 12
    with pytest.raises(ln.InputError, match=r"Linear\(2 → 5\) would hold 15 parameters"):
        ln.Linear(2, 5)


def test_a_linear_whose_inferred_width_makes_it_too_big_is_refused_before_it_is_built():
    linear = ln.Linear(None, 10**4)
    with pytest.raises(ln.ShapeError, match=r"node 1.*Linear\(10000 → 10000\) would hold "
                                            r"100,010,000 parameters"):
        ln.Network({1: linear}, {0: [1]}, in_features=10**4)
    assert linear.in_features is None and linear.weight is None


@pytest.mark.parametrize("name", sorted(ln.DATASETS))
def test_a_data_set_of_more_points_than_its_bound_is_refused_before_anything_is_drawn(name):
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    with pytest.raises(ln.InputError, match=r"the number of points must be at most 1,000,000, "
                                            r"got 1,000,000,000,000"):
        ln.DATASETS[name](10**12, 0.0, rng)
    for n in (0, 2.5, float("nan"), "ten", True):
        with pytest.raises(ln.InputError, match=r"number of points must be a positive integer"):
            ln.DATASETS[name](n, 0.0, rng)
    assert rng.bit_generator.state == before
    assert ln.data.MAX_POINTS == 10**6
