"""Designation status from dates everywhere (有效 / 已过期 / 未生效 / 已撤销), and 镇街 pickers that hide
abolished towns (labelled 已撤并 where history shows them)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
import pytest
from django.utils import timezone
from webtest_helpers import XIAOLAN, uscc

from zjtx.apps.enterprises.models import Division, Enterprise, Title
from zjtx.apps.enterprises.title_status import annotate_status, status_of, status_q

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TODAY = timezone.localdate()
OLD_XIAOLAN = "442000100"


def test_status_of_each_boundary() -> None:
    g, e = date(2024, 1, 10), date(2026, 1, 9)
    assert status_of(g, e, None, date(2024, 1, 9)) == "pending"
    assert status_of(g, e, None, g) == "valid"
    assert status_of(g, e, None, e) == "valid"
    assert status_of(g, e, None, e + timedelta(days=1)) == "expired"
    assert status_of(g, None, None, date(2040, 1, 1)) == "valid"  # open-ended
    assert status_of(g, e, date(2025, 3, 1), date(2025, 2, 28)) == "valid"
    assert status_of(g, e, date(2025, 3, 1), date(2025, 3, 1)) == "revoked"
    assert status_of(g, e, date(2025, 3, 1), date(2030, 1, 1)) == "revoked"  # revoked wins over expired
    with pytest.raises(ValueError, match="未知状态"):
        status_q("lapsed")


@pytest.fixture
def titled():
    """One enterprise with an expired, a valid, a future and a revoked title (dates around today)."""
    ent = Enterprise.objects.create(uscc=uscc(8801), name="中山市状态测试科技有限公司", division_id=XIAOLAN,
                                    industry="C3982")
    y = timedelta(days=365)
    return {
        "expired": Title.objects.create(enterprise=ent, title="high_tech", granted_on=TODAY - 4 * y,
                                        expires_on=TODAY - y),
        "valid": Title.objects.create(enterprise=ent, title="specialized_sme", granted_on=TODAY - y,
                                      expires_on=TODAY + 2 * y),
        "pending": Title.objects.create(enterprise=ent, title="little_giant", granted_on=TODAY + timedelta(days=30),
                                        expires_on=TODAY + 3 * y),
        "revoked": Title.objects.create(enterprise=ent, title="innovative_sme", granted_on=TODAY - y,
                                        expires_on=TODAY + 2 * y, revoked_on=TODAY - timedelta(days=10),
                                        revoked_reason="抽查不合格"),
        "ent": ent,
    }


def test_database_filter_and_python_rule_agree(titled) -> None:
    for status in ("valid", "expired", "pending", "revoked"):
        assert list(Title.objects.filter(status_q(status)).values_list("pk", flat=True)) == [titled[status].pk]
        assert titled[status].status_on() == status
    annotated = dict(annotate_status(Title.objects.all()).values_list("pk", "status_code"))
    assert annotated == {titled[s].pk: s for s in ("valid", "expired", "pending", "revoked")}


def test_enterprise_filter_counts_only_valid_titles(client, make_user, titled) -> None:
    client.force_login(make_user("ts_staff", "city_staff"))
    for kind, found in (("specialized_sme", 1), ("high_tech", 0), ("little_giant", 0), ("innovative_sme", 0)):
        data = json.loads(client.get(f"/enterprises/?format=json&title={kind}").content)
        assert data["count"] == found, kind


def test_title_list_page_filter_and_export(client, make_user, titled) -> None:
    client.force_login(make_user("ts_staff", "city_staff"))
    page = client.get("/titles/").content.decode()
    for label in ("已过期", "有效", "未生效", "已撤销"):
        assert f">{label}</td>" in page
    page = client.get("/titles/?status=expired").content.decode()
    assert "已过期" in page and ">有效</td>" not in page and "共 1 条" in page
    rows = json.loads(client.get("/titles/?format=json").content)["rows"]
    assert {r["title"]: r["status"] for r in rows} == {"high_tech": "已过期", "specialized_sme": "有效",
                                                      "little_giant": "未生效", "innovative_sme": "已撤销"}
    csv = client.get("/titles/?format=csv").content.decode("utf-8-sig")
    assert "状态" in csv.splitlines()[0] and "已撤销" in csv


def test_enterprise_page_shows_statuses(client, make_user, titled) -> None:
    client.force_login(make_user("ts_staff", "city_staff"))
    page = client.get(f"/enterprises/{titled['ent'].uscc}/").content.decode()
    assert "已过期" in page and "未生效" in page and "已撤销" in page and "撤销）" in page


def test_designations_page_api_and_revocation(client, make_user, titled) -> None:
    client.force_login(make_user("ts_admin", "city_admin"))
    page = client.get("/cultivation/designations/?status=expired").content.decode()
    assert "已过期" in page and titled["ent"].name in page
    items = json.loads(client.get("/api/cultivation/designations?status=pending").content)["items"]
    assert [(i["title"], i["status"], i["status_label"]) for i in items] == [("little_giant", "pending", "未生效")]
    assert client.get("/api/cultivation/designations?status=lapsed").status_code == 422
    # revoke the valid title from a date, then withdraw the revocation
    t = titled["valid"]
    day = TODAY - timedelta(days=1)
    client.post(f"/cultivation/designations/{t.pk}/status/", {"action": "revoke", "reason": "复核不合格",
                                                              "revoked_on": day.isoformat()})
    t.refresh_from_db()
    assert t.revoked_on == day and t.status_on() == "revoked" and t.status_on(day - timedelta(days=1)) == "valid"
    assert "已撤销" in client.get(f"/cultivation/designations/{t.pk}/update/").content.decode()
    resp = client.post(f"/cultivation/designations/{t.pk}/status/", {"action": "revoke", "reason": "x",
                                                                     "revoked_on": "2000-01-01"}, follow=True)
    assert "撤销日期不能早于认定日期" in resp.content.decode()
    client.post(f"/cultivation/designations/{t.pk}/status/", {"action": "restore", "reason": "申诉成立"})
    t.refresh_from_db()
    assert t.revoked_on is None and t.status_on() == "valid"


def test_statistics_and_records_follow_revocation(titled) -> None:
    from zjtx.apps.enterprises.records import records_for, registry_frames
    from zjtx.stats import count_titles

    frames = dict(zip(("enterprises", "annual", "titles"), registry_frames(), strict=True))
    assert count_titles(frames, "innovative_sme", TODAY - timedelta(days=11)).value == 1
    assert count_titles(frames, "innovative_sme", TODAY).value == 0
    rec = records_for(TODAY).filter(pl.col("uscc") == titled["ent"].uscc).row(0, named=True)
    assert rec["specialized_sme_valid"] is True and rec["innovative_sme_valid"] is False
    assert rec["little_giant_valid"] is False and rec["high_tech_valid"] is False


def test_abolished_towns_hidden_from_pickers_and_labelled_in_history(client, make_user) -> None:
    old = Division.objects.get(code=OLD_XIAOLAN)
    assert str(old) == "小榄镇（已撤并）" and old.label == "小榄镇（2020年12月已撤并）"
    assert str(Division.objects.get(code=XIAOLAN)) == "小榄镇"
    admin = make_user("ts_admin", "city_admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    for url in ("/enterprises/", "/cultivation/designations/"):
        page = client.get(url).content.decode()
        assert f'value="{XIAOLAN}"' in page and f'value="{OLD_XIAOLAN}"' not in page, url
    page = client.get(f"/admin/auth/user/{admin.pk}/change/").content.decode()
    assert f'value="{XIAOLAN}"' in page and f'value="{OLD_XIAOLAN}"' not in page


def test_officer_bound_to_an_abolished_town_is_warned(client, make_user) -> None:
    client.force_login(make_user("ts_old", "town_officer", division=OLD_XIAOLAN))
    page = client.get("/enterprises/").content.decode()
    assert "已于2020年12月31日并入小榄镇（442000118）" in page and "请联系市级管理员" in page
    client.force_login(make_user("ts_new", "town_officer", division=XIAOLAN))
    assert "请联系市级管理员把账号改到现镇街" not in client.get("/enterprises/").content.decode()

