"""openfisca_zjtx — a minimal OpenFisca country package with the 科技型中小企业 (tech_sme) score.

The comparison baseline of ``bench/bench_openfisca.py``: one person-like entity (an enterprise),
the score inputs as yearly variables, the three indicators of 国科发政〔2017〕115号 附件 as formulas
over OpenFisca ``single_amount`` scales (parameters/tech_sme/*.yaml), and the total. OpenFisca has
no nulls: missing inputs arrive as NaN and score 0 (the benchmark compares only records whose
zjtx score is determined). Boundaries use the same relative tolerance (1e-9) as zjtx.
"""

from pathlib import Path

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)


def _input(name, label):
    return type(name, (Variable,), {
        "value_type": float, "entity": Enterprise, "definition_period": DateUnit.YEAR, "label": label,
        "default_value": np.nan,
    })


INPUTS = {
    "employees": "职工总数",
    "tech_staff": "科技人员数",
    "sales_revenue": "销售收入",
    "revenue": "营业收入",
    "rd_expense_tax": "研发费用（加计扣除口径）",
    "total_cost": "成本费用支出总额",
    "ip1": "Ⅰ类知识产权数",
    "ip2": "Ⅱ类知识产权数",
}


def _ratio(a, b):
    ok = (b > 0) & ~np.isnan(a) & ~np.isnan(b)
    return np.where(ok, a / np.where(ok, b, 1.0), np.nan)


def _points(scale, value):
    shifted = value + np.abs(value) * 1e-9 + 1e-12
    return np.where(np.isnan(value), 0.0, scale.calc(np.nan_to_num(shifted, nan=-1.0)))


class tech_sme_staff_points(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "科技人员指标得分"

    def formula(enterprise, period, parameters):
        r = _ratio(enterprise("tech_staff", period), enterprise("employees", period))
        return _points(parameters(period).tech_sme.staff_bands, r)


class tech_sme_rd_points(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "研发投入指标得分（①②取高）"

    def formula(enterprise, period, parameters):
        p = parameters(period).tech_sme
        rd = enterprise("rd_expense_tax", period)
        sales = enterprise("sales_revenue", period)
        sales = np.where(np.isnan(sales), enterprise("revenue", period), sales)
        one = _points(p.rd_revenue_bands, _ratio(rd, sales))
        two = _points(p.rd_cost_bands, _ratio(rd, enterprise("total_cost", period)))
        return np.maximum(one, two)


class tech_sme_ip_points(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "科技成果指标得分"

    def formula(enterprise, period, parameters):
        p = parameters(period).tech_sme
        ip1 = enterprise("ip1", period)
        ip2 = _points(p.ip2_bands, enterprise("ip2", period))
        return np.where(ip1 >= 1, p.ip1_points, ip2)


class tech_sme_score(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "科技型中小企业综合评价得分"

    def formula(enterprise, period, parameters):
        return (enterprise("tech_sme_staff_points", period) + enterprise("tech_sme_rd_points", period)
                + enterprise("tech_sme_ip_points", period))


class ZjtxTaxBenefitSystem(TaxBenefitSystem):
    def __init__(self):
        super().__init__([Enterprise])
        for name, label in INPUTS.items():
            self.add_variable(_input(name, label))
        for v in (tech_sme_staff_points, tech_sme_rd_points, tech_sme_ip_points, tech_sme_score):
            self.add_variable(v)
        self.load_parameters(str(Path(__file__).parent / "parameters"))


CountryTaxBenefitSystem = ZjtxTaxBenefitSystem
