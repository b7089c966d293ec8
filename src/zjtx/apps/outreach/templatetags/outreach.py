"""``{% outreach_panel e %}``: the enterprise page's 申报窗口 and 预警 (one include, no view change)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()

STATUS_ZH = {"qualified": "达标", "not_qualified": "未达标", "unknown": "待核验", "manual_review": "待人工审核"}


@register.inclusion_tag("outreach/_panel.html", takes_context=True)
def outreach_panel(context: Any, enterprise: Any) -> dict[str, Any]:
    from zjtx.apps.evaluations.models import RunResult
    from zjtx.apps.outreach import windows
    from zjtx.apps.outreach.models import EarlyWarning
    from zjtx.apps.outreach.source import latest_run
    from zjtx.policies import catalog

    on = timezone.localdate()
    run = latest_run(on)
    results: dict[str, Any] = {}
    if run is not None:
        for r in RunResult.objects.filter(run=run, item__enterprise=enterprise):
            results[r.policy] = r
    cat = catalog()
    rows = []
    for w in windows.current_and_next(on, horizon_days=240):
        r = results.get(w.policy)
        if r is None:
            mine = ""
        elif r.held:
            mine = "已持有"
        elif r.status == "qualified":
            mine = "达标，可申报"
        elif r.reachable:
            mine = "未达标，有补足方案"
        else:
            mine = STATUS_ZH.get(r.status, "")
        rows.append({"w": w, "label": cat.name(w.policy) if w.policy in cat else w.label, "state": w.state(on),
                     "mine": mine, "days": w.days_to(on)})
    warnings = EarlyWarning.objects.filter(enterprise=enterprise, active=True).order_by("severity", "kind")
    return {"e": enterprise, "rows": rows, "warnings": list(warnings), "on": on, "run": run,
            "request": context.get("request"), "zjtx_role": context.get("zjtx_role")}
