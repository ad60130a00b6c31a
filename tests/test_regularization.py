"""L1 and L2 regularisation: the penalty on the weights only, its gradient checked against finite
differences of the regularised loss, a step equal to Playground's, the loss reported without
the penalty."""

import math

import numpy as np
import pytest
from traintools import disk_data, small_net

import labnet as ln
from labnet.regularization import weights


class Gain(ln.Module):
    """``y = gain · x + offset``, element-wise: a module of one's own whose ``gain`` is a weight
    (regularised) and whose ``offset`` is not."""

    regularized = ("gain",)

    def __init__(self, width: int) -> None:
        rng = np.random.default_rng(width)
        self.gain, self.offset = rng.normal(size=width), rng.normal(size=width)
        self.grad_gain, self.grad_offset = np.zeros(width), np.zeros(width)

    def named_params(self):
        return {"gain": (self.gain, self.grad_gain), "offset": (self.offset, self.grad_offset)}

    def forward(self, x):
        self.x = x
        return self.gain * x + self.offset

    def backward(self, grad_out):
        self.grad_gain[...] = (grad_out * self.x).sum(axis=0)  # dL/dgain = Σ grad_out · x
        self.grad_offset[...] = grad_out.sum(axis=0)  # dL/doffset = Σ grad_out
        return grad_out * self.gain  # dL/dx = grad_out · gain


def branching_net(seed=0):
    """Two Linears into a Sum, then a Gain and a Linear: weights in three kinds of place."""
    operators = {1: ln.Linear(2, 4, rng=seed), 2: ln.Linear(2, 4, rng=seed + 1), 3: ln.Sum(),
                 4: ln.Tanh(), 5: Gain(4), 6: ln.Linear(4, 3, rng=seed + 2)}
    return ln.Network(operators, {0: [1, 2], 1: [3], 2: [3], 3: [4], 4: [5], 5: [6]})


class RegularisedLoss(ln.Module):
    """``L(net(x), target) + R(net)`` as a module of ``x`` with the network's parameters, so
    that ``ln.gradcheck`` compares its backward (``net.backward``, then the regularisation's
    gradient) with central differences of the regularised loss."""

    def __init__(self, net, loss, target, regularization):
        self.net, self.loss, self.target = net, loss, target
        self.regularization = regularization

    def named_params(self):
        return self.net.named_params()

    def forward(self, x):
        value = self.loss.forward(self.net.forward(x), self.target)
        return np.array([[value + self.regularization.penalty(self.net)]])

    def backward(self, grad_out):
        grad_x = self.net.backward(self.loss.backward())
        self.regularization.add_gradient(self.net)
        for _, grad in self.net.params():
            grad *= grad_out[0, 0]  # d(g · (L + R)) = g · d(L + R)
        return grad_x * grad_out[0, 0]


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("loss", [ln.MSELoss(), ln.CrossEntropyLoss()], ids=["mse", "ce"])
def test_the_regularised_gradient_is_the_gradient_of_the_regularised_loss(kind, loss):
    x = np.random.default_rng(1).normal(size=(5, 2))
    labels = np.array([0, 2, 1, 1, 0])
    model = RegularisedLoss(branching_net(), loss, labels, ln.Regularization(kind, 0.3))
    report = ln.gradcheck(model, x)
    assert report.ok, str(report)
    assert set(report.errors) == {"input 0", *model.net.named_params()}


def test_the_penalty_is_over_the_weights_only():
    net = branching_net()
    found = list(weights(net))
    expected = [net.operators[1].weight, net.operators[2].weight, net.operators[5].gain,
                net.operators[6].weight]
    assert len(found) == 4 and all(value is want for (value, _), want in zip(found, expected,
                                                                               strict=True))
    l1 = sum(np.abs(value).sum() for value in expected)
    l2 = sum((value ** 2).sum() for value in expected) / 2
    assert ln.Regularization("l1", 0.3).penalty(net) == pytest.approx(0.3 * l1, rel=1e-14)
    assert ln.Regularization("l2", 0.3).penalty(net) == pytest.approx(0.3 * l2, rel=1e-14)
    for module in (net.operators[1], net.operators[6]):
        module.bias[...] = 100.0  # biases are not regularised
    assert ln.Regularization("l2", 0.3).penalty(net) == pytest.approx(0.3 * l2, rel=1e-14)


