"""One's own data as CSV (``labnet.lab.owndata``; ``Lab.load_csv``, ``Lab.export_csv``): a
paste or an upload's bytes become the lab's points (classes or a regression), a bad text is
refused naming its line and changes nothing, the data set goes back out as CSV exactly, in
bounded sizes; and a fuzz of random and damaged texts through the page."""

import random

import numpy as np
import pytest
from labtools import accepted, messages, refused, same, snapshot

import labnet as ln
from labnet.csvdata import MAX_BYTES
from labnet.lab import Lab
from labnet.lab.dataset import CUSTOM


@pytest.fixture
def lab():
    lab = Lab(grid=16)
    lab.set_data(n_points=200)
    yield lab
    lab.close()


def all_points(lab):
    data = lab.state.data
    return (np.concatenate([data.train[0], data.test[0]]),
            np.concatenate([data.train[1], data.test[1]]))


def test_the_data_set_goes_out_as_csv_and_back_exactly(lab):
    sent = messages(lab)
    text = lab.export_csv()
    assert text.startswith("x1,x2,label\n") and text.count("\n") == 201
    content, buffers = next((c, b) for c, b in sent if c["type"] == "download")
    assert content["name"] == "data.csv" and buffers[0] == text.encode()
    x, labels = all_points(lab)
    lab.load_csv(text, name="data.csv")
    assert lab.state.data.settings.dataset == CUSTOM
    again_x, again_labels = all_points(lab)
    order = np.lexsort(x.T), np.lexsort(again_x.T)
    assert np.array_equal(x[order[0]], again_x[order[1]])
    assert np.array_equal(labels[order[0]], again_labels[order[1]])
    assert lab.widget.message["text"] == ("Read 200 points of 2 classes (100 to train on, 100 "
                                          "to test) from data.csv.")


def test_an_uploads_bytes_reach_load_csv_through_the_page(lab):
    text = "x1;x2;label\n0;0;0\n1;1;1\n0;1;2\n1;0;1\n0.5;0.5;0\n"
    lab.widget.run("load_csv", {"name": "mine.csv"}, "v:1", [text.encode()])
    assert lab.widget.message["text"].startswith("Read 5 points of 3 classes")
    assert lab.network.out_features == 3  # the output follows the classes
    assert "mine.csv" in lab.widget.message["text"]


def test_targets_make_a_regression_with_one_output_and_mse(lab):
    x = np.random.default_rng(0).uniform(-1, 1, (40, 2))
    text = ln.to_csv(x, (x[:, :1] * 2.5))
    accepted(lab, "load_csv", {"text": text})
    assert lab.state.data.task == "regression" and lab.network.out_features == 1
    assert lab.state.training.loss == "mse"
    assert "now gives 1 output, the value it predicts" in lab.widget.message["text"]
    lab.step(5)
    assert ln.from_csv(lab.export_csv())[1].shape == (40, 1)


@pytest.mark.parametrize(("text", "words"), [
    ("x1,x2,label\n0,0,0\n1,1,1\n0,1,abc\n", "line 4, column 3: 'abc' is not a number"),
    ("0,0,0\n1,1\n", "line 2"),
    ("x1,x2,label\n0,0,0\n1,1,1\n2,2,9\n3,3,1\n", "line 4"),  # a class from 0 to 7
    ("0,0,0\n1,1,1\n2,nan,1\n3,3,1\n", "line 3"),
    ("0,0,0\n1,1,1\n2,1e9,1\n3,3,1\n", "line 3"),
    ("0,0,0\n1,1,1\n", "the lab takes 4 to 100000 points, got 2"),
    ("", "no data"),
    (b"\xff\xfe\x00bad", "UTF-8"),
])
def test_a_bad_text_is_refused_naming_its_line_and_changes_nothing(lab, text, words):
    args = {"name": "bad.csv"}
    if isinstance(text, str):
        message = refused(lab, "load_csv", {**args, "text": text})
    else:
        before = snapshot(lab)
        lab.widget.run("load_csv", args, None, [text])
        message = lab.widget.message["text"]
        assert lab.widget.message["error"] and snapshot(lab).keys() == before.keys()
    assert words in message, message


@pytest.mark.parametrize(("args", "buffers"), [
    ({}, []), ({"text": "0,0,0"}, [b"0,0,0"]), ({"name": "a.csv"}, [b"1", b"2"]),
    ({"name": "../../etc/passwd"}, [b"0,0,0"]),
])
def test_an_upload_is_one_buffer_or_a_text_not_both_nor_neither(lab, args, buffers):
    before = snapshot(lab)
    lab.widget.run("load_csv", args, None, buffers)
    assert lab.widget.message["error"] and "internal" not in lab.widget.message["text"]
    assert same(before, snapshot(lab))


def test_a_text_bigger_than_the_lab_reads_is_refused_before_it_is_read(lab):
    big = b"0,0,0\n" * (MAX_BYTES // 6 + 10)
    lab.widget.run("load_csv", {"name": "big.csv"}, None, [big])
    assert "more than" in lab.widget.message["text"] and lab.widget.message["error"]


def test_the_most_points_the_lab_takes_load_in_about_a_second(lab):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (100_000, 2))
    text = ln.to_csv(x, (x[:, 0] > 0).astype(int))
    lab.load_csv(text)
    assert len(all_points(lab)[0]) == 100_000


def test_points_of_ones_own_from_csv_save_and_reopen(lab, tmp_path):
    lab.load_csv("0,0,0\n1,1,1\n0,1,1\n1,0,0\n0.2,0.3,1\n")
    lab.save(tmp_path / "mine.npz")
    again = Lab(grid=16)
    again.open(tmp_path / "mine.npz")
    assert again.export_csv() == lab.export_csv()


def test_random_and_damaged_texts_through_the_page_are_refused_or_read(lab):
    good = lab.export_csv().encode()
    generator = random.Random(3)
    for trial in range(60):
        kind = trial % 3
        if kind == 0:
            content = good[:generator.randrange(len(good))]
        elif kind == 1:
            content = bytearray(good)
            for _ in range(generator.randint(1, 8)):
                content[generator.randrange(len(content))] = generator.randrange(256)
            content = bytes(content)
        else:
            content = bytes(generator.randrange(256) for _ in range(generator.randint(0, 400)))
        lab.widget.last_traceback = None
        before = snapshot(lab)
        lab.widget.run("load_csv", {"name": "fuzz.csv"}, None, [content])
        assert lab.last_traceback is None, lab.last_traceback
        if lab.widget.message["error"]:
                    assert same(before, snapshot(lab)), lab.widget.message["text"]
