"""Seed the investment teams of the letter (驻深圳、上海、北京工作小组) and the no-double-benefit
rules the programmes write under (one 大赛 grant per 参赛项目; one city S&T project grant per project)."""

from django.db import migrations

TEAMS = [("shenzhen", "驻深圳招商小组", "深圳", 10), ("shanghai", "驻上海招商小组", "上海", 20),
         ("beijing", "驻北京招商小组", "北京", 30)]
RULES = [
    ("同一参赛项目不得重复享受创新创业大赛资金补助", ["zs_innovation_contest"]),
    ("同一项目不得重复享受市级重大科技专项和“揭榜挂帅”资助", ["zs_major_sci_tech", "zs_jiebang_guashuai"]),
]


def seed(apps, schema_editor):
    Team = apps.get_model("programs", "InvestmentTeam")
    BenefitRule = apps.get_model("cultivation", "BenefitRule")
    for code, name, city, order in TEAMS:
        Team.objects.get_or_create(code=code, defaults={"name": name, "city": city, "order": order})
    for name, policies in RULES:
        BenefitRule.objects.get_or_create(name=name, defaults={"policies": policies, "same_project": True})


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial"), ("cultivation", "0002_seed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
