"""Model permissions by role (三权分立) for the admin site; password authentication as Django's.

* ``security_admin``: accounts (users, roles), login locks (unlock), two-factor devices (reset);
* ``system_admin``: configuration: 镇街 / 功能区 / 行业 reference data and cultivation settings;
* everyone else: no admin-site permission. Superusers keep Django's all-permissions (break glass).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from zjtx.apps.accounts.models import Role

ACCOUNT_MODELS = {"auth.user", "accounts.profile", "accounts.loginlock", "otp_totp.totpdevice"}
CONFIG_MODELS = {"enterprises.division", "enterprises.zone", "enterprises.industry",
                 "cultivation.poolcategory", "cultivation.servicetype", "cultivation.benefitrule",
                 "cultivation.updatedeadline", "cultivation.batchwindow", "cultivation.target"}
ACTIONS = ("view", "add", "change", "delete")
ROLE_MODELS = {Role.SECURITY_ADMIN: ACCOUNT_MODELS, Role.SYSTEM_ADMIN: CONFIG_MODELS}


def role_permissions(role: str | None) -> set[str]:
    out: set[str] = set()
    for label in ROLE_MODELS.get(role, set()):  # type: ignore[arg-type]
        app, model = label.split(".")
        out |= {f"{app}.{action}_{model}" for action in ACTIONS}
    return out


class RoleBackend(ModelBackend):
    """Django's username/password backend; permissions come from the role, not from groups."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        from zjtx.apps.accounts.scope import role_of

        return role_permissions(role_of(user_obj))

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self.get_all_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
