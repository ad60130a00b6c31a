"""The seed experiment: learn the disk with a 2-25-25-25-2 network, then count the errors.

>>> from labnet.experiment import Config, run
>>> result = run(Config(seed=0))                  # 100 epochs, the default recipe
>>> result.train_error, result.test_error

The seed's set-up: 1,000 training and 1,000 test points uniform in [0, 1]², label 1 inside the
disk of radius 1/√(2π) around (0.5, 0.5). The default recipe is the seed's own (MSE on one-hot
targets, plain SGD, batch 10, ReLU, He initialisation) with changes that cost nothing: the
learning rate warms up over the first epoch (from a tenth of its peak: an unlucky initialisation
otherwise blows up in the first steps), then decays to 0 on a cosine over the run (the last steps
settle instead of jumping around the minimum), and the inputs are standardised with the training
set's mean and standard deviation. Every random choice comes from one Generator seeded with
``Config.seed``, so a seed gives the same numbers every time.

The command line (``python -m labnet seed``) is a thin layer over ``run`` and ``plot_run``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from labnet.data import disk
from labnet.errors import InputError, check_lr, check_number, check_positive_int
from labnet.history import History
from labnet.losses import LOSSES
from labnet.network import Network
from labnet.optim import OPTIMIZERS
from labnet.presets import figure1, seed_chain
from labnet.schedule import LRSchedule
from labnet.training import Callback, Trainer

Array = np.ndarray

GRAPHS: dict[str, Callable[[np.random.Generator], Network]] = {
    "chain": seed_chain,  # 2-25-25-25-2, ReLU, He initialisation
    "figure1": figure1,  # the report's Figure 1: a skip branch into a Sum
}
"""The networks the experiment can train, by name."""

SCHEDULES = ("cosine", "constant")


@dataclass
class Config:
    """Everything that decides a run. The defaults are the recipe ``python -m labnet seed`` uses."""

    graph: str = "chain"
    loss: str = "mse"
    optimizer: str = "sgd"  # "sgd" is the seed's plain step, net.update_param(lr)
    lr: float = 0.1
    batch_size: int = 10
    epochs: int = 100
    schedule: str = "cosine"  # "cosine": lr decays to 0 over the run; "constant": it does not
    warmup: float = 1.0  # epochs over which lr rises from lr/10 to lr at the start (0: none)
    standardize: bool = True  # inputs scaled with the training set's mean and std
    seed: int = 0
    n_train: int = 1000
    n_test: int = 1000

    def check(self) -> Config:
        """Return self, or raise ``InputError`` naming the first setting that is wrong."""
        choices = {"graph": GRAPHS, "loss": LOSSES, "optimizer": OPTIMIZERS,
                   "schedule": SCHEDULES}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise InputError(f"{name} must be one of {', '.join(allowed)}; "
                                 f"got {getattr(self, name)!r}")
        for name in ("batch_size", "epochs", "n_train", "n_test"):
            check_positive_int(getattr(self, name), name)
        check_lr(self.lr, "lr")
        try:
            check_number(self.warmup, "warmup", low=0, high=self.epochs)
        except InputError:
            raise InputError(f"warmup must be between 0 and epochs ({self.epochs}), "
                             f"got {self.warmup!r}") from None
        return self


@dataclass
class Result:
    """What one run produced: the final errors, the trained network, its data and its history."""

    config: Config
    train_error: float
    test_error: float
    net: Network
    history: History
    x_train: Array
    labels_train: Array
    x_test: Array
    labels_test: Array
    mean: Array = field(default_factory=lambda: np.zeros(2))
    std: Array = field(default_factory=lambda: np.ones(2))
    """The input scaling the network was trained with: it sees ``(x - mean) / std``."""

    def predict(self, x: Array) -> Array:
        """Class labels for points ``x`` of shape ``(n, 2)``, in the data's own coordinates."""
        return self.net.predict((x - self.mean) / self.std)


class EpochLog(Callback):
    """Calls ``log(trainer)`` at the end of every epoch."""

    def __init__(self, log: Callable[[Trainer], None]) -> None:
        self.log = log

    def on_epoch_end(self, trainer: Trainer) -> None:
        self.log(trainer)


def make_data(config: Config, rng: np.random.Generator) -> tuple[Array, Array, Array, Array]:
    """The seed's data: a training set, then a test set, drawn one after the other from ``rng``."""
    x_train, labels_train = disk(config.n_train, rng=rng)
    x_test, labels_test = disk(config.n_test, rng=rng)
    return x_train, labels_train, x_test, labels_test


def run(config: Config | None = None, log: Callable[[Trainer], None] | None = None) -> Result:
    """Train one network as ``config`` says; ``log(trainer)`` is called after every epoch."""
    config = (config or Config()).check()
    rng = np.random.default_rng(config.seed)  # data, then weights, then mini-batch order
    x_train, labels_train, x_test, labels_test = make_data(config, rng)

    mean, std = np.zeros(2), np.ones(2)
    if config.standardize:  # the training set's statistics, applied to both sets
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)

    net = GRAPHS[config.graph](rng)
    schedule = LRSchedule(config.epochs, config.schedule, lr=config.lr, warmup=config.warmup)
    callbacks: list[Callback] = [schedule]
    if log is not None:
        callbacks.append(EpochLog(log))
    trainer = Trainer(
        net,
        config.loss,
        None if config.optimizer == "sgd" else config.optimizer,
        data=((x_train - mean) / std, labels_train),
        test=((x_test - mean) / std, labels_test),
        batch_size=config.batch_size,
        lr=schedule.lr_at(0.0),
        rng=rng,
        record_grad_norms=False,
        callbacks=callbacks,
    )
    history = trainer.fit(config.epochs)
    return Result(config, history.train_error[-1], history.test_error[-1], net, history,
                  x_train, labels_train, x_test, labels_test, mean, std)


