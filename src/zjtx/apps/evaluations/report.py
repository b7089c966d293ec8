"""The per-enterprise PDF evaluation report (reportlab), with an embedded CJK TrueType font.

The font path is the setting ``ZJTX_PDF_FONT`` (default Debian's ``fonts-wqy-zenhei``); reportlab's
built-in CID font STSong-Light is deliberately not used: it is not embedded and prints blank boxes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "WenQuanYiZenHei"
DISCLAIMER = ("声明：本报告为依据企业库数据和现行政策规则自动生成的预评估结果，仅供企业和主管部门参考，"
              "不构成任何官方认定（认定以主管部门公告为准）。“待核验”表示数据缺失或需专家/人工判断，不等于未达标。")


def font_path() -> Path:
    return Path(getattr(settings, "ZJTX_PDF_FONT", DEFAULT_FONT))


def register_font() -> str:
    """Register the CJK font once; a clear error when the font file is missing."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    path = font_path()
    if not path.exists():
        raise ImproperlyConfigured(
            f"PDF 中文字体文件不存在：{path}。请安装 Debian 软件包 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei），"
            "或在设置 ZJTX_PDF_FONT 中指定一个 TrueType/TTC 中文字体文件。")
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def render_pdf(enterprise: Any, ctx: dict[str, Any]) -> bytes:
    """Cover, one table per policy, gaps and plan, benefits with legal basis, the disclaimer."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from zjtx.web.present import cn_date

    font = register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11)
    h1 = ParagraphStyle("h1", parent=base, fontSize=20, leading=28, spaceAfter=12)
    h2 = ParagraphStyle("h2", parent=base, fontSize=13, leading=20, spaceBefore=10, spaceAfter=6)
    note = ParagraphStyle("note", parent=base, fontSize=9, textColor=colors.HexColor("#7a4b00"))

    def p(text: Any, style: ParagraphStyle = small) -> Paragraph:
        return Paragraph(_esc(text), style)

    def table(rows: list[list[Any]], widths: list[float]) -> Table:
        t = Table([[p(c) for c in r] for r in rows], colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return t

    on = ctx["on"]
    story: list[Any] = [
        Spacer(1, 30 * mm), Paragraph("企业梯度培育评价报告（预评估）", h1),
        p(f"企业名称：{enterprise.name}", base), p(f"统一社会信用代码：{enterprise.uscc}", base),
        p(f"所属镇街：{enterprise.division.name if enterprise.division else '—'}", base),
        p(f"评价日期：{on.year}年{on.month}月{on.day}日", base),
        p(f"规则与参数版本（供核对）：{ctx['rule_version']}", base),
        p("适用规则：" + "；".join(ctx["regimes"]), base), Spacer(1, 8 * mm), Paragraph(_esc(DISCLAIMER), note),
        PageBreak(), Paragraph("一、梯度培育阶梯", h2),
    ]
    ladder_rows = [["层级", "持有称号（有效期）", "本次评价", "得分"]]
    for r in ctx["ladder"]["rungs"]:
        expires = cn_date(r["expires_on"]) if r["expires_on"] else "长期"
        held = f"持有，{cn_date(r['granted_on'])}认定，有效期至{expires}" if r["held"] else "未持有"
        ladder_rows.append([r["name"], held, r["status_label"] + ("（与称号不一致，需人工核实）" if r["flag"] else ""),
                            r["score"]])
    story.append(table(ladder_rows, [45, 55, 55, 20]))
    if ctx["ladder"]["next"]:
        story.append(p(f"下一级：{ctx['ladder']['next']['name']}", base))
    story.append(Paragraph("二、逐项评价", h2))
    for pol in ctx["policies"]:
        res = pol["res"]
        story.append(p(f"{res['name']}（依据 {pol['document']}）：{pol['summary']}", base))
        if pol.get("interval"):
            story.append(p(pol["interval"]))
        rows = [["条件/指标", "要求", "实际", "来源", "结论"]]
        rows += [[r["label"] + (f"\n{r['sentence']}" if r.get("sentence") else ""), r["required"], r["actual"],
                  r["source"], r["result"]] for r in pol["rows"]]
        story.append(table(rows, [38, 45, 50, 17, 25]))
        if pol["missing"]:
            story.append(p("待补充数据：" + "、".join(pol["missing"])))
        if pol["manual"]:
            story.append(p("待专家/人工判断：" + "、".join(pol["manual"])))
        story.append(Spacer(1, 4 * mm))
    story.append(Paragraph("三、差距分析与培育计划（一企一策）", h2))
    if not ctx["gaps_loaded"]:
        story.append(p(ctx["gaps_missing"], base))
    elif not ctx["gaps"]:
        story.append(p("无", base))
    else:
        rows = [["层级", "阶梯", "补足方案", "估计投入"]]
        rows += [[g.get("name") or "", g.get("rung") or "", g["text"] + (f"（{g['reasons']}）" if g.get("reasons") else ""),
                  g.get("cost") or ""] for g in ctx["gaps"]]
        story.append(table(rows, [35, 18, 95, 27]))
    if ctx.get("plans"):
        story.append(p("一企一策培育计划：", base))
        rows = [["目标层级", "事项", "责任方", "完成时限", "状态"]]
        for plan in ctx["plans"]:
            rows += [[plan["tier"], i["title"], i["owner"], cn_date(i["due_on"]) if i["due_on"] else "", i["status"]]
                     for i in plan["items"]]
        story.append(table(rows, [35, 80, 20, 22, 18]))
    story.append(Paragraph("四、可享受的政策与金额", h2))
    if not ctx["benefits_loaded"]:
        story.append(p(ctx["match_missing"], base))
    elif not ctx["benefits"]:
        story.append(p("暂无匹配的政策", base))
    else:
        rows = [["政策", "结论", "金额", "政策依据"]]
        rows += [[b.get("name") or "", b.get("status_label") or b.get("status") or "", b.get("amount_text") or "",
                  b.get("basis") or ""] for b in ctx["benefits"]]
        story.append(table(rows, [45, 25, 35, 70]))
    story += [Spacer(1, 6 * mm), Paragraph(_esc(DISCLAIMER), note)]

    buf = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.setFont(font, 8)
        canvas.drawString(18 * mm, 10 * mm, f"{enterprise.name} · 预评估报告，非官方认定 · 第{doc.page}页")

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=f"{enterprise.name} 评价报告", author="中山市工业和信息化局")
    from functools import partial

    from reportlab.pdfgen.canvas import Canvas

    doc.build(story, onFirstPage=footer, onLaterPages=footer,
              canvasmaker=partial(Canvas, initialFontName=font, invariant=1))
    return buf.getvalue()


def _esc(text: Any) -> str:
    s = str(text if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("\n", "<br/>")
