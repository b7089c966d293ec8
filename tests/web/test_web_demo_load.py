"""The demo city in the registry: what the platform evaluates is what the generator evaluated (the
records built from the database equal the records built from the city's frames), and the load is
one audited transaction that refuses a non-empty registry."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from zjtx.apps.enterprises.demo_load import load_demo
from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title
from zjtx.apps.enterprises.records import records_for
from zjtx.demo import generate
from zjtx.demo.programs import NAMED_WINNER

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(scope="module")
def city():
    return generate(seed=5, scale=300, today=date(2026, 12, 2))


def test_registry_records_equal_city_records(city) -> None:
    counts = load_demo(city)
    registry = {k: counts[k] for k in ("enterprises", "annual_reports", "titles")}  # (+ the demo programmes)
    assert registry == {"enterprises": 300, "annual_reports": city.annual.height, "titles": city.titles.height}
    assert Enterprise.objects.count() == 300 and AnnualReport.objects.count() == city.annual.height
    assert Title.objects.count() == city.titles.height
    for day in (date(2019, 12, 20), date(2023, 6, 30), date(2026, 12, 2)):
        db = records_for(day).sort("uscc")
        gen = city.records(day).sort("uscc")
        # the programme load renames one enterprise to the letter's named contest winner (zjtx.demo.programs)
        renamed = (db["name"] != gen["name"]).sum()
        assert renamed <= 1 and (renamed == 0 or NAMED_WINNER in db["name"].to_list())
        for col in gen.columns:
            if col == "name":
                continue
            a, b = db[col], gen[col]
            if b.dtype == pl.Float64:
                assert ((a.cast(pl.Float64) - b).abs().fill_null(0) <= 0.005).all(), (day, col)
                assert (a.is_null() == b.is_null()).all(), (day, col)
            else:
                assert a.cast(b.dtype).equals(b), (day, col)
    e = Enterprise.objects.exclude(ht_field_ok__isnull=True).first()
    assert e is not None and e.provenance.get("ht_field_ok") == "third_party"  # expert conclusions are stored


def test_load_refuses_a_non_empty_registry(city) -> None:
    Enterprise.objects.create(uscc=city.enterprises["uscc"][0], name="已有企业")
    with pytest.raises(ValueError, match="企业库已有数据"):
        load_demo(city)
    assert Enterprise.objects.count() == 1
