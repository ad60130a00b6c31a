"""Where the page's files go (``labnet.lab.pagefiles``): in the app (``LABNET_FILES=browser``)
nowhere on the server (Save and Export picture are downloads, Open an upload); elsewhere only in
the notebook's folder once symbolic links are resolved (a link to outside, a link inside that
points out, a dangling link, a link swapped in between the check and the write), and no more in
all than the page's cap. A notebook's own calls are not limited."""

from __future__ import annotations

import os

import pytest

from labnet.lab import Lab, pagefiles
from labnet.lab.files import open_lab
from labnet.lab.pagefiles import BROWSER, SERVER, PageFolder, mode_from_environment


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    """The notebook's folder (the kernel's working folder), beside a folder outside it."""
    (tmp_path / "notebook").mkdir()
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(tmp_path / "notebook")
    monkeypatch.delenv(pagefiles.VARIABLE, raising=False)
    return tmp_path / "notebook"


def listing(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


class Downloads(list):
    def __call__(self, name, content):
        self.append((name, bytes(content)))


def page_lab(monkeypatch, mode=None) -> tuple[Lab, Downloads]:
    if mode is not None:
        monkeypatch.setenv(pagefiles.VARIABLE, mode)
    lab = Lab()
    downloads = Downloads()
    monkeypatch.setattr(lab.widget, "offer_download", downloads)
    return lab, downloads


def page(lab: Lab, action: str, **args) -> str:
    """Run an intent as the page sends it; the lab's message (a refusal is an error there)."""
    lab.widget.run(action, args)
    return lab.widget.message.get("text", "")


@pytest.mark.parametrize(("value", "mode"), [(None, SERVER), ("", SERVER), ("server", SERVER),
                                              ("browser", BROWSER), ("Browser ", BROWSER),
                                              ("anything else", BROWSER)])
def test_the_server_says_where_the_pages_files_go_and_the_safe_side_wins(monkeypatch, value,
                                                                          mode):
    if value is None:
        monkeypatch.delenv(pagefiles.VARIABLE, raising=False)
    else:
        monkeypatch.setenv(pagefiles.VARIABLE, value)
    assert mode_from_environment() == mode


# -- the app: no server file ---------------------------------------------------------------------
def test_in_the_app_save_is_a_download_and_writes_nothing_on_the_server(notebook, tmp_path,
                                                                        monkeypatch):
    lab, downloads = page_lab(monkeypatch, BROWSER)
    lab.step(5)
    before = listing(tmp_path)
    words = page(lab, "save", path="runs/my-lab.npz")
    assert "downloads" in words and not lab.widget.message.get("error")
    assert listing(tmp_path) == before
    [(name, content)] = downloads
    assert name == "my-lab.npz"
    state, _display = open_lab(name, content)  # the lab itself, as a file would hold it
    assert state.trainer.steps == lab.state.trainer.steps == 5


def test_in_the_app_export_picture_is_a_download_only(notebook, tmp_path, monkeypatch):
    lab, downloads = page_lab(monkeypatch, BROWSER)
    before = listing(tmp_path)
    page(lab, "export_picture", path="slide.png")
    assert listing(tmp_path) == before
    assert [name for name, _ in downloads] == ["slide.png"]
    assert downloads[0][1].startswith(b"\x89PNG")


def test_in_the_app_open_reads_no_server_file_and_takes_an_upload(notebook, monkeypatch):
    saved = Lab()
    saved.step(7)
    saved.save(notebook / "there.npz")  # (a notebook's call: the user's own file)
    lab, _downloads = page_lab(monkeypatch, BROWSER)
    words = page(lab, "open", path="there.npz")
    assert "from your computer" in words and lab.widget.message["error"]
    assert lab.state.trainer.steps == 0  # nothing read, nothing changed
    lab.widget.run("open_upload", {"name": "mine.npz"},
                   buffers=[memoryview((notebook / "there.npz").read_bytes())])
    assert lab.state.trainer.steps == 7 and "Opened mine.npz" in lab.widget.message["text"]


@pytest.mark.parametrize(("content", "words"), [
    (b"not a zip at all", "not an .npz archive"),
    (b"PK" + bytes(pagefiles.MAX_UPLOAD), "up to 8 MB"),
])
def test_an_upload_is_an_untrusted_file(notebook, monkeypatch, content, words):
    lab, _downloads = page_lab(monkeypatch, BROWSER)
    lab.step(2)
    lab.widget.run("open_upload", {"name": "bad.npz"}, buffers=[content])
    assert words in lab.widget.message["text"] and lab.widget.message["error"]
    assert lab.state.trainer.steps == 2


def test_a_page_that_sets_the_files_trait_changes_nothing(notebook, tmp_path, monkeypatch):
    lab, downloads = page_lab(monkeypatch, BROWSER)
    assert lab.widget.files == BROWSER
    lab.widget.files = SERVER  # (what a page could send: the trait is the page's to show)
    before = listing(tmp_path)
    page(lab, "save", path="x.npz")
    assert listing(tmp_path) == before and len(downloads) == 1


# -- JupyterLab: the notebook's folder, links resolved ------------------------------------------
def test_in_jupyterlab_the_page_saves_and_opens_in_the_notebooks_folder(notebook, monkeypatch):
    lab, downloads = page_lab(monkeypatch)
    lab.step(3)
    (notebook / "runs").mkdir()
    assert "Saved runs/a.npz" in page(lab, "save", path="runs/a.npz")
    assert (notebook / "runs" / "a.npz").is_file() and downloads == []
    lab.step(2)
    assert "Opened" in page(lab, "open", path="runs/a.npz")
    assert lab.state.trainer.steps == 3


def test_a_link_to_a_folder_outside_is_refused(notebook, tmp_path, monkeypatch):
    lab, _downloads = page_lab(monkeypatch)
    (notebook / "out").symlink_to(tmp_path / "outside")
    assert "leads outside the notebook's folder" in page(lab, "save", path="out/x.npz")
    assert listing(tmp_path / "outside") == {}


def test_a_link_inside_that_points_out_is_refused_both_ways(notebook, tmp_path, monkeypatch):
    outside = tmp_path / "outside" / "theirs.npz"
    Lab().save(outside)
    before = outside.read_bytes()
    (notebook / "mine.npz").symlink_to(outside)
    lab, _downloads = page_lab(monkeypatch)
    lab.step(4)
    assert "leads outside" in page(lab, "save", path="mine.npz", replace=True)
    assert outside.read_bytes() == before
    assert "leads outside" in page(lab, "open", path="mine.npz")
    assert lab.state.trainer.steps == 4
    (notebook / "sub").mkdir()
    (notebook / "sub" / "up").symlink_to(tmp_path)  # a folder link two levels up
    assert "leads outside" in page(lab, "save", path="sub/up/outside/x.npz")


def test_a_dangling_link_is_followed_only_inside(notebook, tmp_path, monkeypatch):
    lab, _downloads = page_lab(monkeypatch)
    (notebook / "gone.npz").symlink_to(tmp_path / "outside" / "new.npz")
    assert "leads outside" in page(lab, "save", path="gone.npz")
    assert not (tmp_path / "outside" / "new.npz").exists()
    (notebook / "later.npz").symlink_to(notebook / "kept.npz")  # dangling, inside
    assert "Saved" in page(lab, "save", path="later.npz")
    assert (notebook / "kept.npz").is_file()


def test_a_link_inside_to_a_file_inside_opens(notebook, monkeypatch):
    saved = Lab()
    saved.step(6)
    saved.save(notebook / "real.npz")
    (notebook / "alias.npz").symlink_to(notebook / "real.npz")
    lab, _downloads = page_lab(monkeypatch)
    assert "Opened" in page(lab, "open", path="alias.npz")
    assert lab.state.trainer.steps == 6


def swap_after_the_check(monkeypatch, swap):
    """Make ``swap()`` happen right after the page's path was checked (links resolved)."""
    resolve = os.path.realpath

    def realpath(path, *args, **kwargs):
        real = resolve(path, *args, **kwargs)
        if str(path).endswith(".npz"):
            swap()
        return real
    monkeypatch.setattr(pagefiles.os.path, "realpath", realpath)


def test_a_folder_swapped_for_a_link_after_the_check_is_not_followed(notebook, tmp_path,
                                                                     monkeypatch):
    lab, _downloads = page_lab(monkeypatch)
    (notebook / "runs").mkdir()

    def swap():
        (notebook / "runs").rename(notebook / "runs-before")
        (notebook / "runs").symlink_to(tmp_path / "outside")
    swap_after_the_check(monkeypatch, swap)
    words = page(lab, "save", path="runs/x.npz")
    assert "changed into a link" in words and lab.widget.message["error"]
    assert listing(tmp_path / "outside") == {}


def test_a_file_swapped_for_a_link_after_the_check_is_replaced_not_followed(notebook, tmp_path,
                                                                            monkeypatch):
    outside = tmp_path / "outside" / "theirs.npz"
    outside.write_bytes(b"their file")
    lab, _downloads = page_lab(monkeypatch)
    swap_after_the_check(monkeypatch, lambda: (notebook / "x.npz").symlink_to(outside))
    page(lab, "save", path="x.npz", replace=True)
    assert outside.read_bytes() == b"their file"
    assert (notebook / "x.npz").is_file() and not (notebook / "x.npz").is_symlink()
    monkeypatch.undo()  # (the next swap: for reading)
    monkeypatch.chdir(notebook)
    swap_after_the_check(monkeypatch, lambda: ((notebook / "x.npz").unlink(),
                                               (notebook / "x.npz").symlink_to(outside)))
    assert "changed into a link" in page(lab, "open", path="x.npz")


def test_what_the_page_writes_is_capped_and_the_refusal_says_so(notebook, monkeypatch):
    lab, _downloads = page_lab(monkeypatch)
    page(lab, "save", path="one.npz")
    size = (notebook / "one.npz").stat().st_size
    lab.page_files.folder.max_written = int(size * 1.5)
    words = page(lab, "save", path="two.npz")
    assert "may write" in words and "fills the server's disk" in words
    assert lab.widget.message["error"] and not (notebook / "two.npz").exists()
    assert "lab.save(path)" in words  # (what to do instead)


def test_a_notebooks_own_call_is_not_limited(notebook, tmp_path, monkeypatch):
    lab, _downloads = page_lab(monkeypatch)
    lab.page_files.folder.max_written = 0
    lab.save(tmp_path / "outside" / "mine.npz")  # the user's own Python, with its rights
    assert (tmp_path / "outside" / "mine.npz").is_file()


def test_a_page_folder_of_its_own_writes_there(tmp_path):
    folder = PageFolder(tmp_path)
    folder.write("a.npz", b"123", replace=False)
    assert (tmp_path / "a.npz").read_bytes() == b"123" and folder.written == 3
    assert folder.read("a.npz", 10) == b"123"
    with pytest.raises(ValueError, match="longer than"):
        folder.read("a.npz", 2)


@pytest.mark.parametrize("doing", ["save", "open", "export_picture"])
def test_a_long_name_is_echoed_cut_short(notebook, monkeypatch, doing):
    lab, _downloads = page_lab(monkeypatch)
    folder = "f" * 3000  # (no such folder: refused, echoing the name and the folder)
    with pytest.raises(ValueError, match=r"cannot (open|write) 'f+\.\.\.") as refused:
        getattr(lab, doing)(f"{folder}/{'n' * 1000}.{'png' if 'pic' in doing else 'npz'}",
                            from_page=True)
    assert len(str(refused.value)) < 300
