"""Admin: saved reform overlays (editable) and evaluation runs (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from zjtx.apps.evaluations.models import EvaluationRun, Reform


@admin.register(Reform)
class ReformAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "created_at")
    search_fields = ("name",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: Any, obj: Reform, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(EvaluationRun)
class EvaluationRunAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "on", "parameter_set", "rule_version", "status", "total", "created_at")
    list_filter = ("status", "parameter_set")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
