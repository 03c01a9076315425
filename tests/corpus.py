"""The shared corpus of rendered pages with browser ground truth (`../shared/corpus`), which
lives beside the repository, not in it: tests that need it skip, saying so, where it is absent
(a clone made somewhere else)."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = (Path(__file__).resolve().parents[1].parent / "shared" / "corpus").resolve()


def corpus_dir() -> Path:
    """The corpus folder, or a skip of the calling test."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


def corpus_bytes(name: str) -> bytes:
    """One file of the corpus (`variants/...` for a variant), or a skip of the calling test."""
    return (corpus_dir() / name).read_bytes()
