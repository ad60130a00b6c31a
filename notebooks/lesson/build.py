"""Make the lesson's two notebooks from its one source, so that they cannot drift apart.

    python notebooks/lesson/build.py            # writes backprop-student.ipynb, -teacher.ipynb
    python notebooks/lesson/build.py --check    # exit 1 if the committed notebooks differ

The source, ``backprop.md``, is Markdown with code blocks; its first comment says how it is
annotated (which cells and lines belong to the students' version, the teacher's, or both). The
test suite checks that the committed notebooks are what this script makes.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "backprop.md"
VERSIONS = ("student", "teacher")
MARKS = {"# ---- student ----": "student", "# ---- teacher ----": "teacher",
         "# ---- end ----": None}
OPEN = {"<!-- student -->": "student", "<!-- teacher -->": "teacher"}
CLOSE = {"<!-- /student -->", "<!-- /teacher -->"}


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    lines: list[str]
    only: str | None = None  # "student", "teacher", or None: both
    options: dict[str, str] = field(default_factory=dict)  # a code block's: exercise, expect


def path_of(version: str) -> Path:
    return HERE / f"backprop-{version}.ipynb"


def parse(text: str) -> list[Cell]:
    """The source's cells, in order (a code cell keeps its student/teacher marks)."""
    cells: list[Cell] = []
    markdown: list[str] = []
    only: str | None = None

    def end_markdown() -> None:
        while markdown and not markdown[-1].strip():
            markdown.pop()
        while markdown and not markdown[0].strip():
            markdown.pop(0)
        if markdown:
            cells.append(Cell("markdown", list(markdown), only))
        markdown.clear()

    lines = iter(text.splitlines())
    for line in lines:
        stripped = line.strip()
        if stripped in OPEN or stripped in CLOSE:
            end_markdown()
            only = OPEN.get(stripped)
        elif stripped.startswith("<!--"):  # a comment for the source's readers: skipped
            while not line.strip().endswith("-->"):
                line = next(lines)
        elif stripped == "+++":
            end_markdown()
        elif stripped.startswith("```python"):
            end_markdown()
            words = shlex.split(stripped[len("```python"):])
            options = dict(word.split("=", 1) if "=" in word else (word, "") for word in words)
            code = []
            for line in lines:
                if line.strip() == "```":
                    break
                code.append(line)
            else:
                raise ValueError(f"{SOURCE.name}: a code block is not closed")
            cells.append(Cell("code", code, only, options))
        else:
            markdown.append(line)
    end_markdown()
    return cells


def code_for(cell: Cell, version: str) -> str:
    """A code cell's source in ``version``: the lines marked for the other version left out."""
    kept, owner = [], None
    for line in cell.lines:
        if line.strip() in MARKS:
            owner = MARKS[line.strip()]
        elif owner in (None, version):
            kept.append(line)
    return "\n".join(kept)


def notebook(cells: list[Cell], version: str) -> nbformat.NotebookNode:
    out = []
    for cell in cells:
        if cell.only not in (None, version):
            continue
        cell_id = f"{version[0]}{len(out):02d}"
        if cell.kind == "markdown":
            lines = cell.lines
            if cell.only == "teacher":  # set apart: a quotation, marked for the teacher
                lines = [f"> {line}".rstrip() for line in lines]
            out.append(nbformat.v4.new_markdown_cell("\n".join(lines), id=cell_id))
            continue
        metadata = {}
        if "exercise" in cell.options:
            metadata = {"tags": ["exercise"],
                        "lesson": {"student_error": cell.options.get("expect", "")}}
        out.append(nbformat.v4.new_code_cell(code_for(cell, version), id=cell_id,
                                             metadata=metadata))
    book = nbformat.v4.new_notebook(cells=out)
    book.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"},
                     "language_info": {"name": "python"}}
    return book


def build(source: Path = SOURCE) -> dict[str, str]:
    """``{version: the notebook's text}`` for both versions."""
    cells = parse(source.read_text(encoding="utf-8"))
    return {version: nbformat.writes(notebook(cells, version)) + "\n" for version in VERSIONS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only say whether the committed notebooks are up to date")
    args = parser.parse_args(argv)
    stale = []
    for version, text in build().items():
        path = path_of(version)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent.parent)}")
    if stale:
        print(f"out of date: {', '.join(stale)}: run python notebooks/lesson/build.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
