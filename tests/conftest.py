"""Test-suite wide settings."""

import pytest

from labnet.modules import MODULES


def pytest_collection_modifyitems(config, items):
    """The browser tests last: they are the slowest, and their Playwright session keeps an
    event loop running in the main thread until the end."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def registry():
    """``labnet.modules.MODULES``, the module registry: whatever a test registers is forgotten
    after it, so no test sees another's classes (the lab's palette lists the registry)."""
    saved = dict(MODULES)
    yield MODULES
    MODULES.clear()
    MODULES.update(saved)
