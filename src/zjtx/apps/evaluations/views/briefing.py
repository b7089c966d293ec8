"""The yearly briefing (工作简报) page from the registry, with a .docx download."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zjtx.apps.accounts import scope
from zjtx.apps.evaluations.views.common import require_role
from zjtx.web import present

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def build_briefing(user: Any, year: int) -> Any:
    """``zjtx.stats.briefing`` over the registry frames the user may see (a town officer: its town)."""
    from zjtx.stats.briefing import briefing

    qs = scope.scope_enterprises(user)
    try:  # registry frames plus the sourced city-comparison table, when the demo/loader provides one
        from zjtx.apps.enterprises.demo_load import briefing_frames

        frames = briefing_frames(qs)
    except ImportError:
        from zjtx.apps.enterprises.records import registry_frames

        enterprises, annual, titles = registry_frames(qs)
        frames = {"enterprises": enterprises, "annual": annual, "titles": titles}
    area, divisions, heading = scope_words(user)
    b = briefing(frames, year, area=area, divisions=divisions, heading=heading)
    for sentence in b.sentences:  # the methodology (口径) in the reader's words
        sentence.stats[:] = [dataclasses.replace(st, query=present.humanize(st.query)) for st in sentence.stats]
    return b


def scope_words(user: Any) -> tuple[str, list[str] | None, str | None]:
    """How the briefing names its scope: 全市 (city staff), 本镇/本街道 (a town officer), 本企业."""
    role = scope.role_of(user)
    if role == "enterprise_user":
        ent = scope.scope_enterprises(user).first()
        return "本企业", [], getattr(ent, "name", None)
    code = scope.user_division_code(user)
    if code:
        from zjtx.apps.enterprises.models import Division

        name = Division.objects.filter(code=code).values_list("name", flat=True).first() or ""
        return ("本街道" if name.endswith("街道") else "本镇"), [code], name or None
    return "全市", None, None


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else dt.date.today().year - 1


def briefing_data(user: Any, year: int) -> dict[str, Any]:
    """The briefing's sentences and tables, computed once per scope, year and registry version (then read
    from the cache until an enterprise, annual report or title changes)."""
    from django.core.cache import cache

    from zjtx.apps.evaluations.services import registry_version, scope_key

    key = f"zjtx:briefing:{scope_key(user)}:{year}:{registry_version(full=True)}"
    data = cache.get(key)
    if data is None:
        b = build_briefing(user, year)
        data = {"b": {"title": b.title},
                "sentences": [{"text": s.text, "notes": [getattr(st, "query", "") for st in s.stats]}
                              for s in b.sentences],
                "tables": [{"caption": cap, "columns": list(df.columns), "rows": [list(r) for r in df.rows()]}
                           for cap, df in b.tables],
                "notes": list(b.notes)}
        cache.set(key, data, 24 * 3600)
    return data


@login_required
def briefing_page(request: HttpRequest) -> HttpResponse:
    require_role(request)
    year = _year(request)
    if request.GET.get("format") == "docx":
        b = build_briefing(request.user, year)
        with tempfile.TemporaryDirectory() as tmp:
            path = b.to_docx(Path(tmp) / "briefing.docx")
            body = Path(path).read_bytes()
        resp = HttpResponse(body, content_type=DOCX)
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'工作简报{year}.docx')}"
        return resp
    return render(request, "evaluations/briefing.html", {
        **briefing_data(request.user, year), "year": year,
        "years": list(range(dt.date.today().year, dt.date.today().year - 8, -1)),
        "scoped": scope.user_division_code(request.user) is not None or scope.role_of(request.user) == "enterprise_user",
    })
