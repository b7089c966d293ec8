"""One filter set for list pages, exports and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from zjtx.facts import industries as fi


def filter_enterprises(qs: QuerySet, params: Mapping[str, Any]) -> QuerySet:
    """Filters: ``q`` (name or USCC contains), ``division`` (code), ``zone``, ``industry`` (code prefix),
    ``cluster`` (id or name, longest-prefix mapping of ``zjtx.facts.industries``), ``local`` (1 local / 0 外地), ``title`` (valid today)."""
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
    if params.get("division"):
        qs = qs.filter(division_id=params["division"])
    if params.get("zone"):
        qs = qs.filter(division__zones__code=params["zone"])
    if params.get("industry"):
        qs = qs.filter(industry__startswith=fi.normalize_code(str(params["industry"])))
    if params.get("cluster"):
        c = fi.cluster_by_id(str(params["cluster"]))
        codes = set(qs.exclude(industry="").values_list("industry", flat=True).distinct())
        qs = qs.filter(industry__in=[x for x in codes if c is not None and fi.cluster_of(x) == c.id])
    local = params.get("local")
    if local in ("1", "0", 1, 0, True, False):
        cond = Q(uscc__regex=r"^..4420")
        qs = qs.filter(cond) if str(local) in ("1", "True") else qs.exclude(cond)
    if params.get("title"):
        from zjtx.apps.enterprises.title_status import status_q

        # one condition on the same title row: this kind, 有效 today (granted, not expired, not revoked)
        qs = qs.filter(Q(titles__title=params["title"]) & status_q("valid", prefix="titles__")).distinct()
    return qs


def filter_annual(qs: QuerySet, params: Mapping[str, Any]) -> QuerySet:
    """Annual reports: the enterprise filters (prefixed through ``enterprise``) plus ``year``."""
    from zjtx.apps.enterprises.models import Enterprise

    if any(params.get(k) for k in ("q", "division", "zone", "industry", "cluster", "local", "title")):
        qs = qs.filter(enterprise__in=filter_enterprises(Enterprise.objects.all(), params).values("pk"))
    year = params.get("year")
    if year and str(year).isdigit():
        qs = qs.filter(year=int(year))
    return qs
