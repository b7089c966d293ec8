"""Investment targeting (招商): an external list imported like the registry (row-level errors,
nothing written unless every row is valid, upsert by USCC), each firm evaluated with the public
engine API where its data allow, its fit to the city's "4+6+4" chains scored with the reasons
shown, a team and a receiving town assigned, and the follow-up (联系 → 走访/线上会谈 → 意向 → 签约 →
落地) logged with dates.

Lifecycle of a target (``stage``; the furthest stage reached is kept in ``furthest``):

=========  =====================================  =========================================
action     effect                                 who / preconditions
=========  =====================================  =========================================
target     已列入名单 → 重点招引目标                  city; not a firm registered in the city;
                                                  a team assigned
assign     team and/or receiving town             city
follow     log a follow-up; the stage moves up    city, or the receiving town's officer;
           to the follow-up's stage               team assigned; 意向 needs a contact first,
                                                  签约 needs an intention, 落地 needs a
                                                  signing and a receiving town; the date is
                                                  not in the future nor before the list date
drop       → 已放弃 (reason)                       city, or the receiving town's officer
restore    已放弃 → the furthest stage reached      city
=========  =====================================  =========================================
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.enterprises.cells import CellError, is_blank, parse_cell, raw_text
from zjtx.apps.enterprises.importer import Problem, _columns, _data_rows, _header_index, read_sheets
from zjtx.apps.programs import access
from zjtx.apps.programs.layout import GD_CITIES, SHEET, TARGET_FIELDS, template_bytes  # noqa: F401
from zjtx.apps.programs.lifecycle import Action, LifecycleError, Machine
from zjtx.apps.programs.models import (
    STAGE_ORDER,
    FollowUp,
    InvestmentTarget,
    InvestmentTeam,
    TargetImport,
    TargetList,
    TargetStage,
)
from zjtx.facts import industries as fi

RECORD_FIELDS = tuple(f.name for f in TARGET_FIELDS if f.name not in ("uscc", "name", "region", "main_product"))
_INDEX = _header_index(TARGET_FIELDS)
_BY = {f.name: f for f in TARGET_FIELDS}
_AT_MOST = (("rd_staff_y1", "employees_y1"), ("ip1_high_value", "ip1"), ("main_revenue_y1", "revenue_y1"))

# Policies run on the targets' records (those the list data can decide or bring close).
TARGET_POLICIES = ("innovative_sme", "specialized_sme", "little_giant", "zs_gazelle")


def region_of(uscc: str) -> str:
    return GD_CITIES.get(uscc[2:6], "广东省" if uscc[2:4] == "44" else "广东省外")


# ----------------------------------------------------------------------------------- import

@dataclass
class ParsedTarget:
    row: int
    uscc: str
    values: dict[str, Any]
    raw: dict[str, str]


@dataclass
class TargetParse:
    rows: list[ParsedTarget] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def validate_targets(content: bytes, filename: str) -> TargetParse:
    """Every cell checked, every problem reported with its row and column; nothing written."""
    out = TargetParse()
    try:
        sheets = read_sheets(content, filename)
    except CellError as exc:
        out.errors.append(Problem(0, "文件", str(exc).removeprefix("无法读取文件："), SHEET))
        return out
    name = SHEET if SHEET in sheets else next((n for n in sheets if n not in ("填写说明", "代码表")), None)
    rows = sheets.get(name) if name else None
    if not rows:
        out.errors.append(Problem(0, "文件", f"找不到“{SHEET}”工作表或表头", SHEET))
        return out
    cols = _columns(rows[0], _INDEX, SHEET, out.warnings, out.errors)
    names = {s.name for s in cols.values()}
    for required, label in (("uscc", "统一社会信用代码"), ("name", "企业名称")):
        if required not in names:
            out.errors.append(Problem(1, label, "缺少此列", SHEET))
    if out.errors:
        return out
    first: dict[str, int] = {}
    for n, row in _data_rows(rows):
        values: dict[str, Any] = {}
        raw: dict[str, str] = {}
        for i, spec in cols.items():
            cell = row[i] if i < len(row) else None
            if is_blank(cell):
                if spec.name in ("uscc", "name"):
                    out.errors.append(Problem(n, spec.label, "不能为空", SHEET))
                continue
            raw[spec.name] = raw_text(cell)
            try:
                values[spec.name] = parse_cell(spec, cell)
            except CellError as exc:
                out.errors.append(Problem(n, spec.label, str(exc), SHEET))
        for small, big in _AT_MOST:
            a, b = values.get(small), values.get(big)
            if a is not None and b is not None and a > b:
                out.errors.append(Problem(n, _BY[small].label, f"不能大于{_BY[big].label}（{raw[big]}）", SHEET))
        uscc = values.get("uscc")
        if uscc is None:
            continue
        if uscc in first:
            out.errors.append(Problem(n, "统一社会信用代码", f"与第{first[uscc]}行重复", SHEET))
            continue
        first[uscc] = n
        if uscc[2:6] == "4420":
            out.warnings.append(Problem(n, "统一社会信用代码", "本市注册企业：导入但不作为招引目标", SHEET))
        out.rows.append(ParsedTarget(n, uscc, values, raw))
    if not out.rows and not out.errors:
        out.errors.append(Problem(0, "文件", "没有数据行", SHEET))
    out.errors.sort(key=lambda p: p.row)
    return out


def create_import(user: Any, filename: str, content: bytes, *, list_name: str, listed_on: date,
                  kind: str = TargetList.Kind.LITTLE_GIANT, source: str = "",
                  team: InvestmentTeam | None = None) -> TargetImport:
    """Store and validate an upload (nothing is written to the target tables)."""
    if not access.is_city(user):
        raise LifecycleError("招商名单由市级工作人员导入", 403)
    parsed = validate_targets(content, filename)
    errors = [p.as_dict() for p in parsed.errors]
    if not list_name.strip():
        errors.insert(0, Problem(0, "名单名称", "不能为空", SHEET).as_dict())
    if listed_on > timezone.localdate():
        errors.insert(0, Problem(0, "名单日期", "不能晚于今天", SHEET).as_dict())
    return TargetImport.objects.create(
        created_by=user, filename=filename[:255], content=content, list_name=list_name.strip()[:120],
        list_kind=kind, source=source[:200], listed_on=listed_on, team=team, total_rows=len(parsed.rows),
        status=TargetImport.Status.INVALID if errors else TargetImport.Status.READY, errors=errors,
        warnings=[p.as_dict() for p in parsed.warnings])


def confirm_import(job: TargetImport, user: Any, on: date | None = None) -> TargetList:
    """Validate again and write the list in ONE transaction (upsert by USCC within the list), then
    evaluate and score every firm. A file that no longer validates writes nothing."""
    if not access.is_city(user):
        raise LifecycleError("招商名单由市级工作人员导入", 403)
    if job.status != TargetImport.Status.READY:
        raise LifecycleError(f"该导入任务不能确认（状态：{job.get_status_display()}）", 409)
    parsed = validate_targets(bytes(job.content), job.filename)
    if parsed.errors:
        TargetImport.objects.filter(pk=job.pk).update(status=TargetImport.Status.INVALID,
                                                      errors=[p.as_dict() for p in parsed.errors])
        raise LifecycleError("文件校验未通过，未导入任何数据")
    with acting_as(user, source="import"), transaction.atomic():
        tl, _ = TargetList.objects.get_or_create(
            name=job.list_name, listed_on=job.listed_on,
            defaults={"kind": job.list_kind, "source": job.source, "team": job.team, "filename": job.filename,
                      "created_by": user})
        apply_rows(tl, parsed.rows)
        job.status = TargetImport.Status.DONE
        job.result_list = tl
        job.save(update_fields=["status", "result_list"])
    refresh_list(tl, on or tl.listed_on)
    return tl


def apply_rows(tl: TargetList, rows: list[ParsedTarget]) -> tuple[int, int]:
    """Upsert the parsed rows into ``tl`` (call inside a transaction). Returns (created, updated)."""
    existing = {t.uscc: t for t in tl.targets.all()}
    created = updated = 0
    for r in rows:
        t = existing.get(r.uscc) or InvestmentTarget(target_list=tl, uscc=r.uscc, team=tl.team)
        t.name = str(r.values.get("name") or t.name)[:200]
        t.region = str(r.values.get("region") or t.region or region_of(r.uscc))[:40]
        t.region_code = r.uscc[2:8]
        t.local = r.uscc[2:6] == "4420"
        t.industry = r.values.get("industry") or t.industry
        t.main_product = str(r.values.get("main_product") or t.main_product)[:200]
        t.founded_on = r.values.get("founded_on") or t.founded_on
        data = dict(t.data)
        for name in RECORD_FIELDS:
            if name in r.values and name not in ("industry", "founded_on"):
                v = r.values[name]
                data[name] = v if isinstance(v, bool | int | str) else float(v)
        t.data = data
        t.raw = {**t.raw, **r.raw}
        if t.pk is None:
            created += 1
        else:
            updated += 1
        t.save()
    return created, updated


# ----------------------------------------------------------------------------------- evaluation

def record_of(t: InvestmentTarget, kind: str) -> dict[str, Any]:
    """The FIELDS.md record of a target (list membership sets the title flag it implies)."""
    rec: dict[str, Any] = {"uscc": t.uscc, "name": t.name, "industry": t.industry or None,
                           "founded_on": t.founded_on, **t.data}
    if kind == TargetList.Kind.LITTLE_GIANT:
        rec["little_giant_valid"] = True
    if kind == TargetList.Kind.SPECIALIZED:
        rec["specialized_sme_valid"] = True
    return rec


def evaluate_targets(targets: list[InvestmentTarget], kind: str, on: date) -> dict[str, dict[str, Any]]:
    """``{uscc: {policy: {status, missing}}}`` with ``zjtx.evaluate`` (unknown where data are missing)."""
    import zjtx
    from zjtx.policies import catalog

    policies = [p for p in TARGET_POLICIES if any(r.covers(on) for r in catalog().get(p).regimes)]
    if not targets or not policies:
        return {}
    records = [record_of(t, kind) for t in targets]
    df = zjtx.evaluate(records, on=on, policies=policies, keep=("uscc",))
    out: dict[str, dict[str, Any]] = {}
    for row in df.iter_rows(named=True):
        out[row["uscc"]] = {p: {"status": row[f"{p}.status"], "missing": list(row.get(f"{p}.missing") or [])}
                            for p in policies}
    return out


@dataclass(frozen=True)
class FitRules:
    """How chain fit is judged (DERIVED: the letter names 补链/延链/强链 and the clusters, not a formula).

    * 延链 (extend): the target's "4+6+4" cluster holds less than ``weak_cluster_share`` of the
      city's enterprises — the city has little of this chain yet;
    * 补链 (fill): the cluster is established but fewer than ``thin_class`` local enterprises work in
      the target's 小类 — a missing or thin link;
    * 强链 (strengthen): the link already exists locally.
    Points: fit 35/25/20; group (六大战略性新兴产业 15, 四大战略性新兴产业集群 10, 四大特色优势 5);
    the letter's investment focus (二(三)) 15; rules results 10 each; R&D intensity (≥5% 10, ≥3% 5);
    revenue growth ≥ 15% 5. Capped at 100.
    """

    thin_class: int = 5
    weak_cluster_share: float = 0.01
    points_fit: tuple[tuple[str, int], ...] = (("fill", 35), ("extend", 25), ("strengthen", 20))
    points_group: tuple[tuple[str, int], ...] = ((fi.GROUP_6E, 15), (fi.GROUP_4E, 10), (fi.GROUP_4T, 5))
    focus: tuple[str, ...] = ("equipment", "electronics", "health", "smart_home", "semiconductor")
    focus_points: int = 15


RULES = FitRules()


@dataclass
class LocalChains:
    """Local enterprises per 小类 and per cluster (the registry, registered in the city)."""

    by_class: Counter
    by_cluster: Counter
    total: int

    @classmethod
    def from_registry(cls) -> LocalChains:
        from zjtx.apps.enterprises.models import Enterprise

        codes = Counter(dict(_count_by_industry(Enterprise.objects.filter(uscc__regex=r"^..4420"))))
        clusters: Counter = Counter()
        for code, n in codes.items():
            c = fi.cluster_of(code)
            if c:
                clusters[c] += n
        return cls(codes, clusters, sum(codes.values()))


def _count_by_industry(qs: Any) -> list[tuple[str, int]]:
    from django.db.models import Count

    return [(r["industry"], r["n"]) for r in qs.exclude(industry="").values("industry").annotate(n=Count("id"))]


def score_fit(t: InvestmentTarget, local: LocalChains, evaluation: dict[str, Any],
              rules: FitRules = RULES) -> tuple[str, int, list[str]]:
    """(fit, score 0–100, reasons) of one target against the city's chains."""
    reasons: list[str] = []
    if not t.industry:
        return InvestmentTarget.Fit.NONE, 0, ["未填写行业代码，无法判断产业链契合度"]
    cid = fi.cluster_of(t.industry)
    iname = fi.industry_name(t.industry) or t.industry
    if cid is None:
        return InvestmentTarget.Fit.NONE, 0, [f"行业 {t.industry} {iname} 不属于“4+6+4”产业集群"]
    cluster = fi.cluster_by_id(cid)
    assert cluster is not None
    n_class, n_cluster = local.by_class.get(t.industry, 0), local.by_cluster.get(cid, 0)
    share = n_cluster / local.total if local.total else 0.0
    if share < rules.weak_cluster_share:
        fit = InvestmentTarget.Fit.EXTEND
        reasons.append(f"延链：本市“{cluster.name}”集群企业{n_cluster}户，占全市{share * 100:.1f}%"
                       f"（低于{rules.weak_cluster_share * 100:.0f}%），引进可延伸产业链")
    elif n_class < rules.thin_class:
        fit = InvestmentTarget.Fit.FILL
        reasons.append(f"补链：本市“{cluster.name}”集群已有企业{n_cluster}户，但“{iname}”（{t.industry}）"
                       f"仅{n_class}户（少于{rules.thin_class}户），可补齐薄弱环节")
    else:
        fit = InvestmentTarget.Fit.STRENGTHEN
        reasons.append(f"强链：本市“{iname}”（{t.industry}）已有企业{n_class}户，可做强“{cluster.name}”既有环节")
    score = dict(rules.points_fit)[fit]
    gp = dict(rules.points_group).get(cluster.group, 0)
    score += gp
    reasons.append(f"所属{cluster.group}（+{gp}）")
    if cid in rules.focus:
        score += rules.focus_points
        reasons.append(f"属于市重点招引方向（中工信函〔2022〕59号 二(三)）（+{rules.focus_points}）")
    for pid, label in (("little_giant", "按本平台规则评价为专精特新“小巨人”达标"), ("zs_gazelle", "按本平台规则评价为瞪羚企业达标")):
        if (evaluation.get(pid) or {}).get("status") == "qualified":
            score += 10
            reasons.append(f"{label}（+10）")
    rev, rd = t.data.get("revenue_y1"), t.data.get("rd_expense_y1")
    if rev and rd is not None:
        ratio = rd / rev
        pts = 10 if ratio >= 0.05 else 5 if ratio >= 0.03 else 0
        score += pts
        reasons.append(f"研发费用占营业收入{ratio * 100:.1f}%（+{pts}）")
    prev = t.data.get("revenue_y2")
    if rev and prev:
        g = rev / prev - 1
        if g >= 0.15:
            score += 5
            reasons.append(f"上年营业收入增长{g * 100:.1f}%（+5）")
    return fit, min(score, 100), reasons


