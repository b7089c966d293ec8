"""JSON API of the evaluations (django-ninja Router, mounted at ``/api/`` by ``zjtx.web.api``).

Posted records are not registry data: any authenticated user may evaluate them. Stored run results
go through the scope layer (a town officer sees only its town's enterprises).
Bad input → 422 with the engine's Chinese messages (``errors``: one line per record and field);
an unknown policy or date → 400.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema

from zjtx.apps.accounts import scope
from zjtx.apps.evaluations import services
from zjtx.apps.evaluations.models import EvaluationRun
from zjtx.apps.evaluations.views.results import filter_results, result_rows
from zjtx.web.params import Day, Id, Limit, Offset

router = Router(tags=["评价 evaluations"])


class EvaluateIn(Schema):
    records: list[dict[str, Any]] = Field(..., description="FIELDS.md 评价记录（金额单位：元；比例为小数）")
    on: Day = Field(..., description="评价日期")
    policies: list[str] | None = Field(None, description="政策 id；默认全部层级政策")
    params: dict[str, Any] | None = Field(None, description="参数覆盖（改革方案）：参数 id → 值")


class ExplainIn(Schema):
    record: dict[str, Any]
    policy: str
    on: Day
    params: dict[str, Any] | None = None


class GapsIn(Schema):
    record: dict[str, Any]
    on: Day
    policy: str | None = None


class MatchIn(Schema):
    record: dict[str, Any]
    on: Day


class RunOut(Schema):
    id: int
    name: str
    on: Day
    parameter_set: str
    overlay: dict[str, Any]
    rule_version: str
    package_version: str
    status: str
    total: int
    processed: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


class RunPage(Schema):
    count: int
    items: list[RunOut]


class ResultFilters(Schema):
    policy: str | None = None
    status: str | None = None
    division: str | None = None
    cluster: str | None = None
    near: str | None = None
    reachable: str | None = None
    flag: str | None = None
    q: str | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


def _error(status: int, detail: str, errors: list[str] | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or [detail]}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _engine_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run an engine call and turn its errors into HTTP answers with the Chinese messages."""
    from zjtx.rules.inputs import InputError

    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        return _error(422, str(exc), [i.message() for i in exc.issues])
    except (ValueError, KeyError) as exc:
        return _error(400, str(exc))


def _evaluate(payload: EvaluateIn) -> dict[str, Any]:
    import zjtx
    from zjtx.apps.evaluations.fastpath import MAX_RECORDS, evaluate_few

    if not payload.records:
        raise ValueError("records 不能为空")
    if len(payload.records) <= MAX_RECORDS and not payload.params:  # a few records: no register-wide plan
        df = evaluate_few(payload.records, payload.on, payload.policies)
    else:
        df = zjtx.evaluate(payload.records, payload.on, payload.policies, params=payload.params or None,
                           keep=("uscc",))
    return {"on": payload.on.isoformat(), "count": df.height,
            "results": [services.jsonable(r) for r in df.iter_rows(named=True)]}


@router.post("/evaluate", summary="评价多条记录（不写入企业库）")
def evaluate(request: HttpRequest, payload: EvaluateIn) -> Any:
    return _engine_call(_evaluate, payload)


@router.post("/explain", summary="逐条解释一条记录在某政策下的评价")
def explain(request: HttpRequest, payload: ExplainIn) -> Any:
    import zjtx

    return _engine_call(lambda: services.jsonable(zjtx.explain(payload.record, payload.policy, on=payload.on,
                                                               params=payload.params or None)))


@router.post("/gaps", summary="差距分析：达到各层级的补足方案")
def gaps(request: HttpRequest, payload: GapsIn) -> Any:
    if not services.gaps_available():
        return _error(503, services.GAPS_MISSING)
    return _engine_call(services.gaps_for, payload.record, payload.on, payload.policy)


@router.post("/match", summary="政策匹配：可享受的政策与金额")
def match(request: HttpRequest, payload: MatchIn) -> Any:
    if not services.match_available():
        return _error(503, services.MATCH_MISSING)
    return _engine_call(services.match_for, payload.record, payload.on)


@router.get("/runs", response=RunPage, summary="评价批次（本账号可见）")
def runs(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    qs = services.visible_runs(request.user) if scope.role_of(request.user) else EvaluationRun.objects.none()
    return {"count": qs.count(), "items": list(qs[offset:offset + max(1, min(limit, 500))])}


@router.get("/runs/{run_id}/results", summary="某批次的评价结果（按本账号管辖范围过滤）")
def run_results(request: HttpRequest, run_id: Id, filters: Query[ResultFilters]) -> Any:
    run = services.visible_runs(request.user).filter(pk=run_id).first() if scope.role_of(request.user) else None
    if run is None:
        return _error(404, "评价批次不存在或不在本账号管辖范围内")
    qs = filter_results(services.scoped_results(request.user, run), filters.dict()).select_related("item", "run").defer(
        "item__record", "run__summary")
    qs = qs.order_by("item__uscc", "policy")
    rows = result_rows(qs[filters.offset:filters.offset + filters.limit])
    return {"run": run.pk, "on": run.on.isoformat(), "rule_version": run.rule_version, "count": qs.count(),
            "items": [services.jsonable(r) for r in rows]}
