"""The presentation layer: every code a user can meet, in the words of the user.

One place for the Chinese labels of policy ids, regime ids (read as their 文号), routes, field ids,
choice values, parameter tags, statuses and titles, and for numbers as officers write them (money in
万元/亿元, ratios in %, counts as integers, dates as 2026年6月30日 on pages and ISO in files). Pages,
the PDF report, the briefing, exports, the audit views and the API's human-readable fields call these
functions (templates through the ``present`` filters, a builtin of the template engine).

``humanize`` turns an engine sentence ("ip1 ≥ 1", "∈ {national, provincial}", "(MEMORY)",
"1.169e+05万元", "mode = review") into Chinese; ``INTERNAL_CODE`` is the pattern the internal-code
check (tests/web/test_web_present.py) fails on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

DASH = "—"
UNKNOWN = "未知"

STATUS_LABELS = {"qualified": "达标", "not_qualified": "未达标", "unknown": "待核验",
                 "manual_review": "待核验（需人工判断）", "nearly": "接近符合", "not_in_force": "该日无有效规则"}
TAG_LABELS = {"CONFIRMED": "已核实", "DERIVED": "推定", "MEMORY": "待核实", "OPEN": "待定"}
TAG_NOTES = {
    "CONFIRMED": "已与政策原文核对",
    "DERIVED": "由原文推定的口径",
    "MEMORY": "依据记忆整理、尚未与原文核对",
    "OPEN": "政策未明确、待主管部门确认",
}
RUNG_LABELS = {"current": "已达标", "next": "下一级", "later": "后续"}
KIND_LABELS = {"tier": "梯度层级", "classification": "企业划型", "benefit": "扶持/税收优惠", "support": "扶持/税收优惠"}
LEVEL_LABELS = {"national": "国家级", "provincial": "省级", "city": "市级", "below_city": "市级以下", "none": "无",
                "district": "区级", "town": "镇街级"}
SIZE_LABELS = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}
MODE_LABELS = {"review": "复核", "apply": "申报", "initial": "初次认定"}
# Engine words that are not fields: the Chinese a reader expects.
TERMS = {
    "tax_effect": "减税效果", "effort.yaml": "本平台规划假设", "score": "评分", "direct": "直通",
    "size_class": "企业规模", "amount": "金额", "estimate": "估算金额", "title": "称号", "granted_on": "认定日期",
    "expires_on": "有效期至", "enterprise_id": "企业", "user_id": "用户", "run_id": "评价批次",
    "division_id": "镇街", "object_id": "对象编号", "created_at": "创建时间", "updated_at": "更新时间",
    "approximate_averages": "近似口径",
    # the briefing's methodology (口径) vocabulary (zjtx.stats)
    "titles": "称号记录", "annual": "年报", "revenue": "营业收入", "platforms": "创新平台记录",
    "certifications": "载体认定记录", "kind": "类型", "level": "级别", "status": "状态", "operating": "运营中",
    "established_on": "挂牌日期", "applied_on": "申报日期", "certified_on": "认定日期", "targeted_on": "列为目标日期",
    "key_target": "重点招引目标", "university_park": "大学科技园", "maker_space": "众创空间", "incubator": "孵化器",
    "accelerator": "加速器", "applying": "申报中", "certified": "已认定", "pools": "培育库", "listed_on": "入库日期",
    "pool_name": "培育库名称", "followups": "跟进记录", "contact": "联系", "visit": "走访", "online": "线上对接",
    "intention": "达成意向", "signed": "签约", "projects": "项目记录", "approved_on": "立项日期", "events": "活动记录",
    "members": "成员", "list_name": "名单", "labs": "实验室记录", "uscc": "统一社会信用代码", "held_on": "举办日期",
    "year": "年度", "division": "镇街", "team": "团队", "town": "镇街", "towns": "镇街", "carrier": "载体",
    "targets": "目标", "target": "目标", "holders": "持有企业", "program": "专项", "contest": "大赛",
    "awards": "获奖记录", "rank": "名次", "teams": "参赛团队", "entries": "参赛记录", "stage": "阶段",
    "open_shared_lab": "开放共享实验室", "true": "是", "false": "否", "landed": "落地",
}


# ------------------------------------------------------------------ lookups (catalog and registry)

@lru_cache(maxsize=1)
def _catalog() -> Any:
    from zjtx.policies.catalog import catalog

    return catalog()


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """Every known identifier → its Chinese label (fields, titles, policies, choices, engine terms)."""
    from zjtx.apps.enterprises.fields import (
        BY_NAME,
        PROVENANCE_CHOICES,
        TITLE_CHOICES,
        TITLE_IMPORT_FIELDS,
    )

    out: dict[str, str] = {}
    out.update(LEVEL_LABELS)
    out.update(SIZE_LABELS)
    for spec in BY_NAME.values():
        out[spec.name] = spec.label
        for code, label in spec.choices:
            out.setdefault(code, label)
    for spec in TITLE_IMPORT_FIELDS:
        out.setdefault(spec.name, spec.label)
    out.update(dict(PROVENANCE_CHOICES))
    cat = _catalog()
    for name, spec in cat.schema.items():
        out[name] = spec.label
    out.update(dict(TITLE_CHOICES))
    for pid in cat.ids:
        try:
            out[pid] = cat.name(pid)
        except Exception:
            continue
    out.update(TERMS)
    out.update({k: v for k, v in STATUS_LABELS.items() if k not in out})
    return out


def label(code: Any) -> str:
    """The Chinese label of any code (field, policy, title, choice, term); the code itself if unknown."""
    if code is None or code == "":
        return DASH
    text = str(code)
    return _labels().get(text, humanize(text))


def field_label(name: str) -> str:
    return _labels().get(name, name)


@lru_cache(maxsize=256)
def policy_label(pid: str | None) -> str:
    if not pid:
        return DASH
    try:
        return _catalog().name(pid)
    except Exception:
        return _labels().get(pid, pid)


def title_label(code: str | None) -> str:
    from zjtx.apps.enterprises.fields import TITLE_LABELS

    return TITLE_LABELS.get(code or "", policy_label(code) if code else DASH)


@lru_cache(maxsize=1)
def _regimes() -> dict[str, tuple[str, str]]:
    """regime id → (policy name, 文号)."""
    cat = _catalog()
    out: dict[str, tuple[str, str]] = {}
    for pid in cat.ids:
        try:
            pol = cat.get(pid)
        except Exception:
            continue
        for r in pol.regimes:
            out[r.id] = (pol.name, r.doc)
    return out


_WENHAO = re.compile(r"[^\s；;，,《》]*?〔\d{4}〕\d+号|[^\s；;，,]*?\d{4}年第\d+号|中工信函〔\d{4}〕\d+号")


def regime_label(regime: str | None, document: str | None = None) -> str:
    """A rule version as its 文号 (``innovative_sme@2022-63`` → ``工信部企业〔2022〕63号``)."""
    if not regime:
        return document or DASH
    doc = document or _regimes().get(regime, ("", ""))[1]
    if not doc:
        year = regime.split("@")[-1][:4]
        return f"{year}年版规则" if year.isdigit() else "规则版本"
    m = _WENHAO.search(doc)
    return m.group(0) if m else doc


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", DASH if not status else humanize(str(status)))


def tag_label(tag: str | None) -> str:
    return TAG_LABELS.get((tag or "").upper(), tag or "")


def choice_label(value: Any, field: str | None = None) -> str:
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return yes_no(value)
    if field:
        from zjtx.apps.enterprises.fields import BY_NAME

        spec = BY_NAME.get(field)
        if spec is not None and spec.choices:
            return dict(spec.choices).get(str(value), str(value))
    return _labels().get(str(value), str(value))


def _direct_label(regime: str | None, cid: str) -> str:
    if not regime or "@" not in regime:
        return ""
    try:
        pol = _catalog().get(regime.split("@")[0])
        for r in pol.regimes:
            if r.id == regime:
                for d in r.direct:
                    text = str(getattr(d, "label", "") or "")
                    if d.id == cid and text and "{" not in text:
                        return text
    except Exception:
        return ""
    return ""


def route_label(route: str | None, res: Mapping[str, Any] | None = None, regime: str | None = None) -> str:
    """How a tier was reached: ``score`` → 评分达标; ``direct:D2`` → 直通：<the direct condition>."""
    if not route:
        return ""
    if route == "score":
        return "评分达标"
    if route.startswith("direct:"):
        cid = route.split(":", 1)[1]
        for e in (res or {}).get("trace") or []:
            if e.get("id") == cid and e.get("label"):
                return f"直通：{e['label']}"
        text = _direct_label(regime or (res or {}).get("regime"), cid)
        return f"直通：{text}" if text else "直通条件"
    return humanize(route)


# ------------------------------------------------------------------ numbers and dates

def _finite(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(v: Any, digits: int = 2) -> str:
    """A plain number: grouping, at most ``digits`` decimals, no trailing zeros, never 1e+05 / nan."""
    f = _finite(v)
    if f is None:
        return DASH
    if f.is_integer():
        return f"{int(f):,}"
    return _trim(f"{f:,.{digits}f}")


def count(v: Any) -> str:
    """A count as an integer (265, never 265.0)."""
    f = _finite(v)
    return DASH if f is None else f"{round(f):,}"


def money_wan(wan: Any) -> str:
    """An amount already in 万元: 亿元 from 1亿 on, 2 decimals, no trailing zeros."""
    f = _finite(wan)
    if f is None:
        return DASH
    if abs(f) >= 10000:
        return f"{_trim(f'{f / 10000:,.2f}')}亿元"
    return f"{_trim(f'{f:,.2f}')}万元"


def money(yuan: Any) -> str:
    """An amount in 元 as 万元 / 亿元 (amounts under 1万元 in 元)."""
    f = _finite(yuan)
    if f is None:
        return DASH
    if abs(f) < 10000:
        return f"{_trim(f'{f:,.2f}')}元"
    return money_wan(f / 10000)


def ratio(v: Any, digits: int = 1) -> str:
    """A fraction (0.1173) as a percentage (11.7%)."""
    f = _finite(v)
    if f is None:
        return DASH
    return f"{_trim(f'{f * 100:.{digits}f}')}%"


def cn_date(d: Any) -> str:
    """A date as on paper: 2026年6月30日 (ISO strings accepted)."""
    if d is None or d == "":
        return DASH
    if isinstance(d, str):
        try:
            d = dt.date.fromisoformat(d[:10])
        except ValueError:
            return d
    if isinstance(d, dt.datetime):
        return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"
    if isinstance(d, dt.date):
        return f"{d.year}年{d.month}月{d.day}日"
    return str(d)


def iso_date(d: Any) -> str:
    if d is None or d == "":
        return ""
    if isinstance(d, dt.datetime | dt.date):
        return d.isoformat()[:10]
    return str(d)


def yes_no(v: Any) -> str:
    if v is None or v == "":
        return DASH
    return "是" if bool(v) else "否"


def cell(v: Any) -> Any:
    """A value for a file export (CSV/XLSX): 是/否, ISO dates, no None/nan, no float noise."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.date):
        return v.isoformat()[:10]
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        return int(v) if v.is_integer() else round(v, 4)
    return v


