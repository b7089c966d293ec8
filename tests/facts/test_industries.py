from datetime import date

from zjtx.facts.industries import (
    CLASSES,
    CLUSTER_MAP,
    CLUSTERS,
    MAJORS,
    SECTIONS,
    cluster_of,
    industry_name,
    major_of,
    section_of,
)


def test_sizes():
    assert len(SECTIONS) == 20 and list(SECTIONS)[0] == "A" and list(SECTIONS)[-1] == "T"
    assert len(MAJORS) == 97
    assert sorted(MAJORS) == [f"{i:02d}" for i in range(1, 98)]


def test_parents_and_names():
    assert section_of("C3919") == "C"
    assert section_of("3919") == "C"
    assert major_of("C3919") == "C39"
    assert major_of("I6520") == "I65"
    assert industry_name("C3919") == "其他计算机制造"
    assert industry_name("C39") == "计算机、通信和其他电子设备制造业"
    assert industry_name("C") == "制造业"
    assert industry_name("C3111") == "黑色金属冶炼和压延加工业"  # unknown 小类 → 大类 name
    assert all(section_of(c) == c[0] for c in CLASSES)


def test_clusters_4_6_4():
    groups = [c.group for c in CLUSTERS]
    assert len(CLUSTERS) == 14
    assert groups.count("四大战略性新兴产业集群") == 4
    assert groups.count("六大战略性新兴产业") == 6
    assert groups.count("四大特色优势产业集群") == 4
    assert all(m.derived for m in CLUSTER_MAP)
    assert {m.cluster_id for m in CLUSTER_MAP} == {c.id for c in CLUSTERS}


def test_cluster_of_longest_prefix_and_dates():
    assert cluster_of("C3919") == "electronics"
    assert cluster_of("C3973") == "semiconductor"
    assert cluster_of("C3872") == "optoelectronics"
    assert cluster_of("C3854") == "smart_home"
    assert cluster_of("C3421") == "equipment"
    assert cluster_of("C3491") == "robotics"
    assert cluster_of("C2682") == "cosmetics"
    assert cluster_of("C1810") == "textile"
    assert cluster_of("C2110") == "panel_furniture"
    assert cluster_of("C2720") == "health"
    assert cluster_of("F5179") is None
    assert cluster_of(None) is None
    assert cluster_of("C3919", on=date(2019, 1, 1)) is None  # mapping starts 2021-01-01 (DERIVED)
