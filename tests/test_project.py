"""The project's set-up files agree with each other: pyproject.toml, environment.yml, Makefile,
.ci/run."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9][^,;\s]*)?\s*$")


def parse(requirement):
    """``"numpy>=1.24"`` → ``("numpy", ">=1.24")``; names normalised as pip does."""
    match = REQUIREMENT.match(requirement)
    assert match, f"cannot read requirement {requirement!r}"
    name, bound = match.groups()
    return re.sub(r"[-_.]+", "-", name).lower(), (bound or "").replace(" ", "")


def pyproject():
    tomllib = pytest.importorskip("tomllib")
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)


def environment():
    yaml = pytest.importorskip("yaml")
    with open(ROOT / "environment.yml") as file:
        return yaml.safe_load(file)


def test_environment_yml_lists_the_packages_of_pyproject_with_the_same_bounds():
    project = pyproject()["project"]
    wanted = dict(parse(r) for r in project["dependencies"])
    wanted.update(parse(r) for r in project["optional-dependencies"]["dev"])
    listed = {}
    for entry in environment()["dependencies"]:
        if isinstance(entry, dict):  # the pip: section
            listed.update(parse(r) for r in entry["pip"] if not r.startswith("-e"))
        else:
            listed.update([parse(entry)])
    python = listed.pop("python")
    listed.pop("pip")
    assert listed == wanted
    assert python == project["requires-python"]


def test_every_requirement_has_a_lower_bound():
    project = pyproject()["project"]
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        assert parse(requirement)[1].startswith(">="), requirement


def test_dev_extra_has_the_test_tools():
    dev = {parse(r)[0] for r in pyproject()["project"]["optional-dependencies"]["dev"]}
    assert {"pytest", "hypothesis", "nbclient", "ruff"} <= dev


def test_makefile_has_lab_and_test_targets():
    text = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([A-Za-z][\w-]*):", text, flags=re.MULTILINE))
    assert {"lab", "test"} <= targets
    test_recipe = text.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in test_recipe and "pytest" in test_recipe


def test_ci_run_is_executable_and_runs_make_test():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    lines = [line.strip() for line in ci.read_text().splitlines()]
    assert lines[0].startswith("#!")
    assert "make test" in lines
