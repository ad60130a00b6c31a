"""How fast the lab draws, and how much training it costs to watch.

    python benchmarks/bench_lab.py [--seconds 3] [--rounds 3]

1. Redraws per second of the full lab (the default network, a 100×100 boundary grid): one
   training step, then every view redrawn (boundary, curves, gradient norms, graph) and the
   status line, again and again. Target: ≥ 20.
2. Training steps per second while the lab plays (its asyncio loop, drawing frames between
   slices of training), against the same training without the lab (the same model, trained in
   the same slices, nothing drawn), measured in turns in one process. Target: ratio ≥ 0.8.

There is no browser here: a picture "shown" is the bytes given to its Image widget. The browser
side (frames the page shows per second) is measured by tests/browser.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from labnet.lab import Lab, LabModel
from labnet.lab.lab import TRAIN_SLICE


def redraws_per_second(lab: Lab, seconds: float) -> float:
    """Step, redraw every view, repeat; return full redraws per second."""
    view = lab.view
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        lab.model.step(1)
        view._dirty.update(("boundary", "curves", "gradients", "graph"))
        view.refresh()
        count += 1
    return count / (time.perf_counter() - start)


def steps_while_playing(lab: Lab, seconds: float) -> tuple[float, float]:
    """Play for ``seconds``; return (training steps per second, frames per second)."""
    async def play():
        steps, frames = lab.model.trainer.steps, lab.frames_drawn
        start = time.perf_counter()
        task = lab.play()
        await asyncio.sleep(seconds)
        lab.pause()
        elapsed = time.perf_counter() - start
        await task
        return ((lab.model.trainer.steps - steps) / elapsed,
                (lab.frames_drawn - frames) / elapsed)

    return asyncio.run(play())


def steps_without_lab(model: LabModel, seconds: float) -> float:
    """The same training, in the same slices, with nothing watching."""
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += model.train_for(TRAIN_SLICE)
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measure")
    parser.add_argument("--rounds", type=int, default=3, help="measures of each kind, in turns")
    args = parser.parse_args()

    lab = Lab()  # the default: the seed network, 100×100 boundary grid
    lab.model.step(500)  # past the first epochs, where the axes still grow
    bare = LabModel()
    bare.step(500)
    redraws, playing, frames, without = [], [], [], []
    for _ in range(args.rounds):
        redraws.append(redraws_per_second(lab, args.seconds))
        steps, fps = steps_while_playing(lab, args.seconds)
        playing.append(steps)
        frames.append(fps)
        without.append(steps_without_lab(bare, args.seconds))

    def median(values):
        return statistics.median(values)

    ratio = median(playing) / median(without)
    print(f"full-lab redraws per second    {median(redraws):8.1f}   "
          f"(rounds: {', '.join(f'{v:.1f}' for v in redraws)})  target ≥ 20: "
          f"{'pass' if median(redraws) >= 20 else 'FAIL'}")
    print(f"steps/s while playing          {median(playing):8.0f}   "
          f"frames drawn per second {median(frames):.1f}")
    print(f"steps/s without the lab        {median(without):8.0f}")
    print(f"ratio playing / without        {ratio:8.2f}   target ≥ 0.8: "
          f"{'pass' if ratio >= 0.8 else 'FAIL'}")


if __name__ == "__main__":
    main()
