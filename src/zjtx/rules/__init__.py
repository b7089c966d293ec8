"""zjtx.rules — the rules-as-code engine: dated parameters, the declarative model, the Polars
compiler, the traced interpreter, the calculators' model and the gap solver.

It is the bottom layer: it imports nothing from the catalog (``zjtx.policies``), the public API,
the services or the web layer (an import-linter contract in pyproject.toml enforces it). Every
engine function takes the policies, the resolved parameters and the record contract it works with.
"""

from zjtx.rules.model import (  # noqa: F401
    Above,
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Below,
    ClearOrReview,
    Cmp,
    Cond,
    Const,
    Ctx,
    Div,
    Expert,
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
    Sub,
    Sum,
    Value,
)
from zjtx.rules.params import ParameterError, ParameterSet, Params, ParamValue  # noqa: F401
from zjtx.rules.policy import Extra, Policy, PolicyError, PolicyOK, Regime  # noqa: F401
from zjtx.rules.scoring import (  # noqa: F401
    Banded,
    BestOf,
    Categorical,
    Dimension,
    ExpertPoints,
    Score,
    ScoreAtLeast,
    Stepped,
    Tiered,
)
