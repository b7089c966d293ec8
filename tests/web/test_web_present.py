"""The internal-code check: what a city admin, a town officer and an enterprise user see of a demo city —
the main pages, the PDF report's text, the briefing and the exports — shows no engine code (snake_case
field ids, regime ids like ``@2022-63``, None, nan, scientific notation, parameter tags), and the
presentation layer turns the engine's words into the user's."""

from __future__ import annotations

import datetime as dt

import pytest
from present_scan import context, scan, visible_text

from zjtx.web import present

TODAY = dt.date(2026, 12, 2)


# ------------------------------------------------------------------ the presentation layer itself

@pytest.mark.parametrize(("engine", "user"), [
    ("研发机构级别 ∈ {national, provincial}", "研发机构级别 为国家级、省级之一"),
    ("计分档：ip1_high_value ≥ 1", "计分档：Ⅰ类高价值知识产权数 ≥ 1"),
    ("(评价方式 mode = review) 或 (x)", "(评价方式为复核) 或 (x)"),
    ("以职工总数（employees_y1）代替（DERIVED）", "以职工总数（职工总数（上年度））代替（推定）"),
    ("需达到 1.071e+05万元", "需达到 10.71亿元"),
    ("可指定规则版本 innovative_sme@2022-63", "可指定规则版本 工信部企业〔2022〕63号"),
    ("None分", "未知分"),
    ("(a + b + c) × 0.333333 ≥ 4亿元", "(a + b + c) ÷ 3 ≥ 4亿元"),
    ("减税效果另见 tax_effect；投入估计见 effort.yaml", "减税效果另见 减税效果；投入估计见 本平台规划假设"),
    ("参数（MEMORY）与（OPEN）", "参数（待核实）与（待定）"),
])
def test_humanize_engine_sentences(engine: str, user: str) -> None:
    assert present.humanize(engine) == user
    assert present.leaks(present.humanize(engine)) == []


def test_labels_numbers_and_dates() -> None:
    assert present.policy_label("little_giant").startswith("专精特新")
    assert present.regime_label("innovative_sme@2022-63") == "工信部企业〔2022〕63号"
    assert present.regime_label("sme_size@2011-300") == "工信部联企业〔2011〕300号"
    assert [present.tag_label(t) for t in ("CONFIRMED", "DERIVED", "MEMORY", "OPEN")] == \
        ["已核实", "推定", "待核实", "待定"]
    assert present.choice_label("key_link", "product_field") == "补短板/锻长板/填空白取得实效"
    assert present.choice_label("provincial") == "省级"
    res = {"trace": [{"id": "D2", "label": "拥有有效期内高新技术企业证书"}]}
    assert present.route_label("direct:D2", res) == "直通：拥有有效期内高新技术企业证书"
    assert present.route_label("score") == "评分达标"
    assert present.money(1.0712e9) == "10.71亿元" and present.money(53316) == "5.33万元"
    assert present.money(1_380_930) == "138.09万元" and present.money(250) == "250元"
    assert present.ratio(0.1173) == "11.7%" and present.count(265.0) == "265"
    assert present.cn_date(dt.date(2026, 6, 30)) == "2026年6月30日" and present.iso_date(dt.date(2026, 6, 30)) == \
        "2026-06-30"
    assert present.number(float("nan")) == "—" and present.value("revenue_y1", None) == "未知"
    assert present.value("rd_institution", "below_city") == "市级以下"
    assert present.cell(True) == "是" and present.cell(265.0) == 265 and present.cell(float("nan")) == ""


def test_the_check_catches_what_it_must() -> None:
    """A check that cannot fail is a defect: each pattern of the issue is caught."""
    for leak in ("sme_size@2011-300", "途径 direct:D2 high_tech", "ip1_high_value ≥ 1", "None分", "nan",
                 "1.071e+05万元", "（DERIVED）", "MEMORY", "评价结果 not_qualified"):
        assert present.leaks(leak), leak
    for clean in ("工信部企业〔2022〕63号", "2026年6月30日", "2026-06-30", "10.71亿元", "11.7%", "国科发火〔2016〕32号"):
        assert present.leaks(clean) == [], clean
    html = '<p>达标</p><details class="tech"><summary>技术细节</summary><code>sme_size@2011-300</code></details>'
    assert present.leaks(visible_text(html)) == []  # the analysts' toggle is allowed its codes


# ------------------------------------------------------------------ the demo city through three roles

