"""How fast is labnet? One epoch of training, three ways, on the same data and the same weights;
then what the Trainer costs on top of the loop it runs.

    python benchmarks/bench_framework.py           # a few minutes
    python benchmarks/bench_framework.py --quick   # under a minute, rougher
    python benchmarks/bench_framework.py --trainer # the Trainer part only

One epoch is 1,000 points of ``labnet.disk`` with one-hot targets, MSE and plain gradient descent,
cut into mini-batches of 1, 10, 100 or 1,000 points. The contenders:

- **labnet**, through the seed API: ``net.forward``, ``MSELoss.forward``,
  ``net.backward(loss.backward())``, ``net.update_param(lr)``.
- **hand**: the same arithmetic written by hand in NumPy, with no framework at all: the same
  shapes and the same operations (``x @ W + b``, ``np.maximum``, ``grad * (z > 0)``, ``xᵀ · grad``,
  ``grad.sum(0)``, ``grad · Wᵀ`` down to the input, ``W -= lr * grad_W``). labnet / hand is what
  the framework costs.
- **torch**: PyTorch's eager mode on the CPU: autograd for the gradients, plain tensors and a
  hand-written step (faster here than ``nn.Sequential`` with ``optim.SGD``), in float64 like the
  others, with as many threads as NumPy's BLAS uses. Skipped if torch is not installed. (It does
  not compute the gradient for the input, which labnet and hand do: that favours torch.)

The machine may be noisy, so the contenders take turns (labnet, hand, torch, then hand, torch,
labnet, ...) many times, each epoch starting from the same weights, and the table reports the
fastest epoch (and the median). The ratios are of the fastest epochs.

Targets (issue 2): labnet / hand ≤ 1.15 at batch ≥ 10 on the seed network, and labnet faster
than torch at batch ≤ 100.

**The Trainer** (issue 11): an epoch of the seed network on 1,000 training and 1,000 test
points of ``labnet.disk``, batch 10, MSE, plain SGD, through ``Trainer.step()``, against the bare
loop a student writes with the same API: shuffle each epoch with the same generator, slice the
mini-batch, ``forward``, loss, ``backward``, ``update_param``, and at each epoch's end the
evaluation the Trainer records (the error on the training set, loss and error on the test set).
Both end their first round with the same weights (checked); what each needs made first (a
trainer; the bare loop's generator and first order) is made before the clock starts, and then
each carries on from round to round, as a trainer does in the lab. Many short rounds,
interleaved, and the fastest of each: the machine may be busy. The Trainer adds its divergence
check, its history and its bookkeeping; three settings: the seed experiment's
(``record_grad_norms=False``), the default (every node's gradient norm at every step) and the
lab's (``history_limit=2**14``, ``norm_every=16``). Target: Trainer / bare ≤ 1.1. Also printed:
the bare loop without the evaluation, to show what the evaluation costs.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

import labnet as ln

try:  # optional: the torch column is skipped without it
    import torch
except ImportError as error:
    torch = None
    TORCH_MISSING = str(error)

N_POINTS = 1000
BATCH_SIZES = (1, 10, 100, 1000)
LR = 0.05
HAND_TOLERANCE = 1e-10  # labnet and hand do the same float64 operations in the same order
TORCH_TOLERANCE = 1e-8  # torch's BLAS may add up in another order

NETWORKS = {
    # name: the widths of the layers, input to output (ReLU between the Linear layers)
    "seed 2-25-25-25-2": (2, 25, 25, 25, 2),
    "wide 2-512-512-2": (2, 512, 512, 2),
}


# -- the data -------------------------------------------------------------------------------------
def make_batches(batch_size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The epoch's mini-batches ``(x, one-hot target)``, in a fixed order (no shuffling)."""
    x, labels = ln.disk(N_POINTS, rng=0)
    target = ln.one_hot(labels, 2)
    return [(x[i:i + batch_size], target[i:i + batch_size])
            for i in range(0, N_POINTS, batch_size)]


