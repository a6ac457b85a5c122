"""Shared test fixtures: paths to the shared corpus and evaluation set, skipped cleanly when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present on this machine")
    return SHARED


@pytest.fixture
def corpus_guide(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "smp-safety-guide.txt"
    if not path.exists():
        pytest.skip("the clinic guide corpus file is not present")
    return path
