"""预警 (early warnings): the pass that finds, for every enterprise in scope,

* **criteria** — a valid title whose holder's latest data no longer meet the title's criteria
  (the evaluation run's result), with the failing items (rule, citation, figures) and the gap plan
  to keep the title (the run's cheapest verified option, else the gap solver's);
* **expiry** — a title expiring within 90/60/30 days (``zjtx.apps.cultivation.renewals``);
* **conflict** — 高新技术产品（服务）收入 share or R&D intensity within a margin above the 高企
  thresholds (the thresholds from the catalog's ``high_tech.*`` parameters, the margins from
  ``outreach.*``), or already below them for a holder;
* **jump** — an implausible year-on-year change in reported figures, to be verified.

Each finding is an ``EarlyWarning`` keyed per enterprise; a warning not found again is closed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title
from zjtx.apps.evaluations.models import EvaluationRun, RunResult
from zjtx.apps.outreach import windows
from zjtx.apps.outreach.models import EarlyWarning, FollowState
from zjtx.policies import catalog

WRITE_CHUNK = 500  # warnings per write transaction of a pass

JUMP_FIELDS = (("revenue", "营业收入", "money"), ("rd_expense", "研发费用总额", "money"),
               ("high_tech_revenue", "高新技术产品（服务）收入", "money"), ("employees", "职工总数", "int"))
MIN_EMPLOYEE_BASE = 10


@dataclass
class Finding:
    enterprise_id: int
    kind: str
    key: str
    title: str
    severity: str = EarlyWarning.Severity.MEDIUM
    policy: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def _pct(x: Any) -> str:
    return f"{float(x) * 100:.1f}%"


def _wan(x: Any) -> str:
    return f"{float(x) / 10000:,.2f}万元"


def _num(rec: dict[str, Any], name: str) -> Fraction | None:
    v = rec.get(name)
    if v is None or v == "":
        return None
    try:
        return Fraction(Decimal(str(v)))
    except (ArithmeticError, ValueError):
        return None


# ------------------------------------------------------------------ criteria

FIELD_RE = re.compile(r"(?<![A-Za-z0-9_])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![A-Za-z0-9_])")


def _labels(text: str) -> str:
    """Record field names left in a requirement (e.g. after Σ) replaced by their Chinese labels."""
    from zjtx.apps.enterprises.fields import BY_NAME

    schema = catalog().schema

    def label(name: str) -> str:
        if name in schema:
            return str(schema[name].label)
        return BY_NAME[name].label if name in BY_NAME else name

    return FIELD_RE.sub(lambda m: label(m.group(1)), text or "")


def _failing_items(record: dict[str, Any], policy: str, on: dt.date) -> tuple[list[dict[str, str]], dict[str, Any]]:
    import zjtx
    from zjtx.apps.evaluations.services import explanation_rows, fmt_score, jsonable

    res = jsonable(zjtx.explain(dict(record), policy, on=on))
    items = [{"label": r["label"], "required": _labels(r["required"]), "actual": r["actual"], "cite": r["cite"]}
             for r in explanation_rows(res) if r["status"] in ("未达标", "not_qualified")]
    meta = {"regime": res.get("regime") or "", "document": res.get("document") or "", "score": fmt_score(res)}
    return items, meta


def _gap_plan(result: RunResult, record: dict[str, Any], on: dt.date) -> dict[str, Any]:
    if result.reachable and result.gap_option:
        return {"option": result.gap_option, "cost_yuan": result.gap_cost, "source": "评价批次差距分析"}
    try:
        from zjtx.services.gaps import solve

        g = solve(record, result.policy, on).as_dict()
    except Exception as exc:  # a solver failure leaves the warning without a plan, never without the warning
        return {"option": "", "error": f"差距分析未完成：{exc}"}
    opts = g.get("options") or []
    if not opts:
        return {"option": "", "note": "未找到可验证的补足方案（可能需专家评审或存在否决项）"}
    best = opts[0]
    return {"option": best.get("text") or "", "cost_yuan": best.get("cost_yuan"), "source": "差距分析（一企一策）"}


def criteria_findings(run: EvaluationRun, ent_ids: set[int] | None, on: dt.date) -> list[Finding]:
    out: list[Finding] = []
    qs = RunResult.objects.filter(run=run, held=True, status="not_qualified").select_related("item")
    cat = catalog()
    for r in qs:
        ent_id = r.item.enterprise_id
        if ent_id is None or (ent_ids is not None and ent_id not in ent_ids):
            continue
        items, meta = _failing_items(r.item.record, r.policy, run.on)
        plan = _gap_plan(r, r.item.record, run.on)
        title = Title.objects.filter(enterprise_id=ent_id, title__in=_title_codes(r.policy)).order_by(
            "-granted_on").first()
        expires = title.expires_on if title else None
        severe = expires is not None and (expires - on).days <= 365
        name = cat.name(r.policy)
        out.append(Finding(
            ent_id, EarlyWarning.Kind.CRITERIA, f"criteria:{r.policy}",
            f"持有“{name}”称号，但最新数据已不满足认定条件" + (f"（称号有效期至{expires:%Y-%m-%d}，复核前须补足）"
                                                 if expires else ""),
            EarlyWarning.Severity.HIGH if severe else EarlyWarning.Severity.MEDIUM, r.policy,
            {"rule": name, "regime": meta["regime"], "document": meta["document"], "score": meta["score"],
             "failing": items, "plan": plan, "run": run.pk, "run_on": run.on.isoformat(),
             "expires_on": expires.isoformat() if expires else None}))
    return out


def _title_codes(policy: str) -> list[str]:
    from zjtx.facts.records import TITLE_FLAGS

    flag = catalog().title_field(policy)
    return list(TITLE_FLAGS.get(flag, ())) if flag else []


# ------------------------------------------------------------------ expiry

def expiry_findings(ents: QuerySet, on: dt.date) -> list[Finding]:
    from zjtx.apps.cultivation.renewals import alerts

    out = []
    sev = {30: EarlyWarning.Severity.HIGH, 60: EarlyWarning.Severity.MEDIUM, 90: EarlyWarning.Severity.LOW}
    titles = Title.objects.filter(enterprise__in=ents.values("pk"))
    ent_by_uscc = dict(ents.values_list("uscc", "pk"))
    for a in alerts(on, titles=titles, include_batches=False):
        if a.kind != "expiry" or a.uscc not in ent_by_uscc:
            continue
        t = Title.objects.get(pk=a.title_id)
        out.append(Finding(
            ent_by_uscc[a.uscc], EarlyWarning.Kind.EXPIRY, f"expiry:{a.title_id}",
            f"{a.title}（{a.due:%Y-%m-%d}到期，剩余{a.days_left}天）", sev[a.level],
            catalog().title_policy(t.title) or "",
            {"due": a.due.isoformat(), "days_left": a.days_left, "level": a.level, "document": t.document,
             "granted_on": t.granted_on.isoformat(), "rule": "称号有效期届满（90/60/30天提醒）"}))
    return out


# ------------------------------------------------------------------ conflicts

def _rd_threshold(bands: list[dict[str, Any]], sales: Fraction) -> Fraction | None:
    for b in bands:
        if "max" not in b or sales <= b["max"]:
            return Fraction(b["value"])
    return None


def conflict_findings(run: EvaluationRun, ent_ids: set[int] | None, on: dt.date) -> list[Finding]:
    """高企 holders (or qualifiers) whose 高新收入 share or R&D intensity sits near or below its threshold."""
    prm = catalog().params_at(run.on)
    share_p = prm["high_tech.high_tech_revenue_share"]
    bands_p = prm["high_tech.rd_intensity_thresholds"]
    share_margin = Fraction(windows.setting("high_tech_share_margin", on))
    rd_margin = Fraction(windows.setting("rd_intensity_margin", on))
    out: list[Finding] = []
    qs = RunResult.objects.filter(run=run, policy="high_tech").filter(held=True) | RunResult.objects.filter(
        run=run, policy="high_tech", status="qualified")
    for r in qs.select_related("item"):
        ent_id = r.item.enterprise_id
        if ent_id is None or (ent_ids is not None and ent_id not in ent_ids):
            continue
        rec = r.item.record
        ht, income = _num(rec, "high_tech_revenue_y1"), _num(rec, "total_income_y1") or _num(rec, "revenue_y1")
        held = "持有" if r.held else "达标"
        if ht is not None and income:
            share = ht / income
            lo = Fraction(share_p.value)
            if share < lo + share_margin:
                below = share < lo
                out.append(Finding(
                    ent_id, EarlyWarning.Kind.CONFLICT, "conflict:high_tech_revenue_share",
                    f"高新技术产品（服务）收入占比{_pct(share)}，{'已低于' if below else '接近'}高新技术企业下限{_pct(lo)}"
                    "：新增非高新收入或补贴可能使其跌破下限",
                    EarlyWarning.Severity.HIGH if below else EarlyWarning.Severity.MEDIUM, "high_tech",
                    {"rule": "高新技术企业认定 条件6", "document": share_p.source, "held": held,
                     "figures": {"高新技术产品（服务）收入（上年度）": _wan(ht), "总收入（上年度）": _wan(income),
                                 "占比": _pct(share), "下限": _pct(lo), "预警带": _pct(share_margin)},
                     "margin_source": windows.cite("high_tech_share_margin", on).source}))
        rd = [_num(rec, f"rd_expense_tax_y{k}") for k in (1, 2, 3)]
        sales = [_num(rec, f"sales_revenue_y{k}") or _num(rec, f"revenue_y{k}") for k in (1, 2, 3)]
        if all(v is not None for v in rd + sales) and sum(sales) > 0:  # type: ignore[arg-type]
            ratio = sum(rd) / sum(sales)  # type: ignore[arg-type]
            lo = _rd_threshold(bands_p.value, sales[0])  # type: ignore[arg-type]
            if lo is not None and ratio < lo + rd_margin:
                below = ratio < lo
                out.append(Finding(
                    ent_id, EarlyWarning.Kind.CONFLICT, "conflict:rd_intensity",
                    f"近三年研发费用占销售收入比例{_pct(ratio)}，{'已低于' if below else '接近'}所在分档下限{_pct(lo)}",
                    EarlyWarning.Severity.HIGH if below else EarlyWarning.Severity.MEDIUM, "high_tech",
                    {"rule": "高新技术企业认定 条件5", "document": bands_p.source, "held": held,
                     "figures": {"近三年研发费用（加计扣除口径）合计": _wan(sum(rd)),  # type: ignore[arg-type]
                                 "近三年销售收入合计": _wan(sum(sales)),  # type: ignore[arg-type]
                                 "比例": _pct(ratio), "分档下限": _pct(lo), "预警带": _pct(rd_margin)},
                     "margin_source": windows.cite("rd_intensity_margin", on).source}))
    return out


# ------------------------------------------------------------------ implausible changes

def jump_findings(ents: QuerySet, on: dt.date) -> list[Finding]:
    ratio = Fraction(windows.setting("jump_ratio", on))
    base = Fraction(windows.setting("jump_min_base", on))
    src = windows.cite("jump_ratio", on).source
    names = [f for f, _, _ in JUMP_FIELDS]
    latest: dict[int, dict[int, tuple]] = {}
    for row in AnnualReport.objects.filter(enterprise__in=ents.values("pk"), year__lt=on.year).order_by(
            "enterprise_id", "-year").values_list("enterprise_id", "year", *names):
        years = latest.setdefault(row[0], {})
        if len(years) < 2:
            years[row[1]] = row[2:]
    out: list[Finding] = []
    for ent_id, years in latest.items():
        if len(years) < 2:
            continue
        y1, y0 = sorted(years, reverse=True)
        if y1 - y0 != 1:
            continue
        for i, (name, label, kind) in enumerate(JUMP_FIELDS):
            now, prev = years[y1][i], years[y0][i]
            if now is None or prev is None:
                continue
            now, prev = Fraction(Decimal(str(now))), Fraction(Decimal(str(prev)))
            floor = MIN_EMPLOYEE_BASE if kind == "int" else base
            if max(now, prev) < floor * 1 or prev <= 0:
                continue
            if prev < floor and now < floor * ratio:
                continue
            factor = now / prev
            if factor >= ratio or (now > 0 and factor <= 1 / ratio) or (now == 0 and prev >= floor):
                fmt = (lambda v: f"{int(v)}人") if kind == "int" else _wan
                out.append(Finding(
                    ent_id, EarlyWarning.Kind.JUMP, f"jump:{y1}:{name}",
                    f"{y1}年{label}{fmt(now)}，较{y0}年{fmt(prev)}变动{float(factor):.1f}倍，请核实数据",
                    EarlyWarning.Severity.LOW, "",
                    {"rule": f"同比增至{float(ratio):g}倍以上或降至1/{float(ratio):g}以下", "document": src,
                     "figures": {f"{y0}年": fmt(prev), f"{y1}年": fmt(now), "倍数": f"{float(factor):.2f}"}}))
    return out


# ------------------------------------------------------------------ the pass

def run_warnings(on: dt.date, run: EvaluationRun | None = None, enterprises: QuerySet | None = None) -> dict[str, Any]:
    """Find every warning as of ``on`` for ``enterprises`` (default all); store new ones, refresh the
    ones found again, close the ones no longer found. Returns counts and the ids of new warnings."""
    from zjtx.apps.outreach.source import ensure_run

    run = run or ensure_run(on)
    ents = enterprises if enterprises is not None else Enterprise.objects.all()
    ent_ids = None if enterprises is None else set(ents.values_list("pk", flat=True))
    findings = (criteria_findings(run, ent_ids, on) + expiry_findings(ents, on)
                + conflict_findings(run, ent_ids, on) + jump_findings(ents, on))
    now = timezone.now()
    new_ids: list[int] = []
    seen: set[int] = set()
    # written in short transactions (each re-reading its warnings), so a person's follow-up or login
    # never waits for the whole register; only the fields the pass owns are written
    for i in range(0, len(findings), WRITE_CHUNK):
        chunk = findings[i:i + WRITE_CHUNK]
        with transaction.atomic():
            existing = {(w.enterprise_id, w.key): w for w in EarlyWarning.objects.filter(
                enterprise_id__in={f.enterprise_id for f in chunk}, key__in={f.key for f in chunk})}
            for f in chunk:
                w = existing.get((f.enterprise_id, f.key))
                if w is None:
                    w = EarlyWarning.objects.create(enterprise_id=f.enterprise_id, kind=f.kind, key=f.key,
                                                    policy=f.policy, severity=f.severity, title=f.title[:300],
                                                    detail=f.detail, first_on=on, last_on=on)
                    existing[(f.enterprise_id, f.key)] = w
                    new_ids.append(w.pk)
                else:
                    fields = ["title", "detail", "severity", "last_on", "active"]
                    reopened = not w.active
                    w.title, w.detail, w.severity, w.last_on, w.active = f.title[:300], f.detail, f.severity, on, True
                    if reopened:
                        w.state, w.resolved_at, w.first_on = FollowState.NEW, None, on
                        fields += ["state", "resolved_at", "first_on"]
                        new_ids.append(w.pk)
                    w.save(update_fields=fields)
                seen.add(w.pk)
    closed = 0
    with transaction.atomic():
        for w in EarlyWarning.objects.filter(enterprise__in=ents.values("pk"), active=True):
            if w.pk in seen:
                continue
            w.active, w.state, w.resolved_at = False, FollowState.RESOLVED, now
            w.state_note = w.state_note or f"{on:%Y-%m-%d} 复查未再发现，自动办结"
            w.save(update_fields=["active", "state", "resolved_at", "state_note"])
            closed += 1
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return {"on": on.isoformat(), "run": run.pk, "found": counts, "new": new_ids, "closed": closed}
