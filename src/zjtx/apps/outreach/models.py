"""政策直达: early warnings, targeted notices and their deliveries, notification preferences,
免申即享 batches and their payments."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FollowState(models.TextChoices):
    """Follow-through of a warning or notice: new → seen → acted → resolved."""

    NEW = "new", "新"
    SEEN = "seen", "已查看"
    ACTED = "acted", "已处理"
    RESOLVED = "resolved", "已办结"


STATE_ORDER = [FollowState.NEW, FollowState.SEEN, FollowState.ACTED, FollowState.RESOLVED]


class Followed(models.Model):
    state = models.CharField("跟进状态", max_length=10, choices=FollowState.choices, default=FollowState.NEW,
                             db_index=True)
    seen_at = models.DateTimeField("查看时间", null=True, blank=True)
    acted_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    state_note = models.CharField("跟进说明", max_length=300, blank=True, default="")

    class Meta:
        abstract = True


class EarlyWarning(Followed):
    """预警: a designated enterprise whose data no longer meet its title, a title expiring, a policy
    conflict, or an implausible change in reported data. One row per (enterprise, key); a later pass
    that no longer finds the condition marks it inactive (and resolved)."""

    class Kind(models.TextChoices):
        CRITERIA = "criteria", "认定条件不再满足"
        EXPIRY = "expiry", "称号即将到期"
        CONFLICT = "conflict", "政策冲突风险"
        JUMP = "jump", "数据异常变动"

    class Severity(models.TextChoices):
        HIGH = "high", "高"
        MEDIUM = "medium", "中"
        LOW = "low", "低"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="early_warnings")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    key = models.CharField("标识", max_length=120)
    policy = models.CharField("政策", max_length=50, blank=True, default="")
    severity = models.CharField("级别", max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    title = models.CharField("预警事项", max_length=300)
    detail = models.JSONField("依据与数据", default=dict, blank=True)
    active = models.BooleanField("仍然存在", default=True, db_index=True)
    first_on = models.DateField("首次发现")
    last_on = models.DateField("最近确认")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["-active", "-last_on", "enterprise__uscc", "kind"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "key"], name="outreach_warning_unique_key")]
        verbose_name = verbose_name_plural = "预警"

    def __str__(self) -> str:
        return f"{self.enterprise.name}：{self.title}"


class Topic(models.TextChoices):
    WINDOW = "window", "申报窗口"
    STATUS = "status", "评价结论变化"
    WARNING = "warning", "预警"
    BENEFIT = "benefit", "免申即享"


class Notice(Followed):
    """One targeted notice to an enterprise (its users read it in the inbox; e-mail copies are
    ``Delivery`` rows). ``key`` makes a pass idempotent: the same reason is never noticed twice."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="notices")
    topic = models.CharField("主题", max_length=10, choices=Topic.choices)
    key = models.CharField("标识", max_length=160)
    policy = models.CharField("政策", max_length=50, blank=True, default="")
    subject = models.CharField("标题", max_length=300)
    why = models.JSONField("发送依据", default=dict, blank=True)
    how = models.TextField("办理方式", blank=True, default="")
    link = models.CharField("链接", max_length=300, blank=True, default="")
    actionable = models.BooleanField("可立即办理", default=False)
    due_on = models.DateField("办理截止", null=True, blank=True)
    created_on = models.DateField("生成日期", db_index=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    warning = models.ForeignKey(EarlyWarning, verbose_name="关联预警", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="notices")

    class Meta:
        ordering = ["-created_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "key"], name="outreach_notice_unique_key")]
        verbose_name = verbose_name_plural = "通知"

    def __str__(self) -> str:
        return f"{self.enterprise.name}：{self.subject}"


class Delivery(models.Model):
    """What was sent to whom: one row per notice × recipient × channel."""

    class Channel(models.TextChoices):
        INBOX = "inbox", "站内信"
        EMAIL = "email", "电子邮件"

    class Status(models.TextChoices):
        SENT = "sent", "已发送"
        PENDING = "pending", "免打扰顺延"
        CAPPED = "capped", "超过频次上限（仅站内信）"
        OPTED_OUT = "opted_out", "用户已退订该主题"
        NO_ADDRESS = "no_address", "无邮箱地址"
        FAILED = "failed", "发送失败"

    notice = models.ForeignKey(Notice, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    address = models.CharField("地址", max_length=254, blank=True, default="")
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    detail = models.CharField("说明", max_length=300, blank=True, default="")
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notice", "user", "channel"], name="outreach_delivery_once")]
        verbose_name = verbose_name_plural = "通知发送记录"

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.address or self.user_id}（{self.get_status_display()}）"


class Preference(models.Model):
    """An enterprise user's notification settings: e-mail on/off, topics opted out, quiet hours."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                                related_name="outreach_preference")
    email = models.BooleanField("接收邮件", default=True)
    opted_out = models.JSONField("退订主题", default=list, blank=True)
    quiet_start = models.TimeField("免打扰开始", null=True, blank=True)
    quiet_end = models.TimeField("免打扰结束", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user}"


class StatusMark(models.Model):
    """The last evaluation status the notices pass saw per enterprise and policy (status changes)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    policy = models.CharField(max_length=50)
    status = models.CharField(max_length=20)
    run_id = models.BigIntegerField(null=True, blank=True)
    since = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "policy"], name="outreach_status_mark_unique")]
        verbose_name = verbose_name_plural = "评价结论快照"


