from django.contrib import admin

from zjtx.apps.outreach.models import Batch, BatchItem, Delivery, EarlyWarning, Notice, Payment, Preference


@admin.register(EarlyWarning)
class EarlyWarningAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "kind", "severity", "title", "active", "state", "first_on", "last_on")
    list_filter = ("kind", "severity", "active", "state")
    search_fields = ("enterprise__name", "enterprise__uscc", "title")
    raw_id_fields = ("enterprise",)


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "topic", "subject", "actionable", "state", "created_on")
    list_filter = ("topic", "actionable", "state")
    search_fields = ("enterprise__name", "enterprise__uscc", "subject")
    raw_id_fields = ("enterprise", "warning")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notice", "user", "channel", "address", "status", "at")
    list_filter = ("channel", "status")
    raw_id_fields = ("notice", "user")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "opted_out", "quiet_start", "quiet_end")
    raw_id_fields = ("user",)


class BatchItemInline(admin.TabularInline):
    model = BatchItem
    extra = 0
    raw_id_fields = ("enterprise", "confirmed_by")
    exclude = ("bank_account",)


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("name", "benefit", "year", "status", "created_on")
    list_filter = ("benefit", "status")
    inlines = [BatchItemInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "benefit", "basis_key", "amount", "paid_on", "ledger_entry")
    list_filter = ("benefit",)
    raw_id_fields = ("enterprise", "item", "ledger_entry")

    def has_delete_permission(self, request, obj=None) -> bool:  # a payment is a fact of the ledger
        return False
