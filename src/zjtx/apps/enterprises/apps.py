from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_reference_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from zjtx.apps.enterprises.reference import load_reference

    load_reference()


class EnterprisesConfig(AppConfig):
    name = "zjtx.apps.enterprises"
    label = "enterprises"
    verbose_name = "企业库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zjtx.apps.accounts.audit import register
        from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title

        register(Enterprise, AnnualReport, Title)
        post_migrate.connect(_load_reference_after_migrate, sender=self, dispatch_uid="zjtx-load-reference")
