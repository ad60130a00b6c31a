"""What the kernel knows of the pages (``labnet.lab.pace``): frames wait for the page to paint
the last ones, and a lab is watched while a page paints its frames, whatever pages say."""

import time

from labnet.lab import pace
from labnet.lab.pace import ACK_TIMEOUT, MAX_IN_FLIGHT, Frames, Views


def test_frames_wait_for_the_page_and_a_page_that_never_answers_is_given_up_on():
    frames, now = Frames(), 1000.0
    for i in range(MAX_IN_FLIGHT["boundary"]):
        assert frames.may_send("boundary", now + i, 0.0)
        frames.next("boundary", now + i, paced=True)
    later = now + MAX_IN_FLIGHT["boundary"] - 1
    assert not frames.may_send("boundary", later + 0.1, 0.0)
    assert frames.time_to_next(later + 0.1, 0.01, idle=0.006) == 0.006
    assert frames.acknowledge({"boundary": 3}) and frames.painted["boundary"] == 3
    assert frames.may_send("boundary", later + 0.1, 0.0)
    frames.next("boundary", later + 0.1, paced=True)
    assert frames.may_send("boundary", later + 0.2 + ACK_TIMEOUT, 0.0)  # given up on


def test_acknowledgements_of_frames_never_sent_or_of_nothing_count_for_nothing():
    frames = Frames()
    frames.next("boundary", 0.0, paced=True)
    assert not frames.acknowledge({"thumbs": 5, "nothing": 1, "boundary": "1"})
    assert frames.painted == {"boundary": 0, "thumbs": 0}
    assert frames.acknowledge({"boundary": 10**9}) and frames.painted["boundary"] == 1
    assert not frames.acknowledge({"boundary": True})


def test_a_lab_no_page_has_shown_is_watched_and_one_shown_then_unseen_is_not(monkeypatch):
    views, now = Views(), time.perf_counter()
    assert views.unwatched(now + 10**6) is None  # played from code: no page to wait for
    views.hello("a")
    assert views.unwatched(now) is None
    assert "no page has shown this lab for" in views.unwatched(now + pace.UNSEEN_PAUSE + 1)


def test_the_last_views_goodbye_pauses_a_lab_only_once_no_page_paints_it():
    views = Views()
    views.hello("a")
    views.hello("b")
    assert not views.goodbye("a") and not views.goodbye("a")  # one view is still open
    assert not views.goodbye("made up") and not views.goodbye(None)
    assert views.goodbye("b")
    gone = views.gone_at
    assert views.unwatched(gone + 0.1) is None
    views.painted()  # a page still paints the lab: whatever it said, it shows it
    assert views.unwatched(views.last_seen + pace.GONE_PAUSE / 2) is None
    assert "no page shows this lab" in views.unwatched(views.last_seen + pace.GONE_PAUSE + 0.1)
    views.hello("c")  # shown again
    assert views.gone_at is None and views.unwatched(time.perf_counter()) is None


def test_a_page_saying_hello_in_a_loop_fills_no_memory():
    views = Views()
    for i in range(10 * pace.MAX_VIEWS):
        views.hello(f"v{i}")
    views.hello("x" * 10_000)
    assert len(views.open) == pace.MAX_VIEWS
