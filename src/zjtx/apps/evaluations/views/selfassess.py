"""Self-assessment page (自评), a short path an enterprise finishes alone: choose the tiers of interest →
only the fields they read, grouped by the enterprise's documents, each with help → explanation, gap
plan and matched benefits. Nothing is stored unless the user clicks 保存到企业档案."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zjtx.apps.accounts import scope
from zjtx.apps.evaluations import explain, profile, selfassess, services
from zjtx.apps.evaluations.forms import SelfAssessmentForm, tier_choices
from zjtx.apps.evaluations.views.common import parse_on, require_role

TEMPLATE = "evaluations/self_assessment.html"


def _own_enterprise(user: Any) -> Any:
    profile_ = getattr(user, "zjtx_profile", None)
    return getattr(profile_, "enterprise", None) if scope.role_of(user) == "enterprise_user" else None


def _target(request: HttpRequest, uscc: str) -> tuple[Any, str]:
    """The enterprise to save to, or (None, reason): an enterprise user only its own, others what they may edit."""
    own = _own_enterprise(request.user)
    if own is not None and uscc and uscc.upper() != own.uscc:
        return None, "企业账号只能保存到本企业档案"
    code = (uscc or (own.uscc if own else "")).upper()
    if not code:
        return None, "请填写要保存到的企业的统一社会信用代码"
    ent = scope.scope_enterprises(request.user).filter(uscc=code).first()
    if ent is None or not scope.can_edit(request.user, ent):
        return None, "无权保存到该企业档案（企业不存在或不在本账号管辖范围内）"
    return ent, ""


def _on(raw: str | None) -> dt.date:
    return parse_on((raw or "").replace("/", "-") or None)


def _policy_views(explanations: list[dict[str, Any]], on: dt.date) -> list[dict[str, Any]]:
    return [explain.policy_view(r, None, on, services.threshold(r["policy"], on)) for r in explanations]


@login_required
def self_assessment(request: HttpRequest) -> HttpResponse:
    require_role(request)
    ctx: dict[str, Any] = {"own": _own_enterprise(request.user), "tier_choices": tier_choices()}
    if request.method != "POST":
        on = _on(request.GET.get("on"))
        tiers = request.GET.getlist("tiers")
        ctx.update({"on": on, "step": 2 if tiers else 1, "chosen": tiers})
        initial: dict[str, Any] = {"on": on, "tiers": tiers}
        src = request.GET.get("uscc") or (ctx["own"].uscc if ctx["own"] else "")
        ent = scope.scope_enterprises(request.user).filter(uscc=src.upper()).first() if src else None
        if ent is not None:
            initial.update(selfassess.form_initial(services.record_for_enterprise(ent, on)))
            ctx["prefilled"] = ent
        ctx["uscc"] = ent.uscc if ent is not None else ""
        return render(request, TEMPLATE, {**ctx, "form": SelfAssessmentForm(initial=initial, tiers=tiers, on=on)})
    tiers = request.POST.getlist("tiers")
    on0 = _on(request.POST.get("on"))
    form = SelfAssessmentForm(request.POST, request.FILES, tiers=tiers, on=on0)
    ctx.update({"step": 2, "chosen": tiers, "on": on0})
    if not form.is_valid():
        return render(request, TEMPLATE, {**ctx, "form": form}, status=400)
    on = form.cleaned_data["on"]
    upload = form.cleaned_data.get("file")
    if upload is not None:
        try:
            record = selfassess.record_from_upload(upload.read(), upload.name, on)
        except selfassess.UploadError as exc:
            return render(request, TEMPLATE, {**ctx, "form": form, "upload_errors": exc.problems}, status=400)
        form = SelfAssessmentForm(initial={"on": on, "tiers": tiers, **selfassess.form_initial(record)},
                                  tiers=tiers, on=on)
    else:
        record = form.record()
    if request.POST.get("action") == "save":
        ent, reason = _target(request, request.POST.get("save_to", ""))
        if ent is None:
            messages.error(request, reason)
        else:
            years = selfassess.save_to_enterprise(ent, record, on)
            messages.success(request, f"已保存到 {ent.name} 的企业档案（{'、'.join(map(str, years)) or '无'}年度数据，来源：自填）")
    try:
        explanations = services.explain_all(record, on, policies=form.chosen or None)
    except ValueError as exc:
        return render(request, TEMPLATE, {**ctx, "form": form, "upload_errors": [str(exc)]}, status=400)
    gaps = services.gaps_for(record, on)
    benefits = services.match_for(record, on)
    return render(request, TEMPLATE, {
        **ctx, "form": form, "evaluated": True, "on": on, "policies": _policy_views(explanations, on),
        "gaps": profile.readable_rows(services.gap_rows(gaps)), "gaps_loaded": gaps is not None,
        "gaps_missing": services.GAPS_MISSING,
        "benefits": profile.readable_rows(services.benefit_rows(benefits)), "benefits_loaded": benefits is not None,
        "match_missing": services.MATCH_MISSING, "save_to": request.POST.get("save_to", ""),
    })
