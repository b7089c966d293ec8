"""Registry → Polars frames → FIELDS.md evaluation records (via ``zjtx.facts.records.build_records``)."""

from __future__ import annotations

from datetime import date, timedelta

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


ENTERPRISE_SCHEMA: dict[str, pl.DataType] = {
    f.name: _dtype(f) for f in ENTERPRISE_FIELDS if f.name not in _PERSONAL
}
ANNUAL_SCHEMA: dict[str, pl.DataType] = {"uscc": pl.String(), "year": pl.Int64(),
                                         **{f.name: _dtype(f) for f in ANNUAL_FIELDS}}
TITLE_SCHEMA: dict[str, pl.DataType] = {"uscc": pl.String(), "title": pl.String(), "granted_on": pl.Date(),
                                        "expires_on": pl.Date(), "batch": pl.String(), "document": pl.String(),
                                        "revoked_on": pl.Date()}


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


def _frame(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows from ``values_list`` as a typed frame, built column by column (no model instances)."""
    names = list(schema)
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    series = []
    for name, col in zip(names, cols, strict=True):
        dtype = schema[name]
        if dtype == pl.Float64:
            col = [None if v is None else float(v) for v in col]
        elif dtype == pl.String:
            col = [None if v == "" else v for v in col]
        series.append(pl.Series(name, list(col), dtype=dtype))
    return pl.DataFrame(series)


def registry_frames(queryset: QuerySet | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The registry as three Polars frames (enterprises, annual, titles) for ``build_records``.

    ``queryset`` restricts the enterprises (e.g. ``scope_enterprises(user)``); personal contact
    data is never exported. Empty values are null (unknown), never 0.
    """
    ents = Enterprise.objects.all() if queryset is None else queryset
    reported_niche = _niche_since_from_reports(ents)
    ent_cols = [n if n != "division" else "division_id" for n in ENTERPRISE_SCHEMA]
    ent_rows = list(ents.order_by("uscc").values_list("pk", *ent_cols))
    niche_at = list(ENTERPRISE_SCHEMA).index("niche_since")
    fixed = []
    for pk, *vals in ent_rows:
        if vals[niche_at] is None:
            vals[niche_at] = reported_niche.get(pk)
        fixed.append(tuple(vals))
    enterprises = _frame(fixed, ENTERPRISE_SCHEMA)
    pks = ents.values("pk")
    annual = _frame(
        list(AnnualReport.objects.filter(enterprise__in=pks).order_by("enterprise__uscc", "year")
             .values_list("enterprise__uscc", "year", *[f.name for f in ANNUAL_FIELDS])),
        ANNUAL_SCHEMA,
    )
    titles = _frame(
        list(Title.objects.filter(enterprise__in=pks).order_by("enterprise__uscc", "granted_on")
             .values_list("enterprise__uscc", "title", "granted_on", "expires_on", "batch", "document",
                          "revoked_on")),
        TITLE_SCHEMA,
    )
    return enterprises, annual, titles


def records_for(on: date, queryset: QuerySet | None = None) -> pl.DataFrame:
    """FIELDS.md evaluation records of the (scoped) registry as of ``on``."""
    from zjtx.facts.records import build_records

    enterprises, annual, titles = registry_frames(queryset)
    return build_records(enterprises, annual, titles, on)
