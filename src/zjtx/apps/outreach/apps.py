from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "zjtx.apps.outreach"
    label = "outreach"
    verbose_name = "政策直达"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zjtx.apps.accounts.audit import register
        from zjtx.apps.outreach.models import Batch, Payment

        # money decisions in the audit log; the list rows (bank details) stay out of it
        register(Batch, Payment)
