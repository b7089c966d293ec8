"""Programme pages, exports and JSON API: scope per role, Chinese screens without raw codes, refusals
as messages or 403/404, the import through the upload page, the dashboard panel."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook
from programs_helpers import ROLES, TODAY, actors_fixture, application, enterprise_fixture, project  # noqa: F401 (fixtures)
from webtest_helpers import GUZHEN, XIAOLAN, uscc

from zjtx.apps.programs.models import (
    Award,
    Carrier,
    Contest,
    InvestmentTarget,
    InvestmentTeam,
    Platform,
    Project,
    PublicityEvent,
    Reach,
    TargetList,
    Tenancy,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

LISTS = ["/programs/projects/", "/programs/targets/", "/programs/funnel/", "/programs/carriers/",
         "/programs/graduates/", "/programs/platforms/", "/programs/publicity/", "/programs/coverage/",
         "/programs/awards/"]
RAW = re.compile(r">\s*(None|jiebang|major|draft|posted|reviewing|contracted|listed|targeted|national|provincial|"
                 r"maker_space|incubator|held|planned|applying|certified|resident|graduated|granted|paid|fill|"
                 r"extend|strengthen|innovation_contest|True|False)\s*<")


@pytest.fixture
def data(actors):
    xl, gz = actors["xl"], actors["gz"]
    p = project("posted", title="小榄联动榜")
    application(p, xl)
    project("draft", division=GUZHEN, title="古镇草稿榜")
    tl = TargetList.objects.create(name="测试名单", listed_on=date(2024, 1, 1))
    team = InvestmentTeam.objects.get(code="shenzhen")
    for i, town in enumerate((XIAOLAN, GUZHEN)):
        InvestmentTarget.objects.create(target_list=tl, uscc=uscc(600 + i, region="440300"), name=f"深圳目标{i}",
                                        team=team, town_id=town, industry="C3562", fit="fill", fit_score=60,
                                        fit_reasons=["补链：测试"], evaluation={"little_giant": {"status": "unknown",
                                                                                             "missing": ["zjtx_dev_score"]}})
    c = Carrier.objects.create(name="小榄测试众创空间", kind="maker_space", division_id=XIAOLAN, level="city",
                               certified_on=date(2021, 9, 1))
    Tenancy.objects.create(carrier=c, enterprise=xl, entered_on=date(2020, 1, 1), status="graduated",
                           graduated_on=date(2022, 1, 1))
    Platform.objects.create(name="测试研究院", kind="research_institute", partner="某大学", established_on=date(2021, 4, 1),
                            open_shared_lab=True)
    for town, ent in ((XIAOLAN, xl), (GUZHEN, gz)):
        e = PublicityEvent.objects.create(title="宣讲", division_id=town, planned_on=date(2022, 3, 1),
                                          held_on=date(2022, 3, 1), status="held", policies=["specialized_sme"])
        Reach.objects.create(event=e, enterprise=ent)
    ct = Contest.objects.create(name="测试大赛", series="innovation_contest", year=2021, level="city",
                                benefits=[{"prize": "一等奖", "grant": 300000, "credit": 5000000}])
    Award.objects.create(contest=ct, enterprise=xl, project="项目甲", prize="一等奖", rank=1, awarded_on=date(2021, 9, 28))
    Award.objects.create(contest=ct, enterprise=gz, project="项目乙", prize="一等奖", rank=2, awarded_on=date(2021, 9, 28))
    return actors


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("who", ROLES)
def test_list_pages_by_role(data, who) -> None:
    c = client(data["users"][who])
    for url in LISTS:
        r = c.get(url)
        if who == "norole":
            assert r.status_code == 403, url
            continue
        assert r.status_code == 200, url
        body = r.content.decode()
        assert not RAW.findall(body), (url, RAW.findall(body))
    assert Client().get(LISTS[0]).status_code == 302  # anonymous → login


def _json(c: Client, url: str) -> dict:
    r = c.get(url + ("&" if "?" in url else "?") + "format=json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    return json.loads(r.content)


def test_exports_follow_scope_and_filters(data) -> None:
    u = data["users"]
    admin, xiaolan, ent = client(u["admin"]), client(u["xiaolan"]), client(u["ent"])
    assert _json(admin, "/programs/projects/")["count"] == 2
    assert [r["title"] for r in _json(xiaolan, "/programs/projects/")["rows"]] == ["小榄联动榜"]
    assert _json(admin, "/programs/targets/")["count"] == 2 and _json(xiaolan, "/programs/targets/")["count"] == 1
    assert _json(ent, "/programs/targets/")["count"] == 0
    assert _json(admin, "/programs/awards/")["count"] == 2 and _json(ent, "/programs/awards/")["count"] == 1
    assert _json(admin, "/programs/publicity/")["count"] == 2 and _json(xiaolan, "/programs/publicity/")["count"] == 1
    assert _json(admin, "/programs/projects/?kind=major")["count"] == 0
    r = admin.get("/programs/projects.csv")
    assert r["Content-Type"].startswith("text/csv") and r.content.decode("utf-8-sig").startswith("项目编号,类别,项目名称")
    assert "揭榜挂帅" in r.content.decode("utf-8-sig") and "jiebang" not in r.content.decode("utf-8-sig")
    wb = load_workbook(io.BytesIO(admin.get("/programs/targets.xlsx").content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("统一社会信用代码", "企业名称", "所在地市") and len(rows) == 3
    cov = admin.get("/programs/coverage/?year=2022&as_of=2022-12-31").content.decode()
    assert "已完成 2 / 23 个镇街" in cov
    funnel = _json(admin, "/programs/funnel/")
    assert funnel["rows"][0]["team"] == "驻深圳招商小组" and funnel["rows"][0]["listed"] == 2


def test_detail_pages_show_chinese_labels_and_actions(data) -> None:
    u = data["users"]
    p = Project.objects.get(title="小榄联动榜")
    body = client(u["staff"]).get(f"/programs/projects/{p.pk}/").content.decode()
    assert "张榜征集中" in body and "截止征集，进入评审" in body and not RAW.findall(body)
    body = client(u["guzhen"]).get(f"/programs/projects/{p.pk}/").content.decode()
    assert "截止征集" not in body and "我要揭榜" in body  # a public call: others may apply for their enterprises
    assert client(u["guzhen"]).get(f"/programs/projects/{Project.objects.get(title='古镇草稿榜').pk}/").status_code == 200
    assert client(u["xiaolan"]).get(f"/programs/projects/{Project.objects.get(title='古镇草稿榜').pk}/").status_code == 404
    t = InvestmentTarget.objects.get(town_id=GUZHEN)
    assert client(u["xiaolan"]).get(f"/programs/targets/{t.pk}/").status_code == 404
    body = client(u["guzhen"]).get(f"/programs/targets/{t.pk}/").content.decode()
    assert "补链：测试" in body and "专精特新发展评价得分" in body and "zjtx_dev_score" not in body
    for url in (f"/programs/carriers/{Carrier.objects.get().pk}/", f"/programs/platforms/{Platform.objects.get().pk}/",
                f"/programs/awards/{Award.objects.get(project='项目甲').pk}/", "/programs/",
                "/programs/briefing/?year=2021", "/evaluations/dashboard/"):
        r = client(u["admin"]).get(url)
        assert r.status_code == 200, url
        assert not RAW.findall(r.content.decode()), (url, RAW.findall(r.content.decode()))
    assert 'id="programs-panel"' in client(u["admin"]).get("/evaluations/dashboard/").content.decode()


def test_page_actions_refuse_with_messages_or_403(data) -> None:
    u = data["users"]
    p = Project.objects.get(title="小榄联动榜")
    r = client(u["guzhen"]).post(f"/programs/projects/{p.pk}/transition/", {"action": "close_call"})
    assert r.status_code == 403
    d = project("draft", posting_closes=None)
    c = client(u["staff"])
    r = c.post(f"/programs/projects/{d.pk}/transition/", {"action": "post"}, follow=True)
    assert "发榜前须填写张榜截止日期" in r.content.decode()
    r = c.post(f"/programs/projects/{d.pk}/transition/",
               {"action": "post", "posting_closes": (TODAY + timedelta(days=30)).isoformat()}, follow=True)
    assert "已发榜（公开张榜征集），当前状态：张榜征集中" in r.content.decode()
    r = c.post(f"/programs/projects/{p.pk}/transition/", {"action": "nonsense"}, follow=True)
    assert "未知操作：nonsense" in r.content.decode()
    r = client(u["ent2"]).post(f"/programs/projects/{p.pk}/apply/", {"applicant_kind": "enterprise",
                                                                     "proposal": "方案", "requested_amount_wan": "-1"},
                               follow=True)
    assert "揭榜申请填写有误" in r.content.decode()
    r = client(u["ent2"]).post(f"/programs/projects/{p.pk}/apply/", {"applicant_kind": "enterprise", "proposal": "方案",
                                                                     "requested_amount_wan": "80"}, follow=True)
    assert "已提交揭榜申请" in r.content.decode()
    assert p.applications.get(enterprise=data["xl2"]).requested_amount == 800000
    r = client(u["auditor"]).post(f"/programs/projects/{p.pk}/transition/", {"action": "close_call"})
    assert r.status_code == 403


def test_target_import_through_the_upload_page(data) -> None:
    from test_targets import book, firm

    c = client(data["users"]["staff"])
    bad = io.BytesIO(book([firm(1), firm(2, revenue_y1="很多")]))
    bad.name = "名单.xlsx"
    r = c.post("/programs/targets/import/", {"file": bad, "list_name": "上传名单", "kind": "little_giant",
                                             "listed_on": "2025-03-01"}, follow=True)
    body = r.content.decode()
    assert "招商名单 第4行 营业收入（上年度）：不是数字" in body and 'id="confirm-import"' not in body
    good = io.BytesIO(book([firm(1), firm(2)]))
    good.name = "名单.xlsx"
    r = c.post("/programs/targets/import/", {"file": good, "list_name": "上传名单", "kind": "little_giant",
                                             "listed_on": "2025-03-01", "team": "shenzhen"}, follow=True)
    assert 'id="confirm-import"' in r.content.decode()
    job_url = r.redirect_chain[-1][0]
    r = c.post(job_url, follow=True)
    assert "已导入“上传名单”：2家企业" in r.content.decode()
    assert TargetList.objects.get(name="上传名单").targets.filter(team__code="shenzhen").count() == 2
    assert client(data["users"]["xiaolan"]).get("/programs/targets/import/").status_code == 403
    assert c.get("/programs/targets/import/template.xlsx").status_code == 200
    assert len(load_workbook(io.BytesIO(c.get("/programs/targets/import/sample.xlsx").content)).active["A"]) == 301


def test_api_scope_transitions_and_errors(data) -> None:
    u = data["users"]
    admin, staff, xiaolan, guzhen = (client(u[k]) for k in ("admin", "staff", "xiaolan", "guzhen"))
    assert admin.get("/api/programs/projects").json()["count"] == 2
    assert [p["title"] for p in xiaolan.get("/api/programs/projects").json()["items"]] == ["小榄联动榜"]
    assert client(u["norole"]).get("/api/programs/projects").status_code == 403
    assert admin.get("/api/programs/projects?limit=0").status_code == 422
    p = Project.objects.get(title="小榄联动榜")
    detail = staff.get(f"/api/programs/projects/{p.pk}").json()
    assert detail["actions"] == ["close_call", "cancel"] and len(detail["applications"]) == 1
    url = f"/api/programs/projects/{p.pk}/transitions"
    assert guzhen.post(url, {"action": "close_call"}, content_type="application/json").status_code == 403
    r = staff.post(url, {"action": "select", "reason": "x"}, content_type="application/json")
    assert r.status_code == 409 and "不能执行“确定揭榜方”" in r.json()["detail"]
    r = staff.post(url, {"action": "close_call"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["to"] == "reviewing" and r.json()["to_label"] == "评审中"
    app = p.applications.get()
    r = staff.post(url, {"action": "select", "reason": "评审第一", "data": {"application": app.pk}},
                   content_type="application/json")
    assert r.json()["to"] == "selected"
    r = staff.post(f"/api/programs/projects/{p.pk}/milestones", {"title": "样机", "due_on": "2026-06-30",
                                                                 "city_amount": 500000}, content_type="application/json")
    assert r.status_code == 201
    r = staff.post(url, {"action": "approve", "data": {"contract_no": "中科合〔2025〕8号"}}, content_type="application/json")
    assert r.json()["to"] == "contracted"
    ms = staff.get(f"/api/programs/projects/{p.pk}").json()["milestones"][0]
    r = client(u["ent"]).post(f"/api/programs/milestones/{ms['id']}/transitions",
                              {"action": "submit", "data": {"evidence": "样机报告"}}, content_type="application/json")
    assert r.status_code == 200 and r.json()["to"] == "submitted"
    r = xiaolan.post(f"/api/programs/milestones/{ms['id']}/transitions", {"action": "close"},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["to"] == "closed"
    r = staff.post("/api/programs/projects", {"title": "新榜", "year": 2026, "kind": "bogus"},
                   content_type="application/json")
    assert r.status_code == 422
    r = client(u["ent"]).post("/api/programs/projects", {"title": "企业需求", "year": 2026},
                              content_type="application/json")
    assert r.status_code == 201 and r.json()["state"] == "draft" and r.json()["poster"] == data["xl"].name
    # targets, coverage, awards, briefing
    assert xiaolan.get("/api/programs/targets").json()["count"] == 1
    t = InvestmentTarget.objects.get(town_id=XIAOLAN)
    r = xiaolan.post(f"/api/programs/targets/{t.pk}/transitions",
                     {"action": "follow", "data": {"kind": "online", "on": TODAY.isoformat(), "note": "云端会谈"}},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["to"] == "visited"
    other = InvestmentTarget.objects.get(town_id=GUZHEN)
    assert xiaolan.post(f"/api/programs/targets/{other.pk}/transitions", {"action": "follow"},
                        content_type="application/json").status_code == 404
    cov = admin.get("/api/programs/publicity/coverage?year=2022&as_of=2022-12-31").json()
    assert (cov["covered"], cov["total"]) == (2, 23)
    assert client(u["ent"]).get("/api/programs/awards").json()["count"] == 1
    aw = Award.objects.get(project="项目甲")
    r = staff.post(f"/api/programs/awards/{aw.pk}/transitions", {"action": "grant"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["to"] == "granted"
    b = admin.get("/api/programs/briefing?year=2021").json()
    assert any("测试大赛" in s["text"] for s in b["sentences"]) and all(s["queries"] for s in b["sentences"])
    assert admin.get("/api/programs/briefing?year=1800").status_code == 422
