"""Cultivation models: the pool (培育库), designations, applications, 一企一策 plans, services,
the benefit ledger and targets.

The registry (``enterprises``) is extended, never edited: a :class:`Designation` adds the
cultivation data to an ``enterprises.Title``; every other model points at ``Enterprise``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models

from zjtx.apps.enterprises.fields import TITLE_CHOICES
from zjtx.apps.enterprises.versioning import Versioned

# ---------------------------------------------------------------------------------------------
# tiers

TIER_CHOICES = (
    ("tech_sme", "科技型中小企业"),
    ("innovative_sme", "创新型中小企业"),
    ("specialized_sme", "专精特新中小企业"),
    ("little_giant", "专精特新“小巨人”企业"),
    ("single_champion", "制造业单项冠军企业"),
    ("high_tech", "高新技术企业"),
    ("city_specialized_sme", "市级专精特新培育企业"),
    ("zs_four_tech", "“四科”标准科技型中小企业"),
)
TIER_LABELS = dict(TIER_CHOICES)
STATUS_ZH = {"qualified": "达标", "not_qualified": "未达标", "unknown": "待核验", "manual_review": "待核验（需专家评审）",
             "not_evaluated": "非引擎评价项目"}
TITLE_KIND_LABELS = dict(TITLE_CHOICES)


class PoolCategory(models.Model):
    """A list of the pool (e.g. 小巨人培育企业); the letter's three lists are seeded, others configurable."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    tier = models.CharField("对应梯度", max_length=30, choices=TIER_CHOICES, blank=True, default="")
    description = models.CharField("说明", max_length=200, blank=True, default="")
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = verbose_name_plural = "培育库类别"

    def __str__(self) -> str:
        return self.name


class PoolMembership(models.Model):
    """An enterprise listed in a pool category (one list = one tag)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="pool_memberships")
    category = models.ForeignKey(PoolCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="members")
    since = models.DateField("入库日期", default=date.today)
    source = models.CharField("来源", max_length=60, blank=True, default="", help_text="如 2022年摸查调研")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("备注", max_length=200, blank=True, default="")

    class Meta:
        ordering = ["category__order", "enterprise__uscc"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "category"], name="pool_membership_unique")]
        verbose_name = verbose_name_plural = "培育库名单"

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.category.name}"


class Stage(models.TextChoices):
    NONE = "none", "未入库"
    CANDIDATE = "candidate", "培育对象"
    APPLYING = "applying", "申报中"
    DESIGNATED = "designated", "已认定"
    RE_REVIEW = "re_review", "复核期"
    LAPSED = "lapsed", "失效"
    REVOKED = "revoked", "撤销"


class PoolStage(Versioned):
    """An enterprise's stage for one tier. ``protected`` when a person set it: automatic runs only flag."""

    class Source(models.TextChoices):
        MANUAL = "manual", "人工设定"
        AUTO = "auto", "自动评价"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="pool_stages")
    tier = models.CharField("梯度", max_length=30, choices=TIER_CHOICES)
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.NONE)
    source = models.CharField("设定方式", max_length=10, choices=Source.choices, default=Source.AUTO)
    protected = models.BooleanField("人工锁定", default=False,
                                    help_text="人工设定的阶段不被自动评价覆盖，自动评价只标记分歧")
    reason = models.CharField("原因", max_length=300, blank=True, default="")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设定人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField("设定时间", auto_now=True)
    auto_stage = models.CharField("自动评价建议", max_length=20, choices=Stage.choices, blank=True, default="")
    auto_on = models.DateField("评价基准日", null=True, blank=True)
    auto_status = models.CharField("评价结果", max_length=20, blank=True, default="")

    class Meta:
        ordering = ["enterprise__uscc", "tier"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "tier"], name="pool_stage_unique_tier")]
        verbose_name = verbose_name_plural = "培育阶段"

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {TIER_LABELS.get(self.tier, self.tier)}：{self.get_stage_display()}"


