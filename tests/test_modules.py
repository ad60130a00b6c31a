"""Every module: gradients against finite differences, shapes, printing, parameters."""

import math

import numpy as np
import pytest

import labnet as ln


def away_from_zero(shape, seed=0, margin=0.1):
    """Random values with |v| >= margin, so ReLU-like kinks are never within eps of an input."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=shape)
    return np.where(np.abs(values) < margin, np.sign(values + 1e-12) * margin, values) + 0.0


# -- gradients -----------------------------------------------------------------------------------

@pytest.mark.parametrize("init", ["he", "xavier"])
def test_linear_gradients_match_finite_differences(init):
    report = ln.gradcheck(ln.Linear(3, 4, init=init, rng=0), away_from_zero((5, 3)))
    assert report.ok, str(report)
    assert set(report.errors) == {"input 0", "weight", "bias"}


@pytest.mark.parametrize(
    "module",
    [ln.ReLU(), ln.LeakyReLU(), ln.LeakyReLU(0.3), ln.Tanh(), ln.Sigmoid()],
    ids=repr,
)
def test_activation_gradients_match_finite_differences(module):
    report = ln.gradcheck(module, away_from_zero((6, 4), seed=1))
    assert report.ok, str(report)


@pytest.mark.parametrize("n_inputs", [2, 3])
def test_sum_gradients_match_finite_differences(n_inputs):
    inputs = [away_from_zero((4, 3), seed=i) for i in range(n_inputs)]
    report = ln.gradcheck(ln.Sum(), *inputs)
    assert report.ok, str(report)
    assert len(report.errors) == n_inputs


def test_concat_gradients_match_finite_differences():
    inputs = [away_from_zero((4, width), seed=width) for width in (2, 1, 3)]
    report = ln.gradcheck(ln.Concat(), *inputs)
    assert report.ok, str(report)
    assert len(report.errors) == 3


def test_linear_gradients_are_the_textbook_formulas():
    linear = ln.Linear(2, 3, rng=0)
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    grad_out = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    linear.forward(x)
    grad_x = linear.backward(grad_out)
    np.testing.assert_allclose(linear.grad_weight, x.T @ grad_out)
    np.testing.assert_allclose(linear.grad_bias, grad_out.sum(axis=0))
    np.testing.assert_allclose(grad_x, grad_out @ linear.weight.T)


# -- values and shapes ---------------------------------------------------------------------------

def test_activations_compute_their_functions():
    x = np.array([[-2.0, -0.5, 0.5, 3.0]])
    np.testing.assert_allclose(ln.ReLU().forward(x), [[0.0, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(ln.LeakyReLU(0.1).forward(x), [[-0.2, -0.05, 0.5, 3.0]])
    np.testing.assert_allclose(ln.Tanh().forward(x), np.tanh(x))
    np.testing.assert_allclose(ln.Sigmoid().forward(x), 1.0 / (1.0 + np.exp(-x)))


def test_sigmoid_does_not_overflow_on_large_inputs():
    with np.errstate(all="raise"):
        y = ln.Sigmoid().forward(np.array([[-1000.0, 1000.0]]))
    np.testing.assert_allclose(y, [[0.0, 1.0]])


def test_linear_output_shape_and_affine_map():
    linear = ln.Linear(3, 5, rng=0)
    x = np.ones((7, 3))
    y = linear.forward(x)
    assert y.shape == (7, 5)
    np.testing.assert_allclose(y, x @ linear.weight + linear.bias)
    assert linear.weight.shape == (3, 5) and linear.bias.shape == (5,)


def test_sum_and_concat_output_shapes():
    a, b, c = np.ones((4, 2)), 2 * np.ones((4, 2)), 3 * np.ones((4, 3))
    np.testing.assert_array_equal(ln.Sum().forward(a, b, b), 5 * np.ones((4, 2)))
    joined = ln.Concat().forward(a, c)
    assert joined.shape == (4, 5)
    np.testing.assert_array_equal(joined[:, :2], a)
    np.testing.assert_array_equal(joined[:, 2:], c)


def test_concat_backward_splits_the_gradient_in_input_order():
    concat = ln.Concat()
    concat.forward(np.zeros((1, 1)), np.zeros((1, 2)))
    first, second = concat.backward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(first, [[1.0]])
    np.testing.assert_array_equal(second, [[2.0, 3.0]])


def test_sum_backward_gives_one_gradient_per_input():
    total = ln.Sum()
    total.forward(np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2)))
    grads = total.backward(np.ones((2, 2)))
    assert isinstance(grads, tuple) and len(grads) == 3


@pytest.mark.parametrize("init", ["he", "xavier"])
def test_linear_initialisation_has_the_documented_spread(init):
    linear = ln.Linear(200, 300, init=init, rng=0)
    if init == "he":
        assert linear.weight.std() == pytest.approx(math.sqrt(2.0 / 200), rel=0.05)
    else:
        limit = math.sqrt(6.0 / 500)
        assert np.abs(linear.weight).max() <= limit
        assert linear.weight.std() == pytest.approx(limit / math.sqrt(3.0), rel=0.05)
    np.testing.assert_array_equal(linear.bias, 0.0)


def test_linear_initialisation_is_deterministic_for_a_seed():
    np.testing.assert_array_equal(ln.Linear(3, 4, rng=7).weight, ln.Linear(3, 4, rng=7).weight)
    assert not np.array_equal(ln.Linear(3, 4, rng=7).weight, ln.Linear(3, 4, rng=8).weight)


def test_linear_with_unknown_in_features_has_no_parameters_until_built():
    linear = ln.Linear(None, 4)
    assert linear.params() == [] and linear.weight is None
    linear.build([3])
    assert linear.in_features == 3
    assert linear.weight.shape == (3, 4)
    assert [value.shape for value, _ in linear.params()] == [(3, 4), (4,)]


@pytest.mark.parametrize("init", ["he", "xavier"])
def test_linear_built_from_unknown_in_features_gradients_match_finite_differences(init):
    linear = ln.Linear(None, 4, init=init, rng=0)
    linear.build([3])
    report = ln.gradcheck(linear, away_from_zero((5, 3)))
    assert report.ok, str(report)
    assert set(report.errors) == {"input 0", "weight", "bias"}


def test_linear_with_unknown_in_features_refuses_forward_before_build():
    with pytest.raises(ValueError, match="input width is not known"):
        ln.Linear(None, 4).forward(np.ones((2, 3)))


# -- printing -------------------------------------------------------------------------------------

def test_reprs_are_readable():
    assert repr(ln.Linear(2, 25)) == "Linear(2 → 25)"
    assert repr(ln.Linear(2, 25, init="xavier")) == "Linear(2 → 25, init='xavier')"
    assert repr(ln.Linear(None, 3)) == "Linear(? → 3)"
    assert repr(ln.ReLU()) == "ReLU()"
    assert repr(ln.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(ln.Tanh()) == "Tanh()"
    assert repr(ln.Sigmoid()) == "Sigmoid()"
    assert repr(ln.Sum()) == "Sum()"
    assert repr(ln.Concat()) == "Concat()"


# -- parameters ----------------------------------------------------------------------------------

def test_params_are_live_arrays():
    linear = ln.Linear(2, 3, rng=0)
    (weight, grad_weight), (bias, grad_bias) = linear.params()
    assert weight is linear.weight and grad_weight is linear.grad_weight
    assert bias is linear.bias and grad_bias is linear.grad_bias
    weight[0, 0] = 42.0
    assert linear.weight[0, 0] == 42.0
    named = linear.named_params()
    assert list(named) == ["weight", "bias"]
    assert named["weight"][0] is linear.weight and named["bias"][1] is linear.grad_bias


def test_modules_without_parameters_have_none():
    for module in (ln.ReLU(), ln.LeakyReLU(), ln.Tanh(), ln.Sigmoid(), ln.Sum(), ln.Concat()):
        assert module.params() == [] and module.named_params() == {}
        assert module.num_params() == 0
        module.update_param(0.1)  # nothing to do, and no error


def test_linear_num_params():
    assert ln.Linear(3, 4).num_params() == 3 * 4 + 4


def test_update_param_is_one_gradient_step():
    linear = ln.Linear(2, 3, rng=0)
    linear.forward(np.array([[1.0, 2.0]]))
    linear.backward(np.array([[1.0, -1.0, 0.5]]))
    weight, bias = linear.weight.copy(), linear.bias.copy()
    linear.update_param(0.1)
    np.testing.assert_allclose(linear.weight, weight - 0.1 * linear.grad_weight)
    np.testing.assert_allclose(linear.bias, bias - 0.1 * linear.grad_bias)


def test_update_param_keeps_the_parameter_arrays():
    linear = ln.Linear(2, 3, rng=0)
    weight = linear.weight
    linear.forward(np.ones((1, 2)))
    linear.backward(np.ones((1, 3)))
    linear.update_param(0.1)
    assert linear.weight is weight  # optimizers and views hold on to these arrays


def test_backward_sets_parameter_gradients_without_accumulating():
    linear = ln.Linear(2, 3, rng=0)
    x, grad_out = np.array([[1.0, 2.0], [0.5, -1.0]]), np.ones((2, 3))
    linear.forward(x)
    linear.backward(grad_out)
    first = linear.grad_weight.copy(), linear.grad_bias.copy()
    linear.forward(x)
    linear.backward(grad_out)
    np.testing.assert_array_equal(linear.grad_weight, first[0])
    np.testing.assert_array_equal(linear.grad_bias, first[1])


def test_reset_parameters_draws_from_the_given_rng():
    a, b = ln.Linear(3, 4, rng=0), ln.Linear(3, 4, rng=1)
    a.reset_parameters(5)
    b.reset_parameters(5)
    np.testing.assert_array_equal(a.weight, b.weight)


# -- float32 --------------------------------------------------------------------------------------

def test_linear_float32_forward_backward_stay_float32():
    linear = ln.Linear(3, 4, rng=0, dtype=np.float32)
    x = np.ones((2, 3), dtype=np.float32)
    y = linear.forward(x)
    grad_x = linear.backward(np.ones_like(y))
    assert y.dtype == grad_x.dtype == np.float32
    assert all(v.dtype == g.dtype == np.float32 for v, g in linear.params())


def test_astype_converts_parameters_and_agrees_with_float64():
    linear = ln.Linear(3, 4, rng=0)
    x = away_from_zero((5, 3))
    expected = linear.forward(x)
    linear.astype(np.float32)
    assert linear.weight.dtype == linear.grad_weight.dtype == np.float32
    np.testing.assert_allclose(linear.forward(x.astype(np.float32)), expected, rtol=1e-5)


@pytest.mark.parametrize("module", [ln.ReLU(), ln.LeakyReLU(), ln.Tanh(), ln.Sigmoid()], ids=repr)
def test_activations_keep_float32(module):
    x = away_from_zero((3, 4)).astype(np.float32)
    assert module.forward(x).dtype == np.float32
    assert module.backward(np.ones_like(x)).dtype == np.float32


# -- the registry ---------------------------------------------------------------------------------

class Double(ln.Module):
    def forward(self, x):
        return 2 * x

    def backward(self, grad_out):
        return 2 * grad_out


def test_registered_modules_are_the_built_ins_at_first():
    assert list(ln.registered_modules()) == ["Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid",
                                             "Sum", "Concat"]
    assert ln.registered_modules() is not ln.modules.MODULES  # a copy


def test_register_adds_a_class_under_its_name_and_returns_it(registry):
    assert ln.register(Double) is Double
    assert registry["Double"] is Double and ln.registered_modules()["Double"] is Double
    assert ln.register(Double) is Double  # again: nothing changes
    assert list(registry).count("Double") == 1


def test_register_works_as_a_decorator_with_or_without_a_name(registry):
    @ln.register
    class Halve(Double):
        pass

    @ln.register(name="Triple")
    class Thrice(Double):
        pass

    assert registry["Halve"] is Halve and registry["Triple"] is Thrice
    assert "Thrice" not in registry


@pytest.mark.parametrize(("cls", "message"), [
    (int, r"int'> is not a subclass of labnet's Module"),
    (ln.Module, r"is not a subclass of labnet's Module"),
    (Double(), r"is not a subclass"),
])
def test_register_refuses_what_is_not_a_module_class(cls, message):
    with pytest.raises(ln.InputError, match=message):
        ln.register(cls)


def test_register_refuses_a_name_taken_by_a_different_class(registry):
    ln.register(Double)

    def make():
        class Double(ln.Module):  # the same name, another class (defined elsewhere)
            pass
        return Double

    other = make()
    with pytest.raises(ln.InputError, match=r"the name 'Double' is taken by test_modules.Double; "
                                            r"register .*make.<locals>.Double under another name"):
        ln.register(other)
    with pytest.raises(ln.InputError, match=r"the name 'Linear' is taken by labnet.modules"):
        ln.register(Double, name="Linear")
    with pytest.raises(ln.InputError, match=r"the name must be a Python identifier"):
        ln.register(other, name="my module")
    assert registry["Double"] is Double and registry["Linear"] is ln.Linear


def test_a_class_has_one_name(registry):
    ln.register(Double)
    with pytest.raises(ln.InputError, match=r"test_modules.Double is already registered as "
                                            r"'Double'"):
        ln.register(Double, name="Twice")


def test_the_same_class_defined_again_replaces_the_old_one(registry):
    """A notebook cell that defines and registers a class, run twice."""
    namespace = {"ln": ln}
    code = "@ln.register\nclass Swish(ln.Module):\n    pass\n"
    exec(code, namespace)
    first = namespace["Swish"]
    exec(code, namespace)
    assert namespace["Swish"] is not first and registry["Swish"] is namespace["Swish"]
