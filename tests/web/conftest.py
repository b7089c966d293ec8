"""Django test setup for the platform.

* ``DJANGO_SETTINGS_MODULE`` is set here, before Django loads (pyproject is not touched).
* Database: SQLite by default. When ``ZJTX_TEST_DATABASE_URL`` is set, the WHOLE module tree runs on
  that server instead (``DATABASE_URL`` is set from it) and the tests marked ``postgres`` are selected;
  an unreachable server makes the tests error/fail, never skip. Without the variable, tests marked
  ``postgres`` that need PostgreSQL itself are deselected (not skipped).
"""

from __future__ import annotations

import os
import tempfile

_PG_URL = os.environ.get("ZJTX_TEST_DATABASE_URL", "").strip()
os.environ["DJANGO_SETTINGS_MODULE"] = "zjtx.web.settings"
os.environ.setdefault("ZJTX_DATA_DIR", os.path.join(tempfile.gettempdir(), "zjtx-test"))  # SQLite tests use :memory:
if _PG_URL:
    os.environ["DATABASE_URL"] = _PG_URL
else:
    os.environ.pop("DATABASE_URL", None)

# Background jobs run at once inside the test (django-tasks' ImmediateBackend); the tests of the queue
# itself (tests/web/test_web_jobs.py) switch to the database backend and run the worker.
os.environ.setdefault("ZJTX_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

import django  # noqa: E402

django.setup()

import pytest  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _PG_URL:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: needs the PostgreSQL server of ZJTX_TEST_DATABASE_URL")
    config.addinivalue_line("markers", "two_factor: two-factor login enforced as in production")


@pytest.fixture
def make_user(db):
    """Create a user with a role (and 镇街 / enterprise for scoped roles)."""
    from zjtx.apps.accounts.models import Profile

    def make(username: str, role: str, division: str | None = None, enterprise=None,
             password: str | None = None):
        """``password=None`` gives an unusable password (tests log in with ``force_login``; no Argon2 cost)."""
        user = get_user_model().objects.create_user(username, password=password)
        Profile.objects.create(user=user, role=role, division_id=division, enterprise=enterprise)
        return user

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Pages cache what they computed (dashboard fragment, briefing) in the process cache: each test
    starts without what an earlier test left there."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _account_policy(request, settings):
    """Most tests sign in with ``force_login`` (no password, no TOTP step): two-factor enforcement is
    switched off for them. Tests of the login itself mark themselves ``two_factor`` and get it on."""
    settings.ZJTX_2FA_ENFORCED = request.node.get_closest_marker("two_factor") is not None


@pytest.fixture(autouse=True)
def _audit_guard(request):
    """The audit table is insert-only by database trigger. A transactional test ends with a flush
    (DELETE/TRUNCATE of every table), so for those tests the guard is lifted after the test and put
    back before the next one."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    from django.db import connection

    from zjtx.apps.accounts import dbguard

    transactional = bool(marker.kwargs.get("transaction")) or "live_server" in request.fixturenames
    if transactional:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    dbguard.install(connection)
    yield
    if transactional:
        dbguard.remove(connection)
