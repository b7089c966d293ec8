"""zjtx vs OpenFisca: the tech_sme score on the same records, same answers checked.

    .venv/bin/python bench/bench_openfisca.py --n 1000000

OpenFisca side: ``bench/openfisca_zjtx`` (a minimal country package), timed from numpy input
arrays in memory to the computed score (simulation built, inputs set, ``calculate``). zjtx side:
the full compiled ``tech_sme`` plan (status, score interval, indicator points, route, missing and
manual lists — much more than the score) from the same records in memory, and the score columns
alone. Answers: every record whose zjtx score is determined must get the same OpenFisca score.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import polars as pl
from common import BENCH, ON, data_file, line, timed, verdict

INPUTS = {
    "employees": "employees_y1",
    "tech_staff": "tech_staff_y1",
    "sales_revenue": "sales_revenue_y1",
    "revenue": "revenue_y1",
    "rd_expense_tax": "rd_expense_tax_y1",
    "total_cost": "total_cost_y1",
    "ip1": "ip1",
    "ip2": "ip2",
}


def openfisca_system():
    sys.path.insert(0, str(BENCH))
    from openfisca_zjtx import CountryTaxBenefitSystem

    tbs = CountryTaxBenefitSystem()
    for v in tbs.variables.values():  # exact like zjtx: float64, not OpenFisca's default float32
        if v.value_type is float:
            v.dtype = np.float64
    return tbs


def openfisca_score(tbs, arrays: dict[str, np.ndarray], n: int) -> np.ndarray:
    from openfisca_core.simulation_builder import SimulationBuilder

    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for name, arr in arrays.items():
        sim.set_input(name, "2024", arr)
    return sim.calculate("tech_sme_score", "2024")


def run(n: int, repeat: int = 1, whatif: str | None = None) -> float:
    import zjtx

    if whatif:
        import whatif as w

        w.apply(whatif.split(",") if whatif != "all" else "all")
    from zjtx.policies.tech_sme import POLICY

    fields = sorted(set(POLICY.input_fields(__import__("datetime").date.fromisoformat(ON))) | {"uscc"})
    df = pl.read_parquet(data_file(n), columns=fields)
    n = df.height
    arrays = {k: df[c].cast(pl.Float64).to_numpy() for k, c in INPUTS.items()}
    tbs = openfisca_system()
    score_cols = ["tech_sme.score", "tech_sme.score_min", "tech_sme.score_max"]

    t_full, z = timed(lambda: zjtx.evaluate(df, on=ON, policies="tech_sme", validate=False), repeat)
    t_score, _ = timed(lambda: zjtx.evaluate_lazy(df, on=ON, policies="tech_sme", validate=False)
                       .select(score_cols).collect(), repeat)
    t_of, s = timed(lambda: openfisca_score(tbs, arrays, n), repeat)

    zs = z["tech_sme.score"].to_numpy()
    known = ~np.isnan(zs)
    same = np.array_equal(zs[known], s[known])
    mismatches = int((zs[known] != s[known]).sum())
    line("openfisca", n=n, engine="openfisca", what="score", secs=t_of, rate=n / t_of)
    line("openfisca", n=n, engine="zjtx", what="tech_sme_all_columns", secs=t_full, rate=n / t_full)
    line("openfisca", n=n, engine="zjtx", what="score_columns", secs=t_score, rate=n / t_score)
    speedup = t_of / t_score
    line("openfisca", n=n, ratio="openfisca/zjtx_score", value=speedup, target=">=8",
         verdict=verdict(speedup, 8, higher_is_better=True),
         answers_checked=int(known.sum()), same_answers=same, mismatches=mismatches, whatif=whatif or "-")
    full = t_of / t_full
    line("openfisca", n=n, ratio="openfisca_score/zjtx_all_columns", value=full, target=">=1",
         verdict=verdict(full, 1, higher_is_better=True))
    return speedup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="best of (the plan compiles once per register, as in a run)")
    ap.add_argument("--whatif", default=None, help="engine what-if patches (bench/whatif.py): all|bands|lists")
    a = ap.parse_args()
    for n in a.n:
        run(n, a.repeat, a.whatif)


if __name__ == "__main__":
    main()
