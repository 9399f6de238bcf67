"""Fixtures for the data tests.

Every test here gets its own empty ``$AUTOGRAD_NLP_CACHE`` so nothing is
written to ``~/.cache``. The real Penn Treebank is only used when
``$AUTOGRAD_NLP_DATA`` points at a directory holding it (CI sets it to the
shared data directory); otherwise those tests are skipped with the reason.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograd_nlp.data.paths import CACHE_ENV, DATA_ENV, find_dataset_dir

PTB_FILES = ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty cache directory for this test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    return cache


@pytest.fixture
def ptb_data_dir() -> Path:
    """The real data directory from ``$AUTOGRAD_NLP_DATA`` (skip when absent)."""
    root = os.environ.get(DATA_ENV, "")
    if not root:
        pytest.skip(f"${DATA_ENV} is not set; set it to a directory holding ptb/ptb.*.txt "
                    "to run the real-PTB tests")
    if find_dataset_dir(root, "ptb", PTB_FILES) is None:
        pytest.skip(f"${DATA_ENV}={root} holds no ptb.{{train,valid,test}}.txt "
                    "(in ptb/ or directly)")
    return Path(root)
