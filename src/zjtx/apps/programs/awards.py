"""Competitions and awards: contests, prizes per enterprise, the benefits a prize unlocks.

* Benefits: a prize's grant (资金补助, per the contest's ``benefits`` table) is written to the
  benefit ledger (``cultivation.ledger.record``), which refuses a double benefit under the
  configured rules (seeded: one 大赛 grant per 参赛项目). The credit line (银行授信) is recorded on the
  award, not in the ledger: it is a bank's offer, not a payment.
  Lifecycle: 未兑现 → 已批复 (grant: ledger entry 已批复) → 已兑现 (pay: the entry becomes 已兑现),
  by city staff.
* Rules: a contest whose ``rank_field`` names an award-rank field of the evaluation record
  (``chuangke_rank_3y``, ``national_award_rank_3y``, ``provincial_award_rank_3y``) feeds it:
  :func:`sync_ranks` sets the enterprise's field to the best rank of its awards in the window
  (3 years) when that is better than the stored value (never worse: other sources may know awards
  this table does not), with provenance 已核验 and the contest named in the raw value.
  中国创新创业大赛 feeds no field: no policy of the catalog reads it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.programs import access
from zjtx.apps.programs.lifecycle import Action, LifecycleError, Machine
from zjtx.apps.programs.models import Award, Contest

B = Award.BenefitStatus
LEDGER_POLICY = {Contest.Series.INNOVATION: "zs_innovation_contest", Contest.Series.CHUANGKE: "zs_chuangke_award",
                 Contest.Series.SCIENCE_AWARD: "zs_science_award", Contest.Series.OTHER: "zs_contest_award"}
LEDGER_NAME = {"zs_innovation_contest": "中国创新创业大赛（中山赛区）资金补助",
               "zs_chuangke_award": "“创客中国”大赛获奖奖励", "zs_science_award": "科学技术奖配套奖励",
               "zs_contest_award": "赛事获奖奖励"}
WINDOW_YEARS = {"chuangke_rank_3y": 3, "national_award_rank_3y": 3, "provincial_award_rank_3y": 3}


def _visible(user: Any, a: Award) -> bool:
    return access.awards(user, Award.objects.filter(pk=a.pk)).exists()


def _city(user: Any, a: Any) -> bool:
    return access.is_city(user)


def _amount(a: Award, data: dict[str, Any]) -> Decimal | None:
    v = data.get("amount")
    if v in (None, ""):
        v = a.contest.benefit_for(a.prize).get("grant")
    try:
        return None if v in (None, "") else Decimal(str(v))
    except Exception:
        return None


def _check_grant(a: Award, data: dict[str, Any]) -> str | None:
    amount = _amount(a, data)
    if amount is None or amount <= 0:
        return f"“{a.prize}”在该赛事政策中没有资金补助，请填写批复金额"
    return None


def _apply_grant(a: Award, user: Any, data: dict[str, Any]) -> None:
    from zjtx.apps.cultivation import ledger
    from zjtx.apps.cultivation.models import BenefitEntry, BenefitLevel

    policy = LEDGER_POLICY.get(a.contest.series, "zs_contest_award")
    entry = BenefitEntry(enterprise=a.enterprise, policy=policy, policy_name=LEDGER_NAME[policy],
                         level=BenefitLevel.CITY if a.contest.level == "city" else
                         BenefitLevel.PROVINCIAL if a.contest.level == "provincial" else BenefitLevel.NATIONAL,
                         year=a.contest.year, project=a.project[:200], amount=_amount(a, data),
                         kind=BenefitEntry.Kind.GRANTED, document=(data.get("document") or a.contest.document)[:150],
                         created_by=user if getattr(user, "is_authenticated", False) else None)
    try:
        ledger.record(entry)
    except ValidationError as exc:
        raise LifecycleError("；".join(exc.messages)) from exc
    a.ledger_entry = entry
    credit = a.contest.benefit_for(a.prize).get("credit")
    if credit and a.credit_line is None:
        a.credit_line = Decimal(str(credit))


def _check_pay(a: Award, data: dict[str, Any]) -> str | None:
    if a.ledger_entry_id is None:
        return "该获奖记录没有对应的奖补台账记录"
    return None


def _apply_pay(a: Award, user: Any, data: dict[str, Any]) -> None:
    e = a.ledger_entry
    e.kind = e.Kind.PAID
    on = data.get("on")
    e.paid_on = on if isinstance(on, date) else (date.fromisoformat(on) if on else timezone.localdate())
    e.save()


AWARD = Machine("获奖记录", Award, "benefit_status", (
    Action("grant", "批复资金补助（登记奖补台账）", (B.NONE,), B.GRANTED, _city, check=_check_grant, apply=_apply_grant,
           who_text="限市级工作人员"),
    Action("pay", "资金已兑现", (B.GRANTED,), B.PAID, _city, check=_check_pay, apply=_apply_pay,
           who_text="限市级工作人员"),
), _visible)


def record_award(user: Any, contest: Contest, enterprise: Any, *, project: str, prize: str,
                 awarded_on: date, rank: int | None = None, group: str = "") -> Award:
    """Record a prize (city staff; the enterprise must be in the registry) and feed the ranks."""
    if not access.is_city(user):
        raise LifecycleError("获奖记录由市级工作人员登记", 403)
    if not project.strip() or not prize.strip():
        raise LifecycleError("请填写参赛项目和奖项")
    if rank is not None and rank < 1:
        raise LifecycleError("名次应为正整数")
    if awarded_on > timezone.localdate():
        raise LifecycleError("获奖日期不能晚于今天")
    if Award.objects.filter(contest=contest, enterprise=enterprise, project=project).exists():
        raise LifecycleError(f"{enterprise.name}的“{project}”已登记为本赛事获奖项目", 409)
    with acting_as(user, source="programs"), transaction.atomic():
        a = Award.objects.create(contest=contest, enterprise=enterprise, project=project[:200], prize=prize[:60],
                                 rank=rank, group=group[:60], awarded_on=awarded_on)
        sync_ranks(enterprise)
    return a


def best_ranks(enterprise: Any, on: date) -> dict[str, tuple[int, Award]]:
    """``{rank field: (best rank, award)}`` of the enterprise's awards within each field's window."""
    out: dict[str, tuple[int, Award]] = {}
    for a in Award.objects.filter(enterprise=enterprise, rank__isnull=False).exclude(
            contest__rank_field="").select_related("contest"):
        fld = a.contest.rank_field
        years = WINDOW_YEARS.get(fld, 3)
        try:
            start = on.replace(year=on.year - years)
        except ValueError:
            start = on.replace(year=on.year - years, day=28)
        if not (start < a.awarded_on <= on):
            continue
        if fld not in out or a.rank < out[fld][0]:
            out[fld] = (a.rank, a)
    return out


def sync_ranks(enterprise: Any, on: date | None = None) -> dict[str, int]:
    """Set the enterprise's award-rank fields from its awards when better (or empty)."""
    day = on or timezone.localdate()
    changed: dict[str, int] = {}
    for fld, (rank, award) in best_ranks(enterprise, day).items():
        current = getattr(enterprise, fld)
        if current is not None and current <= rank:
            continue
        setattr(enterprise, fld, rank)
        enterprise.provenance[fld] = "verified"
        enterprise.raw[fld] = f"{rank}（{award.contest.name}·{award.prize}）"[:200]
        changed[fld] = rank
    if changed:
        enterprise.save()
    return changed
