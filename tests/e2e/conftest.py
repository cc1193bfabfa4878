import pytest

from tests.e2e.xserver import VirtualScreen


@pytest.fixture
def screen():
    """A real X display (Xvfb) of its own for one test."""
    s = VirtualScreen()
    yield s
    s.close()
