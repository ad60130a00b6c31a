"""How many students one machine serves: N labs playing at once in the Voilà app.

    python benchmarks/bench_classroom.py [--pages 1,2,4,8,16] [--seconds 6] [--max-seconds 900]
                                         [--max-steps-per-second N] [--json results.json]

Starts the Voilà app as ``make app`` does (the same config, ``deploy/jupyter``, on a free
127.0.0.1 port, with its own Jupyter folders in a temporary directory), then for each N opens N
pages in one headless Chromium (one browser context each: N visitors, so N kernels), lets every
lab load, measures the idle kernels, presses Play on every page, measures for ``--seconds``,
presses Pause on every page and times it, closes the pages and checks that their kernels go.

Per page (read in the page, on its own clock):
  - frames/s painted: the increase of the lab root's ``data-paints`` attribute (the front end
    counts its boundary paints there); on a front end without it, new ``src`` of the boundary
    image (``img.lab-boundary``), counted by a MutationObserver;
  - training steps/s: the ``step N`` of the status line (``.lab-status``);
  - Pause latency: from the click on ``.lab-play`` to the last change of the step shown, and to
    the status saying ``paused``.
Per kernel (the Voilà server's children, from ``/proc``): RSS (``VmRSS``), CPU (utime + stime
over the wall time, 1.0 = one core busy), idle before Play and while playing. Also the CPU of the
Voilà server, of the browser (which here shares the machine; in a class it runs on the students'
laptops) and of the whole machine (``/proc/stat``).

All traffic stays on 127.0.0.1. The run is bounded: each stage has a timeout, and a value of N
that would start after ``--max-seconds`` is skipped (said in the output). ``--max-steps-per-second``
sets ``LABNET_MAX_STEPS_PER_SECOND`` for the server (so for every lab's kernel) and checks that
the steps/s seen stay under it.

Needs Chromium (``/usr/bin/chromium``, or ``$LABNET_CHROMIUM``) and the ``playwright`` package;
Linux (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "benchmarks"),  # classroom_pages, beside this file
                str(REPO / "tests")]  # the servers and the browser, as the tests start them
from classroom_pages import close_visitors, open_students, open_visitors  # noqa: E402
from servers import (  # noqa: E402
    BACKGROUND_ARGS,
    CLOCK_TICKS,
    HUB_PROXY,
    Server,
    descendants,
    find_chromium,
    hub_command,
    launch_chromium,
    proc_cmdline,
    proc_stat,
    running,
    voila_command,
)

FRAMES_PER_SECOND_WANTED = 20.0


# -- processes, from /proc ------------------------------------------------------------------------
@dataclass
class ProcSample:
    pid: int
    cpu_seconds: float  # utime + stime
    rss_mb: float
    at: float  # time.monotonic()


def proc_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return 0.0  # a zombie has no VmRSS


def sample(pid: int) -> ProcSample | None:
    stat, rss = proc_stat(pid), proc_rss_mb(pid)
    if stat is None or rss is None:
        return None
    return ProcSample(pid, stat[1], rss, time.monotonic())


def sample_tree(pids: list[int]) -> tuple[float, float]:
    """(CPU seconds, RSS MB) summed over processes."""
    cpu = rss = 0.0
    for pid in pids:
        one = sample(pid)
        if one is not None:
            cpu, rss = cpu + one.cpu_seconds, rss + one.rss_mb
    return cpu, rss


def machine_busy_seconds() -> tuple[float, float]:
    """(busy CPU seconds, total CPU seconds) of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# -- the Voilà server, as `make app` starts it --------------------------------------------------
@contextmanager
def voila_app(*extra: str, env: dict[str, str] | None = None, log: Path | None = None):
    """Run the Voilà app (``make app``'s command, ``extra`` flags added) on a free loopback port
    until the block ends; yields a ``servers.Server`` (its ``kernels()``: one per visitor)."""
    # the kernels import this checkout's labnet, whatever this Python has installed
    path = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    with running("voila", lambda port: voila_command(port, *extra),
                 env={"PYTHONPATH": path, **(env or {})}, log=log) as server:
        yield server


# -- one round: N students ----------------------------------------------------------------------
def kernel_usage(pids: dict[str, int], seconds: float) -> dict[str, dict]:
    """CPU (cores) and RSS (MB) of each kernel over ``seconds``."""
    before = {kid: sample(pid) for kid, pid in pids.items()}
    time.sleep(seconds)
    usage = {}
    for kid, pid in pids.items():
        after = sample(pid)
        if before[kid] is None or after is None:
            continue
        usage[kid] = {"cpu": (after.cpu_seconds - before[kid].cpu_seconds)
                      / (after.at - before[kid].at), "rss_mb": after.rss_mb}
    return usage


