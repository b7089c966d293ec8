"""Registry → Polars frames → FIELDS.md evaluation records (via ``zjtx.facts.records.build_records``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import QuerySet

from zjtx.apps.enterprises.fields import ANNUAL_FIELDS, ENTERPRISE_FIELDS, FieldSpec
from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title

_PERSONAL = {f.name for f in ENTERPRISE_FIELDS if f.personal}


def _dtype(spec: FieldSpec) -> pl.DataType:
    if spec.kind in ("money", "decimal", "fraction"):
        return pl.Float64()
    if spec.kind in ("int", "year"):
        return pl.Int64()
    if spec.kind == "bool":
        return pl.Boolean()
    if spec.kind == "date":
        return pl.Date()
    return pl.String()


def _value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if v == "":
        return None
    return v


ENTERPRISE_SCHEMA: dict[str, pl.DataType] = {
    f.name: _dtype(f) for f in ENTERPRISE_FIELDS if f.name not in _PERSONAL
}
ANNUAL_SCHEMA: dict[str, pl.DataType] = {"uscc": pl.String(), "year": pl.Int64(),
                                         **{f.name: _dtype(f) for f in ANNUAL_FIELDS}}
TITLE_SCHEMA: dict[str, pl.DataType] = {"uscc": pl.String(), "title": pl.String(), "granted_on": pl.Date(),
                                        "expires_on": pl.Date(), "batch": pl.String(), "document": pl.String()}


def _niche_since_from_reports(ents: QuerySet) -> dict[int, date]:
    """When only a yearly ``niche_years`` was reported (N years at the end of year Y), the start date
    it implies: 1 January of Y+1 minus N years. Used only where ``niche_since`` is unknown, so the
    record builder can count the years as of any evaluation date."""
    out: dict[int, date] = {}
    rows = (AnnualReport.objects.filter(enterprise__in=ents.values("pk"), niche_years__isnull=False)
            .order_by("enterprise_id", "-year").values_list("enterprise_id", "year", "niche_years"))
    for ent_id, year, years in rows:
        if ent_id not in out:
            whole = int(years)
            start = date(max(1, year + 1 - whole), 1, 1)
            out[ent_id] = start - timedelta(days=round(float(years - whole) * 365.25))
    return out


def registry_frames(queryset: QuerySet | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The registry as three Polars frames (enterprises, annual, titles) for ``build_records``.

    ``queryset`` restricts the enterprises (e.g. ``scope_enterprises(user)``); personal contact
    data is never exported. Empty values are null (unknown), never 0.
    """
    ents = Enterprise.objects.all() if queryset is None else queryset
    reported_niche = _niche_since_from_reports(ents)
    ent_rows = []
    for e in ents.order_by("uscc"):
        row = {name: _value(getattr(e, name)) for name in ENTERPRISE_SCHEMA if name != "division"}
        row["division"] = e.division_id
        if row["niche_since"] is None:
            row["niche_since"] = reported_niche.get(e.pk)
        ent_rows.append(row)
    enterprises = pl.DataFrame(ent_rows, schema=ENTERPRISE_SCHEMA, orient="row") if ent_rows else pl.DataFrame(
        schema=ENTERPRISE_SCHEMA)
    enterprises = enterprises.select(list(ENTERPRISE_SCHEMA))
    reports = AnnualReport.objects.filter(enterprise__in=ents.values("pk")).select_related("enterprise")
    annual_rows = [{"uscc": r.enterprise.uscc, "year": r.year,
                    **{f.name: _value(getattr(r, f.name)) for f in ANNUAL_FIELDS}}
                   for r in reports.order_by("enterprise__uscc", "year")]
    annual = pl.DataFrame(annual_rows, schema=ANNUAL_SCHEMA) if annual_rows else pl.DataFrame(schema=ANNUAL_SCHEMA)
    titles_qs = Title.objects.filter(enterprise__in=ents.values("pk")).select_related("enterprise")
    title_rows = [{"uscc": t.enterprise.uscc, "title": t.title, "granted_on": t.granted_on,
                   "expires_on": t.expires_on, "batch": t.batch or None, "document": t.document or None}
                  for t in titles_qs.order_by("enterprise__uscc", "granted_on")]
    titles = pl.DataFrame(title_rows, schema=TITLE_SCHEMA) if title_rows else pl.DataFrame(schema=TITLE_SCHEMA)
    return enterprises, annual, titles


def records_for(on: date, queryset: QuerySet | None = None) -> pl.DataFrame:
    """FIELDS.md evaluation records of the (scoped) registry as of ``on``."""
    from zjtx.facts.records import build_records

    enterprises, annual, titles = registry_frames(queryset)
    return build_records(enterprises, annual, titles, on)
