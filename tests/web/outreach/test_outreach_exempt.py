"""免申即享: eligibility by the rules, 意愿确认 with bank details, approval, payment into the ledger;
no double payment (database constraint); every amount traced to its rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zjtx.apps.outreach import exempt
from zjtx.apps.outreach.models import Batch, BatchItem, Notice, Payment

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
TODAY = dt.date(2025, 12, 1)


@pytest.fixture
def giants(registry):
    from zjtx.apps.enterprises.models import Title

    a, d = registry["A"], registry["D"]
    Title.objects.create(enterprise=a, title="little_giant", granted_on=dt.date(2025, 7, 1), batch="第七批",
                         document="工信厅企业函〔2025〕1号")
    # D was designated in 2022 and re-designated after 复核 in 2025: not a new designation
    Title.objects.create(enterprise=d, title="little_giant", granted_on=dt.date(2022, 8, 1), expires_on=dt.date(2025, 7, 31))
    Title.objects.create(enterprise=d, title="little_giant", granted_on=dt.date(2025, 8, 1))
    return registry


def _accept(item: BatchItem, user) -> BatchItem:
    return exempt.confirm(item, user, accept=True, account_name=item.enterprise.name, bank_name="中国工商银行中山分行",
                          bank_account="6222 0200 1234 5678 901")


def test_little_giant_batch_from_eligibility_to_ledger_without_double_payment(giants, users) -> None:
    from zjtx.apps.cultivation.models import BenefitEntry

    a = giants["A"]
    batch = exempt.create_batch("zs_little_giant_award", 2025, TODAY, users["staff"])
    items = list(batch.items.all())
    assert [i.enterprise for i in items] == [a]  # D's 2025 grant is a re-designation
    item = items[0]
    assert item.amount == Decimal("500000") and item.basis_key == f"little_giant:{a.pk}:first"
    assert item.basis["document"].startswith("中山市工业和信息化局") and item.basis["tag"] == "OPEN"
    assert item.basis["provisional"] and item.basis["figures"]["认定日期"] == "2025-07-01"
    ask = Notice.objects.get(enterprise=a, topic="benefit")
    assert ask.link == f"/outreach/confirm/{item.pk}/" and ask.actionable and "50.00万元" in ask.subject
    with pytest.raises(ValidationError):
        exempt.approve(batch, users["staff"])  # nobody confirmed yet
    with pytest.raises(ValidationError) as bad:
        exempt.confirm(item, users["a"], accept=True, account_name="别的公司", bank_name="", bank_account="12ab")
    assert "收款户名：须与企业名称" in str(bad.value) and "银行账号：须为8至32位数字" in str(bad.value)
    item.refresh_from_db()
    assert item.confirmation == "pending" and item.bank_account == ""  # nothing half-written
    _accept(item, users["a"])
    item.refresh_from_db()
    assert item.confirmation == "confirmed" and item.bank_account == "6222020012345678901"
    assert item.masked_account == "6222****8901"
    with pytest.raises(ValidationError):
        exempt.pay(batch, TODAY, users["staff"])  # not approved yet
    exempt.approve(batch, users["staff"])
    paid = exempt.pay(batch, TODAY, users["staff"])
    assert len(paid) == 1
    p = paid[0]
    assert p.amount == Decimal("500000") and p.basis_key == item.basis_key and "中山市工业和信息化局" in p.rule
    entry = BenefitEntry.objects.get(pk=p.ledger_entry_id)
    assert (entry.kind, entry.amount, entry.year, entry.enterprise) == ("paid", Decimal("500000"), 2025, a)
    assert entry.policy == "zs_little_giant_award" and entry.paid_on == TODAY
    batch.refresh_from_db()
    assert batch.status == "paid"
    # paying again pays nothing; the database refuses a second payment for the same designation
    with pytest.raises(ValidationError):
        exempt.pay(batch, TODAY, users["staff"])
    with pytest.raises(IntegrityError), transaction.atomic():
        other = Batch.objects.create(benefit="zs_little_giant_award", year=2026, name="另一批", created_on=TODAY)
        again = BatchItem.objects.create(batch=other, enterprise=a, basis_key=item.basis_key, amount=item.amount)
        Payment.objects.create(item=again, enterprise=a, benefit="zs_little_giant_award", basis_key=item.basis_key,
                               amount=item.amount, rule="x", paid_on=TODAY)
    assert Payment.objects.count() == 1 and BenefitEntry.objects.filter(enterprise=a).count() == 1
    # the same batch cannot be generated twice, and a later year does not list A again
    with pytest.raises(ValidationError):
        exempt.create_batch("zs_little_giant_award", 2025, TODAY)


def test_a_paid_designation_is_not_listed_again(giants, users) -> None:
    from zjtx.apps.enterprises.models import Title

    batch = exempt.create_batch("zs_little_giant_award", 2025, TODAY, users["staff"])
    _accept(batch.items.get(), users["a"])
    exempt.approve(batch, users["staff"])
    exempt.pay(batch, TODAY, users["staff"])
    # a data error re-enters A's designation in 2026: still the same basis, never paid twice
    Title.objects.filter(enterprise=giants["A"], title="little_giant").update(granted_on=dt.date(2026, 1, 5))
    later = exempt.create_batch("zs_little_giant_award", 2026, dt.date(2026, 12, 1), users["staff"])
    assert later.items.count() == 0


def test_innovation_benchmark_amount_follows_the_catalog_rule(registry, users) -> None:
    from zjtx.apps.enterprises.models import Title

    Title.objects.create(enterprise=registry["A"], title="innovation_benchmark", granted_on=dt.date(2025, 5, 1))
    batch = exempt.create_batch("zs_innovation_benchmark", 2025, TODAY, users["staff"])
    item = batch.items.get()
    # 6% (zs_innovation_benchmark.support_ratio) of the 2024 加计扣除额: 150万 × 100% → 9万
    assert item.amount == Decimal("90000")
    assert item.basis["document"] == "中山市工业和信息化局 中工信函〔2022〕59号 三(一)"
    assert item.basis["figures"]["支持比例"] == "6%" and item.basis["figures"]["支持金额"] == "9.00万元"
    assert item.basis_key == "innovation_benchmark:2025"


def test_batch_pages_and_roles(client, giants, users) -> None:
    client.force_login(users["xiaolan"])
    assert client.post("/outreach/batches/", {"benefit": "zs_little_giant_award", "year": "2025"}).status_code == 403
    client.force_login(users["staff"])
    resp = client.post("/outreach/batches/", {"benefit": "zs_little_giant_award", "year": "2025"}, follow=True)
    page = resp.content.decode()
    assert "已生成" in page and giants["A"].name in page and "含待核实参数" in page
    bad = client.post("/outreach/batches/", {"benefit": "nonexistent", "year": "2025"}, follow=True)
    assert "未知的免申即享事项" in bad.content.decode()
    item = BatchItem.objects.get()
    # the enterprise confirms in the portal; another enterprise's user cannot reach the item
    client.force_login(users["b"])
    assert client.get(f"/outreach/confirm/{item.pk}/").status_code == 404
    client.force_login(users["a"])
    resp = client.post(f"/outreach/confirm/{item.pk}/", {"decision": "accept", "account_name": item.enterprise.name,
                                                          "bank_name": "中国银行", "bank_account": "12"})
    assert "银行账号：须为8至32位数字" in resp.content.decode()
    client.post(f"/outreach/confirm/{item.pk}/", {"decision": "accept", "account_name": item.enterprise.name,
                                                   "bank_name": "中国银行", "bank_account": "6216611234567890"})
    item.refresh_from_db()
    assert item.confirmation == "confirmed"
    client.force_login(users["xiaolan"])
    assert client.post(f"/outreach/batches/{item.batch_id}/approve/").status_code == 403
    client.force_login(users["staff"])
    client.post(f"/outreach/batches/{item.batch_id}/approve/")
    page = client.post(f"/outreach/batches/{item.batch_id}/pay/", follow=True).content.decode()
    assert "已兑付 1 家" in page and "6216****7890" in page and "6216611234567890" not in page
