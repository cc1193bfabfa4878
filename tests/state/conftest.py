import pytest

from latentlab.state.app import AppState
from latentlab.state.model_settings import ModelSettings


@pytest.fixture
def app():
    """The application's state, headless, on a small toy dataset with a small model."""
    state = AppState()
    state.session.model_settings = ModelSettings("vae", hidden=(16,))
    assert state.session.set_dataset("ring8")
    return state
