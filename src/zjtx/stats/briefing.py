"""The yearly briefing (工作简报): the standard sentences, each with the query behind it.

``briefing(city_or_frames, year)`` → :class:`Briefing` with ``.markdown`` and ``.to_docx(path)``.

Formatting (DOMAIN.md §4): 亿元 with 0 decimals in headlines, percentages with one decimal,
万元 (2 decimals) in tables; dates as ``2025年12月8日``. Official tier names as DOMAIN.md §4 spells
them. Every sentence carries footnotes (``口径``) with the query of each number it uses; a rank is
only stated when a sourced comparison table exists ("no source, no rank").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from zjtx.facts.divisions import current_divisions
from zjtx.facts.records import valid_titles

from .core import (
    TIER_REVENUE_TITLES,
    Stat,
    count_titles,
    frames_of,
    rank_among,
    target_vs_actual,
    tech_sme_registrations,
    tier_revenue,
    yoy,
)

__all__ = [
    "DEFAULT_TARGETS",
    "Briefing",
    "Sentence",
    "briefing",
    "fmt_cn_date",
    "fmt_pct",
    "fmt_wan",
    "fmt_yi",
]

# (indicator, year) → (target, source). The letter: "力争今年科技型中小企业数量超2800家" (2022).
DEFAULT_TARGETS: dict[tuple[str, int], tuple[int, str]] = {
    ("tech_sme", 2022): (2800, "中工信函〔2022〕59号：力争今年科技型中小企业数量超2800家"),
}


def fmt_yi(yuan: float | None, decimals: int = 0) -> str:
    """元 → 亿元 text ("308")."""
    return "—" if yuan is None else f"{yuan / 1e8:,.{decimals}f}"


def fmt_wan(yuan: float | None, decimals: int = 2) -> str:
    """元 → 万元 text ("1,234.50")."""
    return "—" if yuan is None else f"{yuan / 1e4:,.{decimals}f}"


def fmt_pct(ratio: float | None, decimals: int = 1) -> str:
    """Fraction → percent text without the sign ("34.2%")."""
    return "—" if ratio is None else f"{abs(ratio) * 100:.{decimals}f}%"


def _growth(ratio: float | None, up: str = "增长", down: str = "下降") -> str:
    if ratio is None:
        return "增速无法计算"
    if ratio == 0:
        return "持平"
    return f"{up if ratio >= 0 else down}{fmt_pct(ratio)}"


def fmt_cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Sentence:
    text: str
    stats: list[Stat] = field(default_factory=list)


@dataclass
class Briefing:
    year: int
    title: str
    sentences: list[Sentence]
    tables: list[tuple[str, pl.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        foot: list[str] = []
        for s in self.sentences:
            marks = ""
            for st in s.stats:
                foot.append(_q(st))
                marks += f"[^{len(foot)}]"
            lines += [s.text + marks, ""]
        for caption, df in self.tables:
            lines += [f"**{caption}**", "", _md_table(df), ""]
        for n in self.notes:
            lines += [f"> {n}", ""]
        if foot:
            lines += ["---", ""] + [f"[^{i}]: 口径：{q}" for i, q in enumerate(foot, 1)]
        return "\n".join(lines).rstrip() + "\n"

    def to_docx(self, path: str | Path) -> Path:
        """Write a Word document: each sentence, then its 口径 lines in small grey type; tables."""
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        doc = Document()
        style = doc.styles["Normal"]
        style.font.name = "宋体"
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
        style.font.size = Pt(12)
        doc.add_heading(self.title, level=1)
        for s in self.sentences:
            doc.add_paragraph(s.text)
            for st in s.stats:
                p = doc.add_paragraph()
                run = p.add_run("口径：" + _q(st))
                run.font.size = Pt(8)
                run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        for caption, df in self.tables:
            doc.add_paragraph().add_run(caption).bold = True
            table = doc.add_table(rows=1, cols=df.width)
            table.style = "Table Grid"
            for j, c in enumerate(df.columns):
                table.rows[0].cells[j].text = str(c)
            for row in df.iter_rows():
                cells = table.add_row().cells
                for j, v in enumerate(row):
                    cells[j].text = "" if v is None else str(v)
        for n in self.notes:
            doc.add_paragraph(n).runs[0].font.size = Pt(9)
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(p))
        return p


def _q(st: Stat) -> str:
    if st.source and st.source not in st.query:
        return f"{st.query}（来源：{st.source}）"
    return st.query


def _md_table(df: pl.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "---|" * df.width
    rows = ["| " + " | ".join("" if v is None else str(v) for v in r) + " |" for r in df.iter_rows()]
    return "\n".join([head, sep, *rows])


def briefing(
    city_or_frames: Any,
    year: int,
    *,
    region: str = "中山市",
    targets: Mapping[tuple[str, int], tuple[int, str]] | None = None,
    as_of: date | None = None,
    area: str = "全市",
    divisions: list[str] | None = None,
    heading: str | None = None,
) -> Briefing:
    """The standard briefing for ``year`` (figures for the calendar year; titles as of 31 December).

    ``area`` names the scope in the sentences ("全市", "本镇", "本企业"): a briefing over part of the
    city never says 全市 and states no provincial rank; ``divisions`` limits the town table to those
    towns (a town officer's own)."""
    scoped = area != "全市"
    fr = frames_of(city_or_frames)
    targets = DEFAULT_TARGETS if targets is None else targets
    end = date(year, 12, 31)
    sentences: list[Sentence] = []
    notes: list[str] = []

    # 1. 科技型中小企业 入库
    n = tech_sme_registrations(fr, year)
    last = tech_sme_registrations(fr, year - 1)
    g = yoy(n, last, f"科技型中小企业入库数 {year} 年 ÷ {year - 1} 年")
    rank = rank_among(fr.city_comparison, region, year, "tech_sme", own_value=n.value)
    text = f"{year}年全市科技型中小企业全年共有{n.value}家成功入库"
    if last.value:
        text += f"，比上年{_growth(g.value)}"
    used = [n, last, g]
    if rank.value is not None and not scoped:
        text += f"，数量居全省第{rank.value}"
    if not scoped:
        used.append(rank)
    sentences.append(Sentence(text + "。", used))

    # 2. target vs actual (the city's target: not for a part of the city)
    if ("tech_sme", year) in targets and not scoped:
        t, src = targets[("tech_sme", year)]
        tva = target_vs_actual(fr, year, t, source=src)
        met = tva.table.filter(pl.col("gap") >= 0).height if tva.table is not None else 0
        sentences.append(Sentence(
            f"{year}年科技型中小企业入库目标{t}家，实际入库{n.value}家，完成率{fmt_pct(tva.value)}，"
            f"{met}个镇街达到分解目标（共{len(current_divisions())}个镇街）。",
            [tva],
        ))

    # 3. tier revenue (national "小巨人" + provincial/city 专精特新)
    rev = tier_revenue(fr, year)
    if rev["holders"].value:
        sentences.append(Sentence(
            f"国家小巨人、省市专精特新企业{year}年营业收入{fmt_yi(rev['revenue'].value)}亿元，"
            f"同比{_growth(rev['yoy'].value)}，两年平均{_growth(rev['avg2'].value)}。",
            [rev["holders"], rev["revenue"], rev["yoy"], rev["avg2"]],
        ))

    # 4. titles held on 31 December
    parts, used = [], []
    for code, label in (("innovative_sme", "创新型中小企业"), ("specialized_sme", "专精特新中小企业"),
                        ("little_giant", '专精特新"小巨人"企业'), ("single_champion", "制造业单项冠军企业"),
                        ("high_tech", "高新技术企业")):
        st = count_titles(fr, code, end)
        if st.value:
            parts.append(f"{label}{st.value}家")
            used.append(st)
    if parts:
        sentences.append(Sentence(f"截至{fmt_cn_date(end)}，全市有效期内" + "、".join(parts) + "。", used))

    # 5. cultivation pools listed this year
    if fr.pools is not None and fr.pools.height:
        p = fr.pools.filter(pl.col("listed_on").dt.year() == year)
        if p.height:
            cnt = p.group_by("pool_name").agg(pl.col("uscc").n_unique().alias("n")).sort("n", descending=True)
            txt = "、".join(f"{a}{b}家" for a, b in cnt.iter_rows())
            q = Stat(p["uscc"].n_unique(), f"pools 中 listed_on 在 {year} 年内，按 pool_name 统计不重复企业数", "家",
                     source="；".join(sorted(set(p["source"].to_list()))) if "source" in p.columns else None)
            sentences.append(Sentence(f"{year}年摸查建立企业培育库：{txt}。", [q]))

    # 6. programmes (揭榜挂帅, 孵化载体, 平台, 大赛, 招商, 宣讲) when programme frames are given; ``as_of``
    # dates the campaign progress (zjtx.stats.programs)
    from .programs import programme_sentences

    sentences += programme_sentences(city_or_frames, year, as_of=as_of, titles=fr.titles)

    # table: by town
    tables = []
    if fr.enterprises is not None:
        by_t = tech_sme_registrations(fr, year, by="division").table
        spec = count_titles(fr, "specialized_sme", end, by="division").table
        lg = count_titles(fr, "little_giant", end, by="division").table
        holders = valid_titles(fr.titles, end).filter(pl.col("title").is_in(TIER_REVENUE_TITLES)).select("uscc").unique()
        rev_t = (
            fr.annual.filter(pl.col("year") == year).join(holders, on="uscc", how="semi")
            .join(fr.enterprises.select("uscc", "division"), on="uscc", how="left")
            .group_by("division").agg(pl.col("revenue").sum().alias("rev"))
        )
        base = pl.DataFrame({
            "division": [d.code for d in current_divisions()],
            "镇街": [d.name for d in current_divisions()],
        })
        tab = (
            base.join(by_t.select("division", pl.col("count").alias("科技型入库（家）")), on="division", how="left")
            .join(spec.select("division", pl.col("count").alias("专精特新（家）")), on="division", how="left")
            .join(lg.select("division", pl.col("count").alias('"小巨人"（家）')), on="division", how="left")
            .join(rev_t, on="division", how="left")
            .with_columns(pl.col(c).fill_null(0) for c in ("科技型入库（家）", "专精特新（家）", '"小巨人"（家）'))
            .sort("科技型入库（家）", descending=True)
        )
        if divisions is not None:
            tab = tab.filter(pl.col("division").is_in(divisions))
        tab = tab.with_columns(
            pl.col("rev").map_elements(lambda v: fmt_wan(v), return_dtype=pl.String)
            .fill_null("—").alias(f"小巨人及省市专精特新营业收入（万元，{year}年）")
        ).drop("division", "rev")
        tables.append((f"表1 分镇街情况（{year}年；称号截至{fmt_cn_date(end)}）", tab))
        notes.append("镇街按现行23个镇街统计，历史区划（东升镇、民众镇、南朗镇等）并入继承者。")
    if scoped:
        for s in sentences:
            s.text = s.text.replace("全市", area)
        notes = [n for n in notes if "23个镇街" not in n or divisions]
    if fr.city_comparison is not None and "source" in fr.city_comparison.columns and not scoped:
        srcs = sorted(set(fr.city_comparison["source"].drop_nulls().to_list()))
        if srcs:
            notes.append("全省排名所用比较数据来源：" + "；".join(srcs) + "。")
    return Briefing(year, f"{heading or region}专精特新梯度培育工作简报（{year}年）", sentences, tables, notes)
