"""Writing files whole or not at all: a save that fails leaves the old file and no temporary
file; modes and symbolic links are kept; archives never pickle."""

import errno
import os
import stat

import numpy as np
import pytest
from filetools import assert_same_network, saved_figure1

import labnet as ln
from labnet.writing import write_archive


def test_a_save_that_fails_half_way_leaves_the_old_file_and_no_temporary_file(tmp_path,
                                                                               monkeypatch):
    path = tmp_path / "net.npz"
    net = saved_figure1(path)
    good = path.read_bytes()
    write_array = np.lib.format.write_array

    def disk_full(file, array, **options):
        write_array(file, array, **options)  # some bytes reach the file, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(np.lib.format, "write_array", disk_full)
    with pytest.raises(ln.InputError, match=r"cannot write .*net.npz': No space left on device; "
                                            r"the file was left as it was"):
        ln.save(ln.PRESETS["figure1"](1), path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]
    monkeypatch.undo()
    assert_same_network(ln.load(path), net)


def test_a_save_over_the_file_size_limit_leaves_the_old_file(tmp_path):
    resource = pytest.importorskip("resource")
    path = tmp_path / "net.npz"
    ln.save(ln.Sequential(ln.Linear(2, 2, rng=0)), path)
    good = path.read_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(good) + 1000, hard))
    try:
        with pytest.raises(ln.InputError, match=r"File too large"):
            ln.save(ln.PRESETS["figure1"](0), path)  # far bigger than the limit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_saving_over_a_file_keeps_its_mode_and_writes_through_a_symbolic_link(tmp_path):
    target, link = tmp_path / "real.npz", tmp_path / "link.npz"
    saved_figure1(target)
    target.chmod(0o640)
    link.symlink_to(target)
    net = saved_figure1(link, seed=5)
    assert link.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert_same_network(ln.load(target), net)


def test_saving_into_a_missing_folder_says_why(tmp_path):
    with pytest.raises(ln.InputError, match=r"cannot write .*: No such file or directory"):
        ln.save(ln.PRESETS["seed"](0), tmp_path / "no" / "net.npz")


def test_write_archive_refuses_arrays_of_objects_which_would_need_pickle(tmp_path):
    with pytest.raises(ln.InputError, match=r"'x' holds Python objects"):
        write_archive(tmp_path / "a.npz", {"x": np.array([{}, []], dtype=object)})
    with pytest.raises(ln.InputError, match=r"other than 'file' and 'allow_pickle', got 'file'"):
        write_archive(tmp_path / "a.npz", {"file": np.zeros(2)})  # np.savez's own arguments
    assert list(tmp_path.iterdir()) == []
