"""Who may see what in the programmes — thin rules on top of the ONE scope layer (``accounts.scope``).

* city administrators and staff, auditors: everything (auditors read only);
* town officers: their 镇街's objects (projects with their town as 联动镇街 or poster, targets their
  town receives, carriers and events in their town, tenancies/awards/reach of their town's
  enterprises) plus the public boards (posted 榜, carriers, platforms, contests);
* enterprise users: the public boards, and their own enterprise's applications, tenancies,
  awards and projects.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.models import Role

CITY = (Role.CITY_ADMIN, Role.CITY_STAFF)
READ_ALL = (Role.CITY_ADMIN, Role.CITY_STAFF, Role.AUDITOR)


def role(user: Any) -> str | None:
    return scope.role_of(user)


def is_city(user: Any) -> bool:
    return role(user) in CITY


def is_admin(user: Any) -> bool:
    return role(user) == Role.CITY_ADMIN


def own_town(user: Any) -> str | None:
    """The 镇街 code of a town officer (``None`` for everyone else)."""
    return scope.user_division_code(user)


def own_enterprise_id(user: Any) -> int | None:
    if role(user) != Role.ENTERPRISE_USER:
        return None
    profile = getattr(user, "zjtx_profile", None)
    return getattr(profile, "enterprise_id", None)


def reads_all(user: Any) -> bool:
    return role(user) in READ_ALL


def enterprises(user: Any) -> QuerySet:
    return scope.scope_enterprises(user)


def can_edit_enterprise(user: Any, enterprise: Any) -> bool:
    return enterprise is not None and scope.can_edit(user, enterprise)


# ------------------------------------------------------------------------------------ projects

def projects(user: Any, qs: QuerySet) -> QuerySet:
    r = role(user)
    if r in READ_ALL:
        return qs
    public = ~Q(state="draft")
    town = own_town(user)
    if r == Role.TOWN_OFFICER and town:
        return qs.filter(public | Q(division_id=town) | Q(poster__division_id=town)).distinct()
    ent = own_enterprise_id(user)
    if r == Role.ENTERPRISE_USER and ent:
        return qs.filter(public | Q(poster_id=ent)).distinct()
    return qs.none()


def applications(user: Any, qs: QuerySet) -> QuerySet:
    r = role(user)
    if r in READ_ALL:
        return qs
    town = own_town(user)
    if r == Role.TOWN_OFFICER and town:
        return qs.filter(Q(enterprise__division_id=town) | Q(project__division_id=town)
                         | Q(project__solver_id__isnull=False, status="selected"))
    ent = own_enterprise_id(user)
    if r == Role.ENTERPRISE_USER and ent:
        return qs.filter(Q(enterprise_id=ent) | Q(status="selected"))
    return qs.none()


def manages_project(user: Any, project: Any) -> bool:
    """City staff; the town officer of the project's 联动镇街 (市镇联动 co-management)."""
    if is_city(user):
        return True
    town = own_town(user)
    return bool(town) and project.division_id == town


def is_solver(user: Any, project: Any) -> bool:
    """The enterprise user (or its town officer) of the selected solver enterprise."""
    sol = project.solver
    if sol is None or sol.enterprise_id is None:
        return False
    return role(user) in (Role.ENTERPRISE_USER, Role.TOWN_OFFICER) and scope.can_edit(user, sol.enterprise)


# ------------------------------------------------------------------------------------ targets

def targets(user: Any, qs: QuerySet) -> QuerySet:
    r = role(user)
    if r in READ_ALL:
        return qs
    town = own_town(user)
    if r == Role.TOWN_OFFICER and town:
        return qs.filter(town_id=town)
    return qs.none()


def follows_target(user: Any, target: Any) -> bool:
    """City staff, or the officer of the receiving town (a town owns the follow-up)."""
    if is_city(user):
        return True
    town = own_town(user)
    return bool(town) and target.town_id == town


# ------------------------------------------------------------------------------------ incubation

def carriers(user: Any, qs: QuerySet) -> QuerySet:
    return qs if role(user) is not None else qs.none()


def manages_carrier(user: Any, carrier: Any) -> bool:
    if is_city(user):
        return True
    town = own_town(user)
    return bool(town) and carrier.division_id == town


def tenancies(user: Any, qs: QuerySet) -> QuerySet:
    r = role(user)
    if r in READ_ALL:
        return qs
    town = own_town(user)
    if r == Role.TOWN_OFFICER and town:
        return qs.filter(Q(carrier__division_id=town) | Q(enterprise__division_id=town))
    ent = own_enterprise_id(user)
    if r == Role.ENTERPRISE_USER and ent:
        return qs.filter(enterprise_id=ent)
    return qs.none()


# ------------------------------------------------------------------------------------ publicity

def events(user: Any, qs: QuerySet) -> QuerySet:
    r = role(user)
    if r in READ_ALL:
        return qs
    town = own_town(user)
    if r == Role.TOWN_OFFICER and town:
        return qs.filter(division_id=town)
    ent = own_enterprise_id(user)
    if r == Role.ENTERPRISE_USER and ent:
        return qs.filter(reached__enterprise_id=ent).distinct()
    return qs.none()


def manages_event(user: Any, event: Any) -> bool:
    if is_city(user):
        return True
    town = own_town(user)
    return bool(town) and event.division_id == town


# ------------------------------------------------------------------------------------ awards

def awards(user: Any, qs: QuerySet) -> QuerySet:
    return scope.scope_related(user, qs)


def linked(user: Any, qs: QuerySet) -> QuerySet:
    """Rows linked to an enterprise (platform services …), restricted to the user's enterprises."""
    return scope.scope_related(user, qs)
