from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.models import Role

# (label, path, roles that see it: None = every signed-in user); an enterprise user works on its own
# record — the city's dashboard, runs, briefing and the API are not its tools
_STAFF_ONLY = {Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_OFFICER, Role.ANALYST, Role.SYSTEM_ADMIN,
               Role.SECURITY_ADMIN, Role.AUDITOR, None}
NAV: tuple[tuple[str, str, set[Any] | None], ...] = (
    ("企业库", "/enterprises/", None),
    ("年度数据", "/annual/", None),
    ("荣誉资质", "/titles/", None),
    ("仪表盘", "/evaluations/dashboard/", _STAFF_ONLY),
    ("评价", "/evaluations/runs/", _STAFF_ONLY),
    ("自评", "/evaluations/self-assessment/", None),
    ("培育库", "/cultivation/", None),
    ("专项工作", "/programs/", None),
    ("政策直达", "/outreach/", None),
    ("统计简报", "/evaluations/briefing/", _STAFF_ONLY),
)
_SECTIONS = {"/evaluations/results/": "/evaluations/runs/", "/evaluations/enterprise/": "/enterprises/"}


def navigation(r: str | None, path: str, own: str | None = None) -> list[dict[str, Any]]:
    """The header's links for role ``r``, the one holding ``path`` marked active; an enterprise user's
    企业库 is its own record (``own``: its USCC)."""
    items = [{"label": label, "url": url} for label, url, roles in NAV if roles is None or r in roles]
    if r == Role.ENTERPRISE_USER:
        items[0] = {"label": "本企业", "url": f"/enterprises/{own}/" if own else "/enterprises/"}
    section = "/evaluations/dashboard/" if path == "/evaluations/" else next(
        (target for prefix, target in _SECTIONS.items() if path.startswith(prefix)), path)
    if r == Role.ENTERPRISE_USER and (section.startswith("/enterprises/") or section == "/enterprises"):
        section = items[0]["url"]
    best = max((i for i in items if section.startswith(i["url"])), key=lambda i: len(i["url"]), default=None)
    for i in items:
        i["active"] = i is best
    return items


def _own_uscc(user: Any, r: str | None) -> str | None:
    if r != Role.ENTERPRISE_USER:
        return None
    firm = getattr(getattr(user, "zjtx_profile", None), "enterprise", None)
    return firm.uscc if firm is not None else None


def role(request: HttpRequest) -> dict[str, Any]:
    """Template context: the user's role and what the navigation may show."""
    user = getattr(request, "user", None)
    r = scope.role_of(user)
    return {
        "zjtx_role": r,
        "zjtx_role_label": Role(r).label if r else "",
        "zjtx_can_import": scope.can_import(user),
        "zjtx_can_audit": scope.can_view_audit(user),
        "zjtx_nav": navigation(r, request.path, _own_uscc(user, r)) if user is not None and user.is_authenticated
        else [],
        "zjtx_staff": r != Role.ENTERPRISE_USER,
    }
