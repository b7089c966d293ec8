"""``python -m django cultivation_auto [--on YYYY-MM-DD]``: the pool's automatic re-evaluation (cron)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zjtx.apps.cultivation.pool import auto_update


class Command(BaseCommand):
    help = "自动评价培育库阶段（人工设定的阶段不覆盖，只标记分歧）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", type=date.fromisoformat, default=None, help="评价基准日，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        on = options["on"] or date.today()
        r = auto_update(on)
        self.stdout.write(f"基准日 {on}：评价 {r.evaluated} 家，更新 {len(r.changed)} 项，"
                          f"人工锁定且有分歧 {len(r.flagged)} 项（已标记）")
