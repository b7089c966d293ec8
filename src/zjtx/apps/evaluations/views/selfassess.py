"""Self-assessment page (自评): form or uploaded template in, explanation/gaps/benefits out, optional save."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zjtx.apps.accounts import scope
from zjtx.apps.evaluations import selfassess, services
from zjtx.apps.evaluations.forms import SelfAssessmentForm
from zjtx.apps.evaluations.views.common import require_role


def _own_enterprise(user: Any) -> Any:
    profile = getattr(user, "zjtx_profile", None)
    return getattr(profile, "enterprise", None) if scope.role_of(user) == "enterprise_user" else None


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


@login_required
def self_assessment(request: HttpRequest) -> HttpResponse:
    require_role(request)
    ctx: dict[str, Any] = {"own": _own_enterprise(request.user)}
    if request.method != "POST":
        initial: dict[str, Any] = {}
        src = request.GET.get("uscc") or (ctx["own"].uscc if ctx["own"] else "")
        ent = scope.scope_enterprises(request.user).filter(uscc=src.upper()).first() if src else None
        if ent is not None:
            form0 = SelfAssessmentForm()
            on = form0.fields["on"].initial()
            initial = selfassess.form_initial(services.record_for_enterprise(ent, on))
        return render(request, "evaluations/self_assessment.html", {**ctx, "form": SelfAssessmentForm(initial=initial)})
    form = SelfAssessmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "evaluations/self_assessment.html", {**ctx, "form": form}, status=400)
    on = form.cleaned_data["on"]
    upload = form.cleaned_data.get("file")
    if upload is not None:
        try:
            record = selfassess.record_from_upload(upload.read(), upload.name, on)
        except selfassess.UploadError as exc:
            return render(request, "evaluations/self_assessment.html",
                          {**ctx, "form": form, "upload_errors": exc.problems}, status=400)
        form = SelfAssessmentForm(initial={"on": on, **selfassess.form_initial(record)})
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
        explanations = services.explain_all(record, on)
    except ValueError as exc:
        return render(request, "evaluations/self_assessment.html", {**ctx, "form": form, "upload_errors": [str(exc)]},
                      status=400)
    policies = [{"res": r, "rows": services.explanation_rows(r), "score": services.fmt_score(r),
                 "status_label": services.status_label(r["status"]),
                 "missing": [services.field_label(m) for m in r.get("missing") or []],
                 "manual": [services.field_label(m) for m in r.get("manual") or []]} for r in explanations]
    gaps = services.gaps_for(record, on)
    benefits = services.match_for(record, on)
    return render(request, "evaluations/self_assessment.html", {
        **ctx, "form": form, "evaluated": True, "on": on, "policies": policies,
        "gaps": services.gap_rows(gaps), "gaps_loaded": gaps is not None, "gaps_missing": services.GAPS_MISSING,
        "benefits": services.benefit_rows(benefits), "benefits_loaded": benefits is not None,
        "match_missing": services.MATCH_MISSING, "save_to": request.POST.get("save_to", ""),
    })
