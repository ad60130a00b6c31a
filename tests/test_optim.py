"""Optimizers: SGD, momentum and Adam against hand-written references; state round trip."""

import numpy as np
import pytest

import labnet as ln
from labnet.optim import OPTIMIZERS


def make_net(seed=0):
    return ln.Sequential(ln.Linear(2, 3, rng=seed), ln.Tanh(), ln.Linear(3, 2, rng=seed + 1))


def gradients(step, params):
    """Deterministic gradients for step ``step``, one per parameter."""
    rng = np.random.default_rng(100 + step)
    return [rng.normal(size=value.shape) for value, _ in params]


def set_gradients(step, params):
    for (_, grad), new in zip(params, gradients(step, params), strict=True):
        grad[...] = new


def test_sgd_without_momentum_is_update_param():
    a, b = make_net(), make_net()
    x = np.random.default_rng(0).normal(size=(5, 2))
    optimizer = ln.SGD(b.params(), lr=0.1)
    for _ in range(3):
        for net in (a, b):
            net.backward(np.ones_like(net.forward(x)))
        a.update_param(0.1)
        optimizer.step()
    for (va, _), (vb, _) in zip(a.params(), b.params(), strict=True):
        np.testing.assert_array_equal(va, vb)


def test_sgd_momentum_matches_a_reference():
    net = make_net()
    params = net.params()
    expected = [value.copy() for value, _ in params]
    velocity = [np.zeros_like(value) for value in expected]
    optimizer = ln.SGD(params, lr=0.1, momentum=0.9)
    for step in range(4):
        set_gradients(step, params)
        for i, grad in enumerate(gradients(step, params)):
            velocity[i] = 0.9 * velocity[i] + grad
            expected[i] = expected[i] - 0.1 * velocity[i]
        optimizer.step()
    for (value, _), reference in zip(params, expected, strict=True):
        np.testing.assert_allclose(value, reference, rtol=1e-12, atol=1e-12)


def test_adam_matches_a_reference():
    net = make_net()
    params = net.params()
    lr, beta1, beta2, eps = 0.01, 0.8, 0.99, 1e-8
    expected = [value.copy() for value, _ in params]
    m = [np.zeros_like(value) for value in expected]
    v = [np.zeros_like(value) for value in expected]
    optimizer = ln.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps)
    for step in range(4):
        set_gradients(step, params)
        t = step + 1
        for i, grad in enumerate(gradients(step, params)):
            m[i] = beta1 * m[i] + (1 - beta1) * grad
            v[i] = beta2 * v[i] + (1 - beta2) * grad**2
            m_hat, v_hat = m[i] / (1 - beta1**t), v[i] / (1 - beta2**t)
            expected[i] = expected[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        optimizer.step()
    assert optimizer.steps == 4
    for (value, _), reference in zip(params, expected, strict=True):
        np.testing.assert_allclose(value, reference, rtol=1e-12, atol=1e-12)


def test_adam_first_step_moves_each_entry_by_about_lr():
    params = make_net().params()
    before = [value.copy() for value, _ in params]
    set_gradients(0, params)
    ln.Adam(params, lr=0.01).step()
    for (value, grad), old in zip(params, before, strict=True):
        np.testing.assert_allclose(old - value, 0.01 * np.sign(grad), rtol=1e-4)


def test_optimizer_steps_update_the_live_arrays_in_place():
    net = make_net()
    arrays = [value for value, _ in net.params()]
    set_gradients(0, net.params())
    ln.Adam(net.params(), lr=0.1).step()
    assert all(value is array for (value, _), array in zip(net.params(), arrays, strict=True))


def test_lr_setter_changes_the_next_step():
    params = make_net().params()
    optimizer = ln.SGD(params, lr=0.1)
    optimizer.lr = 0.5
    assert optimizer.lr == 0.5
    before = params[0][0].copy()
    set_gradients(0, params)
    optimizer.step()
    np.testing.assert_allclose(params[0][0], before - 0.5 * params[0][1])


@pytest.mark.parametrize("make", [lambda p: ln.SGD(p, 0.1, momentum=0.9),
                                  lambda p: ln.Adam(p, 0.05)], ids=["momentum", "Adam"])
def test_state_dict_round_trip_continues_identically(make):
    net = make_net()
    optimizer = make(net.params())
    for step in range(2):
        set_gradients(step, net.params())
        optimizer.step()
    weights, state = net.state_dict(), optimizer.state_dict()
    for step in range(2, 4):
        set_gradients(step, net.params())
        optimizer.step()
    expected = net.state_dict()

    other = make_net(seed=5)
    other.load_state_dict(weights)
    resumed = make(other.params())
    resumed.load_state_dict(state)
    assert resumed.steps == 2
    for step in range(2, 4):
        set_gradients(step, other.params())
        resumed.step()
    for key, value in other.state_dict().items():
        np.testing.assert_array_equal(value, expected[key])


def test_state_dict_is_a_copy():
    params = make_net().params()
    optimizer = ln.SGD(params, lr=0.1, momentum=0.5)
    set_gradients(0, params)
    optimizer.step()
    state = optimizer.state_dict()
    state["state"][0]["velocity"][...] = 99.0
    assert not np.any(optimizer.state[0]["velocity"] == 99.0)
    assert state["lr"] == 0.1 and state["steps"] == 1 and state["hyper"] == {"momentum": 0.5}


def test_optimizers_by_name():
    params = make_net().params()
    assert isinstance(OPTIMIZERS["sgd"](params, 0.1), ln.SGD)
    assert OPTIMIZERS["momentum"](params, 0.1).momentum == 0.9
    adam = OPTIMIZERS["adam"](params, 0.01)
    assert isinstance(adam, ln.Adam) and adam.lr == 0.01


def test_optimizer_reprs():
    params = make_net().params()
    assert repr(ln.SGD(params, 0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"
    assert repr(ln.Adam(params, 0.001)) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08)"
