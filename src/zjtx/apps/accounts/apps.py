from typing import Any

from django.apps import AppConfig


def _device_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from zjtx.apps.accounts.audit import log
    from zjtx.apps.accounts.models import AuditEntry

    log(AuditEntry.Action.TWO_FACTOR, model="otp_totp.TOTPDevice", object_id=str(instance.pk),
        object_repr=f"重置双因素认证：{getattr(instance.user, 'username', '')}")


class AccountsConfig(AppConfig):
    name = "zjtx.apps.accounts"
    label = "accounts"
    verbose_name = "账号与审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from zjtx.apps.accounts.audit import register_accounts
        from zjtx.apps.accounts.signals import connect

        connect()
        register_accounts()
        post_delete.connect(_device_deleted, sender=TOTPDevice, dispatch_uid="zjtx-audit-totp-del")
