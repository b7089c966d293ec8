from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "zjtx.apps.outreach"
    label = "outreach"
    verbose_name = "政策直达"
    default_auto_field = "django.db.models.BigAutoField"
