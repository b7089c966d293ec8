"""Pool (培育库) pages: the stage list, one enterprise's cultivation page, stage moves, auto-update."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zjtx.apps.accounts import scope
from zjtx.apps.cultivation import access, pool
from zjtx.apps.cultivation.forms import MembershipForm, StageForm
from zjtx.apps.cultivation.models import (
    TIER_CHOICES,
    PoolCategory,
    PoolFlag,
    PoolMembership,
    PoolStage,
    Stage,
    tier_label,
)
from zjtx.apps.cultivation.views.common import (
    SUBNAV,
    choices,
    divisions_for,
    enterprise_or_404,
    list_page,
    require_role,
)
from zjtx.web import present

POOL_COLUMNS = [("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "所属镇街"), ("categories", "培育库类别"),
                ("tier", "梯度"), ("stage", "阶段"), ("source", "设定方式"), ("protected", "人工锁定"),
                ("auto_stage", "自动评价建议"), ("flag", "分歧"), ("reason", "原因"), ("set_by", "设定人"),
                ("set_at", "设定时间")]


def stage_rows(qs: object) -> list[dict]:
    rows = []
    for s in qs:
        e = s.enterprise
        cats = "、".join(m.category.name for m in e.pool_memberships.all())
        rows.append({"uscc": e.uscc, "name": e.name, "division": e.division.name if e.division_id else "",
                     "categories": cats, "tier": tier_label(s.tier), "stage": s.get_stage_display(),
                     "source": s.get_source_display(), "protected": s.protected,
                     "auto_stage": s.get_auto_stage_display() if s.auto_stage else "",
                     "flag": "有分歧" if any(not f.resolved for f in s.flags.all()) else "",
                     "reason": present.humanize(s.reason), "set_by": s.set_by.username if s.set_by_id else "",
                     "set_at": timezone.localtime(s.set_at).strftime("%Y-%m-%d %H:%M") if s.set_at else "",
                     "_links": {"name": f"/cultivation/enterprises/{e.uscc}/"}})
    return rows


MEMBER_COLUMNS = [("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "所属镇街"), ("category", "培育库类别"),
                  ("since", "入库日期"), ("source", "来源"), ("added_by", "录入人"), ("note", "备注")]


def _members(request: HttpRequest, fmt: str | None) -> HttpResponse:
    qs = access.visible(request.user, PoolMembership.objects.all()).select_related(
        "enterprise__division", "category", "added_by")
    g = request.GET
    if g.get("category"):
        qs = qs.filter(category__code=g["category"])
    if g.get("division"):
        qs = qs.filter(enterprise__division_id=g["division"])
    if g.get("q"):
        qs = qs.filter(enterprise__name__icontains=g["q"])
    rows = [{"uscc": m.enterprise.uscc, "name": m.enterprise.name,
             "division": m.enterprise.division.name if m.enterprise.division_id else "", "category": m.category.name,
             "since": m.since, "source": m.source, "added_by": m.added_by.username if m.added_by_id else "",
             "note": m.note, "_links": {"name": f"/cultivation/enterprises/{m.enterprise.uscc}/"}} for m in qs]
    filters = [("q", "企业名称", None),
               ("category", "培育库类别", [(c.code, c.name) for c in PoolCategory.objects.filter(active=True)]),
               ("division", "镇街", divisions_for(request)), ("view", "视图", [("members", "培育库名单")])]
    return list_page(request, name="pool", title="培育库名单", columns=MEMBER_COLUMNS, rows=rows, basename="培育库名单",
                     filters=filters, fmt=fmt, template="cultivation/members.html",
                     extra={"can_add": access.is_officer(request.user),
                            "categories": PoolCategory.objects.filter(active=True)})


@login_required
@require_POST
def members_add(request: HttpRequest) -> HttpResponse:
    """Add a pasted list of USCCs (one per line, e.g. a survey list) to a pool category."""
    require_role(request)
    if not access.is_officer(request.user):
        raise PermissionDenied("无权调整培育库名单")
    category = get_object_or_404(PoolCategory, code=request.POST.get("category", ""), active=True)
    codes = [c.strip().upper() for c in request.POST.get("usccs", "").replace(",", "\n").splitlines() if c.strip()]
    visible = {e.uscc: e for e in scope.scope_enterprises(request.user).filter(uscc__in=codes)}
    added, missing = 0, []
    for code in codes:
        ent = visible.get(code)
        if ent is None or not access.can_manage(request.user, ent):
            missing.append(code)
            continue
        _, created = PoolMembership.objects.get_or_create(enterprise=ent, category=category, defaults={
            "source": request.POST.get("source", "")[:60], "added_by": request.user})
        added += created
    messages.success(request, f"已加入“{category.name}” {added} 家")
    if missing:
        messages.error(request, f"以下 {len(missing)} 个代码不在企业库或不在本账号管辖范围内：{'、'.join(missing[:50])}")
    return redirect(f"/cultivation/?view=members&category={category.code}")


@login_required
def pool_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    if request.GET.get("view") == "members":
        return _members(request, fmt)
    qs = pool.stage_filter(access.visible(request.user, PoolStage.objects.all()), request.GET)
    qs = qs.select_related("enterprise__division", "set_by").prefetch_related(
        "enterprise__pool_memberships__category", "flags").order_by("enterprise__uscc", "tier")
    scoped = access.visible(request.user, PoolStage.objects.all())
    counts = {s: scoped.filter(stage=s).count() for s in Stage.values}
    filters = [("q", "关键词", None), ("tier", "梯度", choices(TIER_CHOICES)), ("stage", "阶段", choices(Stage.choices)),
               ("category", "培育库类别", [(c.code, c.name) for c in PoolCategory.objects.filter(active=True)]),
               ("division", "镇街", divisions_for(request)),
               ("protected", "人工锁定", [("1", "仅人工锁定")]), ("flagged", "自动评价分歧", [("1", "仅有分歧")]),
               ("view", "视图", [("members", "培育库名单")])]
    cats = [(c, access.visible(request.user, c.members.all()).count()) for c in PoolCategory.objects.filter(active=True)]
    return list_page(request, name="pool", title="培育库", columns=POOL_COLUMNS, rows=stage_rows(qs),
                     basename="培育库", filters=filters, fmt=fmt, template="cultivation/pool.html",
                     extra={"stage_counts": [(Stage(k).label, k, v) for k, v in counts.items()],
                            "categories": cats, "can_run": access.is_city(request.user),
                            "open_flags": pool.open_flags(scope.scope_enterprises(request.user)).count()})


@login_required
@require_POST
def run_auto(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if not access.is_city(request.user):
        raise PermissionDenied("仅市级工作人员可运行自动评价")
    on = date.fromisoformat(request.POST.get("on") or timezone.localdate().isoformat())
    from zjtx.apps.cultivation.tasks import pool_auto
    from zjtx.apps.jobs.models import Job
    from zjtx.apps.jobs.services import submit

    job = submit(pool_auto, user=request.user, kind=Job.Kind.POOL, title=f"培育库自动评价（基准日 {on}）",
                 on=on.isoformat())
    if job.status == Job.Status.DONE:
        messages.success(request, job.outcome)
        return redirect("cultivation:pool")
    messages.info(request, "已提交后台运行自动评价，完成后本页数据自动更新；可在“后台任务”查看进度")
    return redirect("jobs:detail", pk=job.pk)


@login_required
def enterprise_page(request: HttpRequest, uscc: str) -> HttpResponse:
    """One enterprise's cultivation file: stages, lists, flags, designations, applications, plans …"""
    from zjtx.apps.cultivation.models import Designation
    from zjtx.apps.enterprises.fields import TITLE_LABELS

    ent = enterprise_or_404(request, uscc)
    stages = {s.tier: s for s in ent.pool_stages.prefetch_related("flags", "changes").select_related("set_by")}
    rows = [(tier, label, stages.get(tier)) for tier, label in TIER_CHOICES]
    designations = []
    for t in ent.titles.order_by("-granted_on"):
        d = Designation.objects.filter(title=t).first()
        designations.append((t, TITLE_LABELS.get(t.title, t.title), d))
    return render(request, "cultivation/enterprise.html", {
        "nav": "pool", "subnav": SUBNAV, "title": f"{ent.name} · 培育档案", "e": ent, "rows": rows,
        "memberships": ent.pool_memberships.select_related("category"),
        "flags": PoolFlag.objects.filter(stage__enterprise=ent, resolved=False),
        "designations": designations, "applications": ent.applications.all(), "plans": ent.plans.all(),
        "services": ent.service_requests.select_related("type"), "ledger": ent.benefit_entries.all(),
        "can_manage": access.can_manage(request.user, ent), "can_ledger": access.can_ledger(request.user),
        "can_contribute": access.can_contribute(request.user, ent),
        "stage_form": StageForm(), "membership_form": MembershipForm(),
        "history": [c for s in stages.values() for c in s.changes.all()][:30],
    })


