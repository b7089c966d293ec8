"""Schemathesis over the whole OpenAPI schema: positive and negative examples for every operation, sent
through the real Django WSGI application as a logged-in city administrator (session + CSRF), with a
bounded, deterministic number of examples. The only check: no server error (no 5xx) on any call."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from webtest_helpers import XIAOLAN, uscc

from zjtx.web.api import api

pytestmark = [pytest.mark.django_db]

MAX_EXAMPLES = 12  # per operation and generation mode (positive / negative)

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()
# the session cookie is ours: schemathesis must not generate (or drop) the security parameters itself
schema.config.generation.update(with_security_parameters=False)
CALLS: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()
SERVER_ERRORS: list[str] = []


@pytest.fixture
def _keep_test_connection():
    """The real WSGI handler closes "old" connections around each request; inside the test transaction
    that would roll the test data back. Django's own test client disconnects the same signal."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def session_headers(client, make_user, _keep_test_connection):
    from zjtx.apps.enterprises.models import AnnualReport, Enterprise

    e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN, industry="C3919",
                                  contact_name="张三", contact_phone="13812345678")
    AnnualReport.objects.create(enterprise=e, year=2024, employees=10, revenue=1000)
    client.force_login(make_user("fuzz_admin", "city_admin"))
    token = _get_new_csrf_string()
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
            "headers": {"X-CSRFToken": token}}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_anywhere_in_the_api(case, session_headers) -> None:
    response = case.call(**session_headers)
    CALLS[case.operation.label] += 1
    STATUSES[response.status_code] += 1
    if response.status_code >= 500:
        SERVER_ERRORS.append(f"{case.operation.label} → {response.status_code}: {response.text[:300]}")
    case.validate_response(response, checks=[not_a_server_error])
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/json"), (case.operation.label, response.status_code, content_type)


def test_schemathesis_covered_every_operation_without_server_errors() -> None:
    """Runs after the parametrized test (same module, file order): every operation was called."""
    operations = {op.ok().label for op in schema.get_all_operations()}
    assert CALLS, "the schemathesis test did not run"
    assert operations <= set(CALLS), operations - set(CALLS)
    assert not SERVER_ERRORS
    # the session really was authenticated: most calls got past the login (2xx or a validation answer)
    assert STATUSES[401] < sum(CALLS.values()) / 2, STATUSES
    assert sum(n for code, n in STATUSES.items() if code < 300) > 0, STATUSES
    print(f"\nschemathesis: {sum(CALLS.values())} calls over {len(CALLS)} operations, 0 server errors; "
          f"status codes {dict(sorted(STATUSES.items()))}")
