"""Benefit ledger pages: entries (refused when they double up), 累计兑现 statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zjtx.apps.cultivation import access, ledger
from zjtx.apps.cultivation.forms import LedgerForm
from zjtx.apps.cultivation.models import BenefitEntry, BenefitLevel, BenefitRule
from zjtx.apps.cultivation.views.common import (
    SUBNAV,
    divisions_for,
    enterprise_or_404,
    list_page,
    require_role,
)

COLUMNS = [("id", "编号"), ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "所属镇街"), ("year", "年度"),
           ("policy", "政策代码"), ("policy_name", "政策名称"), ("level", "层级"), ("project", "项目"),
           ("amount", "金额（元）"), ("kind", "性质"), ("document", "文件/文号"), ("paid_on", "兑现日期")]
GROUPS = {"year": ("年度", "year"), "level": ("层级", "level"), "policy": ("政策", "policy_name"),
          "division": ("镇街", "enterprise__division__name")}


def _scoped(request: HttpRequest):
    qs = access.visible(request.user, BenefitEntry.objects.all()).select_related("enterprise__division")
    g = request.GET
    for key, field in (("level", "level"), ("kind", "kind"), ("policy", "policy"),
                       ("division", "enterprise__division_id")):
        if g.get(key):
            qs = qs.filter(**{field: g[key]})
    if str(g.get("year") or "").isdigit():
        qs = qs.filter(year=int(g["year"]))
    if g.get("q"):
        qs = qs.filter(enterprise__name__icontains=g["q"])
    return qs


@login_required
def ledger_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = _scoped(request)
    rows = [{"id": b.pk, "uscc": b.enterprise.uscc, "name": b.enterprise.name,
             "division": b.enterprise.division.name if b.enterprise.division_id else "", "year": b.year,
             "policy": b.policy, "policy_name": b.policy_name, "level": b.get_level_display(), "project": b.project,
             "amount": b.amount, "kind": b.get_kind_display(), "document": b.document, "paid_on": b.paid_on,
             "_links": {"name": f"/cultivation/enterprises/{b.enterprise.uscc}/"}} for b in qs]
    filters = [("q", "企业名称", None), ("year", "年度", None), ("level", "层级", list(BenefitLevel.choices)),
               ("kind", "性质", list(BenefitEntry.Kind.choices)), ("division", "镇街", divisions_for(request))]
    by = request.GET.get("by") if request.GET.get("by") in GROUPS else "year"
    return list_page(request, name="ledger", title="奖补台账", columns=COLUMNS, rows=rows, basename="奖补台账",
                     filters=filters, fmt=fmt, template="cultivation/ledger.html",
                     extra={"totals": ledger.totals(qs, GROUPS[by][1]), "by": by, "by_label": GROUPS[by][0],
                            "groups": [(k, v[0]) for k, v in GROUPS.items()],
                            "realised": ledger.realised_total(qs), "rules": BenefitRule.objects.filter(active=True),
                            "can_add": access.can_ledger(request.user)})


@login_required
def ledger_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if not access.can_ledger(request.user):
        raise PermissionDenied("奖补台账由市级工作人员登记")
    form = LedgerForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")})
    form.fields["policy_name"].required = False
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        ent = enterprise_or_404(request, form.cleaned_data["uscc"])
        entry = form.save(commit=False)
        entry.enterprise = ent
        entry.created_by = request.user
        if not entry.policy_name:
            entry.policy_name = ledger.KNOWN_POLICIES.get(entry.policy, (entry.policy, ""))[0]
        try:
            ledger.record(entry)
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            messages.success(request, f"已登记台账记录 #{entry.pk}")
            return redirect("cultivation:ledger")
    return render(request, "cultivation/form.html", {
        "nav": "ledger", "subnav": SUBNAV, "title": "登记奖补", "form": form, "errors": errors,
        "help": ledger.KNOWN_POLICIES})


@login_required
def ledger_estimate(request: HttpRequest, uscc: str) -> HttpResponse:
    """测算: store the benefits ``zjtx.match`` estimates for the enterprise as estimated entries."""
    from datetime import date

    from django.utils import timezone

    ent = enterprise_or_404(request, uscc)
    if request.method != "POST":
        return redirect("cultivation:enterprise", uscc=ent.uscc)
    if not access.can_ledger(request.user):
        raise PermissionDenied("奖补台账由市级工作人员登记")
    try:
        on = date.fromisoformat(request.POST.get("on") or "")
    except ValueError:
        on = timezone.localdate()
    stored, refused = ledger.estimate(ent, on, request.user)
    messages.success(request, f"政策匹配测算（基准日 {on}）：登记测算 {len(stored)} 项")
    for m in refused:
        messages.error(request, m)
    return redirect("cultivation:enterprise", uscc=ent.uscc)