def refresh_list(tl: TargetList, on: date, local: LocalChains | None = None) -> int:
    """Evaluate and score every target of ``tl`` as of ``on`` (``_y1`` = the year before ``on``)."""
    targets = list(tl.targets.all())
    local = local or LocalChains.from_registry()
    results = evaluate_targets(targets, tl.kind, on)
    with acting_as(None, source="programs"), transaction.atomic():
        for t in targets:
            ev = results.get(t.uscc, {})
            t.evaluation = ev
            t.evaluated_on = on
            t.fit, t.fit_score, t.fit_reasons = score_fit(t, local, ev)
            t.save()
    return len(targets)


def suggest_key_targets(tl: TargetList, region: str, n: int) -> list[InvestmentTarget]:
    """The ``n`` best-fitting non-local firms of ``region`` (ties by USCC): the screening the
    Shenzhen team did by hand (综合研判分析)."""
    qs = tl.targets.filter(region=region, local=False).exclude(fit=InvestmentTarget.Fit.NONE)
    return list(qs.order_by("-fit_score", "uscc")[:n])


# ----------------------------------------------------------------------------------- lifecycle

T = TargetStage
ACTIVE = tuple(s for s in T.values if s != T.DROPPED)


def _visible(user: Any, t: InvestmentTarget) -> bool:
    return access.targets(user, InvestmentTarget.objects.filter(pk=t.pk)).exists()


