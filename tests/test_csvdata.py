"""Own data as CSV text: what is read (headers, separators, labels or targets), what is refused
(naming the line and the column), bounded size; written text reads back exactly; a fuzz of
random and damaged texts gives data or a ValueError, in bounded memory."""

import math
import re
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labnet as ln
from labnet.csvdata import MAX_BYTES, MAX_LINES, MAX_ROWS, MAX_VALUE
from labnet.multiclass import MAX_CLASSES

# -- what is read ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "x1,x2,label\n0.5,-1,1\n2e-1,.25,0\n",
    "0.5,-1,1\n0.2,0.25,0\n",
    "\ufeffx1;x2;class\r\n0.5;-1;1\r\n0.2;0.25;0\r\n",  # a BOM, semicolons, Windows' lines
    "# my points\n\nx\ty\tlabel\n0.5\t-1\t1\n\n   \n0.2\t0.25\t0\n# the end\n",  # a paste
    "  0.5   -1  1\n0.2 0.25 0",  # spaces
    '"x1","x2","label"\n"0.5","-1","1"\n"0.2","0.25","0"\n',  # quoted
    "x1,x2,label,\n0.5,-1,1,\n0.2,0.25,0,,\n",  # trailing separators
    "x1,x2,label\r0.5,-1,1\r0.2,0.25,0.0\r",  # old Mac lines; a label written 0.0
])
def test_points_and_labels_are_read_however_the_text_is_laid_out(text):
    for given_text in (text, text.encode("utf-8")):
        x, labels = ln.from_csv(given_text)
        np.testing.assert_array_equal(x, [[0.5, -1.0], [0.2, 0.25]])
        assert labels.tolist() == [1, 0] and labels.dtype.kind == "i"


@pytest.mark.parametrize(("text", "task", "expected"), [
    ("x1,x2,target\n1,2,0\n3,4,1\n", None, "regression"),  # the header says so
    ("x1,x2,value\n1,2,0\n", None, "regression"),
    ("a,b,y\n1,2,3\n", None, "regression"),
    ("x1,x2,label\n1,2,0\n", None, "classification"),
    ("1,2,0\n3,4,7\n", None, "classification"),  # whole numbers from 0 to 7: classes
    ("1,2,0\n3,4,8\n", None, "regression"),  # 8 classes at most
    ("1,2,0\n3,4,0.5\n", None, "regression"),
    ("1,2,-1\n3,4,1\n", None, "regression"),  # (Playground's -1 is not a class here)
    ("1,2,0\n3,4,1\n", "regression", "regression"),  # the caller says so
    ("x1,x2,target\n1,2,0\n", "classification", "classification"),
])
def test_the_third_column_holds_labels_or_targets_as_said_or_as_the_values_are(text, task,
                                                                               expected):
    x, third = ln.from_csv(text, task=task)
    if expected == "classification":
        assert third.shape == (len(x),) and third.dtype.kind == "i"
    else:
        assert third.shape == (len(x), 1) and third.dtype == np.float64


def test_the_most_points_a_text_may_hold_are_read_in_little_more_memory_than_the_text():
    x, labels = ln.circle(MAX_ROWS, 0.1, 0)
    text = ln.to_csv(x, labels)
    assert len(text) < MAX_BYTES
    tracemalloc.start()
    try:
        back_x, back_labels = ln.from_csv(text)
        assert tracemalloc.get_traced_memory()[1] < 2.5 * len(text)  # (x and labels: 2.4 MB)
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(back_x, x)
    np.testing.assert_array_equal(back_labels, labels)


