"""GB/T 4754-2017 国民经济行业分类 and Zhongshan's "4+6+4" industry clusters.

Codes are stored as the 门类 letter + 4-digit 小类 (``C3919``); parents derive by prefix
(DOMAIN.md §3.2): 门类 ``C``, 大类 ``C39``, 中类 ``C391``. Bare digit codes (``3919``) are accepted
and the letter is inferred from the 大类.

- :data:`SECTIONS`: the 20 门类 (A–T); :data:`MAJORS`: the 97 大类 (01–97), GB/T 4754-2017 with
  第1号修改单 (2019). Names as published; the classification version is :data:`VERSION`.
- :data:`CLASSES`: the 小类 used by the demo city and the shipped sample (a few per cluster), not
  the full 1,382-entry table. Unknown 小类 still resolve to their 大类/门类 names. Names were
  cross-checked against public GB/T 4754-2017 code tables (e.g. 3562, 3493, 2462, 3964, 3824, 3670,
  6572, 7452, 7530); the 大类 list matches such a table entry for entry.
- :data:`CLUSTERS`: the "4+6+4" clusters of the letter §二(二) (中工信函〔2022〕59号).
- :data:`CLUSTER_MAP`: a dated 小类/中类/大类-prefix → cluster table. The letter names the clusters
  but not their codes: **every mapping row is this project's judgement (DERIVED)**, valid from
  2021-01-01 (the 十四五 period the letter cites) until changed. Longest prefix wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = [
    "CLASSES",
    "CLUSTERS",
    "CLUSTER_MAP",
    "MAJORS",
    "SECTIONS",
    "VERSION",
    "Cluster",
    "ClusterMapping",
    "cluster_by_id",
    "cluster_name",
    "cluster_of",
    "clusters_of",
    "industry_name",
    "major_of",
    "normalize_code",
    "section_of",
]

VERSION = "GB/T 4754-2017 (第1号修改单 2019)"

SECTIONS: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

# 大类 → (门类, name)
_MAJORS_BY_SECTION: dict[str, dict[str, str]] = {
    "A": {"01": "农业", "02": "林业", "03": "畜牧业", "04": "渔业", "05": "农、林、牧、渔专业及辅助性活动"},
    "B": {
        "06": "煤炭开采和洗选业", "07": "石油和天然气开采业", "08": "黑色金属矿采选业",
        "09": "有色金属矿采选业", "10": "非金属矿采选业", "11": "开采专业及辅助性活动", "12": "其他采矿业",
    },
    "C": {
        "13": "农副食品加工业", "14": "食品制造业", "15": "酒、饮料和精制茶制造业", "16": "烟草制品业",
        "17": "纺织业", "18": "纺织服装、服饰业", "19": "皮革、毛皮、羽毛及其制品和制鞋业",
        "20": "木材加工和木、竹、藤、棕、草制品业", "21": "家具制造业", "22": "造纸和纸制品业",
        "23": "印刷和记录媒介复制业", "24": "文教、工美、体育和娱乐用品制造业",
        "25": "石油、煤炭及其他燃料加工业", "26": "化学原料和化学制品制造业", "27": "医药制造业",
        "28": "化学纤维制造业", "29": "橡胶和塑料制品业", "30": "非金属矿物制品业",
        "31": "黑色金属冶炼和压延加工业", "32": "有色金属冶炼和压延加工业", "33": "金属制品业",
        "34": "通用设备制造业", "35": "专用设备制造业", "36": "汽车制造业",
        "37": "铁路、船舶、航空航天和其他运输设备制造业", "38": "电气机械和器材制造业",
        "39": "计算机、通信和其他电子设备制造业", "40": "仪器仪表制造业", "41": "其他制造业",
        "42": "废弃资源综合利用业", "43": "金属制品、机械和设备修理业",
    },
    "D": {"44": "电力、热力生产和供应业", "45": "燃气生产和供应业", "46": "水的生产和供应业"},
    "E": {"47": "房屋建筑业", "48": "土木工程建筑业", "49": "建筑安装业", "50": "建筑装饰、装修和其他建筑业"},
    "F": {"51": "批发业", "52": "零售业"},
    "G": {
        "53": "铁路运输业", "54": "道路运输业", "55": "水上运输业", "56": "航空运输业", "57": "管道运输业",
        "58": "多式联运和运输代理业", "59": "装卸搬运和仓储业", "60": "邮政业",
    },
    "H": {"61": "住宿业", "62": "餐饮业"},
    "I": {"63": "电信、广播电视和卫星传输服务", "64": "互联网和相关服务", "65": "软件和信息技术服务业"},
    "J": {"66": "货币金融服务", "67": "资本市场服务", "68": "保险业", "69": "其他金融业"},
    "K": {"70": "房地产业"},
    "L": {"71": "租赁业", "72": "商务服务业"},
    "M": {"73": "研究和试验发展", "74": "专业技术服务业", "75": "科技推广和应用服务业"},
    "N": {"76": "水利管理业", "77": "生态保护和环境治理业", "78": "公共设施管理业", "79": "土地管理业"},
    "O": {"80": "居民服务业", "81": "机动车、电子产品和日用产品修理业", "82": "其他服务业"},
    "P": {"83": "教育"},
    "Q": {"84": "卫生", "85": "社会工作"},
    "R": {"86": "新闻和出版业", "87": "广播、电视、电影和录音制作业", "88": "文化艺术业", "89": "体育", "90": "娱乐业"},
    "S": {
        "91": "中国共产党机关", "92": "国家机构", "93": "人民政协、民主党派", "94": "社会保障",
        "95": "群众团体、社会团体和其他成员组织", "96": "基层群众自治组织及其他组织",
    },
    "T": {"97": "国际组织"},
}

MAJORS: dict[str, str] = {m: n for sec in _MAJORS_BY_SECTION.values() for m, n in sec.items()}
_SECTION_OF_MAJOR: dict[str, str] = {m: s for s, sec in _MAJORS_BY_SECTION.items() for m in sec}

# 小类 used by the demo (letter + 4 digits → name).
CLASSES: dict[str, str] = {
    # 智能家居 (家电)
    "C3851": "家用制冷电器具制造", "C3852": "家用空气调节器制造", "C3853": "家用通风电器具制造",
    "C3854": "家用厨房电器具制造", "C3855": "家用清洁卫生电器具制造",
    "C3856": "家用美容、保健护理电器具制造", "C3857": "家用电力器具专用配件制造",
    "C3859": "其他家用电力器具制造", "C3861": "燃气及类似能源家用器具制造",
    "C3351": "建筑、家具用金属配件制造", "C3899": "其他未列明电气机械及器材制造",
    # 光电 (灯饰照明)
    "C3871": "电光源制造", "C3872": "照明灯具制造", "C3873": "舞台及场地用灯制造",
    "C3874": "智能照明器具制造", "C3879": "灯用电器附件及其他照明器具制造", "C3975": "半导体照明器件制造",
    # 电子信息
    "C3912": "计算机零部件制造", "C3914": "工业控制计算机及系统制造", "C3919": "其他计算机制造",
    "C3921": "通信系统设备制造", "C3922": "通信终端设备制造", "C3952": "音响设备制造",
    "C3961": "可穿戴智能设备制造", "C3962": "智能车载设备制造", "C3976": "光电子器件制造",
    "C3981": "电阻电容电感元件制造", "C3982": "电子电路制造", "C3983": "敏感元件及传感器制造",
    "C3984": "电声器件及零件制造", "C3989": "其他电子元件制造", "C3991": "其他电子设备制造",
    "I6513": "应用软件开发", "I6531": "信息系统集成服务", "I6532": "物联网技术服务",
    # 半导体及集成电路
    "C3972": "半导体分立器件制造", "C3973": "集成电路制造", "C3985": "电子专用材料制造",
    "C3562": "半导体器件专用设备制造", "I6520": "集成电路设计",
    # 装备制造
    "C3311": "金属结构制造", "C3360": "金属表面处理及热处理加工", "C3421": "金属切削机床制造",
    "C3422": "金属成形机床制造", "C3442": "气体压缩机械制造", "C3443": "阀门和旋塞制造",
    "C3484": "机械零部件加工", "C3599": "其他专用设备制造", "C3670": "汽车零部件及配件制造",
    "C3811": "发电机及发电机组制造", "C3824": "电力电子元器件制造",
    # 激光与增材制造
    "C3424": "金属切割及焊接设备制造", "C3493": "增材制造装备制造",
    # 新能源
    "C3415": "风能原动设备制造", "C3825": "光伏设备及元器件制造", "C3841": "锂离子电池制造",
    # 智能机器人
    "C3491": "工业机器人制造", "C3492": "特殊作业机器人制造", "C3964": "服务消费机器人制造",
    # 精密仪器设备
    "C4011": "工业自动控制系统装置制造", "C4012": "电工仪器仪表制造", "C4014": "实验分析仪器制造",
    "C4019": "其他通用仪器制造", "C4028": "电子测量仪器制造", "C4040": "光学仪器制造",
    # 数字创意
    "C2462": "游艺用品及室内游艺器材制造", "I6572": "动漫、游戏数字内容服务", "I6579": "其他数字内容服务",
    # 健康医药
    "C2720": "化学药品制剂制造", "C2740": "中成药生产", "C2761": "生物药品制造",
    "C2762": "基因工程药物和疫苗制造", "C2770": "卫生材料及医药用品制造",
    "C3581": "医疗诊断、监护及治疗设备制造", "C3589": "其他医疗设备及器械制造",
    # 纺织服装
    "C1713": "棉印染精加工", "C1810": "机织服装制造", "C1820": "针织或钩针编织服装制造",
    "C1830": "服饰制造",
    # 美妆
    "C2682": "化妆品制造", "C2683": "口腔清洁用品制造", "C2689": "其他日用化学产品制造",
    # 板式家具
    "C2110": "木质家具制造", "C2130": "金属家具制造", "C2023": "刨花板制造",
    # 其他 (no cluster)
    "C1399": "其他未列明农副食品加工", "C1495": "食品及饲料添加剂制造", "C2231": "纸和纸板容器制造",
    "C2319": "包装装潢及其他印刷", "C2641": "涂料制造", "C2929": "塑料零件及其他塑料制品制造",
    "C3381": "金属门窗制造", "C3389": "其他金属制日用品制造", "F5179": "其他机械设备及电子产品批发",
    "M7320": "工程和技术研究和试验发展", "M7452": "检测服务", "M7530": "科技中介服务",
}


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    group: str
    order: int


GROUP_4E = "四大战略性新兴产业集群"
GROUP_6E = "六大战略性新兴产业"
GROUP_4T = "四大特色优势产业集群"

CLUSTERS: tuple[Cluster, ...] = (
    Cluster("smart_home", "智能家居", GROUP_4E, 1),
    Cluster("electronics", "电子信息", GROUP_4E, 2),
    Cluster("equipment", "装备制造", GROUP_4E, 3),
    Cluster("health", "健康医药", GROUP_4E, 4),
    Cluster("semiconductor", "半导体及集成电路", GROUP_6E, 5),
    Cluster("laser_am", "激光与增材制造", GROUP_6E, 6),
    Cluster("new_energy", "新能源", GROUP_6E, 7),
    Cluster("robotics", "智能机器人", GROUP_6E, 8),
    Cluster("precision_instruments", "精密仪器设备", GROUP_6E, 9),
    Cluster("digital_creative", "数字创意", GROUP_6E, 10),
    Cluster("textile", "纺织服装", GROUP_4T, 11),
    Cluster("optoelectronics", "光电", GROUP_4T, 12),
    Cluster("cosmetics", "美妆", GROUP_4T, 13),
    Cluster("panel_furniture", "板式家具", GROUP_4T, 14),
)
_CLUSTER_BY_ID = {c.id: c for c in CLUSTERS}
_CLUSTER_BY_NAME = {c.name: c for c in CLUSTERS}


@dataclass(frozen=True)
class ClusterMapping:
    """One row of the dated prefix → cluster table. ``derived`` = this project's judgement."""

    prefix: str
    cluster_id: str
    valid_from: date
    valid_to: date | None = None
    derived: bool = True
    note: str = ""


