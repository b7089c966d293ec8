"""The application state machine (DOMAIN.md §2.1), enforced by role and 镇街 scope.

Who may act where:

* ``draft`` → ``submitted`` (提交) and ``returned`` → ``draft`` (修改后重新填报): whoever may edit the
  enterprise (its enterprise user, its town officer, city staff and administrators);
* ``local_review`` actions (受理, 初审通过, 退回): the town officer of the enterprise's 镇街; for an
  enterprise without a 镇街 (外地注册) city staff act instead;
* ``city_review`` actions (推荐, 退回, 不予推荐): city staff and administrators;
* provincial / ministry / publicity outcomes, as recorded by the city: administrators only.

Returns and refusals need a reason. Submitting freezes the engine's explanation and the rule
version onto the application; the announcement creates the designation (``enterprises.Title`` +
``Designation``) and moves the pool stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.models import Role
from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.cultivation.models import Application, AppState, Designation, Transition

LOCAL, CITY, ADMIN, EDITOR = "local", "city", "admin", "editor"
MINISTRY_TIERS = {"little_giant", "single_champion"}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    source: str
    target: str
    who: str
    reason_required: bool = False


ACTIONS: tuple[Action, ...] = (
    Action("submit", "提交申报", AppState.DRAFT, AppState.SUBMITTED, EDITOR),
    Action("accept", "受理（进入镇街初审）", AppState.SUBMITTED, AppState.LOCAL_REVIEW, LOCAL),
    Action("local_pass", "初审通过，报市级审核", AppState.LOCAL_REVIEW, AppState.CITY_REVIEW, LOCAL),
    Action("local_return", "退回企业修改", AppState.LOCAL_REVIEW, AppState.RETURNED, LOCAL, True),
    Action("recommend", "推荐上报省级", AppState.CITY_REVIEW, AppState.PROVINCIAL_REVIEW, CITY),
    Action("city_return", "退回企业修改", AppState.CITY_REVIEW, AppState.RETURNED, CITY, True),
    Action("not_recommend", "不予推荐", AppState.CITY_REVIEW, AppState.NOT_RECOMMENDED, CITY, True),
    Action("provincial_pass", "省级通过，进入公示", AppState.PROVINCIAL_REVIEW, AppState.PUBLICITY, ADMIN),
    Action("to_ministry", "省级推荐至工信部评审", AppState.PROVINCIAL_REVIEW, AppState.MINISTRY_REVIEW, ADMIN),
    Action("provincial_reject", "省级未通过", AppState.PROVINCIAL_REVIEW, AppState.REJECTED, ADMIN, True),
    Action("ministry_pass", "部级通过，进入公示", AppState.MINISTRY_REVIEW, AppState.PUBLICITY, ADMIN),
    Action("ministry_reject", "部级未通过", AppState.MINISTRY_REVIEW, AppState.REJECTED, ADMIN, True),
    Action("announce", "公示无异议，予以认定", AppState.PUBLICITY, AppState.ANNOUNCED, ADMIN),
    Action("publicity_reject", "公示异议成立，不予认定", AppState.PUBLICITY, AppState.REJECTED, ADMIN, True),
    Action("revise", "重新填报", AppState.RETURNED, AppState.DRAFT, EDITOR),
)
ACTIONS_BY_NAME = {a.name: a for a in ACTIONS}
FINAL_STATES = {AppState.ANNOUNCED, AppState.NOT_RECOMMENDED, AppState.REJECTED}

LEVELS = {"tech_sme": "national", "innovative_sme": "provincial", "specialized_sme": "provincial",
          "little_giant": "national", "single_champion": "national", "high_tech": "provincial",
          "city_specialized_sme": "city"}


class TransitionError(Exception):
    """A refused transition; ``str()`` is the Chinese message shown to the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def default_expiry(tier: str, granted_on: date) -> date:
    """科技型: 31 December of the grant year; others: the catalog's validity years (3 when it has none) less one day."""
    from zjtx.policies import catalog

    if tier == "tech_sme":
        return date(granted_on.year, 12, 31)
    years = catalog().validity_years(tier, granted_on) or 3
    try:
        end = granted_on.replace(year=granted_on.year + years)
    except ValueError:  # 29 February
        end = granted_on.replace(year=granted_on.year + years, day=28)
    return end - timedelta(days=1)


def _actor_ok(user: Any, app: Application, action: Action) -> bool:
    role = scope.role_of(user)
    if role is None or role == Role.AUDITOR:
        return False
    ent = app.enterprise
    if action.who == EDITOR:
        return scope.can_edit(user, ent)
    if action.who == LOCAL:
        if ent.division_id is None:
            return role in (Role.CITY_STAFF, Role.CITY_ADMIN)
        return role == Role.TOWN_OFFICER and scope.user_division_code(user) == ent.division_id
    if action.who == CITY:
        return role in (Role.CITY_STAFF, Role.CITY_ADMIN)
    if action.who == ADMIN:
        return role == Role.CITY_ADMIN
    return False


