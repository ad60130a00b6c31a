"""``python -m labnet seed``, run as a user runs it: in a subprocess."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EPOCH_LINE = re.compile(r"^epoch +\d+ +loss \d+\.\d+ +train error +[\d.]+ % +test error +[\d.]+ %$",
                        re.MULTILINE)
FINAL_LINE = re.compile(r"^final train error ([\d.]+) %, test error ([\d.]+) %", re.MULTILINE)


def labnet(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labnet", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_seed_prints_the_loss_of_every_epoch_then_the_final_errors():
    done = labnet("seed", "--epochs", "3")
    assert done.returncode == 0, done.stderr
    assert len(EPOCH_LINE.findall(done.stdout)) == 3
    train, test = map(float, FINAL_LINE.search(done.stdout).groups())
    assert 0 <= train < 50 and 0 <= test < 50


def test_seed_is_deterministic_for_a_seed():
    first, second = labnet("seed", "--epochs", "2", "--seed", "4"), labnet(
        "seed", "--epochs", "2", "--seed", "4")
    strip_time = re.compile(r"\(seed 4, .* s\)")
    assert strip_time.sub("", first.stdout) == strip_time.sub("", second.stdout)


def test_log_every_thins_out_the_epoch_lines():
    done = labnet("seed", "--epochs", "4", "--log-every", "2")
    assert done.returncode == 0, done.stderr
    assert [int(line.split()[1]) for line in EPOCH_LINE.findall(done.stdout)] == [2, 4]


def test_runs_prints_each_run_and_mean_and_std():
    done = labnet("seed", "--epochs", "2", "--runs", "2", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^seed +3 .*test error", done.stdout, re.MULTILINE)
    assert re.search(r"^seed +4 .*test error", done.stdout, re.MULTILINE)
    assert re.search(r"2 runs .*test error [\d.]+ ± [\d.]+ %", done.stdout)


def test_graph_figure1_trains_the_figure1_network():
    done = labnet("seed", "--graph", "figure1", "--epochs", "2")
    assert done.returncode == 0, done.stderr
    assert "figure1" in done.stdout.splitlines()[0]
    assert FINAL_LINE.search(done.stdout)


def test_plot_writes_a_png(tmp_path):
    path = tmp_path / "seed.png"
    done = labnet("seed", "--epochs", "2", "--plot", str(path))
    assert done.returncode == 0, done.stderr
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(path) in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--graph", "ring"], "invalid choice: 'ring'"),
    (["--lr", "-1"], "expected a learning rate: a finite number >= 0"),
    (["--epochs", "zero"], "expected a positive integer"),
    (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
    (["--plot", "no/such/folder/seed.png"], "does not exist"),
    (["--plot", "seed.jpg"], "ending in .png"),
    (["--warmup", "500"], "warmup must be between 0 and epochs"),
])
def test_a_bad_value_exits_with_a_message_not_a_traceback(args, message):
    done = labnet("seed", *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_diverging_run_exits_with_a_message_not_a_traceback():
    done = labnet("seed", "--epochs", "1", "--lr", "1e6", "--warmup", "0")
    assert done.returncode == 1
    assert "error:" in done.stderr and "smaller --lr" in done.stderr
    assert "RuntimeWarning" not in done.stderr
    assert "Traceback" not in done.stderr


def test_no_command_prints_usage():
    done = labnet()
    assert done.returncode == 2
    assert "usage: labnet" in done.stderr
