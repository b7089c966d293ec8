"""Per-request audit context (user, request id, source IP), idle session timeout, the account policy
(two-factor enrolment, password expiry), security headers (CSP …) and the Chinese-first locale."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
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
        from zjtx.apps.accounts.throttle import client_ip

        with audit_context(getattr(request, "user", None), request_id, source, client_ip(request),
                           request.get_full_path()[:500]):
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
                request.zjtx_idle_expired = True  # type: ignore[attr-defined]
                logout(request)
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


class AccountPolicyMiddleware:
    """Before anything else, a logged-in user whose role requires two-factor login enrols (or enters
    the code), and a user whose password has expired changes it. Pages redirect; the API answers 403."""

    ALWAYS = ("/accounts/logout/", "/accounts/2fa/", "/accounts/password/", "/accounts/login/", "/static/",
              "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.ALWAYS):
            target, message = self._required(user)
            if target:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message, "errors": [message]}, status=403,
                                        json_dumps_params={"ensure_ascii": False})
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _required(user: object) -> tuple[str, str]:
        from django_otp import user_has_device

        from zjtx.apps.accounts import scope
        from zjtx.apps.accounts.passwords import is_expired

        if scope.requires_two_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
            if user_has_device(user, confirmed=True):
                return "accounts:two_factor_verify", "请先完成双因素认证"
            return "accounts:two_factor_setup", "本账号须先启用双因素认证"
        if is_expired(user):
            return "accounts:password_change", "口令已过期，请先修改口令"
        return "", ""
