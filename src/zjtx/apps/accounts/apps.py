from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zjtx.apps.accounts"
    label = "accounts"
    verbose_name = "账号与审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zjtx.apps.accounts.signals import connect

        connect()
