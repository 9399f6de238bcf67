"""The fake device (fake_device.py), registered for the tests that ask for it."""
import pytest

from autograd_nlp import backend


@pytest.fixture
def fake():
    """Register the "fake" device for one test; yields its Device."""
    from fake_device import FAKE
    backend.register_device(FAKE)
    try:
        yield FAKE
    finally:
        backend.unregister_device("fake")
