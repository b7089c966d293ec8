"""The demo city's VAT returns (演示数据): the inputs of 增值税加计抵减 (``vat_plus_deduction``).

For every enterprise and year from 2018 (the sales of 2018 decide the category of 2019, the first
year of the credit) the year's VAT returns added up, as the registry keeps them
(:data:`zjtx.apps.enterprises.fields.VAT_RETURN_FIELDS`):

* ``small_scale_vat`` — a 小规模纳税人 until its annual sales first exceed 500万元 (the general-taxpayer
  registration threshold), then a general taxpayer for good; a quarter of the small ones registered as
  general taxpayers voluntarily. A small-scale taxpayer has no input VAT: its return figures are blank.
* ``vat_sales_total`` ≈ the revenue; ``vat_sales_four_services`` / ``vat_sales_life_service`` by
  industry code: 现代服务 and 电信 (GB/T 4754 sections I, L, M, N) 70–100% of sales in four services
  (one in twelve mostly sells goods), 生活服务 (H, O, P, Q, R) also in 生活服务; manufacturers (C) a
  little technical service, others (wholesale …) almost none.
* ``input_vat_deductible`` = sales × purchases share × input rate (manufacturing 55–75% × 13%,
  services 15–40% × 9%, trade 85–95% × 13%); ``input_vat_excluded`` its export part (a third of the
  manufacturers and a few services export 10–60% / 5–30% of sales); ``input_vat_transferred_out``
  0.2–2% of the input in two years of five; ``vat_payable_before_plus`` = max(0, output VAT on the
  domestic sales (13% / 6%) − input + transferred out).
* ``advanced_manufacturing_listed`` from 2023 for 高新技术企业 in 制造业 that are general taxpayers
  (valid 高企 title on 31 December): on the list for three in four, not recorded (blank → 待人工核实)
  for three in twenty, not on it for the rest; blank otherwise. ``ic_or_machine_tool`` from 2023 for
  six in ten such enterprises in 集成电路 (C3973, C3985, C3562, I6520) and 工业母机 (C3421, C3422).
* ``plus_balance_start`` — the balance carried from the year before: the year's credit is computed as
  the calculator does (the rates of December from the parameters, the category of the year before's
  sales, the list), and what the payable could not absorb is carried while the category lasts — to the
  fen, the 期末余额 of the calculator (``components["balance_end"]``) becoming the next year's 期初余额.

Per-enterprise constants come from ``default_rng([seed, scale, 20])``, each year's draws from
``default_rng([seed, scale, 2000 + year])``: deterministic, and a later ``today`` only adds years.
Vectorised over enterprises (one loop over the years).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from zjtx.facts.records import valid_titles

from .firms import Firms

__all__ = ["FIRST_YEAR", "VAT_FIELDS", "add_vat_returns"]

FIRST_YEAR = 2018
VAT_FIELDS = ("small_scale_vat", "vat_sales_total", "vat_sales_four_services", "vat_sales_life_service",
              "input_vat_deductible", "input_vat_excluded", "input_vat_transferred_out", "plus_balance_start",
              "vat_payable_before_plus", "advanced_manufacturing_listed", "ic_or_machine_tool")
BOOL_FIELDS = ("small_scale_vat", "advanced_manufacturing_listed", "ic_or_machine_tool")
GENERAL_THRESHOLD = 5_000_000  # 年应税销售额超过500万元 registers as a general taxpayer
_FOUR_SECTIONS = ("I", "L", "M", "N")
_LIFE_SECTIONS = ("H", "O", "P", "Q", "R")
_IC_OR_MACHINE = ("C3973", "C3985", "C3562", "I6520", "C3421", "C3422")
_RATES = ("rate_producer", "rate_consumer", "rate_advanced_manufacturing", "rate_ic_machine")


def _rates(year: int) -> dict[str, float]:
    """The 加计比例 of December of ``year`` (0 outside the covered periods)."""
    from zjtx.policies import params_at
    from zjtx.rules.params import ParameterError

    out = {}
    for k in _RATES:
        try:
            out[k] = float(params_at(date(year, 12, 1)).get(f"vat_plus_deduction.{k}").value)
        except ParameterError:
            out[k] = 0.0
    return out


def _high_tech_years(titles: pl.DataFrame, usccs: list[str], years: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Per year, which enterprises hold a valid 高新技术企业 title on 31 December (``valid_titles``)."""
    pos = {u: i for i, u in enumerate(usccs)}
    ht = titles.filter(pl.col("title") == "high_tech") if titles.height else titles
    out = {}
    for y in years:
        mask = np.zeros(len(usccs), bool)
        if ht.height:
            v = valid_titles(ht, date(y, 12, 31))["uscc"].to_list()
            mask[[pos[u] for u in v if u in pos]] = True
        out[y] = mask
    return out


