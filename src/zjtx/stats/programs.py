"""Programme statistics and the briefing's programme sentences (Polars; no Django).

Every function returns a :class:`~zjtx.stats.core.Stat` whose ``query`` says which frame, filter
and count produced the number (DOMAIN.md §4). Inputs are the programme frames, passed to the
briefing as ``frames["programs"]`` (a mapping) or as a ``programs`` attribute:

``projects``        code, kind (``jiebang`` 揭榜挂帅 / ``major`` 重大科技专项), title, year, state,
                    posted_on, approved_on (立项), accepted_on, division, solver_name
``targets``         id, list_name, list_kind, listed_on, uscc, name, region, local, team, key_target,
                    targeted_on, stage, furthest, town
``followups``       target_id, kind (contact / visit / online / intention / signed / landed / note), on
``certifications``  carrier, kind (maker_space / incubator / accelerator / science_park /
                    university_park), level (national / provincial / city), status (applying /
                    certified / rejected / revoked), applied_on, certified_on
``platforms``       name, partner, established_on, status (planning / operating), open_shared_lab
``events``          id, division, held_on, status (planned / held / cancelled), channel
``awards``          contest, series, year, uscc, name, prize, rank, awarded_on, benefits (text)

The 科技型 test of contest winners joins the registry ``titles`` frame (a ``tech_sme``
registration granted in the contest year). The 23 towns are the current divisions of
:mod:`zjtx.facts.divisions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from zjtx.facts.divisions import current_divisions

from .core import Stat

__all__ = [
    "FUNNEL_STEPS",
    "carriers_applying",
    "carriers_certified",
    "contest_winners",
    "funnel",
    "key_targets",
    "platforms_summary",
    "programme_frames",
    "programme_sentences",
    "projects_approved",
    "projects_posted",
    "publicity_coverage",
]

KIND_ZH = {"maker_space": "众创空间", "incubator": "科技企业孵化器", "accelerator": "加速器",
           "science_park": "科技园区", "university_park": "大学科技园"}
LEVEL_ZH = {"national": "国家级", "provincial": "省级", "city": "市级"}
FUNNEL_STEPS = (("listed", "列入名单"), ("targeted", "重点招引目标"), ("visited", "已走访/线上会谈"),
                ("signed", "已签约"), ("landed", "已落地"))
_STAGE_RANK = {"listed": 0, "targeted": 1, "contacted": 2, "visited": 3, "intention": 4, "signed": 5, "landed": 6}
_FOLLOW_STAGE = {"contact": "contacted", "visit": "visited", "online": "visited", "intention": "intention",
                 "signed": "signed", "landed": "landed"}


def programme_frames(obj: Any) -> dict[str, pl.DataFrame | None]:
    """The programme frames of a briefing input (``obj["programs"]`` or ``obj.programs``), or {}."""
    got = obj.get("programs") if isinstance(obj, Mapping) else getattr(obj, "programs", None)
    return dict(got) if isinstance(got, Mapping) else {}


def _f(fr: Mapping[str, Any], name: str) -> pl.DataFrame | None:
    df = fr.get(name)
    return df if isinstance(df, pl.DataFrame) else None


def _in_year(col: str, year: int) -> pl.Expr:
    return pl.col(col).is_not_null() & (pl.col(col).dt.year() == year)


# ------------------------------------------------------------------------------------ projects

def projects_approved(fr: Mapping[str, Any], year: int, kind: str = "major") -> Stat:
    """Projects of ``kind`` 立项 (approved_on) in ``year``."""
    df = _f(fr, "projects")
    q = f"projects 中 kind={kind} 且 approved_on（立项日期）在 {year} 年内的项目数"
    if df is None:
        return Stat(None, q + "（无数据）", "项")
    sel = df.filter((pl.col("kind") == kind) & _in_year("approved_on", year))
    return Stat(sel.height, q, "项", table=sel.select("code", "title", "approved_on"))


def projects_posted(fr: Mapping[str, Any], year: int, kind: str = "jiebang") -> Stat:
    """Projects of ``kind`` publicly posted (posted_on) in ``year`` and not withdrawn (撤榜)."""
    df = _f(fr, "projects")
    q = f"projects 中 kind={kind}、posted_on（张榜日期）在 {year} 年内且 state 不为 cancelled（撤榜）的项目数"
    if df is None:
        return Stat(None, q + "（无数据）", "项")
    sel = df.filter((pl.col("kind") == kind) & _in_year("posted_on", year) & (pl.col("state") != "cancelled"))
    return Stat(sel.height, q, "项", table=sel.select("code", "title", "state", "solver_name"))


# ------------------------------------------------------------------------------------ incubation

def carriers_certified(fr: Mapping[str, Any], year: int, kind: str, level: str) -> Stat:
    """Carriers of ``kind`` certified at ``level`` in ``year`` (certifications.status = certified)."""
    df = _f(fr, "certifications")
    q = (f"certifications 中 kind={kind}（{KIND_ZH.get(kind, kind)}）、level={level}（{LEVEL_ZH.get(level, level)}）、"
         f"status=certified 且 certified_on 在 {year} 年内的载体数")
    if df is None:
        return Stat(None, q + "（无数据）", "家")
    sel = df.filter((pl.col("kind") == kind) & (pl.col("level") == level) & (pl.col("status") == "certified")
                    & _in_year("certified_on", year))
    names = sel.sort("certified_on")["carrier"].unique(maintain_order=True)
    return Stat(names.len(), q, "家", table=sel.select("carrier", "certified_on"))


def carriers_applying(fr: Mapping[str, Any], as_of: date, kind: str, level: str) -> Stat:
    """Carriers with a ``level`` application of ``kind`` filed on or before ``as_of`` and undecided then."""
    df = _f(fr, "certifications")
    q = (f"certifications 中 kind={kind}、level={level}、applied_on ≤ {as_of.isoformat()} 且截至该日未认定"
         f"（status=applying，或 certified_on 晚于该日）的载体数")
    if df is None:
        return Stat(None, q + "（无数据）", "家")
    sel = df.filter((pl.col("kind") == kind) & (pl.col("level") == level) & (pl.col("applied_on") <= as_of)
                    & ((pl.col("status") == "applying")
                       | ((pl.col("status") == "certified") & (pl.col("certified_on") > as_of))))
    return Stat(sel["carrier"].n_unique(), q, "家", table=sel.select("carrier", "applied_on"))


def _certified_list(fr: Mapping[str, Any], as_of: date, kind: str, min_levels: tuple[str, ...]) -> pl.DataFrame:
    df = _f(fr, "certifications")
    if df is None:
        return pl.DataFrame()
    return df.filter((pl.col("kind") == kind) & pl.col("level").is_in(list(min_levels))
                     & (pl.col("status").is_in(["certified", "revoked"])) & (pl.col("certified_on") <= as_of)
                     ).sort("certified_on")


# ------------------------------------------------------------------------------------ platforms

def platforms_summary(fr: Mapping[str, Any], year: int, as_of: date | None = None) -> dict[str, Stat]:
    """Platforms operating by ``as_of`` (default 31 December of ``year``), new in ``year``, open labs."""
    df = _f(fr, "platforms")
    end = as_of or date(year, 12, 31)
    if df is None:
        none = Stat(None, "platforms（无数据）", "个")
        return {"total": none, "new": none, "labs": none}
    running = df.filter((pl.col("status") == "operating") & pl.col("established_on").is_not_null()
                        & (pl.col("established_on") <= end))
    new = running.filter(_in_year("established_on", year)).sort("established_on")
    labs = running.filter(pl.col("open_shared_lab"))
    return {
        "total": Stat(running.height, f"platforms 中 status=operating 且 established_on（挂牌日期）≤ {end.isoformat()} 的平台数",
                      "个", table=running.select("name", "partner", "established_on")),
        "new": Stat(new.height, f"platforms 中 status=operating 且 established_on 在 {year} 年内的平台数", "个",
                    table=new.select("name", "partner", "established_on")),
        "labs": Stat(labs.height, f"platforms 中 status=operating、open_shared_lab=true 且 established_on ≤ "
                     f"{end.isoformat()} 的开放共享实验室数", "家", table=labs.select("name")),
    }


# ------------------------------------------------------------------------------------ contests

def contest_winners(fr: Mapping[str, Any], year: int, series: str = "innovation_contest",
                    titles: pl.DataFrame | None = None) -> dict[str, Any]:
    """Distinct winning enterprises of ``series`` contests of ``year``, and those that were
    科技型中小企业 registered in ``year`` (a ``tech_sme`` title granted that year)."""
    df = _f(fr, "awards")
    q = f"awards 中 series={series}、year={year} 的获奖企业（按统一社会信用代码去重）"
    if df is None:
        return {"all": Stat(None, q + "（无数据）", "家"), "tech": Stat(None, q + "（无数据）", "家"),
                "example": None, "contest": None, "benefits": ""}
    sel = df.filter((pl.col("series") == series) & (pl.col("year") == year))
    tech_q = q + f"，其中在 titles 中有 {year} 年授予的 tech_sme（科技型中小企业入库）登记的企业"
    tech = sel.head(0)
    if titles is not None and titles.height:
        reg = titles.filter((pl.col("title") == "tech_sme") & _in_year("granted_on", year)).select("uscc").unique()
        tech = sel.join(reg, on="uscc", how="semi")
    best = tech.sort(["rank", "name"], nulls_last=True).head(1) if tech.height else sel.head(0)
    contest = sel["contest"][0] if sel.height else None
    benefits = sel["benefits"][0] if sel.height and "benefits" in sel.columns else ""
    return {"all": Stat(sel["uscc"].n_unique(), q, "家", table=sel.select("contest", "name", "prize", "rank")),
            "tech": Stat(tech["uscc"].n_unique(), tech_q, "家"),
            "example": best["name"][0] if best.height else None, "contest": contest, "benefits": benefits or ""}


# ------------------------------------------------------------------------------------ investment

def _reached(targets: pl.DataFrame, followups: pl.DataFrame | None, as_of: date | None) -> pl.DataFrame:
    """Per target: the furthest stage reached by ``as_of`` from its follow-ups and targeting date."""
    t = targets.select("id", "team", "key_target", "targeted_on")
    if as_of is not None:
        t = t.with_columns((pl.col("key_target") & pl.col("targeted_on").is_not_null()
                            & (pl.col("targeted_on") <= as_of)).alias("key_target"))
    rank = pl.when(pl.col("key_target")).then(pl.lit(1)).otherwise(pl.lit(0)).alias("base")
    t = t.with_columns(rank)
    if followups is None or followups.height == 0:
        return t.with_columns(pl.col("base").alias("reached"))
    f = followups.filter(pl.col("kind").is_in(list(_FOLLOW_STAGE)))
    if as_of is not None:
        f = f.filter(pl.col("on") <= as_of)
    f = f.with_columns(pl.col("kind").replace_strict({k: _STAGE_RANK[v] for k, v in _FOLLOW_STAGE.items()},
                                                     return_dtype=pl.Int64).alias("r"))
    best = f.group_by("target_id").agg(pl.col("r").max().alias("fr"))
    return (t.join(best, left_on="id", right_on="target_id", how="left")
            .with_columns(pl.max_horizontal("base", pl.col("fr").fill_null(0)).alias("reached")))


def funnel(fr: Mapping[str, Any], as_of: date | None = None, team: str | None = None) -> Stat:
    """The follow-up funnel per team: listed → targeted → visited (incl. online) → signed → landed.

    A step counts a target that reached it or any later step by ``as_of`` (follow-ups dated on or
    before it; targeting by ``targeted_on``); ``value`` is the number landed."""
    targets, followups = _f(fr, "targets"), _f(fr, "followups")
    when = f"截至 {as_of.isoformat()}" if as_of else "截至最新"
    q = (f"targets 按 team 分组（{when}）：列入名单=目标数；重点招引目标=key_target 且 targeted_on 不晚于该日；"
         "其后各步=按 followups（contact/visit/online/intention/signed/landed，日期不晚于该日）达到的最远进展计数"
         "（达到后续步骤也计入前序步骤）")
    if targets is None:
        return Stat(None, q + "（无数据）", "家")
    if team is not None:
        targets = targets.filter(pl.col("team") == team)
    r = _reached(targets.with_columns(pl.col("team").fill_null("（未分配）")), followups, as_of)
    table = (r.group_by("team").agg(
        pl.len().alias("listed"),
        (pl.col("reached") >= 1).sum().alias("targeted"),
        (pl.col("reached") >= 3).sum().alias("visited"),
        (pl.col("reached") >= 5).sum().alias("signed"),
        (pl.col("reached") >= 6).sum().alias("landed"),
    ).sort("team"))
    return Stat(int(table["landed"].sum()) if table.height else 0, q, "家", table=table)


def key_targets(fr: Mapping[str, Any], year: int, as_of: date | None = None) -> list[dict[str, Any]]:
    """Lists compiled in ``year`` with their size, and the key targets chosen from them by ``as_of``."""
    targets = _f(fr, "targets")
    if targets is None or targets.height == 0:
        return []
    end = as_of or date(year, 12, 31)
    out = []
    lists = targets.filter(_in_year("listed_on", year) & (pl.col("listed_on") <= end))
    for (name, team), grp in lists.group_by(["list_name", "team"], maintain_order=True):
        keys = grp.filter(pl.col("key_target") & (pl.col("targeted_on") <= end))
        regions = keys["region"].unique().to_list()
        kinds = grp["list_kind"].unique().to_list() if "list_kind" in grp.columns else []
        out.append({
            "list": name.removesuffix("名单"), "team": team, "kind": kinds[0] if len(kinds) == 1 else None,
            "listed": Stat(grp.height, f"targets 中 list_name={name} 的企业数", "家"),
            "targeted": Stat(keys.height, f"targets 中 list_name={name}、key_target=true 且 targeted_on ≤ {end.isoformat()} "
                             "的企业数", "家"),
            "region": regions[0] if len(regions) == 1 else None,
        })
    return out


# ------------------------------------------------------------------------------------ publicity

def publicity_coverage(fr: Mapping[str, Any], year: int, as_of: date | None = None) -> Stat:
    """Current towns with at least one event held in ``year`` up to ``as_of`` (default year end),
    out of all current towns (value: towns covered; ``inputs['total']``: all towns)."""
    df = _f(fr, "events")
    end = as_of or date(year, 12, 31)
    towns = current_divisions()
    q = (f"events 中 status=held、held_on 在 {year}-01-01 至 {end.isoformat()} 之间的活动所在镇街（现行区划）去重计数，"
         f"分母为现行镇街数 {len(towns)}")
    if df is None:
        return Stat(None, q + "（无数据）", "个", inputs={"total": len(towns)})
    held = df.filter((pl.col("status") == "held") & pl.col("held_on").is_not_null()
                     & (pl.col("held_on") >= date(year, 1, 1)) & (pl.col("held_on") <= end))
    codes = {d.code for d in towns}
    per = (held.filter(pl.col("division").is_in(list(codes))).group_by("division")
           .agg(pl.len().alias("events"), pl.col("held_on").min().alias("first_held_on"),
                (pl.col("channel") == "online").sum().alias("online")))
    base = pl.DataFrame({"division": [d.code for d in towns], "镇街": [d.name for d in towns]})
    table = base.join(per, on="division", how="left").with_columns(pl.col("events").fill_null(0))
    covered = int((table["events"] > 0).sum())
    return Stat(covered, q, "个", table=table, inputs={"total": len(towns), "events": held.height,
                                                       "online": int(held.filter(pl.col("channel") == "online").height)})


# ------------------------------------------------------------------------------------ briefing

def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def programme_sentences(frames: Any, year: int, as_of: date | None = None,
                        titles: pl.DataFrame | None = None) -> list[Any]:
    """The letter's programme sentences for ``year`` from the data (each number with its query).

    Year facts (立项, 认定, 挂牌, 大赛) are counted in the calendar year; campaign progress (招商,
    宣讲) is reported up to ``as_of`` (default 31 December of ``year``), e.g. the letter's
    "截止目前已完成14个镇街" is ``year=2022, as_of=2022-06-13``. Returns [] without programme frames."""
    from .briefing import Sentence

    fr = programme_frames(frames)
    if not fr:
        return []
    if titles is None:
        titles = frames.get("titles") if isinstance(frames, Mapping) else getattr(frames, "titles", None)
    end = as_of or date(year, 12, 31)
    out: list[Any] = []

    # 1. 重大科技专项 and 揭榜挂帅
    major, jb = projects_approved(fr, year, "major"), projects_posted(fr, year, "jiebang")
    if major.value or jb.value:
        parts = []
        if major.value:
            parts.append(f"{year}年全市市级重大科技专项立项{major.value}项")
        if jb.value:
            parts.append(f"组织实施“揭榜制”项目{jb.value}项，面向市内外骨干企业、高校及科研机构公开张榜征集解决方案")
        out.append(Sentence("；".join(parts) + "。", [s for s in (major, jb) if s.value]))

    # 2. incubation ladder
    inc = carriers_certified(fr, year, "incubator", "national")
    msp = carriers_certified(fr, year, "maker_space", "provincial")
    msc = carriers_certified(fr, year, "maker_space", "city")
    if inc.value or msp.value or msc.value:
        bits = []
        if inc.value or msp.value:
            got = [f"{inc.value}家国家级科技企业孵化器" if inc.value else "", f"{msp.value}家省级众创空间" if msp.value else ""]
            bits.append("成功申报" + "、".join(b for b in got if b))
        if msc.value:
            bits.append(f"新增市级众创空间{msc.value}家")
        out.append(Sentence(f"{year}年" + "，".join(bits) + "。", [s for s in (inc, msp, msc) if s.value]))
    parks = _certified_list(fr, end, "university_park", ("provincial", "national"))
    applying = carriers_applying(fr, end, "university_park", "provincial")
    if parks.height or applying.value:
        txt = "；".join(f"{r['certified_on'].year}年，{r['carrier']}获得{LEVEL_ZH[r['level']]}大学科技园认定"
                       for r in parks.iter_rows(named=True))
        if applying.value:
            names = "、".join(applying.table["carrier"].unique(maintain_order=True).to_list())
            txt += ("。" if txt else "") + f"持续推动{names}申报省级大学科技园"
        st = Stat(parks.height, f"certifications 中 kind=university_park、level 为 provincial/national、"
                                f"certified_on ≤ {end.isoformat()} 的认定", "家")
        out.append(Sentence(txt + "。", [st, applying]))

    # 3. platforms
    pf = platforms_summary(fr, year, end)
    if pf["total"].value:
        txt = f"全市引进国内重点高校科研机构建设创新平台累计达{pf['total'].value}个"
        if pf["new"].value:
            names = "、".join(pf["new"].table["name"].to_list())
            txt += f"，{year}年{names}{pf['new'].value}个平台挂牌成立"
        if pf["labs"].value:
            txt += f"，共建设开放共享实验室{pf['labs'].value}家"
        out.append(Sentence(txt + "。", [pf["total"], pf["new"], pf["labs"]]))

    # 4. 中国创新创业大赛
    cw = contest_winners(fr, year, "innovation_contest", titles)
    if cw["all"].value:
        n = cw["tech"].value if cw["tech"].value else cw["all"].value
        who = "科技型中小企业" if cw["tech"].value else "企业"
        ex = f"其中{cw['example']}等" if cw["example"] else "其中"
        txt = f"举办{cw['contest']}，{ex}{n}家{who}获奖"
        if cw["benefits"]:
            txt += f"，获奖企业可享受{cw['benefits']}等优惠政策"
        out.append(Sentence(txt + "。", [cw["tech"] if cw["tech"].value else cw["all"]]))

    # 5. investment targeting
    for k in key_targets(fr, year, end):
        region = f"{k['region'].removesuffix('市')}" if k["region"] else ""
        what = "专精特新“小巨人”企业" if k["kind"] == "little_giant" else "企业"
        txt = f"{k['team']}梳理{k['list']}{k['listed'].value}家"
        used = [k["listed"]]
        if k["targeted"].value:
            txt += f"，经过综合研判分析，确定{k['targeted'].value}家{region}{what}作为重点招引目标"
            used.append(k["targeted"])
        out.append(Sentence(txt + "。", used))
    fn = funnel(fr, end)
    if fn.table is not None and fn.table.height and int(fn.table["visited"].sum()):
        t = fn.table
        out.append(Sentence(f"截至{_cn(end)}，各驻外招商小组已走访（含线上会谈）重点企业{int(t['visited'].sum())}家，"
                            f"签约{int(t['signed'].sum())}家，落地{int(t['landed'].sum())}家。", [fn]))

    # 6. publicity coverage
    cov = publicity_coverage(fr, year, end)
    if cov.value:
        out.append(Sentence(f"{year}年通过线上线下开展专精特新发展政策宣讲，截至{_cn(end)}，已完成{cov.value}个镇街的政策宣讲"
                            f"（全市共{cov.inputs['total']}个镇街）。", [cov]))
    return out
