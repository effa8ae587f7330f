"""One local CloudFormation engine for the whole test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .engine import Engine, running_engine


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    with running_engine() as started:
        yield started
