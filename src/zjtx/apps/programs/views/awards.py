"""Competition pages: awards (exports) with benefit actions, contests, new award."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zjtx.apps.programs import access, awards
from zjtx.apps.programs.forms import AwardForm
from zjtx.apps.programs.lifecycle import LifecycleError, history
from zjtx.apps.programs.models import Award, Contest
from zjtx.apps.programs.views.common import (
    action_fields,
    choices,
    ctx,
    divisions_for,
    list_view,
    refuse,
    require_role,
    run_action,
    yuan,
)

COLUMNS = [("id", "编号"), ("contest", "赛事"), ("year", "年度"), ("uscc", "统一社会信用代码"), ("name", "企业名称"),
           ("division", "所属镇街"), ("project", "参赛项目"), ("group", "组别"), ("prize", "奖项"), ("rank", "名次"),
           ("grant", "资金补助（万元）"), ("credit", "银行授信（万元）"), ("benefit", "政策兑现"),
           ("ledger", "奖补台账记录")]


@login_required
def award_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = access.awards(request.user, Award.objects.all()).select_related("contest", "enterprise__division",
                                                                          "ledger_entry")
    g = request.GET
    for key, fld in (("contest", "contest_id"), ("benefit", "benefit_status"), ("division", "enterprise__division_id")):
        if g.get(key):
            qs = qs.filter(**{fld: g[key]})
    if str(g.get("year") or "").isdigit():
        qs = qs.filter(contest__year=int(g["year"]))
    rows = [{"id": a.pk, "contest": a.contest.name, "year": a.contest.year, "uscc": a.enterprise.uscc,
             "name": a.enterprise.name, "division": a.enterprise.division.name if a.enterprise.division_id else "",
             "project": a.project, "group": a.group, "prize": a.prize, "rank": a.rank,
             "grant": yuan(a.ledger_entry.amount) if a.ledger_entry_id else "", "credit": yuan(a.credit_line),
             "benefit": a.get_benefit_status_display(), "ledger": f"#{a.ledger_entry_id}" if a.ledger_entry_id else "",
             "_links": {"id": f"/programs/awards/{a.pk}/", "name": f"/programs/awards/{a.pk}/"}}
            for a in qs.order_by("-contest__year", "contest", "rank", "id")]
    filters = [("contest", "赛事", [(str(c.pk), c.name) for c in Contest.objects.all()]), ("year", "年度", None),
               ("benefit", "政策兑现", choices(Award.BenefitStatus.choices)), ("division", "镇街", divisions_for(request))]
    return list_view(request, name="awards", title="大赛获奖企业", columns=COLUMNS, rows=rows, basename="大赛获奖企业",
                     filters=filters, fmt=fmt, template="programs/awards.html",
                     extra={"contests": Contest.objects.all(), "can_add": access.is_city(request.user)})


@login_required
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request)
    a = access.awards(request.user, Award.objects.all()).select_related("contest", "enterprise", "ledger_entry").filter(
        pk=pk).first()
    if a is None:
        raise Http404("获奖记录不存在或不在本账号管辖范围内")
    actions = awards.AWARD.available(request.user, a)
    return render(request, "programs/award.html", ctx(
        "awards", str(a), a=a, actions=actions, fields=action_fields(actions), history=history(a),
        benefit=a.contest.benefit_for(a.prize), rank_field=dict(Contest.RANK_FIELDS).get(a.contest.rank_field, "")))


@login_required
@require_POST
def award_transition(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request)
    a = access.awards(request.user, Award.objects.all()).filter(pk=pk).first()
    if a is None:
        raise Http404("获奖记录不存在或不在本账号管辖范围内")
    return run_action(request, awards.AWARD, a, f"/programs/awards/{a.pk}/")


@login_required
def award_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if not access.is_city(request.user):
        raise PermissionDenied("获奖记录由市级工作人员登记")
    form = AwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ent = access.enterprises(request.user).filter(uscc=d["uscc"].strip().upper()).first()
        if ent is None:
            form.add_error("uscc", "企业不存在（获奖企业须在企业库中）")
        else:
            try:
                a = awards.record_award(request.user, d["contest"], ent, project=d["project"], prize=d["prize"],
                                        awarded_on=d["awarded_on"], rank=d["rank"], group=d["group"])
            except LifecycleError as exc:
                refuse(request, exc)
            else:
                messages.success(request, f"已登记获奖：{ent.name} {a.prize}")
                return redirect("programs:award", pk=a.pk)
    return render(request, "programs/form.html", ctx("awards", "登记获奖企业", form=form))
