"""The demo city's programmes reproduce the letter's figures, and the briefing prints its programme
sentences from them (each checked against a direct count in the database)."""

from __future__ import annotations

from datetime import date

import pytest

from zjtx.apps.cultivation.models import BenefitEntry
from zjtx.apps.enterprises.models import Enterprise, Title
from zjtx.apps.programs.models import (
    Award,
    Carrier,
    Certification,
    InvestmentTarget,
    Platform,
    Project,
    PublicityEvent,
    TargetList,
)
from zjtx.demo.programs import LETTER_DATE, NAMED_WINNER, TARGETS

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def demo(db, demo_city):
    from zjtx.apps.enterprises.demo_load import briefing_frames, load_demo

    counts = load_demo(demo_city(seed=2022, scale=3000))  # the registry load calls the programme load
    return counts, briefing_frames()


def test_demo_programmes_match_the_letter(demo) -> None:
    from zjtx.apps.programs.demo_load import load_programmes
    from zjtx.stats import briefing

    counts, frames = demo
    assert counts["projects"] == 9 and counts["targets"] == 299 + 20
    # direct counts in the database (independent of zjtx.stats.programs)
    assert Project.objects.filter(kind="major", approved_on__year=2021).count() == TARGETS["major_approved_2021"] == 6
    assert Project.objects.filter(kind="jiebang", posting_opens__year=2021).exclude(state="cancelled").count() == 3
    province = TargetList.objects.get(name__startswith="全省")
    assert province.targets.count() == 299 and province.team.code == "shenzhen"
    keys = province.targets.filter(key_target=True)
    assert keys.count() == 36 and set(keys.values_list("region", flat=True)) == {"深圳市"}
    assert not keys.filter(local=True).exists()
    worst_key = min(keys.values_list("fit_score", flat=True))
    assert not province.targets.filter(region="深圳市", key_target=False, local=False, fit_score__gt=worst_key).exists()
    cert = Certification.objects.filter(status="certified", certified_on__year=2021)
    assert cert.filter(carrier__kind="incubator", level="national").count() == 2
    assert cert.filter(carrier__kind="maker_space", level="provincial").count() == 2
    assert cert.filter(carrier__kind="maker_space", level="city").count() == 5
    assert Carrier.objects.get(name="电子科技大学中山学院大学科技园").level == "provincial"
    assert Certification.objects.get(carrier__name="中山职业技术学院大学科技园").status == "applying"
    running = Platform.objects.filter(status="operating", established_on__lte=date(2021, 12, 31))
    assert running.count() == 15 and running.filter(open_shared_lab=True).count() == 2
    assert set(running.filter(established_on__year=2021).values_list("name", flat=True)) == {
        "华南农业大学中山创新中心", "中国检科院粤港澳大湾区研究院", "长春理工大学中山研究院"}
    held = PublicityEvent.objects.filter(status="held", held_on__gte=date(2022, 1, 1))
    assert held.filter(held_on__lte=LETTER_DATE).values("division").distinct().count() == 14
    assert held.filter(held_on__lte=date(2022, 12, 31)).values("division").distinct().count() == 23
    winners = Award.objects.filter(contest__year=2021, contest__series="innovation_contest")
    assert winners.values("enterprise").distinct().count() == 15
    assert Enterprise.objects.filter(name=NAMED_WINNER, awards__rank=1).exists()
    tech_2021 = set(Title.objects.filter(title="tech_sme", granted_on__year=2021).values_list("enterprise_id", flat=True))
    assert set(winners.values_list("enterprise_id", flat=True)) <= tech_2021
    assert BenefitEntry.objects.filter(policy="zs_innovation_contest", year=2021).count() == 15
    assert load_programmes() == {}  # loaded once

    # the briefing prints the letter's programme sentences for 2021 from these data
    text = "\n".join(s.text for s in briefing(frames, 2021).sentences)
    for phrase in ("2021年全市市级重大科技专项立项6项", "组织实施“揭榜制”项目3项",
                   "2021年成功申报2家国家级科技企业孵化器、2家省级众创空间，新增市级众创空间5家。",
                   "2020年，电子科技大学中山学院大学科技园获得省级大学科技园认定。持续推动中山职业技术学院大学科技园申报省级大学科技园。",
                   "全市引进国内重点高校科研机构建设创新平台累计达15个，2021年华南农业大学中山创新中心、中国检科院粤港澳大湾区研究院、"
                   "长春理工大学中山研究院3个平台挂牌成立，共建设开放共享实验室2家。",
                   f"举办2021年中国创新创业大赛（广东·中山赛区），其中{NAMED_WINNER}等15家科技型中小企业获奖，"
                   "获奖企业可享受银行授信、资金补助等优惠政策。",
                   "驻深圳招商小组梳理全省专精特新“小巨人”企业299家，经过综合研判分析，确定36家深圳专精特新“小巨人”企业作为重点招引目标。"):
        assert phrase in text, phrase
    text22 = "\n".join(s.text for s in briefing(frames, 2022, as_of=LETTER_DATE).sentences)
    assert "截至2022年6月13日，已完成14个镇街的政策宣讲（全市共23个镇街）" in text22
    assert "已完成23个镇街" in "\n".join(s.text for s in briefing(frames, 2022).sentences)
    visited = InvestmentTarget.objects.filter(followups__kind__in=["visit", "online"],
                                              followups__on__lte=LETTER_DATE).distinct().count()
    assert f"已走访（含线上会谈）重点企业{visited}家" in text22
