from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zjtx.apps.evaluations"
    label = "evaluations"
    verbose_name = "梯度评价"