def run_round(browser, server: Server, n: int, seconds: float, timeout: float,
              open_pages, wait_freed: bool) -> dict:
    """One round: ``open_pages(browser, server, n, timeout)`` gives the N students' pages; each
    presses Play, is measured for ``seconds``, presses Pause; then the pages close (and, if
    ``wait_freed``, their kernels' going is timed)."""
    result: dict = {"pages": n}
    started = time.monotonic()
    visitors = open_pages(browser, server, n, timeout)
    result["load_seconds"] = time.monotonic() - started
    try:
        kernels = server.kernels()
        result["kernels_running"] = len(kernels)
        pids = {v.kernel_id: kernels[v.kernel_id] for v in visitors if v.kernel_id in kernels}
        if len(pids) < n:  # no kernelId in the page: take the server's kernels as they are
            pids = dict(kernels)
        # the server's own processes: Voilà; or the hub, its proxy and each student's server
        server_pids = [server.process.pid, *(pid for pid in descendants(server.process.pid)
                                             if pid not in kernels.values())]
        student_servers = [pid for pid in server_pids
                           if "jupyterhub.singleuser" in " ".join(proc_cmdline(pid))]
        time.sleep(1.0)  # the notebook's last outputs settle
        result["idle"] = kernel_usage(pids, 3.0)

        for visitor in visitors:  # Play, on every page
            visitor.page.locator(".labnet-lab .lab-play").first.click()
        for visitor in visitors:
            deadline = time.monotonic() + timeout
            while "Pause" not in visitor.play_label():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Play did not turn into Pause within {timeout} s")
                time.sleep(0.05)
        time.sleep(1.0)  # past the first frames

        first = [v.probe() for v in visitors]
        browser_pids = _browser_pids()
        server_cpu0, browser_cpu0 = sample_tree(server_pids)[0], sample_tree(browser_pids)[0]
        busy0, total0 = machine_busy_seconds()
        wall0 = time.monotonic()
        result["playing"] = kernel_usage(pids, seconds)
        last = [v.probe() for v in visitors]
        wall = time.monotonic() - wall0
        busy1, total1 = machine_busy_seconds()
        result["server_cpu"] = (sample_tree(server_pids)[0] - server_cpu0) / wall
        result["browser_cpu"] = (sample_tree(browser_pids)[0] - browser_cpu0) / wall
        result["machine_busy"] = (busy1 - busy0) / max(total1 - total0, 1e-9)  # 0..1 of all
        if student_servers:
            result["student_server_rss_mb"] = statistics.median(
                sample_tree([pid])[1] for pid in student_servers)
        ours = (sum(k["cpu"] for k in result["playing"].values()) + result["server_cpu"]
                + result["browser_cpu"])
        result["other_cpu"] = max(0.0, result["machine_busy"] * cores() - ours)  # not ours
        result["per_page"] = []
        for a, b in zip(first, last, strict=True):
            dt = b["t"] - a["t"]
            steps = (b["step"] - a["step"]) if None not in (a["step"], b["step"]) else None
            result["per_page"].append({
                "frames_per_second": (b["paints"] - a["paints"]) / dt,
                "steps_per_second": None if steps is None else steps / dt,
                "paints_from": b["paintsFrom"]})

        for visitor in visitors:  # Pause, on every page, timed in the page
            visitor.page.evaluate("() => window.labnetBench.armPause()")
        for visitor in visitors:
            visitor.page.locator(".labnet-lab .lab-play").first.click()
        time.sleep(2.0)
        pauses = [v.page.evaluate("() => window.labnetBench.pauseRecord()") for v in visitors]
        for record, page_result in zip(pauses, result["per_page"], strict=True):
            page_result["pause_stopped_after"] = record["stoppedAfter"]
            page_result["pause_shown_after"] = record["pausedShownAfter"]
    finally:
        closed = time.monotonic()
        close_visitors(visitors)
        if wait_freed:
            deadline = closed + 90
            while server.kernels() and time.monotonic() < deadline:
                time.sleep(0.25)
            left = server.kernels()
            result["kernels_left_after_close"] = len(left)
            result["kernels_freed_after"] = None if left else time.monotonic() - closed
        else:  # (JupyterLab keeps a closed notebook's kernel; the hub goes after the round)
            result["kernels_freed_after"] = None
    return result


def _browser_pids() -> list[int]:
    """Chromium's processes: descendants of this process that are not the Voilà server's."""
    return [pid for pid in descendants(os.getpid())
            if any("chrom" in part for part in proc_cmdline(pid)[:1])]


# -- report -------------------------------------------------------------------------------------
def _stats(values: list[float]) -> tuple[float, float, float]:
    values = [v for v in values if v is not None]
    if not values:
        return (float("nan"),) * 3
    return min(values), statistics.median(values), max(values)


