"""Presets: every one builds; the deep sigmoid pair shows vanishing gradients and their rescue."""

import numpy as np
import pytest

import labnet as ln


def standardised_disk(n, seed):
    x, labels = ln.disk(n, rng=seed)
    return (x - 0.5) / np.sqrt(1 / 12), labels  # uniform on [0, 1]: mean ½, std √(1/12)


@pytest.mark.parametrize("name", list(ln.PRESETS))
def test_every_preset_builds_a_two_in_two_out_network_deterministically(name):
    net = ln.PRESETS[name](0)
    assert (net.in_features, net.out_features) == (2, 2)
    x = np.random.default_rng(1).uniform(size=(5, 2))
    np.testing.assert_array_equal(net.forward(x), ln.PRESETS[name](0).forward(x))


def test_deep_sigmoid_skip_is_the_same_stack_and_weights_plus_sum_nodes():
    plain, skip = ln.PRESETS["deep-sigmoid"](0), ln.PRESETS["deep-sigmoid-skip"](0)
    kinds = [type(m) for m in skip.operators.values()]
    assert [k for k in kinds if k is not ln.Sum] == [type(m) for m in plain.operators.values()]
    assert kinds.count(ln.Sum) == 8 and kinds.count(ln.Sigmoid) == 9
    for a, b in zip(plain.state_dict().values(), skip.state_dict().values(), strict=True):
        np.testing.assert_array_equal(a, b)
    for node, module in skip.operators.items():  # each Sum adds a block to its input
        if isinstance(module, ln.Sum):
            block_input, block_linear = skip.inputs[node]
            assert isinstance(skip.operators[block_linear], ln.Linear)
            assert skip.inputs[skip.inputs[block_linear][0]] == (block_input,)


def first_and_last_gradient(net, x, labels):
    loss = ln.MSELoss()
    loss.forward(net.forward(x), labels)
    net.backward(loss.backward())
    norms = net.param_grad_norms()
    return norms[net.order[0]], norms[net.output]


def test_gradients_vanish_through_the_sigmoid_stack_and_not_around_it():
    x, labels = standardised_disk(100, 0)
    first, last = first_and_last_gradient(ln.PRESETS["deep-sigmoid"](0), x, labels)
    assert first < 1e-4 * last  # σ' ≤ 1/4, nine times over
    first, last = first_and_last_gradient(ln.PRESETS["deep-sigmoid-skip"](0), x, labels)
    assert first > 1e-2 * last


def test_the_skip_stack_learns_where_the_plain_one_is_stuck_at_the_same_learning_rate():
    data, test = standardised_disk(1000, 0), standardised_disk(500, 1)
    best = {}
    for name in ("deep-sigmoid", "deep-sigmoid-skip"):
        trainer = ln.Trainer(ln.PRESETS[name](1), data=data, test=test, lr=0.1, rng=2)
        best[name] = min(trainer.fit(10).test_error)
    assert best["deep-sigmoid"] > 0.4  # no better than a guess
    assert best["deep-sigmoid-skip"] < 0.15


def test_the_skip_stack_does_not_diverge_at_the_lab_defaults():
    trainer = ln.Trainer(ln.PRESETS["deep-sigmoid-skip"](0), data=ln.disk(1000, rng=0),
                         lr=0.1, batch_size=10, rng=0)
    trainer.fit(2)  # raw inputs in [0, 1], as in the lab; used to raise DivergedError
    assert np.isfinite(trainer.history.step_loss).all()
