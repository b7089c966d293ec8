"""一企一策 items close when new data close the gap; the ledger refuses a double benefit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from cultivation_helpers import ON, four_tech
from django.core.exceptions import ValidationError

from zjtx.apps.cultivation import ledger
from zjtx.apps.cultivation.models import BenefitEntry, BenefitRule, Plan, PlanItem
from zjtx.apps.cultivation.plans import create_plan
from zjtx.apps.enterprises.models import AnnualReport, Title

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_plan_items_close_when_new_annual_data_close_the_gap(enterprise, users) -> None:
    ent = enterprise(1, **four_tech(20, ip_hv=3))      # 40% tech staff, 3 high-value IP: two gaps
    for year in (2025, 2026):                          # 入库 each year (the "四科" standard needs it)
        Title.objects.create(enterprise=ent, title="tech_sme", granted_on=date(year, 3, 1),
                             expires_on=date(year, 12, 31))
    plan = create_plan(ent, "zs_four_tech", users["xiaolan"], on=ON)
    items = {i.key: i for i in plan.items.all()}
    # the gap solver's cheapest option: more high-value IP and more 科技人员 (side effects not items)
    assert set(items) == {"tech_staff_y1", "ip1_high_value"} and plan.evaluation_status == "not_qualified"
    assert all(i.status == PlanItem.Status.OPEN for i in items.values())
    assert items["tech_staff_y1"].title.startswith("科技人员：20 → ") and "推荐方案" in items["tech_staff_y1"].detail

    # new annual data (2025): tech staff above 60% → the staff gap closes itself (post_save signal)
    AnnualReport.objects.create(enterprise=ent, year=2025, **four_tech(40, ip_hv=3))
    items = {i.key: i for i in plan.items.all()}
    assert items["tech_staff_y1"].status == PlanItem.Status.AUTO_CLOSED and "差距已消除" in items["tech_staff_y1"].closed_reason
    assert items["tech_staff_y1"].closed_at is not None
    assert items["ip1_high_value"].status == PlanItem.Status.OPEN
    plan.refresh_from_db()
    assert plan.on == date(2026, 6, 30) and plan.status == Plan.Status.OPEN

    # corrected 2025 report: six high-value IP → qualified, every item closed, plan achieved
    report = AnnualReport.objects.get(enterprise=ent, year=2025)
    report.ip1_high_value = 6
    report.save()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACHIEVED and plan.evaluation_status == "qualified"
    assert not plan.items.filter(status__in=("open", "in_progress")).exists()


def test_manual_items_are_not_reopened(enterprise, users) -> None:
    ent = enterprise(1, **four_tech(20, ip_hv=3))
    plan = create_plan(ent, "zs_four_tech", users["staff"], on=ON)
    item = plan.items.first()
    item.status = PlanItem.Status.DONE
    item.save()
    AnnualReport.objects.filter(enterprise=ent).update(tech_staff=20)
    AnnualReport.objects.get(enterprise=ent).save()
    item.refresh_from_db()
    assert item.status == PlanItem.Status.DONE


def test_ledger_refuses_double_benefit_with_clear_message(enterprise, users) -> None:
    ent = enterprise(1)
    rule = BenefitRule.objects.get(name="同一项目不得重复享受市级和省级小巨人奖补")  # seeded
    city = ledger.record(BenefitEntry(enterprise=ent, policy="zs_little_giant_award", policy_name="", level="city",
                                      year=2024, project="高精度光电编码器产业化", amount=Decimal("1000000"),
                                      document="中工信〔2024〕88号", created_by=users["staff"]))
    assert city.policy_name == "中山市专精特新“小巨人”企业奖补"
    province = BenefitEntry(enterprise=ent, policy="gd_little_giant_award", policy_name="广东省专精特新“小巨人”企业奖补",
                            level="provincial", year=2025, project="高精度光电编码器产业化", amount=Decimal("500000"))
    with pytest.raises(ValidationError) as err:
        ledger.record(province)
    message = err.value.messages[0]
    assert message == (f"违反“{rule.name}”：该企业已有台账记录 #{city.pk}（2024年 中山市专精特新“小巨人”企业奖补，"
                       "项目“高精度光电编码器产业化”，100.00万元，已批复，中工信〔2024〕88号），不得重复享受。")
    assert BenefitEntry.objects.count() == 1
    # another project is allowed; the rule can be switched off
    province.project = "新一代伺服驱动器"
    ledger.record(province)
    rule.active = False
    rule.save()
    ledger.record(BenefitEntry(enterprise=ent, policy="gd_little_giant_award", policy_name="省奖补", level="provincial",
                               year=2025, project="高精度光电编码器产业化", amount=Decimal("1")))
    assert BenefitEntry.objects.count() == 3
    assert ledger.realised_total(BenefitEntry.objects.all()) == Decimal("1500001")


def test_plan_items_for_missing_data(enterprise, users) -> None:
    ent = enterprise(1, **four_tech(40))
    plan = create_plan(ent, "innovative_sme", users["staff"], on=ON)
    assert plan.evaluation_status == "unknown"
    titles = list(plan.items.values_list("title", flat=True))
    assert "补充数据：当年新增股权融资（上年度）" in titles  # missing data become items, in Chinese


def test_estimate_from_policy_match(enterprise, users) -> None:
    ent = enterprise(1, **four_tech(40))
    stored, refused = ledger.estimate(ent, ON, users["staff"])
    assert not refused and [(b.policy, b.kind, b.year) for b in stored] == [("rd_super_deduction", "estimated", 2024)]
    assert stored[0].amount == Decimal("1600000.00") and stored[0].level == "national"
    again, _ = ledger.estimate(ent, ON, users["staff"])
    assert BenefitEntry.objects.count() == 1 and again[0].pk == stored[0].pk  # replaced, not duplicated
    assert ledger.realised_total(BenefitEntry.objects.all()) == 0             # estimates are not 兑现
