"""The enterprise evaluation page (tier ladder, explanations, gaps, benefits, history) and its PDF report."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from zjtx.apps.evaluations import pagecache, profile, services
from zjtx.apps.evaluations.views.common import Urls, parse_on, visible_enterprise


@login_required
def enterprise_page(request: HttpRequest, uscc: str) -> HttpResponse:
    ent = visible_enterprise(request, uscc)  # the viewer's scope first: the cached part is about the enterprise
    on = parse_on(request.GET.get("on"))
    # ladder, explanations, gaps, benefits, plans and history: rendered once per enterprise data version
    html = pagecache.cached(pagecache.enterprise_key(ent, on), lambda: render_to_string(
        "evaluations/_enterprise_eval.html", profile.build(ent, on)))
    urls = Urls()
    stored = [{**r, "run_url": urls.run(r["run_id"]), "trace_url": urls.trace(r["run_id"], ent.uscc, r["policy"]),
               "status_label": services.status_label(r["status"])}
              for r in services.scoped_results(request.user).filter(item__enterprise=ent)
              .order_by("-run__on", "-run_id", "policy")
              .values("run_id", "run__on", "policy", "status", "score", "flag")[:60]]
    return render(request, "evaluations/enterprise.html", {
        "e": ent, "on": on, "rule_version": services.rule_version(), "evaluation_html": mark_safe(html),
        "stored": stored})


@login_required
def enterprise_report(request: HttpRequest, uscc: str) -> HttpResponse:
    from zjtx.apps.evaluations.report import render_pdf

    ent = visible_enterprise(request, uscc)
    on = parse_on(request.GET.get("on"))
    pdf = render_pdf(ent, profile.build(ent, on))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'{ent.name}-评价报告.pdf')}"
    return resp
