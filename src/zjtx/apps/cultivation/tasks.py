"""Background jobs of the cultivation app (run by ``zjtx worker``): the pool's automatic evaluation
(运行自动评价), re-checking 一企一策 plans after new annual data, and the daily pass (the pool's automatic
evaluation and the renewal calendar's alerts as of today) that the worker schedules once a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from zjtx.apps.jobs.services import JobHandle, job_task


@job_task
def pool_auto(job: JobHandle, on: str) -> dict[str, Any]:
    """运行自动评价 as of ``on`` (ISO date)."""
    from zjtx.apps.cultivation import pool

    job.progress(0, 1, f"按基准日 {on} 评价全部企业并提出培育库阶段")
    r = pool.auto_update(date.fromisoformat(on))
    return {"text": f"自动评价完成（基准日 {on}）：评价 {r.evaluated} 家，更新 {len(r.changed)} 项，"
                    f"人工锁定且有分歧 {len(r.flagged)} 项（已标记，未覆盖）", "link": "/cultivation/pool/",
            "link_text": "查看培育库"}


@job_task
def recheck(job: JobHandle, enterprise_ids: list[int]) -> dict[str, Any]:
    """Re-check the open 一企一策 plans of these enterprises (new annual data arrived)."""
    from zjtx.apps.cultivation.models import Plan
    from zjtx.apps.cultivation.plans import recheck_plans
    from zjtx.apps.enterprises.models import Enterprise

    ids = list(Plan.objects.filter(enterprise_id__in=enterprise_ids, status=Plan.Status.OPEN)
               .values_list("enterprise_id", flat=True).distinct())
    closed = plans = 0
    for i, ent in enumerate(Enterprise.objects.filter(pk__in=ids), 1):
        r = recheck_plans(ent)
        closed += len(r.closed)
        plans += r.plans
        job.progress(i, len(ids), "复核一企一策")
    return {"text": f"复核一企一策 {plans} 份，自动关闭已补足的事项 {closed} 项"}


def submit_recheck(enterprise_ids: list[int], user: Any = None) -> Any:
    """Queue a plan re-check for the enterprises with open plans among ``enterprise_ids`` (none: no job)."""
    from zjtx.apps.cultivation.models import Plan
    from zjtx.apps.jobs.models import Job
    from zjtx.apps.jobs.services import submit

    ids = sorted(set(Plan.objects.filter(enterprise_id__in=enterprise_ids, status=Plan.Status.OPEN)
                     .values_list("enterprise_id", flat=True)))
    if not ids:
        return None
    return submit(recheck, user=user, kind=Job.Kind.PLANS, title=f"新年报数据：复核 {len(ids)} 家企业的一企一策",
                  total=len(ids), enterprise_ids=ids)


@job_task
def daily_pass(job: JobHandle, on: str) -> dict[str, Any]:
    """The daily pass: the pool's automatic evaluation as of today, then the renewal calendar's alerts
    (expiries, annual-update deadlines and batch windows due within 90 days)."""
    from zjtx.apps.cultivation import pool, renewals

    day = date.fromisoformat(on)
    job.progress(0, 2, f"培育库自动评价（基准日 {on}）")
    r = pool.auto_update(day)
    job.progress(1, 2, "到期与申报提醒")
    alerts = renewals.alerts(day)
    by_level: dict[int, int] = {}
    for a in alerts:
        by_level[a.level] = by_level.get(a.level, 0) + 1
    levels = "，".join(f"{k}天内 {v} 项" for k, v in sorted(by_level.items())) or "无"
    return {"text": f"每日例行（{on}）：自动评价 {r.evaluated} 家，更新 {len(r.changed)} 项，分歧 {len(r.flagged)} 项；"
                    f"到期与申报提醒 {len(alerts)} 项（{levels}）",
            "alerts": len(alerts), "evaluated": r.evaluated, "changed": len(r.changed), "flagged": len(r.flagged)}
