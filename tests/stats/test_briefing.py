from datetime import date

import polars as pl

from zjtx.stats.briefing import briefing, fmt_pct, fmt_wan, fmt_yi


def test_formatting():
    assert fmt_yi(308.4e8) == "308"
    assert fmt_yi(308.6e8) == "309"
    assert fmt_pct(0.34227) == "34.2%"
    assert fmt_pct(-0.05) == "5.0%"
    assert fmt_wan(12_345_678) == "1,234.57"
    assert fmt_yi(None) == "—"


def test_letter_sentences(default_city, tmp_path):
    b = briefing(default_city, 2021)
    md = b.markdown
    assert "全年共有2502家成功入库，比上年增长34.2%，数量居全省第5" in md
    assert "国家小巨人、省市专精特新企业2021年营业收入308亿元，同比增长22.0%，两年平均增长24.0%" in md
    assert "[^1]: 口径：" in md and "示例数据（演示用）" in md
    assert all(s.stats for s in b.sentences)  # every sentence is traceable
    p = b.to_docx(tmp_path / "b.docx")
    from docx import Document

    text = "\n".join(par.text for par in Document(str(p)).paragraphs)
    assert "308亿元" in text and "口径：" in text


def test_target_sentence_2022(default_city):
    b = briefing(default_city, 2022)
    assert any("入库目标2800家" in s.text and "完成率" in s.text for s in b.sentences)
    assert "数量居全省第" not in b.markdown  # no comparison source for 2022 → no rank


def test_small_frames_without_comparison():
    ent = pl.DataFrame({"uscc": ["A", "B"], "division": ["442000118", "442000105"], "industry": ["C3919", "C3872"]})
    annual = pl.DataFrame({"uscc": ["A"] * 3, "year": [2019, 2020, 2021], "revenue": [1e8, 1.1e8, 1.21e8]})
    titles = pl.DataFrame({
        "uscc": ["A", "A", "B"], "title": ["specialized_sme", "tech_sme", "tech_sme"],
        "granted_on": [date(2020, 1, 1), date(2021, 5, 1), date(2020, 5, 1)],
        "expires_on": [date(2022, 12, 31), date(2021, 12, 31), date(2020, 12, 31)],
    })
    b = briefing({"enterprises": ent, "annual": annual, "titles": titles}, 2021)
    t = b.sentences[0].text
    assert t.startswith("2021年全市科技型中小企业全年共有1家成功入库，比上年持平") or "增长0.0%" in t
    assert "居全省" not in t
    assert "营业收入1亿元，同比增长10.0%，两年平均增长10.0%" in b.markdown
    assert "不排名" in b.markdown
