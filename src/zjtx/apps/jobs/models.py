"""Background jobs: the user-facing record of one unit of background work run by ``zjtx worker``.

The queue itself is Django's tasks API (the ``django-tasks`` backport with the database backend of
``django-tasks-db``); a :class:`Job` says what the work is, who asked for it, how far it got, whether
it may be cancelled, and its outcome in Chinese (or a download link)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    class Kind(models.TextChoices):
        IMPORT = "import", "数据导入"
        EVALUATION = "evaluation", "评价批次"
        POOL = "pool", "培育库自动评价"
        EXPORT = "export", "导出"
        DIFF = "diff", "批次比较导出"
        PLANS = "plans", "一企一策复核"
        SCHEDULED = "scheduled", "定时任务"
        OTHER = "other", "其他"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField("任务", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="jobs", verbose_name="提交人")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    task_path = models.CharField("任务函数", max_length=200)
    args = models.JSONField("参数", default=dict, blank=True)
    task_id = models.CharField("队列编号", max_length=64, blank=True, default="")
    processed = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("当前步骤", max_length=300, blank=True, default="")
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True, default="")
    cancel_requested = models.BooleanField("已请求取消", default=False)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    worker = models.CharField("执行进程", max_length=120, blank=True, default="")
    schedule_key = models.CharField("定时任务时段", max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="job_user_created")]
        verbose_name = verbose_name_plural = "后台任务"

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def download_expired(self) -> bool:
        """Its export file was deleted after the keeping period (``services.expire_exports``)."""
        return bool(self.result.get("expired"))

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(100 * self.processed / self.total)) if self.total else 0

    @property
    def outcome(self) -> str:
        """One line in Chinese: what came of the job."""
        if self.status == self.Status.FAILED:
            return self.error or "失败"
        if self.status == self.Status.CANCELLED:
            return self.message or "已取消"
        if self.status == self.Status.DONE:
            return str(self.result.get("text") or "已完成")
        return self.message or self.get_status_display()