@pytest.fixture(scope="module")
def _city_data(django_db_setup, django_db_blocker, demo_city):
    """The demo city loaded and evaluated once for the module, inside a transaction rolled back at the
    module's end; each test runs in its own savepoint within it (pytest-django's ``db``), so what a test
    writes is gone before the next one."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from zjtx.apps.accounts.models import Profile
    from zjtx.apps.enterprises.demo_load import load_demo
    from zjtx.apps.enterprises.models import Enterprise
    from zjtx.apps.evaluations import services

    def make_user(username: str, role: str, division: str | None = None, enterprise=None):
        user = get_user_model().objects.create_user(username, password=None)
        Profile.objects.create(user=user, role=role, division_id=division, enterprise=enterprise)
        return user

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo(demo_city(seed=5, scale=200, today=TODAY))
            admin = make_user("cityadmin", "city_admin")
            ent = Enterprise.objects.filter(titles__title="high_tech").select_related("division").first()
            other = Enterprise.objects.filter(division=ent.division).exclude(pk=ent.pk).first()
            town = make_user("townofficer", "town_officer", division=ent.division_id)
            owner = make_user("enterpriseuser", "enterprise_user", enterprise=ent)
            services.execute_run(services.create_run(admin, TODAY, name="检查批次").pk)
            yield {"admin": admin.pk, "town": town.pk, "owner": owner.pk, "ent": ent.pk, "other": other.pk}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def city(_city_data, db):
    """The module's city, read afresh for each test (users and enterprises as the database has them)."""
    from django.contrib.auth import get_user_model

    from zjtx.apps.enterprises.models import Enterprise

    users = get_user_model().objects
    enterprises = Enterprise.objects.select_related("division")
    return {"admin": users.get(pk=_city_data["admin"]), "town": users.get(pk=_city_data["town"]),
            "owner": users.get(pk=_city_data["owner"]), "ent": enterprises.get(pk=_city_data["ent"]),
            "other": enterprises.get(pk=_city_data["other"])}


def _urls(ent, other, year: int) -> list[str]:
    e, o = ent.uscc, other.uscc
    return [
        "/enterprises/", f"/enterprises/{e}/", f"/enterprises/{o}/", "/annual/", "/titles/",
        "/evaluations/dashboard/", "/evaluations/results/", f"/evaluations/enterprise/{e}/",
        f"/evaluations/enterprise/{o}/", f"/evaluations/enterprise/{e}/report.pdf",
        f"/evaluations/briefing/?year={year}", "/evaluations/self-assessment/",
        f"/evaluations/self-assessment/?on={TODAY}&tiers=tech_sme&tiers=innovative_sme&tiers=high_tech&uscc={e}",
        "/enterprises.csv", "/enterprises.xlsx", "/annual.csv", "/annual.xlsx", "/titles.xlsx",
        "/evaluations/results.csv", "/evaluations/results.xlsx", "/cultivation/ledger/", "/cultivation/ledger.csv",
        "/cultivation/", f"/cultivation/enterprises/{e}/", f"/programs/briefing/?year={year}",
    ]


@pytest.mark.parametrize("who", ["admin", "town", "owner"])
def test_no_internal_codes_on_pages_pdf_briefing_and_exports(client, city, who) -> None:
    client.force_login(city[who])
    ent, other = city["ent"], city["other"] if who != "owner" else city["ent"]
    problems, seen = [], 0
    for url in _urls(ent, other, TODAY.year - 1):
        status, found, text = scan(client, url)
        assert status == 200, (who, url, status)
        seen += len(text)
        problems += [f"{url}: {f} … {context(text, f, 40)}" for f in found]
    assert seen > 50_000  # the pages really rendered their content
    assert problems == [], "\n".join(problems)


def test_self_assessment_result_speaks_the_users_language(client, city) -> None:
    client.force_login(city["owner"])
    form = {"on": str(TODAY), "tiers": ["innovative_sme", "high_tech", "specialized_sme"], "action": "evaluate",
            "revenue_y1": "1380.93", "employees_y1": "28", "rd_expense_y1": "99.9", "ip1": "2",
            "abnormal_or_dishonest": "0", "major_incident_3y": "0", "restricted_industry": "0"}
    resp = client.post("/evaluations/self-assessment/", form)
    assert resp.status_code == 200
    text = visible_text(resp.content.decode())
    assert "评价结果" in text and "差距分析" in text and "可享受的政策与金额" in text
    assert "补充后即可判断" in text or "达到该要求后本项即达标" in text  # what would change the result
    assert present.leaks(text) == [], [context(text, f) for f in present.leaks(text)]