class Batch(models.Model):
    """免申即享 batch: the enterprises a benefit rule makes eligible, confirmed by each, approved by the
    bureau, then paid (each payment a ``Payment`` and a line of the benefit ledger)."""

    class Status(models.TextChoices):
        OPEN = "open", "意愿确认中"
        APPROVED = "approved", "已审批"
        PAID = "paid", "已兑付"

    benefit = models.CharField("事项", max_length=60)
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("批次名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    rule = models.JSONField("规则与依据", default=dict, blank=True)
    created_on = models.DateField("生成日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["benefit", "year"], name="outreach_batch_one_per_year")]
        verbose_name = verbose_name_plural = "免申即享批次"

    def __str__(self) -> str:
        return self.name


class BatchItem(models.Model):
    """One eligible enterprise of a batch: the amount and its basis, the enterprise's confirmation
    (意愿确认) and bank details."""

    class Confirmation(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DECLINED = "declined", "放弃"

    batch = models.ForeignKey(Batch, verbose_name="批次", on_delete=models.CASCADE, related_name="items")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="exempt_items")
    basis_key = models.CharField("兑付依据标识", max_length=120)
    amount = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)
    basis = models.JSONField("金额依据", default=dict, blank=True)
    confirmation = models.CharField("意愿确认", max_length=10, choices=Confirmation.choices,
                                    default=Confirmation.PENDING)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    account_name = models.CharField("收款户名", max_length=200, blank=True, default="")
    bank_name = models.CharField("开户银行", max_length=200, blank=True, default="")
    bank_account = models.CharField("银行账号", max_length=40, blank=True, default="")

    class Meta:
        ordering = ["batch", "enterprise__uscc"]
        constraints = [models.UniqueConstraint(fields=["batch", "enterprise"], name="outreach_item_once_per_batch")]
        verbose_name = verbose_name_plural = "免申即享名单"

    def __str__(self) -> str:
        return f"{self.batch} {self.enterprise.name}"

    @property
    def masked_account(self) -> str:
        a = self.bank_account
        return f"{a[:4]}****{a[-4:]}" if len(a) > 8 else ("****" if a else "")


class Payment(models.Model):
    """One payment of a 免申即享 benefit. The unique constraint on (enterprise, benefit, basis_key)
    makes a second payment for the same basis (e.g. the same 小巨人 designation) impossible."""

    item = models.OneToOneField(BatchItem, verbose_name="名单行", on_delete=models.PROTECT, related_name="payment")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="exempt_payments")
    benefit = models.CharField("事项", max_length=60)
    basis_key = models.CharField("兑付依据标识", max_length=120)
    amount = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)
    rule = models.CharField("规则与文号", max_length=300)
    paid_on = models.DateField("兑付日期")
    ledger_entry = models.ForeignKey("cultivation.BenefitEntry", verbose_name="奖补台账记录", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "benefit", "basis_key"],
                                               name="outreach_payment_no_double")]
        verbose_name = verbose_name_plural = "免申即享兑付"

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.benefit} {self.amount}"
