"""Response headers beyond Django's SecurityMiddleware: Content-Security-Policy and Permissions-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    """Adds ``Content-Security-Policy`` (``ZJTX_CONTENT_SECURITY_POLICY``) and ``Permissions-Policy``
    (``ZJTX_PERMISSIONS_POLICY``) to every response that does not set them itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = getattr(settings, "ZJTX_CONTENT_SECURITY_POLICY", "")
        self.permissions = getattr(settings, "ZJTX_PERMISSIONS_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
