"""Targets: target vs actual per 镇街 and tier, league tables."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zjtx.apps.accounts import scope
from zjtx.apps.cultivation import access
from zjtx.apps.cultivation.forms import TargetForm
from zjtx.apps.cultivation.models import TIER_CHOICES, Target
from zjtx.apps.cultivation.stats import league
from zjtx.apps.cultivation.views.common import SUBNAV, choices, list_page, require_role

COLUMNS = [("rank", "排名"), ("division_name", "镇街"), ("target", "目标数"), ("actual", "实际数"), ("rate_pct", "完成率"),
           ("gap", "差额")]


@login_required
def target_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    g = request.GET
    year = int(g["year"]) if str(g.get("year") or "").isdigit() else timezone.localdate().year
    tier = g.get("tier") or "tech_sme"
    table = league(year, tier, scope.scope_enterprises(request.user))
    rows = [{**r, "rate_pct": f"{r['rate'] * 100:.1f}%" if r["rate"] is not None else None} for r in table["rows"]]
    years = sorted(set(Target.objects.values_list("year", flat=True)) | {timezone.localdate().year}, reverse=True)
    filters = [("year", "年度", [(str(y), f"{y}年") for y in years]), ("tier", "梯度", choices(TIER_CHOICES))]
    return list_page(request, name="targets", title=f"{year}年{table['tier_label']}目标完成情况", columns=COLUMNS,
                     rows=rows, basename="目标考核", filters=filters, fmt=fmt, template="cultivation/targets.html",
                     extra={"league": table, "can_add": access.can_ledger(request.user),
                            "targets": Target.objects.filter(year=year, tier=tier).select_related("division")})


@login_required
def target_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if not access.can_ledger(request.user):
        raise PermissionDenied("目标由市级工作人员设定")
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        Target.objects.update_or_create(year=d["year"], tier=d["tier"], division=d["division"],
                                        defaults={"target": d["target"], "source": d["source"]})
        messages.success(request, "目标已保存")
        return redirect(f"/cultivation/targets/?year={d['year']}&tier={d['tier']}")
    return render(request, "cultivation/form.html", {"nav": "targets", "subnav": SUBNAV, "title": "设定培育目标",
                                                     "form": form})
