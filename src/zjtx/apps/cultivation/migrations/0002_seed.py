"""Seed the configurable lists: the letter's pool categories, service types, a no-double-benefit
rule, the 单项冠军 yearly update deadline, known batch windows and the letter's 2022 target."""

from datetime import date

from django.db import migrations

CATEGORIES = [
    ("advanced_manufacturing", "先进制造业中小微企业", "", "2022年摸查调研：275家", 10),
    ("little_giant_pool", "小巨人培育企业", "little_giant", "2022年摸查调研：80多家", 20),
    ("single_champion_pool", "单项冠军申报培育企业", "single_champion", "2022年摸查调研：62家", 30),
    ("tech_sme_pool", "科技型中小企业培育", "tech_sme", "育苗计划", 40),
]
SERVICE_TYPES = [("policy", "政策咨询", 10), ("financing", "融资对接", 20), ("tech_transfer", "技术转移", 30)]


def seed(apps, schema_editor):
    PoolCategory = apps.get_model("cultivation", "PoolCategory")
    ServiceType = apps.get_model("cultivation", "ServiceType")
    BenefitRule = apps.get_model("cultivation", "BenefitRule")
    UpdateDeadline = apps.get_model("cultivation", "UpdateDeadline")
    BatchWindow = apps.get_model("cultivation", "BatchWindow")
    Target = apps.get_model("cultivation", "Target")
    for code, name, tier, desc, order in CATEGORIES:
        PoolCategory.objects.get_or_create(code=code, defaults={"name": name, "tier": tier, "description": desc,
                                                                "order": order})
    for code, name, order in SERVICE_TYPES:
        ServiceType.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    BenefitRule.objects.get_or_create(
        name="同一项目不得重复享受市级和省级小巨人奖补",
        defaults={"policies": ["zs_little_giant_award", "gd_little_giant_award"], "same_project": True})
    UpdateDeadline.objects.get_or_create(title_kind="single_champion",
                                         defaults={"month": 5, "day": 31, "note": "单项冠军每年5月31日前更新信息"})
    BatchWindow.objects.get_or_create(tier="little_giant", name="第八批", defaults={
        "opens_on": date(2026, 4, 25), "closes_on": date(2026, 5, 25), "note": "网上申报；纸质材料6月30日前（二手来源）"})
    BatchWindow.objects.get_or_create(tier="specialized_sme", name="2025年度", defaults={
        "opens_on": date(2025, 7, 1), "closes_on": date(2025, 9, 25), "note": "省级专精特新（二手来源）"})
    Target.objects.get_or_create(year=2022, tier="tech_sme", division=None, defaults={
        "target": 2800, "source": "中工信函〔2022〕59号：力争今年科技型中小企业数量超2800家"})


class Migration(migrations.Migration):
    dependencies = [("cultivation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
