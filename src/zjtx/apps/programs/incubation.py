"""The incubation ladder 众创空间 → 孵化器 → 加速器 → 科技园区 (and 大学科技园), platforms, and
the tiers graduates reach later.

Lifecycles:

* a certification (载体认定): 申报中 → 已认定 (sets the carrier's level and date) / 未通过; 已认定 →
  已撤销 (the carrier falls back to its best remaining certified level). Filing: city staff, or the
  officer of the carrier's town; deciding (认定/未通过/撤销): city administrators.
* a tenancy (在孵企业): 在孵 → 已毕业 / 已退出, by city staff or the officer of the carrier's town;
  admitting a tenant needs the enterprise in the officer's scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.programs import access
from zjtx.apps.programs.lifecycle import Action, LifecycleError, Machine
from zjtx.apps.programs.models import Carrier, Certification, Level, Tenancy

C = Certification.Status
LEVEL_RANK = {Level.NATIONAL: 3, Level.PROVINCIAL: 2, Level.CITY: 1, Level.NONE: 0}


def _date(v: Any) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError as exc:
        raise LifecycleError(f"日期格式错误：{v}（应为YYYY-MM-DD）") from exc


def _visible_cert(user: Any, c: Certification) -> bool:
    return access.role(user) is not None


def _admin(user: Any, c: Any) -> bool:
    return access.is_admin(user)


def _check_certify(c: Certification, data: dict[str, Any]) -> str | None:
    on = _date(data.get("certified_on"))
    if on is None:
        return "认定须填写认定日期"
    if on < c.applied_on:
        return "认定日期不能早于申报日期"
    if on > timezone.localdate():
        return "认定日期不能晚于今天"
    if not str(data.get("document") or c.document).strip():
        return "认定须填写认定文号"
    return None


def _refresh_level(carrier: Carrier) -> None:
    best = None
    for cert in carrier.certifications.filter(status=C.CERTIFIED):
        if best is None or (LEVEL_RANK[cert.level], cert.certified_on) > (LEVEL_RANK[best.level], best.certified_on):
            best = cert
    carrier.level = best.level if best else Level.NONE
    carrier.certified_on = best.certified_on if best else None
    carrier.save()


def _apply_certify(c: Certification, user: Any, data: dict[str, Any]) -> None:
    c.certified_on = _date(data.get("certified_on"))
    c.document = (str(data.get("document") or "").strip() or c.document)[:120]
    c.status = C.CERTIFIED
    c.save()
    _refresh_level(c.carrier)


def _apply_revoke(c: Certification, user: Any, data: dict[str, Any]) -> None:
    c.status = C.REVOKED
    c.save()
    _refresh_level(c.carrier)


CERTIFICATION = Machine("载体认定", Certification, "status", (
    Action("certify", "予以认定", (C.APPLYING,), C.CERTIFIED, _admin, check=_check_certify, apply=_apply_certify,
           who_text="限市级管理员"),
    Action("reject", "未通过认定", (C.APPLYING,), C.REJECTED, _admin, reason_required=True, who_text="限市级管理员"),
    Action("revoke", "撤销认定", (C.CERTIFIED,), C.REVOKED, _admin, reason_required=True, apply=_apply_revoke,
           who_text="限市级管理员"),
), _visible_cert)


def apply_certification(carrier: Carrier, user: Any, level: str, applied_on: date | None = None) -> Certification:
    """File a level application (申报) for a carrier."""
    if access.role(user) in (None, "auditor") or not access.manages_carrier(user, carrier):
        raise LifecycleError("当前账号无权为该载体申报认定（限市级或所在镇街）", 403)
    if level not in (Level.NATIONAL, Level.PROVINCIAL, Level.CITY):
        raise LifecycleError("申报级别无效")
    if carrier.certifications.filter(level=level, status=C.APPLYING).exists():
        raise LifecycleError("该级别已在申报中，不能重复申报", 409)
    if carrier.certifications.filter(level=level, status=C.CERTIFIED).exists():
        raise LifecycleError("该载体已获得该级别认定", 409)
    day = applied_on or timezone.localdate()
    if day > timezone.localdate():
        raise LifecycleError("申报日期不能晚于今天")
    with acting_as(user, source="programs"), transaction.atomic():
        return Certification.objects.create(carrier=carrier, level=level, applied_on=day)


# ------------------------------------------------------------------------------------ tenancies

TS = Tenancy.Status


def _visible_tenancy(user: Any, t: Tenancy) -> bool:
    return access.tenancies(user, Tenancy.objects.filter(pk=t.pk)).exists()


def _carrier_manager(user: Any, t: Tenancy) -> bool:
    return access.manages_carrier(user, t.carrier)


def _check_leave_date(field: str) -> Any:
    def check(t: Tenancy, data: dict[str, Any]) -> str | None:
        on = _date(data.get("on")) or timezone.localdate()
        if on < t.entered_on:
            return f"{'毕业' if field == 'graduated_on' else '退出'}日期不能早于入驻日期（{t.entered_on.isoformat()}）"
        if on > timezone.localdate():
            return "日期不能晚于今天"
        return None
    return check


def _apply_date(field: str) -> Any:
    def apply(t: Tenancy, user: Any, data: dict[str, Any]) -> None:
        setattr(t, field, _date(data.get("on")) or timezone.localdate())
        if data.get("reason"):
            t.note = data["reason"][:300]
    return apply


TENANCY = Machine("在孵企业", Tenancy, "status", (
    Action("graduate", "毕业", (TS.RESIDENT,), TS.GRADUATED, _carrier_manager, check=_check_leave_date("graduated_on"),
           apply=_apply_date("graduated_on"), who_text="限市级或载体所在镇街"),
    Action("leave", "退出", (TS.RESIDENT,), TS.LEFT, _carrier_manager, reason_required=True,
           check=_check_leave_date("left_on"), apply=_apply_date("left_on"), who_text="限市级或载体所在镇街"),
), _visible_tenancy)


def admit(carrier: Carrier, enterprise: Any, user: Any, entered_on: date | None = None) -> Tenancy:
    """Register an enterprise as resident (入驻)."""
    if access.role(user) in (None, "auditor") or not access.manages_carrier(user, carrier):
        raise LifecycleError("当前账号无权登记该载体的在孵企业（限市级或载体所在镇街）", 403)
    if not access.enterprises(user).filter(pk=enterprise.pk).exists():
        raise LifecycleError("企业不存在或不在本账号管辖范围内", 404)
    if Tenancy.objects.filter(carrier=carrier, enterprise=enterprise, status=TS.RESIDENT).exists():
        raise LifecycleError("该企业已在本载体在孵", 409)
    day = entered_on or timezone.localdate()
    if day > timezone.localdate():
        raise LifecycleError("入驻日期不能晚于今天")
    with acting_as(user, source="programs"), transaction.atomic():
        return Tenancy.objects.create(carrier=carrier, enterprise=enterprise, entered_on=day)


# ------------------------------------------------------------------------------------ graduates' later tiers

def graduate_rows(user: Any, carrier: Carrier | None = None) -> list[dict[str, Any]]:
    """Graduates and what they reached after graduating: titles granted since (designations) and
    the tiers the latest completed evaluation run finds them qualified for."""
    from zjtx.apps.enterprises.fields import TITLE_LABELS
    from zjtx.apps.enterprises.models import Title

    qs = access.tenancies(user, Tenancy.objects.filter(status=TS.GRADUATED)).select_related(
        "carrier", "enterprise", "enterprise__division")
    if carrier is not None:
        qs = qs.filter(carrier=carrier)
    rows = list(qs.order_by("-graduated_on", "id"))
    ents = [t.enterprise_id for t in rows]
    titles: dict[int, list[Title]] = {}
    for t in Title.objects.filter(enterprise_id__in=ents).order_by("granted_on"):
        titles.setdefault(t.enterprise_id, []).append(t)
    qualified = latest_qualified(ents)
    out = []
    for t in rows:
        later = [x for x in titles.get(t.enterprise_id, []) if t.graduated_on and x.granted_on >= t.graduated_on]
        out.append({
            "carrier": t.carrier.name, "carrier_kind": t.carrier.get_kind_display(), "uscc": t.enterprise.uscc,
            "name": t.enterprise.name, "division": t.enterprise.division.name if t.enterprise.division_id else "",
            "entered_on": t.entered_on, "graduated_on": t.graduated_on,
            "titles_after": "、".join(f"{TITLE_LABELS.get(x.title, x.title)}（{x.granted_on.isoformat()}）"
                                     for x in later),
            "qualified_now": "、".join(qualified.get(t.enterprise_id, [])),
            "_links": {"name": f"/enterprises/{t.enterprise.uscc}/"},
        })
    return out


def latest_qualified(enterprise_ids: list[int]) -> dict[int, list[str]]:
    """Policy names each enterprise is 达标 for in the latest completed evaluation run."""
    try:
        from zjtx.apps.evaluations.models import EvaluationRun, RunResult
        from zjtx.apps.evaluations.services import policy_name
    except ImportError:  # pragma: no cover - evaluations is installed with the platform
        return {}
    run = EvaluationRun.objects.filter(status=EvaluationRun.Status.DONE, division="").order_by(
        "-on", "-finished_at", "-id").first()
    if run is None or not enterprise_ids:
        return {}
    out: dict[int, list[str]] = {}
    rows = RunResult.objects.filter(run=run, status="qualified", item__enterprise_id__in=enterprise_ids,
                                    ).exclude(policy="sme_size").values_list("item__enterprise_id", "policy")
    for ent, pol in rows:
        out.setdefault(ent, []).append(policy_name(pol))
    return out