class PoolStageChange(models.Model):
    """History of stage moves: who moved it, when, why (the audit log has the same with before/after)."""

    stage = models.ForeignKey(PoolStage, verbose_name="阶段", on_delete=models.CASCADE, related_name="changes")
    from_stage = models.CharField("原阶段", max_length=20, choices=Stage.choices, blank=True, default="")
    to_stage = models.CharField("新阶段", max_length=20, choices=Stage.choices)
    source = models.CharField("方式", max_length=10, choices=PoolStage.Source.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField("原因", max_length=300, blank=True, default="")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "培育阶段变更"


class PoolFlag(models.Model):
    """An automatic run disagreed with a protected (manually set) stage: flagged, never overwritten."""

    stage = models.ForeignKey(PoolStage, verbose_name="阶段", on_delete=models.CASCADE, related_name="flags")
    current = models.CharField("当前阶段", max_length=20, choices=Stage.choices)
    proposed = models.CharField("自动建议", max_length=20, choices=Stage.choices)
    on = models.DateField("评价基准日")
    detail = models.CharField("说明", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("标记时间", auto_now_add=True)
    resolved = models.BooleanField("已处理", default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "自动评价分歧"


# ---------------------------------------------------------------------------------------------
# designations


class Designation(models.Model):
    """Cultivation data of a title held (extends ``enterprises.Title`` one-to-one)."""

    class Level(models.TextChoices):
        NATIONAL = "national", "国家级"
        PROVINCIAL = "provincial", "省级"
        CITY = "city", "市级"

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        RE_REVIEW = "re_review", "复核中"
        LAPSED = "lapsed", "已失效"
        REVOKED = "revoked", "已撤销"

    title = models.OneToOneField("enterprises.Title", verbose_name="荣誉资质", on_delete=models.CASCADE,
                                 related_name="designation")
    level = models.CharField("级别", max_length=12, choices=Level.choices, blank=True, default="")
    registration_no = models.CharField("入库登记编号", max_length=60, blank=True, default="")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField("状态说明", max_length=300, blank=True, default="")
    application = models.ForeignKey("Application", verbose_name="来源申报", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="designations")
    note = models.CharField("备注", max_length=300, blank=True, default="")

    class Meta:
        ordering = ["title__expires_on", "id"]
        verbose_name = verbose_name_plural = "认定信息"

    def __str__(self) -> str:
        return str(self.title)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A designation recorded as revoked (or lapsed) revokes its title from today unless the title
        already carries a revocation date: the status shown everywhere follows from the dates."""
        super().save(*args, **kwargs)
        if self.status in (self.Status.REVOKED, self.Status.LAPSED) and self.title.revoked_on is None:
            from django.utils import timezone

            self.title.revoked_on = max(timezone.localdate(), self.title.granted_on)
            self.title.revoked_reason = (self.status_reason or self.get_status_display())[:300]
            self.title.save(update_fields=["revoked_on", "revoked_reason"])


class AnnualUpdate(models.Model):
    """The yearly record update of a designation (e.g. 单项冠军 by 5-31)."""

    title = models.ForeignKey("enterprises.Title", verbose_name="荣誉资质", on_delete=models.CASCADE,
                              related_name="annual_updates")
    year = models.PositiveSmallIntegerField("年度")
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["title", "year"], name="annual_update_unique_year")]
        verbose_name = verbose_name_plural = "年度更新"


class UpdateDeadline(models.Model):
    """The yearly update deadline of a title kind (configurable, e.g. 单项冠军 by 5-31)."""

    title_kind = models.CharField("称号", max_length=30, choices=TITLE_CHOICES, unique=True)
    month = models.PositiveSmallIntegerField("月")
    day = models.PositiveSmallIntegerField("日")
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        ordering = ["title_kind"]
        verbose_name = verbose_name_plural = "年度更新截止日"

    def __str__(self) -> str:
        return f"{TITLE_KIND_LABELS.get(self.title_kind, self.title_kind)} 每年{self.month}月{self.day}日前"


class BatchWindow(models.Model):
    """An application batch window (e.g. "小巨人"第八批 online 4-25 to 5-25)."""

    tier = models.CharField("梯度", max_length=30, choices=TIER_CHOICES)
    name = models.CharField("批次", max_length=80)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        ordering = ["closes_on"]
        verbose_name = verbose_name_plural = "申报批次"

    def __str__(self) -> str:
        return f"{TIER_LABELS.get(self.tier, self.tier)} {self.name}"


# ---------------------------------------------------------------------------------------------
# applications


class AppState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    LOCAL_REVIEW = "local_review", "镇街初审"
    CITY_REVIEW = "city_review", "市级审核"
    PROVINCIAL_REVIEW = "provincial_review", "省级审核"
    MINISTRY_REVIEW = "ministry_review", "部级评审"
    PUBLICITY = "publicity", "拟认定公示"
    ANNOUNCED = "announced", "已认定"
    RETURNED = "returned", "已退回"
    NOT_RECOMMENDED = "not_recommended", "不予推荐"
    REJECTED = "rejected", "未通过"


class Application(Versioned):
    """One application of an enterprise for a tier; its state moves only through ``workflow``."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="applications")
    tier = models.CharField("申报梯度", max_length=30, choices=TIER_CHOICES)
    year = models.PositiveSmallIntegerField("申报年度")
    batch = models.CharField("批次", max_length=80, blank=True, default="")
    state = models.CharField("状态", max_length=20, choices=AppState.choices, default=AppState.DRAFT)
    main_product = models.CharField("主导产品", max_length=200, blank=True, default="")
    dev_score = models.DecimalField("评价得分", max_digits=6, decimal_places=2, null=True, blank=True,
                                    help_text="专精特新发展评价得分（工信部平台计算，按录入值保存）")
    recommendation = models.CharField("推荐意见", max_length=300, blank=True, default="")
    note = models.CharField("备注", max_length=300, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    evaluation_on = models.DateField("评价基准日", null=True, blank=True)
    evaluation = models.JSONField("提交时评价结果（冻结）", null=True, blank=True)
    evaluation_record = models.JSONField("提交时评价数据（冻结）", null=True, blank=True)
    rule_version = models.CharField("规则版本", max_length=200, blank=True, default="")
    publicity_until = models.DateField("公示截止", null=True, blank=True)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "申报"

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.year}年{TIER_LABELS.get(self.tier, self.tier)}申报"

    @property
    def frozen_status(self) -> str:
        return (self.evaluation or {}).get("status_zh", "") if isinstance(self.evaluation, dict) else ""


class Transition(models.Model):
    """One move of an application: actor, time, reason (required for returns and refusals)."""

    application = models.ForeignKey(Application, verbose_name="申报", on_delete=models.CASCADE,
                                    related_name="transitions")
    action = models.CharField("操作", max_length=30)
    from_state = models.CharField("原状态", max_length=20, choices=AppState.choices)
    to_state = models.CharField("新状态", max_length=20, choices=AppState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True, default="")
    actor_role = models.CharField("角色", max_length=20, blank=True, default="")
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("意见/原因", max_length=500, blank=True, default="")
    attachment = models.CharField("附件/文号", max_length=200, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "申报流转记录"

    @property
    def action_label(self) -> str:
        from zjtx.apps.cultivation.workflow import ACTIONS_BY_NAME

        a = ACTIONS_BY_NAME.get(self.action)
        return a.label if a else self.action


# ---------------------------------------------------------------------------------------------
# 一企一策 plans


class Plan(Versioned):
    """An 一企一策 plan: an enterprise, a target tier, items built from the gap options."""

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        ACHIEVED = "achieved", "已达标"
        CLOSED = "closed", "已关闭"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="plans")
    tier = models.CharField("目标梯度", max_length=30, choices=TIER_CHOICES)
    on = models.DateField("评价基准日")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    evaluation_status = models.CharField("当前评价结果", max_length=20, blank=True, default="")
    note = models.CharField("备注", max_length=300, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    checked_at = models.DateTimeField("最近复核", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "一企一策方案"

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {TIER_LABELS.get(self.tier, self.tier)}"

    @property
    def evaluation_status_zh(self) -> str:
        return STATUS_ZH.get(self.evaluation_status, self.evaluation_status)


class PlanItem(Versioned):
    """One action of a plan, created from a gap option; closes itself when the gap is closed."""

    class Owner(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        TOWN = "town", "镇街"
        DEPARTMENT = "department", "市级部门"

    class Status(models.TextChoices):
        OPEN = "open", "待办"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"
        AUTO_CLOSED = "auto_closed", "已达标（自动关闭）"
        DROPPED = "dropped", "已取消"

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="items")
    key = models.CharField("差距标识", max_length=120)
    title = models.CharField("事项", max_length=300)
    detail = models.TextField("差距说明", blank=True, default="")
    gap = models.JSONField("差距数据", default=dict, blank=True)
    owner = models.CharField("责任方", max_length=12, choices=Owner.choices, default=Owner.ENTERPRISE)
    department = models.CharField("责任部门", max_length=60, blank=True, default="")
    due_on = models.DateField("完成时限", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField("佐证材料", blank=True, default="")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_reason = models.CharField("关闭原因", max_length=300, blank=True, default="")

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = verbose_name_plural = "一企一策事项"

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


# ---------------------------------------------------------------------------------------------
# services


class ServiceType(models.Model):
    """A service type (政策咨询, 融资对接, 技术转移 seeded; others configurable)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = verbose_name_plural = "服务类型"

    def __str__(self) -> str:
        return self.name


class ServiceRequest(Versioned):
    """A service request: intake, assignment, status, response time, outcome."""

    class Status(models.TextChoices):
        NEW = "new", "待受理"
        ASSIGNED = "assigned", "已分派"
        IN_PROGRESS = "in_progress", "办理中"
        RESOLVED = "resolved", "已办结"
        CLOSED = "closed", "已关闭"

    class Channel(models.TextChoices):
        ENTERPRISE = "enterprise", "企业提出"
        OFFICER = "officer", "工作人员登记"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="service_requests")
    type = models.ForeignKey(ServiceType, verbose_name="服务类型", on_delete=models.PROTECT, related_name="requests")
    subject = models.CharField("事项", max_length=200)
    description = models.TextField("需求描述", blank=True, default="")
    channel = models.CharField("来源", max_length=12, choices=Channel.choices, default=Channel.OFFICER)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    team = models.CharField("承办单位/服务专班", max_length=100, blank=True, default="")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NEW)
    first_response_at = models.DateTimeField("首次响应时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "服务需求"

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.subject}"

    @property
    def response_hours(self) -> float | None:
        if self.first_response_at is None or self.created_at is None:
            return None
        return round((self.first_response_at - self.created_at).total_seconds() / 3600, 1)


# ---------------------------------------------------------------------------------------------
# benefit ledger


class BenefitLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    TOWN = "town", "镇街"


class BenefitEntry(models.Model):
    """What an enterprise was granted (or is estimated to get) under a policy in a year."""

    class Kind(models.TextChoices):
        ESTIMATED = "estimated", "测算"
        GRANTED = "granted", "已批复"
        PAID = "paid", "已兑现"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="benefit_entries")
    policy = models.CharField("政策代码", max_length=60, db_index=True)
    policy_name = models.CharField("政策名称", max_length=120)
    level = models.CharField("层级", max_length=12, choices=BenefitLevel.choices)
    year = models.PositiveSmallIntegerField("年度")
    project = models.CharField("项目", max_length=200, blank=True, default="",
                               help_text="同一项目的奖补受不得重复享受规则约束")
    amount = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)
    kind = models.CharField("性质", max_length=12, choices=Kind.choices, default=Kind.GRANTED)
    document = models.CharField("文件/文号", max_length=150, blank=True, default="")
    paid_on = models.DateField("兑现日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["-year", "enterprise__uscc", "id"]
        verbose_name = verbose_name_plural = "奖补台账"

    def __str__(self) -> str:
        return f"#{self.pk} {self.enterprise.name} {self.year}年 {self.policy_name}"


class BenefitRule(models.Model):
    """A no-double-benefit group: an enterprise may hold at most one entry of these policies
    (for the same project when ``same_project``; in the same year when ``same_year``)."""

    name = models.CharField("规则名称", max_length=120, unique=True)
    policies = models.JSONField("互斥政策代码", default=list)
    same_project = models.BooleanField("仅限同一项目", default=True)
    same_year = models.BooleanField("仅限同一年度", default=False)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "不得重复享受规则"

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# targets


class Target(Versioned):
    """A target count per year, tier and 镇街 (no 镇街: the city-wide target)."""

    year = models.PositiveSmallIntegerField("年度")
    tier = models.CharField("梯度", max_length=30, choices=TIER_CHOICES)
    division = models.ForeignKey("enterprises.Division", verbose_name="镇街", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    target = models.PositiveIntegerField("目标数")
    source = models.CharField("依据", max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-year", "tier", "division_id"]
        constraints = [models.UniqueConstraint(fields=["year", "tier", "division"], name="target_unique")]
        verbose_name = verbose_name_plural = "培育目标"

    def __str__(self) -> str:
        where = self.division.name if self.division_id else "全市"
        return f"{self.year}年 {where} {TIER_LABELS.get(self.tier, self.tier)} 目标{self.target}"


AUDITED: tuple[type[models.Model], ...] = (
    PoolCategory, PoolMembership, PoolStage, PoolFlag, Designation, AnnualUpdate, UpdateDeadline, BatchWindow,
    Application, Transition, Plan, PlanItem, ServiceType, ServiceRequest, BenefitEntry, BenefitRule, Target,
)


def tier_label(tier: str) -> str:
    return TIER_LABELS.get(tier, TITLE_KIND_LABELS.get(tier, tier))
