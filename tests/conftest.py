import os

import pytest

os.environ.setdefault("POLARS_MAX_THREADS", "2")


@pytest.fixture(scope="session")
def default_city():
    """The demo city at the default seed and scale (the calibrated one), generated once per session."""
    from zjtx.demo import generate

    return generate()
