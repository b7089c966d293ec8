"""The evaluation services of the platform: runs (background, versioned, reproducible), explanations,
the tier ladder, and thin adapters to the gap solver and the benefit matcher.

The engine (``zjtx.evaluate`` / ``zjtx.explain``) knows nothing of Django; this module is the bridge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zjtx.apps.evaluations.models import STATUS_LABELS, EvaluationRun, Reform, RunEnterprise, RunResult
from zjtx.policies.catalog import LADDER as CATALOG_LADDER
from zjtx.policies.catalog import SIDE as CATALOG_SIDE
from zjtx.policies.catalog import catalog

log = logging.getLogger(__name__)

GAPS_MISSING = "（差距分析模块未加载）"
MATCH_MISSING = "（政策匹配模块未加载）"
MODULES_MISSING = "（差距分析/政策匹配模块未加载）"

# The ladder of tiers, bottom to top, and the side rungs: the catalog's (zjtx.policies.catalog)
LADDER = [r.policy for r in CATALOG_LADDER]
SIDE = [r.policy for r in CATALOG_SIDE]
NEAR_MISS_POINTS = 10
CHUNK = 200


# ------------------------------------------------------------------ catalog helpers

@lru_cache(maxsize=256)
def policy_name(pid: str) -> str:
    try:
        return catalog().name(pid)
    except Exception:
        return pid


def available_policies() -> list[str]:
    """The tier policies the engine can evaluate now (catalog order)."""
    return catalog().default_policies()


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "—")


def rule_version() -> str:
    """``<package version>+<sha256 of the parameters and declarations, 12 hex>``: the catalog's fingerprint."""
    return catalog().fingerprint


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "__float__") and not isinstance(value, bool | int | float):
        return float(value)
    return value