def add_vat_returns(fm: Firms, titles: pl.DataFrame, seed: int, scale: int) -> None:
    """Add the VAT-return fields (:data:`VAT_FIELDS`, ``n × years``; NaN = not reported) to ``fm.annual``."""
    n, years = fm.n, fm.years
    ny = len(years)
    industry = np.asarray(fm.industry).astype(str)
    section = np.array([c[:1] for c in industry])
    life = np.isin(section, _LIFE_SECTIONS)
    services = np.isin(section, _FOUR_SECTIONS) | life
    manuf = section == "C"
    rng = np.random.default_rng([seed, scale, 20])
    goods_seller = rng.random(n) < 1 / 12
    share0 = np.select([services & ~goods_seller, services, manuf],
                       [rng.uniform(0.7, 1.0, n), rng.uniform(0.2, 0.5, n), rng.uniform(0.0, 0.12, n)
                        * (rng.random(n) < 0.5)], rng.uniform(0.0, 0.05, n))
    life0 = np.where(life, rng.uniform(0.8, 1.0, n), 0.0)
    voluntary = rng.random(n) < 0.25
    exporter = np.where(manuf, rng.random(n) < 1 / 3, services & (rng.random(n) < 0.05))
    export0 = np.where(exporter, np.where(manuf, rng.uniform(0.1, 0.6, n), rng.uniform(0.05, 0.3, n)), 0.0)
    purchases = np.select([manuf, services], [rng.uniform(0.55, 0.75, n), rng.uniform(0.15, 0.4, n)],
                          rng.uniform(0.85, 0.95, n))
    in_rate = np.where(services, 0.09, 0.13)
    out_rate = np.where(services, 0.06, 0.13)
    listing = rng.random(n)
    ic_draw = rng.random(n) < 0.6
    ic_industry = np.isin(industry, _IC_OR_MACHINE)

    revenue = fm.annual["revenue"]
    high_tech = _high_tech_years(titles, fm.usccs, tuple(y for y in years if y >= FIRST_YEAR))
    cols = {k: np.full((n, ny), np.nan) for k in VAT_FIELDS}
    general = voluntary.copy()
    balance = np.zeros(n)
    prev_four = np.full(n, np.nan)
    prev_life = np.full(n, np.nan)
    for t, y in enumerate(years):
        if y < FIRST_YEAR:
            continue
        r = np.random.default_rng([seed, scale, 2000 + y])
        e = r.normal(size=(3, n))
        rev = revenue[:, t]
        reported = ~np.isnan(rev)
        sales = np.round(np.nan_to_num(rev) * (1 + 0.015 * e[0]), -2)
        general = general | (sales > GENERAL_THRESHOLD)
        four_share = np.clip(share0 + 0.03 * e[1] * (share0 > 0), 0.0, 1.0)
        four = np.round(sales * four_share, -2)
        life_sales = np.round(four * life0, -2)
        export = np.clip(export0 * (1 + 0.1 * e[2]), 0.0, 0.9)
        inp = np.round(sales * purchases * in_rate * np.exp(0.05 * e[2]), -2)
        excluded = np.round(inp * export, -2)
        out_moved = np.where(r.random(n) < 0.4, np.round(inp * r.uniform(0.002, 0.02, n), -2), 0.0)
        payable = np.maximum(0.0, np.round(sales * (1 - export) * out_rate, -2) - inp + out_moved)
        ht = high_tech[y] & manuf & general
        listed = np.where(ht & (y >= 2023), np.select([listing < 0.75, listing < 0.9], [1.0, np.nan], 0.0), np.nan)
        ic = np.where(ht & ic_industry & (y >= 2023), np.where(ic_draw, 1.0, 0.0), np.nan)

        # this year's credit, as the calculator computes it, to carry the balance to the next year
        rates = _rates(y)
        cand = [np.where(ic == 1.0, rates["rate_ic_machine"], 0.0),
                np.where((listed == 1.0) | (np.isnan(listed) & ht), rates["rate_advanced_manufacturing"], 0.0),
                np.where((prev_four > 0.5) & (prev_life > 0.5), rates["rate_consumer"], 0.0),
                np.where(prev_four > 0.5, rates["rate_producer"], 0.0)]
        rate = np.where(general, np.maximum.reduce(cand), 0.0)
        start = np.where(rate > 0, balance, 0.0)
        available = start + (inp - excluded) * rate - out_moved * rate
        credit = np.where(payable > 0, np.minimum(payable, np.maximum(available, 0.0)), 0.0)
        balance = np.where(rate > 0, np.round(np.maximum(available - credit, 0.0), 2), 0.0)  # 期末余额, to the fen

        gen_rep = reported & general
        cols["small_scale_vat"][:, t] = np.where(reported, (~general).astype(float), np.nan)
        for k, v in (("vat_sales_total", sales), ("vat_sales_four_services", four),
                     ("vat_sales_life_service", life_sales)):
            cols[k][:, t] = np.where(reported, v, np.nan)
        for k, v in (("input_vat_deductible", inp), ("input_vat_excluded", excluded),
                     ("input_vat_transferred_out", out_moved), ("plus_balance_start", start),
                     ("vat_payable_before_plus", payable)):
            cols[k][:, t] = np.where(gen_rep, v, np.nan)
        cols["advanced_manufacturing_listed"][:, t] = np.where(reported, listed, np.nan)
        cols["ic_or_machine_tool"][:, t] = np.where(reported, ic, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            prev_four = np.where(reported & (sales > 0), four / np.where(sales > 0, sales, 1), np.nan)
            prev_life = np.where(reported & (sales > 0), life_sales / np.where(sales > 0, sales, 1), np.nan)
    fm.annual.update(cols)
