"""The header: each role sees the tools of its work, the page it is on marked."""

from __future__ import annotations

import re

import pytest
from webtest_helpers import XIAOLAN, uscc

from zjtx.apps.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def nav(client, path: str) -> list[tuple[str, bool]]:
    html = client.get(path).content.decode()
    block = re.search(r"<nav>(.*?)</nav>", html, re.S).group(1)
    return [(label, "active" in attrs) for attrs, label in re.findall(r"<a([^>]*)>([^<]+)</a>", block)]


def test_staff_see_the_city_tools_and_where_they_are(client, make_user) -> None:
    client.force_login(make_user("staff", "city_staff"))
    items = nav(client, "/evaluations/dashboard/")
    labels = [label for label, _ in items]
    for label in ("企业库", "仪表盘", "评价", "统计简报", "培育库", "政策直达", "后台任务", "接口文档"):
        assert label in labels
    assert [label for label, active in items if active] == ["仪表盘"]
    assert [label for label, active in nav(client, "/evaluations/results/") if active] == ["评价"]
    assert [label for label, active in nav(client, "/cultivation/") if active] == ["培育库"]


def test_enterprise_user_sees_its_own_work_only(client, make_user) -> None:
    firm = Enterprise.objects.create(uscc=uscc(1), name="甲公司", division_id=XIAOLAN)
    client.force_login(make_user("firm", "enterprise_user", enterprise=firm))
    assert client.get("/").url == f"/enterprises/{firm.uscc}/"  # lands on its own record
    items = nav(client, f"/enterprises/{firm.uscc}/")
    labels = [label for label, _ in items]
    assert labels[0] == "本企业" and ("本企业", True) in items
    html = client.get(f"/enterprises/{firm.uscc}/").content.decode()
    assert f'<a href="/enterprises/{firm.uscc}/" class="active"' in html
    for label in ("年度数据", "荣誉资质", "自评", "政策直达", "后台任务"):
        assert label in labels
    for label in ("仪表盘", "评价", "统计简报", "接口文档", "导入", "审计日志"):
        assert label not in labels