def _city(user: Any, t: Any) -> bool:
    return access.is_city(user)


def _follower(user: Any, t: InvestmentTarget) -> bool:
    return access.follows_target(user, t)


def _team_in(data: dict[str, Any]) -> InvestmentTeam | None:
    v = data.get("team")
    if isinstance(v, InvestmentTeam):
        return v
    return InvestmentTeam.objects.filter(code=v).first() if v else None


def _check_target(t: InvestmentTarget, data: dict[str, Any]) -> str | None:
    if t.local:
        return "本市注册企业不作为招引目标"
    if t.team_id is None and _team_in(data) is None:
        return "确定重点招引目标前须分配招商小组"
    return None


def _apply_target(t: InvestmentTarget, user: Any, data: dict[str, Any]) -> None:
    team = _team_in(data)
    if team is not None:
        t.team = team
    t.key_target = True
    t.targeted_on = _date(data.get("on")) or timezone.localdate()
    _move(t, T.TARGETED, t.targeted_on)


def _check_assign(t: InvestmentTarget, data: dict[str, Any]) -> str | None:
    from zjtx.apps.enterprises.models import Division

    if data.get("team") and _team_in(data) is None:
        return "招商小组不存在"
    town = data.get("town")
    if town and not Division.objects.filter(code=town, valid_to__isnull=True).exists():
        return "承接镇街不存在或已撤销"
    if not data.get("team") and not town:
        return "请选择招商小组或承接镇街"
    return None


