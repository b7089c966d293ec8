from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from zjtx.apps.accounts.models import AuditEntry, LoginLock, Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    raw_id_fields = ("enterprise",)
    verbose_name_plural = "角色与管辖范围"


class ZjtxUserAdmin(UserAdmin):
    inlines = [ProfileInline]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ZjtxUserAdmin)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "division", "enterprise")
    list_filter = ("role", "division")
    raw_id_fields = ("enterprise",)


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    list_display = ("username", "failures", "locked_until", "last_failure")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("time", "username", "action", "model", "object_repr", "request_id")
    list_filter = ("action", "source")
    search_fields = ("username", "object_repr", "enterprise_uscc", "request_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
