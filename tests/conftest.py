"""Shared fixtures: no test writes into the user's real cache directory."""
import pytest

from autograd_nlp.data.paths import CACHE_ENV


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """Point ``$AUTOGRAD_NLP_CACHE`` at a temporary directory (PTB's id
    arrays are cached there, never in the data folder)."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("cache")))
