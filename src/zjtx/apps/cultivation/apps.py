from django.apps import AppConfig


class CultivationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zjtx.apps.cultivation"
    label = "cultivation"
