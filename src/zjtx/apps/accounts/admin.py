"""The admin site behind the ONE login: ``/admin/login/`` redirects to ``/accounts/login/`` (throttled,
audited, two-factor), and only the system and security administrators (and the superuser) may enter,
each seeing only the models of their role (``zjtx.apps.accounts.backends``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from zjtx.apps.accounts import scope, throttle
from zjtx.apps.accounts.audit import log
from zjtx.apps.accounts.models import AuditEntry, LoginLock, Profile, Role
from zjtx.apps.enterprises.admin import CurrentDivisionsMixin


def _login_redirect(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    nxt = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': nxt})}")


def _has_permission(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_active and user.is_authenticated):
        return False
    if not (user.is_superuser or scope.role_of(user) in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)):
        return False
    if scope.requires_two_factor(user) and not getattr(user, "is_verified", lambda: False)():
        return False
    return True


admin.site.login = _login_redirect  # type: ignore[method-assign]
admin.site.has_permission = _has_permission  # type: ignore[method-assign]
admin.site.site_header = admin.site.site_title = "专精特新梯度培育平台 管理"


class ProfileInline(CurrentDivisionsMixin, admin.StackedInline):
    model = Profile
    can_delete = False
    raw_id_fields = ("enterprise",)
    verbose_name_plural = "角色与管辖范围"


class ZjtxUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ("username", "is_active", "last_login", "date_joined")
    list_filter = ("is_active", "zjtx_profile__role")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # a security administrator manages accounts and roles, never superuser flags or raw permissions
        return [(name, {**opts, "fields": tuple(f for f in opts["fields"]
                                                if f not in ("is_superuser", "is_staff", "groups",
                                                             "user_permissions"))})
                for name, opts in fieldsets]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            return False  # nobody grants themselves a role
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (obj.pk == request.user.pk or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ZjtxUserAdmin)


@admin.register(Profile)
class ProfileAdmin(CurrentDivisionsMixin, admin.ModelAdmin):
    list_display = ("user", "role", "division", "enterprise")
    list_filter = ("role", "division")
    raw_id_fields = ("enterprise",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.action(description="解除锁定")
def unlock(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    for lock in queryset:
        throttle.unlock(lock.kind, lock.username)
        log(AuditEntry.Action.UNLOCK, model="accounts.LoginLock", object_id=lock.username,
            object_repr=f"解除锁定：{lock.get_kind_display()} {lock.username}")
    messages.success(request, f"已解除 {queryset.count()} 项锁定")


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    list_display = ("kind", "username", "failures", "locked_until", "last_failure")
    list_filter = ("kind",)
    actions = [unlock]
    readonly_fields = ("kind", "username", "failures", "locked_until", "last_failure", "window_start")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
