import pytest

from tests.fixtures.studio import build_library


@pytest.fixture
def library(tmp_path):
    """(root, job folder): one job of 2 chapters x 3 segments, one clipped, an output file and a cover."""
    return build_library(tmp_path)
