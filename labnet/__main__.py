"""The command line: ``python -m labnet seed [flags]`` (or ``labnet seed``).

    python -m labnet seed                      # one run: the loss per epoch, then the errors
    python -m labnet seed --runs 10            # seeds 0..9: each run's errors, then mean ± std
    python -m labnet seed --graph figure1 --plot seed.png
    python -m labnet seed --loss cross-entropy --optimizer adam --lr 0.01

Subcommands live in ``COMMANDS``; each one adds its flags to its own parser.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

import numpy as np

from labnet.errors import (
    DivergedError,
    LabnetError,
    check_lr,
    check_number,
    check_positive_int,
)


def number_type(kind: type, words: str, check):
    """An argparse ``type``: the text read as ``kind``, then given to ``check`` (one of the checks
    of ``labnet.errors``); refused, saying it must be ``words``, if either says no."""
    def parse(text: str):
        try:
            return check(kind(text))
        except ValueError:  # int("x"), and every check's InputError
            raise argparse.ArgumentTypeError(f"expected {words}, got {text!r}") from None

    return parse


positive_int = number_type(int, "a positive integer", lambda value: check_positive_int(value, ""))
non_negative_int = number_type(int, "an integer >= 0",
                               lambda value: int(check_number(value, "", low=0)))
learning_rate = number_type(float, "a learning rate: a finite number >= 0", check_lr)
non_negative_float = number_type(float, "a number >= 0",
                                 lambda value: check_number(value, "", low=0))


def png_path(text: str) -> str:
    folder = os.path.dirname(os.path.abspath(text))
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"the plot is saved as PNG: give a file ending in .png, "
                                         f"got {text!r}")
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"folder {folder!r} does not exist")
    return text


# -- labnet seed --------------------------------------------------------------------------------
def add_seed_parser(subparsers) -> None:
    from labnet.experiment import GRAPHS, SCHEDULES, Config
    from labnet.losses import LOSSES
    from labnet.optim import OPTIMIZERS

    default = Config()
    parser = subparsers.add_parser(
        "seed",
        help="the seed experiment: learn the disk, print the loss and the errors",
        description="The seed experiment: 1,000 training and 1,000 test points in [0, 1]², label "
                    "1 inside the disk of area 1/2 around (0.5, 0.5); train a network, log the "
                    "loss per epoch, print the final train and test error. The defaults are the "
                    "seed's recipe (MSE, plain SGD, batch 10, 100 epochs) with a learning rate "
                    "that warms up over the first epoch then decays to 0 on a cosine, and "
                    "standardised inputs.",
    )
    add = parser.add_argument
    add("--graph", choices=list(GRAPHS), default=default.graph,
        help="chain: 2-25-25-25-2 with ReLU; figure1: the report's Figure 1, with a skip "
             "branch into a Sum (default: %(default)s)")
    add("--loss", choices=list(LOSSES), default=default.loss,
        help="mse on one-hot targets (the seed's) or softmax cross-entropy "
             "(default: %(default)s)")
    add("--optimizer", choices=list(OPTIMIZERS), default=default.optimizer,
        help="sgd: the seed's plain step; momentum: SGD with momentum 0.9; adam "
             "(default: %(default)s)")
    add("--lr", type=learning_rate, default=default.lr,
        help="the peak learning rate (default: %(default)s)")
    add("--batch-size", type=positive_int, default=default.batch_size, metavar="N",
        help="points per mini-batch (default: %(default)s)")
    add("--epochs", type=positive_int, default=default.epochs, metavar="N",
        help="passes over the training set (default: %(default)s)")
    add("--schedule", choices=SCHEDULES, default=default.schedule,
        help="cosine: the learning rate decays to 0 over the run; constant: it does not "
             "(default: %(default)s)")
    add("--warmup", type=non_negative_float, default=default.warmup, metavar="EPOCHS",
        help="epochs over which the learning rate rises from lr/10 to lr at the start, "
             "0 for none (default: %(default)s)")
    add("--no-standardize", dest="standardize", action="store_false",
        help="feed the raw inputs instead of scaling them with the training set's mean and std")
    add("--seed", type=int, default=default.seed,
        help="seed of the data, the weights and the batch order (default: %(default)s)")
    add("--runs", type=positive_int, default=1, metavar="N",
        help="repeat with seeds seed, seed+1, ..., seed+N-1; print each run's errors, then "
             "mean ± std")
    add("--log-every", type=non_negative_int, default=1, metavar="K",
        help="in a single run, print the loss every K epochs, 0 for never (default: %(default)s)")
    add("--plot", type=png_path, metavar="FILE.png",
        help="save the decision boundary, the loss and the error curves of the first run")
    parser.set_defaults(command=seed_command)


def seed_command(args: argparse.Namespace) -> None:
    from labnet.experiment import Config, describe, plot_run, run, run_many

    config = Config(graph=args.graph, loss=args.loss, optimizer=args.optimizer, lr=args.lr,
                    batch_size=args.batch_size, epochs=args.epochs, schedule=args.schedule,
                    warmup=args.warmup, standardize=args.standardize, seed=args.seed).check()
    print(f"seed experiment: {describe(config)}")
    start = time.perf_counter()

    if args.runs == 1:
        def log(trainer):
            history = trainer.history
            epoch = trainer.epochs
            if args.log_every and (epoch % args.log_every == 0 or epoch == config.epochs):
                print(f"epoch {epoch:{len(str(config.epochs))}d}  "
                      f"loss {history.epoch_loss[-1]:.5f}  "
                      f"train error {100 * history.train_error[-1]:5.2f} %  "
                      f"test error {100 * history.test_error[-1]:5.2f} %", flush=True)

        results = [run(config, log=log)]
        result = results[0]
        print(f"final train error {100 * result.train_error:.2f} %, "
              f"test error {100 * result.test_error:.2f} %  "
              f"(seed {config.seed}, {time.perf_counter() - start:.1f} s)")
    else:
        def report(result):
            print(f"seed {result.config.seed:3d}  final loss {result.history.epoch_loss[-1]:.5f}"
                  f"  train error {100 * result.train_error:5.2f} %"
                  f"  test error {100 * result.test_error:5.2f} %", flush=True)

        results = run_many(config, args.runs, on_result=report)
        train = 100 * np.array([r.train_error for r in results])
        test = 100 * np.array([r.test_error for r in results])
        print(f"{args.runs} runs ({time.perf_counter() - start:.1f} s): "
              f"train error {train.mean():.2f} ± {train.std(ddof=1):.2f} %, "
              f"test error {test.mean():.2f} ± {test.std(ddof=1):.2f} % (mean ± std)")

    if args.plot:
        plot_run(results[0], args.plot)
        print(f"plot saved to {args.plot}")


COMMANDS = {"seed": add_seed_parser}


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labnet", description="labnet from the command line.")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in COMMANDS.values():
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    name = args.command.__name__.removesuffix("_command")
    try:
        # Overflow is reported as a DivergedError by the trainer: no need for NumPy's warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            args.command(args)
    except DivergedError as error:
        parser.exit(1, f"labnet {name}: error: {error}\n"
                       f"The training diverged: try a smaller --lr (or a longer --warmup).\n")
    except LabnetError as error:  # a setting that only shows its fault once training runs
        parser.exit(1, f"labnet {name}: error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, "interrupted\n")
    except BrokenPipeError:  # e.g. `labnet seed | head`: stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
