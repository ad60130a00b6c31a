"""The project's set-up files agree with each other: pyproject.toml, environment.yml,
binder/environment.yml, Makefile, .ci/run."""

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


def environment(path="environment.yml"):
    yaml = pytest.importorskip("yaml")
    with open(ROOT / path) as file:
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


PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([0-9][^,;\s]*)\s*$")


def test_binder_environment_pins_every_dependency_at_a_version_pyproject_allows():
    """Binder and the class's JupyterHub image (repo2docker reads binder/ only) get exact
    versions; each must satisfy pyproject's bound, and none may be missing."""
    from packaging.version import Version

    project = pyproject()["project"]
    wanted = dict(parse(r) for r in project["dependencies"])
    pinned, python = {}, None
    for entry in environment("binder/environment.yml")["dependencies"]:
        if isinstance(entry, dict):  # the pip: section: exact pins only
            for requirement in entry["pip"]:
                match = PIN.match(requirement)
                assert match, f"binder/environment.yml: {requirement!r} is not name==version"
                name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
                pinned[name] = match.group(2)
        elif entry.startswith("python"):
            python = re.fullmatch(r"python\s*=\s*([0-9]+\.[0-9]+)", entry).group(1)
        else:
            assert entry == "pip", f"binder/environment.yml: {entry!r} from conda: pin it in pip:"
    assert set(wanted) <= set(pinned), f"not pinned for Binder: {set(wanted) - set(pinned)}"
    for name, bound in wanted.items():
        assert Version(pinned[name]) >= Version(bound.removeprefix(">=")), (name, bound)
    assert Version(python) >= Version(project["requires-python"].removeprefix(">="))
