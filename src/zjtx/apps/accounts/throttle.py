"""Atomic login throttling per account and per source IP.

An attempt is *reserved* before the password is checked, by one conditional UPDATE
(``failures < limit`` and not locked): the database serialises the updates, so however many requests
arrive in parallel, at most ``limit`` of them get a password check. A failed check keeps its reservation
(and locks the key once the limit is reached); a successful one resets the account counter and gives
the IP reservation back. Counters restart after ``minutes`` without a lock.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from zjtx.apps.accounts.models import LoginLock

USER, IP = LoginLock.Kind.USER, LoginLock.Kind.IP


@dataclass(frozen=True)
class Limit:
    attempts: int
    minutes: int


def limit_for(kind: str) -> Limit:
    if kind == IP:
        return Limit(settings.ZJTX_IP_ATTEMPTS, settings.ZJTX_IP_LOCKOUT_MINUTES)
    return Limit(settings.ZJTX_LOCKOUT_ATTEMPTS, settings.ZJTX_LOCKOUT_MINUTES)


def client_ip(request: HttpRequest) -> str:
    """The source address: ``REMOTE_ADDR``, or the last ``X-Forwarded-For`` hop when the direct peer
    is one of ``ZJTX_TRUSTED_PROXIES`` (a reverse proxy in front of the WSGI server)."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    if remote in getattr(settings, "ZJTX_TRUSTED_PROXIES", ()):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            remote = hops[-1]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return remote[:45] or "unknown"


def _ensure(kind: str, key: str) -> None:
    if LoginLock.objects.filter(kind=kind, username=key).exists():
        return
    try:
        with transaction.atomic():
            LoginLock.objects.create(kind=kind, username=key)
    except IntegrityError:
        pass  # created by a parallel request


def reserve(kind: str, key: str) -> bool:
    """Take one attempt for ``key``; False when it is locked or its attempts are used up."""
    limit = limit_for(kind)
    key = key[:150]
    _ensure(kind, key)
    now = timezone.now()
    window = now - timedelta(minutes=limit.minutes)
    rows = LoginLock.objects.filter(kind=kind, username=key)
    # an expired lock, or a quiet window, starts a new count (idempotent under concurrency)
    rows.filter(Q(locked_until__lte=now) | Q(locked_until__isnull=True, window_start__lt=window)).update(
        failures=0, locked_until=None, window_start=now)
    taken = rows.filter(failures__lt=limit.attempts).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now)).update(
        failures=F("failures") + 1, last_failure=now)
    rows.filter(window_start__isnull=True).update(window_start=now)
    return taken == 1


def failed(kind: str, key: str) -> bool:
    """The reserved attempt failed; True when this failure locked ``key`` (exactly one caller sees it)."""
    limit = limit_for(kind)
    now = timezone.now()
    return LoginLock.objects.filter(kind=kind, username=key[:150], failures__gte=limit.attempts,
                                    locked_until__isnull=True).update(
        locked_until=now + timedelta(minutes=limit.minutes)) == 1


def succeeded(kind: str, key: str) -> None:
    """The reserved attempt succeeded: an account starts afresh, an IP gets its attempt back."""
    rows = LoginLock.objects.filter(kind=kind, username=key[:150])
    if kind == USER:
        rows.update(failures=0, locked_until=None, window_start=None)
    else:
        rows.filter(failures__gt=0).update(failures=F("failures") - 1)


def is_locked(kind: str, key: str) -> bool:
    return LoginLock.objects.filter(kind=kind, username=key[:150], locked_until__gt=timezone.now()).exists()


def unlock(kind: str, key: str) -> int:
    return LoginLock.objects.filter(kind=kind, username=key[:150]).update(failures=0, locked_until=None,
                                                                          window_start=None)
