"""zjtx.stats.programs on hand-made frames: each number and its query, and the briefing sentences."""

from __future__ import annotations

from datetime import date

import polars as pl

from zjtx.stats import briefing
from zjtx.stats.programs import (
    carriers_applying,
    carriers_certified,
    contest_winners,
    funnel,
    key_targets,
    platforms_summary,
    programme_sentences,
    projects_approved,
    projects_posted,
    publicity_coverage,
)

D = pl.Date


def frames() -> dict:
    projects = pl.DataFrame({
        "code": ["ZX1", "ZX2", "ZX3", "JB1", "JB2", "JB3"], "kind": ["major", "major", "major", "jiebang", "jiebang", "jiebang"],
        "title": list("abcdef"), "year": [2021] * 6, "state": ["accepted", "contracted", "contracted", "posted", "cancelled",
                                                               "contracted"],
        "posted_on": [None, None, None, date(2021, 3, 1), date(2021, 4, 1), date(2020, 12, 30)],
        "approved_on": [date(2021, 5, 1), date(2021, 12, 31), date(2022, 1, 1), None, None, date(2021, 6, 1)],
        "accepted_on": [None] * 6, "division": [None] * 6, "solver_name": [None] * 6,
    }, schema_overrides={"posted_on": D, "approved_on": D, "accepted_on": D})
    certs = pl.DataFrame({
        "carrier": ["甲孵化器", "甲孵化器", "乙众创", "丙众创", "丁大学科技园", "戊大学科技园"],
        "kind": ["incubator", "incubator", "maker_space", "maker_space", "university_park", "university_park"],
        "level": ["provincial", "national", "provincial", "city", "provincial", "provincial"],
        "status": ["certified", "certified", "certified", "revoked", "certified", "applying"],
        "applied_on": [date(2019, 1, 1), date(2021, 3, 1), date(2021, 1, 1), date(2021, 1, 1), date(2020, 1, 1),
                       date(2021, 9, 1)],
        "certified_on": [date(2019, 12, 1), date(2021, 12, 6), date(2021, 11, 1), date(2021, 5, 1), date(2020, 11, 20),
                         None],
    })
    platforms = pl.DataFrame({"name": ["P1", "P2", "P3", "P4"], "partner": ["u"] * 4,
                              "established_on": [date(2019, 1, 1), date(2021, 4, 1), date(2022, 2, 1), None],
                              "status": ["operating", "operating", "operating", "planning"],
                              "open_shared_lab": [True, False, True, False]})
    targets = pl.DataFrame({
        "id": [1, 2, 3, 4], "list_name": ["全省名单", "全省名单", "全省名单", "全省名单"],
        "list_kind": ["little_giant"] * 4, "listed_on": [date(2021, 10, 1)] * 4, "uscc": list("abcd"),
        "name": list("abcd"), "region": ["深圳市", "深圳市", "广州市", "深圳市"], "local": [False] * 4,
        "team": ["驻深圳招商小组"] * 3 + [None], "key_target": [True, True, False, False],
        "targeted_on": [date(2021, 12, 1), date(2022, 1, 5), None, None], "stage": ["x"] * 4, "furthest": ["x"] * 4,
        "town": [None] * 4,
    })
    followups = pl.DataFrame({"target_id": [1, 1, 2, 3], "kind": ["contact", "signed", "online", "note"],
                              "on": [date(2022, 1, 1), date(2022, 8, 1), date(2022, 3, 1), date(2022, 3, 1)]})
    events = pl.DataFrame({"id": [1, 2, 3, 4, 5], "division": ["442000118", "442000118", "442000105", "442000018",
                                                               "442000001"],
                           "held_on": [date(2022, 3, 1), date(2022, 7, 1), date(2022, 5, 1), date(2022, 5, 1), None],
                           "status": ["held", "held", "held", "held", "planned"],
                           "channel": ["online", "offline", "offline", "offline", "offline"]})
    awards = pl.DataFrame({"contest": ["赛"] * 3, "series": ["innovation_contest"] * 3, "year": [2021] * 3,
                           "uscc": ["u1", "u2", "u3"], "name": ["甲公司", "乙公司", "丙公司"], "prize": ["一等奖"] * 3,
                           "rank": [2, 1, 3], "awarded_on": [date(2021, 9, 1)] * 3, "benefits": ["银行授信、资金补助"] * 3})
    return {"projects": projects, "certifications": certs, "platforms": platforms, "targets": targets,
            "followups": followups, "events": events, "awards": awards}


