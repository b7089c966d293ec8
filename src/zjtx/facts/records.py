"""Build FIELDS.md evaluation records from a registry (enterprises + annual reports + titles).

``build_records(enterprises, annual, titles, on)`` returns one row per enterprise, as of ``on``.

Input frames (Polars; any column may be absent — absent columns yield nulls, never 0):

``enterprises``
    ``uscc`` (required), ``name``, ``division`` (9-digit 镇街 code), ``industry`` (letter + 4 digits),
    ``founded_on`` (date), ``niche_since`` (date the enterprise entered its niche market), plus any
    non-annual FIELDS.md field (``national_award_rank_3y``, ``led_standard_5y``,
    ``local_feature_score``, …), which pass through unchanged. A column that the builder also
    produces (e.g. ``ip1``, ``revenue_y1``, ``niche_years``, ``high_tech_valid``) is combined: a
    non-null value in ``enterprises`` wins over the derived one (title flags: OR-ed).

``annual``
    ``uscc``, ``year`` (calendar = fiscal year), and the unsuffixed annual fields
    (:data:`ANNUAL_FIELDS`: ``employees``, ``tech_staff``, ``rd_staff``, ``revenue``, ``main_revenue``,
    ``sales_revenue``, ``rd_expense``, ``rd_expense_tax``, ``rd_expense_domestic``, ``total_cost``,
    ``net_profit``, ``total_assets``, ``total_liabilities``, ``high_tech_revenue``,
    ``equity_financing``, ``taxable_income``) and snapshot fields (:data:`SNAPSHOT_FIELDS`: ``ip1``,
    ``ip1_high_value``, ``ip1_self_developed``, ``ip1_applied``, ``ip2``, ``ip2_mature``,
    ``digital_level``, ``quality_items``, ``own_brand``, ``quality_cert``, ``it_systems``,
    ``rd_institution``, ``market_share``, ``market_rank_cn``, ``market_rank_global``,
    ``product_field``, ``strategic_emerging``, ``core_tech_product``, ``abnormal_or_dishonest``,
    ``major_incident_3y``, ``restricted_industry``), and the year's VAT returns
    (:data:`VAT_RETURN_FIELDS`, :data:`VAT_SALES_FIELDS`: ``small_scale_vat``, ``vat_sales_total``,
    ``vat_sales_four_services``, ``vat_sales_life_service``, ``input_vat_deductible`` …, the lists
    ``advanced_manufacturing_listed`` / ``ic_or_machine_tool``), which become the inputs of
    ``vat_plus_deduction`` (:data:`VAT_RECORD_COLUMNS`, after the columns of :func:`record_columns`).
    Duplicate ``(uscc, year)`` rows: the last wins.

``titles``
    ``uscc``, ``title``, ``granted_on``, ``expires_on`` (null = open-ended), ``batch``, ``document``,
    optionally ``revoked_on`` (a title revoked on or before ``on`` is not valid).
    ``title`` is a code of :data:`TITLE_CODES` or one of its Chinese names (see :data:`TITLE_ALIASES`).
    ``titles=None`` means "titles unknown": flags then come only from ``enterprises`` (else null).
    A given (possibly empty) titles frame is authoritative: no valid row → ``false``.

Rules (FIELDS.md "Years"):

- ``y1 = on.year − 1`` (the last completed calendar year), ``y2 = y1 − 1``, ``y3 = y1 − 2``. Annual
  fields become ``<field>_y1/_y2/_y3``; a missing year or value stays **null**.
- Snapshot fields are taken from the ``y1`` row.
- ``niche_years`` = full years from ``niche_since`` to the end of ``y1`` (i.e. to 1 January of
  ``on.year``), floored at 0; when ``niche_since`` is null, a given ``niche_years`` is kept.
- A title is valid on ``on`` when ``granted_on ≤ on ≤ expires_on`` (both ends inclusive).
  ``tech_sme_registered``: a valid ``tech_sme`` registration granted in ``on.year``.
  Flags: ``high_tech_valid``, ``innovative_sme_valid`` (创新型 or 科技和创新型),
  ``specialized_sme_valid`` (省级), ``little_giant_valid``, ``tech_sme_registered``,
  ``innovation_honor_valid``; added fields ``city_specialized_sme_valid`` (市级专精特新) and
  ``single_champion_valid``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

__all__ = [
    "ANNUAL_FIELDS",
    "SNAPSHOT_FIELDS",
    "TITLE_ALIASES",
    "TITLE_CODES",
    "TITLE_FLAGS",
    "VAT_RECORD_COLUMNS",
    "VAT_RETURN_FIELDS",
    "VAT_SALES_FIELDS",
    "build_records",
    "normalize_titles",
    "record_columns",
    "valid_titles",
]

F64, I64, BOOL, STR = pl.Float64, pl.Int64, pl.Boolean, pl.String

ANNUAL_FIELDS: dict[str, pl.DataType] = {
    "employees": I64, "tech_staff": I64, "rd_staff": I64,
    "revenue": F64, "main_revenue": F64, "sales_revenue": F64,
    "rd_expense": F64, "rd_expense_tax": F64, "rd_expense_domestic": F64,
    "total_cost": F64, "net_profit": F64, "total_assets": F64, "total_liabilities": F64,
    "high_tech_revenue": F64, "equity_financing": F64, "taxable_income": F64,
}  # fmt: skip

SNAPSHOT_FIELDS: dict[str, pl.DataType] = {
    "ip1": I64, "ip1_high_value": I64, "ip1_self_developed": I64, "ip1_applied": I64,
    "ip2": I64, "ip2_mature": I64,
    "digital_level": I64, "quality_items": I64, "own_brand": BOOL, "quality_cert": BOOL,
    "it_systems": I64, "rd_institution": STR, "market_share": F64,
    "market_rank_cn": I64, "market_rank_global": I64, "product_field": STR,
    "strategic_emerging": BOOL, "core_tech_product": BOOL,
    "abnormal_or_dishonest": BOOL, "major_incident_3y": BOOL, "restricted_industry": BOOL,
}  # fmt: skip

# The VAT returns of a year (增值税申报, the periods of the year added up) and the lists that decide the
# 加计抵减 category, as the registry keeps them per year; they become the inputs of vat_plus_deduction
# (see :func:`_vat_return`).
VAT_RETURN_FIELDS: dict[str, pl.DataType] = {
    "small_scale_vat": BOOL, "advanced_manufacturing_listed": BOOL, "ic_or_machine_tool": BOOL,
    "input_vat_deductible": F64, "input_vat_excluded": F64, "input_vat_transferred_out": F64,
    "plus_balance_start": F64, "vat_payable_before_plus": F64,
}  # fmt: skip
VAT_SALES_FIELDS: dict[str, pl.DataType] = {
    "vat_sales_total": F64, "vat_sales_four_services": F64, "vat_sales_life_service": F64,
}
# record columns built from them (after :func:`record_columns`)
VAT_RECORD_COLUMNS: dict[str, pl.DataType] = {
    **VAT_RETURN_FIELDS, "four_services_share": F64, "life_service_share": F64, "vat_period": STR,
    "vat_period_basis": STR,
}

IDENTITY: dict[str, pl.DataType] = {
    "uscc": STR, "name": STR, "division": STR, "industry": STR, "founded_on": pl.Date,
}

# title code → Chinese name
TITLE_CODES: dict[str, str] = {
    "tech_sme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "tech_innovative_sme": "科技和创新型中小企业",
    "specialized_sme": "专精特新中小企业",  # 省级
    "city_specialized_sme": "市级专精特新培育企业",
    "little_giant": '专精特新"小巨人"企业',
    "single_champion": "制造业单项冠军企业",
    "high_tech": "高新技术企业",
    "innovation_honor": "国家级技术创新示范企业/知识产权优势企业/知识产权示范企业",
}

TITLE_ALIASES: dict[str, str] = {
    **{v: k for k, v in TITLE_CODES.items()},
    "科技型": "tech_sme", "创新型": "innovative_sme", "科技和创新型": "tech_innovative_sme",
    "省级专精特新": "specialized_sme", "省级专精特新中小企业": "specialized_sme", "专精特新": "specialized_sme",
    "市级专精特新": "city_specialized_sme", "市级专精特新中小企业": "city_specialized_sme",
    "小巨人": "little_giant", "专精特新“小巨人”企业": "little_giant", "专精特新小巨人": "little_giant",
    "单项冠军": "single_champion", "高企": "high_tech", "国家级技术创新示范企业": "innovation_honor",
    "知识产权优势企业": "innovation_honor", "知识产权示范企业": "innovation_honor",
}  # fmt: skip

# record flag → title codes that set it
TITLE_FLAGS: dict[str, tuple[str, ...]] = {
    "high_tech_valid": ("high_tech",),
    "innovative_sme_valid": ("innovative_sme", "tech_innovative_sme"),
    "specialized_sme_valid": ("specialized_sme",),
    "city_specialized_sme_valid": ("city_specialized_sme",),
    "little_giant_valid": ("little_giant",),
    "single_champion_valid": ("single_champion",),
    "innovation_honor_valid": ("innovation_honor",),
    "tech_sme_registered": ("tech_sme",),
}


def record_columns() -> list[str]:
    """Columns every built record has (identity, annual ×3, snapshot, niche_years, flags)."""
    cols = list(IDENTITY)
    for f in ANNUAL_FIELDS:
        cols += [f"{f}_y1", f"{f}_y2", f"{f}_y3"]
    return cols + list(SNAPSHOT_FIELDS) + ["niche_years", *TITLE_FLAGS]


def _as_df(frame: pl.DataFrame | pl.LazyFrame | None) -> pl.DataFrame | None:
    if frame is None:
        return None
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _as_date(col: str, schema: dict[str, pl.DataType]) -> pl.Expr:
    dt = schema.get(col)
    if dt == pl.Date:
        return pl.col(col)
    if dt is not None and dt.is_temporal():
        return pl.col(col).cast(pl.Date)
    return pl.col(col).cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)


def normalize_titles(titles: pl.DataFrame) -> pl.DataFrame:
    """Titles with ``title`` mapped to codes and dates as ``pl.Date``."""
    schema = dict(titles.schema)
    exprs = [pl.col("uscc").cast(pl.String)]
    t = pl.col("title").cast(pl.String).str.strip_chars()
    exprs.append(t.replace(TITLE_ALIASES).alias("title"))
    for c in ("granted_on", "expires_on"):
        exprs.append(_as_date(c, schema).alias(c) if c in schema else pl.lit(None, pl.Date).alias(c))
    if "revoked_on" in schema:
        exprs.append(_as_date("revoked_on", schema).alias("revoked_on"))
    rest = [c for c in titles.columns if c not in {"uscc", "title", "granted_on", "expires_on", "revoked_on"}]
    return titles.select(*exprs, *[pl.col(c) for c in rest])


def valid_titles(titles: pl.DataFrame, on: date) -> pl.DataFrame:
    """Title rows valid on ``on`` (granted_on ≤ on ≤ expires_on; null expiry = open-ended; a title
    revoked on or before ``on`` — optional column ``revoked_on`` — is not valid)."""
    t = normalize_titles(titles)
    valid = (
        pl.col("granted_on").is_not_null()
        & (pl.col("granted_on") <= on)
        & (pl.col("expires_on").is_null() | (pl.col("expires_on") >= on))
    )
    if "revoked_on" in t.columns:
        valid = valid & (pl.col("revoked_on").is_null() | (pl.col("revoked_on") > on))
    return t.filter(valid)


def _flags(titles: pl.DataFrame, on: date) -> pl.DataFrame:
    v = valid_titles(titles, on)
    aggs = []
    for flag, codes in TITLE_FLAGS.items():
        cond = pl.col("title").is_in(list(codes))
        if flag == "tech_sme_registered":
            cond = cond & (pl.col("granted_on").dt.year() == on.year)
        aggs.append(cond.any().alias(f"__t_{flag}"))
    return v.group_by("uscc").agg(aggs)


def build_records(
    enterprises: pl.DataFrame,
    annual: pl.DataFrame | None,
    titles: pl.DataFrame | None,
    on: date,
) -> pl.DataFrame:
    """One FIELDS.md evaluation record per enterprise as of ``on`` (see the module docstring)."""
    ent = _as_df(enterprises)
    if ent is None or "uscc" not in ent.columns:
        raise ValueError("enterprises must have a 'uscc' column")
    ent = ent.with_columns(pl.col("uscc").cast(pl.String)).unique("uscc", keep="last", maintain_order=True)
    escm = dict(ent.schema)
    y1 = on.year - 1
    years = {1: y1, 2: y1 - 1, 3: y1 - 2}

    # identity columns
    ident = []
    for c, dt in IDENTITY.items():
        if c == "uscc":
            continue
        if c not in escm:
            ident.append(pl.lit(None, dt).alias(c))
        elif dt == pl.Date:
            ident.append(_as_date(c, escm).alias(c))
        else:
            ident.append(pl.col(c).cast(dt).alias(c))
    out = ent.with_columns(ident)

    # annual → wide
    ann = _as_df(annual)
    if ann is None:
        ann = pl.DataFrame({"uscc": [], "year": []}, schema={"uscc": STR, "year": I64})
    ann_cols = set(ann.columns)
    fields = {**ANNUAL_FIELDS, **SNAPSHOT_FIELDS, **VAT_RETURN_FIELDS, **VAT_SALES_FIELDS}
    ann = (
        ann.with_columns(pl.col("uscc").cast(pl.String), pl.col("year").cast(I64))
        .filter(pl.col("year").is_in(list(years.values())))
        .with_columns(
            [
                (pl.col(f).cast(dt) if f in ann_cols else pl.lit(None, dt)).alias(f)
                for f, dt in fields.items()
            ]
        )
        .select("uscc", "year", *fields)
        .unique(["uscc", "year"], keep="last", maintain_order=True)
    )
    for k, y in years.items():
        part = ann.filter(pl.col("year") == y).select(
            "uscc",
            *[pl.col(f).alias(f"__a_{f}_y{k}") for f in ANNUAL_FIELDS],
            *([pl.col(f).alias(f"__a_{f}") for f in SNAPSHOT_FIELDS] if k == 1 else []),
            *([pl.col(f).alias(f"__v_{f}") for f in VAT_RETURN_FIELDS] if k == 1 else []),
            *[pl.col(f).alias(f"__v_{f}_y{k}") for f in VAT_SALES_FIELDS if k <= 2],
        )
        out = out.join(part, on="uscc", how="left")

    combined = []
    for f, dt in ANNUAL_FIELDS.items():
        for k in years:
            name = f"{f}_y{k}"
            derived = pl.col(f"__a_{name}")
            combined.append(
                (pl.coalesce(pl.col(name).cast(dt), derived) if name in escm else derived).alias(name)
            )
    for f, dt in SNAPSHOT_FIELDS.items():
        derived = pl.col(f"__a_{f}")
        combined.append((pl.coalesce(pl.col(f).cast(dt), derived) if f in escm else derived).alias(f))

    # niche_years: full years from niche_since to 1 January of on.year
    if "niche_since" in escm:
        since = _as_date("niche_since", escm)
        end = date(on.year, 1, 1)
        full = (
            pl.lit(end.year)
            - since.dt.year()
            - ((since.dt.month() > end.month) | ((since.dt.month() == end.month) & (since.dt.day() > end.day)))
            .cast(I64)
        ).clip(lower_bound=0)
        niche = pl.coalesce(full.cast(F64), pl.col("niche_years").cast(F64)) if "niche_years" in escm else full
    elif "niche_years" in escm:
        niche = pl.col("niche_years")
    else:
        niche = pl.lit(None, F64)
    combined.append(niche.cast(F64).alias("niche_years"))
    out = out.with_columns(combined)

    # title flags
    tdf = _as_df(titles)
    if tdf is not None:
        if tdf.height:
            out = out.join(_flags(tdf, on), on="uscc", how="left")
        else:
            out = out.with_columns([pl.lit(None, BOOL).alias(f"__t_{f}") for f in TITLE_FLAGS])
        flag_exprs = []
        for f in TITLE_FLAGS:
            t = pl.col(f"__t_{f}").fill_null(False)
            flag_exprs.append((t | pl.col(f).cast(BOOL).fill_null(False) if f in escm else t).alias(f))
        out = out.with_columns(flag_exprs)
    else:
        out = out.with_columns(
            [(pl.col(f).cast(BOOL) if f in escm else pl.lit(None, BOOL)).alias(f) for f in TITLE_FLAGS]
        )

    out = out.with_columns(_vat_return(escm, y1))
    base = record_columns() + list(VAT_RECORD_COLUMNS)
    extra = [c for c in ent.columns if c not in base]
    return out.select(base + extra)


def _vat_return(escm: dict[str, pl.DataType], y1: int) -> list[pl.Expr]:
    """The inputs of ``vat_plus_deduction`` from the year ``y1``'s VAT returns (the ``__v_`` columns).

    - the return figures and the list flags of ``y1`` under the calculator's names;
    - ``four_services_share`` / ``life_service_share``: the sales of the year before ``y1`` (the year
      that decides the category of ``y1``, 2019年第39号 第七条(一)); for an enterprise without that
      year's sales that was founded since its start, ``y1``'s own sales (its first months);
    - ``vat_period``: December of ``y1`` when the taxpayer kind or a return figure is known — the rules and rate of that
      month apply to the year's sums (the same all year, except 2019, when they began in April and
      生活服务 rose to 15% in October); ``vat_period_basis`` says so in Chinese (the matcher shows it).

    A column the enterprises frame already has (a record given directly) wins over the derived one.
    """
    def share(part: str, k: int) -> pl.Expr:
        total = pl.col(f"__v_vat_sales_total_y{k}")
        return pl.when(total > 0).then((pl.col(f"__v_{part}_y{k}") / total).clip(0.0, 1.0))

    founded = _as_date("founded_on", escm) if "founded_on" in escm else pl.lit(None, pl.Date)
    new = founded >= date(y1 - 1, 1, 1)
    derived: dict[str, pl.Expr] = {f: pl.col(f"__v_{f}") for f in VAT_RETURN_FIELDS}
    for name, part in (("four_services_share", "vat_sales_four_services"),
                       ("life_service_share", "vat_sales_life_service")):
        derived[name] = pl.coalesce(share(part, 2), pl.when(new).then(share(part, 1)))
    known = pl.any_horizontal(*[pl.col(f"__v_{f}").is_not_null() for f in
                                ("small_scale_vat", "input_vat_deductible", "vat_payable_before_plus")])
    derived["vat_period"] = pl.when(known).then(pl.lit(f"{y1}-12"))
    derived["vat_period_basis"] = pl.when(known).then(
        pl.lit(f"按{y1}年度增值税申报数据（全年各期合计）测算，适用{y1}年12月所属期的规则与比例"))
    out = []
    for name, dt in VAT_RECORD_COLUMNS.items():
        expr = derived[name].cast(dt)
        out.append((pl.coalesce(pl.col(name).cast(dt), expr) if name in escm else expr).alias(name))
    return out