# -- contender 1: labnet, through the seed API ----------------------------------------------------
def make_labnet(widths: tuple[int, ...]) -> ln.Network:
    modules = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        if i > 0:
            modules.append(ln.ReLU())
        modules.append(ln.Linear(n_in, n_out))
    return ln.Sequential(*modules, rng=0)


def labnet_epoch(net: ln.Network, loss: ln.MSELoss, batches, lr: float) -> None:
    for x, target in batches:
        loss.forward(net.forward(x), target)
        net.backward(loss.backward())
        net.update_param(lr)


# -- contender 2: the same arithmetic by hand in NumPy --------------------------------------------
def hand_epoch(weights: list[np.ndarray], biases: list[np.ndarray], batches, lr: float) -> None:
    last = len(weights) - 1
    for x, target in batches:
        # forward: keep the input of every layer, and of every ReLU, for the backward pass
        layer_inputs, relu_inputs = [], []
        h = x
        for i in range(last + 1):
            layer_inputs.append(h)
            z = h @ weights[i] + biases[i]
            if i < last:
                relu_inputs.append(z)
                h = np.maximum(z, 0.0)
            else:
                h = z
        # the loss: mean squared error, and its gradient
        diff = h - target
        float(np.mean(diff * diff))
        grad = diff * (2.0 / diff.size)
        # backward, from the last layer down to the input
        grad_weights, grad_biases = [None] * (last + 1), [None] * (last + 1)
        for i in range(last, -1, -1):
            grad_weights[i] = layer_inputs[i].T @ grad
            grad_biases[i] = grad.sum(axis=0)
            grad = grad @ weights[i].T
            if i > 0:
                grad = grad * (relu_inputs[i - 1] > 0)
        # the gradient step, in place
        for i in range(last + 1):
            weights[i] -= lr * grad_weights[i]
            biases[i] -= lr * grad_biases[i]


# -- contender 3: PyTorch eager on the CPU --------------------------------------------------------
def torch_epoch(weights: list, biases: list, batches, lr: float) -> None:
    """PyTorch's autograd does the backward pass; the step is done by hand, as above.

    Plain tensors with a hand-written step ran about 25 % faster than ``nn.Sequential`` with
    ``optim.SGD`` here, so torch gets the faster of the two. ``torch.addmm(b, h, W)`` is the one
    fused operation that ``nn.Linear`` runs for ``h @ W + b``."""
    last = len(weights) - 1
    for x, target in batches:
        h = x
        for i in range(last + 1):
            h = torch.addmm(biases[i], h, weights[i])
            if i < last:
                h = torch.relu(h)
        loss = torch.nn.functional.mse_loss(h, target)
        loss.item()  # labnet's loss.forward returns the loss as a float: so does this
        loss.backward()
        with torch.no_grad():
            for value in weights + biases:
                value -= lr * value.grad
                value.grad = None


# -- the contest ----------------------------------------------------------------------------------
class Contender:
    """One way to run an epoch: ``run()`` trains one epoch, ``restore()`` puts back the weights it
    started from, ``weights()`` returns them (as ``(in, out)`` NumPy arrays) for the check."""

    def __init__(self, name: str, run: Callable[[], None], restore: Callable[[], None],
                 weights: Callable[[], list[np.ndarray]]) -> None:
        self.name, self.run, self.restore, self.weights = name, run, restore, weights
        self.times: list[float] = []

    def time_one_epoch(self) -> float:
        self.restore()
        start = time.perf_counter()
        self.run()
        elapsed = time.perf_counter() - start
        self.times.append(elapsed)
        return elapsed