def _route_ok(app: Application, action: Action) -> bool:
    if action.name == "to_ministry":
        return app.tier in MINISTRY_TIERS
    if action.name == "provincial_pass":
        return app.tier not in MINISTRY_TIERS
    return True


def available_actions(user: Any, app: Application) -> list[Action]:
    """The actions ``user`` may take on ``app`` now."""
    if not scope.can_view(user, app.enterprise):
        return []
    return [a for a in ACTIONS if a.source == app.state and _route_ok(app, a) and _actor_ok(user, app, a)]


def transition(app: Application, action_name: str, user: Any, reason: str = "", *,
               granted_on: date | None = None, document: str = "", certificate_no: str = "",
               expires_on: date | None = None, publicity_until: date | None = None,
               on: date | None = None) -> Transition:
    """Apply one action to ``app`` (or raise :class:`TransitionError` with a Chinese message)."""
    action = ACTIONS_BY_NAME.get(action_name)
    if action is None:
        raise TransitionError(f"未知操作：{action_name}")
    if not scope.can_view(user, app.enterprise):
        raise TransitionError("申报不存在或不在本账号管辖范围内", 404)
    if app.state != action.source:
        raise TransitionError(f"当前状态为“{app.get_state_display()}”，不能执行“{action.label}”", 409)
    if not _route_ok(app, action):
        raise TransitionError(f"“{app.get_tier_display()}”申报不能执行“{action.label}”", 409)
    if not _actor_ok(user, app, action):
        raise TransitionError(f"当前账号无权执行“{action.label}”", 403)
    reason = (reason or "").strip()
    if action.reason_required and not reason:
        raise TransitionError(f"“{action.label}”须填写原因")
    with acting_as(user), transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=app.pk)
        if locked.state != action.source:
            raise TransitionError("申报状态已被他人更新，请刷新后重试", 409)
        now = timezone.now()
        if action.name == "submit":
            _freeze(locked, on or timezone.localdate())
            locked.submitted_at = now
        if action.name in ("provincial_pass", "ministry_pass"):
            locked.publicity_until = publicity_until
        attachment = document
        locked.state = action.target
        if action.name == "recommend" and reason and not locked.recommendation:
            locked.recommendation = reason
        locked.save()
        if action.name == "announce":
            title = _designate(locked, granted_on or timezone.localdate(), document, certificate_no, expires_on)
            attachment = f"{document} {certificate_no}".strip() or str(title)
        t = Transition.objects.create(
            application=locked, action=action.name, from_state=action.source, to_state=action.target,
            actor=user if getattr(user, "is_authenticated", False) else None,
            actor_name=getattr(user, "username", "") or "", actor_role=scope.role_of(user) or "",
            reason=reason, attachment=attachment[:200])
        _move_pool(locked, user, action, reason)
    app.refresh_from_db()
    return t


def _freeze(app: Application, on: date) -> None:
    from zjtx.apps.cultivation.engine import explain_enterprise, rule_version

    explanation, record = explain_enterprise(app.enterprise, app.tier, on)
    app.evaluation_on = on
    app.evaluation_record = record
    if explanation is None:
        app.evaluation = {"policy": app.tier, "status": "not_evaluated", "status_zh": "非引擎评价项目"}
        app.rule_version = "—"
    else:
        app.evaluation = explanation
        app.rule_version = rule_version(explanation)[:200]
    if app.dev_score is None and record.get("zjtx_dev_score") is not None:
        app.dev_score = record["zjtx_dev_score"]


def _designate(app: Application, granted_on: date, document: str, certificate_no: str,
               expires_on: date | None) -> Any:
    from zjtx.apps.enterprises.models import Title

    kind = app.tier
    title, _ = Title.objects.get_or_create(
        enterprise=app.enterprise, title=kind, granted_on=granted_on,
        defaults={"expires_on": expires_on or default_expiry(kind, granted_on), "batch": app.batch,
                  "document": document, "certificate_no": certificate_no, "provenance": "verified"})
    Designation.objects.update_or_create(title=title, defaults={
        "level": LEVELS.get(kind, ""), "application": app, "status": Designation.Status.VALID})
    return title


def _move_pool(app: Application, user: Any, action: Action, reason: str) -> None:
    """Applications move the pool stage (a person's decision: the stage becomes protected)."""
    from zjtx.apps.cultivation.models import Stage
    from zjtx.apps.cultivation.pool import set_stage

    target = {"submit": Stage.APPLYING, "announce": Stage.DESIGNATED, "not_recommend": Stage.CANDIDATE,
              "provincial_reject": Stage.CANDIDATE, "ministry_reject": Stage.CANDIDATE,
              "publicity_reject": Stage.CANDIDATE}.get(action.name)
    if target is not None:
        set_stage(app.enterprise, app.tier, target, user, reason=f"申报：{action.label}" + (f"：{reason}" if reason else ""))