# -- what is refused, and where ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("", r"^no data: not one line of three numbers"),
    ("x1,x2,label\n# nothing\n", r"^no data"),
    ("1,2,1\n3,4\n", r"^line 2: 2 value\(s\) separated by commas, expected 3: x1, x2, and a "
                     r"label or a target; got '3,4'$"),
    ("1,2,1\n3,4,1,5\n", r"^line 2: 4 value\(s\)"),
    ("1;2;1\n3,4,1\n", r"^line 2: 1 value\(s\) separated by semicolons"),
    ("x1,x2,label\n\n1,2,1\n# note\n3,abc,1\n", r"^line 5, column 2: 'abc' is not a number$"),
    ("1,2,1\n3,4,nan\n", r"^line 2, column 3: 'nan' is not a number$"),
    ("1,2,1\ninf,4,1\n", r"^line 2, column 1: 'inf' is not a number$"),
    ("1,2,1\n1_000,4,1\n", r"^line 2, column 1: '1_000' is not a number$"),
    ("0,5;0,3;1\n", r"^line 1, column 1: '0,5' is not a number \(write decimals with a point: "
                    r"0\.5\)$"),
    ("1,2,1\n3,2e7,1\n", r"^line 2, column 2: 2e7 is beyond ±1,000,000$"),
    ("x1,x2,colour\n1,2,1\n", r"^line 1, column 1: 'x1' is not a number; if this line is a "
                              r"header, its third name says what the column holds: label "
                              r"\(classes\) or target \(regression\), not 'colour'$"),
    ("x1,x2,label\n1,2,1\nx1,x2,label\n", r"^line 3, column 1: 'x1' is not a number$"),
    ("x1,x2,label\n1,2,1\n3,4,0.5\n", r"^line 3, column 3: 0.5 is not a class: a label is a "
                                      r"whole number from 0 to 7$"),
    ("x1,x2,label\n1,2,1\n3,4,-1\n", r"^line 3, column 3: -1 is not a class"),
    ("x1,x2,label\n1,2,8\n", r"^line 2, column 3: 8 is not a class"),
    (b"1,2,1\n3,4,1\n\xff,1,1\n", r"^line 3: not UTF-8 text \(byte 12\); save the file as UTF-8 "
                                  r"CSV$"),
    ("1,2,1\n" + "9" * 10**6 + ",1,1\n", r"^line 2, column 1: 9{30} is beyond"),
    ("1,2,1\n" + "x" * 10**6 + ",1,1\n", r"^line 2, column 1: 'x{20}.*' is not a number$"),
])
def test_a_bad_text_is_refused_naming_the_line_and_the_column_at_fault(text, message):
    with pytest.raises(ln.InputError, match=message) as refused:
        ln.from_csv(text)
    assert len(str(refused.value)) < 300  # a huge field is not echoed whole


def test_a_text_longer_than_the_limit_is_refused_before_it_is_read():
    text = "0.5,0.5,1\n" * 200
    assert len(ln.from_csv(text, max_bytes=len(text))[0]) == 200
    for given_text in (text, text.encode()):
        with pytest.raises(ln.InputError, match=r"^the CSV text is 2,000 (bytes|characters), "
                                                r"more than the 1,999"):
            ln.from_csv(given_text, max_bytes=len(text) - 1)
    assert MAX_BYTES == 8 * 2**20


@pytest.mark.parametrize(("text", "task", "message"), [
    (None, None, r"^CSV data must be text \(str or bytes\), got NoneType$"),
    (["1,2,1"], None, r"got list"),
    ("1,2,1", "clustering", r"^task must be one of classification, regression"),
])
def test_what_is_not_csv_text_or_a_task_is_refused(text, task, message):
    with pytest.raises(ln.InputError, match=message):
        ln.from_csv(text, task=task)


# -- writing, and reading back -------------------------------------------------------------------

def test_a_data_set_is_written_with_a_header_and_reads_back_exactly():
    for make in (ln.spiral, lambda n, noise, rng: ln.blobs(n, noise, rng, 4), ln.reg_gauss):
        x, third = make(300, 0.2, 0)
        text = ln.to_csv(x, third)
        assert text.splitlines()[0] == ("x1,x2,target" if third.ndim == 2 else "x1,x2,label")
        back_x, back_third = ln.from_csv(text)
        np.testing.assert_array_equal(back_x, x)
        np.testing.assert_array_equal(back_third, third)
        assert back_third.dtype.kind == third.dtype.kind


@pytest.mark.parametrize(("x", "labels", "message"), [
    (np.zeros((3, 3)), np.zeros(3, int), r"x must have 2 columns, got 3"),
    (np.zeros((3, 2)), np.zeros((3, 2)), r"one target a point: targets of shape \(n, 1\)"),
    (np.zeros((3, 2)), np.zeros(4, int), r"labels must have shape \(3,\)"),
    (np.full((3, 2), np.nan), np.zeros(3, int), r"x contains NaN"),
    (np.zeros((3, 2)), [0.5, 1, 0], r"labels must be integers"),
])
def test_what_is_not_a_data_set_of_the_plane_is_not_written(x, labels, message):
    with pytest.raises(ValueError, match=message):
        ln.to_csv(x, labels)


