"""A picture of the lab for slides (``labnet.lab.export``): a PNG of the boundary, the curves and
the graph, written whole or not at all."""

import io
import os

import numpy as np
import pytest
from labtools import lab_from

from labnet.lab import Lab
from labnet.lab.export import _means, _norms, picture, write_file


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_a_picture_of_a_trained_lab_is_a_png_of_three_panels():
    lab = Lab(preset="figure1")
    lab.epoch()
    png = picture(lab.state, lab.display, grid=20, dpi=50)
    assert png_size(png) == (650, 210)
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png))
    assert np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0).shape[0] > 50  # drawn


def test_a_lab_with_no_network_yet_or_no_history_still_has_a_picture():
    lab = Lab(preset=None)
    png_size(picture(lab.state, lab.display, grid=10, dpi=40))
    lab = Lab()
    lab.show(discretize=True, test_points=False)
    png_size(picture(lab.state, lab.display, grid=10, dpi=40))


def test_a_file_is_written_whole(tmp_path):
    path = tmp_path / "lab.png"
    write_file(path, b"first")
    write_file(path, b"second")
    assert path.read_bytes() == b"second" and os.listdir(tmp_path) == ["lab.png"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "lab.png"
    write_file(path, b"old")

    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ValueError, match="No space left on device"):
        write_file(path, b"new")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["lab.png"]


def test_a_folder_that_does_not_exist_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot write"):
        write_file(tmp_path / "missing" / "lab.png", b"png")


def test_the_pictures_graph_shows_the_norms_of_a_lab_just_opened(tmp_path):
    """A lab opened from a file has no gradients until its next step: the borders take the
    history's last norms (they were all the palest colour)."""
    lab = Lab(preset="figure1")
    lab.step(30)
    lab.save(tmp_path / "lab.npz")
    opened = lab_from(tmp_path / "lab.npz")
    assert not opened.network.grads
    # (the last measured: the lab measures them every few steps)
    norms = _norms(opened.network, opened.history)
    assert norms.keys() == lab.network.grad_norms().keys() and min(norms.values()) > 0


def test_a_long_runs_batch_loss_is_drawn_as_the_means_of_its_runs():
    x, y = np.arange(1, 10_001), np.tile([1.0, 3.0], 5000)
    xs, ys = _means(x, y, points=100)
    assert len(xs) == 100 and xs[-1] == 10_000 and np.allclose(ys, 2.0)
    short = _means(x[:50], y[:50], points=100)  # a short run: drawn as it is
    assert np.array_equal(short[1], y[:50])


@pytest.mark.parametrize(("dataset", "colour"), [("blobs", (0x00, 0x9E, 0x73)),
                                                 ("reg-gauss", None)])
def test_a_picture_of_more_classes_or_a_regression_has_their_colours(dataset, colour):
    lab = Lab()
    lab.set_data(dataset=dataset, n_points=300)
    lab.epoch()
    for discretize in (False, True):
        lab.show(discretize=discretize)
        png = picture(lab.state, lab.display, grid=20, dpi=50)
        import matplotlib.image

        pixels = (matplotlib.image.imread(io.BytesIO(png))[..., :3] * 255).round()
        if colour is not None:  # class 2's points are green
            assert (np.abs(pixels - colour).max(axis=-1) < 8).sum() > 20
        else:  # targets from orange to blue
            assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 100

