"""zjtx.rules — the rules-as-code engine: dated parameters, the declarative model, the Polars
compiler, the traced interpreter (and, in sibling modules, the gap solver and the Spark runner).

It imports nothing from the web layer and nothing from the catalog; policies are declared in
``zjtx.policies`` with the building blocks exported here.
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
from zjtx.rules.policy import Extra, Policy, PolicyError, PolicyOK, Regime, get_policy, register  # noqa: F401
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
