"""Self-assessment (自评) logic: a record from the form or from an uploaded import template, and saving
the declared figures to an enterprise's record (only where the user may edit it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from zjtx.apps.evaluations.forms import COMPLIANCE, EXTRA_ENTERPRISE, YEAR_FIELDS, to_record_value

SNAPSHOT_ANNUAL = ["ip1", "ip1_high_value", "ip1_self_developed", "ip1_applied", "ip2", "ip2_mature", "niche_years",
                   "strategic_emerging", "product_field", "market_share", "market_rank_cn", "market_rank_global",
                   "digital_level", "quality_items", "own_brand", "quality_cert", "it_systems", "rd_institution",
                   "core_tech_product"]
ENTERPRISE_SAVED = COMPLIANCE + ["national_award_rank_3y", "provincial_award_rank_3y", "national_award_rank_5y",
                                 "led_standard_5y", "chuangke_rank_3y", "founded_on", *EXTRA_ENTERPRISE]
_PARSER = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=True, pk=None)


class UploadError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def record_from_upload(content: bytes, filename: str, on: dt.date) -> dict[str, Any]:
    """The evaluation record of the (first) enterprise in an import-template file; nothing is written."""
    import polars as pl

    from zjtx.apps.enterprises import importer
    from zjtx.apps.enterprises.fields import ENTERPRISE_FIELDS
    from zjtx.apps.enterprises.records import ANNUAL_SCHEMA, ENTERPRISE_SCHEMA, TITLE_SCHEMA
    from zjtx.apps.evaluations.services import jsonable
    from zjtx.facts.records import build_records

    # parse only (a parser identity with full scope: the registry is never touched here)
    result = importer.validate(content, filename, _PARSER)
    problems = [str(p) for p in result.errors if "权" not in p.message]
    if problems:
        raise UploadError(problems)
    if not result.rows:
        raise UploadError(["文件中没有企业数据行"])
    uscc = result.rows[0].uscc
    rows = [r for r in result.rows if r.uscc == uscc]
    ent: dict[str, Any] = {"uscc": uscc}
    annual = []
    for r in rows:
        for f in ENTERPRISE_FIELDS:
            if f.name in r.values and f.name in ENTERPRISE_SCHEMA:
                ent[f.name] = _plain(r.values[f.name])
        if r.year:
            annual.append({"uscc": uscc, "year": r.year,
                           **{k: _plain(v) for k, v in r.values.items() if k in ANNUAL_SCHEMA}})
    if "division" in ent and hasattr(ent["division"], "code"):
        ent["division"] = ent["division"].code
    titles = [{"uscc": uscc, "title": t.values.get("title"), "granted_on": t.values.get("granted_on"),
               "expires_on": t.values.get("expires_on"), "batch": None, "document": None}
              for t in result.titles if t.uscc == uscc]
    enterprises = pl.DataFrame([{k: ent.get(k) for k in ENTERPRISE_SCHEMA}], schema=ENTERPRISE_SCHEMA)
    annual_df = pl.DataFrame([{k: a.get(k) for k in ANNUAL_SCHEMA} for a in annual], schema=ANNUAL_SCHEMA) \
        if annual else pl.DataFrame(schema=ANNUAL_SCHEMA)
    titles_df = pl.DataFrame(titles, schema=TITLE_SCHEMA) if titles else pl.DataFrame(schema=TITLE_SCHEMA)
    df = build_records(enterprises, annual_df, titles_df, on)
    rec = jsonable(df.row(0, named=True))
    return {k: v for k, v in rec.items() if v is not None}


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    return getattr(v, "code", v) if not isinstance(v, str | int | float | bool | dt.date) and v is not None else v


def save_to_enterprise(enterprise: Any, record: dict[str, Any], on: dt.date, *, source: str = "self") -> list[int]:
    """Write the declared figures to the enterprise's annual reports (y1..y3 of ``on``) and its compliance/award
    fields, provenance ``source``; titles are never written (designations are made by people). Audited by the
    registry's signals. Returns the years written."""
    from zjtx.apps.enterprises.models import AnnualReport

    y1 = on.year - 1
    years: list[int] = []
    with transaction.atomic():
        for suffix, offset in (("y1", 0), ("y2", 1), ("y3", 2)):
            values = {f: record.get(f"{f}_{suffix}") for f in YEAR_FIELDS[suffix]}
            if suffix == "y1":
                values.update({f: record.get(f) for f in SNAPSHOT_ANNUAL})
            values = {k: v for k, v in values.items() if v is not None}
            if not values:
                continue
            report, _ = AnnualReport.objects.get_or_create(enterprise=enterprise, year=y1 - offset)
            for k, v in values.items():
                setattr(report, k, _db_value(report, k, v))
                report.provenance[k] = source
                report.raw.pop(k, None)
            report.save()
            years.append(y1 - offset)
        changed = False
        for k in ENTERPRISE_SAVED:
            if record.get(k) is not None:
                setattr(enterprise, k, _db_value(enterprise, k, record[k]))
                enterprise.provenance[k] = source
                changed = True
        if changed:
            enterprise.save()
    return years


def _db_value(obj: Any, name: str, value: Any) -> Any:
    from django.db import models

    field = obj._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.DateField) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def form_initial(record: dict[str, Any]) -> dict[str, Any]:
    from zjtx.apps.evaluations.forms import sections, to_form_value

    names = [n for _, ns in sections() for n in ns]
    return {n: to_form_value(n, record.get(n)) for n in names if record.get(n) is not None}


__all__ = ["UploadError", "form_initial", "record_from_upload", "save_to_enterprise", "to_record_value"]
