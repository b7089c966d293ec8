"""Password rules beyond Django's validators: complexity, history (no reuse) and expiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone


class ComplexityValidator:
    """At least three of: lower case, upper case, digit, other character (等保2.0 口令复杂度)."""

    def validate(self, password: str, user: Any = None) -> None:
        classes = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                       any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))
        if classes < 3:
            raise ValidationError("口令须包含大写字母、小写字母、数字、符号中的至少三类", code="password_too_simple")

    def get_help_text(self) -> str:
        return "口令须包含大写字母、小写字母、数字、符号中的至少三类。"


class HistoryValidator:
    """A new password may not equal any of the user's last ``history`` passwords; every change is kept."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        from zjtx.apps.accounts.models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.history]
        if any(check_password(password, old) for old in recent):
            raise ValidationError(f"不能使用最近{self.history}次用过的口令", code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        record(user, self.history)

    def get_help_text(self) -> str:
        return f"不能使用最近{self.history}次用过的口令。"


def record(user: Any, history: int | None = None) -> None:
    """Keep ``user``'s current hash in the history (once) and only the last ``history`` ones."""
    from zjtx.apps.accounts.models import PasswordHistory

    if not user.has_usable_password():
        return
    if PasswordHistory.objects.filter(user=user).values_list("password", flat=True).first() != user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    history = history or getattr(settings, "ZJTX_PASSWORD_HISTORY", 5)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: max(history, 1)]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()


def changed_at(user: Any) -> datetime | None:
    from zjtx.apps.accounts.models import PasswordHistory

    last = PasswordHistory.objects.filter(user=user).values_list("changed_at", flat=True).first()
    return last or getattr(user, "date_joined", None)


def is_expired(user: Any) -> bool:
    """True when the password is older than ``ZJTX_PASSWORD_MAX_AGE_DAYS`` (0: never expires)."""
    days = getattr(settings, "ZJTX_PASSWORD_MAX_AGE_DAYS", 0)
    if not days or not user.has_usable_password():
        return False
    since = changed_at(user)
    return since is not None and timezone.now() - since > timedelta(days=days)