def contenders_for(widths: tuple[int, ...], batch_size: int, threads: int | None):
    batches = make_batches(batch_size)

    net = make_labnet(widths)
    loss = ln.MSELoss()
    params = [value for value, _ in net.params()]  # weight, bias, weight, bias, ... (live arrays)
    start = [value.copy() for value in params]

    def restore_labnet():
        for value, first in zip(params, start, strict=True):
            value[...] = first

    labnet = Contender("labnet", lambda: labnet_epoch(net, loss, batches, LR), restore_labnet,
                       lambda: [value.copy() for value in params])

    weights = [value.copy() for value in start[0::2]]
    biases = [value.copy() for value in start[1::2]]

    def restore_hand():
        for value, first in zip(weights + biases, start[0::2] + start[1::2], strict=True):
            value[...] = first

    def hand_weights():
        return [value.copy() for pair in zip(weights, biases, strict=True) for value in pair]

    hand = Contender("hand", lambda: hand_epoch(weights, biases, batches, LR), restore_hand,
                     hand_weights)

    if threads is None:
        return [labnet, hand]

    torch.set_num_threads(threads)
    tensors = [torch.tensor(first, requires_grad=True) for first in start]  # float64, as start
    torch_weights, torch_biases = tensors[0::2], tensors[1::2]
    torch_batches = [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in batches]

    def restore_torch():
        with torch.no_grad():
            for value, first in zip(tensors, start, strict=True):
                value.copy_(torch.from_numpy(first))

    pytorch = Contender(
        "torch", lambda: torch_epoch(torch_weights, torch_biases, torch_batches, LR),
        restore_torch, lambda: [value.detach().numpy().copy() for value in tensors])
    return [labnet, hand, pytorch]


def check_same_result(contenders: list[Contender]) -> None:
    """After one epoch from the same weights, every contender must have the same weights."""
    reference = contenders[0]
    reference.time_one_epoch()
    expected = reference.weights()
    for other in contenders[1:]:
        other.time_one_epoch()
        tolerance = TORCH_TOLERANCE if other.name == "torch" else HAND_TOLERANCE
        for a, b in zip(expected, other.weights(), strict=True):
            if not np.allclose(a, b, rtol=tolerance, atol=tolerance):
                sys.exit(f"{other.name} does not compute what {reference.name} does: "
                         f"max difference {np.max(np.abs(a - b)):.3g}")
    for contender in contenders:
        contender.times.clear()


def measure(contenders: list[Contender], budget: float, min_rounds: int, max_rounds: int) -> int:
    """Interleave the contenders, round after round, for about ``budget`` seconds.

    At least ``min_rounds`` rounds, unless they would take more than four budgets (a contender
    slowed down by a busy machine must not hold the whole run up). The order turns by one each
    round (A B C, B C A, C A B, ...): torch's worker threads keep spinning for some milliseconds
    after it returns, and would always slow down whoever came next."""
    check_same_result(contenders)  # also a warm-up round
    start = time.perf_counter()
    rounds = 0
    while rounds < max_rounds:
        turn = rounds % len(contenders)
        for contender in contenders[turn:] + contenders[:turn]:
            contender.time_one_epoch()
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed > 4 * budget or (elapsed > budget and rounds >= min_rounds):
            break
    return rounds


# -- the Trainer against the bare loop it runs ----------------------------------------------------
TRAINER_EPOCHS = 1  # a round: one epoch, its evaluation included; many short rounds
TRAINER_SETTINGS = {
    # name: keyword arguments of the Trainer
    "trainer, seed run": {"record_grad_norms": False},
    "trainer, default": {},
    "trainer, lab": {"history_limit": 2**14, "norm_every": 16},
}


def bare_loop(net: ln.Network, sets, rng: np.random.Generator, order: np.ndarray, epochs: int,
              evaluate: bool) -> np.ndarray:
    """What a Trainer does, written out with the public API, minus its checks and history.
    Returns the order of the next epoch."""
    (x, labels), (x_test, labels_test) = sets
    loss = ln.MSELoss()
    for _ in range(epochs):
        for start in range(0, len(x), 10):
            batch = order[start:start + 10]
            loss.forward(net.forward(x[batch]), labels[batch])
            net.backward(loss.backward())
            net.update_param(LR)
        if evaluate:  # what the Trainer records at an epoch's end
            ln.error_rate(net.forward(x), labels)
            output = net.forward(x_test)
            loss.forward(output, labels_test)
            ln.error_rate(output, labels_test)
        order = rng.permutation(len(x))
    return order


