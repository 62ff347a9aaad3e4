import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from liangxin.dispatch import reminders


class Command(BaseCommand):
    help = "月调度定时任务：打开本月调度期、生成并发送到期提醒。可反复运行（建议每几分钟一次），同一提醒只发一次。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        result = reminders.tick(timezone.localdate())
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        if result["period"] is None:
            self.stdout.write("本年度尚无重点任务清单，未打开调度期")
        else:
            opened = "（新打开）" if result["opened"] else ""
            self.stdout.write(
                f"调度期 {result['period']}{opened}：新生成提醒 {result['queued']} 条，本次发送 {result['sent']} 条"
            )
