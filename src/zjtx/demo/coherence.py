"""Titles against the rules: each grant checked at its date, and the city's tiers as of a day.

* :func:`grant_statuses` — every title row of a tier with rules in the engine, with the engine's
  status of its holder **at the grant date** (records as of that date: annual reports through the
  previous year, the titles granted before that date; 复核 rounds in review mode). The share
  达标 + 待人工审核 is the coherence of the register with its own rules.
* :func:`tier_table` — per tier policy as of ``on``: valid holders, evaluated 达标, 达标 but not
  designated (the reserve the bureau wants to find), designated but no longer 达标 (early warning
  before 复核), designated with data missing (待核验).

Both work on any registry frames (a :class:`~zjtx.demo.DemoCity` or the platform's registry via
``zjtx.apps.enterprises.records.registry_frames``); only the public engine API is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from zjtx.facts.records import build_records

from .titles import EARLIEST_RULES

__all__ = ["TIER_TITLES", "coherence_summary", "grant_statuses", "tier_table"]

# tier policy → the title codes that designate it (科技型: a registration of the evaluation year)
TIER_TITLES: dict[str, tuple[str, ...]] = {
    "tech_sme": ("tech_sme",),
    "innovative_sme": ("innovative_sme", "tech_innovative_sme"),
    "specialized_sme": ("specialized_sme",),
    "little_giant": ("little_giant",),
    "single_champion": ("single_champion",),
    "high_tech": ("high_tech",),
    "zs_four_tech": (),
}
TITLE_POLICY = {code: p for p, codes in TIER_TITLES.items() for code in codes}
STATUS_ZH = {"qualified": "达标", "manual_review": "待人工审核", "unknown": "待核验", "not_qualified": "未达标"}


def _frames(registry: object) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    if isinstance(registry, Mapping):
        return registry["enterprises"], registry["annual"], registry["titles"]
    return registry.enterprises, registry.annual, registry.titles  # type: ignore[attr-defined]


def grant_statuses(registry: object, titles: tuple[str, ...] | None = None,
                   grants: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every grant (title row) of a tier with rules — or the rows of ``grants`` (a subset of the
    registry's titles) — with its holder's status at the grant date.

    Columns: ``uscc``, ``title``, ``policy``, ``granted_on``, ``batch``, ``renewal`` (a 复核), ``status``.
    """
    import zjtx

    ent, ann, tit = _frames(registry)
    codes = [c for c in (titles or tuple(TITLE_POLICY)) if c in TITLE_POLICY]
    rows = (tit if grants is None else grants).filter(pl.col("title").is_in(codes)).with_columns(
        pl.col("title").replace_strict(TITLE_POLICY, default=None).alias("policy"),
        pl.col("batch").fill_null("").str.ends_with("复核").alias("renewal"),
    )
    out = []
    for (policy, day, renewal), grp in rows.group_by(["policy", "granted_on", "renewal"], maintain_order=True):
        usccs = grp["uscc"].unique().to_list()
        rec = build_records(ent.filter(pl.col("uscc").is_in(usccs)), ann.filter(pl.col("uscc").is_in(usccs)),
                            tit.filter(pl.col("granted_on") < day), day)
        on = max(day, EARLIEST_RULES.get(policy, day))
        res = zjtx.evaluate(rec, on=on, policies=[policy], options={"mode": "review"} if renewal else None)
        status = dict(zip(res["uscc"].to_list(), res[f"{policy}.status"].to_list(), strict=True))
        out.append(grp.with_columns(pl.col("uscc").replace_strict(status, default=None).alias("status")))
    schema = {"uscc": pl.String, "title": pl.String, "policy": pl.String, "granted_on": pl.Date, "batch": pl.String,
              "renewal": pl.Boolean, "status": pl.String}
    if not out:
        return pl.DataFrame(schema=schema)
    return pl.concat(out).select(list(schema)).sort(["policy", "granted_on", "uscc"])


def coherence_summary(statuses: pl.DataFrame) -> pl.DataFrame:
    """Per tier policy: grants, and how many holders were 达标 / 待人工审核 / 待核验 / 未达标 at the grant date."""
    return (
        statuses.group_by("policy")
        .agg(
            pl.len().alias("grants"),
            (~pl.col("renewal")).sum().alias("new"),
            pl.col("renewal").sum().alias("renewals"),
            *[(pl.col("status") == s).sum().alias(s) for s in STATUS_ZH],
        )
        .with_columns(((pl.col("qualified") + pl.col("manual_review")) / pl.col("grants")).alias("coherent_share"))
        .sort("policy")
    )


def tier_table(registry: object, on: date, policies: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Per tier policy as of ``on``: valid holders, 达标, 达标未认定, 认定但不再达标, 认定待核验."""
    import zjtx

    ent, ann, tit = _frames(registry)
    pols = [p for p in (policies or tuple(TIER_TITLES))]
    rec = build_records(ent, ann, tit, on)
    res = zjtx.evaluate(rec, on=on, policies=pols)
    valid = tit.filter((pl.col("granted_on") <= on) & (pl.col("expires_on").is_null() | (pl.col("expires_on") >= on)))
    if "revoked_on" in valid.columns:
        valid = valid.filter(pl.col("revoked_on").is_null() | (pl.col("revoked_on") > on))
    rows = []
    for p in pols:
        codes = TIER_TITLES.get(p, ())
        v = valid.filter(pl.col("title").is_in(list(codes)))
        if p == "tech_sme":
            v = v.filter(pl.col("granted_on").dt.year() == on.year)
        held = set(v["uscc"].to_list())
        st = res.select("uscc", pl.col(f"{p}.status").alias("s"))
        is_held = pl.col("uscc").is_in(list(held))
        rows.append({
            "policy": p,
            "holders": len(held) if codes else None,
            "qualified": st.filter(pl.col("s") == "qualified").height,
            "manual_review": st.filter(pl.col("s") == "manual_review").height,
            "qualified_not_designated": st.filter((pl.col("s") == "qualified") & ~is_held).height if codes else None,
            "designated_not_qualified": st.filter((pl.col("s") == "not_qualified") & is_held).height if codes else None,
            "designated_unknown": st.filter((pl.col("s") == "unknown") & is_held).height if codes else None,
        })
    return pl.DataFrame(rows)
