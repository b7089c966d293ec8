"""The dashboard: counts by tier, 镇街 and "4+6+4" cluster, trends by year, the reserve pipeline.

Every number is computed from one run's scoped results and links to the results list behind it.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from zjtx.apps.enterprises.models import Division
from zjtx.apps.evaluations import pagecache, services
from zjtx.apps.evaluations.models import EvaluationRun
from zjtx.apps.evaluations.views.common import require_role
from zjtx.apps.evaluations.views.results import selected_run
from zjtx.facts import industries as fi

STATUSES = [("qualified", "达标"), ("not_qualified", "未达标"), ("undecided", "待核验")]


def results_url(run: EvaluationRun, **filters: Any) -> str:
    return reverse("evaluations:results") + "?" + urlencode({"run": run.pk, **{k: v for k, v in filters.items() if v}})


def _by(qs: QuerySet, field: str) -> dict[tuple[str, str], int]:
    return {(r[field], r["policy"]): r["n"] for r in qs.values(field, "policy").annotate(n=Count("id"))}


def dashboard_data(user: Any, run: EvaluationRun) -> dict[str, Any]:
    """All dashboard numbers of ``run`` within ``user``'s scope, each with its list URL."""
    results = services.scoped_results(user, run)
    policies = [p for p in run.policies]
    counts = {(r["policy"], r["status"]): r["n"] for r in results.values("policy", "status").annotate(n=Count("id"))}
    tiers = []
    for p in policies:
        und = counts.get((p, "unknown"), 0) + counts.get((p, "manual_review"), 0)
        cells = [(s, label, counts.get((p, s), 0) if s != "undecided" else und, results_url(run, policy=p, status=s))
                 for s, label in STATUSES]
        tiers.append({"policy": p, "name": services.policy_name(p), "cells": cells})
    qualified = results.filter(status="qualified")
    names = dict(Division.objects.values_list("code", "name"))
    by_div = _by(qualified, "item__division")
    towns = sorted({d for d, _ in by_div})
    town_rows = [{"code": d, "name": names.get(d, d or "（未填）"),
                  "cells": [(by_div.get((d, p), 0), results_url(run, policy=p, status="qualified", division=d))
                            for p in policies]} for d in towns]
    town_rows.sort(key=lambda r: -sum(c[0] for c in r["cells"]))
    by_cl = _by(qualified, "item__cluster")
    cluster_rows = [{"id": c, "name": fi.cluster_name(c) or "（不属于“4+6+4”集群）",
                     "cells": [(by_cl.get((c, p), 0), results_url(run, policy=p, status="qualified", cluster=c))
                               for p in policies]} for c in sorted({c for c, _ in by_cl})]
    near = {r["policy"]: r["n"] for r in results.filter(near_miss=True).values("policy").annotate(n=Count("id"))}
    reach = {r["policy"]: r["n"] for r in results.filter(reachable=True).values("policy").annotate(n=Count("id"))}
    reserve = [{"policy": p, "name": services.policy_name(p), "n": near.get(p, 0),
                "url": results_url(run, policy=p, near=1), "reachable": reach.get(p, 0),
                "reachable_url": results_url(run, policy=p, reachable=1)} for p in policies]
    flags = results.exclude(flag="").count()
    return {"tiers": tiers, "towns": town_rows, "clusters": cluster_rows, "reserve": reserve,
            "flags": flags, "flags_url": results_url(run, flag=1), "policies": policies,
            "solver": (run.summary or {}).get("reachable") is not None,
            "max_cost_wan": ((run.summary or {}).get("reachable_max_cost") or 0) / 1e4,
            "policy_names": [services.policy_name(p) for p in policies],
            "enterprises": results.values("item_id").distinct().count()}


def trends(user: Any) -> dict[str, Any]:
    """Qualified counts per policy for the latest completed run of each evaluation year."""
    latest: dict[int, EvaluationRun] = {}
    for run in services.visible_runs(user).filter(status=EvaluationRun.Status.DONE).order_by("on", "finished_at",
                                                                                                "id"):
        latest[run.on.year] = run
    years = sorted(latest)
    policies: list[str] = []
    for y in years:
        policies += [p for p in latest[y].policies if p not in policies]
    series = []
    for p in policies:
        points = []
        for y in years:
            run = latest[y]
            n = services.scoped_results(user, run).filter(policy=p, status="qualified").count()
            points.append({"value": n, "url": results_url(run, policy=p, status="qualified")})
        series.append({"policy": p, "name": services.policy_name(p), "data": points})
    return {"years": [str(y) for y in years], "series": series}


def _latest_done(user: Any) -> int:
    """Trends span every completed run: their cache key changes with the newest one."""
    return services.visible_runs(user).filter(status=EvaluationRun.Status.DONE).order_by("-id").values_list(
        "id", flat=True).first() or 0


def _main(user: Any, run: EvaluationRun, key: str, version: str, latest: int) -> str:
    """The rendered numbers of ``run`` within the scope ``key`` (headline, tables, chart data)."""
    data = services.aggregate(run, "dashboard", key, lambda: dashboard_data(user, run), version)
    chart = {
        "policies": data["policy_names"],
        "tiers": [{"name": label, "data": [{"value": t["cells"][i][2], "url": t["cells"][i][3]}
                                           for t in data["tiers"]]}
                  for i, (_, label) in enumerate(STATUSES)],
        "towns": {"names": [r["name"] for r in data["towns"]],
                  "series": [{"name": n, "data": [{"value": r["cells"][i][0], "url": r["cells"][i][1]}
                                                  for r in data["towns"]]}
                             for i, n in enumerate(data["policy_names"])]},
        "clusters": {"names": [r["name"] for r in data["clusters"]],
                     "series": [{"name": n, "data": [{"value": r["cells"][i][0], "url": r["cells"][i][1]}
                                                     for r in data["clusters"]]}
                                for i, n in enumerate(data["policy_names"])]},
        "reserve": [{"name": r["name"], "value": r["n"], "url": r["url"]} for r in data["reserve"]],
        "trends": services.aggregate(run, "trends", f"{key}:{latest}", lambda: trends(user), version),
    }
    return render_to_string("evaluations/_dashboard_main.html", {"run": run, "data": data, "chart": chart})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_role(request)
    run = selected_run(request)
    main = ""
    if run is not None:
        key = services.scope_key(request.user)
        version = services.registry_version()
        latest = _latest_done(request.user)
        # the rendered numbers are cached with what they depend on: the run (and whether it is the official
        # one), the viewer's scope, the registry's version and the newest run (the trends)
        cache_key = "zjtx:dashboard:" + hashlib.sha256(
            f"{run.pk}:{run.official}:{key}:{version}:{latest}:{get_language()}".encode()).hexdigest()[:32]
        main = pagecache.cached(cache_key, lambda: _main(request.user, run, key, version, latest))
    from zjtx.apps.programs.dashboard import panel as programs_panel

    return render(request, "evaluations/dashboard.html", {
        **programs_panel(request.user),
        "run": run, "main_html": mark_safe(main),
        "runs": services.visible_runs(request.user).filter(status=EvaluationRun.Status.DONE).only(
            "pk", "on", "name", "official")[:50],
    })