_FROM = date(2021, 1, 1)  # 十四五 plan period (letter §二(二)); DERIVED start date


def _m(prefix: str, cid: str, note: str = "") -> ClusterMapping:
    return ClusterMapping(prefix, cid, _FROM, None, True, note)


# DERIVED: the letter names clusters, not codes. Longest matching prefix wins.
CLUSTER_MAP: tuple[ClusterMapping, ...] = (
    # 智能家居: household appliances, smart lighting control, furniture hardware
    _m("C385", "smart_home", "家用电力器具"), _m("C386", "smart_home", "非电力家用器具"),
    _m("C3351", "smart_home", "家具用金属配件 (小榄五金)"), _m("C3874", "smart_home", "智能照明器具"),
    # 电子信息
    _m("C39", "electronics"), _m("I65", "electronics", "软件和信息技术服务 (新一代信息技术)"),
    _m("I64", "electronics"), _m("C3824", "electronics", "电力电子元器件"),
    # 半导体及集成电路
    _m("C3972", "semiconductor"), _m("C3973", "semiconductor"), _m("C3985", "semiconductor"),
    _m("C3562", "semiconductor"), _m("I6520", "semiconductor"),
    # 装备制造
    _m("C33", "equipment"), _m("C34", "equipment"), _m("C35", "equipment"), _m("C36", "equipment"),
    _m("C37", "equipment"), _m("C38", "equipment", "电气机械 (家电、照明、电池除外)"),
    # 激光与增材制造
    _m("C3493", "laser_am"), _m("C3424", "laser_am", "金属切割及焊接设备 (激光加工设备)"),
    # 新能源
    _m("C3415", "new_energy", "风能原动设备 (明阳)"), _m("C3825", "new_energy"), _m("C384", "new_energy"),
    _m("C3811", "new_energy", "发电机组 (风电)"), _m("D4415", "new_energy"), _m("D4416", "new_energy"),
    # 智能机器人
    _m("C3491", "robotics"), _m("C3492", "robotics"), _m("C3964", "robotics"),
    # 精密仪器设备
    _m("C40", "precision_instruments"),
    # 数字创意
    _m("C2462", "digital_creative", "游艺器材 (港口)"), _m("I657", "digital_creative"),
    _m("R87", "digital_creative"),
    # 健康医药
    _m("C27", "health"), _m("C358", "health", "医疗仪器设备及器械"), _m("M7340", "health", "医学研究和试验发展"),
    # 纺织服装
    _m("C17", "textile"), _m("C18", "textile"), _m("C19", "textile"),
    # 光电 (灯饰照明, LED, 光电子器件)
    _m("C387", "optoelectronics", "照明器具 (古镇、横栏灯饰)"), _m("C3975", "optoelectronics"),
    _m("C3976", "optoelectronics"),
    # 美妆
    _m("C268", "cosmetics", "日用化学产品"),
    # 板式家具
    _m("C21", "panel_furniture", "家具制造 (含红木家具)"), _m("C202", "panel_furniture", "人造板"),
)