COORDINATES = st.floats(-MAX_VALUE, MAX_VALUE, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(points=st.lists(st.tuples(COORDINATES, COORDINATES, st.integers(0, MAX_CLASSES - 1),
                                 COORDINATES), min_size=1, max_size=30))
def test_any_data_written_reads_back_exactly(points):
    x = np.array([[x1, x2] for x1, x2, _, _ in points])
    labels = np.array([label for _, _, label, _ in points])
    targets = np.array([[target] for *_, target in points])
    for third in (labels, targets):
        back_x, back_third = ln.from_csv(ln.to_csv(x, third))
        np.testing.assert_array_equal(back_x, x)
        np.testing.assert_array_equal(back_third, third)


# -- fuzz: whatever the text, data or a ValueError, in bounded memory ------------------------------

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
PIECES = st.sampled_from(["0", "1", "-", ".", "e", "5", ",", ";", "\t", " ", "\n", "\r", "#",
                          '"', "x1", "label", "target", "nan", "inf", "1e400", "\ufeff", "é",
                          "\x00", "7.5", "-0.25"])


def assert_data_or_value_error(text):
    """``from_csv(text)``: checked data, or a ValueError; never another exception, and no more
    memory than a bounded multiple of the text."""
    tracemalloc.start()
    try:
        x, third = ln.from_csv(text)
    except ValueError as error:
        assert re.match(r"(line \d+|no data|the CSV text)", str(error)), str(error)
        return None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 2**20 + 20 * len(text)
    assert x.ndim == 2 and x.shape[1] == 2 and x.dtype == np.float64
    assert np.all(np.abs(x) <= MAX_VALUE)
    if third.ndim == 1:
        assert third.dtype.kind == "i" and third.min() >= 0 and third.max() < MAX_CLASSES
    else:
        assert third.shape == (len(x), 1) and np.all(np.abs(third) <= MAX_VALUE)
    return x, third


@FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_random_text_gives_data_or_a_value_error(text):
    assert_data_or_value_error(text)


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes_give_data_or_a_value_error(data):
    assert_data_or_value_error(data)


@FUZZ
@given(pieces=st.lists(PIECES, max_size=80))
def test_fuzz_texts_made_of_csv_pieces_give_data_or_a_value_error(pieces):
    assert_data_or_value_error("".join(pieces))


@FUZZ
@given(line=st.integers(0, 19), column=st.integers(0, 2),
       junk=(PIECES | st.text(max_size=5)).filter(lambda text: not re.search("[\r\n#]", text)))
def test_fuzz_one_damaged_value_is_refused_naming_its_line_or_is_a_number(line, column, junk):
    x, labels = ln.xor(20, 0.0, 0)
    lines = ln.to_csv(x, labels).splitlines()
    fields = lines[line + 1].split(",")
    fields[column] = junk
    lines[line + 1] = ",".join(fields)
    text = "\n".join(lines)
    try:
        back_x, back_labels = ln.from_csv(text, task="classification")
    except ValueError as error:
        assert str(error).startswith(f"line {line + 2}"), str(error)  # (the header is line 1)
        return
    value = float(junk.strip().strip('"').strip())  # it was read: it is a number
    assert math.isfinite(value)
    expected_x, expected_labels = x.copy(), labels.copy()
    if column < 2:
        expected_x[line, column] = value
    else:
        expected_labels[line] = value
    np.testing.assert_array_equal(back_x, expected_x)
    np.testing.assert_array_equal(back_labels, expected_labels)


@pytest.mark.parametrize(("text", "message"), [
    ("0,0,0\n" * 100_001, r"^line 100,001: more than 100,000 points$"),
    ("\n" * 200_000 + "0,0,0\n", r"^line 200,001: more than 200,000 lines$"),
    ("# a comment\n" * 300_000, r"^line 200,001: more than 200,000 lines$"),
])
def test_more_points_or_lines_than_the_bounds_are_refused_quickly(text, message):
    started = time.perf_counter()
    with pytest.raises(ln.InputError, match=message):
        ln.from_csv(text)
    assert time.perf_counter() - started < 5  # (about 0.6 s on this machine; a busy one too)
    assert (MAX_ROWS, MAX_LINES) == (100_000, 200_000)
