from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zjtx.apps.programs"
    label = "programs"
    verbose_name = "专项工作"

    def ready(self) -> None:
        from zjtx.apps.accounts.audit import register
        from zjtx.apps.programs.models import AUDITED

        register(*AUDITED)
