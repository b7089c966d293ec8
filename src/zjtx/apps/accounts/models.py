"""Accounts: role and scope per user, login throttling, password history, and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", "市级管理员"
    CITY_STAFF = "city_staff", "市级工作人员"
    TOWN_OFFICER = "town_officer", "镇街工作人员"
    ENTERPRISE_USER = "enterprise_user", "企业用户"
    ANALYST = "analyst", "分析人员"
    # 三权分立: configuration, accounts, audit — three separate administrators.
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


class Profile(models.Model):
    """The role of a user and, for scoped roles, its 镇街 or enterprise."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="zjtx_profile")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    division = models.ForeignKey("enterprises.Division", verbose_name="所属镇街", null=True, blank=True,
                                 on_delete=models.PROTECT)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   on_delete=models.SET_NULL)

    class Meta:
        verbose_name = verbose_name_plural = "用户角色"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}）"


class LoginLock(models.Model):
    """Login attempt counter per user name (``kind="user"``) or source IP (``kind="ip"``).

    Attempts are *reserved* with one conditional UPDATE before the password is checked
    (``zjtx.apps.accounts.throttle``), so parallel requests can never check more passwords than the limit.
    """

    class Kind(models.TextChoices):
        USER = "user", "账号"
        IP = "ip", "来源IP"

    kind = models.CharField("类型", max_length=4, choices=Kind.choices, default=Kind.USER)
    username = models.CharField("账号或IP", max_length=150)
    failures = models.PositiveIntegerField("尝试次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    last_failure = models.DateTimeField("最近失败时间", null=True, blank=True)
    window_start = models.DateTimeField("计数开始", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录锁定"
        constraints = [models.UniqueConstraint(fields=["kind", "username"], name="login_lock_unique_key")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"


class PasswordHistory(models.Model):
    """Previous password hashes of a user (no reuse of the last ``ZJTX_PASSWORD_HISTORY``; expiry)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="zjtx_passwords")
    password = models.CharField("口令摘要", max_length=128)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = verbose_name_plural = "历史口令"


class AuditEntry(models.Model):
    """One change (or sensitive view) of registry data. Append-only: never updated or deleted."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        VIEW_PERSONAL = "view_personal", "查看个人信息"
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED = "locked", "账号锁定"
        LOGOUT = "logout", "退出"
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"
        BULK_PERSONAL = "bulk_personal", "批量读取个人信息"
        ROLE_CHANGE = "role_change", "角色变更"
        ACCOUNT = "account", "账号变更"
        PASSWORD = "password", "修改口令"
        TWO_FACTOR = "two_factor", "双因素认证"
        UNLOCK = "unlock", "解除锁定"

    # ``chain``/``seq``/``prev_hash``/``hash``: the tamper-evident chains (``zjtx.apps.accounts.chain``):
    # ``auth`` for logins, failures and logouts, ``data`` for everything else.
    chain = models.CharField("链", max_length=8, default="data", db_index=True)
    seq = models.PositiveBigIntegerField("序号", null=True, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64, blank=True, default="")
    hash = models.CharField("摘要", max_length=64, blank=True, default="")
    time = models.DateTimeField("时间", db_index=True)
    # The user id is kept as a plain number (no foreign key): deleting a user never touches the log.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField("用户名", max_length=150, blank=True, default="")
    ip = models.CharField("来源IP", max_length=45, blank=True, default="")
    request_id = models.CharField("请求/批次编号", max_length=64, db_index=True, blank=True, default="")
    source = models.CharField("来源", max_length=20, blank=True, default="")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    model = models.CharField("对象类型", max_length=100, blank=True, default="")
    object_id = models.CharField("对象编号", max_length=64, blank=True, default="")
    object_repr = models.CharField("对象", max_length=300, blank=True, default="")
    enterprise_uscc = models.CharField("企业代码", max_length=18, blank=True, default="", db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    changed = models.JSONField("变更字段", default=list, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = verbose_name_plural = "审计日志"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_unique_seq")]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("审计日志不可删除")


class AuditHead(models.Model):
    """The end of one audit chain (row 1: ``data``, row 2: ``auth``): last sequence number and hash;
    locked by every append to that chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"


class UserSession(models.Model):
    """The one live session of a user: a new login ends the previous one (等保: no concurrent logins)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="zjtx_session")
    session_key = models.CharField("会话", max_length=64)
    logged_in_at = models.DateTimeField("登录时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "当前会话"
