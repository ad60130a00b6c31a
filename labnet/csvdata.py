"""Data of one's own as CSV text: points ``x₁, x₂`` and a label (or a target), one a line.

>>> x, labels = ln.from_csv("x1,x2,label\\n0.1,0.5,1\\n-0.3,0.2,0\\n")
>>> text = ln.to_csv(x, labels)                 # and back, exactly

The text may come from an upload or a paste: it is untrusted input, read in bounded memory and
checked line by line. ``from_csv`` takes:

- at most ``MAX_BYTES`` (8 MiB) of UTF-8 text (a byte-order mark is skipped), ``MAX_ROWS``
  (100,000) points and ``MAX_LINES`` (200,000) lines;
- one point a line, three values: x₁, x₂, then a label (a class, a whole number from 0 to
  ``MAX_CLASSES - 1``) or a target (any number, for regression). Values are separated by
  commas, or by semicolons, or by tabs (a paste from a spreadsheet), or by spaces: the first
  line that is not blank says which, and every line keeps to it. Numbers are written as
  ``-0.25``, ``1e-3``, with a point for decimals;
- blank lines and lines starting with ``#`` are skipped, and quotes around a value; an
  optional first line of names (its first name has a letter) is a header, its third name
  saying what the third column holds: ``label`` (or ``class``) or ``target`` (or ``value``,
  ``y``);
- coordinates and targets within ±``MAX_VALUE`` (1e6).

Whether the third column holds labels or targets is ``task`` if given (``"classification"`` or
``"regression"``), else the header's word, else what the values are: whole numbers from 0 to
``MAX_CLASSES - 1`` are labels. Anything else is refused with an ``InputError`` naming the line
(counted from 1, as an editor does) and the column at fault: ``line 7, column 2: 'abc' is not a
number``.

``from_csv`` returns ``(x, labels)`` as the data sets do: ``x`` float64 ``(n, 2)``, and labels
int ``(n,)`` or targets float64 ``(n, 1)`` (``labnet.regression``). ``to_csv`` writes the same
form, a header first, every number so that it reads back exactly.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence

import numpy as np

from labnet.data import check_data
from labnet.errors import InputError, ShapeError, short_repr
from labnet.multiclass import MAX_CLASSES

Array = np.ndarray

MAX_BYTES = 8 * 2**20
"""The longest CSV text read: 8 MiB (100,000 points take about 4 MiB)."""
MAX_ROWS = 100_000
"""The most points a CSV text may hold (the lab's most): reading them takes under a second."""
MAX_LINES = 2 * MAX_ROWS
"""The most lines, blank and comment lines included."""
MAX_VALUE = 1e6
"""Coordinates and targets lie within ±this."""
TASKS = ("classification", "regression")
SEPARATORS = ("\t", ";", ",")
"""Tried in this order on the first line; without any of them, runs of spaces separate."""
LABEL_WORDS = ("label", "class")
TARGET_WORDS = ("target", "value", "y")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def from_csv(text: str | bytes, *, task: str | None = None,
             max_bytes: int = MAX_BYTES) -> tuple[Array, Array]:
    """``(x, labels)`` or ``(x, targets)`` read from CSV ``text`` (see the module's docstring);
    an ``InputError`` naming the line and column at fault if the text is not such data.

    It reads a line at a time into one array of numbers (tens of bytes a point besides the
    text), in under a second for the largest text allowed."""
    if task is not None and task not in TASKS:
        raise InputError(f"task must be one of {', '.join(TASKS)} (or None: read from the "
                         f"text), got {short_repr(task)}")
    values, line_numbers = array("d"), array("q")
    row = separator = header_task = None
    for number, line in _numbered_lines(_text(text, max_bytes)):
        if number > MAX_LINES:
            raise InputError(f"line {number:,}: more than {MAX_LINES:,} lines")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if row is None:  # the first line says how values are separated; it may be a header
            separator = next((sep for sep in SEPARATORS if sep in line), None)
            row = _row_pattern(separator)
            fields = _fields(line, separator, number)
            if re.search(r"[^\W\d_]", fields[0]) and not _NUMBER.fullmatch(fields[0]):
                header_task = _header_task(fields, number)  # names, not numbers
                continue
        if len(line_numbers) >= MAX_ROWS:
            raise InputError(f"line {number:,}: more than {MAX_ROWS:,} points")
        match = row.fullmatch(line)  # the common case, at once; else field by field, to say
        numbers = [float(value) for value in match.groups()] if match else []
        if not match or not all(abs(value) <= MAX_VALUE for value in numbers):
            numbers = [_number(field, number, column) for column, field in
                       enumerate(_fields(line, separator, number), start=1)]
        values.extend(numbers)
        line_numbers.append(number)
    if not line_numbers:
        raise InputError("no data: not one line of three numbers (x1, x2, and a label or a "
                         "target)")
    table = np.frombuffer(values, dtype=np.float64).reshape(-1, 3)
    x, third = table[:, :2].copy(), table[:, 2].copy()
    task = task or header_task or _guess_task(third)
    if task == "classification":
        return x, _labels(third, line_numbers)
    return x, third[:, None]


def to_csv(x: Array, labels: Array) -> str:
    """CSV text of the points ``x`` ``(n, 2)`` and their ``labels`` ``(n,)`` (or targets
    ``(n, 1)``): a header (``x1,x2,label`` or ``x1,x2,target``), then a line a point, each
    number written so that it reads back exactly (``from_csv(to_csv(x, y))`` is ``(x, y)``)."""
    x, labels = check_data(x, labels)
    if x.shape[1] != 2:
        raise ShapeError(f"CSV data are points of the plane: x must have 2 columns, got "
                         f"{x.shape[1]}")
    if labels.ndim == 2 and labels.shape[1] != 1:
        raise ShapeError(f"CSV data have one target a point: targets of shape (n, 1), got "
                         f"{labels.shape}")
    regression = labels.ndim == 2
    lines = ["x1,x2,target" if regression else "x1,x2,label"]
    third = (repr(float(value)) for value in labels[:, 0]) if regression else (
        str(int(label)) for label in labels)
    for (x1, x2), value in zip(x.tolist(), third, strict=True):
        lines.append(f"{x1!r},{x2!r},{value}")
    return "\n".join(lines) + "\n"


def _text(text: str | bytes, max_bytes: int) -> str:
    """``text`` as a str, of at most ``max_bytes`` (bytes: UTF-8, a byte-order mark skipped)."""
    if isinstance(text, bytes | bytearray | memoryview):
        data = bytes(text)
        if len(data) > max_bytes:
            raise InputError(f"the CSV text is {len(data):,} bytes, more than the "
                             f"{max_bytes:,} read")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = len(_LINE_BREAK_BYTES.findall(data, 0, error.start)) + 1
            raise InputError(f"line {line}: not UTF-8 text (byte {error.start}); save the file "
                             f"as UTF-8 CSV") from None
    if isinstance(text, str):
        if len(text) > max_bytes:  # (a character is at least one byte)
            raise InputError(f"the CSV text is {len(text):,} characters, more than the "
                             f"{max_bytes:,} bytes read")
        return text.removeprefix("\ufeff")
    raise InputError(f"CSV data must be text (str or bytes), got {type(text).__name__}")


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line of ``text`` with its number, from 1 (a line ends at \\n, \\r\\n or \\r),
    one at a time."""
    start, number = 0, 0
    while start < len(text):
        number += 1
        found = _LINE_BREAK.search(text, start)
        if found is None:
            yield number, text[start:]
            return
        yield number, text[start:found.start()]
        start = found.end()


def _row_pattern(separator: str | None) -> re.Pattern:
    """A line of three numbers separated by ``separator`` (``None``: spaces), each maybe in
    quotes and spaces, maybe with empty fields after: what most lines are, read at once."""
    field = rf'\s*"?({_NUMBER.pattern})"?\s*'
    if separator is None:
        return re.compile(field + r"\s" + field + r"\s" + field)
    sep = re.escape(separator)
    return re.compile(field + sep + field + sep + field + rf"(?:{sep}\s*)*")


def _fields(line: str, separator: str | None, number: int) -> list[str]:
    """The three fields of a line (trailing empty fields dropped), stripped of spaces."""
    fields = [field.strip().strip('"').strip()
              for field in (line.split(separator) if separator else line.split())]
    while len(fields) > 3 and not fields[-1]:
        fields.pop()
    if len(fields) != 3:
        said = {"\t": "tabs", ";": "semicolons", ",": "commas", None: "spaces"}[separator]
        raise InputError(f"line {number}: {len(fields)} value(s) separated by {said}, expected "
                         f"3: x1, x2, and a label or a target; got {short_repr(line, 50)}")
    return fields


def _header_task(fields: list[str], number: int) -> str:
    word = fields[2].strip("\"'").lower()
    if word in LABEL_WORDS:
        return "classification"
    if word in TARGET_WORDS:
        return "regression"
    raise InputError(f"line {number}, column 1: {short_repr(fields[0], 30)} is not a number; "
                     f"if this line is a header, its third name says what the column holds: "
                     f"label (classes) or target (regression), not {short_repr(fields[2], 30)}")


def _number(field: str, line: int, column: int) -> float:
    if not _NUMBER.fullmatch(field):
        hint = " (write decimals with a point: 0.5)" if re.fullmatch(r"[+-]?\d*,\d+", field) \
            else ""
        raise InputError(f"line {line}, column {column}: {short_repr(field, 30)} is not a "
                         f"number{hint}")
    value = float(field)
    if not abs(value) <= MAX_VALUE:
        raise InputError(f"line {line}, column {column}: {field[:30]} is beyond "
                         f"±{MAX_VALUE:,.0f}")
    return value


def _guess_task(third: Array) -> str:
    whole = np.all(third == np.round(third)) and third.min() >= 0 and third.max() < MAX_CLASSES
    return "classification" if whole else "regression"


def _labels(third: Array, line_numbers: Sequence[int]) -> Array:
    """The third column as class labels, or an ``InputError`` naming the first line whose
    label is not a class."""
    bad = (third != np.round(third)) | (third < 0) | (third >= MAX_CLASSES)
    if bad.any():
        row = int(np.argmax(bad))
        raise InputError(f"line {line_numbers[row]}, column 3: {third[row]:g} is not a class: a "
                         f"label is a whole number from 0 to {MAX_CLASSES - 1}")
    return third.astype(np.intp)
