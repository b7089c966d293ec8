"""Evaluation runs: a dated, versioned evaluation of (part of) the register; one row per enterprise
(with the input record snapshot and its hash) and one result per enterprise and policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models

STATUS_LABELS = {
    "qualified": "达标",
    "not_qualified": "未达标",
    "unknown": "待核验",
    "manual_review": "待核验（需人工判断）",
}


class Reform(models.Model):
    """A saved parameter overlay (a reform scenario): parameter id → value."""

    name = models.CharField("名称", max_length=100, unique=True)
    description = models.TextField("说明", blank=True, default="")
    overrides = models.JSONField("参数覆盖", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "改革参数方案"

    def __str__(self) -> str:
        return self.name


class EvaluationRun(models.Model):
    """One evaluation of the (filtered, scoped) register as of a date under a named parameter set."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "评价中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    name = models.CharField("名称", max_length=200, blank=True, default="")
    on = models.DateField("评价日期")
    parameter_set = models.CharField("参数集", max_length=100, default="catalog")
    reform = models.ForeignKey(Reform, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="改革参数方案")
    overlay = models.JSONField("参数覆盖", default=dict, blank=True)
    policies = models.JSONField("政策", default=list)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    division = models.CharField("限定镇街", max_length=9, blank=True, default="")
    automatic = models.BooleanField("自动评价", default=True)
    official = models.BooleanField("正式批次", default=False,
                                   help_text="全市正式评价：仪表盘、简报默认打开覆盖本人全部管辖范围的最新正式批次")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("企业数", default=0)
    processed = models.PositiveIntegerField("已评价", default=0)
    error = models.TextField("错误", blank=True, default="")
    rule_version = models.CharField("规则版本", max_length=100, blank=True, default="")
    package_version = models.CharField("程序版本", max_length=30, blank=True, default="")
    summary = models.JSONField("汇总", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name="发起人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "评价批次"

    def __str__(self) -> str:
        return self.name or f"评价批次 #{self.pk}（{self.on}）"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else (100 if self.status == "done" else 0)

    @property
    def parameter_label(self) -> str:
        return "政策目录（现行参数）" if self.parameter_set == "catalog" else f"改革方案：{self.parameter_set}"


class RunEnterprise(models.Model):
    """One enterprise of a run: the exact input record evaluated and its hash (reproducibility)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="items")
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="evaluation_items")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("企业名称", max_length=200, blank=True, default="")
    division = models.CharField("所属镇街", max_length=9, blank=True, default="", db_index=True)
    industry = models.CharField("行业", max_length=5, blank=True, default="")
    cluster = models.CharField("产业集群", max_length=50, blank=True, default="", db_index=True)
    record = models.JSONField("输入记录快照", default=dict)
    input_hash = models.CharField("输入哈希", max_length=64)

    class Meta:
        ordering = ["run", "uscc"]
        constraints = [models.UniqueConstraint(fields=["run", "uscc"], name="run_enterprise_unique")]
        verbose_name = verbose_name_plural = "评价对象"

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class RunResult(models.Model):
    """The result of one enterprise under one policy in one run (POLICIES.md §1.9 minus the trace)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(RunEnterprise, on_delete=models.CASCADE, related_name="results")
    policy = models.CharField("政策", max_length=50)
    status = models.CharField("结论", max_length=20)
    score = models.FloatField("得分", null=True, blank=True)
    score_min = models.FloatField("最低可能得分", null=True, blank=True)
    score_max = models.FloatField("最高可能得分", null=True, blank=True)
    route = models.CharField("途径", max_length=50, blank=True, default="")
    regime = models.CharField("规则版本", max_length=100, blank=True, default="")
    points = models.JSONField("指标得分", default=dict, blank=True)
    missing = models.JSONField("缺失数据", default=list, blank=True)
    manual = models.JSONField("待人工判断", default=list, blank=True)
    provisional = models.BooleanField("使用待核实参数", default=False)
    near_miss = models.BooleanField("后备（接近达标）", default=False)
    reachable = models.BooleanField("可补足（差距分析）", default=False)
    gap_cost = models.FloatField("最低补足投入（元）", null=True, blank=True)
    gap_option = models.TextField("最低投入补足方案", blank=True, default="")
    held = models.BooleanField("持有有效称号", default=False)
    flag = models.TextField("与人工认定不一致", blank=True, default="")

    class Meta:
        ordering = ["run", "item__uscc", "policy"]
        constraints = [models.UniqueConstraint(fields=["item", "policy"], name="run_result_unique")]
        indexes = [models.Index(fields=["run", "policy", "status"], name="run_result_policy_status")]
        verbose_name = verbose_name_plural = "评价结果"

    def __str__(self) -> str:
        return f"{self.item.uscc} {self.policy} {self.status}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class RunAggregate(models.Model):
    """Numbers a page shows for one run and one scope (dashboard, briefing …), computed once and kept
    until the registry changes (``key`` holds the page, the scope and the registry's version)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="aggregates")
    key = models.CharField("键", max_length=200)
    data = models.JSONField("数据", default=dict)
    created_at = models.DateTimeField("计算时间", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="run_aggregate_unique")]
        verbose_name = verbose_name_plural = "评价汇总缓存"

    def __str__(self) -> str:
        return f"{self.run_id} {self.key}"
