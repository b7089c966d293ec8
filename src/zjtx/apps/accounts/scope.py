"""The ONE place where who-may-see-and-edit-what is decided.

Every view, export and API endpoint goes through these functions:

* ``city_admin`` / ``city_staff``: all enterprises, may edit and import;
* ``town_officer``: only enterprises of the officer's own 镇街 (see and edit);
* ``enterprise_user``: only its own enterprise (see and edit its data);
* ``analyst``: reads everything city-wide, edits nothing, never sees contacts;
* ``auditor`` (审计管理员): reads everything (contacts masked), edits nothing, reads and exports the audit log;
* ``system_admin`` (系统管理员): configuration (reference data, service types, targets …) in the admin site;
  no registry data, no accounts, no audit log;
* ``security_admin`` (安全管理员): accounts, roles, unlocks and two-factor resets in the admin site;
  no registry data, no configuration, no audit log (三权分立: none of the three can do another's work);
* anyone else (no role): nothing.

Superusers count as city administrators; they are the break-glass account created by ``bootstrap``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from zjtx.apps.accounts.models import Role

READ_ALL = {Role.CITY_ADMIN, Role.CITY_STAFF, Role.AUDITOR, Role.ANALYST}
EDIT_ALL = {Role.CITY_ADMIN, Role.CITY_STAFF}
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
# Roles whose accounts must use two-factor login (TOTP); others may enrol.
TWO_FACTOR_ROLES = {Role.CITY_ADMIN, Role.CITY_STAFF, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}


def role_of(user: Any) -> str | None:
    """The user's role; superusers are city administrators; anonymous users have none."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if user.is_superuser:
        return Role.CITY_ADMIN
    profile = getattr(user, "zjtx_profile", None)
    try:
        return profile.role if profile is not None else None
    except Exception:
        return None


def _profile(user: Any) -> Any:
    try:
        return user.zjtx_profile
    except Exception:
        return None


def scope_enterprises(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """``qs`` (default: all enterprises) restricted to what ``user`` may see."""
    from zjtx.apps.enterprises.models import Enterprise

    qs = Enterprise.objects.all() if qs is None else qs
    role = role_of(user)
    if role in READ_ALL:
        return qs
    profile = _profile(user)
    if role == Role.TOWN_OFFICER and profile is not None and profile.division_id:
        return qs.filter(division_id=profile.division_id)
    if role == Role.ENTERPRISE_USER and profile is not None and profile.enterprise_id:
        return qs.filter(pk=profile.enterprise_id)
    return qs.none()


def scope_related(user: Any, qs: QuerySet, via: str = "enterprise") -> QuerySet:
    """Rows linked to an enterprise (annual reports, titles …) restricted to the user's enterprises."""
    return qs.filter(**{f"{via}__in": scope_enterprises(user).values("pk")})


def can_view(user: Any, enterprise: Any) -> bool:
    return scope_enterprises(user).filter(pk=enterprise.pk).exists()


def can_edit(user: Any, enterprise: Any) -> bool:
    """May ``user`` change ``enterprise`` and its annual data and titles?"""
    role = role_of(user)
    if role in EDIT_ALL:
        return True
    profile = _profile(user)
    if role == Role.TOWN_OFFICER and profile is not None:
        return bool(profile.division_id) and enterprise.division_id == profile.division_id
    if role == Role.ENTERPRISE_USER and profile is not None:
        return bool(profile.enterprise_id) and enterprise.pk == profile.enterprise_id
    return False


def can_create_in(user: Any, division_code: str | None) -> bool:
    """May ``user`` register a new enterprise in this 镇街 (``None``: out of town)?"""
    role = role_of(user)
    if role in EDIT_ALL:
        return True
    profile = _profile(user)
    if role == Role.TOWN_OFFICER and profile is not None:
        return bool(division_code) and division_code == profile.division_id
    return False


def can_import(user: Any) -> bool:
    return role_of(user) in (Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_OFFICER)


def can_view_audit(user: Any) -> bool:
    """Only the audit administrator reads and exports the audit log (三权分立)."""
    return role_of(user) == Role.AUDITOR


def can_manage_accounts(user: Any) -> bool:
    """Accounts, roles, unlocks, two-factor resets: the security administrator (and the superuser)."""
    return bool(getattr(user, "is_superuser", False)) or role_of(user) == Role.SECURITY_ADMIN


def can_configure(user: Any) -> bool:
    """Reference data and other configuration: the system administrator (and the superuser)."""
    return bool(getattr(user, "is_superuser", False)) or role_of(user) == Role.SYSTEM_ADMIN


def requires_two_factor(user: Any) -> bool:
    if not getattr(settings, "ZJTX_2FA_ENFORCED", True):
        return False
    return bool(getattr(user, "is_superuser", False)) or role_of(user) in TWO_FACTOR_ROLES


def can_see_personal(user: Any, enterprise: Any | None = None) -> bool:
    """Unmasked contact data: city staff, and scoped roles for their own enterprises.

    Auditors read everything but see personal data masked (minimum necessary).
    """
    role = role_of(user)
    if role in EDIT_ALL:
        return True
    if role in (Role.TOWN_OFFICER, Role.ENTERPRISE_USER):
        return enterprise is not None and can_edit(user, enterprise)
    return False


def user_division_code(user: Any) -> str | None:
    """The 镇街 a town officer is limited to (``None`` for everyone else)."""
    if role_of(user) != Role.TOWN_OFFICER:
        return None
    profile = _profile(user)
    return profile.division_id if profile is not None else None