def trainer_contenders() -> list[Contender]:
    x, labels = ln.disk(N_POINTS, rng=0)
    sets = ((x, labels), ln.disk(N_POINTS, rng=1))
    net = ln.PRESETS["seed"](0)
    params = [value for value, _ in net.params()]
    start = [value.copy() for value in params]
    steps = TRAINER_EPOCHS * N_POINTS // 10
    made: dict[str, object] = {}

    def restore(name: str, settings: dict | None = None):
        """Before a contender's first round: the first weights, and what it needs made before
        the clock starts, a trainer, or the generator and first order of the bare loop (as a
        trainer draws it). Later rounds carry on: a trainer lives long in the lab, its history
        grows and is halved, and the epochs go on (the weights other contenders left do not
        change the arithmetic)."""
        if name in made:
            return
        for value, first in zip(params, start, strict=True):
            value[...] = first
        if settings is None:
            rng = np.random.default_rng(0)
            made[name] = (rng, rng.permutation(N_POINTS))
        else:
            made[name] = ln.Trainer(net, data=sets[0], test=sets[1], batch_size=10, lr=LR,
                                    rng=0, **settings)

    def run_bare(name: str, evaluate: bool):
        rng, order = made[name]
        made[name] = rng, bare_loop(net, sets, rng, order, TRAINER_EPOCHS, evaluate)

    def run_trainer(name: str):
        step = made[name].step
        for _ in range(steps):
            step()

    def weights():
        return [value.copy() for value in params]

    contenders = []
    for name, evaluate in (("bare", True), ("bare, no evaluation", False)):
        contenders.append(Contender(name, lambda name=name, evaluate=evaluate: run_bare(
            name, evaluate), lambda name=name: restore(name), weights))
    for name, settings in TRAINER_SETTINGS.items():
        contenders.append(Contender(
            name, lambda name=name: run_trainer(name),
            lambda name=name, settings=settings: restore(name, settings), weights))
    return contenders


def trainer_report(budget: float, min_rounds: int, max_rounds: int) -> dict[str, float]:
    """Print the Trainer's times against the bare loop's; return the ratios."""
    contenders = trainer_contenders()
    rounds = measure(contenders, budget, min_rounds, max_rounds)
    best = {c.name: min(c.times) for c in contenders}
    median = {c.name: statistics.median(c.times) for c in contenders}
    steps = TRAINER_EPOCHS * N_POINTS // 10
    print(f"\nThe Trainer against the bare loop: the seed network, batch 10, one epoch a round "
          f"(its evaluation included), {rounds} rounds; µs a step, min (median) over the rounds")
    # a busy machine slows whole stretches of rounds: the ratio within each round, where the
    # contenders ran one after the other, is steadier; its median is printed too
    bare_times = next(c.times for c in contenders if c.name == "bare")
    paired = {c.name: statistics.median(t / b for t, b in zip(c.times, bare_times, strict=True))
              for c in contenders}
    print(f"{'contender':<22} {'min':>8} {'(median)':>9} {'/ bare':>8} {'(in-round)':>10}")
    for contender in contenders:
        name = contender.name
        print(f"{name:<22} {best[name] / steps * 1e6:>8.1f} ({median[name] / steps * 1e6:>7.1f}) "
              f"{best[name] / best['bare']:>8.3f} ({paired[name]:>8.3f})")
    print("bare: shuffle, mini-batch, forward, loss, backward, update_param, and at the epoch's "
          "end the evaluation the Trainer records; / bare: of the fastest rounds, (in-round): "
          "the median over the rounds of the ratio within a round")
    ratios = {name: best[name] / best["bare"] for name in TRAINER_SETTINGS}
    for name, ratio in ratios.items():
        print(f"  {name} / bare <= 1.1: {ratio:.3f} (in-round {paired[name]:.3f})  "
              f"{'pass' if ratio <= 1.1 else 'FAIL'}")
    return ratios


