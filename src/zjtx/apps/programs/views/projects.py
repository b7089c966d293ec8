"""揭榜挂帅 and 重大科技专项 pages: the board (list + exports), new, detail with the lifecycle,
揭榜 applications, milestones, outcomes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zjtx.apps.programs import access, projects
from zjtx.apps.programs.forms import ApplyForm, MilestoneForm, OutcomeForm, ProjectForm, wan
from zjtx.apps.programs.lifecycle import LifecycleError, history
from zjtx.apps.programs.models import CLUSTER_CHOICES, Milestone, Project, ProjectOutcome, SolverApplication
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

COLUMNS = [("code", "项目编号"), ("kind", "类别"), ("title", "项目名称"), ("year", "年度"), ("state", "状态"),
           ("poster", "发榜方"), ("cluster", "产业集群"), ("chain_point", "“卡脖子”环节"), ("division", "联动镇街"),
           ("posting_closes", "张榜截止"), ("applications", "揭榜申请数"), ("solver", "揭榜方"),
           ("city_share", "市级资助（万元）"), ("town_share", "镇街配套（万元）"), ("approved_on", "立项日期"),
           ("milestones", "节点完成"), ("accepted_on", "验收日期")]


def scoped(request: HttpRequest) -> QuerySet:
    return access.projects(request.user, Project.objects.all()).select_related("division", "solver", "poster")


def _filter(qs: QuerySet, g: Any) -> QuerySet:
    for key in ("kind", "state", "cluster"):
        if g.get(key):
            qs = qs.filter(**{key: g[key]})
    if str(g.get("year") or "").isdigit():
        qs = qs.filter(year=int(g["year"]))
    if g.get("division"):
        qs = qs.filter(division_id=g["division"])
    if g.get("q"):
        qs = qs.filter(title__icontains=g["q"])
    return qs


@login_required
def project_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = _filter(scoped(request), request.GET).order_by("-year", "code")
    apps = access.applications(request.user, SolverApplication.objects.filter(project__in=qs.values("pk")))
    n_apps: dict[int, int] = {}
    for pid in apps.values_list("project_id", flat=True):
        n_apps[pid] = n_apps.get(pid, 0) + 1
    rows = []
    for p in qs.prefetch_related("milestones"):
        ms = list(p.milestones.all())
        rows.append({
            "code": p.code, "kind": p.get_kind_display(), "title": p.title, "year": p.year, "state": p.get_state_display(),
            "poster": p.poster_name, "cluster": p.get_cluster_display() if p.cluster else "",
            "chain_point": p.chain_point, "division": p.division.name if p.division_id else "",
            "posting_closes": p.posting_closes, "applications": n_apps.get(p.pk, 0),
            "solver": p.solver.applicant_name if p.solver_id else "", "city_share": yuan(p.city_share),
            "town_share": yuan(p.town_share), "approved_on": p.approved_on,
            "milestones": f"{sum(1 for m in ms if m.status == Milestone.Status.CLOSED)}/{len(ms)}" if ms else "",
            "accepted_on": p.accepted_on,
            "_links": {"code": f"/programs/projects/{p.pk}/", "title": f"/programs/projects/{p.pk}/"}})
    filters = [("q", "关键词", None), ("kind", "类别", choices(Project.Kind.choices)),
               ("state", "状态", choices(Project.State.choices)), ("year", "年度", None),
               ("cluster", "产业集群", choices(CLUSTER_CHOICES)), ("division", "联动镇街", divisions_for(request))]
    states = [(s.value, s.label, scoped(request).filter(state=s.value).count()) for s in Project.State]
    return list_view(request, name="projects", title="揭榜挂帅与重大科技专项", columns=COLUMNS, rows=rows,
                     basename="揭榜挂帅与重大科技专项", filters=filters, fmt=fmt, template="programs/projects.html",
                     extra={"states": states, "can_create": access.role(request.user) not in (None, "auditor")})


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if access.role(request.user) == "auditor":
        raise Http404("审计员不能新建项目")
    form = ProjectForm(request.POST or None, divisions=divisions_for(request))
    if access.role(request.user) == "enterprise_user":
        for name in ("poster_kind", "poster_uscc", "poster_name", "division"):
            form.fields[name].disabled = True
            form.fields[name].required = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields: dict[str, Any] = {
            "kind": d["kind"], "title": d["title"], "year": d["year"], "poster_kind": d["poster_kind"] or "bureau",
            "poster_name": d["poster_name"] or "", "cluster": d["cluster"] or "", "chain_point": d["chain_point"],
            "goal": d["goal"], "indicators": d["indicators"], "budget": wan(d["budget_wan"]) or None,
            "city_share": wan(d["city_share_wan"]), "town_share": wan(d["town_share_wan"]),
            "division_id": d["division"] or None, "posting_opens": d["posting_opens"],
            "posting_closes": d["posting_closes"], "deadline": d["deadline"], "consortium": d["consortium"]}
        if d.get("poster_uscc"):
            ent = access.enterprises(request.user).filter(uscc=d["poster_uscc"].strip().upper()).first()
            if ent is None:
                form.add_error("poster_uscc", "企业不存在或不在本账号管辖范围内")
            else:
                fields["poster"] = ent
        if d.get("plan_id"):
            from zjtx.apps.cultivation.models import Plan

            plan = access.enterprises(request.user).filter(plans__pk=d["plan_id"]).exists() and \
                Plan.objects.filter(pk=d["plan_id"]).first()
            if not plan:
                form.add_error("plan_id", "一企一策方案不存在或不在本账号管辖范围内")
            else:
                fields["plan"] = plan
        if not form.errors:
            try:
                p = projects.create_project(request.user, **fields)
            except LifecycleError as exc:
                refuse(request, exc)
            else:
                messages.success(request, f"项目草稿 {p.code} 已创建")
                return redirect("programs:project", pk=p.pk)
    return render(request, "programs/form.html", ctx("projects", "新建揭榜挂帅/重大科技专项", form=form))


def _get(request: HttpRequest, pk: int) -> Project:
    require_role(request)
    p = scoped(request).filter(pk=pk).first()
    if p is None:
        raise Http404("项目不存在或不在本账号管辖范围内")
    return p


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = _get(request, pk)
    user = request.user
    actions = projects.PROJECT.available(user, p)
    apps = list(access.applications(user, p.applications.all()).select_related("enterprise"))
    submitted = [(str(a.pk), a.applicant_name) for a in apps if a.status == SolverApplication.Status.SUBMITTED]
    milestones = []
    for m in p.milestones.all():
        acts = projects.MILESTONE.available(user, m)
        milestones.append({"m": m, "actions": acts, "fields": action_fields(acts), "fid": f"ms-form-{m.seq}"})
    app_actions = {a.pk: projects.APPLICATION.available(user, a) for a in apps}
    role = access.role(user)
    can_apply = p.state == Project.State.POSTED and role not in (None, "auditor")
    return render(request, "programs/project.html", ctx(
        "projects", str(p), p=p, actions=actions, fields=action_fields(actions, {"applications": submitted}),
        applications=apps, app_actions=app_actions, milestones=milestones,
        outcomes=list(p.outcomes.all()), history=history(p),
        can_apply=can_apply, apply_form=ApplyForm(initial={"applicant_kind": "enterprise"}) if can_apply else None,
        can_milestone=p.state == Project.State.SELECTED and role not in (None, "auditor")
        and access.manages_project(user, p),
        milestone_form=MilestoneForm(),
        can_outcome=p.state in (Project.State.CONTRACTED, Project.State.ACCEPTING, Project.State.ACCEPTED)
        and role not in (None, "auditor") and (access.manages_project(user, p) or access.is_solver(user, p)),
        outcome_form=OutcomeForm(initial={"year": p.year}), can_feed=access.is_city(user),
        funding=p.total_funding))


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int) -> HttpResponse:
    p = _get(request, pk)
    return run_action(request, projects.PROJECT, p, f"/programs/projects/{p.pk}/")


@login_required
@require_POST
def project_apply(request: HttpRequest, pk: int) -> HttpResponse:
    p = _get(request, pk)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "揭榜申请填写有误：" + "；".join(f"{form.fields[k].label}：{'，'.join(v)}"
                                                         for k, v in form.errors.items() if k in form.fields))
        return redirect("programs:project", pk=p.pk)
    d = form.cleaned_data
    ent = None
    if d["enterprise_uscc"].strip():
        ent = access.enterprises(request.user).filter(uscc=d["enterprise_uscc"].strip().upper()).first()
        if ent is None:
            messages.error(request, "企业统一社会信用代码：企业不存在或不在本账号管辖范围内")
            return redirect("programs:project", pk=p.pk)
    try:
        a = projects.submit_application(p, request.user, enterprise=ent, applicant_kind=d["applicant_kind"],
                                        applicant_name=d["applicant_name"], local=d["local"] if ent is None else None,
                                        proposal=d["proposal"], requested_amount=wan(d["requested_amount_wan"]) or None,
                                        partners=d["partners"])
    except LifecycleError as exc:
        refuse(request, exc)
    else:
        messages.success(request, f"已提交揭榜申请：{a.applicant_name}")
    return redirect("programs:project", pk=p.pk)


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int, app_id: int) -> HttpResponse:
    p = _get(request, pk)
    a = access.applications(request.user, p.applications.all()).filter(pk=app_id).first()
    if a is None:
        raise Http404("揭榜申请不存在或不在本账号管辖范围内")
    return run_action(request, projects.APPLICATION, a, f"/programs/projects/{p.pk}/")


@login_required
@require_POST
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    p = _get(request, pk)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "节点填写有误：" + "；".join(f"{form.fields[k].label}：{'，'.join(v)}"
                                                     for k, v in form.errors.items() if k in form.fields))
        return redirect("programs:project", pk=p.pk)
    d = form.cleaned_data
    try:
        m = projects.add_milestone(p, request.user, title=d["title"], due_on=d["due_on"], deliverable=d["deliverable"],
                                   city_amount=wan(d["city_amount_wan"]), town_amount=wan(d["town_amount_wan"]))
    except LifecycleError as exc:
        refuse(request, exc)
    else:
        messages.success(request, f"已添加节点{m.seq}：{m.title}")
    return redirect("programs:project", pk=p.pk)


@login_required
@require_POST
def milestone_transition(request: HttpRequest, pk: int, ms_id: int) -> HttpResponse:
    p = _get(request, pk)
    m = p.milestones.filter(pk=ms_id).first()
    if m is None:
        raise Http404("项目节点不存在")
    return run_action(request, projects.MILESTONE, m, f"/programs/projects/{p.pk}/")


@login_required
@require_POST
def outcome_new(request: HttpRequest, pk: int) -> HttpResponse:
    p = _get(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "成果填写有误")
        return redirect("programs:project", pk=p.pk)
    d = form.cleaned_data
    try:
        projects.add_outcome(p, request.user, kind=d["kind"], title=d["title"], count=d["count"], year=d["year"],
                             note=d["note"])
    except LifecycleError as exc:
        refuse(request, exc)
    else:
        messages.success(request, "已登记项目成果")
    return redirect("programs:project", pk=p.pk)


@login_required
@require_POST
def outcome_feed(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    p = _get(request, pk)
    o = ProjectOutcome.objects.filter(project=p, pk=outcome_id).first()
    if o is None:
        raise Http404("项目成果不存在")
    try:
        rep = projects.feed_outcome(o, request.user)
    except LifecycleError as exc:
        refuse(request, exc)
    else:
        messages.success(request, f"已写入{rep.enterprise.name} {rep.year}年年报（数据来源：已核验），一企一策方案已重新复核")
    return redirect("programs:project", pk=p.pk)
