"""Fixtures shared by the core tests."""

import pytest
import torch


@pytest.fixture
def one_thread():
    """Tiny matrices: a second thread only adds waiting on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
