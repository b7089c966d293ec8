"""The demo city: ``generate(seed, scale, today)`` → :class:`DemoCity` (a deterministic synthetic registry).

``generate(seed=2022, scale=30000)`` builds a city of ``scale`` enterprises (1,000 ≈ one town,
300,000 ≈ a large city) living up to ``today``: annual reports 2015 through the last complete year
(:mod:`zjtx.demo.firms`), titles granted by the rules through ``today`` (:mod:`zjtx.demo.titles`),
the letter's figures made exact (:mod:`zjtx.demo.calibration`, targets in :mod:`zjtx.demo.targets`).
Everything is 演示数据 except the calibration targets.

**Scaling.** At ``scale`` ≠ 30,000 every count target is multiplied by ``scale / 30000`` and rounded
(money targets likewise), so a 3,000-enterprise city has ~250 科技型 registrations in 2021 and
~30.8亿元 of tier revenue; the comparison cities scale with it so the rank is kept. Where a scaled
target is very small (a town), rounding dominates.

**Dates.** ``today`` defaults to the current date; the calibrated history always reaches
2025-12-31 (a ``today`` before that is treated as 2025-12-31). For a given ``(seed, scale)`` a later
``today`` only adds years: the history before it is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from zjtx.facts.records import build_records

from . import calibration
from .firms import make_firms
from .targets import (
    CALIBRATED_THROUGH,
    DEFAULT_SCALE,
    DEFAULT_SEED,
    DEMO_NOTE,
    TARGETS,
    data_years,
    history_range,
)
from .titles import TIERS, Simulation
from .vat import add_vat_returns

__all__ = ["DemoCity", "generate"]


@dataclass
class DemoCity:
    """A synthetic registry (all frames Polars). See the module docstring."""

    enterprises: pl.DataFrame
    annual: pl.DataFrame
    titles: pl.DataFrame
    pools: pl.DataFrame
    city_comparison: pl.DataFrame
    seed: int = DEFAULT_SEED
    scale: int = DEFAULT_SCALE
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def factor(self) -> float:
        return self.scale / DEFAULT_SCALE

    def records(self, on: date) -> pl.DataFrame:
        """FIELDS.md evaluation records as of ``on`` (via :func:`zjtx.facts.records.build_records`)."""
        return build_records(self.enterprises, self.annual, self.titles, on)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {
            "enterprises": self.enterprises,
            "annual": self.annual,
            "titles": self.titles,
            "pools": self.pools,
            "city_comparison": self.city_comparison,
        }


def generate(seed: int = DEFAULT_SEED, scale: int = DEFAULT_SCALE, today: date | None = None) -> DemoCity:
    """Generate the demo city up to ``today`` (default: the current date); deterministic for given arguments."""
    if scale < 100:
        raise ValueError("演示城市至少需要 100 户企业（scale ≥ 100）")
    today = max(today or date.today(), CALIBRATED_THROUGH)
    f = scale / DEFAULT_SCALE
    firms = make_firms(seed, scale, data_years(today))
    targets = {
        "high_tech": (date(2023, 12, 31), TARGETS["high_tech_2023_12_31"]),
        "innovative_sme": (date(2025, 12, 8), TARGETS["innovative_sme_2025_12_08"]),
        "specialized_sme": (date(2025, 12, 8), TARGETS["specialized_sme_2025_12_08"]),
        "little_giant": (date(2025, 12, 8), TARGETS["little_giant_2025_12_08"]),
    }
    sim = Simulation(
        firms, seed, scale, today, f,
        hooks=[(date(2021, 12, 31), calibration.calibrate_tier_revenue)],
        after_batch={("little_giant", date(2025, 9, 15)): calibration.batch7_averages},
        targets=targets,
    )
    sim.run()
    titles = sim.titles_frame().sort(["title", "granted_on", "uscc"])
    add_vat_returns(firms, titles, seed, scale)
    pools = calibration.pools(sim, np.random.default_rng([seed, scale, 77]))
    comparison = calibration.comparison(titles, f)
    first, last = history_range(today)
    meta = {
        "note": DEMO_NOTE,
        "seed": seed,
        "scale": scale,
        "factor": f,
        "today": today,
        "history": (first, last),
        "years": (firms.years[0], firms.years[-1]),
        "targets": {k: v * f if not k.endswith(("yoy_2021", "avg2_2021")) else v for k, v in TARGETS.items()},
        "revenue_calibration": sim.meta.get("revenue_calibration"),
        "tier_revenue_definition": "valid 小巨人/省级/市级专精特新 on 2021-12-31; 同口径 revenue 2019–2021",
        "exceptions": sim.meta["exceptions"],
        "shortfalls": sim.meta["shortfalls"],
        "target_misses": sim.meta["target_misses"],
        "evaluations": sim.meta["evaluations"],
        "tiers": {t.code: t.policy for t in TIERS.values()},
    }
    return DemoCity(firms.enterprises_frame(), firms.annual_frame(), titles, pools, comparison, seed, scale, meta)
