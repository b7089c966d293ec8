"""The demo city's titles, granted by the rules: batches, 科技型 registrations, 复核 and expiry.

Every event — an announced batch, a year's 科技型中小企业 registrations, a 复核 round when titles
expire — is processed in date order up to "today". At an event on date D for a tier with rules in
the engine, the candidates are evaluated with the public API (``zjtx.evaluate``) under the rules in
force at D (工信部企业〔2022〕63号 before 2026-04-01, 工信部企业〔2026〕2号 after; grants before
63号 came into force on 2022-06-01 are checked against 63号, the earliest rules the engine holds),
on the data available at D: annual reports through D's previous year and the titles held on D.
A batch goes to enterprises the engine finds 达标 or 待人工审核, drawn with weights from their
latent propensity (达标 twice as likely as 待人工审核). A seeded share (:data:`EXCEPTION_SHARE`) of
each batch and of each 复核 round of at least :data:`EXCEPTION_MIN` goes to enterprises the rules do not support: real registers
carry such cases (data corrected after the decision, material the registry lacks); they are counted
in ``meta["exceptions"]``.

Tiers without rules in the engine (市级专精特新培育企业, the innovation honours) are drawn by
propensity alone. A title is valid three years (科技型: to 31 December of its year); at expiry a
holder applies for 复核 with a tier-specific probability and keeps the title when the rules support
it then (复核 of "小巨人" under 2026号 skips the revenue growth test, ``options={"mode": "review"}``).

Count targets (:data:`zjtx.demo.targets.TARGETS`) are met exactly: the last event of the tier on or
before the target date that is not a fixed batch absorbs the remainder — a batch by its size, a
复核 round by how many pass.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from zjtx.facts.records import build_records

from .firms import Firms

__all__ = ["EXCEPTION_SHARE", "TIERS", "Batch", "Simulation", "Tier", "add_years", "document_for", "title_code"]

EXCEPTION_SHARE = 0.03
EXCEPTION_MIN = 10  # batches and 复核 rounds smaller than this have no seeded exceptions
VALID_YEARS = 3
ELIGIBLE = ("qualified", "manual_review")
REGIME_2026 = date(2026, 4, 1)
# The engine's earliest rules per policy (63号 came into force on 2022-06-01); earlier grants are
# checked against them.
EARLIEST_RULES = {"innovative_sme": date(2022, 6, 1), "specialized_sme": date(2022, 6, 1),
                  "little_giant": date(2022, 6, 1)}

ORDINALS = ["第一批", "第二批", "第三批", "第四批", "第五批", "第六批", "第七批", "第八批", "第九批", "第十批",
            "第十一批", "第十二批", "第十三批", "第十四批", "第十五批", "第十六批", "第十七批", "第十八批",
            "第十九批", "第二十批"]

# 科技型中小企业 registrations per year at the default scale (2018, 2019, 2024, 2025 and later are 演示;
# 2020–2023 are the letter's and the yearbook's figures); after 2025 +4% a year.
TECH_SME_COUNTS = {2018: 1180, 2019: 1395, 2020: 1864, 2021: 2502, 2022: 2846, 2023: 3043, 2024: 3180, 2025: 3310}


@dataclass(frozen=True)
class Batch:
    on: date
    size: int  # new grants at the default scale
    fixed: bool = False  # a fixed batch never absorbs a count target


@dataclass(frozen=True)
class Tier:
    code: str
    policy: str | None  # the engine's policy; None: drawn by propensity alone
    name: str
    renew_p: float  # share of holders applying for 复核 at expiry
    batches: tuple[Batch, ...]
    recurring: tuple[int, int, int] | None = None  # (month, day, size) for each year after 2025
    ordinal_labels: bool = False  # batches are named 第一批, 第二批, …


def _b(*items: tuple) -> tuple[Batch, ...]:
    return tuple(Batch(date(y, m, d), k, *rest) for (y, m, d, k, *rest) in items)


TIERS: dict[str, Tier] = {t.code: t for t in (
    Tier("high_tech", "high_tech", "高新技术企业", 0.6,
         _b((2018, 11, 28, 1200), (2019, 12, 2, 520), (2020, 12, 1, 600), (2021, 12, 20, 640), (2022, 12, 19, 700),
            (2023, 12, 28, 0), (2024, 12, 24, 760), (2025, 12, 15, 800)), (12, 15, 820)),
    Tier("city_specialized_sme", None, "市级专精特新培育企业", 0.5,
         _b((2020, 10, 30, 130), (2021, 10, 29, 150), (2022, 10, 28, 140), (2023, 10, 27, 120), (2024, 10, 25, 110),
            (2025, 10, 24, 100)), (10, 23, 100)),
    Tier("innovative_sme", "innovative_sme", "创新型中小企业", 0.65,
         _b((2022, 10, 14, 520), (2023, 10, 20, 480), (2024, 10, 18, 520), (2025, 10, 24, 0)), (10, 23, 520)),
    Tier("specialized_sme", "specialized_sme", "专精特新中小企业", 0.85,
         _b((2018, 12, 20, 30), (2019, 12, 20, 45), (2020, 12, 21, 70), (2021, 12, 20, 120), (2022, 12, 20, 170),
            (2023, 12, 15, 200), (2024, 12, 16, 210), (2025, 11, 20, 0)), (11, 20, 220)),
    Tier("little_giant", "little_giant", '专精特新"小巨人"企业', 0.9,
         _b((2019, 6, 1, 1), (2020, 11, 30, 4), (2021, 7, 19, 6), (2022, 8, 15, 9), (2023, 7, 20, 11),
            (2024, 8, 20, 14), (2025, 9, 15, 18, True)), (9, 15, 16), ordinal_labels=True),
    Tier("single_champion", "single_champion", "制造业单项冠军企业", 0.9,
         _b((2019, 11, 20, 1), (2021, 11, 25, 1), (2023, 12, 5, 2), (2025, 11, 28, 1)), (11, 28, 1)),
    Tier("innovation_honor", None, "国家知识产权优势企业等", 0.5,
         _b((2019, 12, 1, 4), (2021, 12, 1, 5), (2023, 12, 1, 6), (2025, 11, 1, 6)), (11, 1, 4)),
)}
# processing order of events on the same date (lower tiers first)
_RANK = {c: i for i, c in enumerate(["tech_sme", "high_tech", "innovative_sme", "city_specialized_sme",
                                     "specialized_sme", "little_giant", "single_champion", "innovation_honor"])}
FAMILY = {"innovative_sme": ("innovative_sme", "tech_innovative_sme")}


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def title_code(tier: str, on: date) -> str:
    """The title a grant of ``tier`` on ``on`` carries (创新型 becomes 科技和创新型 under 2026号)."""
    if tier == "innovative_sme" and on >= REGIME_2026:
        return "tech_innovative_sme"
    return tier


def document_for(tier: str, on: date) -> str:
    """The document a grant on ``on`` was made under."""
    new = on >= REGIME_2026
    if tier == "tech_sme":
        return "科技型中小企业评价入库（国科发政〔2017〕115号）"
    if tier == "high_tech":
        return "高新技术企业认定（国科发火〔2016〕32号）"
    if tier == "innovative_sme":
        return "工信部企业〔2026〕2号" if new else "工信部企业〔2022〕63号"
    if tier == "specialized_sme":
        if new:
            return "工信部企业〔2026〕2号"
        return "工信部企业〔2022〕63号" if on >= date(2022, 6, 1) else "广东省专精特新中小企业认定（省级规定）"
    if tier == "little_giant":
        if new:
            return "工信部企业〔2026〕2号"
        return "工信部企业〔2022〕63号" if on >= date(2022, 6, 1) else '工业和信息化部专精特新"小巨人"企业名单'
    if tier == "single_champion":
        return ("制造业单项冠军企业认定（工信部政法〔2023〕138号）" if on >= date(2023, 9, 1)
                else "制造业单项冠军企业遴选（工信部产业〔2016〕105号）")
    if tier == "city_specialized_sme":
        return "中山市专精特新企业培育（2020年实施意见）"
    return "国家知识产权局/工业和信息化部公告"


@dataclass(order=True)
class _Event:
    on: date
    order: int
    seq: int
    kind: str = field(compare=False)  # "batch" | "register" | "renewal"
    tier: str = field(compare=False)
    batch: Batch | None = field(compare=False, default=None)
    label: str = field(compare=False, default="")


class Simulation:
    """Titles of the demo city up to ``today`` (see the module docstring).

    ``rows`` are ``(enterprise index, title code, granted_on, expires_on, batch, document)``;
    ``hooks`` run once before the first event after their date (the letter's calibrations).
    """

    def __init__(self, firms: Firms, seed: int, scale: int, today: date, factor: float,
                 hooks: list[tuple[date, Callable[[Simulation], None]]] | None = None,
                 after_batch: dict[tuple[str, date], Callable[[Simulation, np.ndarray], None]] | None = None,
                 targets: dict[str, tuple[date, float]] | None = None) -> None:
        self.firms, self.seed, self.scale, self.today, self.f = firms, seed, scale, today, factor
        self.n = firms.n
        self.ent = firms.enterprises_frame()
        self.ann = firms.annual_frame()
        self.usccs = np.array(firms.usccs, dtype=object)
        self.rows: list[tuple[int, str, date, date, str, str]] = []
        self.hooks = sorted(hooks or [], key=lambda h: h[0])
        self.after_batch = after_batch or {}
        self.targets = targets or {}
        self.meta: dict[str, object] = {"exceptions": {}, "shortfalls": [], "target_misses": [], "evaluations": 0}
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._events: list[_Event] = []
        self._seq = 0
        self._renewals: dict[tuple[date, str], list[int]] = {}
        self._batch_no: dict[str, int] = {}

    # ---- state queries --------------------------------------------------------------------------
    def _arr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self._arrays is None or len(self._arrays[0]) != len(self.rows):
            cols = list(zip(*self.rows, strict=True)) if self.rows else [[], [], [], []]
            self._arrays = (np.array(cols[0], dtype=np.int64), np.array(cols[1], dtype=object),
                            np.array([d.toordinal() for d in cols[2]], dtype=np.int64),
                            np.array([d.toordinal() for d in cols[3]], dtype=np.int64))
        return self._arrays

    def holders(self, codes: str | tuple[str, ...], day: date) -> np.ndarray:
        """Enterprises holding a title of ``codes`` valid on ``day``."""
        codes = FAMILY.get(codes, (codes,)) if isinstance(codes, str) else codes
        ent, code, g, e = self._arr()
        m = np.isin(code, list(codes)) & (g <= day.toordinal()) & (day.toordinal() <= e)
        out = np.zeros(self.n, dtype=bool)
        out[ent[m]] = True
        return out

    def titles_frame(self, before: date | None = None) -> pl.DataFrame:
        rows = self.rows if before is None else [r for r in self.rows if r[2] < before]
        cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
        return pl.DataFrame({
            "uscc": self.usccs[np.array(cols[0], dtype=np.int64)].tolist() if rows else [],
            "title": list(cols[1]), "granted_on": list(cols[2]), "expires_on": list(cols[3]),
            "batch": list(cols[4]), "document": list(cols[5]),
        }, schema={"uscc": pl.String, "title": pl.String, "granted_on": pl.Date, "expires_on": pl.Date,
                   "batch": pl.String, "document": pl.String})

    def statuses(self, policy: str, day: date, idx: np.ndarray, titles: pl.DataFrame | None = None,
                 review: bool = False) -> np.ndarray:
        """The engine's status of enterprises ``idx`` under ``policy`` on ``day`` (records as of ``day``)."""
        import zjtx

        if len(idx) == 0:
            return np.array([], dtype=object)
        usccs = self.usccs[idx].tolist()
        ent = self.ent.filter(pl.col("uscc").is_in(usccs)) if len(idx) < self.n else self.ent
        ann = self.ann.filter(pl.col("uscc").is_in(usccs)) if len(idx) < self.n else self.ann
        tdf = self.titles_frame() if titles is None else titles
        rec = build_records(ent, ann, tdf, day)
        on = max(day, EARLIEST_RULES.get(policy, day))
        out = zjtx.evaluate(rec, on=on, policies=[policy], options={"mode": "review"} if review else None)
        self.meta["evaluations"] = int(self.meta["evaluations"]) + 1  # type: ignore[call-overload]
        status = dict(zip(out["uscc"].to_list(), out[f"{policy}.status"].to_list(), strict=True))
        return np.array([status.get(u) for u in usccs], dtype=object)

    # ---- weights (latent propensity) --------------------------------------------------------------
    def weight(self, tier: str, day: date) -> np.ndarray:
        fm = self.firms
        old = fm.fyear <= day.year - 3
        ts, zq, zs, manuf = fm.tier_score, fm.zq, fm.zs, fm.manuf
        if tier == "tech_sme":
            prev = self.holders("tech_sme", date(day.year - 1, 12, 31))
            return np.exp(1.2 * zq) * (1 + 3 * prev)
        if tier == "high_tech":
            return np.exp(2.0 * zq + 0.3 * zs) * (fm.fyear <= day.year - 1)
        if tier == "city_specialized_sme":
            return np.exp(1.6 * ts) * old * manuf
        if tier == "innovative_sme":
            return np.exp(1.3 * ts) * old * (1 + 2 * self.holders("high_tech", day))
        if tier == "specialized_sme":
            lower = self.holders("innovative_sme", day) | self.holders("city_specialized_sme", day)
            return np.exp(1.8 * ts) * old * (0.25 + 0.75 * manuf) * (1 + 4 * lower)
        if tier == "little_giant":
            return np.exp(2.0 * ts) * manuf * self.holders("specialized_sme", day)
        if tier == "single_champion":
            return np.exp(2.0 * zs) * manuf * old
        return np.exp(2.0 * zq) * (zq > 0.5) * old  # innovation_honor

    # ---- the calendar ---------------------------------------------------------------------------------
    def _push(self, ev: _Event) -> None:
        heapq.heappush(self._events, ev)

    def _event(self, on: date, kind: str, tier: str, batch: Batch | None = None, label: str = "") -> _Event:
        self._seq += 1
        order = (0 if kind == "renewal" else 1) * 100 + _RANK[tier]
        return _Event(on, order, self._seq, kind, tier, batch, label)

    def _schedule(self) -> None:
        last_year = self.today.year
        for tier in TIERS.values():
            batches = list(tier.batches)
            if tier.recurring:
                m, d, k = tier.recurring
                batches += [Batch(date(y, m, d), k) for y in range(2026, last_year + 1)]
            for i, b in enumerate(batches):
                if b.on <= self.today:
                    label = ORDINALS[i] if tier.ordinal_labels else f"{b.on.year}年"
                    self._push(self._event(b.on, "batch", tier.code, b, label))
        for y in range(min(TECH_SME_COUNTS), last_year + 1):
            if date(y, 3, 1) <= self.today:
                self._push(self._event(date(y, 3, 1), "register", "tech_sme"))
        self._tier_batches = {t.code: [e for e in self._events if e.tier == t.code and e.kind == "batch"]
                              for t in TIERS.values()}

    def run(self) -> None:
        self._schedule()
        hooks = list(self.hooks)
        while self._events:
            ev = heapq.heappop(self._events)
            while hooks and hooks[0][0] < ev.on:
                hooks.pop(0)[1](self)
            if ev.kind == "register":
                self._register(ev)
            elif ev.kind == "batch":
                self._batch(ev)
            else:
                self._renew(ev)
        for _, hook in hooks:
            hook(self)

    def _rng(self, ev: _Event, salt: int = 0) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.scale, _RANK[ev.tier], ev.on.toordinal(), salt])

    def _grant(self, i: int, tier: str, g: date, label: str) -> None:
        e = date(g.year, 12, 31) if tier == "tech_sme" else add_years(g, VALID_YEARS) - timedelta(days=1)
        self.rows.append((int(i), title_code(tier, g), g, e, label, document_for(tier, g)))
        nxt = e + timedelta(days=1)
        if tier != "tech_sme" and nxt <= self.today:
            key = (nxt, tier)
            if key not in self._renewals:
                self._renewals[key] = []
                self._push(self._event(nxt, "renewal", tier))
            self._renewals[key].append(len(self.rows) - 1)

    def _note_exception(self, tier: str, count: int) -> None:
        exc = self.meta["exceptions"]
        exc[tier] = exc.get(tier, 0) + count  # type: ignore[union-attr]

    # ---- count targets -------------------------------------------------------------------------------
    def _need(self, ev: _Event) -> int | None:
        """How many this event must add for its tier's count target, or None if it does not absorb one."""
        target = self.targets.get(ev.tier)
        if target is None or ev.on > target[0] or (ev.batch is not None and ev.batch.fixed):
            return None
        when, n = target
        later_fixed = 0
        for b in self._tier_batches[ev.tier]:
            later = ev.on <= b.on <= when if ev.kind == "renewal" else (ev.on < b.on <= when or (
                b.on == ev.on and b.seq > ev.seq))
            if later:
                if not b.batch.fixed:
                    return None
                later_fixed += round(b.batch.size * self.f)
        if any(ev.on < d <= when for (d, t) in self._renewals if t == ev.tier):
            return None
        return round(n * self.f) - int(self.holders(ev.tier, when).sum()) - later_fixed

    # ---- events ------------------------------------------------------------------------------------
    def _pick(self, rng: np.random.Generator, w: np.ndarray, k: int) -> np.ndarray:
        w = np.clip(w, 0, None).astype(float)
        pos = np.flatnonzero(w > 0)
        k = min(k, len(pos))
        if k <= 0:
            return np.array([], dtype=int)
        return np.sort(rng.choice(pos, size=k, replace=False, p=w[pos] / w[pos].sum()))

    def _select(self, ev: _Event, k: int, candidates: np.ndarray, day: date) -> np.ndarray:
        """``k`` enterprises among ``candidates`` (mask): by the rules, plus the seeded exceptions."""
        tier = TIERS.get(ev.tier)
        rng = self._rng(ev)
        w = self.weight(ev.tier, day) * candidates
        policy = "tech_sme" if ev.tier == "tech_sme" else tier.policy  # type: ignore[union-attr]
        if policy is None:
            return self._pick(rng, w, k)
        idx = np.flatnonzero(w > 0)
        st = self.statuses(policy, day, idx)
        full = np.full(self.n, None, dtype=object)
        full[idx] = st
        ok = np.isin(full, ELIGIBLE)
        k_exc = int(rng.binomial(k, EXCEPTION_SHARE)) if k >= EXCEPTION_MIN else 0
        chosen = self._pick(rng, w * ok * np.where(full == "qualified", 2.0, 1.0), k - k_exc)
        short = k - k_exc - len(chosen)
        if short > 0:
            self.meta["shortfalls"].append((ev.tier, ev.on.isoformat(), short))  # type: ignore[union-attr]
        rest = w.copy()
        rest[ok] = 0
        exc = self._pick(rng, rest, k_exc + short)
        self._note_exception(ev.tier, len(exc))
        return np.sort(np.concatenate([chosen, exc]))

    def _register(self, ev: _Event) -> None:
        y = ev.on.year
        k0 = TECH_SME_COUNTS.get(y) or round(TECH_SME_COUNTS[2025] * 1.04 ** (y - 2025))
        k = round(k0 * self.f)
        chosen = self._select(ev, k, np.ones(self.n, dtype=bool), ev.on)
        days = self._rng(ev, 1).integers(0, 214, size=len(chosen))  # March to September
        for i, d in zip(chosen, days, strict=True):
            g = ev.on + timedelta(days=int(d))
            if g <= self.today:
                self._grant(i, "tech_sme", g, f"{y}年第{g.month}批入库")

    def _batch(self, ev: _Event) -> None:
        assert ev.batch is not None
        need = self._need(ev)
        k = round(ev.batch.size * self.f) if need is None else need
        if k < 0:
            self.meta["target_misses"].append((ev.tier, ev.on.isoformat(), k))  # type: ignore[union-attr]
            k = 0
        holders = self.holders(ev.tier, ev.on)
        chosen = self._select(ev, k, ~holders, ev.on)
        for i in chosen:
            self._grant(i, ev.tier, ev.on, ev.label)
        hook = self.after_batch.get((ev.tier, ev.on))
        if hook is not None:
            hook(self, chosen)

    def _renew(self, ev: _Event) -> None:
        due_rows = self._renewals.pop((ev.on, ev.tier))
        holders = self.holders(ev.tier, ev.on)
        due = np.array(sorted({self.rows[r][0] for r in due_rows} - set(np.flatnonzero(holders))), dtype=int)
        if len(due) == 0:
            return
        tier = TIERS[ev.tier]
        rng = self._rng(ev)
        applies = rng.random(len(due)) < tier.renew_p
        lucky = (rng.random(len(due)) < EXCEPTION_SHARE) & (len(due) >= EXCEPTION_MIN)
        if tier.policy is None:
            ok = np.ones(len(due), dtype=bool)
        else:
            ok = np.isin(self.statuses(tier.policy, ev.on, due, review=True), ELIGIBLE)
        passed = applies & (ok | lucky)
        need = self._need(ev)
        if need is not None:
            if not 0 <= need <= len(due):
                self.meta["target_misses"].append((ev.tier, ev.on.isoformat(), need))  # type: ignore[union-attr]
            r = min(max(need, 0), len(due))
            w = self.weight(ev.tier, ev.on)[due]
            order = np.lexsort((-w, ~applies, ~ok))  # eligible first, then those who applied, then propensity
            passed = np.zeros(len(due), dtype=bool)
            passed[order[:r]] = True
        exceptions = int((passed & ~ok).sum())
        if exceptions:
            self._note_exception(ev.tier, exceptions)
        for i in due[passed]:
            self._grant(i, ev.tier, ev.on, f"{ev.on.year}年复核")
