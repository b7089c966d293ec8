"""The gap solver (一企一策): the cheapest ways for one enterprise to reach ``qualified``.

The solver inverts the declarative rule — it reads the band edges, tier counts, category tables and
comparison thresholds of the policy's own nodes, never tries random values:

* a comparison ``value op threshold`` is solved for one input field (``invert``): ratios are solved
  for their numerator with the denominator as it is (or jointly when raising the numerator raises
  the denominator, e.g. hiring a 科技人员 raises 职工总数), differences and sums for one term;
* an indicator (``Banded``, ``Tiered``, ``Categorical``, ``Stepped``, ``BestOf``) yields one
  *upgrade* per better band: the smallest change of one input that lands on that band's edge;
* a scored route (total ≥ threshold and every dimension floor) is a small branch-and-bound search
  over at most ``max_changes`` indicator upgrades, bounded by the best gains still available and by
  the cost of the options already found;
* ``All`` combines the fixes of its failing parts, ``AnyOf`` offers each route, ``PolicyOK``
  recurses into the other policy; vetoes (否决项), expert items (需专家评审), awards and size limits
  are never options — they become the reasons an enterprise cannot close the gap.

Every option is **verified**: its changes are applied to the record and the policy is evaluated
again (the interpreter for one record; the compiled Polars plan for a register in ``near_miss``).
Only options that evaluate to ``qualified`` are returned. Costs follow the effort model of
``effort.yaml`` (this project's planning assumptions, not law; docs/gaps-and-reform.md).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from zjtx.rules.gaps.effort import EffortModel, effort_model
from zjtx.rules.gaps.result import Changes, GapChange, GapOption, PolicyGaps, add_years, as_plain, yuan_text
from zjtx.rules.inputs import Schema, coerce_record
from zjtx.rules.nodes import (
    UNDEF,
    Cond,
    Ctx,
    Dimension,
    ExpertPoints,
    Indicator,
    Score,
    ScoreAtLeast,
    Value,
    compare,
    fmt,
    num,
)
from zjtx.rules.params import Params, exact
from zjtx.rules.policy import Policy, Regime, status_of

_NUMERIC_KINDS = {"money", "business", "count", "level", "time"}


def _ceil(x: Fraction) -> int:
    return math.ceil(x)


def _floor(x: Fraction) -> int:
    return math.floor(x)


class Solver:
    """Gap solving for one policy on one date (parameters resolved; records vary)."""

    def __init__(
        self,
        policy: Policy,
        params: Params,
        on: dt.date,
        options: Mapping[str, Any] | None = None,
        model: EffortModel | None = None,
        allowed: Iterable[str] | None = None,
        max_cost: Any = None,
        max_changes: int | None = None,
        depth: int = 0,
        *,
        schema: Schema,
        registry: Mapping[str, Any] | None = None,
        shared: dict[Any, Any] | None = None,
    ):
        self.policy = policy
        self.params = params
        self.on = on
        self.schema = schema
        self.registry = dict(registry or {})
        self.options = dict(options or {})
        self.regime: Regime = policy.regime_at(on, (self.options.get("regimes") or {}).get(policy.id))
        self.model = model or effort_model()
        self.allowed = set(allowed) if allowed is not None else None
        self.max_cost = Fraction(exact(max_cost)) if max_cost is not None else None
        self.max_changes = max_changes or self.model.max_changes
        self.depth = depth
        self.keep = max(self.model.options_per_policy * 3, 8)
        self.reasons: list[str] = []
        self.fields = self.regime.fields()
        self._memo_rec: Any = None
        self._memo: dict[str, Any] = {}
        # solvers of title prerequisites, shared by the solvers of one ladder (and their results per record)
        self.shared: dict[Any, Any] = shared if shared is not None else {}

    # ---- evaluation --------------------------------------------------------------------------
    def cx(self, mode: str | None = None) -> Ctx:
        return Ctx(self.params, self.on, self.options, mode=mode)

    def status(self, rec: Mapping[str, Any]) -> tuple[str, Any]:
        cache: dict[Any, Any] = {}  # indicator intervals and mode-free conditions, shared by the modes
        q = self.regime.qualify.ev(rec, Ctx(self.params, self.on, self.options, cache=cache))
        q_lo = q_hi = q  # a determined result is the same in both review modes (status_of reads q alone)
        if q is None:
            q_lo = self.regime.qualify.ev(rec, Ctx(self.params, self.on, self.options, mode="lo", cache=cache))
            q_hi = self.regime.qualify.ev(rec, Ctx(self.params, self.on, self.options, mode="hi", cache=cache))
        score = None
        if self.regime.score is not None:
            lo, hi, _, _ = self.regime.score.ev(rec, Ctx(self.params, self.on, self.options, cache=cache))
            score = lo if lo == hi else None
        return status_of(q, q_lo, q_hi), score

    def missing(self, rec: Mapping[str, Any]) -> list[str]:
        fb = self.regime.fallbacks()
        return [f for f in self.regime.data_fields()
                if rec.get(f) is None and (f not in fb or rec.get(fb[f]) is None)]

    def label(self, f: str) -> str:
        return self.model.label(f, self.schema)

    def note(self, text: str) -> None:
        if text not in self.reasons:
            self.reasons.append(text)

    # ---- field rules ---------------------------------------------------------------------------
    def spec(self, f: str) -> dict[str, Any] | None:
        s = self.model.spec(f)
        if s is None:
            return None
        if self.allowed is not None and f not in self.allowed and s.get("kind") not in ("veto",):
            return None
        return s

    def direction(self, f: str) -> str:
        s = self.model.spec(f) or {}
        return str(s.get("direction", "up"))

    def better(self, f: str, a: Any, b: Any) -> Any:
        """The more demanding of two target values of one field."""
        s = self.model.spec(f) or {}
        k = s.get("kind")
        if k == "category":
            ladder = list(s.get("ladder", []))
            return a if ladder.index(a) >= ladder.index(b) else b
        if isinstance(a, bool) or isinstance(b, bool):
            return a if a == s.get("to", True) else b
        if self.direction(f) == "down":
            return min(a, b)
        return max(a, b)

    def merge(self, *sets: Changes) -> Changes:
        out: Changes = {}
        for s in sets:
            for f, v in s.items():
                out[f] = v if f not in out else self.better(f, out[f], v)
        return out

    def close(self, changes: Changes, rec: Mapping[str, Any]) -> tuple[Changes, dict[str, Any]]:
        """Add the fields that rise with a changed field (``parents``); returns the changes and,
        per parent, the units already paid for by its children."""
        out = dict(changes)
        paid: dict[str, Any] = {}
        for f, v in changes.items():
            s = self.model.spec(f) or {}
            if not s.get("parents"):
                continue
            cur = num(rec.get(f))
            if cur is None:
                continue
            d = Fraction(v) - cur
            if d <= 0:
                continue
            for p in s["parents"]:
                pc = num(rec.get(p))
                if pc is None:
                    continue
                paid[p] = max(paid.get(p, 0), d)
        for p, d in paid.items():
            pc = num(rec.get(p))
            target = pc + d
            out[p] = as_plain(max(Fraction(out[p]), target) if p in out else target)
        return out, paid

    def price(self, changes: Changes, rec: Mapping[str, Any]) -> tuple[Fraction, Fraction, list[GapChange]]:
        """The money cost, the years of waiting and the change rows of a (closed) change set."""
        closed, paid = self.close(changes, rec)
        cost, wait = Fraction(0), Fraction(0)
        rows: list[GapChange] = []
        def derived(f: str) -> bool:
            cn = num(rec.get(f)) if not isinstance(rec.get(f), str) else None
            return f in paid and cn is not None and Fraction(closed[f]) - cn <= paid[f]

        for f in sorted(closed, key=lambda x: (derived(x), x)):
            v = closed[f]
            cur = rec.get(f)
            s = self.model.spec(f) or {}
            kind = "derived" if derived(f) else s.get("kind", "derived")
            c = Fraction(0)
            delta: Any = None
            wait_until = None
            if kind in ("money", "business", "count", "level", "time", "derived"):
                cn = num(cur) if cur is not None else Fraction(0)
                delta = Fraction(v) - cn
                if kind in ("money", "business"):
                    c = abs(delta) * Fraction(s.get("per_yuan", 1))
                elif kind == "count":
                    units = max(delta - paid.get(f, 0), 0)
                    c = units * Fraction(s.get("unit_cost", 0))
                elif kind == "level":
                    c = max(delta, 0) * Fraction(s.get("step_cost", 0))
                elif kind == "time":
                    wait = max(wait, delta)
                    wait_until = add_years(self.on, delta) if delta > 0 else None
                delta = as_plain(delta)
            elif kind == "category":
                table = s.get("cost", {})
                c = max(Fraction(table.get(v, 0)) - Fraction(table.get(cur or "none", 0)), 0)
                delta = f"{cur} → {v}"
            elif kind == "flag":
                c = Fraction(s.get("cost", 0)) if v else Fraction(0)
                delta = "是" if v else "否"
            elif kind == "title":
                delta = "是"
            cost += c
            if kind == "derived":
                label = self.label(f) + "（随之增加）"
                unit_text = ""
            else:
                label = self.label(f)
                unit_text = str(s.get("unit_text", ""))
            rows.append(GapChange(f, label, "count" if kind == "derived" else kind, cur, as_plain(v), delta, c,
                                  unit_text, wait_until))
        return cost, wait, rows

    def effort_of(self, changes: Changes, rec: Mapping[str, Any]) -> Fraction:
        memo = self._memo_for(rec)["effort"]
        key = tuple(sorted((f, str(v)) for f, v in changes.items()))
        if key not in memo:
            memo[key] = self._effort(changes, rec)
        return memo[key]

    def _effort(self, changes: Changes, rec: Mapping[str, Any]) -> Fraction:
        """``price`` without the change rows (the search calls this often; ``price`` stays the
        reference and the tests compare both through the returned options). Exact, with integral
        amounts kept as ``int`` (the common case) to spare ``Fraction`` arithmetic."""
        closed, paid = self.close(changes, rec)
        cost: Any = 0
        wait: Any = 0
        for f, v in closed.items():
            s = self.model.fields.get(f)
            if s is None:
                continue
            kind = s.get("kind")
            cur = rec.get(f)
            if kind in ("money", "business"):
                cost += abs(_q(v) - _q(cur or 0)) * s.get("per_yuan", 1)
            elif kind == "count":
                cost += max(_q(v) - _q(cur or 0) - _q(paid.get(f, 0)), 0) * s.get("unit_cost", 0)
            elif kind == "level":
                cost += max(_q(v) - _q(cur or 0), 0) * s.get("step_cost", 0)
            elif kind == "time":
                wait = max(wait, _q(v) - _q(cur or 0))
            elif kind == "category":
                table = s.get("cost", {})
                cost += max(Fraction(table.get(v, 0)) - Fraction(table.get(cur or "none", 0)), 0)
            elif kind == "flag" and v:
                cost += s.get("cost", 0)
        return Fraction(cost) + wait * self.model.year_equivalent_yuan

    # ---- per-record memo (conditions, indicator points, efforts) ------------------------------------
    def _memo_for(self, rec: Mapping[str, Any]) -> dict[str, Any]:
        if self._memo_rec is not rec:
            self._memo_rec = rec
            self._memo = {"cond": {}, "ind": {}, "effort": {}, "cx": self.cx("lo")}
        return self._memo

    def holds(self, cond: Cond, rec: Mapping[str, Any]) -> bool | None:
        """The condition on the record as it stands, review items at their least favourable."""
        m = self._memo_for(rec)
        k = id(cond)
        if k not in m["cond"]:
            m["cond"][k] = cond.ev(rec, m["cx"])
        return m["cond"][k]

    def points(self, ind: Indicator, rec: Mapping[str, Any], mode: str | None = "lo") -> tuple[Any, Any]:
        """An indicator's points bounds on the record as it stands (no trace)."""
        m = self._memo_for(rec)
        k = (id(ind), mode)
        if k not in m["ind"]:
            iv = ind.interval(rec, Ctx(self.params, self.on, self.options, mode=mode))
            m["ind"][k] = (iv[0], iv[2]) if mode == "lo" else (iv[0], iv[1])
        return m["ind"][k]

    # ---- inverting value nodes -------------------------------------------------------------------
    def invert(self, node: Value, op: str, target: Any, rec: Mapping[str, Any], cx: Ctx) -> list[Changes]:
        """Alternatives (one field each) that make ``node op target`` hold: the node's own inversion."""
        if target is None or target is UNDEF:
            return []
        return node.invert(self, op, Fraction(target), rec, cx)

    def invert_sum(self, items: Sequence[Value], op: str, target: Any, rec: Mapping[str, Any],
                   cx: Ctx) -> list[Changes]:
        """``Σ items op target`` solved for one term at a time, the others as they are."""
        vals = [i.ev(rec, cx) for i in items]
        if any(v is None or v is UNDEF for v in vals):
            return []
        out: list[Changes] = []
        total = sum(vals, Fraction(0))
        for i, v in zip(items, vals, strict=True):
            out += self.invert(i, op, Fraction(target) - (total - v), rec, cx)
        return out

    def _round(self, f: str, op: str, target: Fraction) -> Fraction:
        # every actionable field is integral: yuan, counts, levels, whole years
        if op == ">=":
            return Fraction(_ceil(target - abs(target) * Fraction(1, 10**12)))
        if op == ">":
            return Fraction(_floor(target) + 1)
        if op == "<=":
            return Fraction(_floor(target + abs(target) * Fraction(1, 10**12)))
        if op == "<":
            return Fraction(_ceil(target) - 1)
        return target

    def invert_field(self, f: str, op: str, target: Fraction, rec: Mapping[str, Any]) -> list[Changes]:
        s = self.spec(f)
        cur = num(rec.get(f)) if not isinstance(rec.get(f), str) else None
        if s is None or s.get("kind") not in _NUMERIC_KINDS:
            self.blocked_field(f)
            return []
        if cur is None:
            self.note(f"{self.label(f)} 缺少数据")
            return []
        up = op in (">=", ">")
        if op == "==" or up != (self.direction(f) == "up"):
            self.note(f"{self.label(f)} 需要向不利方向变化，不作为方案")
            return []
        new = self._round(f, op, target)
        if not compare(new, op, target):
            new = new + (1 if up else -1)
        if (up and new <= cur) or (not up and new >= cur):
            return []
        if up and "max" in s and new > Fraction(s["max"]):
            self.note(f"{self.label(f)} 需达到 {fmt(new)}，超过上限 {fmt(s['max'])}")
            return []
        if not up and new < 0:
            self.note(f"{self.label(f)} 需降至负数，无法实现")
            return []
        cap = s.get("cap")
        if cap and up:
            cv = num(rec.get(cap))
            if cv is not None and new > cv:
                self.note(f"{self.label(f)} 需达到 {yuan_text(new)}，超过{self.label(cap)}")
                return []
        return [{f: as_plain(new)}]

    def invert_coupled(self, f: str, g: str, op: str, x: Fraction, rec: Mapping[str, Any]) -> list[Changes]:
        """(f + d) / (g + d) op x when adding to f adds to g too (e.g. 科技人员 / 职工总数)."""
        a, b = num(rec.get(f)), num(rec.get(g))
        if a is None or b is None:
            return []
        if x >= 1:
            self.note(f"{self.label(f)} 占比需达到 {fmt(x * 100)}%，无法通过增聘实现")
            return []
        d = (x * b - a) / (1 - x)
        units = max(_ceil(d), 0)
        while not compare(Fraction(a + units), op, x * (b + units)):
            units += 1
        if units <= 0:
            return []
        return [{f: as_plain(a + units)}]

    def blocked_field(self, f: str) -> None:
        s = self.model.spec(f) or {}
        if s.get("kind") == "veto":
            self.note(f"存在否决项：{self.label(f)}")
        elif self.allowed is not None and f not in self.allowed and s:
            self.note(f"{self.label(f)} 不在允许调整的范围内")
        else:
            self.note(f"{self.label(f)} 不能通过投入改变（不作为方案）")

    # ---- indicator upgrades -----------------------------------------------------------------------
    def upgrades(self, ind: Indicator, rec: Mapping[str, Any], cx: Ctx, cur: Any) -> list[tuple[Any, Changes]]:
        """(points after, changes) for every better level of one indicator: its own upgrades."""
        return ind.upgrades(self, rec, cx, cur)

    def category_value(self, f: str, key: Any, rec: Mapping[str, Any]) -> Any:
        s = self.spec(f) or {}
        kind = s.get("kind")
        cur = rec.get(f)
        if kind == "flag" and isinstance(key, bool):
            return key if key == s.get("to", True) else None
        if kind == "category":
            ladder = list(s.get("ladder", []))
            if key in ladder and (cur not in ladder or ladder.index(key) > ladder.index(cur)):
                return key
            return None
        if kind in ("level", "count"):
            try:
                v = int(str(key))
            except ValueError:
                return None
            if cur is not None and v > int(cur) and ("max" not in s or v <= s["max"]):
                return v
        return None

    # ---- the scored route ---------------------------------------------------------------------------
    def score_options(self, constraints: list[ScoreAtLeast], rec: Mapping[str, Any], cx: Ctx) -> list[Changes]:
        """Branch and bound over indicator upgrades so that every constraint holds."""
        targets = []
        inds: dict[int, Indicator] = {}
        for c in constraints:
            dims = c.target.dimensions if isinstance(c.target, Score) else [c.target]
            t = c.threshold.ev(rec, cx)
            targets.append((dims, t, c.strict))
            for d in dims:
                for i in d.indicators:
                    inds[id(i)] = i
        pts: dict[int, Any] = {}
        for k, i in inds.items():
            lo, lh = self.points(i, rec, "lo")
            if lo != lh:
                self.note(f"指标「{i.label}」得分待核验（缺少数据），无法计算差距")
                return []
            pts[k] = lo
            if isinstance(i, ExpertPoints) and rec.get(i.field) is None:
                self.note(f"需专家评审：{i.label}（按最低分计算）")

        caps = {id(d): cx.p(d.cap) for dims, _, _ in targets for d in dims if d.cap}
        members = {id(d): [id(i) for i in d.indicators] for dims, _, _ in targets for d in dims}

        def value(dims: list[Dimension], sel: Mapping[int, Any]) -> Any:
            total: Any = 0
            for d in dims:
                get = sel.get
                s = sum(get(k, pts[k]) for k in members[id(d)])
                if d.cap:
                    s = min(s, caps[id(d)])
                total += s
            return total

        def holds(sel: Mapping[int, Any]) -> bool:
            for dims, t, strict in targets:
                v = value(dims, sel)
                if (v <= t) if strict else (v < t):
                    return False
            return True

        if holds({}):
            return [{}]
        ups: list[tuple[int, list[tuple[Fraction, Changes, Fraction]]]] = []
        for k, i in inds.items():
            lst = []
            for p, ch in self.upgrades(i, rec, cx, pts[k]):
                lst.append((p, ch, self.effort_of(ch, rec)))
            # Pareto: keep an upgrade only if no cheaper-or-equal one gives at least its points
            lst.sort(key=lambda u: (u[2], -u[0]))
            pareto: list[tuple[Fraction, Changes, Fraction]] = []
            for u in lst:
                if self.max_cost is not None and u[2] > self.max_cost:
                    continue
                if all(u[0] > q[0] for q in pareto):
                    pareto.append(u)
            if pareto:
                ups.append((k, pareto))
        if not ups:
            self.note("没有可提升的评分指标")
            return []
        max_gain = {k: max(u[0] for u in lst) - pts[k] for k, lst in ups}
        target_inds = [({id(i) for d in dims for i in d.indicators}, dims, t, strict) for dims, t, strict in targets]
        keep = self.keep
        # the ``keep`` cheapest found so far, as a max-heap on (cost, order found): the worst is on top
        found: list[tuple[Fraction, int, Changes]] = []
        counter = itertools.count()

        def bound_ok(pos: int, sel: dict[int, Any], slots: int) -> bool:
            rest = [k for k, _ in ups[pos:]]
            for ids, dims, t, strict in target_inds:
                need = t - value(dims, sel)
                if need < 0 or (need == 0 and not strict):
                    continue
                gains = sorted((max_gain[k] for k in rest if k in ids), reverse=True)[:slots]
                if sum(gains) < need or (strict and sum(gains) == need):
                    return False
            return True

        def limit() -> Fraction | None:
            lim = self.max_cost
            if len(found) >= keep:
                worst = -found[0][0]
                lim = worst if lim is None else min(lim, worst)
            return lim

        def dfs(pos: int, sel: dict[int, Any], changes: Changes, cost: Fraction, slots: int) -> None:
            if holds(sel):
                heapq.heappush(found, (-cost, -next(counter), changes))
                if len(found) > keep:
                    heapq.heappop(found)
                return
            if slots == 0 or pos >= len(ups) or not bound_ok(pos, sel, slots):
                return
            k, lst = ups[pos]
            for p, ch, _ in lst:
                merged = self.merge(changes, ch)
                c = self.effort_of(merged, rec)
                lim = limit()
                if lim is not None and c > lim:
                    continue
                sel[k] = p
                dfs(pos + 1, sel, merged, c, slots - 1)
                del sel[k]
            dfs(pos + 1, sel, changes, cost, slots)

        dfs(0, {}, {}, Fraction(0), self.max_changes)
        if not found:
            self.note(f"在{self.max_changes}项以内的指标提升{'及投入上限内' if self.max_cost is not None else ''}无法达到合格分及各维度下限")
        return [ch for _, _, ch in sorted(found, key=lambda x: (-x[0], -x[1]))]

    # ---- conditions --------------------------------------------------------------------------------
    def solve(self, cond: Cond, rec: Mapping[str, Any], cx: Ctx | None = None) -> list[Changes]:
        """Alternative change sets (unverified) that would make ``cond`` hold: the condition's own
        inversion (``Cond.gap``), which calls back here for search and pricing."""
        cx = cx or self._memo_for(rec)["cx"]
        if self.holds(cond, rec) is True:
            return [{}]
        return cond.gap(self, rec, cx)

    def date_only(self, cond: Cond) -> bool:
        fs = cond.fields()
        return bool(fs) and all(getattr(self.schema.get(f), "kind", None) == "date" for f in fs)

    def note_earliest(self, cond: Cond, rec: Mapping[str, Any], label: str) -> None:
        """A condition on dates only (e.g. 成立满一年) cannot be bought: the earliest date it holds."""

        def ok(day: dt.date) -> bool:
            return cond.ev(rec, Ctx(self.params, day, self.options, mode="lo")) is True

        hi = 1
        while hi <= 365 * 30 and not ok(self.on + dt.timedelta(days=hi)):
            hi *= 2
        if hi > 365 * 30:
            self.note(f"未满足：{label}（30年内不会满足）")
            return
        lo = hi // 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(self.on + dt.timedelta(days=mid)):
                hi = mid
            else:
                lo = mid
        self.note(f"未满足：{label}，不能用投入替代，最早于 {(self.on + dt.timedelta(days=hi)).isoformat()} 满足")

    def flag(self, name: str, want: bool, rec: Mapping[str, Any]) -> list[Changes]:
        s = self.spec(name)
        cur = rec.get(name)
        if cur is None:
            self.note(f"{self.label(name)} 缺少数据")
            return []
        kind = (s or {}).get("kind")
        if kind == "veto" or (s is None and (self.model.spec(name) or {}).get("kind") == "veto"):
            self.note(f"存在否决项：{self.label(name)}")
            return []
        if kind == "flag" and want == s.get("to", True):
            return [{name: want}]
        if kind == "title" and want:
            return self.title(name, s["policy"], rec)
        self.blocked_field(name)
        return []

    def title(self, name: str, pid: str, rec: Mapping[str, Any]) -> list[Changes]:
        label = self.label(name)
        if self.depth >= 1:
            self.note(f"需先取得：{label}")
            return []
        key = ("title", pid, self.depth + 1, self.allowed and tuple(sorted(self.allowed)), self.max_cost,
               self.max_changes)
        if key not in self.shared:
            try:
                self.shared[key] = Solver(self.registry[pid], self.params, self.on, self.options, self.model,
                                          self.allowed, self.max_cost, self.max_changes, self.depth + 1,
                                          schema=self.schema, registry=self.registry, shared=self.shared)
            except Exception:
                self.shared[key] = None
        sub = self.shared[key]
        if sub is None:
            self.note(f"需先取得：{label}（该政策尚未纳入本系统）")
            return []
        memo = sub._memo_for(rec).setdefault("title", None)
        if memo is None:  # once per record: the prerequisite's own options and reasons
            sub.reasons = []
            st, _ = sub.status(rec)
            alts = [{}] if st == "qualified" else sub.best(sub.solve(sub.regime.qualify, rec), rec)[:3]
            memo = sub._memo_for(rec)["title"] = (st, alts, list(sub.reasons))
        st, alts, reasons = memo
        if st == "qualified":
            return [{name: True}]
        for r in reasons:
            self.note(f"{label}：{r}")
        return [self.merge(a, {name: True}) for a in alts]

    def best(self, alts: list[Changes], rec: Mapping[str, Any], k: int = 8) -> list[Changes]:
        seen: dict[tuple, Changes] = {}
        for a in alts:
            seen.setdefault(tuple(sorted((f, str(v)) for f, v in a.items())), a)
        ranked = sorted(seen.values(), key=lambda a: self.effort_of(a, rec))
        return ranked[:k]

    def product(self, parts: list[list[Changes]], rec: Mapping[str, Any]) -> list[Changes]:
        if any(not p for p in parts):
            return []
        parts = [self.best(p, rec, 4) for p in parts]
        combos = [self.merge(*c) for c in itertools.product(*parts)]
        return self.best(combos, rec)

    # ---- public ---------------------------------------------------------------------------------
    def candidates(self, rec: Mapping[str, Any]) -> list[Changes]:
        """Closed, unverified change sets, cheapest first (the batch path verifies them in Polars)."""
        alts = self.solve(self.regime.qualify, rec)
        out = []
        for a in self.best(alts, rec, max(self.model.options_per_policy * 3, 8)):
            if not a:
                continue
            if self.max_cost is not None and self.effort_of(a, rec) > self.max_cost:
                continue
            out.append(self.close(a, rec)[0])
        return out

    def option(self, changes: Changes, rec: Mapping[str, Any]) -> GapOption | None:
        """Apply, re-evaluate and price a change set; None unless it yields ``qualified``."""
        closed, _ = self.close(changes, rec)
        rec2 = apply_changes(rec, closed)
        st, score = self.status(rec2)
        if st != "qualified":
            return None
        cost, wait, rows = self.price(changes, rec)
        return GapOption(rows, cost, wait, add_years(self.on, wait) if wait > 0 else None,
                         cost + wait * self.model.year_equivalent_yuan, st, score, closed)

    def run(self, record: Mapping[str, Any], prepared: bool = False) -> PolicyGaps:
        """The gap analysis of one record (``prepared``: already read by ``prepare_record`` over at
        least this policy's fields — a ladder prepares it once, so the policies share their memos)."""
        rec = record if prepared else prepare_record(record, self.fields, self.schema)
        st, score = self.status(rec)
        base = dict(policy=self.policy.id, name=self.regime.name, on=self.on, regime=self.regime.id,
                    status=st, score=score)
        if st == "qualified":
            return PolicyGaps(**base, options=[], reasons=["已达标"], feasible=True)
        if st == "unknown":
            miss = self.missing(rec)
            return PolicyGaps(**base, options=[], reasons=[f"待核验：缺少数据 {', '.join(miss) or '（见评价结果）'}，补齐后再计算差距"],
                              feasible=None)
        if st == "manual_review":
            self.note("当前为待人工审核：需专家评审或人工核查的事项不作为方案")
        opts: list[GapOption] = []
        seen: set[tuple] = set()
        k = self.model.options_per_policy
        for ch in self.candidates(rec):  # cheapest first
            if len(opts) >= k:
                # a candidate dearer than the k-th option kept can only come after it (an option is
                # dropped only for a cheaper one it does not improve on): stop verifying
                kept = _drop_dominated(sorted(opts, key=lambda o: (o.effort, len(o.changes))), self)
                if len(kept) >= k and self.effort_of(ch, rec) > kept[k - 1].effort:
                    break
            o = self.option(ch, rec)
            if o is None:
                continue
            key = tuple(sorted((f, str(v)) for f, v in o.values.items()))
            if key in seen:
                continue
            seen.add(key)
            opts.append(o)
        opts.sort(key=lambda o: (o.effort, len(o.changes)))
        opts = _drop_dominated(opts, self)[: self.model.options_per_policy]
        reasons = _rank_reasons(self.reasons) if not opts else [
            r for r in _rank_reasons(self.reasons) if r.startswith(("需专家", "存在否决", "当前为"))]
        return PolicyGaps(**base, options=opts, reasons=reasons, feasible=bool(opts))


