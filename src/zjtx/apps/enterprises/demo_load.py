"""Loading the synthetic demo city (``zjtx.demo``) into the registry, and the frames the briefing
needs (registry + the demo's sourced city-comparison table).

The load is one transaction of bulk inserts (tens of thousands of enterprises in seconds), recorded
as a single audit entry; every value's provenance is 第三方 (third party: synthetic data).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction

from zjtx.apps.accounts import audit
from zjtx.apps.enterprises.fields import ANNUAL_FIELDS, ENTERPRISE_NAMES
from zjtx.apps.enterprises.models import AnnualReport, Division, Enterprise, Title

COMPARISON_FILE = "city_comparison.parquet"
FLAGS = ("abnormal_or_dishonest", "major_incident_3y", "restricted_industry")


def data_dir() -> Path:
    d = Path(settings.DATA_DIR)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _dec(v: Any, places: str) -> Decimal | None:
    return None if v is None else Decimal(str(v)).quantize(Decimal(places))


def _annual_value(kind: str, v: Any) -> Any:
    if v is None:
        return "" if kind == "choice" else None
    if kind == "money":
        return _dec(v, "0.01")
    if kind in ("decimal", "fraction"):
        return _dec(v, "0.000001")
    if kind == "int":
        return int(v)
    return v


def load_demo(city: Any) -> dict[str, int]:
    """Insert the demo city's enterprises, annual reports and titles. Refuses a non-empty registry."""
    if Enterprise.objects.exists():
        raise ValueError("企业库已有数据，演示城市只载入空库（如需重来请删除数据库文件）")
    divisions = set(Division.objects.values_list("code", flat=True))
    latest_flags = (
        city.annual.sort("year").group_by("uscc").agg([pl.col(f).drop_nulls().last() for f in FLAGS
                                                        if f in city.annual.columns])
    )
    ents = city.enterprises.join(latest_flags, on="uscc", how="left")
    with transaction.atomic():
        objs = []
        for r in ents.iter_rows(named=True):
            extra = {k: r[k] for k in ENTERPRISE_NAMES if k in r and k not in ("uscc", "name", "division", "industry")}
            objs.append(Enterprise(
                uscc=r["uscc"], name=r["name"], division_id=r["division"] if r["division"] in divisions else None,
                industry=r["industry"] or "", provenance={k: "third_party" for k in r if r[k] is not None},
                **{k: v for k, v in extra.items() if v is not None},
            ))
        Enterprise.objects.bulk_create(objs, batch_size=2000)
        pk = dict(Enterprise.objects.values_list("uscc", "pk"))
        kinds = {f.name: f.kind for f in ANNUAL_FIELDS if f.name in city.annual.columns}
        reports = [
            AnnualReport(enterprise_id=pk[r["uscc"]], year=r["year"],
                         provenance={k: "third_party" for k in kinds if r[k] is not None},
                         **{k: _annual_value(kind, r[k]) for k, kind in kinds.items()})
            for r in city.annual.iter_rows(named=True)
        ]
        AnnualReport.objects.bulk_create(reports, batch_size=2000)
        titles = [
            Title(enterprise_id=pk[r["uscc"]], title=r["title"], granted_on=r["granted_on"], expires_on=r["expires_on"],
                  batch=r.get("batch") or "", document=r.get("document") or "", provenance="third_party")
            for r in city.titles.iter_rows(named=True)
        ]
        Title.objects.bulk_create(titles, batch_size=2000, ignore_conflicts=True)
        audit.log("import", model="enterprises.Enterprise", object_repr=f"载入演示城市：企业 {len(objs)} 户",
                  after={"enterprises": len(objs), "annual_reports": len(reports), "titles": len(titles)})
    if getattr(city, "city_comparison", None) is not None:
        city.city_comparison.write_parquet(data_dir() / COMPARISON_FILE)
    from zjtx.apps.programs.demo_load import load_programmes  # 揭榜挂帅, 招商, 孵化载体, 平台, 宣讲, 大赛

    programmes = load_programmes()
    return {"enterprises": len(objs), "annual_reports": len(reports), "titles": len(titles), **programmes}


def briefing_frames(queryset: Any = None) -> dict[str, pl.DataFrame | None]:
    """Registry frames plus the city-comparison table (if one was loaded) for ``zjtx.stats.briefing``."""
    from zjtx.apps.enterprises.records import registry_frames

    enterprises, annual, titles = registry_frames(queryset)
    comp = data_dir() / COMPARISON_FILE
    return {
        "enterprises": enterprises,
        "annual": annual,
        "titles": titles,
        "city_comparison": pl.read_parquet(comp) if comp.exists() else None,
        "pools": None,
        "programs": _programme_frames(queryset),
    }


def _programme_frames(queryset: Any) -> dict[str, pl.DataFrame]:
    from zjtx.apps.programs.frames import programme_frames

    return programme_frames(queryset)


def default_on(today: dt.date | None = None) -> dt.date:
    """The evaluation date the demo uses: today (the last completed fiscal year is the latest data)."""
    return today or dt.date.today()
