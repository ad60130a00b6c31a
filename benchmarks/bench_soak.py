"""A lab left playing through a lecture, and far longer: does it stay right, and as fast?

    python benchmarks/bench_soak.py [--steps 10000000] [--every 1000000]

Plays a small network (2-4-2, batch 1, on 200 points: the fastest steps the lab takes) through
its real play loop, with a simulated page that paints each frame at once, until ``--steps``
steps. Every ``--every`` steps it checks, and prints:

- the curves' last x (``history.step_ends()[-1]``, and the last x the page was sent) equals the
  step count; the history holds at most its limit of entries a series;
- the time one frame costs (boundary, thumbnails, curves) is as at the start (flat: the history's
  length does not grow past its limit, so neither does the work of sending it);
- the status holds numbers JSON can carry, and nothing went wrong (no internal error).

Ten million steps take some minutes here. Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time

import numpy as np

from labnet.lab import Lab, streams
from labnet.lab.state import HISTORY_LIMIT


def small_lab() -> Lab:
    lab = Lab(preset=None, seed=0)
    first = lab.add("Linear", width=4)
    relu = lab.add("ReLU")
    out = lab.add("Linear", width=2)
    for src, dst in ((0, first), (first, relu), (relu, out)):
        lab.connect(src, dst)
    lab.set_data(dataset="xor", n_points=200)
    lab.set_training(batch_size=1, lr=0.03)
    return lab


def frame_cost(lab: Lab) -> float:
    """Milliseconds to make one boundary frame, one set of thumbnails and the curves' news."""
    widget = lab.widget
    start = time.perf_counter()
    for _ in range(20):
        streams.boundary(widget.pictures, widget.play_grid, 0)
        streams.thumbs(lab.state, lab.display, widget.pictures, 24, 0)
        lab.widget.curves.message(lab.state.trainer)
    return (time.perf_counter() - start) / 20 * 1000


def checks(lab: Lab, last_sent_x: float) -> list[str]:
    history, trainer = lab.history, lab.state.trainer
    problems = []
    ends = history.step_ends()
    if ends[-1] != trainer.steps:
        problems.append(f"the curves end at x = {ends[-1]}, after {trainer.steps} steps")
    if last_sent_x != trainer.steps:
        problems.append(f"the page was sent x = {last_sent_x} last, after {trainer.steps} steps")
    for name, series in (("step_loss", history.step_loss), ("epoch_step", history.epoch_step),
                         *((f"grad_norms[{n}]", v) for n, v in history.grad_norms.items())):
        if len(series) > HISTORY_LIMIT:
            problems.append(f"{name} holds {len(series)} entries, more than {HISTORY_LIMIT}")
    for name, value in lab.widget.status.items():
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"the status's {name} is {value}")
    if lab.last_traceback:
        problems.append(f"an internal error: {lab.last_traceback}")
    return problems


async def soak(lab: Lab, steps: int, every: int) -> int:
    widget, sent = lab.widget, {"x": 0.0}

    def page(content, buffers=None):  # paints at once, and remembers the curves' last x
        if content["type"] in ("boundary", "thumbs"):
            widget._on_message(widget, {"type": "painted",
                                        "frames": {content["type"]: content["frame"]}}, [])
        if content["type"] == "curves":
            for part, buffer in zip(content["series"], buffers, strict=True):
                if part["name"] == "step" and part["length"]:
                    sent["x"] = float(np.frombuffer(buffer, dtype=np.float64)[-1])
    widget.send = page
    first_cost = frame_cost(lab)
    print(f"{'steps':>12} {'steps/s':>9} {'frame ms':>9} {'entries':>8} {'stride':>7}  checks")
    print(f"{0:>12,} {'':>9} {first_cost:9.2f}")
    failures, start, mark = 0, time.perf_counter(), every
    lab.play()
    while lab.state.trainer.steps < steps:
        await asyncio.sleep(0.2)
        if not lab.playing:
            print(f"stopped playing: {lab.widget.message.get('text')}")
            return 1
        if lab.state.trainer.steps >= mark:
            lab.pause()
            await asyncio.sleep(0.05)
            lab.widget.flush()
            done = lab.state.trainer.steps
            cost = frame_cost(lab)
            problems = checks(lab, sent["x"])
            if cost > 3 * first_cost + 0.5:
                problems.append(f"a frame costs {cost:.2f} ms, {first_cost:.2f} ms at first")
            failures += bool(problems)
            rate = done / (time.perf_counter() - start)
            print(f"{done:>12,} {rate:9,.0f} {cost:9.2f} {len(lab.history.step_loss):8} "
                  f"{lab.history.stride:7}  {'; '.join(problems) or 'ok'}", flush=True)
            mark += every
            lab.play()
    lab.pause()
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000_000)
    parser.add_argument("--every", type=int, default=1_000_000)
    args = parser.parse_args()
    sys.exit(asyncio.run(soak(small_lab(), args.steps, args.every)))


if __name__ == "__main__":
    main()
