"""What the evaluation pages keep between requests: a data change shows at once, and a viewer never gets
what was computed for another scope (``zjtx.apps.evaluations.pagecache``, the programmes panel, the
results list's page query, the links built from a prefix, the memo of ``/api/evaluate``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ev_registry import ON, A, B, D
from webtest_helpers import GUZHEN, XIAOLAN

from zjtx.apps.enterprises.models import AnnualReport, Title
from zjtx.apps.evaluations import profile

pytestmark = [pytest.mark.django_db]

WAN = Decimal(10000)
PAGE = f"/evaluations/enterprise/{B}/?on={ON.isoformat()}"


def _evaluation_part(html: str) -> str:
    return html.split("<h2>梯度阶梯</h2>")[1].split("<h2>历次评价批次中的结果</h2>")[0].strip()


@pytest.fixture
def builds(monkeypatch):
    """Counts how often the enterprise page computes its evaluation part."""
    calls: list[str] = []
    real = profile.build

    def counting(enterprise, on):
        calls.append(enterprise.uscc)
        return real(enterprise, on)

    monkeypatch.setattr(profile, "build", counting)
    return calls


def _fresh(uscc: str) -> str:
    """The evaluation part computed now, without any cache."""
    from django.template.loader import render_to_string

    from zjtx.apps.enterprises.models import Enterprise

    ent = Enterprise.objects.get(uscc=uscc)
    return _evaluation_part(render_to_string("evaluations/_enterprise_eval.html", profile.build(ent, ON)) +
                            "<h2>历次评价批次中的结果</h2>")


def test_enterprise_page_is_computed_once_then_read(staff_client, registry, builds) -> None:
    first = staff_client.get(PAGE).content.decode()
    second = staff_client.get(PAGE).content.decode()
    assert builds == [B]  # the second request read the rendered part
    assert _evaluation_part(first) == _evaluation_part(second)
    assert "营业收入（上年度） 5,000万元" in first


def test_editing_an_annual_report_shows_the_new_result(staff_client, registry, builds) -> None:
    before = staff_client.get(PAGE).content.decode()
    assert "营业收入（上年度） 5,000万元" in before
    report = AnnualReport.objects.get(enterprise=registry["B"], year=2024)
    report.revenue = 7000 * WAN
    report.tech_staff, report.rd_staff = 30, 20  # B failed 科技型 on 科技人员 (veto): now it has some
    report.save()
    after = staff_client.get(PAGE).content.decode()
    assert builds == [B, B]  # computed again for the new data
    assert "营业收入（上年度） 7,000万元" in after and "营业收入（上年度） 5,000万元" not in after
    assert _evaluation_part(after) != _evaluation_part(before)
    assert _evaluation_part(after) == _fresh(B)  # exactly what an uncached page shows


def test_changes_made_as_an_import_writes_them_show(staff_client, registry, builds) -> None:
    """An import writes with ``UPDATE … SET version, updated_at`` (no model save, no signal)."""
    from django.utils import timezone

    staff_client.get(PAGE)
    report = AnnualReport.objects.get(enterprise=registry["B"], year=2024)
    AnnualReport.objects.filter(pk=report.pk).update(revenue=6000 * WAN, version=report.version + 1,
                                                     updated_at=timezone.now())
    after = staff_client.get(PAGE).content.decode()
    assert "营业收入（上年度） 6,000万元" in after
    assert _evaluation_part(after) == _fresh(B)


def test_a_new_title_and_a_removed_report_show(staff_client, registry, builds) -> None:
    staff_client.get(PAGE)
    Title.objects.create(enterprise=registry["B"], title="innovative_sme", granted_on=dt.date(2025, 1, 10),
                         expires_on=dt.date(2027, 12, 31), document="粤工信〔2025〕1号")
    after = staff_client.get(PAGE).content.decode()
    assert "持有称号，2025年1月10日认定" in after
    AnnualReport.objects.filter(enterprise=registry["B"], year=2022).delete()
    again = staff_client.get(PAGE).content.decode()
    assert builds == [B, B, B]
    assert _evaluation_part(again) == _fresh(B)


def test_a_town_officer_never_gets_another_towns_page(client, make_user, staff_client, registry) -> None:
    # the city's staff fill the cache with both towns' enterprises
    assert staff_client.get(f"/evaluations/enterprise/{A}/").status_code == 200
    assert staff_client.get(f"/evaluations/enterprise/{B}/").status_code == 200
    client.force_login(make_user("gz_cache", "town_officer", division=GUZHEN))
    assert client.get(f"/evaluations/enterprise/{A}/").status_code == 404  # 小榄: not 古镇's, cached or not
    assert client.get(f"/evaluations/enterprise/{D}/").status_code == 404
    own = client.get(f"/evaluations/enterprise/{B}/")
    assert own.status_code == 200


def test_stored_results_on_the_page_follow_the_viewers_scope(client, make_user, staff_client, done_run) -> None:
    html = staff_client.get(f"/evaluations/enterprise/{A}/?on={ON.isoformat()}").content.decode()
    assert f"/evaluations/runs/{done_run.pk}/trace/{A}/tech_sme/" in html
    client.force_login(make_user("xl_cache", "town_officer", division=XIAOLAN))
    mine = client.get(f"/evaluations/enterprise/{A}/?on={ON.isoformat()}").content.decode()
    assert _evaluation_part(mine) == _evaluation_part(html)  # the same enterprise: the same evaluation
    assert f"/evaluations/runs/{done_run.pk}/trace/{A}/tech_sme/" in mine


def test_dashboard_fragments_are_kept_per_scope(client, make_user, staff_client, done_run) -> None:
    city = staff_client.get("/evaluations/dashboard/").content.decode()
    assert "本账号范围内 4 户企业" in city and "古镇镇" in city.split('id="town-table"')[1].split("</table>")[0]
    client.force_login(make_user("xl_dash", "town_officer", division=XIAOLAN))
    town = client.get("/evaluations/dashboard/").content.decode()
    assert "本账号范围内 2 户企业" in town
    assert "古镇镇" not in town.split('id="town-table"')[1].split("</table>")[0]
    client.force_login(make_user("gz_dash", "town_officer", division=GUZHEN))
    other = client.get("/evaluations/dashboard/").content.decode()
    assert "本账号范围内 1 户企业" in other
    assert "小榄镇" not in other.split('id="town-table"')[1].split("</table>")[0]


def test_dashboard_follows_a_registry_change(client, make_user, done_run, registry) -> None:
    client.force_login(make_user("xl_move", "town_officer", division=XIAOLAN))
    assert "本账号范围内 2 户企业" in client.get("/evaluations/dashboard/").content.decode()
    ent = registry["D"]  # moves from 小榄 to 古镇: out of the officer's scope
    ent.division_id = GUZHEN
    ent.save()
    assert "本账号范围内 1 户企业" in client.get("/evaluations/dashboard/").content.decode()


def _tenancy(enterprise, carrier_name: str, division: str):
    from zjtx.apps.programs.models import Carrier, Tenancy

    carrier = Carrier.objects.create(name=carrier_name, kind="incubator", division_id=division)
    return Tenancy.objects.create(carrier=carrier, enterprise=enterprise, entered_on=dt.date(2025, 1, 1))


def _resident(panel: dict) -> int:
    groups = dict(panel["programs_panel"]["groups"])
    return dict((label, n) for label, n, _ in groups["孵化载体"])["在孵企业"]


def test_programs_panel_is_kept_per_scope_and_follows_changes(make_user, registry, staff) -> None:
    from zjtx.apps.programs import dashboard

    _tenancy(registry["A"], "小榄孵化器", XIAOLAN)
    officer = make_user("gz_panel", "town_officer", division=GUZHEN)
    assert _resident(dashboard.panel(staff)) == 1  # cached for the city
    assert _resident(dashboard.panel(officer)) == 0  # 古镇 sees none of 小榄's tenancies
    assert dashboard.scope_of(staff) != dashboard.scope_of(officer)
    analyst = make_user("an_panel", "analyst")
    assert dashboard.panel(analyst) == {"programs_panel": dashboard._compute(analyst, dt.date.today())}
    t = _tenancy(registry["B"], "古镇孵化器", GUZHEN)
    assert _resident(dashboard.panel(staff)) == 2 and _resident(dashboard.panel(officer)) == 1
    t.status = "graduated"  # an edit in place (no row added): the save signal changes the version
    t.save()
    assert _resident(dashboard.panel(staff)) == 1 and _resident(dashboard.panel(officer)) == 0


def test_results_page_order_and_rows_equal_the_plain_query(client, make_user, staff_client, done_run) -> None:
    from zjtx.apps.evaluations import services
    from zjtx.apps.evaluations.views.results import filter_results, page_ids

    town = make_user("xl_res", "town_officer", division=XIAOLAN)
    for user in (done_run.created_by, town):
        for params in ({}, {"status": "qualified"}, {"policy": "tech_sme"}, {"q": "精密"}, {"near": "1"}):
            plain = filter_results(services.scoped_results(user, done_run), params).order_by("item__uscc", "policy")
            assert list(page_ids(user, done_run, params)) == list(plain.values_list("pk", flat=True)), params
    html = staff_client.get(f"/evaluations/results/?run={done_run.pk}").content.decode()
    assert f'href="/evaluations/enterprise/{A}/"' in html
    assert f'href="/evaluations/runs/{done_run.pk}/trace/{A}/tech_sme/"' in html


def test_links_built_from_the_prefix_equal_reverse(rf) -> None:
    from django.urls import reverse

    from zjtx.apps.evaluations.views.common import Urls

    u = Urls()
    assert u.enterprise(A) == reverse("evaluations:enterprise", args=[A])
    assert u.run(7) == reverse("evaluations:run", args=[7])
    assert u.trace(7, A, "tech_sme") == reverse("evaluations:result_trace", args=[7, A, "tech_sme"])


def test_api_memo_keeps_types_apart_and_never_keeps_bad_input() -> None:
    from zjtx.apps.evaluations import fastpath
    from zjtx.rules.inputs import InputError

    assert fastpath._frozen({"a": 1}) != fastpath._frozen({"a": 1.0}) != fastpath._frozen({"a": True})
    assert fastpath._frozen({"a": "1"}) != fastpath._frozen({"a": 1})
    rec = {"uscc": A, "employees": 50, "revenue_y1": 2.0e7, "founded_on": "2015-03-01"}
    first = fastpath.evaluate_few([rec], ON, ["sme_size"])
    assert fastpath.evaluate_few([dict(rec)], ON, ["sme_size"]) is first  # read back
    assert fastpath.evaluate_few([{**rec, "employees": 51}], ON, ["sme_size"]) is not first
    bad = {**rec, "founded_on": "2015-13-45"}
    for _ in range(2):  # reported every time
        with pytest.raises(InputError):
            fastpath.evaluate_few([bad], ON, ["sme_size"])
