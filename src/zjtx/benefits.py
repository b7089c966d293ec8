"""政策计算器 and the policy matcher: ``calculate`` one relief, ``match`` an enterprise to everything.

    import zjtx
    zjtx.calculate("cit_small_low_profit", {"tax_year": 2023, "taxable_income_y1": 800_000,
                   "employees_avg": 50, "assets_avg": 10_000_000}, on="2024-06-30")
    zjtx.match(record, on="2024-06-30")

``calculate`` returns the POLICIES.md §1.9 dict (``status``, ``tax`` or ``amount``, ``baseline``,
``relief``, cited ``trace`` with exact ``Decimal`` amounts). ``match`` lists every tier, title and
benefit the enterprise qualifies for or nearly qualifies for on a date, each with its document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from zjtx.policies import catalog
from zjtx.rules.calculators import Calculator, check_inputs, dec
from zjtx.rules.engine import parse_date
from zjtx.rules.inputs import InputError, InputIssue, coerce_record
from zjtx.rules.params import ParameterError, Params
from zjtx.rules.policy import PolicyError

NEAR_POINTS = 10  # "nearly qualifies": score within this many points below the pass score (brief)


def _calculator(policy: str) -> Any:
    p = catalog().get(policy)
    if not isinstance(p, Calculator):
        calcs = [k for k, v in catalog().registry.items() if isinstance(v, Calculator)]
        raise PolicyError(f"'{policy}' 不是计算器（可选: {', '.join(calcs)}）；层级政策请用 zjtx.explain")
    return p


def _base_params(day: dt.date, params: Params | Mapping[str, Any] | None) -> Params:
    return catalog().resolve(day, params, "calculate" if params else None)


def calculate(policy: str, inputs: Mapping[str, Any], on: str | dt.date,
              params: Params | Mapping[str, Any] | None = None, *,
              options: Mapping[str, Any] | None = None, strict: bool = True) -> dict[str, Any]:
    """Compute one tax relief or support amount (POLICIES.md §2.9–§2.14).

    ``inputs`` use the calculator input names of POLICIES.md (``tax_year``, ``taxable_income_y1``,
    ``vat_period``, ``sales_3pct`` …). The period comes from the inputs (``tax_year``; ``vat_period``;
    ``refund_period``); when absent, ``on`` decides (the year before ``on``; the month of ``on``).
    ``params`` may be a reform overlay. With ``strict`` (default) missing required inputs raise
    ``InputError`` naming them; otherwise the result has status ``unknown`` and lists ``missing``.
    Periods outside the collected parameters raise ``PolicyError`` listing the covered ones.
    """
    calc = _calculator(policy)
    day = parse_date(on)
    rec = dict(inputs)
    schema = catalog().schema
    check_inputs(calc, rec, schema)
    rec = coerce_record(rec, sorted(set(calc.fields) & set(rec)), schema)
    opts = dict(options or {})
    if "not_applicable" in rec:
        opts["not_applicable"] = rec["not_applicable"]
    res = calc.run(rec, day, _base_params(day, params), opts, from_input=True)
    if strict and res["status"] == "unknown" and res["missing"]:
        def label(f: str) -> str:
            return schema[f].label if f in schema else f

        raise InputError([InputIssue(1, None, f, None, f"缺少必填输入（{label(f)}）；{calc.name}无法确定结果", label(f))
                          for f in res["missing"]], context=f"{calc.id}")
    return res


# ---------------------------------------------------------------------------------------------
# match
# ---------------------------------------------------------------------------------------------


def _pass_score(res: dict[str, Any]) -> Any:
    for p in res.get("params") or []:
        if str(p.get("id", "")).endswith(".pass_score"):
            return p.get("value")
    return None


def _policy_meta(p: Any) -> dict[str, Any]:
    return {
        "level": getattr(p, "level", ""),
        "issuer": getattr(p, "issuer", ""),
        "application": getattr(p, "how_to_apply", ""),
        "window": getattr(p, "window", "") or None,
        "automatic": bool(getattr(p, "automatic", False)),
        "how": "免申即享" if getattr(p, "automatic", False) else "需申报",
    }


def _money(v: Any) -> Decimal | None:
    if v is None:
        return None
    return v if isinstance(v, Decimal) else Decimal(str(v))


def match(record: Mapping[str, Any], on: str | dt.date, params: Mapping[str, Any] | None = None
          ) -> list[dict[str, Any]]:
    """Every tier, title and benefit ``record`` qualifies for, or nearly qualifies for, as of ``on``.

    Tiers (the catalog's tier policies) are explained with ``zjtx.explain``;
    "nearly" = status unknown / manual_review, or a score within 10 points below the pass score with
    every gate passed. Benefits are the calculators of ``SUPPORT_POLICIES``, run on the record (tax
    year = the year before ``on``; period calculators use the month of ``on`` unless the record has
    ``vat_period`` / ``refund_period``; 从业人数/资产总额 may be approximated by the year-end figures,
    marked provisional). Reliefs that cannot be combined (高新技术企业 15% vs 小型微利企业) are
    compared on the same taxable income and the more favourable is chosen, with the reason.
    Each item: ``kind``, ``policy``, ``name``, ``match`` (qualified / nearly), ``status``, ``document``,
    ``regime``, ``estimate`` (yuan, ``Decimal``) and its basis, ``application``, ``window``,
    ``automatic``, ``how``, ``missing``, ``manual``, ``provisional``, ``notes``, ``stacking``.
    """
    from zjtx.api import explain

    day = parse_date(on)
    rec = dict(record)
    items: list[dict[str, Any]] = []
    results: dict[str, dict[str, Any]] = {}
    for pid in catalog().tiers:
        pol = catalog().get(pid)
        try:
            res = explain(rec, pid, day, params)
        except PolicyError as exc:  # no regime in force on this date
            items.append(_not_in_force(pid, pol, str(exc)))
            continue
        results[pid] = res
        status = res["status"]
        near_reason = None
        if status == "not_qualified":
            ps, smax = _pass_score(res), res.get("score_max")
            failed = [f for f in res.get("failed") or [] if f not in ("score",)]
            if ps is not None and smax is not None and not failed and float(smax) >= float(ps) - NEAR_POINTS:
                near_reason = f"得分 {res.get('score') if res.get('score') is not None else smax} 距合格线 {ps} 不足 {NEAR_POINTS} 分"
            else:
                continue
        item = {
            "kind": "classification" if getattr(pol, "kind", "") == "classification" else "tier",
            "policy": pid,
            "name": res.get("name") or pol.name,
            "match": "qualified" if status == "qualified" else "nearly",
            "status": status,
            "status_zh": res.get("status_zh"),
            "score": res.get("score"),
            "score_min": res.get("score_min"),
            "score_max": res.get("score_max"),
            "document": res.get("document"),
            "regime": res.get("regime"),
            "cite": res.get("document"),
            "estimate": None,
            "estimate_basis": None,
            **_policy_meta(pol),
            "missing": res.get("missing") or [],
            "manual": res.get("manual") or [],
            "provisional": bool(res.get("provisional")),
            "notes": ([near_reason] if near_reason else []) + list(res.get("notes") or [])[:3],
            "stacking": None,
        }
        if pid == "sme_size" and res.get("size"):
            item["notes"].insert(0, f"规模：{res['size']}")
        items.append(item)

    benefit_items = _benefits(rec, day, params, results)
    items.extend(benefit_items)
    return items


def _not_in_force(pid: str, pol: Any, why: str) -> dict[str, Any]:
    regs = getattr(pol, "regimes", [])
    first = regs[0] if regs else None
    return {
        "kind": "tier" if pid in catalog().tiers else "benefit",
        "policy": pid, "name": pol.name, "match": "not_in_force", "status": None, "status_zh": "该日无有效规则",
        "score": None, "score_min": None, "score_max": None,
        "document": first.doc if first else None, "regime": None, "cite": first.doc if first else None,
        "estimate": None, "estimate_basis": None, **_policy_meta(pol), "missing": [], "manual": [],
        "provisional": False, "notes": [why], "stacking": None,
    }


def _benefits(rec: dict[str, Any], day: dt.date, params: Mapping[str, Any] | None,
              tiers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    from zjtx.api import explain

    out: list[dict[str, Any]] = []
    calc_results: dict[str, dict[str, Any]] = {}
    base = dict(rec)
    for k in ("vat_period", "refund_period"):
        if base.get(k) is None:
            base[k] = f"{day.year}-{day.month:02d}"
    for pid in catalog().support:
        calc = catalog().get(pid)
        r = dict(base)
        opts: dict[str, Any] = {"approximate_averages": True}
        if pid == "six_taxes_two_fees" and r.get("small_low_profit") is None and "cit_small_low_profit" in calc_results:
            slp = calc_results["cit_small_low_profit"]["status"]
            r["small_low_profit"] = True if slp == "qualified" else (False if slp == "not_qualified" else None)
        try:
            res = explain(r, pid, day, params, options=opts)
        except (PolicyError, InputError, ParameterError) as exc:
            out.append(_not_in_force(pid, calc, str(exc)))
            continue
        calc_results[pid] = res
        if res["status"] == "not_qualified":
            continue
        est, basis = _estimate(calc, res)
        notes = list(res.get("notes") or [])
        if calc.period_kind == "month" and rec.get(calc.period_field) is None:
            notes.append(f"所属期按评价日所在月份 {base[calc.period_field]} 测算")
        elif calc.period_field == "vat_period" and rec.get("vat_period_basis"):
            notes.append(str(rec["vat_period_basis"]))
        out.append({
            "kind": "benefit",
            "policy": pid,
            "name": calc.name,
            "match": "qualified" if res["status"] == "qualified" else "nearly",
            "status": res["status"],
            "status_zh": res.get("status_zh"),
            "score": None, "score_min": None, "score_max": None,
            "document": res["document"],
            "regime": res["regime"],
            "cite": "；".join(dict.fromkeys([res["document"], *[p["source"] for p in res.get("params", [])][:3]])),
            "estimate": est,
            "estimate_basis": basis,
            "period": res.get("period"),
            "trace_summary": trace_summary(res),
            **_policy_meta(calc),
            "missing": res.get("missing") or [],
            "manual": res.get("manual") or [],
            "provisional": bool(res.get("provisional")),
            "notes": notes,
            "stacking": None,
        })
    _stack_cit(out, rec, day, params, tiers, calc_results)
    return out


def _wan(v: Any) -> str:
    return f"{Decimal(str(v)) / 10000:,.2f}万元"


def _pct(v: Any) -> str:
    return f"{(Decimal(str(v)) * 100).normalize():f}%"


def _same(value: Any, num: Decimal) -> bool:
    try:
        return Decimal(str(value)) == num
    except ArithmeticError:
        return False


def trace_summary(res: Mapping[str, Any]) -> list[str]:
    """A calculator's result in a few Chinese lines: the rule version and its documents, then each computed
    step — a rate in % with the article that sets it, an amount in 万元 (checks and unknowns left out)."""
    params = {p["id"]: p for p in res.get("params") or []}
    schema = catalog().schema
    lines = []
    reg = next((p for p in params.values() if p["id"].endswith(".regime")), None)
    if reg is not None and isinstance(reg.get("value"), Mapping):
        lines.append(f"规则版本：{reg['value'].get('name')}（{reg['value'].get('doc') or res.get('document')}）")
    for step in res.get("trace") or []:
        v = step.get("value")
        if step.get("kind") != "step" or v is None or isinstance(v, bool):
            continue
        try:
            num = Decimal(str(v))
        except ArithmeticError:
            continue
        ratios = [params[i] for i in step.get("params") or [] if i in params and params[i].get("unit") == "ratio"]
        hits = [p["source"] for p in ratios if p.get("source") and _same(p.get("value"), num)]
        if hits:
            lines.append(f"{step['label']}：{_pct(num)}（{'；'.join(dict.fromkeys(hits))}）")
        elif any(getattr(schema.get(k), "kind", "") == "money" for k in step.get("inputs") or {}):
            lines.append(f"{step['label']}：{_wan(num)}")
        elif ratios and 0 <= num <= 1:
            lines.append(f"{step['label']}：{_pct(num)}")
    return lines


def _estimate(calc: Any, res: dict[str, Any]) -> tuple[Decimal | None, str | None]:
    if calc.output == "tax":
        v = res.get("relief")
        return _money(v), ("减免税额（不享受优惠的税额 − 优惠后税额）" if v is not None else None)
    v = res.get("amount")
    if v is None:
        return None, None
    if calc.id == "rd_super_deduction":
        return _money(v), "加计扣除额（减少应纳税所得额；减税效果另见 tax_effect）"
    return _money(v), "支持/退税金额"


def _stack_cit(out: list[dict[str, Any]], rec: dict[str, Any], day: dt.date, params: Mapping[str, Any] | None,
               tiers: dict[str, dict[str, Any]], calcs: dict[str, dict[str, Any]]) -> None:
    """高新技术企业 15% vs 小型微利企业: compare on the same taxable income, keep the better one."""
    cit = calcs.get("cit_small_low_profit")
    ht = tiers.get("high_tech")
    ht_ok = rec.get("high_tech_valid") is True or (ht is not None and ht["status"] == "qualified")
    if cit is None or not ht_ok or rec.get("taxable_income_y1") is None:
        return
    from zjtx.policies.cit_small_low_profit import CALCULATOR as CIT

    year = cit.get("tax_year") or day.year - 1
    base_prm = catalog().resolve(day, params)
    alt = CIT.high_tech_alternative(rec["taxable_income_y1"], year, base_prm)
    prm = CIT.params_for(dt.date(year, 12, 31), base_prm)
    rule = prm["cit_small_low_profit.exclusive_with"]
    alt_tax = dec(alt["tax"], 2)
    base = cit.get("baseline")
    slp_tax = cit.get("tax") if cit["status"] == "qualified" else None
    entry = {
        "rule": "高新技术企业减按15%税率与小型微利企业优惠不得叠加享受，择优适用",
        "source": rule.source,
        "tag": rule.tag,
        "small_low_profit_tax": slp_tax,
        "high_tech_tax": alt_tax,
        "high_tech_source": alt["source"],
    }
    if slp_tax is None:
        chosen = "high_tech"
    else:
        chosen = "small_low_profit" if Fraction(str(slp_tax)) <= Fraction(str(alt_tax)) else "high_tech"
    entry["chosen"] = chosen
    entry["explanation"] = (
        f"同一应纳税所得额下：小型微利企业优惠后税额 {slp_tax if slp_tax is not None else '不适用'} 元，"
        f"高新技术企业15%税率税额 {alt_tax} 元；选择"
        + ("小型微利企业优惠" if chosen == "small_low_profit" else "高新技术企业15%税率") + "（税负更低）"
    )
    for it in out:
        if it["policy"] == "cit_small_low_profit":
            it["stacking"] = entry
            if chosen == "high_tech":
                it["match"] = "not_chosen"
                it["notes"].append(entry["explanation"])
    if base is not None:
        relief = _money(base) - alt_tax  # type: ignore[operator]
        out.append({
            "kind": "benefit",
            "policy": "high_tech",
            "name": "高新技术企业减按15%税率征收企业所得税",
            "match": "qualified" if chosen == "high_tech" else "not_chosen",
            "status": "qualified",
            "status_zh": "达标",
            "score": None, "score_min": None, "score_max": None,
            "document": alt["source"],
            "regime": (ht or {}).get("regime"),
            "cite": alt["source"],
            "estimate": relief,
            "estimate_basis": "减免税额（25%法定税率税额 − 15%税率税额）",
            "period": str(year),
            **_policy_meta(catalog().registry.get("high_tech")),
            "how": "免申即享",
            "automatic": True,
            "application": "取得高新技术企业证书后，在预缴和汇算清缴时自行享受",
            "missing": [], "manual": [], "provisional": alt["tag"] in ("MEMORY", "MEMORY-LOW", "OPEN"),
            "notes": [entry["explanation"]],
            "stacking": entry,
        })


def policy_library(on: str | None = None, search: str | None = None) -> list[dict[str, Any]]:
    """Every registered policy's metadata (from the policy objects), optionally in force on ``on``."""
    import json

    day = parse_date(on) if on else None
    rows = []
    for pid in catalog().ids:
        p = catalog().get(pid)
        regs = [{"id": r.id, "doc": r.doc, "valid_from": r.valid_from.isoformat(),
                 "valid_to": r.valid_to.isoformat() if r.valid_to else None} for r in p.regimes]
        if day is not None and not any(r.covers(day) for r in p.regimes):
            continue
        ends = [r.valid_to for r in p.regimes]
        row = {
            "id": pid, "name": p.name, "kind": getattr(p, "kind", ""), "level": getattr(p, "level", ""),
            "issuer": getattr(p, "issuer", ""), "regimes": regs,
            "valid_from": min(r.valid_from for r in p.regimes).isoformat(),
            "valid_to": None if any(e is None for e in ends) else max(e for e in ends if e).isoformat(),
            "summary": getattr(p, "summary", ""), "beneficiaries": getattr(p, "beneficiaries", ""),
            "how_to_apply": getattr(p, "how_to_apply", ""), "automatic": bool(getattr(p, "automatic", False)),
            "window": getattr(p, "window", ""),
        }
        if search:
            hay = json.dumps(row, ensure_ascii=False).lower()
            if search.lower() not in hay:
                continue
        rows.append(row)
    return rows