def _q(x: Any) -> Any:
    """An exact number as ``int`` when integral, else ``Fraction``."""
    if isinstance(x, int):
        return x
    x = Fraction(x)
    return x.numerator if x.denominator == 1 else x


def _rank_reasons(reasons: list[str]) -> list[str]:
    """Vetoes first, then expert items, dates, the rest (stable)."""

    def rank(r: str) -> int:
        for i, key in enumerate(("存在否决", "需专家", "最早于", "当前为")):
            if key in r:
                return i
        return 9

    return sorted(dict.fromkeys(reasons), key=rank)


def _drop_dominated(opts: list[GapOption], solver: Solver) -> list[GapOption]:
    """Drop an option that moves every field of a cheaper option at least as far (not minimal)."""
    out: list[GapOption] = []
    for o in opts:
        if any(all(f in o.values and solver.better(f, o.values[f], v) == o.values[f] for f, v in p.values.items())
               for p in out):
            continue
        out.append(o)
    return out


def apply_changes(rec: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(rec)
    for f, v in changes.items():
        out[f] = as_plain(v)
    return out


def prepare_record(record: Mapping[str, Any], fields: Sequence[str], schema: Schema) -> dict[str, Any]:
    """The record as the solver reads it: checked, dates as ISO text (as the trace reads them) and
    numbers as exact ``Fraction`` once (the search reads each many times)."""
    rec = coerce_record(dict(record), sorted(fields), schema)

    def exact(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, float | int) and not isinstance(v, bool):
            return num(v)
        return v

    return {k: exact(v) for k, v in rec.items()}
