"""Test-suite wide settings."""


def pytest_collection_modifyitems(config, items):
    """The browser tests last: they are the slowest, and their Playwright session keeps an
    event loop running in the main thread until the end."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
