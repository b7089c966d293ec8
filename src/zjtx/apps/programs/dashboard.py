"""The programmes panel of the dashboard (and of the programme overview): key figures, each linked
to the list behind it, within the user's scope. Include ``programs/_dashboard_panel.html`` with the
context of :func:`panel`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from zjtx.apps.programs import access, publicity
from zjtx.apps.programs.models import (
    Award,
    Carrier,
    InvestmentTarget,
    Platform,
    Project,
    PublicityEvent,
    Tenancy,
)


def panel(user: Any) -> dict[str, Any]:
    """``{"programs_panel": {...}}`` for the template include (empty for users without a role)."""
    if access.role(user) is None:
        return {"programs_panel": None}
    today = timezone.localdate()
    pj = access.projects(user, Project.objects.all())
    S = Project.State
    projects = [
        ("张榜征集/评审中", pj.filter(state__in=[S.POSTED, S.REVIEWING]).count(), "/programs/projects/?state=posted"),
        ("实施中", pj.filter(state=S.CONTRACTED).count(), "/programs/projects/?state=contracted"),
        ("已验收", pj.filter(state=S.ACCEPTED).count(), "/programs/projects/?state=accepted"),
    ]
    tg = access.targets(user, InvestmentTarget.objects.all())
    order = ("visited", "intention", "signed", "landed")
    targets = [
        ("列入名单", tg.count(), "/programs/targets/"),
        ("重点招引目标", tg.filter(key_target=True).count(), "/programs/targets/?key=1"),
        ("已走访/线上会谈", tg.filter(furthest__in=order).count(), "/programs/funnel/"),
        ("已签约", tg.filter(furthest__in=order[2:]).count(), "/programs/funnel/"),
        ("已落地", tg.filter(furthest="landed").count(), "/programs/targets/?stage=landed"),
    ]
    carriers = access.carriers(user, Carrier.objects.all())
    by_level = dict(carriers.values_list("level").annotate(n=Count("id")))
    tenancies = access.tenancies(user, Tenancy.objects.all())
    incubation = [
        ("国家级载体", by_level.get("national", 0), "/programs/carriers/?level=national"),
        ("省级载体", by_level.get("provincial", 0), "/programs/carriers/?level=provincial"),
        ("市级载体", by_level.get("city", 0), "/programs/carriers/?level=city"),
        ("在孵企业", tenancies.filter(status="resident").count(), "/programs/carriers/"),
        ("毕业企业", tenancies.filter(status="graduated").count(), "/programs/graduates/"),
    ]
    plats = Platform.objects.filter(status=Platform.Status.OPERATING)
    platforms = [("创新平台", plats.count(), "/programs/platforms/?status=operating"),
                 ("开放共享实验室", plats.filter(open_shared_lab=True).count(), "/programs/platforms/?lab=1")]
    ev = access.events(user, PublicityEvent.objects.all())
    latest = ev.filter(status="held").order_by("-held_on").values_list("held_on", flat=True).first()
    year = latest.year if latest else today.year
    cov = publicity.coverage(ev, today, since=today.replace(year=year, month=1, day=1))
    aw = access.awards(user, Award.objects.all())
    last_year = aw.order_by("-contest__year").values_list("contest__year", flat=True).first()
    contests = [("获奖企业（最近一届）", aw.filter(contest__year=last_year).values("enterprise").distinct().count()
                 if last_year else 0, f"/programs/awards/?year={last_year or ''}"),
                ("已兑现资金补助", aw.filter(Q(benefit_status="paid")).count(), "/programs/awards/?benefit=paid")]
    return {"programs_panel": {
        "groups": [("揭榜挂帅与重大专项", projects), ("招商引资", targets), ("孵化载体", incubation), ("创新平台", platforms),
                   ("大赛获奖", contests)],
        "coverage": {"year": year, "covered": cov["covered"], "total": cov["total"],
                     "url": f"/programs/coverage/?year={year}"},
    }}