def _apply_assign(t: InvestmentTarget, user: Any, data: dict[str, Any]) -> None:
    team = _team_in(data)
    if team is not None:
        t.team = team
    if data.get("town"):
        t.town_id = data["town"]


_NEEDS = {"intention": (T.CONTACTED, "达成投资意向前须先有联系、走访或线上会谈记录"),
          "signed": (T.INTENTION, "签约前须先达成投资意向"),
          "landed": (T.SIGNED, "落地前须先签约")}


def _check_follow(t: InvestmentTarget, data: dict[str, Any]) -> str | None:
    kind = data.get("kind")
    if kind not in FollowUp.Kind.values:
        return "请选择跟进类型"
    if t.team_id is None:
        return "请先分配招商小组"
    on = _date(data.get("on"))
    if on is None:
        return "请填写跟进日期"
    if on > timezone.localdate():
        return "跟进日期不能晚于今天"
    if on < t.target_list.listed_on:
        return f"跟进日期不能早于名单日期（{t.target_list.listed_on.isoformat()}）"
    need = _NEEDS.get(kind)
    if need and STAGE_ORDER[t.furthest] < STAGE_ORDER[need[0]]:
        return need[1]
    if kind == "landed" and t.town_id is None:
        return "落地须先确定承接镇街"
    if kind == "note" and not str(data.get("note") or "").strip():
        return "跟进记录须填写情况"
    return None


