"""The plan fixture for job tests (builders are in tests/fixtures/jobs.py)."""

import pytest

from tests.fixtures.jobs import book_plan


@pytest.fixture
def plan():
    return book_plan()
