"""Admin for the configurable cultivation data (categories, service types, rules, deadlines, batches)."""

from __future__ import annotations

from django.contrib import admin

from zjtx.apps.cultivation import models as m
from zjtx.apps.enterprises.admin import CurrentDivisionsMixin


@admin.register(m.PoolCategory)
class PoolCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tier", "active", "order")


@admin.register(m.ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active", "order")


@admin.register(m.BenefitRule)
class BenefitRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "policies", "same_project", "same_year", "active")


@admin.register(m.UpdateDeadline)
class UpdateDeadlineAdmin(admin.ModelAdmin):
    list_display = ("title_kind", "month", "day", "note")


@admin.register(m.BatchWindow)
class BatchWindowAdmin(admin.ModelAdmin):
    list_display = ("tier", "name", "opens_on", "closes_on")


@admin.register(m.Target)
class TargetAdmin(CurrentDivisionsMixin, admin.ModelAdmin):
    list_display = ("year", "tier", "division", "target", "source")