# -- the report -----------------------------------------------------------------------------------
def blas_threads() -> int:
    """How many threads NumPy's BLAS uses (threadpoolctl knows; else the usual variables)."""
    try:
        from threadpoolctl import threadpool_info

        counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        if counts:
            return max(counts)
    except ImportError:
        pass
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return os.cpu_count() or 1


def torch_available() -> str | None:
    """torch's version, or None (and a line saying so) if it cannot be imported."""
    if torch is None:
        print(f"torch: not importable ({TORCH_MISSING}); the PyTorch column is skipped.")
        return None
    return torch.__version__


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # not on every system
        return "unknown"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fast, rougher run")
    parser.add_argument("--trainer", action="store_true", help="the Trainer part only")
    args = parser.parse_args(argv)
    budget, min_rounds, max_rounds = (0.3, 3, 20) if args.quick else (8.0, 15, 400)
    if args.trainer:
        print(f"load average before: {load_average()}")
        trainer_report(budget, 4 * min_rounds, 40 * max_rounds)
        print(f"load average after: {load_average()}")
        return 0

    threads = blas_threads()
    torch_version = torch_available()
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"torch {torch_version or '-'}, {threads} BLAS thread(s), {os.cpu_count()} CPU(s)")
    print(f"load average before: {load_average()} (a busy machine slows BLAS and torch threads)")
    print(f"one epoch = {N_POINTS} points of labnet.disk, MSE, SGD lr={LR}, float64; "
          f"times in ms per epoch, min (median) over the rounds\n")

    columns = ["labnet", "hand", "torch"] if torch_version else ["labnet", "hand"]
    header = f"{'network':<18} {'batch':>5} {'rounds':>6} "
    header += "".join(f"{name + ' min':>10} {'(median)':>9} " for name in columns)
    header += f"{'labnet/hand':>11}" + (f" {'labnet/torch':>12}" if torch_version else "")
    print(header)
    print("-" * len(header))

    results = {}
    for network, widths in NETWORKS.items():
        for batch_size in BATCH_SIZES:
            contenders = contenders_for(widths, batch_size, threads if torch_version else None)
            rounds = measure(contenders, budget, min_rounds, max_rounds)
            best = {c.name: min(c.times) for c in contenders}
            median = {c.name: statistics.median(c.times) for c in contenders}
            results[network, batch_size] = best
            line = f"{network:<18} {batch_size:>5} {rounds:>6} "
            line += "".join(f"{ms(best[name]):>10} ({ms(median[name]).strip():>7}) "
                            for name in columns)
            line += f"{best['labnet'] / best['hand']:>11.3f}"
            if torch_version:
                line += f" {best['labnet'] / best['torch']:>12.3f}"
            print(line, flush=True)

    print(f"load average after: {load_average()}")
    print("\nTargets on the seed network:")
    seed = next(iter(NETWORKS))
    for batch_size in BATCH_SIZES:
        if batch_size >= 10:
            ratio = results[seed, batch_size]["labnet"] / results[seed, batch_size]["hand"]
            verdict = "pass" if ratio <= 1.15 else "FAIL"
            print(f"  labnet/hand  <= 1.15 at batch {batch_size:>4}: {ratio:.3f}  {verdict}")
    for batch_size in BATCH_SIZES:
        if batch_size <= 100:
            if not torch_version:
                print(f"  labnet faster than torch at batch {batch_size:>4}: skipped (no torch)")
                continue
            ratio = results[seed, batch_size]["labnet"] / results[seed, batch_size]["torch"]
            verdict = "pass" if ratio < 1.0 else "FAIL"
            print(f"  labnet/torch <  1    at batch {batch_size:>4}: {ratio:.3f}  {verdict}")
    trainer_report(budget, 4 * min_rounds, 40 * max_rounds)
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
