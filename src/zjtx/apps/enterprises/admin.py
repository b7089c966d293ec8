from typing import Any

from django.contrib import admin

from zjtx.apps.enterprises.fields import ANNUAL_NAMES, VAT_RETURN_NAMES
from zjtx.apps.enterprises.models import AnnualReport, Division, Enterprise, ImportJob, Industry, Title, Zone

admin.site.site_header = "中山市专精特新梯度培育平台 管理后台"


class CurrentDivisionsMixin:
    """镇街 pickers offer only current 镇街; an abolished one (e.g. the old 小榄镇) is history and is
    shown with 已撤并 wherever it is stored."""

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.related_model is Division:
            kwargs["queryset"] = Division.objects.filter(valid_to__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AnnualInline(admin.StackedInline):
    model = AnnualReport
    extra = 0
    fieldsets = [
        (None, {"fields": ["year", *[n for n in ANNUAL_NAMES if n not in VAT_RETURN_NAMES]]}),
        ("增值税申报（全年合计）与加计抵减名单", {"fields": list(VAT_RETURN_NAMES), "classes": ["collapse"]}),
    ]


class TitleInline(admin.TabularInline):
    model = Title
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(CurrentDivisionsMixin, admin.ModelAdmin):
    list_display = ("uscc", "name", "division", "industry", "founded_on")
    list_filter = ("division",)
    search_fields = ("uscc", "name")
    inlines = [AnnualInline, TitleInline]


admin.site.register(Division)
admin.site.register(Zone)
admin.site.register(Industry)
admin.site.register(Title)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "filename", "status", "total_rows", "created_by")
    exclude = ("content",)
