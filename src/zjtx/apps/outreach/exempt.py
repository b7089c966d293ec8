"""免申即享: benefits paid from data the bureau already holds, without an application form.

For each benefit rule the system lists the eligible enterprises (with the amount and its basis:
the rule, the citation and the figures), each enterprise confirms (意愿确认) and gives its bank
details in the portal, the bureau approves the batch, and paying it writes a ``Payment`` per
enterprise and a line of the benefit ledger (``cultivation.BenefitEntry``, kind 已兑现) checked by the
ledger's no-double-benefit rules. ``Payment`` is unique per (enterprise, benefit, basis): the same
designation or the same support year can never be paid twice, whatever the batch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zjtx.apps.enterprises.models import Title
from zjtx.apps.outreach import windows
from zjtx.apps.outreach.models import Batch, BatchItem, Notice, Payment, Topic


@dataclass(frozen=True)
class Eligible:
    enterprise_id: int
    basis_key: str
    amount: Decimal
    basis: dict[str, Any]


@dataclass(frozen=True)
class Benefit:
    code: str
    name: str
    level: str
    find: Callable[[int, dt.date], list[Eligible]]


def _little_giant(year: int, on: dt.date) -> list[Eligible]:
    """Every enterprise newly designated 小巨人 in ``year`` (a title granted that year, not revoked),
    once per designation: amount = ``exempt.zs_little_giant_award.amount``."""
    from zjtx.apps.outreach.prewarn import _title_codes

    p = windows.params_at(dt.date(year, 12, 31))["exempt.zs_little_giant_award.amount"]
    out = []
    for t in Title.objects.filter(title__in=_title_codes("little_giant"), granted_on__year=year,
                                  revoked_on__isnull=True).order_by("enterprise_id", "granted_on"):
        # a re-designation after 复核 is not a new designation: only the first grant counts
        if Title.objects.filter(enterprise_id=t.enterprise_id, title=t.title, granted_on__lt=t.granted_on).exists():
            continue
        out.append(Eligible(t.enterprise_id, f"little_giant:{t.enterprise_id}:first", Decimal(p.value), {
            "rule": p.label, "document": p.source, "tag": p.tag, "provisional": p.provisional, "note": p.note,
            "figures": {"认定日期": f"{t.granted_on:%Y-%m-%d}", "批次": t.batch or "—", "认定文号": t.document or "—",
                        "奖励金额": f"{Decimal(p.value) / 10000:,.2f}万元"}}))
    return out


def _innovation_benchmark(year: int, on: dt.date) -> list[Eligible]:
    """Enterprises selected as 创新标杆企业 in ``year`` (title ``innovation_benchmark`` granted that
    year): amount = the catalog's ``zs_innovation_benchmark`` calculator (≤ 6% of the previous
    year's 加计扣除额, 中工信函〔2022〕59号 三(一)) on the registry's data."""
    import zjtx
    from zjtx.apps.evaluations.services import record_for_enterprise
    from zjtx.policies import catalog

    calc = catalog().get("zs_innovation_benchmark")
    out = []
    seen: set[int] = set()
    for t in Title.objects.filter(title="innovation_benchmark", granted_on__year=year, revoked_on__isnull=True
                                  ).select_related("enterprise"):
        if t.enterprise_id in seen:
            continue
        seen.add(t.enterprise_id)
        day = dt.date(year, 6, 30)
        rec = record_for_enterprise(t.enterprise, day)
        rec["innovation_benchmark_selected"] = True
        inputs = {k: rec[k] for k in calc.fields if rec.get(k) is not None}
        res = zjtx.calculate("zs_innovation_benchmark", inputs, on=day, strict=False)
        if res["status"] != "qualified" or not res.get("amount"):
            continue  # no 加计扣除额 to base the amount on: the bureau handles it by hand
        ratio = next((p for p in res["params"] if p["id"] == "zs_innovation_benchmark.support_ratio"), {})
        figures = {"上年度研发费用（加计扣除口径）": _wan(inputs.get("rd_expense_tax_y1")),
                   "支持比例": f"{float(ratio.get('value', 0)) * 100:g}%", "支持金额": _wan(res["amount"])}
        if inputs.get("rd_super_deduction_y1") is not None:
            figures["上年度加计扣除额（申报数）"] = _wan(inputs["rd_super_deduction_y1"])
        out.append(Eligible(t.enterprise_id, f"innovation_benchmark:{year}", Decimal(str(res["amount"])), {
            "rule": res["name"], "document": res["document"], "regime": res["regime"],
            "provisional": bool(res.get("provisional")), "notes": res.get("notes") or [], "figures": figures,
            "ratio_source": ratio.get("source", "")}))
    return out


def _wan(v: Any) -> str:
    return "—" if v is None else f"{float(v) / 10000:,.2f}万元"


BENEFITS: dict[str, Benefit] = {
    "zs_little_giant_award": Benefit("zs_little_giant_award", "中山市专精特新“小巨人”企业奖补", "city", _little_giant),
    "zs_innovation_benchmark": Benefit("zs_innovation_benchmark", "中山市创新标杆企业研发支持", "city",
                                       _innovation_benchmark),
}


def eligible(benefit: str, year: int, on: dt.date) -> list[Eligible]:
    if benefit not in BENEFITS:
        raise ValidationError(f"未知的免申即享事项“{benefit}”，可选：{'、'.join(b.name for b in BENEFITS.values())}")
    return BENEFITS[benefit].find(year, on)


@transaction.atomic
def create_batch(benefit: str, year: int, on: dt.date, user: Any = None) -> Batch:
    """The batch of ``benefit`` for ``year``: every eligible enterprise not already paid for the same
    basis, each asked to confirm (a notice)."""
    if not 2000 <= year <= on.year + 1:
        raise ValidationError(f"年度“{year}”无效")
    b = BENEFITS.get(benefit)
    rows = eligible(benefit, year, on)
    if Batch.objects.filter(benefit=benefit, year=year).exists():
        raise ValidationError(f"{year}年“{b.name if b else benefit}”批次已存在，不能重复生成")
    assert b is not None
    batch = Batch.objects.create(benefit=benefit, year=year, name=f"{year}年{b.name}（免申即享）", created_on=on,
                                 created_by=user if getattr(user, "pk", None) else None,
                                 rule={"benefit": b.name, "level": b.level})
    paid = set(Payment.objects.filter(benefit=benefit).values_list("enterprise_id", "basis_key"))
    for e in rows:
        if (e.enterprise_id, e.basis_key) in paid:
            continue
        item = BatchItem.objects.create(batch=batch, enterprise_id=e.enterprise_id, basis_key=e.basis_key,
                                        amount=e.amount, basis=e.basis)
        _ask(item, on)
    return batch


def _ask(item: BatchItem, on: dt.date) -> None:
    from zjtx.apps.outreach import mailer
    from zjtx.apps.outreach.notices import recipients

    n = Notice.objects.create(
        enterprise_id=item.enterprise_id, key=f"benefit:{item.batch_id}:{item.pk}", created_on=on, topic=Topic.BENEFIT,
        policy=item.batch.benefit, subject=f"免申即享：{item.batch.name}，金额{_wan(item.amount)}，请确认领取意愿",
        why={"reason": "按市局已掌握的数据，贵企业符合该事项条件，无需提交申请。", "rule": item.basis.get("rule", ""),
             "document": item.basis.get("document", ""), "figures": item.basis.get("figures", {})},
        how="登录平台，在“政策直达”中确认领取意愿并填写收款账户；市局审批后直接拨付。",
        link=f"/outreach/confirm/{item.pk}/", actionable=True)
    users = recipients(item.enterprise_id)
    if users:
        mailer.deliver(n, users)


ACCOUNT_RE = re.compile(r"^\d{8,32}$")


def confirm(item: BatchItem, user: Any, *, accept: bool, account_name: str = "", bank_name: str = "",
            bank_account: str = "") -> BatchItem:
    """意愿确认: accept (with the bank details) or decline, while the batch is open."""
    if item.batch.status != Batch.Status.OPEN:
        raise ValidationError("该批次已审批，不能再修改确认")
    if accept:
        account = re.sub(r"[\s-]", "", bank_account)
        errors = []
        if not account_name.strip():
            errors.append("收款户名：必填")
        elif account_name.strip() != item.enterprise.name:
            errors.append(f"收款户名：须与企业名称“{item.enterprise.name}”一致（对公账户）")
        if not bank_name.strip():
            errors.append("开户银行：必填")
        if not ACCOUNT_RE.match(account):
            errors.append("银行账号：须为8至32位数字")
        if errors:
            raise ValidationError(errors)
        item.account_name, item.bank_name, item.bank_account = account_name.strip(), bank_name.strip()[:200], account
        item.confirmation = BatchItem.Confirmation.CONFIRMED
    else:
        item.confirmation = BatchItem.Confirmation.DECLINED
    item.confirmed_by, item.confirmed_at = user, timezone.now()
    item.save()
    Notice.objects.filter(enterprise_id=item.enterprise_id, key=f"benefit:{item.batch_id}:{item.pk}").update(
        state="acted", acted_at=timezone.now(), seen_at=timezone.now())
    return item


def approve(batch: Batch, user: Any) -> Batch:
    if batch.status != Batch.Status.OPEN:
        raise ValidationError("该批次已审批")
    if not batch.items.filter(confirmation=BatchItem.Confirmation.CONFIRMED).exists():
        raise ValidationError("尚无企业确认领取，不能审批")
    batch.status, batch.approved_by, batch.approved_at = Batch.Status.APPROVED, user, timezone.now()
    batch.save()
    return batch


def pay(batch: Batch, paid_on: dt.date, user: Any = None) -> list[Payment]:
    """Pay every confirmed item of an approved batch: one ``Payment`` and one ledger line each, in one
    transaction per item. An item already paid for the same basis raises (the database refuses)."""
    from zjtx.apps.cultivation import ledger
    from zjtx.apps.cultivation.models import BenefitEntry

    if batch.status != Batch.Status.APPROVED:
        raise ValidationError("批次须先审批才能兑付")
    out = []
    b = BENEFITS[batch.benefit]
    for item in batch.items.filter(confirmation=BatchItem.Confirmation.CONFIRMED, payment__isnull=True
                                   ).select_related("enterprise"):
        rule = f"{item.basis.get('rule', '')}｜{item.basis.get('document', '')}"[:300]
        try:
            with transaction.atomic():
                p = Payment.objects.create(item=item, enterprise=item.enterprise, benefit=batch.benefit,
                                           basis_key=item.basis_key, amount=item.amount, rule=rule, paid_on=paid_on,
                                           created_by=user if getattr(user, "pk", None) else None)
                entry = ledger.record(BenefitEntry(
                    enterprise=item.enterprise, policy=batch.benefit, policy_name=b.name, level=b.level,
                    year=batch.year, project=f"免申即享 {item.basis_key}", amount=item.amount,
                    kind=BenefitEntry.Kind.PAID, document=str(item.basis.get("document", ""))[:150], paid_on=paid_on,
                    created_by=user if getattr(user, "pk", None) else None))
                p.ledger_entry = entry
                p.save(update_fields=["ledger_entry"])
        except IntegrityError:
            raise ValidationError(f"{item.enterprise.name}：该事项（{item.basis_key}）已兑付过，不得重复兑付") from None
        out.append(p)
    if not batch.items.filter(confirmation=BatchItem.Confirmation.CONFIRMED, payment__isnull=True).exists():
        batch.status = Batch.Status.PAID
        batch.save(update_fields=["status"])
    return out
