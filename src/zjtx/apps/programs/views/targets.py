"""Investment-target pages: the scored list (exports), a target with its reasons, rules results and
follow-up log, the funnel per team, and the list import (preview → confirm)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zjtx.apps.enterprises.models import Division
from zjtx.apps.programs import access, targets
from zjtx.apps.programs.forms import TargetImportForm
from zjtx.apps.programs.frames import programme_frames
from zjtx.apps.programs.lifecycle import LifecycleError, history
from zjtx.apps.programs.models import (
    FollowUp,
    InvestmentTarget,
    InvestmentTeam,
    TargetImport,
    TargetList,
    TargetStage,
)
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
from zjtx.facts import industries as fi
from zjtx.stats.programs import FUNNEL_STEPS, funnel

STATUS_ZH = {"qualified": "达标", "not_qualified": "未达标", "unknown": "待核验", "manual_review": "待人工审核"}
POLICY_ZH = {"innovative_sme": "创新型中小企业", "specialized_sme": "专精特新中小企业",
             "little_giant": "专精特新“小巨人”企业", "zs_gazelle": "瞪羚企业（本地假设）"}
COLUMNS = [("uscc", "统一社会信用代码"), ("name", "企业名称"), ("region", "所在地市"), ("list", "名单"),
           ("industry", "行业"), ("cluster", "产业集群"), ("fit", "产业链契合"), ("fit_score", "契合度得分"),
           ("little_giant", "“小巨人”规则评价"), ("gazelle", "瞪羚规则评价"), ("revenue", "营业收入（万元，上年度）"),
           ("team", "招商小组"), ("town", "承接镇街"), ("key_target", "重点招引目标"), ("stage", "进展"),
           ("stage_on", "进展日期")]


def scoped(request: HttpRequest) -> QuerySet:
    return access.targets(request.user, InvestmentTarget.objects.all()).select_related("target_list", "team", "town")


def _filter(qs: QuerySet, g: Any) -> QuerySet:
    if g.get("q"):
        qs = qs.filter(name__icontains=g["q"])
    for key, fld in (("list", "target_list_id"), ("team", "team__code"), ("town", "town_id"), ("fit", "fit"),
                     ("stage", "stage"), ("region", "region")):
        if g.get(key):
            qs = qs.filter(**{fld: g[key]})
    if g.get("key") in ("1", "0"):
        qs = qs.filter(key_target=g["key"] == "1")
    if g.get("cluster"):
        c = fi.cluster_by_id(g["cluster"])
        codes = set(qs.exclude(industry="").values_list("industry", flat=True).distinct())
        qs = qs.filter(industry__in=[x for x in codes if c is not None and fi.cluster_of(x) == c.id])
    return qs


def _status(t: InvestmentTarget, pid: str) -> str:
    ev = (t.evaluation or {}).get(pid)
    return STATUS_ZH.get(ev.get("status"), "") if ev else "不适用"


@login_required
def target_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = _filter(scoped(request), request.GET).order_by("-fit_score", "uscc")
    rows = [{
        "uscc": t.uscc, "name": t.name, "region": t.region, "list": t.target_list.name,
        "industry": f"{t.industry} {fi.industry_name(t.industry) or ''}".strip() if t.industry else "",
        "cluster": fi.cluster_name(t.cluster) or "", "fit": t.get_fit_display(), "fit_score": t.fit_score,
        "little_giant": _status(t, "little_giant"), "gazelle": _status(t, "zs_gazelle"),
        "revenue": yuan(t.data.get("revenue_y1")), "team": t.team.name if t.team_id else "",
        "town": t.town.name if t.town_id else "", "key_target": t.key_target, "stage": t.get_stage_display(),
        "stage_on": t.stage_on, "_links": {"name": f"/programs/targets/{t.pk}/"}} for t in qs]
    filters = [("q", "企业名称", None), ("list", "名单", [(str(x.pk), x.name) for x in TargetList.objects.all()]),
               ("region", "所在地市", [(r, r) for r in scoped(request).values_list("region", flat=True).distinct()
                                    .order_by("region") if r]),
               ("cluster", "产业集群", [(c.id, c.name) for c in fi.CLUSTERS]),
               ("fit", "产业链契合", choices(InvestmentTarget.Fit.choices)),
               ("team", "招商小组", [(x.code, x.name) for x in InvestmentTeam.objects.all()]),
               ("town", "承接镇街", divisions_for(request)), ("key", "重点招引目标", [("1", "是"), ("0", "否")]),
               ("stage", "进展", choices(TargetStage.choices))]
    return list_view(request, name="targets", title="招商目标", columns=COLUMNS, rows=rows, basename="招商目标",
                     filters=filters, fmt=fmt, template="programs/targets.html",
                     extra={"can_import": access.is_city(request.user)})


def _get(request: HttpRequest, pk: int) -> InvestmentTarget:
    require_role(request)
    t = scoped(request).filter(pk=pk).first()
    if t is None:
        raise Http404("招商目标不存在或不在本账号管辖范围内")
    return t


def _options() -> dict[str, list[tuple[str, str]]]:
    return {"teams": [(x.code, x.name) for x in InvestmentTeam.objects.all()],
            "towns": [(d.code, d.name) for d in Division.objects.filter(valid_to__isnull=True)],
            "followup_kinds": list(FollowUp.Kind.choices)}


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    t = _get(request, pk)
    actions = targets.TARGET.available(request.user, t)
    evaluation = []
    for pid in targets.TARGET_POLICIES:
        v = (t.evaluation or {}).get(pid)
        if v is None:
            if t.evaluated_on is not None:
                evaluation.append({"policy": POLICY_ZH.get(pid, pid), "status": "不适用（评价基准日尚无有效规则版本）",
                                   "missing": ""})
            continue
        evaluation.append({"policy": POLICY_ZH.get(pid, pid), "status": STATUS_ZH.get(v.get("status"), v.get("status")),
                           "missing": "、".join(_field_label(f) for f in v.get("missing") or [])})
    figures = [(spec.label, t.data.get(spec.name)) for spec in targets.TARGET_FIELDS
               if spec.name in targets.RECORD_FIELDS and spec.name not in ("industry", "founded_on")]
    return render(request, "programs/target.html", ctx(
        "targets", t.name, t=t, actions=actions, fields=action_fields(actions, _options()),
        followups=t.followups.select_related("by").all(), history=history(t), evaluation=evaluation,
        figures=[(label, _fmt(v)) for label, v in figures],
        cluster=fi.cluster_name(t.cluster), industry_name=fi.industry_name(t.industry) if t.industry else ""))


def _field_label(name: str) -> str:
    from zjtx.policies import catalog

    spec = catalog().schema.get(name)
    return spec.label if spec else name


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v >= 10000:
        return f"{v / 10000:,.2f}万元"
    return str(v)


@login_required
@require_POST
def target_transition(request: HttpRequest, pk: int) -> HttpResponse:
    t = _get(request, pk)
    return run_action(request, targets.TARGET, t, f"/programs/targets/{t.pk}/")


@login_required
def funnel_view(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    try:
        as_of = date.fromisoformat(request.GET["as_of"]) if request.GET.get("as_of") else None
    except ValueError:
        as_of = None
        messages.error(request, "截至日期格式错误，已显示最新进展")
    fr = programme_frames(targets=scoped(request), events=None)
    st = funnel(fr, as_of)
    steps = [k for k, _ in FUNNEL_STEPS]
    rows = []
    for r in (st.table.iter_rows(named=True) if st.table is not None else []):
        row = {"team": r["team"], **{k: r[k] for k in steps}}
        row["visit_rate"] = f"{r['visited'] / r['targeted'] * 100:.1f}%" if r["targeted"] else "—"
        row["sign_rate"] = f"{r['signed'] / r['visited'] * 100:.1f}%" if r["visited"] else "—"
        rows.append(row)
    columns = [("team", "招商小组"), *FUNNEL_STEPS, ("visit_rate", "走访率（走访/重点）"), ("sign_rate", "签约率（签约/走访）")]
    return list_view(request, name="funnel", title="招商进展（按小组）", columns=columns, rows=rows, basename="招商进展",
                     filters=[("as_of", "截至日期（YYYY-MM-DD，空为最新）", None)], fmt=fmt,
                     template="programs/funnel.html", extra={"query": st.query, "as_of": as_of,
                                                             "chart": [{"name": label, "value": sum(r[k] for r in rows)}
                                                                       for k, label in FUNNEL_STEPS]})


# ------------------------------------------------------------------------------------ import

def _require_city(request: HttpRequest) -> None:
    require_role(request)
    if not access.is_city(request.user):
        raise PermissionDenied("招商名单由市级工作人员导入")


@login_required
def import_index(request: HttpRequest) -> HttpResponse:
    _require_city(request)
    form = TargetImportForm(request.POST or None, request.FILES or None,
                            initial={"listed_on": timezone.localdate(), "kind": "little_giant"})
    form.fields["team"].choices = [("", "—")] + [(x.code, x.name) for x in InvestmentTeam.objects.all()]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            messages.error(request, "文件格式不支持：请上传 .xlsx 或 .csv 文件")
        else:
            d = form.cleaned_data
            team = InvestmentTeam.objects.filter(code=d["team"]).first() if d["team"] else None
            try:
                job = targets.create_import(request.user, upload.name, upload.read(), list_name=d["list_name"],
                                            listed_on=d["listed_on"], kind=d["kind"], source=d["source"], team=team)
            except LifecycleError as exc:
                refuse(request, exc)
            else:
                return redirect("programs:target_import_job", job_id=job.pk)
    jobs = TargetImport.objects.filter(created_by=request.user).defer("content")[:20]
    return render(request, "programs/target_import.html", ctx("targets", "导入招商名单", form=form, jobs=jobs))


@login_required
def import_job(request: HttpRequest, job_id: Any) -> HttpResponse:
    _require_city(request)
    job = TargetImport.objects.filter(pk=job_id).defer("content").first()
    if job is None or (job.created_by_id != request.user.pk and not access.is_admin(request.user)):
        raise Http404("导入任务不存在")
    if request.method == "POST":
        if request.POST.get("cancel"):
            TargetImport.objects.filter(pk=job.pk, status=TargetImport.Status.READY).update(
                status=TargetImport.Status.CANCELLED)
            messages.info(request, "已取消导入，未写入任何数据")
            return redirect("programs:target_import_job", job_id=job.pk)
        try:
            tl = targets.confirm_import(job, request.user)
        except LifecycleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已导入“{tl.name}”：{tl.targets.count()}家企业，已完成规则评价与产业链契合度评分")
            return redirect(f"/programs/targets/?list={tl.pk}")
        return redirect("programs:target_import_job", job_id=job.pk)
    return render(request, "programs/target_import_job.html", ctx("targets", f"导入：{job.filename}", job=job))


def _xlsx(body: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _require_city(request)
    return _xlsx(targets.template_bytes(), "招商名单导入模板.xlsx")


@login_required
def import_sample(request: HttpRequest) -> HttpResponse:
    _require_city(request)
    from zjtx.demo.programs import SAMPLE_TARGETS_PATH

    return _xlsx(SAMPLE_TARGETS_PATH.read_bytes(), "全省专精特新小巨人企业名单（演示样本299家）.xlsx")
