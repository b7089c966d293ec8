"""Incubation ladder and platform pages: carriers (levels, certifications, tenants), graduates'
later tiers, platforms and the enterprises they serve."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zjtx.apps.programs import access, incubation
from zjtx.apps.programs.forms import CertificationForm, TenantForm
from zjtx.apps.programs.lifecycle import LifecycleError
from zjtx.apps.programs.models import Carrier, Certification, Level, Platform, PlatformService
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

CARRIER_COLUMNS = [("name", "名称"), ("kind", "类型"), ("level", "现级别"), ("certified_on", "现级别认定日期"),
                   ("division", "所在镇街"), ("operator", "运营主体"), ("applying", "申报中"), ("residents", "在孵企业"),
                   ("graduates", "毕业企业")]


@login_required
def carrier_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = access.carriers(request.user, Carrier.objects.all()).select_related("division")
    g = request.GET
    for key, fld in (("kind", "kind"), ("level", "level"), ("division", "division_id")):
        if g.get(key):
            qs = qs.filter(**{fld: g[key]})
    qs = qs.annotate(res=Count("tenancies", filter=Q(tenancies__status="resident"), distinct=True),
                     grad=Count("tenancies", filter=Q(tenancies__status="graduated"), distinct=True))
    applying = dict(Certification.objects.filter(status="applying").values_list("carrier_id", "level"))
    rows = [{"name": c.name, "kind": c.get_kind_display(), "level": c.get_level_display(),
             "certified_on": c.certified_on, "division": c.division.name if c.division_id else "",
             "operator": c.operator, "applying": Level(applying[c.pk]).label if c.pk in applying else "",
             "residents": c.res, "graduates": c.grad, "_links": {"name": f"/programs/carriers/{c.pk}/"}}
            for c in qs.order_by("kind", "-level", "name")]
    ladder = [(k, label, qs.filter(kind=k).count()) for k, label in Carrier.Kind.choices]
    filters = [("kind", "类型", choices(Carrier.Kind.choices)), ("level", "级别", choices(Level.choices)),
               ("division", "镇街", divisions_for(request))]
    return list_view(request, name="carriers", title="孵化载体（众创空间 → 孵化器 → 加速器 → 科技园区）",
                     columns=CARRIER_COLUMNS, rows=rows, basename="孵化载体", filters=filters, fmt=fmt,
                     template="programs/carriers.html", extra={"ladder": ladder})


def _carrier(request: HttpRequest, pk: int) -> Carrier:
    require_role(request)
    c = access.carriers(request.user, Carrier.objects.all()).filter(pk=pk).first()
    if c is None:
        raise Http404("载体不存在")
    return c


@login_required
def carrier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = _carrier(request, pk)
    user = request.user
    certs = []
    for x in c.certifications.all():
        acts = incubation.CERTIFICATION.available(user, x)
        certs.append({"x": x, "actions": acts, "fields": action_fields(acts), "fid": f"cert-form-{x.pk}"})
    tenancies = access.tenancies(user, c.tenancies.all()).select_related("enterprise", "enterprise__division")
    tens = [(t, incubation.TENANCY.available(user, t)) for t in tenancies.order_by("status", "-entered_on")]
    manage = access.role(user) not in (None, "auditor") and access.manages_carrier(user, c)
    return render(request, "programs/carrier.html", ctx(
        "carriers", c.name, c=c, certs=certs, tenancies=tens,
        graduates=incubation.graduate_rows(user, c), manage=manage,
        cert_form=CertificationForm(), tenant_form=TenantForm()))


@login_required
@require_POST
def certification_new(request: HttpRequest, pk: int) -> HttpResponse:
    c = _carrier(request, pk)
    form = CertificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "申报信息填写有误")
        return redirect("programs:carrier", pk=c.pk)
    try:
        incubation.apply_certification(c, request.user, form.cleaned_data["level"], form.cleaned_data["applied_on"])
    except LifecycleError as exc:
        refuse(request, exc)
    else:
        messages.success(request, "已登记认定申报")
    return redirect("programs:carrier", pk=c.pk)


@login_required
@require_POST
def certification_transition(request: HttpRequest, pk: int, cert_id: int) -> HttpResponse:
    c = _carrier(request, pk)
    cert = c.certifications.filter(pk=cert_id).first()
    if cert is None:
        raise Http404("认定记录不存在")
    return run_action(request, incubation.CERTIFICATION, cert, f"/programs/carriers/{c.pk}/")


@login_required
@require_POST
def tenant_new(request: HttpRequest, pk: int) -> HttpResponse:
    c = _carrier(request, pk)
    form = TenantForm(request.POST)
    if not form.is_valid():
        messages.error(request, "入驻信息填写有误")
        return redirect("programs:carrier", pk=c.pk)
    ent = access.enterprises(request.user).filter(uscc=form.cleaned_data["uscc"].strip().upper()).first()
    if ent is None:
        messages.error(request, "企业统一社会信用代码：企业不存在或不在本账号管辖范围内")
        return redirect("programs:carrier", pk=c.pk)
    try:
        incubation.admit(c, ent, request.user, form.cleaned_data["entered_on"])
    except LifecycleError as exc:
        refuse(request, exc)
    else:
        messages.success(request, f"已登记入驻：{ent.name}")
    return redirect("programs:carrier", pk=c.pk)


@login_required
@require_POST
def tenancy_transition(request: HttpRequest, pk: int, tenancy_id: int) -> HttpResponse:
    c = _carrier(request, pk)
    t = access.tenancies(request.user, c.tenancies.all()).filter(pk=tenancy_id).first()
    if t is None:
        raise Http404("在孵记录不存在或不在本账号管辖范围内")
    return run_action(request, incubation.TENANCY, t, f"/programs/carriers/{c.pk}/")


GRAD_COLUMNS = [("carrier", "载体"), ("carrier_kind", "载体类型"), ("uscc", "统一社会信用代码"), ("name", "企业名称"),
                ("division", "所属镇街"), ("entered_on", "入驻日期"), ("graduated_on", "毕业日期"),
                ("titles_after", "毕业后获得的认定"), ("qualified_now", "最新评价达标的梯度")]


@login_required
def graduates(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    rows = incubation.graduate_rows(request.user)
    later = sum(1 for r in rows if r["titles_after"])
    return list_view(request, name="graduates", title="毕业企业去向（后续梯度）", columns=GRAD_COLUMNS, rows=rows,
                     basename="毕业企业去向", fmt=fmt, template="programs/graduates.html",
                     extra={"with_titles": later})


PLATFORM_COLUMNS = [("name", "名称"), ("kind", "类型"), ("partner", "共建高校/科研机构"), ("established_on", "挂牌日期"),
                    ("status", "状态"), ("open_shared_lab", "开放共享实验室"), ("park", "所在园区"),
                    ("served", "服务企业数")]


@login_required
def platform_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = Platform.objects.annotate(served=Count("services__enterprise", distinct=True)).order_by("established_on", "name")
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    if request.GET.get("lab") in ("1", "0"):
        qs = qs.filter(open_shared_lab=request.GET["lab"] == "1")
    rows = [{"name": p.name, "kind": p.get_kind_display(), "partner": p.partner, "established_on": p.established_on,
             "status": p.get_status_display(), "open_shared_lab": p.open_shared_lab, "park": p.park,
             "served": p.served, "_links": {"name": f"/programs/platforms/{p.pk}/"}} for p in qs]
    filters = [("status", "状态", choices(Platform.Status.choices)), ("lab", "开放共享实验室", [("1", "是"), ("0", "否")])]
    return list_view(request, name="platforms", title="创新平台（市校/院共建）", columns=PLATFORM_COLUMNS, rows=rows,
                     basename="创新平台", filters=filters, fmt=fmt)


@login_required
def platform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request)
    p = Platform.objects.filter(pk=pk).first()
    if p is None:
        raise Http404("平台不存在")
    services = access.linked(request.user, PlatformService.objects.filter(platform=p)).select_related("enterprise")
    return render(request, "programs/platform.html", ctx("platforms", p.name, p=p, services=services.order_by("-on")))
