"""Publicity (宣讲) pages: events (exports), new, detail with reach and uptake, coverage n/23."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zjtx.apps.programs import access, publicity
from zjtx.apps.programs.forms import EventForm, ReachForm
from zjtx.apps.programs.lifecycle import LifecycleError, history
from zjtx.apps.programs.models import PublicityEvent
from zjtx.apps.programs.views.common import (
    action_fields,
    choices,
    ctx,
    divisions_for,
    list_view,
    refuse,
    require_role,
    run_action,
)

COLUMNS = [("id", "编号"), ("title", "主题"), ("division", "镇街"), ("planned_on", "计划日期"), ("held_on", "举办日期"),
           ("channel", "方式"), ("status", "状态"), ("policies", "宣讲政策"), ("attendees", "参加人数"),
           ("reached", "覆盖企业数")]


def scoped(request: HttpRequest) -> QuerySet:
    return access.events(request.user, PublicityEvent.objects.all()).select_related("division")


def _policy_names() -> dict[str, str]:
    from zjtx.policies import catalog

    return {pid: str(p.name) for pid, p in catalog().registry.items()}


@login_required
def event_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = scoped(request)
    g = request.GET
    for key, fld in (("division", "division_id"), ("status", "status"), ("channel", "channel")):
        if g.get(key):
            qs = qs.filter(**{fld: g[key]})
    if str(g.get("year") or "").isdigit():
        qs = qs.filter(planned_on__year=int(g["year"]))
    names = _policy_names()
    qs = qs.annotate(n=Count("reached", distinct=True)).order_by("-planned_on", "-id")
    rows = [{"id": e.pk, "title": e.title, "division": e.division.name, "planned_on": e.planned_on, "held_on": e.held_on,
             "channel": e.get_channel_display(), "status": e.get_status_display(),
             "policies": "、".join(names.get(p, p) for p in e.policies or []), "attendees": e.attendees,
             "reached": e.n, "_links": {"id": f"/programs/publicity/{e.pk}/", "title": f"/programs/publicity/{e.pk}/"}}
            for e in qs]
    filters = [("division", "镇街", divisions_for(request)), ("year", "年度", None),
               ("status", "状态", choices(PublicityEvent.Status.choices)),
               ("channel", "方式", choices(PublicityEvent.Channel.choices))]
    return list_view(request, name="publicity", title="政策宣讲", columns=COLUMNS, rows=rows, basename="政策宣讲",
                     filters=filters, fmt=fmt, template="programs/publicity.html",
                     extra={"can_create": access.role(request.user) in ("city_admin", "city_staff", "town_officer")})


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    names = _policy_names()
    tiers = ["tech_sme", "innovative_sme", "specialized_sme", "little_giant", "single_champion", "high_tech",
             "zs_four_tech", "zs_innovation_benchmark", "rd_super_deduction", "cit_small_low_profit"]
    form = EventForm(request.POST or None, divisions=divisions_for(request),
                     policies=[(p, names[p]) for p in tiers if p in names],
                     initial={"planned_on": timezone.localdate(), "policies": ["specialized_sme", "little_giant"]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            e = publicity.create_event(request.user, title=d["title"], division=d["division"], planned_on=d["planned_on"],
                                       channel=d["channel"], policies=d["policies"], organiser=d["organiser"])
        except LifecycleError as exc:
            refuse(request, exc)
        else:
            messages.success(request, "已登记宣讲活动")
            return redirect("programs:event", pk=e.pk)
    return render(request, "programs/form.html", ctx("publicity", "登记政策宣讲", form=form))


def _get(request: HttpRequest, pk: int) -> PublicityEvent:
    require_role(request)
    e = scoped(request).filter(pk=pk).first()
    if e is None:
        raise Http404("宣讲活动不存在或不在本账号管辖范围内")
    return e


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    e = _get(request, pk)
    actions = publicity.EVENT.available(request.user, e)
    reached = access.linked(request.user, e.reached.all()).select_related("enterprise", "enterprise__division")
    names = _policy_names()
    return render(request, "programs/event.html", ctx(
        "publicity", str(e), e=e, actions=actions, fields=action_fields(actions), reached=reached,
        policies="、".join(names.get(p, p) for p in e.policies or []), history=history(e),
        uptake=publicity.uptake(e, request.user) if e.status == PublicityEvent.Status.HELD else None,
        can_reach=e.status != PublicityEvent.Status.CANCELLED and access.role(request.user) not in (None, "auditor")
        and access.manages_event(request.user, e), reach_form=ReachForm()))


@login_required
@require_POST
def event_transition(request: HttpRequest, pk: int) -> HttpResponse:
    e = _get(request, pk)
    return run_action(request, publicity.EVENT, e, f"/programs/publicity/{e.pk}/")


@login_required
@require_POST
def event_reach(request: HttpRequest, pk: int) -> HttpResponse:
    e = _get(request, pk)
    form = ReachForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写覆盖企业")
        return redirect("programs:event", pk=e.pk)
    codes = [c.strip().upper() for c in form.cleaned_data["usccs"].replace("，", "\n").replace(",", "\n").split()
             if c.strip()]
    found = {x.uscc: x for x in access.enterprises(request.user).filter(uscc__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        messages.error(request, "以下企业不存在或不在本账号管辖范围内，未登记：" + "、".join(missing[:10]))
        return redirect("programs:event", pk=e.pk)
    try:
        n = publicity.add_reach(e, request.user, list(found.values()))
    except LifecycleError as exc:
        refuse(request, exc)
    else:
        messages.success(request, f"已登记覆盖企业{n}家")
    return redirect("programs:event", pk=e.pk)


@login_required
def coverage(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    today = timezone.localdate()
    try:
        as_of = date.fromisoformat(request.GET["as_of"]) if request.GET.get("as_of") else today
    except ValueError:
        as_of = today
        messages.error(request, "截至日期格式错误，已按今天统计")
    year = int(request.GET["year"]) if str(request.GET.get("year") or "").isdigit() else as_of.year
    cov = publicity.coverage(scoped(request), as_of, since=date(year, 1, 1))
    rows = [{"name": r["name"], "covered": r["covered"], "events": r["events"], "first_held_on": r["first_held_on"]}
            for r in cov["rows"]]
    columns = [("name", "镇街"), ("covered", "已完成宣讲"), ("events", "已举办场次"), ("first_held_on", "首次宣讲日期")]
    return list_view(request, name="coverage", title="政策宣讲覆盖（镇街）", columns=columns, rows=rows,
                     basename="政策宣讲覆盖", filters=[("year", "年度", None), ("as_of", "截至日期（YYYY-MM-DD）", None)],
                     fmt=fmt, template="programs/coverage.html",
                     extra={"covered": cov["covered"], "total": cov["total"], "as_of": as_of, "year": year})
