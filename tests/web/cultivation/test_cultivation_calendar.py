"""Calendar alerts on fixed dates: 90/60/30 days before expiry, annual-update deadlines, batches."""

from __future__ import annotations

from datetime import date

import pytest

from zjtx.apps.cultivation.models import AnnualUpdate, BatchWindow, Designation, UpdateDeadline
from zjtx.apps.cultivation.renewals import alerts, ics, level_for
from zjtx.apps.enterprises.models import Title

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_levels() -> None:
    assert [level_for(d) for d in (-1, 0, 30, 31, 60, 61, 90, 91)] == [None, 30, 30, 60, 60, 90, 90, None]


@pytest.fixture
def titles(enterprise):
    a, b = enterprise(1), enterprise(2)
    BatchWindow.objects.all().delete()
    return {
        "spec": Title.objects.create(enterprise=a, title="specialized_sme", granted_on=date(2023, 1, 1),
                                     expires_on=date(2025, 12, 31)),
        "champ": Title.objects.create(enterprise=b, title="single_champion", granted_on=date(2023, 12, 1),
                                      expires_on=date(2026, 11, 30)),
    }


def test_expiry_alerts_on_fixed_dates(titles) -> None:
    def expiry(on: date) -> list:
        return [(a.level, a.days_left) for a in alerts(on) if a.kind == "expiry"]

    assert expiry(date(2025, 10, 1)) == []                  # 91 days before
    assert expiry(date(2025, 10, 2)) == [(90, 90)]
    assert expiry(date(2025, 11, 1)) == [(60, 60)]
    assert expiry(date(2025, 12, 1)) == [(30, 30)]
    assert expiry(date(2025, 12, 31)) == [(30, 0)]
    assert expiry(date(2026, 1, 1)) == []                   # expired: no longer alerted
    titles["spec"].revoked_on = date(2025, 11, 15)
    titles["spec"].save()
    assert expiry(date(2025, 11, 14)) == [(60, 47)]         # not yet revoked on that day
    assert expiry(date(2025, 12, 1)) == []                  # revoked titles are not renewed
    Designation.objects.create(title=titles["spec"], status="revoked")
    titles["spec"].refresh_from_db()
    assert titles["spec"].revoked_on == date(2025, 11, 15)  # a recorded revocation date is kept


def test_annual_update_deadline(titles) -> None:
    assert UpdateDeadline.objects.get(title_kind="single_champion").month == 5  # seeded: by 5-31
    on = date(2026, 3, 3)                                   # 89 days before 2026-05-31
    found = [a for a in alerts(on) if a.kind == "annual_update"]
    assert [(a.due, a.level, a.days_left) for a in found] == [(date(2026, 5, 31), 90, 89)]
    assert "2026年度信息更新截止" in found[0].title and found[0].uscc == titles["champ"].enterprise.uscc
    assert [a.level for a in alerts(date(2026, 5, 1)) if a.kind == "annual_update"] == [30]
    AnnualUpdate.objects.create(title=titles["champ"], year=2026, done_on=date(2026, 4, 1))
    assert [a for a in alerts(date(2026, 5, 1)) if a.kind == "annual_update"] == []


def test_batch_window_alert(titles) -> None:
    BatchWindow.objects.create(tier="little_giant", name="第八批", opens_on=date(2026, 4, 25),
                               closes_on=date(2026, 5, 25))
    found = [a for a in alerts(date(2026, 4, 1)) if a.kind == "batch"]
    assert [(a.level, a.days_left) for a in found] == [(60, 54)]
    assert "第八批" in found[0].title and "2026-04-25 起" in found[0].title
    assert [a for a in alerts(date(2026, 2, 1)) if a.kind == "batch"] == []


def test_ics_feed(titles) -> None:
    text = ics(alerts(date(2025, 12, 1)))
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.rstrip().endswith("END:VCALENDAR")
    assert "DTSTART;VALUE=DATE:20251231" in text and "TRIGGER:-P30D" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
