"""What evaluation pages keep between requests, and the data versions that say when it is stale.

Pages cache in the process cache (Django's ``default`` cache): a stale entry is never served because
every key carries the version of the data it was computed from, read from the database on each request
with one or two small indexed queries. A change made by any process (the web server, the worker, an
import) changes the version, and the next request computes afresh.

* The enterprise evaluation page: the tier ladder, the eight explanations, the gap solver's options
  and the benefit matcher are one rendered fragment per (enterprise, evaluation date, rule and parameter
  version, enterprise data version). The data version follows the enterprise row, its annual
  reports and titles (count, last id, summed record versions, last update) — everything the
  evaluation record is built from (``zjtx.apps.enterprises.records.registry_frames``) — and the
  items of its 一企一策 plans (listed in the fragment). The fragment
  holds nothing of the viewer: the page checks the viewer's scope (``visible_enterprise``) before it
  looks in the cache, and reads the viewer's stored results per request.

* Whole-register versions (``services.registry_version``, the programmes panel's) scan tables; on SQLite
  they are computed once per database change: :func:`db_stamp` asks a watching connection for SQLite's
  ``PRAGMA data_version``, which changes whenever any other connection — any request, the worker,
  another process — commits, so a value kept under one stamp is exact until the next commit anywhere.
  Other databases (and in-memory test databases) compute per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection

#: seconds a computed fragment stays in the cache (2026-12-03); staleness is ruled out by the key
PAGE_TTL = 3600


def _tables() -> list[tuple[str, str, bool]]:
    """(table, condition on the enterprise's id, has ``updated_at``): what an enterprise's page is built from."""
    from django.apps import apps

    from zjtx.apps.enterprises.models import AnnualReport, Title

    out = [(AnnualReport._meta.db_table, "enterprise_id = %s", True), (Title._meta.db_table, "enterprise_id = %s", False)]
    try:  # the 一企一策 plans the page lists (cultivation app, if installed)
        plan = apps.get_model("cultivation", "Plan")
        item = apps.get_model("cultivation", "PlanItem")
    except LookupError:
        return out
    out.append((plan._meta.db_table, "enterprise_id = %s", False))
    out.append((item._meta.db_table, f"plan_id IN (SELECT id FROM {plan._meta.db_table} WHERE enterprise_id = %s)",
                False))
    return out


def enterprise_version(enterprise: Any) -> str:
    """The version of one enterprise's evaluation inputs: its row (version, last update), and for its annual
    reports, titles and plan items: count, last id, summed record versions (and the last update) — one query."""
    from django.db import connection

    parts, params = [], []
    for table, where, updated in _tables():
        cols = ["COUNT(*)", "MAX(id)", "SUM(version)"] + (["CAST(MAX(updated_at) AS TEXT)"] if updated else [])
        for c in cols:
            parts.append(f"(SELECT {c} FROM {table} WHERE {where})")
            params.append(enterprise.pk)
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(parts), params)
        row = cur.fetchone()
    updated = enterprise.updated_at.timestamp() if enterprise.updated_at else 0
    return f"{enterprise.version}-{updated:.6f}-" + "-".join("" if v is None else str(v) for v in row)


def enterprise_key(enterprise: Any, on: dt.date) -> str:
    """Cache key of the enterprise page's evaluation fragment (see the module docstring)."""
    from zjtx.apps.evaluations import services

    version = f"{on.isoformat()}|{services.rule_version()}|{enterprise_version(enterprise)}"
    return f"zjtx:ent:{enterprise.pk}:{hashlib.sha256(version.encode()).hexdigest()[:32]}"


def cached(key: str, compute: Callable[[], Any], ttl: int = PAGE_TTL) -> Any:
    """The cached value of ``key``, computed (and stored) when missing."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value


_watch_lock = threading.Lock()
_watch: dict[str, Any] = {"conn": None, "name": None}
_stamped: dict[str, tuple[int, Any]] = {}
_flight_locks: dict[str, threading.Lock] = {}


def db_stamp() -> int | None:
    """SQLite's ``data_version`` seen from a connection that never writes (it changes with every commit
    made by any other connection); ``None`` on other databases and for in-memory databases."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name or connection.in_atomic_block:
        return None  # in a transaction this request may see its own uncommitted writes: compute
    with _watch_lock:
        if _watch["conn"] is None or _watch["name"] != name:
            _watch["conn"] = sqlite3.connect(name, check_same_thread=False, isolation_level=None,
                                             uri=name.startswith("file:"))
            _watch["name"] = name
            _stamped.clear()
        return int(_watch["conn"].execute("PRAGMA data_version").fetchone()[0])


def per_change(name: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per database change (see :func:`db_stamp`); every time where that is unknown."""
    stamp = db_stamp()
    if stamp is None:
        return compute()
    hit = _stamped.get(name)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    with _flight_locks.setdefault(name, threading.Lock()):  # one request computes; the others wait for it
        hit = _stamped.get(name)
        if hit is not None and hit[0] >= stamp:
            return hit[1]
        value = compute()  # read after the stamp: at least as new as the state it stands for
        _stamped[name] = (stamp, value)
        return value
