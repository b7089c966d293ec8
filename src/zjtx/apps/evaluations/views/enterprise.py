"""The enterprise evaluation page (tier ladder, explanations, gaps, benefits, history) and its PDF report."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zjtx.apps.evaluations import profile, services
from zjtx.apps.evaluations.views.common import parse_on, visible_enterprise


@login_required
def enterprise_page(request: HttpRequest, uscc: str) -> HttpResponse:
    ent = visible_enterprise(request, uscc)
    on = parse_on(request.GET.get("on"))
    ctx = profile.build(ent, on)
    stored = (services.scoped_results(request.user).filter(item__enterprise=ent).select_related("run", "item")
              .order_by("-run__on", "-run_id", "policy")[:60])
    return render(request, "evaluations/enterprise.html", {"e": ent, **ctx, "stored": stored,
                                                           "policy_names": {p: services.policy_name(p)
                                                                            for p in services.LADDER + services.SIDE}})


@login_required
def enterprise_report(request: HttpRequest, uscc: str) -> HttpResponse:
    from zjtx.apps.evaluations.report import render_pdf

    ent = visible_enterprise(request, uscc)
    on = parse_on(request.GET.get("on"))
    pdf = render_pdf(ent, profile.build(ent, on))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'{ent.name}-评价报告.pdf')}"
    return resp
