"""zjtx.rules — the rules-as-code engine: dated parameters, the declarative model, the Polars
compiler, the traced interpreter, the calculators' model and the gap solver.

It is the bottom layer: it imports nothing from the catalog (``zjtx.policies``), the public API,
the services or the web layer (an import-linter contract in pyproject.toml enforces it). Every
engine function takes the policies, the resolved parameters and the record contract it works with.
"""

from zjtx.rules.nodes import (  # noqa: F401
    Above,
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Banded,
    Below,
    BestOf,
    Categorical,
    ClearOrReview,
    Cmp,
    Cond,
    Const,
    Ctx,
    Dimension,
    Div,
    Expert,
    ExpertPoints,
    F,
    HasRank,
    Implies,
    In,
    Is,
    IsFalse,
    IsTrue,
    Literal,
    Mean,
    Mul,
    Not,
    NumF,
    Option,
    P,
    ParamFlag,
    RankAtMost,
    Ratio,
    Score,
    ScoreAtLeast,
    Stepped,
    Sub,
    Sum,
    Tiered,
    Value,
)
from zjtx.rules.params import ParameterError, ParameterSet, Params, ParamValue  # noqa: F401
from zjtx.rules.policy import Extra, Policy, PolicyError, PolicyOK, Regime  # noqa: F401