def report(rounds: list[dict], cap: float | None, server: str = "the Voilà server") -> str:
    lines = [f"{cores()} cores; frames/s and steps/s per page: min / median / max; Pause: the "
             f"slowest page; CPU in cores (1.0 = one core busy): per kernel the median, then "
             f"{server} (all together), the browser, and others (processes not this "
             f"benchmark's: the figures hold only when it is near 0); freed: seconds from "
             f"closing the pages to their kernels gone", ""]
    header = (f"{'pages':>5} {'frames/s':>17} {'steps/s':>20} {'pause s (max)':>13} "
              f"{'kernel CPU idle':>15} {'kernel CPU play':>15} {'RSS MB idle/play':>16} "
              f"{'server':>6} {'browser':>7} {'others':>6} {'machine':>7} {'freed s':>7}")
    lines.append(header)
    for r in rounds:
        if "per_page" not in r:
            lines.append(f"{r['pages']:>5} (skipped: {r.get('skipped', 'failed')})")
            continue
        fps = _stats([p["frames_per_second"] for p in r["per_page"]])
        sps = _stats([p["steps_per_second"] for p in r["per_page"]])
        pause = max((p["pause_stopped_after"] or 0) for p in r["per_page"])
        idle_cpu = statistics.median([k["cpu"] for k in r["idle"].values()] or [float("nan")])
        play_cpu = statistics.median([k["cpu"] for k in r["playing"].values()]
                                     or [float("nan")])
        idle_rss = statistics.median([k["rss_mb"] for k in r["idle"].values()] or [float("nan")])
        play_rss = max([k["rss_mb"] for k in r["playing"].values()] or [float("nan")])
        freed = r["kernels_freed_after"]
        lines.append(
            f"{r['pages']:>5} {fps[0]:5.1f}/{fps[1]:5.1f}/{fps[2]:5.1f} "
            f"{sps[0]:6.0f}/{sps[1]:6.0f}/{sps[2]:6.0f} {pause:>13.2f} {idle_cpu:>15.3f} "
            f"{play_cpu:>15.2f} {idle_rss:>7.0f}/{play_rss:<8.0f} {r['server_cpu']:>6.2f} "
            f"{r['browser_cpu']:>7.2f} {r['other_cpu']:>6.2f} {r['machine_busy'] * 100:>6.0f}% "
            f"{'—' if freed is None else f'{freed:.1f}':>7}")
    done = [r for r in rounds if "per_page" in r]
    if done:
        lines.append("")
        one = next((r for r in done if r["pages"] == 1), done[0])
        base = statistics.median([p["steps_per_second"] or 0 for p in one["per_page"]]) or 1
        for r in done:
            total = sum(p["steps_per_second"] or 0 for p in r["per_page"])
            median = statistics.median([p["steps_per_second"] or 0 for p in r["per_page"]])
            lines.append(f"{r['pages']:>3} pages: steps/s per page / alone {median / base:.2f}; "
                         f"all pages' steps/s / one page alone {total / base:.2f}; "
                         f"worst page {min(p['frames_per_second'] for p in r['per_page']):.1f} "
                         f"frames/s")
            lines.append(f"          {serves(r)}")
        fine = [r["pages"] for r in done
                if min(p["frames_per_second"] for p in r["per_page"]) >= FRAMES_PER_SECOND_WANTED]
        lines.append("")
        lines.append(f"most pages playing with every page >= {FRAMES_PER_SECOND_WANTED:.0f} "
                     f"frames/s: {max(fine) if fine else 'none'} on {cores()} cores (the browser "
                     f"shares them here)")
        if cap is not None:
            worst = max(max(p["steps_per_second"] or 0 for p in r["per_page"]) for r in done)
            lines.append(f"cap LABNET_MAX_STEPS_PER_SECOND={cap:g}: fastest page "
                         f"{worst:.0f} steps/s ({'within' if worst <= cap * 1.1 else 'OVER'} "
                         f"the cap + 10 %)")
        paints = {p["paints_from"] for r in done for p in r["per_page"]}
        lines.append(f"frames counted from: {', '.join(sorted(paints))}")
    return "\n".join(lines)


def serves(r: dict) -> str:
    """What one core serves: the cores each playing student takes on the server (their kernel
    and their share of the server's processes; not the browser, on their laptop)."""
    per_student = (sum(k["cpu"] for k in r["playing"].values()) + r["server_cpu"]) / r["pages"]
    memory = statistics.median([k["rss_mb"] for k in r["playing"].values()] or [float("nan")])
    text = (f"per playing student {per_student:.2f} cores (kernel and server share): one core "
            f"serves {1 / max(per_student, 1e-9):.1f}; kernel {memory:.0f} MB")
    if "student_server_rss_mb" in r:
        text += f" + their Jupyter server {r['student_server_rss_mb']:.0f} MB"
    return text


