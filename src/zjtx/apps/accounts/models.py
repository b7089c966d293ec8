"""Accounts: role and scope per user, login lockout, and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", "市级管理员"
    CITY_STAFF = "city_staff", "市级工作人员"
    TOWN_OFFICER = "town_officer", "镇街工作人员"
    ENTERPRISE_USER = "enterprise_user", "企业用户"
    AUDITOR = "auditor", "审计员"


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
    """Failed-login counter per user name; locked after ``ZJTX_LOCKOUT_ATTEMPTS`` failures."""

    username = models.CharField("用户名", max_length=150, unique=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    last_failure = models.DateTimeField("最近失败时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录锁定"


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

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.SET_NULL)
    username = models.CharField("用户名", max_length=150, blank=True, default="")
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

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("审计日志不可删除")


class UserSession(models.Model):
    """The one live session of a user: a new login ends the previous one (等保: no concurrent logins)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="zjtx_session")
    session_key = models.CharField("会话", max_length=64)
    logged_in_at = models.DateTimeField("登录时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "当前会话"
