"""The programmes panel of the dashboard (and of the programme overview): key figures, each linked
to the list behind it, within the user's scope. Include ``programs/_dashboard_panel.html`` with the
context of :func:`panel`.

The figures (about fourteen counts) are kept in the process cache per viewer scope (role, 镇街,
enterprise), day and data version (:func:`data_version`), so a dashboard request reads them instead of
counting again. On SQLite the version is the database's own change counter
(``zjtx.apps.evaluations.pagecache.db_stamp``): any commit by any process computes afresh, so the panel is
exact. Elsewhere it changes with any save or delete of a record in this process (signals) and with the
counted tables as the database holds them (count, last id, last update — one query); an edit that
another process makes in place is then seen after at most :data:`PANEL_TTL` seconds.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from zjtx.apps.programs import access, publicity
from zjtx.apps.programs.models import (
    Award,
    Carrier,
    InvestmentTarget,
    Platform,
    Project,
    PublicityEvent,
    Tenancy,
)

#: longest time (seconds) a cached panel is shown after another process edited a programme record in
#: place, on databases without a change counter (2026-12-03); saves in this process and added or removed
#: rows show at once
PANEL_TTL = 60

_generation = itertools.count(1)
_compute_lock = threading.Lock()
_current = [0]


def _bump(sender: Any, **kwargs: Any) -> None:
    if sender._meta.app_label in ("programs", "enterprises"):
        _current[0] = next(_generation)


for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(_bump, dispatch_uid=f"programs-panel-version-{_signal!r}")


def _tables() -> list[tuple[str, bool]]:
    """(table, has ``updated_at``) of the models the panel counts, and of the enterprise register (the scope)."""
    from zjtx.apps.enterprises.models import Enterprise
    from zjtx.apps.programs.models import Contest

    models = [Project, InvestmentTarget, Carrier, Tenancy, Platform, PublicityEvent, Award, Contest, Enterprise]
    return [(m._meta.db_table, any(f.name == "updated_at" for f in m._meta.fields)) for m in models]


def data_version() -> str:
    """The database's change counter where it has one (SQLite); else changes with every programme record
    saved or deleted in this process, and with the count, last id and last update of the counted tables
    and the enterprise register (one query)."""
    from zjtx.apps.evaluations.pagecache import db_stamp

    stamp = db_stamp()
    if stamp is not None:
        return f"db{stamp}"
    parts = []
    for table, updated in _tables():
        parts += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX(id) FROM {table})"]
        if updated:
            parts.append(f"(SELECT CAST(MAX(updated_at) AS TEXT) FROM {table})")
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(parts))
        row = cur.fetchone()
    return f"{_current[0]}:" + hashlib.sha256(repr(row).encode()).hexdigest()[:24]


def scope_of(user: Any) -> str:
    """Who sees the same panel: the role, and for scoped roles the 镇街 or the enterprise."""
    return f"{access.role(user)}:{access.own_town(user) or ''}:{access.own_enterprise_id(user) or ''}"


def panel(user: Any) -> dict[str, Any]:
    """``{"programs_panel": {...}}`` for the template include (empty for users without a role)."""
    if access.role(user) is None:
        return {"programs_panel": None}
    today = timezone.localdate()
    key = f"zjtx:programs-panel:{scope_of(user)}:{today.isoformat()}:{data_version()}"
    data = cache.get(key)
    if data is None:
        with _compute_lock:  # after a change, one request counts; the others wait and read its figures
            data = cache.get(key)
            if data is None:
                data = _compute(user, today)
                cache.set(key, data, PANEL_TTL)
    return {"programs_panel": data}


def _compute(user: Any, today: Any) -> dict[str, Any]:
    """The panel's figures within ``user``'s scope as of ``today``."""
    pj = access.projects(user, Project.objects.all())
    S = Project.State
    projects = [
        ("张榜征集/评审中", pj.filter(state__in=[S.POSTED, S.REVIEWING]).count(), "/programs/projects/?state=posted"),
        ("实施中", pj.filter(state=S.CONTRACTED).count(), "/programs/projects/?state=contracted"),
        ("已验收", pj.filter(state=S.ACCEPTED).count(), "/programs/projects/?state=accepted"),
    ]
    tg = access.targets(user, InvestmentTarget.objects.all())
    order = ("visited", "intention", "signed", "landed")
    targets = [
        ("列入名单", tg.count(), "/programs/targets/"),
        ("重点招引目标", tg.filter(key_target=True).count(), "/programs/targets/?key=1"),
        ("已走访/线上会谈", tg.filter(furthest__in=order).count(), "/programs/funnel/"),
        ("已签约", tg.filter(furthest__in=order[2:]).count(), "/programs/funnel/"),
        ("已落地", tg.filter(furthest="landed").count(), "/programs/targets/?stage=landed"),
    ]
    carriers = access.carriers(user, Carrier.objects.all())
    by_level = dict(carriers.values_list("level").annotate(n=Count("id")))
    tenancies = access.tenancies(user, Tenancy.objects.all())
    incubation = [
        ("国家级载体", by_level.get("national", 0), "/programs/carriers/?level=national"),
        ("省级载体", by_level.get("provincial", 0), "/programs/carriers/?level=provincial"),
        ("市级载体", by_level.get("city", 0), "/programs/carriers/?level=city"),
        ("在孵企业", tenancies.filter(status="resident").count(), "/programs/carriers/"),
        ("毕业企业", tenancies.filter(status="graduated").count(), "/programs/graduates/"),
    ]
    plats = Platform.objects.filter(status=Platform.Status.OPERATING)
    platforms = [("创新平台", plats.count(), "/programs/platforms/?status=operating"),
                 ("开放共享实验室", plats.filter(open_shared_lab=True).count(), "/programs/platforms/?lab=1")]
    ev = access.events(user, PublicityEvent.objects.all())
    latest = ev.filter(status="held").order_by("-held_on").values_list("held_on", flat=True).first()
    year = latest.year if latest else today.year
    cov = publicity.coverage(ev, today, since=today.replace(year=year, month=1, day=1))
    aw = access.awards(user, Award.objects.all())
    last_year = aw.order_by("-contest__year").values_list("contest__year", flat=True).first()
    contests = [("获奖企业（最近一届）", aw.filter(contest__year=last_year).values("enterprise").distinct().count()
                 if last_year else 0, f"/programs/awards/?year={last_year or ''}"),
                ("已兑现资金补助", aw.filter(Q(benefit_status="paid")).count(), "/programs/awards/?benefit=paid")]
    return {
        "groups": [("揭榜挂帅与重大专项", projects), ("招商引资", targets), ("孵化载体", incubation), ("创新平台", platforms),
                   ("大赛获奖", contests)],
        "coverage": {"year": year, "covered": cov["covered"], "total": cov["total"],
                     "url": f"/programs/coverage/?year={year}"},
    }
