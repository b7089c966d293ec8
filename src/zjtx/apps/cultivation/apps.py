from __future__ import annotations

from django.apps import AppConfig


class CultivationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zjtx.apps.cultivation"
    label = "cultivation"
    verbose_name = "培育库"

    def ready(self) -> None:
        from zjtx.apps.accounts.audit import register
        from zjtx.apps.cultivation import signals
        from zjtx.apps.cultivation.models import AUDITED

        register(*AUDITED)
        signals.connect()