@contextmanager
def class_hub(password: str, log: Path | None = None):
    """The class's JupyterHub as ``make hub`` runs it (deploy/hub), on a free loopback port, with
    its database and students' folders in a temporary directory; yields a ``servers.Server``."""
    with tempfile.TemporaryDirectory(prefix="labnet-hub-") as state, running(
            "hub", hub_command, ready_path="hub/health", cwd=Path(state), log=log,
            env={"LABNET_HUB_PASSWORD": password, "LABNET_HUB_STATE": state}) as server:
        yield server


def rounds_of(pages: list[int], max_seconds: float, one_round) -> list[dict]:
    """``one_round(n)`` for each N, within ``max_seconds``; a round that fails says why."""
    start, rounds = time.monotonic(), []
    for n in pages:
        elapsed = time.monotonic() - start
        if elapsed > max_seconds:
            rounds.append({"pages": n, "skipped": f"--max-seconds reached ({elapsed:.0f} s)"})
            continue
        print(f"... {n} page(s)", file=sys.stderr, flush=True)
        try:
            rounds.append(one_round(n))
        except Exception as error:  # report what was measured, and why a round failed
            rounds.append({"pages": n, "skipped": f"{type(error).__name__}: {error}"})
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="1,2,4,8,16",
                        help="numbers of students playing at once, one round each")
    parser.add_argument("--hub", action="store_true",
                        help="students log in through the class's JupyterHub (deploy/hub, "
                             "make proxy first) instead of visiting the Voilà app")
    parser.add_argument("--seconds", type=float, default=6.0, help="measured while playing")
    parser.add_argument("--max-seconds", type=float, default=900.0,
                        help="the whole run; rounds that would start later are skipped")
    parser.add_argument("--timeout", type=float, default=240.0,
                        help="for one stage of a round (loading N pages, Play turning Pause)")
    parser.add_argument("--max-steps-per-second", type=float, default=None,
                        help="set LABNET_MAX_STEPS_PER_SECOND for every lab, and check it "
                             "(the hub takes it from deploy/z2jh/config.yaml)")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures")
    args = parser.parse_args(argv)
    pages = [int(p) for p in args.pages.split(",") if p.strip()]
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium: apt-get install chromium (or set LABNET_CHROMIUM)", file=sys.stderr)
        return 2
    if args.hub and args.max_steps_per_second is not None:
        parser.error("--hub takes the cap from deploy/z2jh/config.yaml (singleuser.extraEnv)")
    if args.hub and not os.access(HUB_PROXY, os.X_OK):
        parser.error(f"{HUB_PROXY} is missing: run `make proxy`")
    from playwright.sync_api import sync_playwright

    cap = args.max_steps_per_second
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium, *BACKGROUND_ARGS)
        try:
            if args.hub:
                cap = float(hub_cap())
                password = f"bench-{secrets.token_hex(8)}"

                def one_round(n: int) -> dict:
                    with class_hub(password) as hub:
                        try:
                            return run_round(browser, hub, n, args.seconds, args.timeout,
                                             lambda b, s, k, t: open_students(
                                                 b, s.url, k, password, t), wait_freed=False)
                        except Exception:
                            print(hub.log_tail(), file=sys.stderr)
                            raise

                rounds = rounds_of(pages, args.max_seconds, one_round)
            else:
                env = {} if cap is None else {"LABNET_MAX_STEPS_PER_SECOND": f"{cap:g}"}
                # closed tabs' kernels are culled (Voilà refuses its pages' shutdown requests,
                # see deploy/jupyter): here after 20 s, so that one round's go before the next
                culling = ("--MappingKernelManager.cull_idle_timeout=20",
                           "--MappingKernelManager.cull_interval=5")
                with voila_app(*culling, env=env) as server:
                    rounds = rounds_of(pages, args.max_seconds, lambda n: run_round(
                        browser, server, n, args.seconds, args.timeout,
                        lambda b, s, k, t: open_visitors(b, s.url, k, t), wait_freed=True))
        finally:
            browser.close()
    print(report(rounds, cap, "the hub, its proxy and the students' Jupyter servers"
                 if args.hub else "the Voilà server"))
    if args.json:
        args.json.write_text(json.dumps({"cores": cores(), "seconds": args.seconds,
                                         "hub": args.hub, "cap": cap, "rounds": rounds,
                                         "run_id": secrets.token_hex(4)}, indent=1))
    return 0 if all("per_page" in r for r in rounds) else 1


def hub_cap() -> str:
    """The cap every student's lab gets on the hub (deploy/z2jh/config.yaml)."""
    import yaml

    values = yaml.safe_load((REPO / "deploy" / "z2jh" / "config.yaml").read_text())
    return values["singleuser"]["extraEnv"]["LABNET_MAX_STEPS_PER_SECOND"]


if __name__ == "__main__":
    sys.exit(main())
