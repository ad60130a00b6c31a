"""What watching costs: training steps per second while the lab plays, against the same training
without the lab, in one process, rounds interleaved.

    python benchmarks/bench_lab.py [--seconds 3] [--rounds 3] [--points 2000]

- **without the lab**: a ``Trainer`` with the lab's network, data and settings (the default lab:
  the seed network on 2,000 disk points, MSE, plain SGD, lr 0.1, batch 10, the history bounded
  and the norms measured every 16 steps, as the lab's trainer does), stepping in a loop,
  evaluating at each epoch's end as a Trainer does (the lab does it too, in slices).
- **with the lab**: the same lab playing (its asyncio loop: slices of training, the scores in
  slices, frames sent), with a simulated page that paints each frame ``--paint-ms`` after it is
  sent and then says so, as the browser does.

Printed: steps/s of each and their ratio (target ≥ 0.9), boundary frames, thumbnails and curves
sent per second (targets ≥ 50, ≥ 10, ≥ 10), the cost of one frame of each kind, and how long
Pause takes to stop training (target ≤ 50 ms), worst of the rounds. The browser's own figures
(frames painted per second) come from tests/browser.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import threading
import time
import timeit

import numpy as np

from labnet.lab import Lab, streams
from labnet.lab.blas import single_blas_thread
from labnet.lab.state import HISTORY_LIMIT, NORM_EVERY
from labnet.training import Trainer


def simulated_page(lab: Lab, paint_ms: float, loop: asyncio.AbstractEventLoop) -> dict:
    """Answer each frame the widget sends ``paint_ms`` later, as a page painting it would;
    count the messages by type."""
    widget, counts = lab.widget, {}

    def page(content, buffers=None):
        kind = content["type"]
        counts[kind] = counts.get(kind, 0) + 1
        if kind in ("boundary", "thumbs"):
            message = {"type": "painted", "frames": {kind: content["frame"]}}
            loop.call_later(paint_ms / 1000, widget._on_message, widget, message, [])
    widget.send = page
    return counts


async def click_pause(lab: Lab, task: asyncio.Task) -> tuple[float, float]:
    """Click Pause as a page does: the intent comes on another thread (ipykernel 7 delivers it
    on one while the kernel trains), at a moment of its own. Returns the milliseconds from the
    click to the end of the last step the kernel took (0 if it took none after the click), and
    to the end of the play loop's turn."""
    widget, clicked = lab.widget, {}

    def click():
        time.sleep(random.uniform(0.05, 0.15))  # (while the loop goes on: mid-turn, as a click)
        clicked["at"] = time.time()
        widget._on_message(widget, {"type": "intent", "action": "toggle_play", "args": {},
                                    "id": "bench:1"}, [])
    clicker = threading.Thread(target=click)
    clicker.start()
    while not task.done():
        await asyncio.sleep(0.0005)
    ended = time.time()
    clicker.join()
    last_step = lab.player.last_step_at
    return 1000 * max(last_step - clicked["at"], 0.0), 1000 * (ended - clicked["at"])


def with_the_lab(points: int, seconds: float, paint_ms: float) -> dict:
    lab = Lab()
    lab.set_data(n_points=points)

    async def play():
        counts = simulated_page(lab, paint_ms, asyncio.get_running_loop())
        task = lab.play()
        await asyncio.sleep(0.5)  # settle
        counts.clear()
        steps, start = lab.state.trainer.steps, time.perf_counter()
        await asyncio.sleep(seconds)
        elapsed = time.perf_counter() - start
        done = lab.state.trainer.steps - steps
        stopped, ended = await click_pause(lab, task)
        return {"steps/s": done / elapsed,
                **{f"{k}/s": counts.get(k, 0) / elapsed for k in ("boundary", "thumbs",
                                                                   "curves")},
                "pause ms": stopped, "pause turn ms": ended,
                "play grid": lab.widget.play_grid}
    return asyncio.run(play())


def without_the_lab(points: int, seconds: float) -> float:
    lab = Lab()
    lab.set_data(n_points=points)
    state = lab.state
    train, test = state.data.network_sets()
    trainer = Trainer(state.network, "mse", None, data=train, test=test, batch_size=10,
                      lr=0.1, rng=0, history_limit=HISTORY_LIMIT, norm_every=NORM_EVERY)
    steps, start = 0, time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"), single_blas_thread():
        while time.perf_counter() - start < seconds:
            for _ in range(50):
                trainer.step()
            steps += 50
    return steps / (time.perf_counter() - start)


def frame_costs() -> dict:
    lab = Lab()
    lab.step(50)
    widget = lab.widget
    with single_blas_thread():
        costs = {
            f"boundary {n}×{n}": timeit.timeit(lambda n=n: widget.pictures.boundary(n),
                                              number=200) / 200
            for n in (32, 48, 64, 100)}
        costs["thumbs"] = timeit.timeit(
            lambda: streams.thumbs(lab.state, lab.display, widget.pictures, 24, 1),
            number=200) / 200
        curves = streams.Curves()
        costs["curves (all)"] = timeit.timeit(
            lambda: (curves.reset(), curves.message(lab.state.trainer)), number=50) / 50
    return {name: 1000 * cost for name, cost in costs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--paint-ms", type=float, default=5.0)
    args = parser.parse_args()

    print("cost of one frame, ms:")
    for name, cost in frame_costs().items():
        print(f"  {name:<18} {cost:6.2f}")
    bare, played = [], []
    for _ in range(args.rounds):  # interleaved, so both see the same machine
        bare.append(without_the_lab(args.points, args.seconds))
        played.append(with_the_lab(args.points, args.seconds, args.paint_ms))
    ratios = [p["steps/s"] / b for p, b in zip(played, bare, strict=True)]
    print(f"\n{args.points} points, {args.rounds} rounds of {args.seconds:g} s:")
    print(f"  steps/s without the lab   {statistics.median(bare):9,.0f}")
    print(f"  steps/s while playing     {statistics.median(p['steps/s'] for p in played):9,.0f}")
    print(f"  ratio (target ≥ 0.9)      {statistics.median(ratios):9.2f}   "
          f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    for kind, target in (("boundary", 50), ("thumbs", 10), ("curves", 10)):
        rate = statistics.median(p[f"{kind}/s"] for p in played)
        print(f"  {kind + ' frames/s':<25} {rate:9.1f}   (target ≥ {target})")
    print(f"  Pause: the last step ends {max(p['pause ms'] for p in played):7.1f} ms after the "
          f"click (worst; target ≤ 50), the play loop's turn "
          f"{max(p['pause turn ms'] for p in played):.1f} ms after")
    print(f"  boundary grid while playing: {played[-1]['play grid']}")


if __name__ == "__main__":
    main()
