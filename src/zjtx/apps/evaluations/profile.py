"""Everything the enterprise page and the PDF report show about one enterprise, computed once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zjtx.apps.evaluations import explain, services
from zjtx.web import present

HISTORY_SERIES = [
    ("revenue", "营业收入（万元）", "money"),
    ("rd_expense", "研发费用总额（万元）", "money"),
    ("net_profit", "净利润（万元）", "money"),
    ("employees", "职工总数（人）", "count"),
    ("rd_staff", "研发人员数（人）", "count"),
    ("ip1", "Ⅰ类知识产权数（件）", "count"),
]


def history(enterprise: Any) -> dict[str, Any]:
    """The annual-report history as chart series (money in 万元) and a table."""
    reports = list(enterprise.annual_reports.order_by("year"))
    years = [r.year for r in reports]
    series = []
    for name, label, kind in HISTORY_SERIES:
        values = []
        for r in reports:
            v = getattr(r, name)
            values.append(None if v is None else (round(float(v) / 1e4, 2) if kind == "money" else int(v)))
        texts = [present.number(v) if v is not None else "未知" for v in values]
        series.append({"field": name, "label": label, "kind": kind, "values": values, "texts": texts})
    return {"years": years, "series": series}


def plans(enterprise: Any) -> list[dict[str, Any]]:
    """The enterprise's 一企一策 plans (cultivation app, if installed): target tier and actions."""
    from django.apps import apps

    try:
        plan_model = apps.get_model("cultivation", "Plan")
    except LookupError:
        return []
    out = []
    try:
        for plan in plan_model.objects.filter(enterprise=enterprise).prefetch_related("items")[:10]:
            out.append({"tier": services.policy_name(plan.tier), "status": plan.get_status_display(), "on": plan.on,
                        "items": [{"title": i.title, "owner": i.get_owner_display(), "due_on": i.due_on,
                                   "status": i.get_status_display()} for i in plan.items.all()]})
    except Exception:  # another app's schema: never break the evaluation page
        services.log.exception("reading plans failed")
    return out


def readable_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gap and benefit rows with every text field in the user's words (codes, tags, numbers)."""
    out = []
    for r in rows:
        out.append({k: (present.humanize(v) if isinstance(v, str) and k not in ("policy", "status", "match") else v)
                    for k, v in r.items()})
    return out


def build(enterprise: Any, on: dt.date) -> dict[str, Any]:
    """Record, explanations (with table rows), ladder, gaps, benefits and history as of ``on``."""
    record = services.record_for_enterprise(enterprise, on)
    sources = services.data_sources(enterprise, on)
    explanations = services.explain_all(record, on)
    policies = []
    for res in explanations:
        try:
            pass_score = services.threshold(res["policy"], on)
        except Exception:  # a policy without a score line
            pass_score = None
        policies.append(explain.policy_view(res, sources, on, pass_score))
    gaps = services.gaps_for(record, on)
    benefits = services.match_for(record, on)
    return {
        "on": on, "record": record, "policies": policies, "ladder": services.ladder(enterprise, explanations, on),
        "gaps": readable_rows(services.gap_rows(gaps)), "gaps_loaded": gaps is not None,
        "benefits": readable_rows(services.benefit_rows(benefits)), "benefits_loaded": benefits is not None,
        "modules_missing": services.MODULES_MISSING, "gaps_missing": services.GAPS_MISSING,
        "match_missing": services.MATCH_MISSING, "history": history(enterprise), "plans": plans(enterprise),
        "rule_version": services.rule_version(),
        "regimes": sorted({f"{p['res'].get('name')}：{p['document_full']}" for p in policies}),
    }