def run_many(config: Config, runs: int,
             on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """``run`` with seeds ``config.seed``, ``config.seed + 1``, ...; ``on_result`` sees each."""
    results = []
    for i in range(runs):
        result = run(replace(config, seed=config.seed + i))
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results


def describe(config: Config) -> str:
    """The recipe in one line: ``chain, mse, sgd, lr 0.1 (cosine, 1-epoch warm-up), ...``."""
    warmup = f", {config.warmup:g}-epoch warm-up" if config.warmup else ""
    scaled = "standardised" if config.standardize else "raw inputs"
    return (f"{config.graph}, {config.loss}, {config.optimizer}, lr {config.lr:g} "
            f"({config.schedule}{warmup}), batch {config.batch_size}, {config.epochs} epochs, "
            f"{scaled}")


# -- plotting (matplotlib is imported only here) --------------------------------------------------
CLASS_COLOURS = ("#d95f02", "#1b9e77")  # class 0 (outside the disk), class 1 (inside)


def draw_decision_boundary(ax, predict: Callable[[Array], Array], x_train: Array,
                           labels_train: Array, x_test: Array | None = None,
                           labels_test: Array | None = None, resolution: int = 200) -> None:
    """Shade the plane [0, 1]² by predicted class and draw the points on top.

    Training points are dots, test points crosses; a test point the network gets wrong is ringed
    in black. The true disk's border is dashed.
    """
    grid = np.linspace(0.0, 1.0, resolution)
    g1, g2 = np.meshgrid(grid, grid)
    classes = predict(np.column_stack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
    ax.contourf(g1, g2, classes, levels=[-0.5, 0.5, 1.5], colors=CLASS_COLOURS, alpha=0.25)
    ax.contour(g1, g2, classes, levels=[0.5], colors="k", linewidths=1.2)
    for label, colour in enumerate(CLASS_COLOURS):
        inside = labels_train == label
        ax.scatter(*x_train[inside].T, s=7, color=colour, alpha=0.7, linewidths=0,
                   label=f"train, class {label}")
    if x_test is not None:
        for label, colour in enumerate(CLASS_COLOURS):
            inside = labels_test == label
            ax.scatter(*x_test[inside].T, s=9, color=colour, marker="x", linewidths=0.7,
                       alpha=0.7, label=f"test, class {label}")
        wrong = predict(x_test) != labels_test
        ax.scatter(*x_test[wrong].T, s=50, facecolors="none", edgecolors="k", linewidths=1.0,
                   label=f"test, misclassified ({wrong.sum()})")
    angle = np.linspace(0.0, 2.0 * np.pi, 200)
    radius = 1.0 / np.sqrt(2.0 * np.pi)
    ax.plot(0.5 + radius * np.cos(angle), 0.5 + radius * np.sin(angle), "k--", linewidth=0.8,
            label="true border")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")


def draw_loss_curve(ax, history: History) -> None:
    """Training loss (mean over each epoch's mini-batches) and test loss, per epoch, log scale."""
    epochs = np.arange(1, len(history.epoch_loss) + 1)
    ax.plot(epochs, history.epoch_loss, label="train loss (mean over the epoch)")
    if history.test_loss:
        ax.plot(epochs, history.test_loss, label="test loss (end of epoch)")
    ax.set(yscale="log", xlabel="epoch", ylabel="loss")
    ax.grid(True, which="both", alpha=0.3)


def draw_error_curve(ax, history: History) -> None:
    """Train and test error rate, in percent, per epoch."""
    epochs = np.arange(1, len(history.train_error) + 1)
    train, test = 100 * np.asarray(history.train_error), 100 * np.asarray(history.test_error)
    ax.plot(epochs, train, label=f"train error (last {train[-1]:.1f} %)")
    if len(test):
        ax.plot(epochs, test, label=f"test error (last {test[-1]:.1f} %)")
    ax.set(xlabel="epoch", ylabel="error (%)", ylim=(0, None))
    ax.grid(True, alpha=0.3)


def plot_run(result: Result, path: str | None = None):
    """A figure with the decision boundary, the loss curve and the error curve of one run.

    Saved to ``path`` (PNG, with matplotlib's Agg backend) if given; the figure is returned.
    """
    from matplotlib.figure import Figure  # a Figure of its own: no pyplot, no global state

    figure = Figure(figsize=(16, 5.2), layout="constrained")
    boundary, loss, error = figure.subplots(1, 3, width_ratios=[1.3, 1, 1])
    draw_decision_boundary(boundary, result.predict, result.x_train, result.labels_train,
                           result.x_test, result.labels_test)
    boundary.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, markerscale=1.5)
    boundary.set_title("decision boundary")
    draw_loss_curve(loss, result.history)
    loss.legend(fontsize=9)
    loss.set_title(f"loss ({result.config.loss})")
    draw_error_curve(error, result.history)
    error.legend(fontsize=9)
    error.set_title("error rate")
    figure.suptitle(f"seed experiment, seed {result.config.seed}: "
                    f"train error {100 * result.train_error:.1f} %, "
                    f"test error {100 * result.test_error:.1f} %\n{describe(result.config)}")
    if path is not None:
        figure.savefig(path, dpi=100)
    return figure