@pytest.mark.parametrize(("kind", "derivative"), [("l1", np.sign), ("l2", lambda w: w)])
def test_a_plain_step_moves_each_weight_as_playground_does(kind, derivative):
    rate, lr = 0.2, 0.05
    x, labels = disk_data()
    trainer = ln.Trainer(small_net(), "mse", data=(x, labels), lr=lr, rng=0,
                         regularization=ln.Regularization(kind, rate))
    twin = small_net()  # the same weights, trained by hand
    batch, batch_labels = trainer.next_batch()
    mse = ln.MSELoss()
    loss = mse.forward(twin.forward(batch), batch_labels)
    twin.backward(mse.backward())
    # Playground's updateWeights: w ← w - lr·dE/dw, then w ← w - lr·rate·r'(w) (r' at the old
    # w); a bias takes its gradient step only
    expected = {}
    for name, (value, grad) in twin.named_params().items():
        step = grad + (rate * derivative(value) if name.endswith("weight") else 0.0)
        expected[name] = value - lr * step
    assert trainer.step() == loss  # the loss reported is the data's alone
    for name, value in trainer.net.state_dict().items():
        np.testing.assert_allclose(value, expected[name], rtol=0, atol=1e-15)
    assert trainer.history.step_loss == [loss]


def test_a_rate_of_zero_or_none_trains_as_without():
    x, labels = disk_data()
    runs = []
    for regularization in (None, ln.Regularization("l1", 0.0), ln.Regularization("l2", 0)):
        trainer = ln.Trainer(small_net(), data=(x, labels), rng=0, regularization=regularization)
        trainer.fit(2)
        runs.append(trainer.net.state_dict())
    for run in runs[1:]:
        for name, value in run.items():
            np.testing.assert_array_equal(value, runs[0][name])


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_optimizers_see_the_regularised_gradient_and_l2_keeps_the_weights_small(optimizer):
    x, labels = disk_data(200)
    norms = {}
    for rate in (0.0, 0.3):
        trainer = ln.Trainer(small_net(), "cross-entropy", optimizer, data=(x, labels),
                             lr=0.02, rng=0, regularization=ln.Regularization("l2", rate))
        trainer.fit(10)
        norms[rate] = math.sqrt(sum((value ** 2).sum() for value, _ in weights(trainer.net)))
    assert norms[0.3] < 0.7 * norms[0.0]


def test_l1_drives_the_weights_of_an_unused_input_to_about_zero():
    x, labels = ln.xor(400, 0.0, 0)
    features = np.column_stack([x[:, 0] * x[:, 1], np.random.default_rng(1).normal(size=400)])
    noise_weights = {}
    for rate in (0.0, 0.03):
        net = ln.Sequential(ln.Linear(2, 2, rng=0))  # its second input is noise
        trainer = ln.Trainer(net, "cross-entropy", data=(features, labels), lr=0.05, rng=0,
                             regularization=ln.Regularization("l1", rate))
        trainer.fit(30)
        noise_weights[rate] = np.abs(net.operators[1].weight[1]).max()
        assert np.abs(net.operators[1].weight[0]).min() > 1.0  # x₁x₂ is used
        assert trainer.history.train_error[-1] < 0.02
    assert noise_weights[0.0] > 0.25 and noise_weights[0.03] < 0.01


def test_the_regularisation_can_change_between_steps_and_is_checked():
    trainer = ln.Trainer(small_net(), data=disk_data(), rng=0)
    assert trainer.regularization is None
    trainer.step()
    trainer.regularization = ln.Regularization("l1", 0.01)
    trainer.step()
    for bad in ("l2", 0.1, ("l2", 0.1), ln.Regularization):
        with pytest.raises(ln.InputError, match=r"regularization must be None or an "
                                                r"ln.Regularization"):
            trainer.regularization = bad
    assert trainer.regularization.kind == "l1"
    with pytest.raises(ln.InputError, match=r"regularization must be None"):
        ln.Trainer(small_net(), data=disk_data(), regularization="l2")


@pytest.mark.parametrize(("kind", "rate", "message"), [
    ("l3", 0.1, r"^regularization must be one of l1, l2, got 'l3'$"),
    ("L2", 0.1, r"got 'L2'"),
    (None, 0.1, r"got None"),
    ("l2", -0.1, r"the regularization rate must be a finite number >= 0, got -0.1"),
    ("l2", math.nan, r"got nan"),
    ("l2", math.inf, r"got inf"),
    ("l2", "0.1", r"got '0.1'"),
    ("l2", True, r"got True"),
])
def test_a_bad_kind_or_rate_is_refused(kind, rate, message):
    with pytest.raises(ln.InputError, match=message):
        ln.Regularization(kind, rate)


def test_a_module_that_names_a_weight_it_has_not_is_refused_naming_the_node():
    class Wrong(Gain):
        regularized = ("scale",)

    net = ln.Network({1: ln.Linear(2, 3, rng=0), 2: Wrong(3)}, {0: [1], 1: [2]})
    with pytest.raises(ln.InputError, match=r"node 2: Wrong.regularized names 'scale', which is "
                                            r"not one of its parameters \(gain, offset\)"):
        ln.Regularization("l2", 0.1).penalty(net)


def test_a_module_of_ones_own_is_not_regularised_unless_it_says_so():
    class Unsaid(Gain):
        regularized = ()

    net = ln.Network({1: Unsaid(2)}, {0: [1]})
    assert ln.Module.regularized == () and list(weights(net)) == []
    assert ln.Regularization("l1", 1.0).penalty(net) == 0.0