def value(name: str, v: Any) -> str:
    """A record value as users read it, by the field's kind: money, ratio, count, 是/否, choice, date."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return UNKNOWN
    if isinstance(v, bool):
        return yes_no(v)
    spec = _catalog().schema.get(name)
    kind = spec.kind if spec else ""
    if kind in ("money", "signed_money"):
        return money(v)
    if kind == "ratio":
        return ratio(v)
    if kind in ("count", "rank"):
        return count(v) + ("名" if kind == "rank" else "")
    if kind == "enum" or isinstance(v, str):
        if kind == "date" or (isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)):
            return cn_date(v)
        return choice_label(v, name)
    if isinstance(v, dt.date):
        return cn_date(v)
    return number(v)


def score(res: Mapping[str, Any]) -> str:
    s, lo, hi = res.get("score"), res.get("score_min"), res.get("score_max")
    if _finite(s) is not None:
        return f"{number(s, 1)}分"
    if _finite(lo) is not None and _finite(hi) is not None:
        return f"{number(lo, 1)}–{number(hi, 1)}分"
    return DASH


# ------------------------------------------------------------------ sentences

_SCI = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?[eE][+-]\d+)(万元|元|亿元)?")
_WAN = re.compile(r"(?<![\w.,])(\d{5,}(?:\.\d+)?)万元")
_TAG = re.compile(r"[（(]\s*(CONFIRMED|DERIVED|MEMORY|OPEN)\s*[)）]|\b(CONFIRMED|DERIVED|MEMORY|OPEN)\b")
_REGIME = re.compile(r"\b([a-z][a-z0-9_]*)@(\d{4}[-\w]*)")
_SET = re.compile(r"∈\s*\{([^}]*)\}")
_IDENT = re.compile(r"(?<![A-Za-z0-9_.@])([a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+[0-9]+|[a-z]{3,})(?![A-Za-z0-9_@])")
_MODE = re.compile(r"(?:评价方式\s*)?(?:options\.)?mode\s*=\s*(\w+)")
_THIRD = re.compile(r"×\s*0\.33333\d*")
_ROUTE = re.compile(r"\bdirect:(D\d+)\b")
_NONE = re.compile(r"(?<![A-Za-z])(None|nan|NaN|null)(?![A-Za-z])")


def _sci(m: re.Match[str]) -> str:
    f = float(m.group(1))
    unit = m.group(2) or ""
    if unit == "万元":
        return money_wan(f)
    if unit == "元":
        return money(f)
    return number(f) + unit


def humanize(text: Any) -> str:
    """An engine sentence in Chinese: identifiers → labels, regimes → 文号, tags → 已核实/推定/待核实/待定,
    sets → 之一, scientific notation → 万元/亿元, ``× 0.333333`` → ``÷ 3``, None/nan → 未知."""
    if text is None:
        return ""
    s = str(text)
    if not s:
        return s
    labels = _labels()
    s = _TAG.sub(lambda m: f"（{TAG_LABELS[m.group(1) or m.group(2)]}）" if m.group(1)
                 else TAG_LABELS[m.group(2)], s)
    s = _REGIME.sub(lambda m: regime_label(m.group(0)), s)
    s = _MODE.sub(lambda m: f"评价方式为{MODE_LABELS.get(m.group(1), m.group(1))}", s)
    s = _SET.sub(lambda m: "为" + "、".join(labels.get(x.strip(), x.strip()) for x in m.group(1).split(",")) + "之一",
                 s)
    s = _THIRD.sub("÷ 3", s)
    s = _ROUTE.sub("直通条件", s)
    s = _SCI.sub(_sci, s)
    s = _WAN.sub(lambda m: money_wan(float(m.group(1))), s)
    s = _IDENT.sub(lambda m: labels.get(m.group(1), m.group(1)), s)
    s = s.replace("effort.yaml", "本平台规划假设")
    s = _NONE.sub(UNKNOWN, s)
    return s


# The internal-code check: what must never reach a user (snake_case ids, regime ids, None/nan,
# scientific notation, parameter tags).
INTERNAL_CODE = re.compile(
    r"(?<![A-Za-z0-9_./#:\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_./\-])"
    r"|@20\d\d-"
    r"|(?<![A-Za-z])(?:None|nan|NaN)(?![A-Za-z])"
    r"|\d[eE][+-]\d\d"
    r"|\b(?:CONFIRMED|DERIVED|MEMORY|OPEN)\b"
)


def leaks(text: str) -> list[str]:
    """The internal codes in a text a user reads (empty when clean)."""
    return sorted({m.group(0) for m in INTERNAL_CODE.finditer(text)})


def registry_value(spec: Any, v: Any) -> str:
    """A stored registry value (``zjtx.apps.enterprises.fields.FieldSpec``) as users read it."""
    if v is None or v == "":
        return UNKNOWN
    kind = getattr(spec, "kind", "")
    if kind == "bool" or isinstance(v, bool):
        return yes_no(v)
    if kind == "choice":
        return dict(getattr(spec, "choices", ())).get(str(v), label(v))
    if kind == "money":
        return money(v)
    if kind == "fraction":
        return ratio(v)
    if kind in ("int", "year"):
        return count(v) if kind == "int" else str(v)
    if kind == "date":
        return cn_date(v)
    if kind == "decimal":
        return number(v)
    return str(v)


def model_label(model: str | None) -> str:
    """``cultivation.Application`` → its verbose name (申报); other audit targets by their Chinese word."""
    if not model:
        return DASH
    from django.apps import apps

    try:
        return str(apps.get_model(model)._meta.verbose_name)
    except (LookupError, ValueError):
        return {"export": "导出", "list": "列表", "login": "登录"}.get(model, label(model))


def model_field_label(model: str | None, name: str) -> str:
    """A stored field's verbose name (``enterprise_id`` → 企业), else the presentation label."""
    from django.apps import apps

    base = name[:-3] if name.endswith("_id") else name
    try:
        field = apps.get_model(model or "")._meta.get_field(base)
        vn = str(getattr(field, "verbose_name", "") or "")
        if vn and not re.fullmatch(r"[a-z_ ]+", vn):
            return vn
    except (LookupError, ValueError, Exception):
        pass
    return label(name)
