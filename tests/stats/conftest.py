import pytest


@pytest.fixture(scope="session")
def default_city():
    """The demo city at the default seed and scale (the calibrated one), generated once per session."""
    from zjtx.demo import generate

    return generate()