def normalize_code(code: str) -> str:
    """Upper-case, strip, and add the 门类 letter to a bare-digit code ("3919" → "C3919")."""
    c = str(code).strip().upper()
    if c and c[0].isdigit() and len(c) >= 2 and c[:2] in _SECTION_OF_MAJOR:
        c = _SECTION_OF_MAJOR[c[:2]] + c
    return c


def section_of(code: str) -> str | None:
    """门类 letter of a code (``C3919`` → ``C``); None if unknown."""
    c = normalize_code(code)
    if not c:
        return None
    if len(c) >= 3 and c[1:3] in _SECTION_OF_MAJOR:
        return _SECTION_OF_MAJOR[c[1:3]]
    return c[0] if c[0] in SECTIONS else None


def major_of(code: str) -> str | None:
    """大类 as letter + 2 digits (``C3919`` → ``C39``); None if unknown."""
    c = normalize_code(code)
    if len(c) >= 3 and c[1:3] in MAJORS:
        return _SECTION_OF_MAJOR[c[1:3]] + c[1:3]
    return None


def industry_name(code: str) -> str | None:
    """Name of a 门类, 大类 or known 小类; unknown 小类/中类 fall back to their 大类 name."""
    c = normalize_code(code)
    if not c:
        return None
    if c in CLASSES:
        return CLASSES[c]
    if len(c) == 1:
        return SECTIONS.get(c)
    if len(c) >= 3 and c[1:3] in MAJORS:
        return MAJORS[c[1:3]]
    return None


