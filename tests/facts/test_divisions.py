from datetime import date

from zjtx.facts.divisions import (
    DIVISIONS,
    ENTERPRISE_WEIGHTS,
    ZONES,
    current_divisions,
    division_by_code,
    division_by_name,
)


def test_23_current_divisions_8_jiedao_15_zhen():
    cur = current_divisions()
    assert len(cur) == 23
    assert sum(d.kind == "街道" for d in cur) == 8
    assert sum(d.kind == "镇" for d in cur) == 15
    assert all(len(d.code) == 9 and d.code.startswith("442000") for d in cur)
    assert len({d.code for d in DIVISIONS}) == len(DIVISIONS)


def test_history_maps_to_successor():
    assert division_by_name("东升镇").code == "442000118"
    assert division_by_name("小榄镇").code == "442000118"
    assert division_by_name("民众镇").name == "民众街道"
    assert division_by_name("南朗镇").name == "南朗街道"
    assert division_by_name("火炬开发区街道").name == "中山港街道"
    assert division_by_name("中山市古镇镇").code == "442000105"
    assert division_by_name("小榄").code == "442000118"
    assert division_by_name("不存在镇") is None


def test_by_code_and_follow():
    assert division_by_code("442000118").name == "小榄镇"
    old = division_by_code("442000104")
    assert old.name == "东升镇" and not old.current and old.successor_code == "442000118"
    assert division_by_code("442000104", follow=True).code == "442000118"
    assert not old.valid_on(date(2022, 1, 1))


def test_zones_are_groupings_and_unverified():
    torch = next(z for z in ZONES if z.name == "火炬开发区")
    assert set(torch.division_codes) == {"442000003", "442000007"}
    assert next(z for z in ZONES if z.name == "翠亨新区").division_codes == ("442000008",)
    assert all(not z.verified for z in ZONES)


def test_weights_cover_current_divisions():
    assert set(ENTERPRISE_WEIGHTS) == {d.code for d in current_divisions()}
    assert sum(ENTERPRISE_WEIGHTS.values()) == 1000
    assert max(ENTERPRISE_WEIGHTS, key=ENTERPRISE_WEIGHTS.get) == "442000118"