def input_hash(record: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of an input record (sorted keys, ISO dates)."""
    text = json.dumps(jsonable(dict(record)), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def overlay_of(run: EvaluationRun) -> dict[str, Any] | None:
    return dict(run.overlay) or None


def threshold(policy: str, on: dt.date, overlay: Mapping[str, Any] | None = None) -> float | None:
    """The pass score of a scored policy (``<policy>.pass_score``), if it has one."""
    import zjtx.policies as catalog

    try:
        p = catalog.params_at(on, overlay or None).get(f"{policy}.pass_score")
    except Exception:
        return None
    value = getattr(p, "value", p)
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def is_near_miss(status: str, score: float | None, score_max: float | None, pass_score: float | None) -> bool:
    """Reserve pipeline: undecided (待核验), or not qualified but within 10 points of the pass score."""
    if status in ("unknown", "manual_review"):
        return True
    if status != "not_qualified" or pass_score is None:
        return False
    best = score if score is not None else score_max
    return best is not None and pass_score - NEAR_MISS_POINTS <= best < pass_score


# ------------------------------------------------------------------ adapters (gaps, benefits)

def gaps_available() -> bool:
    try:
        from zjtx.services import gaps as _g

        return hasattr(_g, "gaps")
    except ImportError:
        return False


def match_available() -> bool:
    try:
        from zjtx import benefits as _b

        return hasattr(_b, "match")
    except ImportError:
        return False


def gaps_for(record: Mapping[str, Any], on: dt.date | str, policy: str | None = None) -> Any:
    """``zjtx.gaps(record, policy, on)`` if the gap solver is installed, else ``None``."""
    if not gaps_available():
        return None
    from zjtx.services.gaps import gaps

    try:
        return jsonable(gaps(dict(record), policy=policy, on=on))
    except InputErrorTypes() as exc:
        raise exc
    except Exception as exc:  # the page still shows the evaluation when the solver fails on a record
        log.exception("gap analysis failed for %s", record.get("uscc"))
        return {"error": f"差距分析失败：{exc}"}


def match_for(record: Mapping[str, Any], on: dt.date | str) -> Any:
    """``zjtx.match(record, on)`` if the benefit matcher is installed, else ``None``."""
    if not match_available():
        return None
    from zjtx.benefits import match

    try:
        return jsonable(match(dict(record), on=on))
    except InputErrorTypes() as exc:
        raise exc
    except Exception as exc:
        log.exception("benefit matching failed for %s", record.get("uscc"))
        return {"error": f"政策匹配失败：{exc}"}


def InputErrorTypes() -> tuple[type[Exception], ...]:
    """Bad-input errors that callers (the API) turn into 422 answers."""
    from zjtx.rules.inputs import InputError

    return (InputError,)


def gap_rows(result: Any) -> list[dict[str, Any]]:
    """The gap options of ``zjtx.gaps`` as flat rows (tier, rung, option text, cost, reasons)."""
    if result is None:
        return []
    if isinstance(result, Mapping) and "error" in result:
        return [{"policy": "", "name": "", "rung": "", "status": "", "text": result["error"], "cost": "", "reasons": ""}]
    ladder_items = result.get("ladder") if isinstance(result, Mapping) else None
    if ladder_items is None:
        ladder_items = result if isinstance(result, list) else [result]
    rows: list[dict[str, Any]] = []
    for entry in ladder_items:
        if not isinstance(entry, Mapping):
            rows.append({"policy": "", "name": "", "rung": "", "text": str(entry), "cost": "", "reasons": ""})
            continue
        base = {"policy": entry.get("policy"), "name": entry.get("name") or policy_name(str(entry.get("policy"))),
                "rung": {"current": "已达标", "next": "下一级", "later": "后续"}.get(entry.get("rung") or "", ""),
                "status": entry.get("status_zh") or status_label(entry.get("status")),
                "reasons": readable("；".join(map(str, entry.get("reasons") or [])))}
        if entry.get("status") == "qualified":
            rows.append({**base, "text": "已达标，无需补足", "cost": ""})
            continue
        options = entry.get("options") or []
        for i, o in enumerate(options[:3], 1):
            text = o.get("text") if isinstance(o, Mapping) else str(o)
            cost = o.get("cost_text") if isinstance(o, Mapping) else ""
            wait = o.get("wait_until") if isinstance(o, Mapping) else None
            rows.append({**base, "text": f"方案{i}：{text}", "cost": (cost or "") + (f"（最早{wait}）" if wait else "")})
        if not options:
            rows.append({**base, "text": "暂无可行的补足方案" if entry.get("feasible") is False else "暂无方案",
                         "cost": ""})
    return rows


MATCH_LABELS = {"qualified": "符合", "nearly": "接近符合", "not_in_force": "该日无有效规则"}
KIND_LABELS = {"tier": "梯度层级", "classification": "企业划型", "benefit": "扶持/税收优惠"}


def benefit_rows(result: Any) -> list[dict[str, Any]]:
    """The items of ``zjtx.match`` as rows: kind, name, match, amount (元 and 万元 text), legal basis, notes."""
    if result is None:
        return []
    if isinstance(result, Mapping) and "error" in result:
        return [{"name": result["error"], "status_label": "", "amount_text": "", "basis": "", "note": ""}]
    items = result if isinstance(result, list) else result.get("items") or []
    rows = []
    for b in items:
        if not isinstance(b, Mapping):
            continue
        amount = b.get("estimate", b.get("amount"))
        text = fmt_yuan_wan(amount) if amount is not None else "—"
        notes = [str(n) for n in (b.get("notes") or []) if n]
        if b.get("how"):
            notes.insert(0, str(b["how"]))
        rows.append({
            "policy": b.get("policy"), "kind": KIND_LABELS.get(b.get("kind") or "", b.get("kind") or ""),
            "name": b.get("name") or policy_name(str(b.get("policy") or "")),
            "match": b.get("match"), "status": b.get("status"),
            "status_label": MATCH_LABELS.get(b.get("match") or "", b.get("status_zh") or ""),
            "amount": amount, "amount_text": text + (f"（{b['estimate_basis']}）" if b.get("estimate_basis") else ""),
            "basis": b.get("cite") or b.get("document") or "", "note": "；".join(notes),
            "trace": [str(x) for x in b.get("trace_summary") or []] if amount is not None else [],
        })
    return rows


# ------------------------------------------------------------------ formatting

@lru_cache(maxsize=4096)
def field_label(name: str) -> str:
    spec = catalog().schema.get(name)
    return spec.label if spec else name


def fmt_value(name: str, value: Any) -> str:
    """An input value as users read it: money in 万元, ratios in %, booleans 是/否, null 未知."""
    if value is None:
        return "未知"
    if isinstance(value, bool):
        return "是" if value else "否"
    spec = catalog().schema.get(name)
    kind = spec.kind if spec else ""
    if kind in ("money", "signed_money") and isinstance(value, int | float):
        return f"{value / 1e4:,.2f}万元"
    if kind == "ratio" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fmt_yuan_wan(value: Any) -> str:
    if value is None:
        return "—"
    try:
        return f"{float(value) / 1e4:,.2f}万元"
    except (TypeError, ValueError):
        return str(value)


def fmt_score(res: Mapping[str, Any]) -> str:
    s, lo, hi = res.get("score"), res.get("score_min"), res.get("score_max")
    if s is not None:
        return _num(s)
    if lo is not None and hi is not None:
        return f"{_num(lo)}–{_num(hi)}"
    return "—"


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def readable(text: str) -> str:
    """Field names in an engine requirement replaced by their Chinese labels."""
    import re

    schema = catalog().schema
    return re.sub(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z]+[0-9]\b",
                  lambda m: schema[m.group(0)].label if m.group(0) in schema else m.group(0), text)


def explanation_rows(res: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per trace entry: 项目, 要求, 实际, 来源, 结论 (达标/未达标/待核验 or points)."""
    rows = []
    for e in res.get("trace") or []:
        inputs = e.get("inputs") or {}
        actual = "；".join(f"{field_label(k)} {fmt_value(k, v)}" for k, v in inputs.items()) or "—"
        srcs = sorted({(sources or {}).get(k, "") for k in inputs} - {""})
        if e.get("kind") == "indicator":
            pts = e.get("points")
            pts_txt = _num(pts) if pts is not None else f"{_num(e.get('points_min'))}–{_num(e.get('points_max'))}"
            required = f"计分档：{e.get('band') or '—'}（满分{_num(e.get('max_points'))}分）"
            result = f"{pts_txt}分"
            status = e.get("status") or ""
        else:
            required = readable(e.get("required") or "")
            status = e.get("status") or ""
            result = status
        rows.append({"id": e.get("id"), "kind": e.get("kind"), "label": e.get("label"), "required": required,
                     "actual": actual, "source": "、".join(srcs) or "—", "result": result, "status": status,
                     "cite": e.get("cite") or ""})
    return rows


# ------------------------------------------------------------------ records and explanations

def record_for_enterprise(enterprise: Any, on: dt.date) -> dict[str, Any]:
    """The FIELDS.md evaluation record of one registry enterprise as of ``on`` (JSON-ready)."""
    from zjtx.apps.enterprises.models import Enterprise
    from zjtx.apps.enterprises.records import records_for

    df = records_for(on, Enterprise.objects.filter(pk=enterprise.pk))
    if df.height == 0:
        return {"uscc": enterprise.uscc, "name": enterprise.name}
    return jsonable(df.row(0, named=True))


def explain_all(record: Mapping[str, Any], on: dt.date | str, policies: Sequence[str] | None = None,
                params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """``zjtx.explain`` for every policy (default: every evaluable tier policy)."""
    import zjtx

    out = []
    for pid in policies or available_policies():
        out.append(jsonable(zjtx.explain(dict(record), pid, on=on, params=params or None)))
    return out


def data_sources(enterprise: Any, on: dt.date) -> dict[str, str]:
    """Input field → its data source label (自填/税务/…) from the registry's provenance."""
    from zjtx.apps.enterprises.fields import PROVENANCE_LABELS

    out: dict[str, str] = {}
    y1 = on.year - 1
    for r in enterprise.annual_reports.filter(year__in=(y1, y1 - 1, y1 - 2)):
        suffix = f"_y{y1 - r.year + 1}"
        for name, src in (r.provenance or {}).items():
            label = PROVENANCE_LABELS.get(src, src)
            out[name + suffix] = label
            if r.year == y1:
                out.setdefault(name, label)
    for name, src in (enterprise.provenance or {}).items():
        out.setdefault(name, PROVENANCE_LABELS.get(src, src))
    for flag in ("high_tech_valid", "innovative_sme_valid", "specialized_sme_valid", "little_giant_valid",
                 "tech_sme_registered", "innovation_honor_valid", "single_champion_valid"):
        out.setdefault(flag, "荣誉资质库")
    return out


def valid_titles(enterprise: Any, on: dt.date) -> list[Any]:
    from zjtx.apps.enterprises.title_status import status_q

    return list(enterprise.titles.filter(status_q("valid", on)).order_by("title", "-granted_on"))


def ladder(enterprise: Any, explanations: Sequence[Mapping[str, Any]], on: dt.date) -> dict[str, Any]:
    """The tier ladder: per rung the held title (validity) and the evaluation now; the next rung."""
    from zjtx.apps.enterprises.fields import TITLE_LABELS

    by_policy = {e["policy"]: e for e in explanations}
    held: dict[str, Any] = {}
    for t in valid_titles(enterprise, on):
        pid = catalog().title_policy(t.title)
        if pid and pid not in held:
            held[pid] = t
    rungs = []
    next_rung = None
    for pid in LADDER + SIDE:
        res = by_policy.get(pid)
        t = held.get(pid)
        rung = {
            "policy": pid, "name": policy_name(pid), "side": pid in SIDE,
            "held": t is not None, "title_label": TITLE_LABELS.get(t.title, "") if t else "",
            "granted_on": t.granted_on if t else None, "expires_on": t.expires_on if t else None,
            "evaluated": res is not None,
            "status": res["status"] if res else None, "status_label": status_label(res["status"]) if res else "规则未收录",
            "score": fmt_score(res) if res else "—",
            "flag": bool(t is not None and res is not None and res["status"] == "not_qualified"),
        }
        rungs.append(rung)
        if pid in LADDER and next_rung is None and not rung["held"] and rung["status"] != "qualified":
            next_rung = rung
    return {"rungs": rungs, "next": next_rung}


# ------------------------------------------------------------------ runs

def create_run(user: Any, on: dt.date, *, reform: Reform | None = None, filters: Mapping[str, Any] | None = None,
               policies: Sequence[str] | None = None, name: str = "", automatic: bool = True) -> EvaluationRun:
    """A queued run over what ``user`` may see (``filters``: the enterprise list filters)."""
    from zjtx.apps.accounts import scope

    return EvaluationRun.objects.create(
        name=name, on=on, reform=reform, parameter_set=reform.name if reform else "catalog",
        overlay=dict(reform.overrides) if reform else {}, policies=list(policies or available_policies()),
        filters={k: v for k, v in (filters or {}).items() if v}, automatic=automatic,
        division=scope.user_division_code(user) or "", created_by=user if getattr(user, "pk", None) else None,
        rule_version=rule_version(), package_version=_package_version(),
    )


def _package_version() -> str:
    import zjtx

    return str(zjtx.__version__)


def run_queryset(run: EvaluationRun) -> QuerySet:
    """The enterprises a run covers: its creator's scope and the saved filters."""
    from zjtx.apps.accounts import scope
    from zjtx.apps.enterprises.filters import filter_enterprises
    from zjtx.apps.enterprises.models import Enterprise

    qs = scope.scope_enterprises(run.created_by) if run.created_by_id else Enterprise.objects.all()
    if run.division:
        qs = qs.filter(division_id=run.division)
    return filter_enterprises(qs, run.filters or {})


def start_run(run: EvaluationRun, *, background: bool | None = None) -> EvaluationRun:
    """Execute a run: small registers at once, larger ones on the task queue (``zjtx worker``; progress
    in the DB, cancellable, listed under 后台任务)."""
    if background is None:
        background = run_queryset(run).count() > getattr(settings, "ZJTX_EVAL_SYNC_ENTERPRISES", 200)
    if background:
        from zjtx.apps.evaluations.tasks import run_evaluation
        from zjtx.apps.jobs.models import Job
        from zjtx.apps.jobs.services import submit

        submit(run_evaluation, user=run.created_by, kind=Job.Kind.EVALUATION,
               title=f"评价批次 #{run.pk}：{run.name or run.on.isoformat()}", run_id=run.pk)
    else:
        execute_run(run.pk)
    run.refresh_from_db()
    return run


def run_job(run: EvaluationRun) -> Any:
    """The background job (``zjtx.apps.jobs``) executing this run, if any."""
    from zjtx.apps.jobs.models import Job

    return Job.objects.filter(kind=Job.Kind.EVALUATION, args__run_id=run.pk).order_by("-created_at").first()


def job_ended(args: Mapping[str, Any], status: str, reason: str) -> None:
    """The run's background job ended without finishing it (cancelled in the queue, or its worker died
    for good): the run is marked failed with the reason and keeps no partial results."""
    run = EvaluationRun.objects.filter(pk=args.get("run_id"), status__in=[EvaluationRun.Status.QUEUED,
                                                                        EvaluationRun.Status.RUNNING]).first()
    if run is None:
        return
    RunEnterprise.objects.filter(run=run).delete()
    EvaluationRun.objects.filter(pk=run.pk).update(status=EvaluationRun.Status.FAILED, error=reason,
                                                   finished_at=timezone.now())


def execute_run(run_id: int, progress: Any = None) -> EvaluationRun:
    """Build the records, evaluate them in chunks (updating progress), store items, results and flags.
    ``progress(processed, total)`` may raise to stop (the job's cancellation): nothing of the run stays."""
    from zjtx.apps.jobs.services import JobCancelled

    run = EvaluationRun.objects.get(pk=run_id)
    try:
        _execute(run, progress)
    except JobCancelled:
        RunEnterprise.objects.filter(run=run).delete()
        EvaluationRun.objects.filter(pk=run.pk).update(status=EvaluationRun.Status.FAILED, error="已取消（未保存任何结果）",
                                                       finished_at=timezone.now())
        raise
    except Exception as exc:  # the run records its failure; nothing half-written stays
        log.exception("evaluation run %s failed", run.pk)
        RunEnterprise.objects.filter(run=run).delete()
        EvaluationRun.objects.filter(pk=run.pk).update(status=EvaluationRun.Status.FAILED, error=str(exc)[:2000],
                                                       finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _execute(run: EvaluationRun, progress: Any = None) -> None:
    import zjtx
    from zjtx.apps.enterprises.models import Title
    from zjtx.apps.enterprises.records import records_for
    from zjtx.facts import industries as fi

    RunEnterprise.objects.filter(run=run).delete()  # a run restarted after its worker died starts afresh
    ents = run_queryset(run)
    EvaluationRun.objects.filter(pk=run.pk).update(status=EvaluationRun.Status.RUNNING, processed=0,
                                                   total=ents.count())
    records = records_for(run.on, ents)
    total = records.height
    EvaluationRun.objects.filter(pk=run.pk).update(total=total)
    ent_by_uscc = {e.uscc: e for e in ents.select_related("division")}
    held: dict[str, dict[str, Any]] = {}
    for t in Title.objects.filter(enterprise__in=ents.values("pk"), granted_on__lte=run.on).select_related(
            "enterprise").order_by("granted_on"):
        pid = catalog().title_policy(t.title)
        if pid and t.status_on(run.on) == "valid":  # dates decide: not expired, not revoked
            held.setdefault(t.enterprise.uscc, {})[pid] = t
    decisions = manual_decisions(ents)
    for (uscc, pid), items in decisions.items():  # a revoked or lapsed designation is not held
        if any(kind == "designation" for kind, _ in items):
            held.get(uscc, {}).pop(pid, None)
    overlay = overlay_of(run)
    policies = [p for p in run.policies if p in available_policies()]
    thresholds = {p: threshold(p, run.on, overlay) for p in policies}
    counts: dict[str, dict[str, int]] = {p: {} for p in policies}
    flags = 0
    for start in range(0, total, CHUNK):
        chunk = records.slice(start, CHUNK)
        out = zjtx.evaluate(chunk, run.on, policies, params=overlay, keep=("uscc",))
        by_uscc = {r["uscc"]: r for r in out.iter_rows(named=True)}
        with transaction.atomic():
            for rec in chunk.iter_rows(named=True):
                rec = jsonable(rec)
                uscc = rec["uscc"]
                ent = ent_by_uscc.get(uscc)
                industry = rec.get("industry") or ""
                item = RunEnterprise.objects.create(
                    run=run, enterprise=ent, uscc=uscc, name=rec.get("name") or "", division=rec.get("division") or "",
                    industry=industry, cluster=(fi.cluster_of(industry) or "") if industry else "",
                    record=rec, input_hash=input_hash(rec))
                row = by_uscc.get(uscc) or {}
                results = []
                for p in policies:
                    r = _result_fields(row, p)
                    title = held.get(uscc, {}).get(p)
                    notes = []
                    if title is not None and r["status"] == "not_qualified":
                        notes.append(f"持有有效“{policy_name(p)}”称号（{title.granted_on}认定，"
                                     f"有效期至{title.expires_on or '长期'}），本次自动评价未达标：称号不受影响，请人工核实")
                    notes += decision_flags(decisions.get((uscc, p), []), r["status"])
                    flag = "；".join(notes)
                    flags += bool(flag)
                    counts[p][r["status"]] = counts[p].get(r["status"], 0) + 1
                    results.append(RunResult(
                        run=run, item=item, policy=p, held=title is not None, flag=flag,
                        near_miss=is_near_miss(r["status"], r["score"], r["score_max"], thresholds[p]), **r))
                RunResult.objects.bulk_create(results)
        EvaluationRun.objects.filter(pk=run.pk).update(processed=min(total, start + CHUNK))
        if progress is not None:
            progress(min(total, start + CHUNK), total)
    reachable = solve_reserve(run, records, policies, overlay) if solver_enabled(total) else None
    EvaluationRun.objects.filter(pk=run.pk).update(
        status=EvaluationRun.Status.DONE, processed=total, finished_at=timezone.now(),
        summary={"counts": counts, "flags": flags, "enterprises": total, "reachable": reachable,
                 "reachable_max_cost": reserve_max_cost() if reachable is not None else None})


def solver_enabled(total: int) -> bool:
    """The gap solver's batch near-miss runs when installed and the run is not too large
    (``ZJTX_EVAL_GAP_SOLVER_MAX`` enterprises, default 5000; 0 switches it off)."""
    limit = int(getattr(settings, "ZJTX_EVAL_GAP_SOLVER_MAX", 5000))
    if not limit or total > limit:
        return False
    try:
        from zjtx.services import gaps as _g
    except ImportError:
        return False
    return hasattr(_g, "near_miss")


def reserve_max_cost() -> float:
    """The effort cap (元) of a "reachable" enterprise: ``ZJTX_EVAL_NEAR_MISS_MAX_COST``, default 200万元."""
    return float(getattr(settings, "ZJTX_EVAL_NEAR_MISS_MAX_COST", 2_000_000))


def solve_reserve(run: EvaluationRun, records: Any, policies: Sequence[str],
                  overlay: Mapping[str, Any] | None) -> dict[str, int]:
    """``zjtx.services.gaps.near_miss`` per policy: not-qualified enterprises with a verified option within the
    effort cap get ``reachable`` with the cheapest option and its cost. Failures leave the run valid."""
    from zjtx.services.gaps import near_miss

    out: dict[str, int] = {}
    for p in policies:
        try:
            df = near_miss(records, p, run.on, max_cost_yuan=reserve_max_cost(), params=overlay, keep=("uscc",))
        except Exception:
            log.exception("near-miss solver failed for %s in run %s", p, run.pk)
            continue
        found = {r["uscc"]: r for r in df.iter_rows(named=True)}
        rows = list(RunResult.objects.filter(run=run, policy=p, item__uscc__in=list(found)).select_related("item"))
        for r in rows:
            f = found[r.item.uscc]
            r.reachable, r.gap_cost, r.gap_option = True, f.get("cost_yuan"), f.get("option") or ""
        RunResult.objects.bulk_update(rows, ["reachable", "gap_cost", "gap_option"], batch_size=500)
        out[p] = len(rows)
    return out


STAGE_LABELS = {"none": "未入库", "candidate": "培育对象", "applying": "申报中", "designated": "已认定",
                "re_review": "复核期", "lapsed": "失效", "revoked": "撤销"}


def manual_decisions(ents: QuerySet) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Decisions people made in the cultivation app (protected pool stages, revoked or lapsed designations),
    keyed by (USCC, tier); empty when that app is not installed."""
    from django.apps import apps

    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    try:
        stage_model = apps.get_model("cultivation", "PoolStage")
        designation_model = apps.get_model("cultivation", "Designation")
    except LookupError:
        return out
    try:
        for uscc, tier, stage in stage_model.objects.filter(enterprise__in=ents.values("pk"), protected=True) \
                .values_list("enterprise__uscc", "tier", "stage"):
            out.setdefault((uscc, tier), []).append(("stage", stage))
        for uscc, title, status in designation_model.objects.filter(
                title__enterprise__in=ents.values("pk"), status__in=("revoked", "lapsed")) \
                .values_list("title__enterprise__uscc", "title__title", "status"):
            pid = catalog().title_policy(title)
            if pid:
                out.setdefault((uscc, pid), []).append(("designation", status))
    except Exception:  # the other app's schema may be older than this code: never block a run
        log.exception("reading manual decisions failed")
    return out


def decision_flags(decisions: Iterable[tuple[str, str]], status: str) -> list[str]:
    """Disagreements between an automatic result and a person's decision (flagged, never overwritten)."""
    out = []
    for kind, value in decisions:
        if kind == "stage" and value in ("designated", "re_review") and status == "not_qualified":
            out.append(f"培育库阶段由人工设定为“{STAGE_LABELS[value]}”，本次自动评价未达标：阶段不变，请人工核实")
        elif kind == "stage" and value in ("revoked", "lapsed", "none") and status == "qualified":
            out.append(f"培育库阶段由人工设定为“{STAGE_LABELS[value]}”，本次自动评价达标：阶段不变，请人工核实")
        elif kind == "designation" and status == "qualified":
            word = "撤销" if value == "revoked" else "失效"
            out.append(f"该称号已被认定为{word}（人工决定），本次自动评价达标：不恢复称号，请人工核实")
    return out


def _result_fields(row: Mapping[str, Any], p: str) -> dict[str, Any]:
    pts = {k.split(".pts.", 1)[1]: jsonable(v) for k, v in row.items() if k.startswith(f"{p}.pts.")}

    def num(key: str) -> float | None:
        v = row.get(f"{p}.{key}")
        return float(v) if v is not None else None

    return {"status": row.get(f"{p}.status") or "unknown", "score": num("score"), "score_min": num("score_min"),
            "score_max": num("score_max"), "route": row.get(f"{p}.route") or "", "regime": row.get(f"{p}.regime") or "",
            "points": pts, "missing": list(row.get(f"{p}.missing") or []), "manual": list(row.get(f"{p}.manual") or []),
            "provisional": bool(row.get(f"{p}.provisional"))}


def reproduce(result: RunResult) -> dict[str, Any]:
    """The explanation of a stored result, regenerated from the run's input snapshot (deterministic)."""
    import zjtx

    run = result.run
    return jsonable(zjtx.explain(result.item.record, result.policy, on=run.on, params=overlay_of(run)))


def scoped_results(user: Any, run: EvaluationRun | None = None) -> QuerySet:
    """Run results restricted to the enterprises ``user`` may see."""
    from zjtx.apps.accounts import scope

    qs = RunResult.objects.filter(item__enterprise__in=scope.scope_enterprises(user).values("pk"))
    return qs.filter(run=run) if run is not None else qs


def visible_runs(user: Any) -> QuerySet:
    """Runs a user may list: city roles all; scoped roles those with results in their scope or their own."""
    from django.db.models import Q

    from zjtx.apps.accounts import scope

    role = scope.role_of(user)
    if role in scope.READ_ALL:
        return EvaluationRun.objects.all()
    if role is None:
        return EvaluationRun.objects.none()
    mine = scope.scope_enterprises(user).values("pk")
    ids = RunEnterprise.objects.filter(enterprise__in=mine).values("run_id")
    return EvaluationRun.objects.filter(Q(pk__in=ids) | Q(created_by=user)).distinct()


def latest_run(user: Any) -> EvaluationRun | None:
    """The run pages open on: the latest official run (city-wide, so it covers any viewer's whole scope);
    without one, the latest completed run the user may see. A town officer's own run never replaces the
    city's official run."""
    done = visible_runs(user).filter(status=EvaluationRun.Status.DONE).order_by("-finished_at", "-id")
    return done.filter(official=True).first() or done.first()


def mark_official(run: EvaluationRun) -> EvaluationRun:
    """Make a completed city-wide run (no 镇街 limit, no filters) the official one."""
    if run.status != EvaluationRun.Status.DONE or run.division or run.filters:
        raise ValueError("只有已完成的全市评价批次（未限定镇街、无筛选条件）可设为正式批次")
    EvaluationRun.objects.filter(pk=run.pk).update(official=True)
    run.refresh_from_db()
    return run


# ------------------------------------------------------------------ aggregates (computed once per run and data)

def scope_key(user: Any) -> str:
    """Who sees the same numbers: every city role one key; a town officer per 镇街; an enterprise user alone."""
    from zjtx.apps.accounts import scope

    role = scope.role_of(user)
    if role in scope.READ_ALL:
        return "all"
    profile = getattr(user, "zjtx_profile", None)
    if role == "town_officer" and profile is not None:
        return f"town:{profile.division_id}"
    if role == "enterprise_user" and profile is not None:
        return f"ent:{profile.enterprise_id}"
    return f"user:{getattr(user, 'pk', '')}"


def registry_version(full: bool = False) -> str:
    """Changes whenever an enterprise is added, removed, edited or imported (its count and last update);
    ``full`` also follows annual reports and titles (their count and last update / versions). Computed
    once per database change where the database tells (``pagecache.per_change``)."""
    from zjtx.apps.evaluations.pagecache import per_change

    return per_change(f"registry_version:{full}", lambda: _registry_version(full))


def _registry_version(full: bool) -> str:
    from django.db.models import Count, Max, Sum

    from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title

    def stamp(t: Any) -> str:
        return f"{t.timestamp():.6f}" if t else "0"

    agg = Enterprise.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    out = f"{agg['n']}-{stamp(agg['t'])}"
    if full:
        a = AnnualReport.objects.aggregate(n=Count("id"), t=Max("updated_at"))
        t = Title.objects.aggregate(n=Count("id"), v=Sum("version"))
        out += f"-{a['n']}-{stamp(a['t'])}-{t['n']}-{t['v'] or 0}"
    return out


#: aggregates kept decoded in the process (2026-12-03); a row never changes under its key (run and its
#: creation time, page, scope, registry version), so a kept one is what the database holds. Callers treat
#: them as read-only.
RECENT_AGGREGATES = 16
_recent: OrderedDict[tuple[int, str, str], Any] = OrderedDict()
_recent_lock = threading.Lock()


def _remember(kept: tuple[int, str, str], data: Any) -> None:
    with _recent_lock:
        _recent[kept] = data
        while len(_recent) > RECENT_AGGREGATES:
            _recent.popitem(last=False)


def aggregate(run: EvaluationRun, name: str, key: str, compute: Any, version: str | None = None) -> Any:
    """``compute()`` once per run, page ``name``, scope ``key`` and registry ``version`` (default: the
    current one); then read back. The decoded value is also kept in the process (:data:`RECENT_AGGREGATES`)."""
    from zjtx.apps.evaluations.models import RunAggregate

    if len(key) > 60:  # long keys (a filter query) by their digest: the row key stays short and exact
        key = hashlib.sha256(key.encode()).hexdigest()[:32]
    full = f"{name}:{key}:{version or registry_version()}"
    kept = (run.pk, str(run.created_at), full)
    with _recent_lock:
        if kept in _recent:  # decoded before (a run comparison's list is megabytes of JSON)
            _recent.move_to_end(kept)
            return _recent[kept]
    row = RunAggregate.objects.filter(run=run, key=full).values_list("data", flat=True).first()
    if row is not None:
        _remember(kept, row)
        return row
    data = json.loads(json.dumps(jsonable(compute()), ensure_ascii=False))
    _remember(kept, data)
    RunAggregate.objects.filter(run=run, key__startswith=f"{name}:{key}:").delete()
    try:
        with transaction.atomic():
            RunAggregate.objects.create(run=run, key=full, data=data)
    except Exception:  # computed by another request meanwhile
        pass
    return data


# ------------------------------------------------------------------ diff between runs

def diff_changes(old: EvaluationRun, new: EvaluationRun, user: Any) -> list[dict[str, Any]]:
    """Every (enterprise, policy) whose conclusion differs between two runs, within ``user``'s scope: light
    rows (no explanations), computed from two value lists and kept as an aggregate of the newer run."""
    def index(run: EvaluationRun) -> dict[tuple[str, str], tuple[str, float | None, str]]:
        return {(u, p): (st, sc, n) for u, p, st, sc, n in scoped_results(user, run).values_list(
            "item__uscc", "policy", "status", "score", "item__name").iterator(chunk_size=5000)}

    def compute() -> list[dict[str, Any]]:
        a, b = index(old), index(new)
        out = []
        for key in sorted(set(a) | set(b)):
            ra, rb = a.get(key), b.get(key)
            if ra is not None and rb is not None and ra[0] == rb[0]:
                continue
            out.append({"uscc": key[0], "policy": key[1], "name": (rb or ra)[2],
                        "before": ra[0] if ra else None, "after": rb[0] if rb else None,
                        "score_before": ra[1] if ra else None, "score_after": rb[1] if rb else None})
        return out

    return aggregate(new, "diff", f"{old.pk}:{scope_key(user)}", compute)


def diff_labels(change: Mapping[str, Any]) -> dict[str, Any]:
    return {**change, "policy_name": policy_name(change["policy"]),
            "before_label": status_label(change["before"]) if change["before"] else "（未评价）",
            "after_label": status_label(change["after"]) if change["after"] else "（未评价）",
            "flipped": [], "inputs": []}


def diff_details(old: EvaluationRun, new: EvaluationRun, changes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``changes`` with their labels and, where both runs have a result, the conditions that flipped and
    the inputs that moved (both explanations regenerated from the runs' snapshots)."""
    usccs = sorted({c["uscc"] for c in changes})

    def results(run: EvaluationRun) -> dict[tuple[str, str], RunResult]:
        out: dict[tuple[str, str], RunResult] = {}
        for i in range(0, len(usccs), 500):
            for r in RunResult.objects.filter(run=run, item__uscc__in=usccs[i:i + 500]).select_related("item", "run"):
                out[(r.item.uscc, r.policy)] = r
        return out

    a, b = (results(old), results(new)) if usccs else ({}, {})
    rows = []
    for c in changes:
        entry = diff_labels(c)
        ra, rb = a.get((c["uscc"], c["policy"])), b.get((c["uscc"], c["policy"]))
        if ra is not None and rb is not None:
            entry["flipped"] = flipped_conditions(reproduce(ra), reproduce(rb))
            entry["inputs"] = changed_inputs(ra.item.record, rb.item.record)
        rows.append(entry)
    return rows


def filter_changes(changes: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The comparison's filters: ``policy``, ``before``/``after`` (a status, or ``none`` for 未评价) and
    ``q`` (USCC or part of the name)."""
    policy = params.get("policy") or ""
    before, after = params.get("before") or "", params.get("after") or ""
    q = (params.get("q") or "").strip().upper()
    out = []
    for c in changes:
        if policy and c["policy"] != policy:
            continue
        if before and (c["before"] or "none") != before:
            continue
        if after and (c["after"] or "none") != after:
            continue
        if q and q not in c["uscc"] and q not in (c["name"] or "").upper():
            continue
        out.append(c)
    return out


def diff_runs(old: EvaluationRun, new: EvaluationRun, user: Any, limit: int = 500) -> dict[str, Any]:
    """Who changed status between two runs, and why (the conditions that flipped, the inputs that moved;
    explained for the first ``limit`` changes)."""
    changes = diff_changes(old, new, user)
    rows = diff_details(old, new, changes[:limit]) + [diff_labels(c) for c in changes[limit:]]
    return {"old": old, "new": new, "changes": rows, "same_rules": old.rule_version == new.rule_version,
            "same_params": old.overlay == new.overlay}


DIFF_COLUMNS = [("uscc", "统一社会信用代码"), ("name", "企业名称"), ("policy_name", "政策"), ("before_label", "之前"),
                ("after_label", "之后"), ("score_before", "之前得分"), ("score_after", "之后得分"),
                ("flipped_text", "翻转的条件"), ("inputs_text", "变化的数据")]


def diff_export_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "flipped_text": "；".join(f"{f['label']}：{f['before']} → {f['after']}" for f in r["flipped"]),
             "inputs_text": "；".join(f"{i['field']}：{i['before']} → {i['after']}" for i in r["inputs"])}
            for r in rows]


def flipped_conditions(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Trace entries whose outcome differs between two explanations (by entry id)."""
    def key(e: Mapping[str, Any]) -> str:
        return str(e.get("id") or e.get("label"))

    old = {key(e): e for e in before.get("trace") or []}
    out = []
    for e in after.get("trace") or []:
        o = old.get(key(e))
        if o is None:
            out.append({"label": e.get("label"), "before": "（无此条件）", "after": e.get("status")})
            continue
        if e.get("kind") == "indicator":
            if o.get("points") != e.get("points"):
                out.append({"label": e.get("label"), "before": f"{_num(o.get('points'))}分",
                            "after": f"{_num(e.get('points'))}分"})
        elif o.get("status") != e.get("status"):
            out.append({"label": e.get("label"), "before": o.get("status"), "after": e.get("status")})
    return out


def changed_inputs(before: Mapping[str, Any], after: Mapping[str, Any], limit: int = 20) -> list[dict[str, str]]:
    out = []
    for k in sorted(set(before) | set(after)):
        if k in ("name",) or before.get(k) == after.get(k):
            continue
        out.append({"field": field_label(k), "before": fmt_value(k, before.get(k)), "after": fmt_value(k, after.get(k))})
        if len(out) >= limit:
            break
    return out


def status_counts(results: Iterable[RunResult]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in results:
        out[r.status] = out.get(r.status, 0) + 1
    return out