def cluster_by_id(cluster_id: str) -> Cluster | None:
    return _CLUSTER_BY_ID.get(cluster_id) or _CLUSTER_BY_NAME.get(cluster_id)


def cluster_name(cluster_id: str | None) -> str | None:
    c = cluster_by_id(cluster_id) if cluster_id else None
    return c.name if c else None


def _rows_on(on: date | None) -> list[ClusterMapping]:
    d = on or date.today()
    rows = [r for r in CLUSTER_MAP if r.valid_from <= d and (r.valid_to is None or d <= r.valid_to)]
    if on is None and not rows:  # pragma: no cover - safety net
        rows = list(CLUSTER_MAP)
    return sorted(rows, key=lambda r: -len(r.prefix))


def cluster_of(industry_code: str | None, on: date | None = None) -> str | None:
    """The "4+6+4" cluster id for an industry code as of ``on`` (default: today); None if unmapped
    or if no mapping was in force (the mapping starts 2021-01-01, DERIVED)."""
    if not industry_code:
        return None
    c = normalize_code(industry_code)
    for r in _rows_on(on):
        if c.startswith(r.prefix):
            return r.cluster_id
    return None


def clusters_of(codes: Iterable[str | None], on: date | None = None) -> list[str | None]:
    """Vector form of :func:`cluster_of` (memoised per distinct code)."""
    cache: dict[str | None, str | None] = {}
    out = []
    for code in codes:
        if code not in cache:
            cache[code] = cluster_of(code, on)
        out.append(cache[code])
    return out
