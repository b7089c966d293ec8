"""The ONE place where who-may-see-and-edit-what is decided.

Every view, export and API endpoint goes through these functions:

* ``city_admin`` / ``city_staff``: all enterprises, may edit and import;
* ``town_officer``: only enterprises of the officer's own 镇街 (see and edit);
* ``enterprise_user``: only its own enterprise (see and edit its data);
* ``auditor``: reads everything, edits nothing, reads the audit log;
* anyone else (no role): nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from zjtx.apps.accounts.models import Role

READ_ALL = {Role.CITY_ADMIN, Role.CITY_STAFF, Role.AUDITOR}
EDIT_ALL = {Role.CITY_ADMIN, Role.CITY_STAFF}


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
    return role_of(user) in (Role.CITY_ADMIN, Role.AUDITOR)


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
