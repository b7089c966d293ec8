"""Targeted notices (政策找企业): the pass that decides who is told what, and why.

A notice is created only when

* the enterprise **qualifies** for a tier (or holds it and must renew before the window after next),
  or is **within a verified gap option** of it (the evaluation run's reserve solver), **and** that
  tier's application window opens within ``outreach.window_lead_days`` or closes within
  ``outreach.closing_lead_days`` (windows from ``windows.yaml``);
* its evaluation **status changed** for a tier since the last pass (达标 ↔ 未达标);
* a new **early warning** was raised (``prewarn``);
* it is on a **免申即享** list and must confirm (``exempt``).

Each notice carries why (the rule, its citation, the figures) and how to act, and is delivered to
the enterprise's users (inbox; e-mail per ``mailer``). ``key`` makes every pass idempotent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zjtx.apps.enterprises.models import Enterprise, Title
from zjtx.apps.evaluations.models import EvaluationRun, RunResult
from zjtx.apps.outreach import mailer, windows
from zjtx.apps.outreach.models import EarlyWarning, Notice, StatusMark, Topic
from zjtx.policies import catalog

STATUS_ZH = {"qualified": "达标", "not_qualified": "未达标", "unknown": "待核验", "manual_review": "待人工审核"}


WRITE_CHUNK = 500  # notices per write transaction of a pass


def recipients(enterprise_id: int) -> list[Any]:
    return list(get_user_model().objects.filter(is_active=True, zjtx_profile__role="enterprise_user",
                                                zjtx_profile__enterprise_id=enterprise_id))


def _create(enterprise_id: int, key: str, on: dt.date, **fields: Any) -> Notice | None:
    """The notice, unless one with the same key exists (then None: nothing is said twice)."""
    if Notice.objects.filter(enterprise_id=enterprise_id, key=key).exists():
        return None
    return Notice.objects.create(enterprise_id=enterprise_id, key=key[:160], created_on=on, **fields)


def _link(uscc: str) -> str:
    return f"/evaluations/enterprise/{uscc}/"


def _yuan(v: Any) -> str:
    return "—" if v is None else f"{float(v) / 10000:,.2f}万元"


# ------------------------------------------------------------------ windows

def window_events(on: dt.date) -> list[tuple[windows.Window, str]]:
    """The windows that open within the lead time (``opens``) or close within it (``closes``)."""
    lead_open = int(windows.setting("window_lead_days", on))
    lead_close = int(windows.setting("closing_lead_days", on))
    out = []
    every = windows.all_windows()
    for w in windows.windows(on, on + dt.timedelta(days=max(lead_open, lead_close))):
        if 0 <= (w.opens - on).days <= lead_open:
            out.append((w, "opens"))
        elif w.is_open(on) and 0 <= (w.closes - on).days <= lead_close:
            # batches back to back (高企: three a year): only the last closing is a deadline
            if not any(o.param == w.param and o.opens == w.closes + dt.timedelta(days=1) for o in every):
                out.append((w, "closes"))
    return out


def _expiring_holders(policy: str, before: dt.date, on: dt.date) -> dict[int, Title]:
    from zjtx.apps.enterprises.title_status import status_q
    from zjtx.apps.outreach.prewarn import _title_codes

    codes = _title_codes(policy)
    out: dict[int, Title] = {}
    for t in Title.objects.filter(status_q("valid", on), title__in=codes, expires_on__lte=before).order_by("granted_on"):
        out[t.enterprise_id] = t
    return out


def window_notices(run: EvaluationRun, on: dt.date, ent_ids: set[int] | None) -> list[Notice]:
    out: list[Notice] = []
    cat = catalog()
    for w, event in window_events(on):
        if w.policy not in run.policies:
            continue
        renew = _expiring_holders(w.policy, w.closes + dt.timedelta(days=365), on)
        qs = RunResult.objects.filter(run=run, policy=w.policy).select_related("item")
        qs = qs.filter(status="qualified") | qs.filter(reachable=True)
        name = cat.name(w.policy)
        done: set[int] = set()
        if event == "closes":  # told at the opening and already acted on it: no reminder at the close
            done = set(Notice.objects.filter(key=f"window:{w.key}:opens", state__in=("acted", "resolved"))
                       .values_list("enterprise_id", flat=True))
        else:  # a later batch of a programme already announced this year: told once, at the first
            done = set(Notice.objects.filter(key__startswith=f"window:{w.param}@{w.opens.year}")
                       .values_list("enterprise_id", flat=True))
        when = (f"将于{w.opens:%Y年%m月%d日}开始受理" if event == "opens"
                else f"将于{w.closes:%Y年%m月%d日}截止受理")
        for r in qs:
            ent_id = r.item.enterprise_id
            if ent_id is None or (ent_ids is not None and ent_id not in ent_ids):
                continue
            if ent_id in done:
                continue
            title = renew.get(ent_id)
            if r.held and title is None:
                continue  # holds the title and need not renew in this window
            qualified = r.status == "qualified"
            if not qualified and not feasible_before(r.gap_option, w.closes):
                continue  # the option needs a title first or time beyond this window: not this window's news
            figures: dict[str, str] = {"评价结论": STATUS_ZH.get(r.status, r.status)}
            if r.score is not None:
                figures["评价得分"] = f"{r.score:g}分"
            if not qualified:
                figures["补足方案"] = r.gap_option or "—"
                figures["估计投入"] = _yuan(r.gap_cost)
            if title is not None:
                figures["现有称号有效期至"] = f"{title.expires_on:%Y-%m-%d}"
            if qualified:
                reason = (f"按{run.on:%Y-%m-%d}的评价，贵企业已达到“{name}”的{'重新认定' if title else '认定'}条件，"
                          f"{w.title}{when}。")
                how = f"请于{w.opens:%m月%d日}至{w.closes:%m月%d日}期间向{w.level}申报：{w.action}。"
            else:
                reason = (f"按{run.on:%Y-%m-%d}的评价，贵企业尚未达到“{name}”条件，但存在经复算验证的补足方案，"
                          f"{w.title}{when}。")
                how = (f"补足方案：{r.gap_option}。补足并更新年度数据后，于{w.closes:%m月%d日}前向{w.level}申报；"
                       "如本期来不及，可按下一期受理时间准备。")
            n = _create(ent_id, f"window:{w.key}:{event}", on, topic=Topic.WINDOW, policy=w.policy,
                        subject=f"{name}：{w.title}{when}",
                        why={"reason": reason, "rule": name, "regime": r.regime,
                             "document": _document(r), "figures": figures,
                             "window": {"opens": w.opens.isoformat(), "closes": w.closes.isoformat(),
                                        "level": w.level, "tag": w.tag_label},
                             "window_source": f"{w.source}（{w.tag_label}）", "run": run.pk},
                        how=how, link=_link(r.item.uscc), due_on=w.closes,
                        actionable=qualified)
            if n is not None:
                out.append(n)
    return out


WAIT_RE = re.compile(r"最早于\s*(\d{4}-\d{2}-\d{2})")


def feasible_before(option: str, day: dt.date) -> bool:
    """Whether a gap option (the solver's text) can be carried out by ``day``: no prerequisite title to
    obtain first and no waiting time (years in a niche, years since founding) ending after ``day``."""
    if not option or "先取得" in option:
        return False
    return all(dt.date.fromisoformat(m) <= day for m in WAIT_RE.findall(option))


def _document(r: RunResult) -> str:
    pol = catalog().get(r.policy)
    for reg in getattr(pol, "regimes", []) or []:
        if getattr(reg, "id", None) == r.regime or f"{r.policy}@{getattr(reg, 'id', '')}" == r.regime:
            return str(getattr(reg, "doc", "") or getattr(reg, "document", ""))
    return r.regime


# ------------------------------------------------------------------ status changes

def status_notices(run: EvaluationRun, on: dt.date, ent_ids: set[int] | None) -> list[Notice]:
    out: list[Notice] = []
    cat = catalog()
    marks = {(m.enterprise_id, m.policy): m for m in StatusMark.objects.all()}
    new_marks, changed = [], []
    pending: list[tuple[int, str, dict[str, Any]]] = []  # notices to write, after the read
    qs = RunResult.objects.filter(run=run, policy__in=[p for p in run.policies if p in cat.tiers]).select_related("item")
    for r in qs.iterator(chunk_size=2000):
        ent_id = r.item.enterprise_id
        if ent_id is None or (ent_ids is not None and ent_id not in ent_ids):
            continue
        m = marks.get((ent_id, r.policy))
        if m is None:
            new_marks.append(StatusMark(enterprise_id=ent_id, policy=r.policy, status=r.status, run_id=run.pk, since=on))
            continue
        if m.run_id == run.pk or m.status == r.status:
            continue
        before = m.status
        m.status, m.run_id, m.since = r.status, run.pk, on
        changed.append(m)
        if {before, r.status} != {"qualified", "not_qualified"}:
            continue  # only 达标 ↔ 未达标 is news; 待核验 asks for data, not action
        name = cat.name(r.policy)
        up = r.status == "qualified"
        how = ("请关注申报窗口（见企业页“申报窗口”），窗口开放时按通知申报。" if up else
               ("贵企业持有该称号，请查看预警中的未达标项和补足方案，在复核前补足。" if r.held else
                "请在企业页查看未达标项和差距分析（一企一策）。"))
        pending.append((ent_id, f"status:{r.policy}:{run.pk}", dict(topic=Topic.STATUS, policy=r.policy,
                    subject=f"{name}评价结论由“{STATUS_ZH[before]}”变为“{STATUS_ZH[r.status]}”",
                    why={"reason": f"按{run.on:%Y-%m-%d}的评价（评价批次 #{run.pk}），结论发生变化。", "rule": name,
                         "regime": r.regime, "document": _document(r),
                         "figures": {"此前结论": STATUS_ZH[before], "现结论": STATUS_ZH[r.status],
                                     **({"评价得分": f"{r.score:g}分"} if r.score is not None else {})},
                         "run": run.pk},
                    how=how, link=_link(r.item.uscc), actionable=bool(r.held and not up))))
    # the run's results are read outside any transaction; the writes go in short ones, so a person's
    # edit or login never waits for the whole register (a notice's key makes a repeated pass harmless)
    for i in range(0, len(pending), WRITE_CHUNK):
        with transaction.atomic():
            for ent_id, key, fields in pending[i:i + WRITE_CHUNK]:
                n = _create(ent_id, key, on, **fields)
                if n is not None:
                    out.append(n)
    with transaction.atomic():
        StatusMark.objects.bulk_create(new_marks, batch_size=1000)
        StatusMark.objects.bulk_update(changed, ["status", "run_id", "since"], batch_size=1000)
    return out


# ------------------------------------------------------------------ warnings

WARNING_HOW = {
    EarlyWarning.Kind.CRITERIA: "对照未达标项补足（补足方案见下），更新年度数据后由平台复算；复核前完成。",
    EarlyWarning.Kind.EXPIRY: "按称号有效期准备复核或重新申报材料，关注对应申报窗口。",
    EarlyWarning.Kind.CONFLICT: "评估新增补贴、非高新收入或研发投入变化对认定条件的影响，必要时调整收入归集或研发投入计划。",
    EarlyWarning.Kind.JUMP: "请核对该年度数据（是否单位、口径或录入错误），如有误请在企业页修改年度数据。",
}


def warning_notice(w: EarlyWarning, on: dt.date) -> Notice | None:
    d = w.detail or {}
    figures = dict(d.get("figures") or {})
    for item in (d.get("failing") or [])[:5]:
        figures[f"未达标：{item['label']}"] = f"要求 {item['required']}"
    plan = d.get("plan") or {}
    if plan.get("option"):
        figures["保持称号的补足方案"] = plan["option"]
        figures["估计投入"] = _yuan(plan.get("cost_yuan"))
    how = WARNING_HOW[EarlyWarning.Kind(w.kind)]
    level = (":final" if d["level"] == 30 else ":early") if d.get("level") else ""  # expiry: told twice, not thrice
    return _create(w.enterprise_id, f"warning:{w.key}{level}:{w.first_on:%Y%m%d}", on, topic=Topic.WARNING,
                   policy=w.policy, subject=f"预警：{w.title}",
                   why={"reason": f"{w.get_kind_display()}（{w.get_severity_display()}）", "rule": d.get("rule", ""),
                        "document": d.get("document", ""), "figures": figures},
                   how=how, link=f"/enterprises/{w.enterprise.uscc}/", warning=w,
                   due_on=dt.date.fromisoformat(d["due"]) if d.get("due") else None,
                   actionable=w.kind != EarlyWarning.Kind.CONFLICT or bool(d.get("held") == "持有"))


def warning_notices(on: dt.date, ents: QuerySet) -> list[Notice]:
    out = []
    for w in EarlyWarning.objects.filter(active=True, enterprise__in=ents.values("pk")).select_related("enterprise"):
        n = warning_notice(w, on)
        if n is not None:
            out.append(n)
    return out


# ------------------------------------------------------------------ the pass

def run_notices(on: dt.date, *, run: EvaluationRun | None = None, enterprises: QuerySet | None = None,
                now: dt.datetime | None = None, with_warnings: bool = True) -> dict[str, Any]:
    """Warnings pass (unless ``with_warnings`` is false), then every notice due on ``on``, delivered
    to each enterprise's users; then the e-mails held back by quiet hours. Returns counts."""
    from zjtx.apps.outreach.prewarn import run_warnings
    from zjtx.apps.outreach.source import ensure_run

    run = run or ensure_run(on)
    ents = enterprises if enterprises is not None else Enterprise.objects.all()
    ent_ids = None if enterprises is None else set(ents.values_list("pk", flat=True))
    warned = run_warnings(on, run, enterprises) if with_warnings else None
    now = now or timezone.now()
    created = window_notices(run, on, ent_ids) + status_notices(run, on, ent_ids) + warning_notices(on, ents)
    deliveries = 0
    for n in created:
        users = recipients(n.enterprise_id)
        if users:
            deliveries += len(mailer.deliver(n, users, now))
    pending = mailer.send_pending(now)
    by_topic: dict[str, int] = {}
    for n in created:
        by_topic[n.topic] = by_topic.get(n.topic, 0) + 1
    return {"on": on.isoformat(), "run": run.pk, "notices": len(created), "by_topic": by_topic,
            "actionable": sum(n.actionable for n in created), "deliveries": deliveries, "pending_sent": pending,
            "warnings": warned}
