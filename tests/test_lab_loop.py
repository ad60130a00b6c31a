"""The event loop a lab lives on (``labnet.lab.loop``): what comes from another thread runs on
the loop's thread, between two of its turns."""

import asyncio
import threading

from labtools import run

from labnet.lab.loop import KernelLoop


def test_without_a_loop_a_call_runs_at_once_and_nothing_is_scheduled():
    kernel, ran = KernelLoop(), []
    kernel.call(ran.append, 1)
    assert ran == [1] and kernel.running() is None and not kernel.call_soon(ran.append, 2)


def test_a_call_from_another_thread_runs_on_the_loops_thread():
    kernel, threads = KernelLoop(), {}

    async def scenario():
        threads["loop"] = threading.get_ident()
        assert kernel.running() is asyncio.get_running_loop()  # (remembered)
        done = asyncio.Event()

        def record(name):
            threads[name] = threading.get_ident()
            done.set()
        caller = threading.Thread(target=kernel.call, args=(record, "called"))
        caller.start()
        caller.join()
        threads["caller"] = caller.ident
        assert "called" not in threads  # handed over, not run on the caller's thread
        await asyncio.wait_for(done.wait(), 2)

    run(scenario())
    assert threads["called"] == threads["loop"] != threads["caller"]