def _apply_follow(t: InvestmentTarget, user: Any, data: dict[str, Any]) -> None:
    on = _date(data.get("on")) or timezone.localdate()
    note = str(data.get("note") or data.get("reason") or "").strip()[:500]
    FollowUp.objects.create(target=t, kind=data["kind"], on=on, note=note,
                            by=user if getattr(user, "is_authenticated", False) else None)
    stage = FollowUp.STAGE_OF.get(data["kind"])
    if stage is not None:
        _move(t, stage, on)


def _move(t: InvestmentTarget, stage: str, on: date) -> None:
    if STAGE_ORDER[stage] > STAGE_ORDER[t.stage]:
        t.stage = stage
        t.stage_on = on
    if STAGE_ORDER[stage] > STAGE_ORDER[t.furthest]:
        t.furthest = stage


def _apply_drop(t: InvestmentTarget, user: Any, data: dict[str, Any]) -> None:
    t.dropped_reason = data["reason"][:300]
    t.stage_on = timezone.localdate()


def _apply_restore(t: InvestmentTarget, user: Any, data: dict[str, Any]) -> None:
    t.stage = t.furthest
    t.dropped_reason = ""


def _date(v: Any) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError as exc:
        raise LifecycleError(f"日期格式错误：{v}（应为YYYY-MM-DD）") from exc


TARGET = Machine("招商目标", InvestmentTarget, "stage", (
    Action("target", "确定为重点招引目标", (T.LISTED,), None, _city, check=_check_target, apply=_apply_target,
           who_text="限市级工作人员"),
    Action("assign", "分配招商小组/承接镇街", ACTIVE, None, _city, check=_check_assign, apply=_apply_assign,
           who_text="限市级工作人员"),
    Action("follow", "登记跟进", ACTIVE, None, _follower, check=_check_follow, apply=_apply_follow,
           who_text="限市级或承接镇街"),
    Action("drop", "放弃跟进", tuple(s for s in ACTIVE if s != T.LANDED), T.DROPPED, _follower, reason_required=True,
           apply=_apply_drop, who_text="限市级或承接镇街"),
    Action("restore", "恢复跟进", (T.DROPPED,), None, _city, apply=_apply_restore, who_text="限市级工作人员"),
), _visible)
