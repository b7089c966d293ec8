"""Zhongshan's 镇街 (township-level divisions) and functional zones.

Source: DOMAIN.md §3.1. Zhongshan (4420) has no districts; it governs 8 街道 and 15 镇 directly,
each with a 9-digit code. Records naming a former division (东升镇, 民众镇, 南朗镇, 火炬开发区街道,
石岐区街道) map to its successor.

Historical entries: the codes of the pre-reform divisions (442000100 old 小榄镇, 442000102 民众镇,
442000104 东升镇, 442000113 南朗镇, and 石岐区街道 / 火炬开发区街道 under 442000001 / 442000003) match one
public copy of the pre-2021 statistical division codes (CONFIRMED-1); the dates of the changes are
**unverified** (``verified=False`` on the entries they affect); all are data an administrator can
correct. ``valid_from``
of ``None`` means "in force since before this registry's horizon".

Enterprise weights (:data:`ENTERPRISE_WEIGHTS`) are this project's estimate of each town's share of
industrial / technology enterprises (DERIVED, 演示数据): they drive the demo city and the default
distribution of city-wide targets to towns; they are not published statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "DIVISIONS",
    "ENTERPRISE_WEIGHTS",
    "TOWN_SPECIALTIES",
    "ZONES",
    "Division",
    "Zone",
    "current_divisions",
    "division_by_code",
    "division_by_name",
    "resolve_code",
]

CITY_CODE = "4420"
CITY_NAME = "中山市"

# Date of the 2020–2021 adjustment (民众/南朗 撤镇设街道, 火炬开发区街道 → 中山港街道,
# 东升镇 merged into 小榄镇). Unverified: a single date is used for all four changes.
_REFORM = date(2021, 1, 1)


@dataclass(frozen=True)
class Division:
    """One 镇街. ``kind`` is "街道" or "镇". ``valid_to`` is the last day in force (None = current)."""

    code: str
    name: str
    kind: str
    valid_from: date | None = None
    valid_to: date | None = None
    successor_code: str | None = None
    former_names: tuple[str, ...] = ()
    verified: bool = True

    @property
    def current(self) -> bool:
        return self.valid_to is None

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True)
class Zone:
    """A functional zone (功能区): a grouping of divisions, not a division itself."""

    id: str
    name: str
    division_codes: tuple[str, ...]
    verified: bool = False
    note: str = ""


def _d(code: str, name: str, kind: str, **kw: object) -> Division:
    return Division(code, name, kind, **kw)  # type: ignore[arg-type]


DIVISIONS: tuple[Division, ...] = (
    # ---- current: 8 街道 (DOMAIN.md §3.1) ----
    _d("442000001", "石岐街道", "街道", former_names=("石岐区街道", "石岐区")),
    _d("442000002", "东区街道", "街道", former_names=("东区",)),
    _d("442000003", "中山港街道", "街道", valid_from=_REFORM,
       former_names=("火炬开发区街道",), verified=False),
    _d("442000004", "西区街道", "街道", former_names=("西区",)),
    _d("442000005", "南区街道", "街道", former_names=("南区",)),
    _d("442000006", "五桂山街道", "街道", former_names=("五桂山",)),
    _d("442000007", "民众街道", "街道", valid_from=_REFORM, former_names=("民众镇",), verified=False),
    _d("442000008", "南朗街道", "街道", valid_from=_REFORM, former_names=("南朗镇",), verified=False),
    # ---- current: 15 镇 ----
    _d("442000101", "黄圃镇", "镇"),
    _d("442000103", "东凤镇", "镇"),
    _d("442000105", "古镇镇", "镇", former_names=("古镇",)),
    _d("442000106", "沙溪镇", "镇"),
    _d("442000107", "坦洲镇", "镇"),
    _d("442000108", "港口镇", "镇"),
    _d("442000109", "三角镇", "镇"),
    _d("442000110", "横栏镇", "镇"),
    _d("442000111", "南头镇", "镇"),
    _d("442000112", "阜沙镇", "镇"),
    _d("442000114", "三乡镇", "镇"),
    _d("442000115", "板芙镇", "镇"),
    _d("442000116", "大涌镇", "镇"),
    _d("442000117", "神湾镇", "镇"),
    _d("442000118", "小榄镇", "镇", valid_from=_REFORM, former_names=("东升镇",), verified=False),
    # ---- historical (codes and dates unverified) ----
    _d("442000100", "小榄镇", "镇", valid_to=date(2020, 12, 31), successor_code="442000118", verified=False),
    _d("442000104", "东升镇", "镇", valid_to=date(2020, 12, 31), successor_code="442000118", verified=False),
    _d("442000102", "民众镇", "镇", valid_to=date(2020, 12, 31), successor_code="442000007", verified=False),
    _d("442000113", "南朗镇", "镇", valid_to=date(2020, 12, 31), successor_code="442000008", verified=False),
)

ZONES: tuple[Zone, ...] = (
    Zone("torch", "火炬开发区", ("442000003", "442000007"),
         note="火炬开发区 runs 中山港街道 and 民众街道 (DOMAIN.md §3.1, unverified)"),
    Zone("cuiheng", "翠亨新区", ("442000008",),
         note="翠亨新区 runs 南朗街道 (DOMAIN.md §3.1, unverified)"),
)

_BY_CODE: dict[str, Division] = {d.code: d for d in DIVISIONS}


def current_divisions() -> list[Division]:
    """The 23 divisions in force today, in code order."""
    return sorted((d for d in DIVISIONS if d.current), key=lambda d: d.code)


def resolve_code(code: str) -> str:
    """Follow successor links from a (possibly historical) code to the current code."""
    seen = set()
    while code in _BY_CODE and _BY_CODE[code].successor_code and code not in seen:
        seen.add(code)
        code = _BY_CODE[code].successor_code  # type: ignore[assignment]
    return code


def division_by_code(code: str, *, follow: bool = False) -> Division | None:
    """The division with this 9-digit code (historical ones included); ``follow`` maps to the successor."""
    code = str(code).strip()
    if follow:
        code = resolve_code(code)
    return _BY_CODE.get(code)


def _names() -> dict[str, str]:
    out: dict[str, str] = {}
    for d in DIVISIONS:
        if d.current:
            out[d.name] = d.code
            for n in d.former_names:
                out.setdefault(n, d.code)
    for d in DIVISIONS:  # historical names → successor (current names win)
        if not d.current:
            out.setdefault(d.name, resolve_code(d.code))
    # short forms without the suffix, e.g. "小榄" or "石岐"
    for n, c in list(out.items()):
        for suffix in ("街道", "镇"):
            if n.endswith(suffix) and len(n) > len(suffix) + 1:
                out.setdefault(n[: -len(suffix)], c)
    return out


_BY_NAME = _names()


def division_by_name(name: str) -> Division | None:
    """The current division for a name; historical names (东升镇, 民众镇, 南朗镇, 火炬开发区街道) map to the
    successor. Accepts "中山市" prefixes and short forms ("小榄", "古镇"). None if unknown."""
    n = str(name).strip().replace(" ", "")
    for prefix in ("广东省", "中山市"):
        if n.startswith(prefix):
            n = n[len(prefix):]
    code = _BY_NAME.get(n)
    return _BY_CODE.get(code) if code else None


# Town → main industries (演示数据 / DERIVED from the towns' well-known specialisations).
TOWN_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "442000118": ("智能家居", "装备制造", "美妆", "板式家具"),  # 小榄: 五金, 家电, 锁具
    "442000105": ("光电",),  # 古镇: 灯饰
    "442000003": ("电子信息", "装备制造", "健康医药", "半导体及集成电路"),  # 中山港 (火炬开发区)
    "442000007": ("装备制造", "新能源"),
    "442000111": ("智能家居",),  # 南头: 家电
    "442000103": ("智能家居",),  # 东凤: 小家电
    "442000101": ("智能家居", "装备制造"),  # 黄圃: 家电, 食品
    "442000106": ("纺织服装",),  # 沙溪: 休闲服装
    "442000116": ("板式家具", "纺织服装"),  # 大涌: 红木家具, 牛仔
    "442000110": ("光电",),  # 横栏: 灯饰
    "442000108": ("数字创意", "智能家居"),  # 港口: 游戏游艺
    "442000112": ("装备制造",),
    "442000109": ("纺织服装", "装备制造"),
    "442000107": ("装备制造", "电子信息"),
    "442000114": ("智能家居", "电子信息"),
    "442000008": ("健康医药", "新能源", "数字创意"),  # 南朗 (翠亨新区)
    "442000001": ("数字创意", "电子信息"),
    "442000002": ("数字创意", "电子信息"),
    "442000004": ("装备制造", "电子信息"),
    "442000005": ("健康医药", "装备制造"),
    "442000006": ("健康医药",),
    "442000115": ("装备制造",),
    "442000117": ("装备制造",),
}

# Relative enterprise weights per current division (sum = 1000; DERIVED, 演示数据).
ENTERPRISE_WEIGHTS: dict[str, int] = {
    "442000118": 118,  # 小榄镇 (incl. 东升)
    "442000003": 95,  # 中山港街道
    "442000105": 70,  # 古镇镇
    "442000001": 45,  # 石岐街道
    "442000002": 52,  # 东区街道
    "442000004": 40,  # 西区街道
    "442000005": 28,  # 南区街道
    "442000006": 10,  # 五桂山街道
    "442000007": 35,  # 民众街道
    "442000008": 30,  # 南朗街道
    "442000101": 45,  # 黄圃镇
    "442000103": 48,  # 东凤镇
    "442000106": 42,  # 沙溪镇
    "442000107": 50,  # 坦洲镇
    "442000108": 38,  # 港口镇
    "442000109": 32,  # 三角镇
    "442000110": 40,  # 横栏镇
    "442000111": 52,  # 南头镇
    "442000112": 25,  # 阜沙镇
    "442000114": 45,  # 三乡镇
    "442000115": 20,  # 板芙镇
    "442000116": 28,  # 大涌镇
    "442000117": 12,  # 神湾镇
}
