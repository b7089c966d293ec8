"""The programme overview (the dashboard panel, larger) and the programme briefing (the letter's
programme sentences for a year, each number with its query, campaign progress up to a date)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zjtx.apps.programs import access
from zjtx.apps.programs.dashboard import panel
from zjtx.apps.programs.frames import programme_frames, registration_titles
from zjtx.apps.programs.models import InvestmentTarget, PublicityEvent
from zjtx.apps.programs.views.common import ctx, require_role


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require_role(request)
    return render(request, "programs/overview.html", ctx("overview", "专项工作", **panel(request.user)))


@login_required
def briefing(request: HttpRequest) -> HttpResponse:
    """``?year=2022&as_of=2022-06-13`` reproduces the letter's progress sentences (宣讲 14/23)."""
    from zjtx.stats.programs import programme_sentences

    require_role(request)
    today = timezone.localdate()
    year = int(request.GET["year"]) if str(request.GET.get("year") or "").isdigit() else today.year - 1
    try:
        as_of = date.fromisoformat(request.GET["as_of"]) if request.GET.get("as_of") else None
    except ValueError:
        as_of = None
        messages.error(request, "截至日期格式错误，已按年末统计")
    ents = access.enterprises(request.user)
    titles = registration_titles(ents)
    frames = {"programs": programme_frames(ents, targets=access.targets(request.user, InvestmentTarget.objects.all()),
                                           events=access.events(request.user, PublicityEvent.objects.all())),
              "titles": titles}
    sentences = [{"text": s.text, "notes": [st.query for st in s.stats]}
                 for s in programme_sentences(frames, year, as_of=as_of, titles=titles)]
    return render(request, "programs/briefing.html", ctx(
        "briefing", "专项工作简报", year=year, as_of=as_of, sentences=sentences,
        years=list(range(today.year, today.year - 8, -1))))
