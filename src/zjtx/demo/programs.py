"""The demo city's programmes, calibrated to the letter (中工信函〔2022〕59号). Pure data (Polars /
NumPy; no Django): :func:`generate_programmes` takes the city's enterprises and titles and returns
rows that ``zjtx.apps.programs.demo_load`` writes to the database.

=============================================================  ==========================  ============
figure                                                         demo                        source
=============================================================  ==========================  ============
市级重大科技专项 立项 in 2021                                      6                           letter 二(一)
“揭榜制” projects organised in 2021 (posted, public call)         3                           letter 二(一)
province's 专精特新“小巨人” list screened by the Shenzhen team      299 (sample .xlsx)          letter 一(三)
Shenzhen key targets chosen from it                              36 (best chain fit)          letter 一(三)
national 科技企业孵化器 / provincial 众创空间 certified in 2021        2 / 2                       letter 四(二)
new city 众创空间 in 2021                                          5                           letter 四(二)
provincial 大学科技园: 电子科技大学中山学院 (2020); applying:          1 + 1 applying              letter 四(二)
中山职业技术学院
innovation platforms with universities/institutes by 2021-12-31  15, 3 new in 2021 (named),  letter 四(一)
                                                                 2 open shared labs
中山科技创新园 projects (低温院, 工研中心)                             2, not yet operating        letter 四(一)
宣讲: towns covered by 2022-06-13 (of 23)                          14 (all 23 by 2022-11)       letter 一(二)
2021 中国创新创业大赛（广东·中山赛区） winners, 科技型中小企业          15, incl.                   letter 一(一)
                                                                 中山市精量光电科技有限公司
=============================================================  ==========================  ============

Everything else (names of unnamed carriers and platforms, amounts, dates inside the year,
follow-ups, applicants, reached enterprises, the 299 firms themselves) is 演示数据. The 299 firms
are synthetic (valid USCCs registered in Guangdong cities); the letter's named winner is given to
one synthetic 科技型 enterprise of the 光电 cluster registered in 2021 (its USCC stays synthetic).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from zjtx.facts.divisions import current_divisions
from zjtx.facts.industries import CLASSES, cluster_of

from .ids import ORG_ALPHABET, make_uscc

__all__ = ["LETTER_DATE", "SAMPLE_TARGETS_PATH", "TARGETS", "ProgrammeDemo", "generate_programmes",
           "province_little_giants", "write_target_sample"]

LETTER_DATE = date(2022, 6, 13)
DEMO = "演示数据"
SAMPLE_TARGETS_PATH = Path(__file__).resolve().parent.parent / "data" / "province_little_giants_sample.xlsx"

TARGETS: dict[str, int] = {
    "major_approved_2021": 6, "jiebang_posted_2021": 3, "province_list": 299, "shenzhen_key_targets": 36,
    "national_incubators_2021": 2, "provincial_maker_spaces_2021": 2, "city_maker_spaces_2021": 5,
    "platforms_2021": 15, "platforms_new_2021": 3, "open_labs": 2, "publicity_towns_letter": 14,
    "contest_winners_2021": 15,
}
NAMED_WINNER = "中山市精量光电科技有限公司"
LIST_NAME = "全省专精特新“小巨人”企业名单"
CONTEST_2021 = "2021年中国创新创业大赛（广东·中山赛区）"

# region code (USCC chars 3–8) → weight in the province list (Shenzhen first; 演示)
_REGIONS = [("440300", "深圳市", 118), ("440100", "广州市", 52), ("441900", "东莞市", 32), ("440600", "佛山市", 30),
            ("440400", "珠海市", 18), ("442000", "中山市", 14), ("441300", "惠州市", 12), ("440700", "江门市", 9),
            ("440500", "汕头市", 6), ("441200", "肇庆市", 4), ("440800", "湛江市", 4)]
_WORDS = ["精密", "智能", "微电", "芯", "光学", "新材料", "传感", "控制", "医疗", "精工", "数控", "驱动", "测控", "新能",
          "激光", "储能", "机器人", "影像", "电子", "生物"]
_SUFFIX = ["科技股份有限公司", "技术有限公司", "电子股份有限公司", "科技有限公司", "智能装备股份有限公司"]
_CITY_PREFIX = {"深圳市": "深圳市", "广州市": "广州", "东莞市": "东莞市", "佛山市": "佛山市", "珠海市": "珠海",
                "中山市": "中山市", "惠州市": "惠州市", "江门市": "江门市", "汕头市": "汕头市", "肇庆市": "肇庆市",
                "湛江市": "湛江市"}

PLATFORMS_2021 = [("华南农业大学中山创新中心", "华南农业大学", "innovation_center"),
                  ("中国检科院粤港澳大湾区研究院", "中国检验检疫科学研究院", "research_institute"),
                  ("长春理工大学中山研究院", "长春理工大学", "research_institute")]
PARK_PROJECTS = [("中山先进低温技术研究院", "低温技术研究机构（演示）"), ("中山市工业技术研究中心", "市属研究中心（演示）")]
UNIVERSITY_PARKS = [("电子科技大学中山学院大学科技园", "电子科技大学中山学院", date(2020, 11, 20), date(2020, 3, 16)),
                    ("中山职业技术学院大学科技园", "中山职业技术学院", None, date(2021, 9, 1))]


@dataclass
class ProgrammeDemo:
    projects: list[dict[str, Any]] = field(default_factory=list)
    applications: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    extra_lists: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)  # by key rank of the Shenzhen screening
    carriers: list[dict[str, Any]] = field(default_factory=list)
    certifications: list[dict[str, Any]] = field(default_factory=list)
    tenancies: list[dict[str, Any]] = field(default_factory=list)
    platforms: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    reach: list[dict[str, Any]] = field(default_factory=list)
    contests: list[dict[str, Any]] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)


def _day(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, max(1, (end - start).days + 1))))


def _pick(rng: np.random.Generator, pool: list[Any], k: int, taken: set[Any] | None = None) -> list[Any]:
    cand = [x for x in pool if taken is None or x not in taken]
    if not cand:
        return []
    idx = rng.choice(len(cand), size=min(k, len(cand)), replace=False)
    out = [cand[i] for i in sorted(idx)]
    if taken is not None:
        taken.update(out)
    return out


# ------------------------------------------------------------------------------------ the 299-firm sample

def province_little_giants(seed: int = 2022) -> pl.DataFrame:
    """299 synthetic 专精特新“小巨人” firms of Guangdong (columns = the target-list template names)."""
    rng = np.random.default_rng(seed + 299)
    classes = [c for c in CLASSES if c.startswith("C") and cluster_of(c) is not None]
    rows: list[dict[str, Any]] = []
    seen_names: set[str] = set()
    seen_usccs: set[str] = set()
    for region, city, n in _REGIONS:
        for _ in range(n):
            while True:
                body = "".join(rng.choice(list(ORG_ALPHABET), size=8))
                uscc = make_uscc(region, body)
                if uscc not in seen_usccs:
                    seen_usccs.add(uscc)
                    break
            while True:
                name = _CITY_PREFIX[city] + "".join(rng.choice(_WORDS, size=2)) + str(rng.choice(_SUFFIX))
                if name not in seen_names:
                    seen_names.add(name)
                    break
            ind = str(rng.choice(classes))
            founded = date(int(rng.integers(1998, 2016)), int(rng.integers(1, 13)), int(rng.integers(1, 28)))
            rev1 = float(round(rng.lognormal(19.6, 0.7), -4))  # ~3亿 median
            g1, g2 = float(rng.normal(0.16, 0.14)), float(rng.normal(0.14, 0.12))
            rev2 = round(rev1 / (1 + g1), -4)
            rev3 = round(rev2 / (1 + g2), -4)
            emp = int(rng.integers(120, 900))
            rd = round(rev1 * float(rng.uniform(0.03, 0.11)), -2)
            assets = round(rev1 * float(rng.uniform(0.9, 1.8)), -4)
            rows.append({
                "uscc": uscc, "name": name, "region": city, "industry": ind, "founded_on": founded,
                "main_product": CLASSES.get(ind, "").removesuffix("制造") + "产品",
                "employees_y1": emp, "rd_staff_y1": int(emp * float(rng.uniform(0.12, 0.35))),
                "revenue_y1": rev1, "revenue_y2": rev2, "revenue_y3": rev3,
                "main_revenue_y1": round(rev1 * float(rng.uniform(0.85, 0.99)), -4),
                "main_revenue_y2": round(rev2 * float(rng.uniform(0.85, 0.99)), -4),
                "rd_expense_y1": rd, "net_profit_y1": round(rev1 * float(rng.normal(0.09, 0.05)), -4),
                "total_assets_y1": assets, "total_liabilities_y1": round(assets * float(rng.uniform(0.2, 0.65)), -4),
                "ip1": int(rng.integers(3, 60)), "ip1_high_value": None, "niche_years": int(rng.integers(3, 20)),
                "strategic_emerging": bool(rng.random() < 0.8), "high_tech_valid": bool(rng.random() < 0.93),
                "abnormal_or_dishonest": False, "major_incident_3y": False, "restricted_industry": False,
            })
    df = pl.DataFrame(rows, infer_schema_length=None)
    hv = [int(x * float(rng.uniform(0.2, 0.6))) for x in df["ip1"].to_list()]
    return df.with_columns(pl.Series("ip1_high_value", hv, dtype=pl.Int64))


def write_target_sample(path: str | Path = SAMPLE_TARGETS_PATH, seed: int = 2022) -> Path:
    """The shipped sample list (.xlsx in the import template layout)."""
    from zjtx.apps.programs.layout import TARGET_FIELDS, template_bytes

    df = province_little_giants(seed)
    rows = []
    for r in df.iter_rows(named=True):
        rows.append([("是" if r[f.name] else "否") if isinstance(r.get(f.name), bool) else r.get(f.name)
                     for f in TARGET_FIELDS])
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(template_bytes(rows))
    return p


# ------------------------------------------------------------------------------------ the programmes

def generate_programmes(enterprises: pl.DataFrame, titles: pl.DataFrame, seed: int = 2022) -> ProgrammeDemo:
    """Programme rows for a city (enterprises: uscc, name, division, industry, founded_on; titles:
    uscc, title, granted_on). Enterprises are referred to by USCC."""
    rng = np.random.default_rng(seed + 17)
    out = ProgrammeDemo()
    ent = enterprises.select("uscc", "name", "division", "industry", "founded_on").with_columns(
        pl.col("industry").map_elements(lambda c: cluster_of(c) or "", return_dtype=pl.String).alias("cluster"))
    held = titles.select("uscc", "title", "granted_on")
    high_tech = set(held.filter(pl.col("title") == "high_tech")["uscc"].to_list())
    tech_2021 = set(held.filter((pl.col("title") == "tech_sme") & (pl.col("granted_on").dt.year() == 2021))["uscc"]
                    .to_list())
    by_cluster: dict[str, list[str]] = {}
    for u, c in ent.select("uscc", "cluster").iter_rows():
        by_cluster.setdefault(c, []).append(u)
    div_of = dict(ent.select("uscc", "division").iter_rows())
    names = dict(ent.select("uscc", "name").iter_rows())
    taken: set[str] = set()

    _projects(rng, out, by_cluster, high_tech, div_of, names, taken)
    _incubation(rng, out, ent, taken)
    _platforms(rng, out, ent)
    _publicity(rng, out, ent)
    _contest(rng, out, ent, tech_2021, names)
    _other_lists(rng, out)
    _followup_plan(rng, out)
    return out


_PROBLEMS = [
    ("major", "optoelectronics", "高显色全光谱LED芯片封装关键技术", "LED芯片封装材料和工艺依赖进口"),
    ("major", "equipment", "高精度数控系统及伺服驱动国产化", "高端数控系统、伺服电机依赖进口"),
    ("major", "semiconductor", "功率半导体器件封装测试工艺", "功率器件封测工艺与设备受制于人"),
    ("major", "health", "创新药物靶点验证与药物评价平台", "靶点验证与临床前评价能力不足"),
    ("major", "new_energy", "海上风电大功率主轴承研制", "大功率主轴承长期依赖进口"),
    ("major", "smart_home", "家电智能控制芯片与模组", "家电主控芯片依赖进口"),
    ("jiebang", "electronics", "车规级高可靠传感器研制", "车规级传感器认证与可靠性技术"),
    ("jiebang", "precision_instruments", "精密光学检测仪器核心部件", "高端光学检测部件依赖进口"),
    ("jiebang", "robotics", "协作机器人高精度减速器", "精密减速器寿命与精度不达标"),
]
_UNIVERSITIES = ["中山大学", "华南理工大学", "电子科技大学中山学院", "暨南大学", "广东工业大学", "长春理工大学"]


def _projects(rng: np.random.Generator, out: ProgrammeDemo, by_cluster: dict[str, list[str]], high_tech: set[str],
              div_of: dict[str, str], names: dict[str, str], taken: set[str]) -> None:
    counter = {"major": 0, "jiebang": 0}
    for i, (kind, cluster, title, point) in enumerate(_PROBLEMS):
        counter[kind] += 1
        code = f"{'ZX' if kind == 'major' else 'JB'}2021-{counter[kind]:02d}"
        pool = [u for u in by_cluster.get(cluster, []) if u in high_tech] or by_cluster.get(cluster, [])
        solver = _pick(rng, pool, 1, taken)
        others = _pick(rng, pool, 2 if kind == "major" else 3, taken)
        posted = _day(rng, date(2021, 3, 1), date(2021, 6, 30))
        closes = posted + timedelta(days=45)
        approved = _day(rng, closes + timedelta(days=20), date(2021, 11, 30))
        city_share = float(int(rng.integers(20, 51)) * 100_000)
        town = div_of.get(solver[0]) if solver else None
        town_share = float(int(rng.integers(5, 21)) * 100_000) if town and i % 2 == 0 else 0.0
        accepted = i in (0, 1, 3, 6)
        state = "accepted" if accepted else "contracted"
        univ = str(rng.choice(_UNIVERSITIES))
        out.projects.append({
            "code": code, "kind": kind, "title": title, "year": 2021, "state": state, "cluster": cluster,
            "chain_point": point, "poster_kind": "bureau", "poster_name": "中山市科学技术局",
            "goal": f"突破{point}，形成自主可控的{title.removesuffix('研制')}能力（{DEMO}）",
            "indicators": "关键性能指标达到国际同类产品水平；申请发明专利不少于3件；实现产业化应用",
            "budget": city_share * 3, "city_share": city_share, "town_share": town_share,
            "division": town if town_share else None, "posting_opens": posted, "posting_closes": closes,
            "deadline": date(2023, 12, 31), "consortium": f"{names.get(solver[0], '揭榜企业') if solver else '揭榜企业'}（牵头）\n{univ}",
            "selected_on": closes + timedelta(days=10), "approved_on": approved, "contract_no": f"中科合〔2021〕{10 + i}号",
            "accepted_on": date(2023, int(rng.integers(3, 11)), 15) if accepted else None,
            "outcome": "通过验收：关键指标全部达到合同要求（演示数据）" if accepted else "",
            "solver": solver[0] if solver else None,
        })
        applicants = [(u, "enterprise", True) for u in [*solver, *others]]
        applicants.append((None, "university", univ not in ("电子科技大学中山学院",)))
        if kind == "jiebang":
            applicants.append((None, "institute", False))
        for j, (u, akind, local) in enumerate(applicants):
            name = {"university": univ, "institute": "广东省科学院某研究所（演示）"}.get(akind)
            out.applications.append({"project": code, "enterprise": u, "applicant_kind": akind,
                                     "applicant_name": name, "local": local,
                                     "status": "selected" if j == 0 else "not_selected",
                                     "score": float(90 - 5 * j), "proposal": f"技术路线与产业化方案（{DEMO}）",
                                     "requested_amount": city_share})
        start = approved
        for k in range(3):
            due = start + timedelta(days=180 * (k + 1))
            closed = accepted or k == 0
            out.milestones.append({"project": code, "seq": k + 1, "title": ("完成方案设计与样机", "中试验证", "产业化应用")[k],
                                   "due_on": due, "deliverable": ("设计报告、样机", "中试报告", "用户应用证明")[k],
                                   "city_amount": round(city_share * (0.4, 0.3, 0.3)[k], 2),
                                   "town_amount": round(town_share * (0.4, 0.3, 0.3)[k], 2),
                                   "status": "closed" if closed else "planned",
                                   "closed_on": due if closed else None,
                                   "evidence": "阶段成果材料（演示数据）" if closed else ""})
        if accepted:
            out.outcomes.append({"project": code, "kind": "ip1", "title": f"{title}相关发明专利", "count": 3,
                                 "year": 2023})


def _incubation(rng: np.random.Generator, out: ProgrammeDemo, ent: pl.DataFrame, taken: set[str]) -> None:
    towns = [d.code for d in current_divisions()]
    young = ent.filter(pl.col("founded_on") >= date(2014, 1, 1))
    young_by_town: dict[str, list[str]] = {}
    for u, d in young.select("uscc", "division").iter_rows():
        young_by_town.setdefault(d, []).append(u)
    spec: list[tuple[str, str, str, list[tuple[str, date | None, date]]]] = []
    # (name, kind, town, [(level, certified_on or None = applying, applied_on)])
    spec += [("火炬区科创孵化器", "incubator", "442000003",
              [("provincial", date(2018, 12, 10), date(2018, 6, 1)), ("national", date(2021, 12, 6), date(2021, 5, 10))]),
             ("翠亨新区创新孵化器", "incubator", "442000008",
              [("provincial", date(2019, 12, 12), date(2019, 6, 1)), ("national", date(2021, 12, 6), date(2021, 5, 10))]),
             ("小榄智造孵化器", "incubator", "442000118", [("provincial", date(2020, 12, 8), date(2020, 6, 1))]),
             ("火炬区高端装备加速器", "accelerator", "442000003", [("city", date(2019, 10, 1), date(2019, 5, 1))]),
             ("中山科技创新园", "science_park", "442000003", [])]
    spec += [(f"{n}众创空间", "maker_space", t, [("city", date(2019, 9, 1), date(2019, 5, 1)),
                                                 ("provincial", date(2021, 11, 25), date(2021, 4, 20))])
             for n, t in (("石岐青创", "442000001"), ("东区数字", "442000002"))]
    spec += [(f"{n}众创空间", "maker_space", t, [("city", date(2018 + i % 3, 9, 1), date(2018 + i % 3, 5, 1))])
             for i, (n, t) in enumerate((("古镇光电", "442000105"), ("南头家电", "442000111"), ("坦洲创客", "442000107")))]
    spec += [(f"{n}众创空间", "maker_space", t, [("city", date(2021, int(m), 15), date(2021, 4, 1))])
             for n, t, m in (("沙溪服装设计", "442000106", 9), ("港口数字创意", "442000108", 9),
                             ("三乡青年创业", "442000114", 10), ("黄圃食品创新", "442000101", 10),
                             ("西区电商", "442000004", 11))]
    for name, univ, cert, applied in UNIVERSITY_PARKS:
        levels = [("provincial", cert, applied)]
        spec.append((name, "university_park", "442000003" if "电子" in name else "442000001", levels))
        out.carriers.append({"name": name, "kind": "university_park", "operator": univ,
                             "division": "442000003" if "电子" in name else "442000001", "note": "中工信函〔2022〕59号"})
    for name, kind, town, levels in spec:
        if kind != "university_park":
            out.carriers.append({"name": name, "kind": kind, "operator": f"{name}运营公司（演示）", "division": town,
                                 "note": DEMO})
        for level, cert, applied in levels:
            out.certifications.append({"carrier": name, "level": level, "applied_on": applied,
                                       "status": "certified" if cert else "applying", "certified_on": cert,
                                       "document": f"认定文件（{DEMO}）" if cert else ""})
        if kind in ("maker_space", "incubator", "accelerator"):
            pool = young_by_town.get(town) or young_by_town.get(str(rng.choice(towns)), [])
            tenants = _pick(rng, pool, int(rng.integers(8, 25)), taken)
            for u in tenants:
                entered = _day(rng, date(2017, 1, 1), date(2022, 6, 30))
                graduated = entered + timedelta(days=int(rng.integers(500, 1300)))
                status = "graduated" if graduated <= date(2024, 6, 30) and rng.random() < 0.6 else "resident"
                out.tenancies.append({"carrier": name, "enterprise": u, "entered_on": entered, "status": status,
                                      "graduated_on": graduated if status == "graduated" else None})


def _platforms(rng: np.random.Generator, out: ProgrammeDemo, ent: pl.DataFrame) -> None:
    earlier = [("智能家居产业技术研究院", "重点高校甲（演示）", "research_institute", True),
               ("光电照明研究院", "重点高校乙（演示）", "research_institute", False),
               ("装备制造创新研究院", "重点高校丙（演示）", "research_institute", True),
               ("健康医药创新中心", "科研院所甲（演示）", "innovation_center", False),
               ("电子信息研究院", "重点高校丁（演示）", "research_institute", False),
               ("新材料工程研究中心", "科研院所乙（演示）", "new_rd", False),
               ("半导体器件研究院", "科研院所丙（演示）", "new_rd", False),
               ("精密仪器检测中心", "科研院所丁（演示）", "innovation_center", False),
               ("纺织服装创新研究院", "重点高校戊（演示）", "research_institute", False),
               ("激光与增材制造研究院", "重点高校己（演示）", "new_rd", False),
               ("新能源技术研究院", "重点高校庚（演示）", "research_institute", False),
               ("数字创意研究中心", "重点高校辛（演示）", "innovation_center", False)]
    for i, (name, partner, kind, lab) in enumerate(earlier):
        out.platforms.append({"name": f"中山{name}", "kind": kind, "partner": partner, "division": "442000003",
                              "established_on": date(2014 + i // 2, 3 + i % 9, 18), "status": "operating",
                              "open_shared_lab": lab, "park": ""})
    for i, (name, partner, kind) in enumerate(PLATFORMS_2021):
        out.platforms.append({"name": name, "kind": kind, "partner": partner, "division": "442000003",
                              "established_on": date(2021, 4 + 3 * i, 20), "status": "operating",
                              "open_shared_lab": False, "park": ""})
    for name, partner in PARK_PROJECTS:
        out.platforms.append({"name": name, "kind": "new_rd", "partner": partner, "division": "442000003",
                              "established_on": None, "status": "planning", "open_shared_lab": False,
                              "park": "中山科技创新园"})
    usccs = ent["uscc"].to_list()
    for p in out.platforms:
        if p["status"] != "operating":
            continue
        for u in _pick(rng, usccs, int(rng.integers(4, 16))):
            out.services.append({"platform": p["name"], "enterprise": u,
                                 "kind": str(rng.choice(["testing", "rd", "transfer", "equipment", "talent"])),
                                 "on": _day(rng, max(p["established_on"], date(2020, 1, 1)), date(2023, 12, 31)),
                                 "note": DEMO})


def _publicity(rng: np.random.Generator, out: ProgrammeDemo, ent: pl.DataFrame) -> None:
    towns = [d.code for d in current_divisions()]
    order = [towns[i] for i in rng.permutation(len(towns))]
    first, later = order[:14], order[14:]
    by_town: dict[str, list[str]] = {}
    for u, d in ent.select("uscc", "division").iter_rows():
        by_town.setdefault(d, []).append(u)
    policies = ["specialized_sme", "little_giant", "innovative_sme", "tech_sme"]
    eid = 0

    def event(town: str, held: date, channel: str) -> None:
        nonlocal eid
        eid += 1
        key = f"E{eid:03d}"
        out.events.append({"key": key, "title": "专精特新发展政策宣讲会", "division": town, "planned_on": held,
                           "held_on": held, "channel": channel, "policies": policies, "status": "held",
                           "organiser": "中山市工业和信息化局、镇街经济发展部门", "attendees": int(rng.integers(30, 160))})
        for u in _pick(rng, by_town.get(town, []), int(rng.integers(15, 45))):
            out.reach.append({"event": key, "enterprise": u})

    for i, town in enumerate(first):
        event(town, _day(rng, date(2022, 2, 15), date(2022, 6, 10)), "online" if i % 3 == 0 else "offline")
    for i, town in enumerate(first[:4]):  # a second round in a few towns
        event(town, _day(rng, date(2022, 7, 1), date(2022, 9, 30)), "online" if i % 2 else "offline")
    for i, town in enumerate(later):
        event(town, _day(rng, date(2022, 6, 20), date(2022, 11, 30)), "online" if i % 2 else "offline")
    out.events.append({"key": "E999", "title": "专精特新政策宣讲（计划）", "division": later[0],
                       "planned_on": date(2023, 3, 15), "held_on": None, "channel": "offline", "policies": policies,
                       "status": "cancelled", "organiser": "镇街经济发展部门", "attendees": None,
                       "note": "因疫情防控调整，改为线上（演示数据）"})


def _contest(rng: np.random.Generator, out: ProgrammeDemo, ent: pl.DataFrame, tech_2021: set[str],
             names: dict[str, str]) -> None:
    benefits = [{"prize": "一等奖", "grant": 300000, "credit": 5000000},
                {"prize": "二等奖", "grant": 200000, "credit": 3000000},
                {"prize": "三等奖", "grant": 100000, "credit": 2000000},
                {"prize": "优秀奖", "grant": 50000, "credit": 1000000}]
    out.contests.append({"name": CONTEST_2021, "series": "innovation_contest", "year": 2021, "level": "city",
                         "division_name": "广东·中山赛区", "organiser": "中山市科学技术局",
                         "held_on": date(2021, 9, 28), "benefits": benefits, "rank_field": "",
                         "document": "2021年中国创新创业大赛（广东·中山赛区）获奖企业支持措施（演示数据）"})
    pool = ent.filter(pl.col("uscc").is_in(list(tech_2021)))
    opto = sorted(pool.filter(pl.col("cluster") == "optoelectronics")["uscc"].to_list())
    rest = sorted(pool["uscc"].to_list())
    first = opto[0] if opto else rest[0]
    others = _pick(rng, [u for u in rest if u != first], 14)
    winners = [first, *others]
    out.renames[first] = NAMED_WINNER
    prizes = ["一等奖"] + ["二等奖"] * 3 + ["三等奖"] * 5 + ["优秀奖"] * 6
    groups = ["成长组", "初创组"]
    for rank, (u, prize) in enumerate(zip(winners, prizes, strict=True), start=1):
        out.awards.append({"contest": CONTEST_2021, "enterprise": u, "project": f"参赛项目{rank:02d}（演示）",
                           "group": groups[rank % 2], "prize": prize, "rank": rank, "awarded_on": date(2021, 9, 28),
                           "benefit_status": "paid" if rank <= 12 else "granted"})


def _other_lists(rng: np.random.Generator, out: ProgrammeDemo) -> None:
    """Small lists of the Shanghai and Beijing teams (演示), so the funnel has every team."""
    for team, region, city, n in (("shanghai", "310115", "上海市", 12), ("beijing", "110108", "北京市", 8)):
        for i in range(n):
            body = "".join(rng.choice(list(ORG_ALPHABET), size=8))
            out.extra_lists.append({"team": team, "uscc": make_uscc(region, body), "name": f"{city}重点企业{i + 1:02d}（演示）",
                                    "region": city, "industry": str(rng.choice(["C3919", "C3562", "C4014", "C2761"])),
                                    "stage": ["listed", "targeted", "contacted", "visited"][i % 4]})


def _followup_plan(rng: np.random.Generator, out: ProgrammeDemo) -> None:
    """Follow-ups of the Shenzhen key targets by screening rank (1 = best fit; 演示)."""
    for rank in range(1, 21):
        out.followups.append({"rank": rank, "kind": "contact", "on": _day(rng, date(2022, 1, 5), date(2022, 3, 20)),
                              "note": "经深圳相关商协会对接，电话联系企业负责人"})
    for rank in range(1, 15):
        kind = "online" if rank % 2 == 0 else "visit"
        out.followups.append({"rank": rank, "kind": kind, "on": _day(rng, date(2022, 3, 25), date(2022, 6, 10)),
                              "note": "云端线上会谈，介绍中山产业配套与政策" if kind == "online" else "赴深圳走访调研"})
    for rank in range(1, 7):
        out.followups.append({"rank": rank, "kind": "intention", "on": _day(rng, date(2022, 7, 1), date(2022, 9, 30)),
                              "note": "有意在中山设立生产基地"})
    for rank in range(1, 4):
        out.followups.append({"rank": rank, "kind": "signed", "on": _day(rng, date(2022, 10, 10), date(2022, 12, 20)),
                              "note": "签订投资协议（演示数据）"})
    out.followups.append({"rank": 1, "kind": "landed", "on": date(2023, 4, 18), "note": "项目注册落地（演示数据）"})