TITLES = pl.DataFrame({"uscc": ["u1", "u3", "u2"], "title": ["tech_sme", "tech_sme", "tech_sme"],
                       "granted_on": [date(2021, 5, 1), date(2021, 6, 1), date(2020, 5, 1)], "expires_on": [None] * 3},
                      schema_overrides={"expires_on": D})


def test_counts_and_queries() -> None:
    fr = frames()
    st = projects_approved(fr, 2021, "major")
    assert st.value == 2 and "approved_on" in st.query and "kind=major" in st.query
    assert projects_posted(fr, 2021, "jiebang").value == 1  # 2020 posting and the withdrawn one do not count
    assert carriers_certified(fr, 2021, "incubator", "national").value == 1
    assert carriers_certified(fr, 2021, "maker_space", "city").value == 0  # revoked
    assert carriers_applying(fr, date(2021, 12, 31), "university_park", "provincial").value == 1
    assert carriers_applying(fr, date(2021, 6, 30), "university_park", "provincial").value == 0
    pf = platforms_summary(fr, 2021)
    assert (pf["total"].value, pf["new"].value, pf["labs"].value) == (2, 1, 1)
    cw = contest_winners(fr, 2021, titles=TITLES)
    assert cw["all"].value == 3 and cw["tech"].value == 2 and cw["example"] == "甲公司"  # 乙 registered in 2020
    kt = key_targets(fr, 2021)
    assert [(k["list"], k["listed"].value, k["targeted"].value, k["region"]) for k in kt] == [("全省", 3, 1, "深圳市"),
                                                                                               ("全省", 1, 0, None)]
    cov = publicity_coverage(fr, 2022, date(2022, 6, 13))
    assert cov.value == 2 and cov.inputs["total"] == 23  # 442000018 is not a current town
    assert publicity_coverage(fr, 2022).value == 2 and publicity_coverage(fr, 2023).value == 0


def test_funnel_as_of() -> None:
    fr = frames()
    t = {r["team"]: r for r in funnel(fr, date(2022, 6, 30)).table.iter_rows(named=True)}
    assert (t["驻深圳招商小组"]["listed"], t["驻深圳招商小组"]["targeted"], t["驻深圳招商小组"]["visited"],
            t["驻深圳招商小组"]["signed"]) == (3, 2, 1, 0)
    assert t["（未分配）"]["listed"] == 1
    t = {r["team"]: r for r in funnel(fr).table.iter_rows(named=True)}
    assert (t["驻深圳招商小组"]["visited"], t["驻深圳招商小组"]["signed"]) == (2, 1)  # signing implies the earlier steps
    t = {r["team"]: r for r in funnel(fr, date(2021, 12, 15)).table.iter_rows(named=True)}
    assert t["驻深圳招商小组"]["targeted"] == 1


def test_sentences() -> None:
    assert programme_sentences({}, 2021) == []
    s = programme_sentences({"programs": frames(), "titles": TITLES}, 2021)
    text = "\n".join(x.text for x in s)
    assert "2021年全市市级重大科技专项立项2项；组织实施“揭榜制”项目1项" in text
    assert "2021年成功申报1家国家级科技企业孵化器、1家省级众创空间。" in text
    assert "2020年，丁大学科技园获得省级大学科技园认定。持续推动戊大学科技园申报省级大学科技园。" in text
    assert "全市引进国内重点高校科研机构建设创新平台累计达2个，2021年P21个平台挂牌成立，共建设开放共享实验室1家。" in text
    assert "其中甲公司等2家科技型中小企业获奖，获奖企业可享受银行授信、资金补助等优惠政策" in text
    assert "驻深圳招商小组梳理全省3家，经过综合研判分析，确定1家深圳专精特新“小巨人”企业作为重点招引目标。" in text
    assert all(st.query for x in s for st in x.stats)
    s22 = programme_sentences({"programs": frames()}, 2022, as_of=date(2022, 6, 13))
    assert any("截至2022年6月13日，已完成2个镇街的政策宣讲（全市共23个镇街）" in x.text for x in s22)
    assert any("已走访（含线上会谈）重点企业1家，签约0家" in x.text for x in s22)


def test_briefing_appends_programme_sentences() -> None:
    registry = {"enterprises": pl.DataFrame({"uscc": ["u1", "u2", "u3"], "division": ["442000118"] * 3,
                                             "industry": ["C3919"] * 3}),
                "annual": pl.DataFrame({"uscc": ["u1"], "year": [2021], "revenue": [1e7]}), "titles": TITLES}
    b = briefing({**registry, "programs": frames()}, 2021)
    assert any("重大科技专项立项2项" in s.text for s in b.sentences) and "口径：projects 中 kind=major" in b.markdown
