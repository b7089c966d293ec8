"""A new login ends the user's previous session (no concurrent logins); every logout is audited."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest


def end_previous_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from zjtx.apps.accounts.models import UserSession

    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    previous = UserSession.objects.filter(user=user).values_list("session_key", flat=True).first()
    if previous and previous != key:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        store(session_key=previous).delete()
    UserSession.objects.update_or_create(user=user, defaults={"session_key": key})


def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every logout — the site's button, the admin's, the idle timeout — is one audit entry with the IP."""
    if user is None:
        return
    from zjtx.apps.accounts.audit import log
    from zjtx.apps.accounts.models import AuditEntry
    from zjtx.apps.accounts.throttle import client_ip

    reason = "idle" if request is not None and getattr(request, "zjtx_idle_expired", False) else "user"
    log(AuditEntry.Action.LOGOUT, user=user, object_repr=user.get_username(), model="auth.User",
        ip=client_ip(request) if request is not None else "", after={"reason": reason})


def connect() -> None:
    user_logged_in.connect(end_previous_session, dispatch_uid="zjtx-single-session")
    user_logged_out.connect(audit_logout, dispatch_uid="zjtx-audit-logout")
