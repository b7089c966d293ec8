from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.models import Role


def role(request: HttpRequest) -> dict[str, Any]:
    """Template context: the user's role and what the navigation may show."""
    user = getattr(request, "user", None)
    r = scope.role_of(user)
    return {
        "zjtx_role": r,
        "zjtx_role_label": Role(r).label if r else "",
        "zjtx_can_import": scope.can_import(user),
        "zjtx_can_audit": scope.can_view_audit(user),
    }
