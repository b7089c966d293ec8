"""The calculators' expression nodes: one declaration, evaluated exactly for one record and compiled
to Polars for a register, with the same numbers in both.

Numbers are exact rationals in **yuan** (money) or plain units. A money input is read to the fen
(``⌊yuan × 100 + 0.5⌋``, the same IEEE operations in both executors), other numeric inputs to 10⁻⁶;
parameters are exact decimals. The interpreter computes with ``Fraction``; Polars with scaled
integers — an ``Int128`` expression and a denominator fixed at compile time — so a sum of products of
amounts and rates is exact in both, and rounding happens once, half-up to the fen, at the output.

Conditions are three-valued: ``None`` (Polars null) is unknown; ``And``/``Or``/``Not`` follow Kleene
logic in both executors. ``Case`` picks the first branch whose condition is *true* (an unknown
condition is passed over), as a Polars ``when`` chain does.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from typing import Any

import polars as pl

from zjtx.rules.nodes.base import text_pl

FEN = 100
MICRO = 10**6


def to_fen(v: Any) -> int | None:
    """Yuan (float/int/str/Decimal) → integer fen, ⌊x·100 + 0.5⌋ in IEEE double (as Polars does)."""
    if v is None:
        return None
    return math.floor(float(v) * FEN + 0.5)


def to_micro(v: Any) -> int | None:
    """A ratio or count read to 10⁻⁶ (as Polars does)."""
    if v is None:
        return None
    return math.floor(float(v) * MICRO + 0.5)


def half_up(x: Fraction) -> int:
    """Exact amount → integer, half-up (away from zero)."""
    if x < 0:
        return -half_up(-x)
    return math.floor(x + Fraction(1, 2))


# ---------------------------------------------------------------------------------------------
# evaluation environments
# ---------------------------------------------------------------------------------------------


@dataclass
class Env:
    """One record: the (checked) inputs, plus what the evaluation has read."""

    rec: Mapping[str, Any]
    cache: dict[int, Any] = field(default_factory=dict)
    period: Any = None  # the record's tax period (``Period``)


@dataclass
class PEnv:
    """A frame: sub-results used more than once (``reused``: node ids) become temporary columns when
    a ``Materializer`` is given; the others stay inline in the expression that reads them."""

    mat: Any = None
    key: Any = ""
    reused: frozenset[int] = frozenset()
    # every node compiles once per environment (a declaration is a DAG: without this, a node reached
    # along k paths is rebuilt k times, exponentially in the depth of nested ``Case``/``Lookup``)
    memo: dict[int, Any] = field(default_factory=dict)

    def shared(self, node: Node, build: Any) -> Any:
        if self.mat is None or id(node) not in self.reused:
            return build()
        expr = build()
        # keyed by the expression itself: the same sub-result in another parameter segment (e.g. the
        # size class of every month) is one column, not one per segment. Serialized, not ``str``:
        # the text abbreviates long literal lists, so two different expressions could share it
        try:
            ident: Any = expr.meta.serialize()
        except Exception:  # an expression Polars cannot serialize is not shared across segments
            ident = ("node", id(node), str(expr))
        return self.mat.get((self.key[0] if isinstance(self.key, tuple) else self.key, ident), lambda: expr)


def reused(roots: Sequence[Node]) -> frozenset[int]:
    """Ids of the nodes reachable from ``roots`` through more than one parent (or root)."""
    seen: dict[int, int] = {}

    def visit(n: Node) -> None:
        k = id(n)
        seen[k] = seen.get(k, 0) + 1
        if seen[k] == 1:
            for c in n.children():
                visit(c)

    for r in roots:
        visit(r)
    return frozenset(k for k, v in seen.items() if v > 1)


@dataclass(frozen=True)
class S:
    """A scaled number in Polars: value = ``e / den`` exactly (``e`` an Int128 expression)."""

    e: pl.Expr
    den: int


def _align(a: S, b: S) -> tuple[pl.Expr, pl.Expr, int]:
    den = math.lcm(a.den, b.den)
    return a.e * (den // a.den), b.e * (den // b.den), den


def _scaled(x: Fraction) -> S:
    return S(pl.lit(x.numerator, pl.Int128), x.denominator)


# ---------------------------------------------------------------------------------------------
# nodes
# ---------------------------------------------------------------------------------------------


class Node(ABC):
    """An expression: ``ev`` (exact, one record) and ``pl`` (Polars) with the same meaning."""

    kind = "num"  # "num" | "bool" | "str"

    def ev(self, env: Env) -> Any:
        key = id(self)
        if key not in env.cache:
            env.cache[key] = self._ev(env)
        return env.cache[key]

    def pl(self, env: PEnv) -> Any:
        key = id(self)
        if key in env.memo:
            return env.memo[key]
        if self.kind == "num":
            s = self._pl(env)
            e = env.shared(self, lambda: s.e)
            out: Any = S(e, s.den)
        else:
            out = env.shared(self, lambda: self._pl(env))
        env.memo[key] = out
        return out

    @abstractmethod
    def _ev(self, env: Env) -> Any:
        ...

    @abstractmethod
    def _pl(self, env: PEnv) -> Any:
        ...

    @abstractmethod
    def text(self) -> str:
        """How the node reads in a formula (the trace's 要求/口径)."""

    def fields(self) -> set[str]:
        out: set[str] = set()
        for c in self.children():
            out |= c.fields()
        return out

    def children(self) -> list[Node]:
        return []

    # sugar
    def __add__(self, o: Any) -> Node:
        return Add(self, lift(o))

    def __radd__(self, o: Any) -> Node:
        return Add(lift(o), self)

    def __sub__(self, o: Any) -> Node:
        return Sub(self, lift(o))

    def __rsub__(self, o: Any) -> Node:
        return Sub(lift(o), self)

    def __mul__(self, o: Any) -> Node:
        return Mul(self, lift(o))

    def __rmul__(self, o: Any) -> Node:
        return Mul(lift(o), self)

    def __le__(self, o: Any) -> Node:  # type: ignore[override]
        return Cmp(self, "<=", lift(o))

    def __lt__(self, o: Any) -> Node:  # type: ignore[override]
        return Cmp(self, "<", lift(o))

    def __ge__(self, o: Any) -> Node:  # type: ignore[override]
        return Cmp(self, ">=", lift(o))

    def __gt__(self, o: Any) -> Node:  # type: ignore[override]
        return Cmp(self, ">", lift(o))

    def __and__(self, o: Node) -> Node:
        return And(self, o)

    def __or__(self, o: Node) -> Node:
        return Or(self, o)

    def __invert__(self) -> Node:
        return Not(self)

    def is_null(self) -> Node:
        return IsNull(self)

    def known(self) -> Node:
        return Not(IsNull(self))


def lift(v: Any) -> Node:
    return v if isinstance(v, Node) else Const(v)


class Const(Node):
    def __init__(self, value: Any):
        if isinstance(value, bool):
            self.kind, self.value = "bool", value
        elif isinstance(value, str):
            self.kind, self.value = "str", value
        elif value is None:
            self.kind, self.value = "num", None
        else:
            self.kind, self.value = "num", Fraction(value)

    def _ev(self, env: Env) -> Any:
        return self.value

    def _pl(self, env: PEnv) -> Any:
        if self.kind == "num":
            return S(pl.lit(None, pl.Int128), 1) if self.value is None else _scaled(self.value)
        return pl.lit(self.value)

    def pl(self, env: PEnv) -> Any:  # constants are not materialized
        return self._pl(env)

    def text(self) -> str:
        return str(self.value)


class Money(Node):
    """A money input (yuan), read to the fen."""

    def __init__(self, name: str, label: str = ""):
        self.name, self.label = name, label

    def _ev(self, env: Env) -> Any:
        f = to_fen(env.rec.get(self.name))
        return None if f is None else Fraction(f, FEN)

    def _pl(self, env: PEnv) -> S:
        return S((pl.col(self.name).cast(pl.Float64) * FEN + 0.5).floor().cast(pl.Int128), FEN)

    def fields(self) -> set[str]:
        return {self.name}

    def text(self) -> str:
        return self.label or self.name


class Num(Node):
    """A numeric input (a ratio, an average headcount), read to 10⁻⁶."""

    def __init__(self, name: str, label: str = ""):
        self.name, self.label = name, label

    def _ev(self, env: Env) -> Any:
        m = to_micro(env.rec.get(self.name))
        return None if m is None else Fraction(m, MICRO)

    def _pl(self, env: PEnv) -> S:
        return S((pl.col(self.name).cast(pl.Float64) * MICRO + 0.5).floor().cast(pl.Int128), MICRO)

    def fields(self) -> set[str]:
        return {self.name}

    def text(self) -> str:
        return self.label or self.name


class Flag(Node):
    """A yes/no input (null: unknown)."""

    kind = "bool"

    def __init__(self, name: str):
        self.name = name

    def _ev(self, env: Env) -> Any:
        v = env.rec.get(self.name)
        return None if v is None else bool(v)

    def _pl(self, env: PEnv) -> pl.Expr:
        return pl.col(self.name).cast(pl.Boolean)

    def fields(self) -> set[str]:
        return {self.name}

    def text(self) -> str:
        return self.name


class Text(Node):
    """A text input, trimmed (and upper-cased when ``upper``); empty text is null."""

    kind = "str"

    def __init__(self, name: str, upper: bool = False):
        self.name, self.upper = name, upper

    def _ev(self, env: Env) -> Any:
        v = env.rec.get(self.name)
        if v is None:
            return None
        s = str(v).strip()
        s = s.upper() if self.upper else s
        return s or None

    def _pl(self, env: PEnv) -> pl.Expr:
        return text_pl(self.name, env.mat, self.upper)

    def fields(self) -> set[str]:
        return {self.name}

    def text(self) -> str:
        return self.name


class _Bin(Node):
    sym = "?"

    def __init__(self, a: Node, b: Node):
        self.a, self.b = a, b

    def children(self) -> list[Node]:
        return [self.a, self.b]

    def _ev(self, env: Env) -> Any:
        a, b = self.a.ev(env), self.b.ev(env)
        return None if a is None or b is None else self.op(a, b)

    @abstractmethod
    def op(self, a: Fraction, b: Fraction) -> Fraction:
        ...

    def text(self) -> str:
        return f"{self.a.text()} {self.sym} {self.b.text()}"


class Add(_Bin):
    sym = "+"

    def op(self, a, b):
        return a + b

    def _pl(self, env):
        x, y, den = _align(self.a.pl(env), self.b.pl(env))
        return S(x + y, den)


class Sub(_Bin):
    sym = "−"

    def op(self, a, b):
        return a - b

    def _pl(self, env):
        x, y, den = _align(self.a.pl(env), self.b.pl(env))
        return S(x - y, den)


class Mul(_Bin):
    sym = "×"

    def op(self, a, b):
        return a * b

    def _pl(self, env):
        a, b = self.a.pl(env), self.b.pl(env)
        return S(a.e * b.e, a.den * b.den)


class _Extreme(Node):
    def __init__(self, *items: Node):
        self.items = [lift(i) for i in items]

    def children(self) -> list[Node]:
        return self.items

    def _ev(self, env: Env) -> Any:
        vs = [i.ev(env) for i in self.items]
        return None if any(v is None for v in vs) else self.pick(vs)

    def _pl(self, env: PEnv) -> S:
        ss = [i.pl(env) for i in self.items]
        den = reduce(math.lcm, (s.den for s in ss), 1)
        exprs = [s.e * (den // s.den) for s in ss]
        out = self.pick_pl(exprs)
        known = pl.all_horizontal([e.is_not_null() for e in exprs])
        return S(pl.when(known).then(out), den)

    @abstractmethod
    def pick(self, vs: list[Fraction]) -> Fraction:
        ...

    @abstractmethod
    def pick_pl(self, exprs: list[pl.Expr]) -> pl.Expr:
        ...


class Min(_Extreme):
    def pick(self, vs):
        return min(vs)

    def pick_pl(self, exprs):
        return pl.min_horizontal(exprs)

    def text(self) -> str:
        return "min(" + ", ".join(i.text() for i in self.items) + ")"


class Max(_Extreme):
    def pick(self, vs):
        return max(vs)

    def pick_pl(self, exprs):
        return pl.max_horizontal(exprs)

    def text(self) -> str:
        return "max(" + ", ".join(i.text() for i in self.items) + ")"


_OPS = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "==": "="}


class Cmp(Node):
    """An exact comparison of two numbers (or, with ``==``, of two texts)."""

    kind = "bool"

    def __init__(self, a: Node, op: str, b: Node):
        self.a, self.op, self.b = a, op, b

    def children(self) -> list[Node]:
        return [self.a, self.b]

    def _ev(self, env: Env) -> Any:
        a, b = self.a.ev(env), self.b.ev(env)
        if a is None or b is None:
            return None
        return {"<=": a <= b, "<": a < b, ">=": a >= b, ">": a > b, "==": a == b}[self.op]

    def _pl(self, env: PEnv) -> pl.Expr:
        if self.a.kind != "num":
            x, y = self.a.pl(env), self.b.pl(env)
        else:
            x, y, _ = _align(self.a.pl(env), self.b.pl(env))
        return {"<=": x <= y, "<": x < y, ">=": x >= y, ">": x > y, "==": x == y}[self.op]

    def text(self) -> str:
        return f"{self.a.text()} {_OPS[self.op]} {self.b.text()}"


def Eq(a: Node, b: Any) -> Node:
    return Cmp(a, "==", lift(b))


class And(Node):
    kind = "bool"

    def __init__(self, *items: Any):
        self.items = [lift(i) for i in items]

    def children(self) -> list[Node]:
        return self.items

    def _ev(self, env: Env) -> Any:
        vs = [i.ev(env) for i in self.items]
        if any(v is False for v in vs):
            return False
        return None if any(v is None for v in vs) else True

    def _pl(self, env: PEnv) -> pl.Expr:
        return reduce(lambda a, b: a & b, [i.pl(env) for i in self.items])

    def text(self) -> str:
        return " 且 ".join(i.text() for i in self.items)


class Or(Node):
    kind = "bool"

    def __init__(self, *items: Any):
        self.items = [lift(i) for i in items]

    def children(self) -> list[Node]:
        return self.items

    def _ev(self, env: Env) -> Any:
        vs = [i.ev(env) for i in self.items]
        if any(v is True for v in vs):
            return True
        return None if any(v is None for v in vs) else False

    def _pl(self, env: PEnv) -> pl.Expr:
        return reduce(lambda a, b: a | b, [i.pl(env) for i in self.items])

    def text(self) -> str:
        return " 或 ".join(i.text() for i in self.items)


class Not(Node):
    kind = "bool"

    def __init__(self, item: Node):
        self.item = item

    def children(self) -> list[Node]:
        return [self.item]

    def _ev(self, env: Env) -> Any:
        v = self.item.ev(env)
        return None if v is None else not v

    def _pl(self, env: PEnv) -> pl.Expr:
        return ~self.item.pl(env)

    def text(self) -> str:
        return f"非({self.item.text()})"


class IsNull(Node):
    kind = "bool"

    def __init__(self, item: Node):
        self.item = item

    def children(self) -> list[Node]:
        return [self.item]

    def _ev(self, env: Env) -> Any:
        return self.item.ev(env) is None

    def _pl(self, env: PEnv) -> pl.Expr:
        v = self.item.pl(env)
        return (v.e if isinstance(v, S) else v).is_null()

    def text(self) -> str:
        return f"{self.item.text()} 为空"


class Case(Node):
    """The value of the first branch whose condition is true, else ``default`` (null: unknown)."""

    def __init__(self, branches: Sequence[tuple[Node, Any]], default: Any = None):
        self.branches = [(c, lift(v)) for c, v in branches]
        self.default = lift(default)
        kinds = {v.kind for _, v in self.branches if not (isinstance(v, Const) and v.value is None)}
        self.kind = kinds.pop() if len(kinds) == 1 else self.default.kind

    def children(self) -> list[Node]:
        return [x for c, v in self.branches for x in (c, v)] + [self.default]

    def _ev(self, env: Env) -> Any:
        for c, v in self.branches:
            if c.ev(env) is True:
                return v.ev(env)
        return self.default.ev(env)

    def _pl(self, env: PEnv) -> Any:
        if self.kind == "num":
            vals = [v.pl(env) for _, v in self.branches] + [self.default.pl(env)]
            den = reduce(math.lcm, (s.den for s in vals), 1)
            es = [s.e * (den // s.den) for s in vals]
            out: Any = None
            for (c, _), e in zip(self.branches, es[:-1], strict=True):
                cond = c.pl(env)
                out = pl.when(cond).then(e) if out is None else out.when(cond).then(e)
            return S(out.otherwise(es[-1]) if out is not None else es[-1], den)
        def val(n: Node) -> pl.Expr:
            x = n.pl(env)
            return pl.lit(None) if isinstance(x, S) else x  # a null branch of a text / flag case

        out = None
        for c, v in self.branches:
            out = pl.when(c.pl(env)).then(val(v)) if out is None else out.when(c.pl(env)).then(val(v))
        d = val(self.default)
        return out.otherwise(d) if out is not None else d

    def text(self) -> str:
        return "；".join(f"{c.text()} → {v.text()}" for c, v in self.branches) + f"；其他 → {self.default.text()}"


def If(cond: Node, then: Any, otherwise: Any = None) -> Node:
    """``then`` when ``cond`` holds, ``otherwise`` when it does not, null when it is unknown."""
    return Case([(cond, then), (Not(cond), otherwise)], None)


class Fill(Node):
    """``item``, or ``default`` where it is null."""

    def __init__(self, item: Node, default: Any):
        self.item, self.default = item, lift(default)
        self.kind = item.kind

    def children(self) -> list[Node]:
        return [self.item, self.default]

    def _ev(self, env: Env) -> Any:
        v = self.item.ev(env)
        return self.default.ev(env) if v is None else v

    def _pl(self, env: PEnv) -> Any:
        a, b = self.item.pl(env), self.default.pl(env)
        if isinstance(a, S):
            x, y, den = _align(a, b)
            return S(pl.coalesce(x, y), den)
        return pl.coalesce(a, b)

    def text(self) -> str:
        return self.item.text()


class StartsWith(Node):
    """A text starts with one of ``prefixes`` (null text: unknown)."""

    kind = "bool"

    def __init__(self, item: Node, prefixes: Sequence[str]):
        self.item, self.prefixes = item, [str(p) for p in prefixes]

    def children(self) -> list[Node]:
        return [self.item]

    def _ev(self, env: Env) -> Any:
        v = self.item.ev(env)
        return None if v is None else any(v.startswith(p) for p in self.prefixes)

    def _pl(self, env: PEnv) -> pl.Expr:
        v = self.item.pl(env)
        hit = pl.any_horizontal([v.str.starts_with(p) for p in self.prefixes]) if self.prefixes else pl.lit(False)
        return pl.when(v.is_not_null()).then(hit)

    def text(self) -> str:
        return f"{self.item.text()} 以 {'/'.join(self.prefixes)} 开头"


class OneOf(Node):
    """A text is one of ``values`` (null text: unknown)."""

    kind = "bool"

    def __init__(self, item: Node, values: Sequence[str]):
        self.item, self.values = item, [str(v) for v in values]

    def children(self) -> list[Node]:
        return [self.item]

    def _ev(self, env: Env) -> Any:
        v = self.item.ev(env)
        return None if v is None else v in self.values

    def _pl(self, env: PEnv) -> pl.Expr:
        v = self.item.pl(env)
        return pl.when(v.is_not_null()).then(v.is_in(self.values))

    def text(self) -> str:
        return f"{self.item.text()} ∈ {{{'、'.join(self.values)}}}"


class Lookup(Node):
    """``table[key]`` for a text key (``prefix``: the longest prefix of the key that is in the table);
    ``default`` for a key not in it; null for a null key. Values: numbers or texts."""

    def __init__(self, key: Node, table: Mapping[str, Any], default: Any = None, prefix: bool = False,
                 kind: str | None = None):
        self.key, self.table, self.default, self.prefix = key, dict(table), default, prefix
        vals = list(self.table.values()) + ([default] if default is not None else [])
        self.kind = kind or ("str" if vals and all(isinstance(v, str) for v in vals) else "num")

    def children(self) -> list[Node]:
        return [self.key]

    def _ev(self, env: Env) -> Any:
        k = self.key.ev(env)
        if k is None:
            return None
        if self.prefix:
            for n in range(len(k), 0, -1):
                if k[:n] in self.table:
                    return self._val(self.table[k[:n]])
            return self._val(self.default)
        return self._val(self.table.get(k, self.default))

    def _val(self, v: Any) -> Any:
        return None if v is None else (v if self.kind == "str" else Fraction(v))

    def _pl(self, env: PEnv) -> Any:
        k = self.key.pl(env)
        if self.kind == "str":
            return self._pl_map(k, {a: b for a, b in self.table.items()}, self.default, pl.String)
        vals = {a: Fraction(b) for a, b in self.table.items()}
        d = None if self.default is None else Fraction(self.default)
        den = reduce(math.lcm, (v.denominator for v in [*vals.values(), *([d] if d is not None else [])]), 1)
        ints = {a: int(v * den) for a, v in vals.items()}
        e = self._pl_map(k, ints, None if d is None else int(d * den), pl.Int128)
        return S(e, den)

    def _pl_map(self, k: pl.Expr, m: dict[str, Any], default: Any, dtype: Any) -> pl.Expr:
        if not self.prefix:
            out = k.replace_strict(m, default=default, return_dtype=dtype)
            return pl.when(k.is_not_null()).then(out)
        lengths = sorted({len(a) for a in m}, reverse=True)
        parts = [k.str.slice(0, n).replace_strict({a: v for a, v in m.items() if len(a) == n}, default=None,
                                                  return_dtype=dtype) for n in lengths]
        return pl.when(k.is_not_null()).then(pl.coalesce([*parts, pl.lit(default, dtype)]))

    def text(self) -> str:
        return f"按 {self.key.text()} 查表"


class Concat(Node):
    """Texts joined (null if any is null)."""

    kind = "str"

    def __init__(self, *items: Any):
        self.items = [lift(i) for i in items]

    def children(self) -> list[Node]:
        return self.items

    def _ev(self, env: Env) -> Any:
        vs = [i.ev(env) for i in self.items]
        return None if any(v is None for v in vs) else "".join(vs)

    def _pl(self, env: PEnv) -> pl.Expr:
        return pl.concat_str([i.pl(env) for i in self.items])

    def text(self) -> str:
        return " ‖ ".join(i.text() for i in self.items)


class Round(Node):
    """A yuan amount rounded half-up to the fen (as the outputs are)."""

    def __init__(self, item: Node):
        self.item = item

    def children(self) -> list[Node]:
        return [self.item]

    def _ev(self, env: Env) -> Any:
        v = self.item.ev(env)
        return None if v is None else Fraction(half_up(v * FEN), FEN)

    def _pl(self, env: PEnv) -> S:
        return S(compiled_fen(self.item.pl(env)).cast(pl.Int128), FEN)

    def text(self) -> str:
        return self.item.text()


def compiled_fen(s: S) -> pl.Expr:
    """A scaled yuan amount as Int64 fen, rounded half-up (away from zero)."""
    num, den = s.e * FEN, s.den
    zero = pl.lit(0, pl.Int128)
    pos = (num * 2 + den) // (2 * den)
    neg = zero - (((zero - num) * 2 + den) // (2 * den))  # Int128 has no negation: 0 − x
    return pl.when(num >= 0).then(pos).otherwise(neg).cast(pl.Int64)


def exact_fen(v: Fraction | None) -> int | None:
    return None if v is None else half_up(Fraction(v) * FEN)
