"""Site-wide notices for the base template (e.g. an account bound to a 镇街 that no longer exists)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def site_notices(request: HttpRequest) -> dict[str, Any]:
    """``zjtx_notices``: warnings every page shows the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"zjtx_notices": []}
    notices: list[str] = []
    try:
        division = user.zjtx_profile.division
    except Exception:  # no profile (superuser without a role) or no division
        division = None
    if division is not None and division.valid_to is not None:
        successor = f"并入{division.successor.name}（{division.successor_id}）" if division.successor_id else "撤并"
        notices.append(f"您的账号绑定的镇街“{division.name}”（{division.code}）已于{division.valid_to:%Y年%m月%d日}"
                       f"{successor}，按旧代码看不到现有企业。请联系市级管理员把账号改到现镇街。")
    return {"zjtx_notices": notices}
