from typing import Any

from django.core.management.base import BaseCommand

from zjtx.apps.enterprises.reference import load_reference


class Command(BaseCommand):
    help = "载入参考数据：镇街、功能区、国民经济行业分类（来自 zjtx.facts）"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_reference()
        self.stdout.write(f"镇街 {counts['divisions']}，功能区 {counts['zones']}，行业 {counts['industries']}")
