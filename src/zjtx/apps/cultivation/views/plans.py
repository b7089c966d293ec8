"""一企一策 pages: list, new (items from the gap options), detail with item updates and re-check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zjtx.apps.cultivation import access
from zjtx.apps.cultivation.forms import PlanForm, PlanItemForm
from zjtx.apps.cultivation.models import TIER_CHOICES, Plan, PlanItem
from zjtx.apps.cultivation.plans import create_plan, recheck_plans
from zjtx.apps.cultivation.views.common import (
    SUBNAV,
    choices,
    divisions_for,
    enterprise_or_404,
    list_page,
    require_role,
)

COLUMNS = [("id", "编号"), ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "所属镇街"),
           ("tier", "目标梯度"), ("on", "评价基准日"), ("status", "状态"), ("evaluation", "当前评价结果"),
           ("open", "未完成事项"), ("closed", "已完成/自动关闭"), ("checked_at", "最近复核")]
ITEM_COLUMNS = [("plan", "方案编号"), ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("tier", "目标梯度"),
                ("title", "事项"), ("owner", "责任方"), ("department", "责任部门"), ("due_on", "完成时限"),
                ("status", "状态"), ("evidence", "佐证材料"), ("closed_reason", "关闭原因")]


@login_required
def plan_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = access.visible(request.user, Plan.objects.all()).select_related("enterprise__division").prefetch_related("items")
    g = request.GET
    if g.get("tier"):
        qs = qs.filter(tier=g["tier"])
    if g.get("status"):
        qs = qs.filter(status=g["status"])
    if g.get("division"):
        qs = qs.filter(enterprise__division_id=g["division"])
    if g.get("q"):
        qs = qs.filter(enterprise__name__icontains=g["q"])
    if g.get("view") == "items":
        rows = [{"plan": p.pk, "uscc": p.enterprise.uscc, "name": p.enterprise.name, "tier": p.get_tier_display(),
                 "title": i.title, "owner": i.get_owner_display(), "department": i.department, "due_on": i.due_on,
                 "status": i.get_status_display(), "evidence": i.evidence, "closed_reason": i.closed_reason,
                 "_links": {"plan": f"/cultivation/plans/{p.pk}/"}} for p in qs for i in p.items.all()]
        columns = ITEM_COLUMNS
    else:
        rows = []
        for p in qs:
            items = list(p.items.all())
            n_open = sum(1 for i in items if i.is_open)
            rows.append({"id": p.pk, "uscc": p.enterprise.uscc, "name": p.enterprise.name,
                         "division": p.enterprise.division.name if p.enterprise.division_id else "",
                         "tier": p.get_tier_display(), "on": p.on, "status": p.get_status_display(),
                         "evaluation": p.evaluation_status_zh, "open": n_open,
                         "closed": len(items) - n_open, "checked_at": p.checked_at,
                         "_links": {"id": f"/cultivation/plans/{p.pk}/", "name": f"/cultivation/plans/{p.pk}/"}})
        columns = COLUMNS
    filters = [("q", "企业名称", None), ("tier", "目标梯度", choices(TIER_CHOICES)),
               ("status", "状态", choices(Plan.Status.choices)), ("division", "镇街", divisions_for(request)),
               ("view", "视图", [("items", "按事项")])]
    return list_page(request, name="plans", title="一企一策", columns=columns, rows=rows, basename="一企一策",
                     filters=filters, fmt=fmt, template="cultivation/plans.html",
                     extra={"can_add": access.is_officer(request.user)})


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    form = PlanForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ent = enterprise_or_404(request, d["uscc"])
        if not access.can_manage(request.user, ent):
            raise PermissionDenied("无权为该企业制定方案")
        plan = create_plan(ent, d["tier"], request.user, on=d["on"], due_on=d["due_on"], note=d["note"])
        messages.success(request, f"已生成方案：{plan.items.count()} 项差距事项")
        return redirect("cultivation:plan", pk=plan.pk)
    return render(request, "cultivation/form.html", {"nav": "plans", "subnav": SUBNAV, "title": "制定一企一策方案",
                                                     "form": form})


def _get(request: HttpRequest, pk: int) -> Plan:
    require_role(request)
    plan = access.visible(request.user, Plan.objects.all()).filter(pk=pk).select_related("enterprise").first()
    if plan is None:
        raise Http404("方案不存在或不在本账号管辖范围内")
    return plan


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(request, pk)
    can = access.can_contribute(request.user, plan.enterprise)
    items = [(i, PlanItemForm(instance=i, prefix=f"i{i.pk}")) for i in plan.items.all()]
    return render(request, "cultivation/plan.html", {"nav": "plans", "subnav": SUBNAV, "title": str(plan), "p": plan,
                                                     "items": items, "can_edit": can,
                                                     "can_manage": access.can_manage(request.user, plan.enterprise)})


@login_required
@require_POST
def plan_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    plan = _get(request, pk)
    if not access.can_contribute(request.user, plan.enterprise):
        raise PermissionDenied("无权修改该方案")
    item = plan.items.filter(pk=item_id).first()
    if item is None:
        raise Http404("事项不存在")
    form = PlanItemForm(request.POST, instance=item, prefix=f"i{item.pk}")
    if form.is_valid():
        item = form.save(commit=False)
        if item.status in (PlanItem.Status.DONE, PlanItem.Status.DROPPED) and not item.closed_at:
            from django.utils import timezone

            item.closed_at = timezone.now()
            item.closed_reason = f"由 {request.user.get_username()} 标记为{item.get_status_display()}"
        item.save()
        messages.success(request, "事项已更新")
    else:
        messages.error(request, "；".join(form.non_field_errors()) or "事项信息有误")
    return redirect("cultivation:plan", pk=plan.pk)


@login_required
@require_POST
def plan_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(request, pk)
    if not access.can_manage(request.user, plan.enterprise):
        raise PermissionDenied("无权复核该方案")
    result = recheck_plans(plan.enterprise)
    messages.success(request, f"复核完成：自动关闭 {len(result.closed)} 项")
    return redirect("cultivation:plan", pk=plan.pk)
