"""Every notebook under notebooks/ runs top to bottom in a fresh python3 kernel; the lesson's
students' version fails exactly at its exercises, each with the message a student should see;
the lesson's two versions are what their one source makes.

A cell that raises fails the test with that cell's error (nbclient's ``CellExecutionError``).
"""

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSON = NOTEBOOKS / "lesson"
STUDENT = LESSON / "backprop-student.ipynb"
TEACHER = LESSON / "backprop-teacher.ipynb"
PATHS = [*sorted(p for p in NOTEBOOKS.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts),
         TEACHER]
"""The notebooks that run top to bottom without an error."""
SAVED = [*PATHS, STUDENT]


def execute(path: Path, allow_errors: bool = False) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     allow_errors=allow_errors,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


def errors_of(cell) -> list:
    return [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def test_there_are_notebooks_to_run():
    assert any(path.name == "01-seed-experiment.ipynb" for path in PATHS)
    assert STUDENT.exists() and TEACHER.exists()


@pytest.mark.parametrize("path", PATHS, ids=[path.name for path in PATHS])
def test_notebook_runs_top_to_bottom(path):
    notebook = execute(path)
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in errors_of(cell)]
    assert not errors


@pytest.mark.parametrize("path", SAVED, ids=[path.name for path in SAVED])
def test_notebook_is_saved_without_outputs_and_with_a_kernelspec(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    stored = [i for i, cell in enumerate(notebook.cells)
              if cell.cell_type == "code" and (cell.outputs or cell.execution_count)]
    assert not stored, f"cells {stored} were saved with outputs: clear them before committing"


# -- the lesson ---------------------------------------------------------------------------------

def exercise_cells(notebook) -> dict[int, str]:
    """``{cell index: the message its check gives until it is solved}``."""
    return {i: cell.metadata["lesson"]["student_error"] for i, cell in enumerate(notebook.cells)
            if "exercise" in cell.metadata.get("tags", [])}


@pytest.fixture(scope="module")
def students_run() -> tuple[nbformat.NotebookNode, int]:
    """The students' lesson run to its end as a student runs it (each exercise failing, the
    cells after it run anyway), then each exercise solved there, at the end: the teacher's
    solution run after every later cell has changed the shared lab. Returns the notebook run
    and how many cells it had before the solutions were added."""
    student = nbformat.read(STUDENT, as_version=4)
    teacher = nbformat.read(TEACHER, as_version=4)
    lesson_cells = len(student.cells)
    student.cells += [teacher.cells[i] for i in exercise_cells(teacher)]
    LESSON_RUN.write_text(nbformat.writes(student), encoding="utf-8")
    try:
        return execute(LESSON_RUN, allow_errors=True), lesson_cells
    finally:
        LESSON_RUN.unlink()


LESSON_RUN = LESSON / ".students-run.ipynb"


def test_the_students_lesson_fails_exactly_at_its_exercises_with_their_messages(students_run):
    run, lesson_cells = students_run
    notebook = nbformat.v4.new_notebook(cells=run.cells[:lesson_cells])
    exercises = exercise_cells(notebook)
    assert len(exercises) == 4 and all(exercises.values())
    failed = {i: errors_of(cell) for i, cell in enumerate(notebook.cells)
              if cell.cell_type == "code" and errors_of(cell)}
    assert set(failed) == set(exercises), "only the exercise cells may fail, and each must"
    for i, expected in exercises.items():
        (error,) = failed[i]
        assert error["ename"] == "NotSolvedYet"
        assert expected in error["evalue"], (expected, error["evalue"])
        shown = "\n".join(error["traceback"])
        assert len(error["traceback"]) == 1 and "exercises.py" not in shown  # the message alone


def test_each_exercise_can_be_solved_after_the_cells_after_it_have_run(students_run):
    """A student runs on past an exercise ("the cells after it work either way") and comes
    back: the check still measures what the exercise asks about (exercise 4: the deep sigmoid
    stack, though a later cell loaded the skip preset into the lab)."""
    run, lesson_cells = students_run
    solved = run.cells[lesson_cells:]
    assert len(solved) == 4
    for number, cell in enumerate(solved, 1):
        assert not errors_of(cell), (number, errors_of(cell))
        said = "".join(output.get("text", "") for output in cell.outputs)
        assert f"✓ Exercise {number}" in said, (number, said)


def test_the_teachers_lesson_solves_every_exercise():
    teacher = nbformat.read(TEACHER, as_version=4)
    student = nbformat.read(STUDENT, as_version=4)
    solved, unsolved = exercise_cells(teacher), exercise_cells(student)
    assert list(solved.values()) == list(unsolved.values())
    sources = [teacher.cells[i].source for i in solved]
    assert not any("NotImplementedError" in source or "= ..." in source for source in sources)
    assert all("# ----" not in cell.source for book in (teacher, student) for cell in book.cells)


def test_the_students_lesson_has_no_teachers_notes_or_solutions():
    student = "\n".join(cell.source for cell in nbformat.read(STUDENT, as_version=4).cells)
    teacher = "\n".join(cell.source for cell in nbformat.read(TEACHER, as_version=4).cells)
    for secret in ("For the teacher", "**Part 3 · 10 min.**", "self.x.T @ grad_out",
                   "my_dx = [0.75, 0.375]", "Answers to the exit question"):
        assert secret in teacher and secret not in student, secret


def test_the_teachers_plan_adds_up_to_45_minutes_and_each_part_says_its_time():
    text = "\n".join(cell.source for cell in nbformat.read(TEACHER, as_version=4).cells)
    plan = {int(part): int(minutes) for part, minutes in
            re.findall(r"^> \| (\d) \| [^|]+ \| (\d+) \|$", text, flags=re.MULTILINE)}
    assert sum(plan.values()) == 45 and "**total** | **45**" in text
    notes = {int(part): int(minutes) for part, minutes in
             re.findall(r"\*\*Part (\d) · (\d+) min\.\*\*", text)}
    assert notes == plan


def test_the_lesson_notebooks_are_what_build_py_makes_from_the_source():
    spec = importlib.util.spec_from_file_location("lesson_build", LESSON / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build  # (its dataclass looks its module up there)
    try:
        spec.loader.exec_module(build)
    finally:
        del sys.modules[spec.name]
    made = build.build()
    assert made["student"] == STUDENT.read_text(encoding="utf-8"), (
        "backprop-student.ipynb is out of date: run python notebooks/lesson/build.py")
    assert made["teacher"] == TEACHER.read_text(encoding="utf-8"), (
        "backprop-teacher.ipynb is out of date: run python notebooks/lesson/build.py")
    assert build.main(["--check"]) == 0
