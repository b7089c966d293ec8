"""Registry models: reference data (镇街, zones, industries), enterprises, annual reports, titles, import jobs."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from zjtx.apps.enterprises.fields import (
    ANNUAL_FIELDS,
    ENTERPRISE_FIELDS,
    PROVENANCE_CHOICES,
    TITLE_CHOICES,
    TITLE_LABELS,
    VAT_RETURN_NAMES,
    FieldSpec,
    vat_return_problems,
)
from zjtx.apps.enterprises.versioning import Versioned


def _model_field(spec: FieldSpec) -> models.Field:
    """The Django field storing one catalogue entry (always nullable: empty means unknown)."""
    common: dict[str, Any] = {"verbose_name": spec.label, "null": True, "blank": True}
    if spec.kind == "money":
        return models.DecimalField(max_digits=20, decimal_places=2, **common)
    if spec.kind in ("decimal", "fraction"):
        return models.DecimalField(max_digits=12, decimal_places=6, **common)
    if spec.kind == "int":
        return models.IntegerField(**common)
    if spec.kind == "bool":
        return models.BooleanField(**common)
    if spec.kind == "date":
        return models.DateField(**common)
    if spec.kind == "choice":
        return models.CharField(max_length=20, choices=spec.choices, verbose_name=spec.label, blank=True, default="")
    return models.CharField(max_length=200, verbose_name=spec.label, blank=True, default="")


class Division(models.Model):
    """A 镇街 (town or sub-district) of Zhongshan, current or historical."""

    code = models.CharField("代码", max_length=9, primary_key=True)
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=20)
    valid_from = models.DateField("设立日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True)
    successor = models.ForeignKey("self", verbose_name="继承镇街", null=True, blank=True, on_delete=models.SET_NULL)
    former_names = models.JSONField("曾用名", default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "镇街"

    def __str__(self) -> str:
        return self.name if self.valid_to is None else f"{self.name}（已撤并）"

    @property
    def label(self) -> str:
        """The name, with 已撤并 and the date for a 镇街 that no longer exists."""
        return self.name if self.valid_to is None else f"{self.name}（{self.valid_to:%Y年%m月}已撤并）"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class Zone(models.Model):
    """A functional zone (功能区, e.g. 火炬开发区): a grouping of divisions, not a division."""

    code = models.CharField("代码", max_length=20, primary_key=True)
    name = models.CharField("名称", max_length=50)
    divisions = models.ManyToManyField(Division, verbose_name="所辖镇街", related_name="zones", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "功能区"

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """A GB/T 4754-2017 class (letter + digits), with its "4+6+4" cluster if any."""

    code = models.CharField("代码", max_length=5, primary_key=True)
    name = models.CharField("名称", max_length=100)
    cluster = models.CharField("产业集群", max_length=50, blank=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "国民经济行业分类"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Enterprise(Versioned):
    """An enterprise of the cultivation database, keyed by its USCC."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200)
    division = models.ForeignKey(Division, verbose_name="所属镇街", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="enterprises")
    industry = models.CharField("国民经济行业分类", max_length=5, blank=True, default="", db_index=True)
    locals().update({f.name: _model_field(f) for f in ENTERPRISE_FIELDS
                     if f.name not in ("uscc", "name", "division", "industry")})
    raw = models.JSONField("原始导入值", default=dict, blank=True)
    provenance = models.JSONField("数据来源", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["uscc"]
        verbose_name = verbose_name_plural = "企业"

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    @property
    def is_local(self) -> bool:
        from zjtx.facts.uscc import is_local

        return is_local(self.uscc)


class AnnualReport(Versioned):
    """One enterprise's figures for one calendar (fiscal) year, plus that year's snapshot fields.

    ``raw`` keeps the imported cell text per field; ``provenance`` the source per field
    (``self``/``registry``/``tax``/``third_party``/``verified``).
    """

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="annual_reports")
    year = models.PositiveSmallIntegerField("年度")
    locals().update({f.name: _model_field(f) for f in ANNUAL_FIELDS})
    raw = models.JSONField("原始导入值", default=dict, blank=True)
    provenance = models.JSONField("数据来源", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["enterprise__uscc", "year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="annual_report_unique_year")]
        verbose_name = verbose_name_plural = "年度数据"

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year}年"

    def clean(self) -> None:
        """The VAT-return figures must agree with each other (the edit form, the admin and the API)."""
        from django.core.exceptions import ValidationError

        problems = vat_return_problems({n: getattr(self, n) for n in VAT_RETURN_NAMES})
        if problems:
            errors: dict[str, list[str]] = {}
            for name, reason in problems:
                errors.setdefault(name, []).append(reason)
            raise ValidationError(errors)


class Title(Versioned):
    """An honour or tier title held (高企, 专精特新, "小巨人" …) with its validity.

    Its status on a day follows from the dates alone (``zjtx.apps.enterprises.title_status``):
    已撤销 from ``revoked_on``, 未生效 before ``granted_on``, 已过期 after ``expires_on``, else 有效.
    """

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="titles")
    title = models.CharField("称号", max_length=30, choices=TITLE_CHOICES)
    granted_on = models.DateField("认定日期")
    expires_on = models.DateField("有效期至", null=True, blank=True)
    batch = models.CharField("批次", max_length=50, blank=True, default="")
    document = models.CharField("认定文号", max_length=100, blank=True, default="")
    certificate_no = models.CharField("证书编号", max_length=100, blank=True, default="")
    provenance = models.CharField("数据来源", max_length=20, choices=PROVENANCE_CHOICES, default="self")
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoked_reason = models.CharField("撤销原因", max_length=300, blank=True, default="")

    class Meta:
        ordering = ["enterprise__uscc", "title", "granted_on"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "title", "granted_on"], name="title_unique_grant")]
        verbose_name = verbose_name_plural = "荣誉资质"

    def __str__(self) -> str:
        return f"{TITLE_LABELS.get(self.title, self.title)}（{self.granted_on}）"

    def status_on(self, day: Any = None) -> str:
        """``valid`` / ``expired`` / ``pending`` / ``revoked`` on ``day`` (default: today)."""
        from zjtx.apps.enterprises.title_status import status_of

        return status_of(self.granted_on, self.expires_on, self.revoked_on, day)

    def status_label(self, day: Any = None) -> str:
        from zjtx.apps.enterprises.title_status import STATUS_LABELS

        return STATUS_LABELS[self.status_on(day)]


class ImportJob(models.Model):
    """An Excel import: uploaded → validated (preview) → confirmed → running → done / failed / cancelled."""

    class Status(models.TextChoices):
        INVALID = "invalid", "有错误"
        READY = "ready", "待确认"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="导入人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=255)
    content = models.BinaryField("文件内容")
    overwrite_blank = models.BooleanField("空白单元格清空已有值", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.READY)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    summary = models.JSONField("结果", default=dict, blank=True)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "导入任务"

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def progress(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
