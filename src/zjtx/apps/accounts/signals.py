"""A new login ends the user's previous session (no concurrent logins)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
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


def connect() -> None:
    user_logged_in.connect(end_previous_session, dispatch_uid="zjtx-single-session")
