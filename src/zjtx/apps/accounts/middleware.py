"""Per-request audit context, idle session timeout and the Chinese-first locale."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from zjtx.apps.accounts.audit import audit_context


class AuditContextMiddleware:
    """Every audited change during a request carries the user and one request id (also sent as X-Request-ID)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else ("admin" if request.path.startswith("/admin/") else "web")
        request.zjtx_request_id = request_id  # type: ignore[attr-defined]
        with audit_context(getattr(request, "user", None), request_id, source):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class IdleTimeoutMiddleware:
    """Log out a session idle for longer than ``ZJTX_IDLE_TIMEOUT_SECONDS`` (server side).

    The last-activity time is written at most once a minute, so polling pages (import progress)
    do not write the session on every request.
    """

    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get("zjtx_last_seen")
            limit = getattr(settings, "ZJTX_IDLE_TIMEOUT_SECONDS", 1800)
            if last is not None and now - float(last) > limit:
                logout(request)
                request.zjtx_idle_expired = True  # type: ignore[attr-defined]
            elif (last is None or now - float(last) > self.TOUCH_EVERY) and not request.path.endswith("/progress/"):
                request.session["zjtx_last_seen"] = now
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language (language cookie): the browser's
    Accept-Language is ignored, so an English-configured browser still gets the Chinese UI."""

    def process_request(self, request: HttpRequest) -> None:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
