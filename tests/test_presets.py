"""Presets: every one builds; the deep sigmoid pair shows vanishing gradients and their rescue."""

import numpy as np
import pytest

import labnet as ln
from labnet.presets import suggested_init


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


# -- no preset diverges at the lab's defaults -----------------------------------------------------

FIGURE1_BY_HAND = (  # (node, kind, width), as a student adds them in the lab; then the edges
    [(1, ln.Linear, 25), (2, ln.Tanh, None), (3, ln.Linear, 25), (4, ln.ReLU, None),
     (5, ln.Sum, None), (6, ln.Linear, 25), (7, ln.Linear, 2)],
    {0: [1, 6], 1: [2], 2: [3], 3: [4], 4: [5], 6: [5], 5: [7]})
SEED_BY_HAND = (
    [(1, ln.Linear, 25), (2, ln.ReLU, None), (3, ln.Linear, 25), (4, ln.ReLU, None),
     (5, ln.Linear, 25), (6, ln.ReLU, None), (7, ln.Linear, 2)],
    {i: [i + 1] for i in range(7)})


def by_hand(nodes, connectivity):
    """A network built as the lab builds one from edits: ``Linear(None, width)`` modules, the
    graph checked, then every Linear drawn in node order from the lab's generator, with the
    initialisation ``suggested_init`` gives it."""
    def make(rng):
        def modules(inits):
            return {node: kind(None, width, init=inits.get(node, "he"), rng=0) if width
                    else kind() for node, kind, width in nodes}

        trial = ln.Network(modules({}), connectivity, in_features=2)
        inits = {node: suggested_init(trial, node) for node, module in trial.operators.items()
                 if isinstance(module, ln.Linear)}
        net = ln.Network(modules(inits), connectivity, in_features=2)
        for node in net.operators:
            net.operators[node].reset_parameters(rng)
        return net
    return make


NETWORKS = {**ln.PRESETS, "figure1 by hand": by_hand(*FIGURE1_BY_HAND),
            "seed by hand": by_hand(*SEED_BY_HAND)}


def steps_at_the_lab_defaults(make, seed, steps):
    """Train ``make(rng)`` as the lab does by default: MSE, plain SGD (update_param), lr 0.1,
    batch 10, 2000 disk points split in halves, inputs standardised with the training points'
    mean and std. Returns the step that diverged, or None."""
    rng = np.random.default_rng(seed)
    x, labels = ln.disk(2000, rng=rng)
    split = ln.train_test_split(x, labels, 0.5, rng)
    mean, std = split.x_train.mean(axis=0), split.x_train.std(axis=0)
    trainer = ln.Trainer(make(rng), "mse", None, data=((split.x_train - mean) / std,
                                                        split.labels_train),
                         batch_size=10, lr=0.1, rng=rng, record_grad_norms=False)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            try:
                trainer.step()
            except ln.DivergedError:
                return trainer.steps + 1
    return None


@pytest.mark.slow  # about 8 s in all
@pytest.mark.parametrize("name", list(NETWORKS))
def test_no_preset_diverges_at_the_lab_defaults_on_20_seeds(name):
    """Two epochs each. Figure 1 with He's initialisation everywhere blew up within 20 steps on
    12 seeds of 20."""
    diverged = {seed: step for seed in range(20)
                if (step := steps_at_the_lab_defaults(NETWORKS[name], seed, 200)) is not None}
    assert diverged == {}


def test_suggested_init_is_he_before_relus_and_xavier_elsewhere():
    net = by_hand(*FIGURE1_BY_HAND)(0)
    assert {node: suggested_init(net, node) for node in (1, 3, 6, 7)} == {
        1: "xavier", 3: "he", 6: "xavier", 7: "xavier"}
    assert [net.operators[node].init for node in (1, 3, 6, 7)] == ["xavier", "he", "xavier",
                                                                   "xavier"]
    preset = ln.PRESETS["figure1"](0)  # the preset is drawn the same way
    assert all(module.init == suggested_init(preset, node)
               for node, module in preset.operators.items() if isinstance(module, ln.Linear))
    with pytest.raises(ln.GraphError, match=r"node 2 is not a Linear of this network"):
        suggested_init(net, 2)