@login_required
@require_POST
def set_stage(request: HttpRequest, uscc: str) -> HttpResponse:
    ent = enterprise_or_404(request, uscc)
    if not access.can_manage(request.user, ent):
        raise PermissionDenied("无权调整该企业的培育阶段")
    form = StageForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        pool.set_stage(ent, d["tier"], d["stage"], request.user, d["reason"])
        messages.success(request, f"已将{tier_label(d['tier'])}阶段设为“{Stage(d['stage']).label}”（人工锁定）")
    else:
        messages.error(request, "调整阶段须选择梯度、阶段并填写原因")
    return redirect("cultivation:enterprise", uscc=ent.uscc)


@login_required
@require_POST
def release_stage(request: HttpRequest, uscc: str, tier: str) -> HttpResponse:
    ent = enterprise_or_404(request, uscc)
    if not access.can_manage(request.user, ent):
        raise PermissionDenied("无权调整该企业的培育阶段")
    ps = get_object_or_404(PoolStage, enterprise=ent, tier=tier)
    pool.release(ps, request.user, request.POST.get("reason", ""))
    messages.success(request, f"{tier_label(tier)}阶段已交由自动评价")
    return redirect("cultivation:enterprise", uscc=ent.uscc)


@login_required
@require_POST
def membership(request: HttpRequest, uscc: str) -> HttpResponse:
    ent = enterprise_or_404(request, uscc)
    if not access.can_manage(request.user, ent):
        raise PermissionDenied("无权调整培育库名单")
    if request.POST.get("remove"):
        PoolMembership.objects.filter(enterprise=ent, pk=request.POST["remove"]).delete()
        messages.success(request, "已移出培育库类别")
    else:
        form = MembershipForm(request.POST)
        if form.is_valid():
            PoolMembership.objects.get_or_create(enterprise=ent, category=form.cleaned_data["category"], defaults={
                "source": form.cleaned_data["source"], "added_by": request.user})
            messages.success(request, f"已加入“{form.cleaned_data['category'].name}”")
    return redirect("cultivation:enterprise", uscc=ent.uscc)
