"""Reading archives safely: only the members asked for are read; malformed members, files and
JSON are refused, naming the file and what is wrong, before their data are read."""

import tracemalloc
import zipfile

import numpy as np
import pytest
from filetools import description_member, npy_bytes, saved_figure1, zip_file

import labnet as ln
from labnet.archive import MAX_MEMBERS, read_archive
from labnet.saving import SPEC_KEY


def test_read_archive_reads_only_the_members_asked_for(tmp_path):
    path = zip_file(tmp_path / "lab.npz", {
        "__lab__.npy": description_member({"format": 1}),
        "weights/1.weight.npy": npy_bytes(np.ones((2, 3))),
        "custom/x.npy": npy_bytes(np.zeros((4, 2))),
        "junk.npy": b"this member is broken, and never read",
    })
    description, arrays = read_archive(path, "__lab__", "labnet lab",
                                       members=["weights/", "custom/x"])
    assert description == {"format": 1}
    assert sorted(arrays) == ["custom/x", "weights/1.weight"]
    np.testing.assert_array_equal(arrays["weights/1.weight"], np.ones((2, 3)))
    with pytest.raises(ln.InputError, match=r"lab.npz' is not a labnet lab file: its 'junk' entry "
                                            r"cannot be read"):
        read_archive(path, "__lab__", "labnet lab")


@pytest.mark.parametrize(("member", "message"), [
    (npy_bytes(header={"descr": "<f8", "fortran_order": False, "shape": (10**13,)}, data=b"x"),
     r"its 'a' entry declares 80000000000000 bytes \(shape \(10000000000000,\) of float64\) but "
     r"holds 1"),
    (npy_bytes(np.array([{"a": 1}], dtype=object)), r"its 'a' entry holds object values"),
    (npy_bytes(np.ones(3) * 1j), r"its 'a' entry holds complex128 values, not bools or integers"),
    (npy_bytes(np.zeros(2, dtype=[("x", "<f8")])), r"its 'a' entry holds \[\('x', '<f8'\)\] "
                                                     r"values"),
    (npy_bytes(np.ones(4))[:-3], r"its 'a' entry declares 32 bytes .* but holds 29"),
    (b"\x93NUMPY\x01\x00\x10\x00{'descr': (((((((", r"its 'a' entry cannot be read"),
    (b"not an array at all", r"its 'a' entry cannot be read"),
])
def test_a_malformed_array_member_is_refused_before_its_data_are_read(tmp_path, member, message):
    path = zip_file(tmp_path / "x.npz", {"__d__.npy": description_member({}), "a.npy": member})
    with pytest.raises(ln.InputError, match=r"x.npz' is not a test file: " + message):
        read_archive(path, "__d__", "test")


def test_a_member_bigger_than_the_limit_is_refused_unless_it_is_not_read(tmp_path):
    path = tmp_path / "bomb.npz"
    saved_figure1(path)
    with (zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
          archive.open("junk.npy", "w", force_zip64=True) as member):  # 256 MiB of zeros
        np.lib.format.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False,
                                                      "shape": (2**25,)})
        for _ in range(256):
            member.write(bytes(2**20))
    assert path.stat().st_size < 2**20
    with pytest.raises(ln.InputError, match=r"the arrays to read take \d+ bytes, more than the "
                                            r"\d+ left of the limit of 67108864"):
        read_archive(path, SPEC_KEY, "labnet network")
    tracemalloc.start()
    try:
        spec, arrays = read_archive(path, SPEC_KEY, "labnet network", members=["7.bias"])
        assert list(arrays) == ["7.bias"] and spec["format"] == 1
        with pytest.raises(ln.InputError, match=r"bomb.npz': the weights do not fit the graph: "
                                                r"missing \[\], unexpected \['junk'\]"):
            ln.load(path)
        assert tracemalloc.get_traced_memory()[1] < 4 * 2**20
    finally:
        tracemalloc.stop()


def test_a_file_bigger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    path = saved_figure1(tmp_path / "net.npz") and tmp_path / "net.npz"
    size = path.stat().st_size
    with pytest.raises(ln.InputError, match=rf"it is {size} bytes long, more than the limit of "
                                            r"1000 \(max_bytes\)"):
        ln.load(path, max_bytes=1000)
    assert ln.load(path, max_bytes=size).num_params() == ln.PRESETS["figure1"](0).num_params()


def test_an_archive_listing_too_many_members_is_refused_before_they_are_listed(tmp_path):
    path = zip_file(tmp_path / "many.npz", {f"{i}.npy": b"" for i in range(MAX_MEMBERS + 1)})
    with pytest.raises(ln.InputError, match=r"it lists 10001 members"):
        read_archive(path, "__d__", "test")


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000 + "]" * 100_000, r"nests deeper than 64 levels"),
    ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', None),
    ("{'single': 'quotes'}", r"its '__d__' entry is not JSON"),
    ("[1, 2]", r"its '__d__' entry is not a JSON object"),
    ('{"n": ' + "9" * 5000 + "}", r"is not JSON"),
])
def test_json_descriptions_are_checked_before_and_as_they_are_parsed(tmp_path, text, message):
    path = zip_file(tmp_path / "j.npz", {"__d__.npy": npy_bytes(np.array(text))})
    if message is None:  # brackets inside strings do not count
        assert read_archive(path, "__d__", "test")[0]["a"].startswith("[[[")
        return
    with pytest.raises(ln.InputError, match=message):
        read_archive(path, "__d__", "test")


def test_a_description_that_is_not_text_is_refused(tmp_path):
    path = zip_file(tmp_path / "j.npz", {"__d__.npy": npy_bytes(np.ones(3))})
    with pytest.raises(ln.InputError, match=r"its '__d__' entry holds float64 values, not text"):
        read_archive(path, "__d__", "test")
