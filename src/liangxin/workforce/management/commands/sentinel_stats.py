import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.workforce.stats import Month, PeriodError, sentinel_stats


class Command(BaseCommand):
    help = (
        "流动哨兵报告统计：某月的报告数、办结数、逾期数、办结用时中位数，按类别、群体、乡镇（街道）和办理状态"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--period", metavar="YYYY-MM", help="月份（默认本月）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        try:
            month = Month.parse(opts["period"]) if opts["period"] else Month.of(timezone.localdate())
        except PeriodError as exc:
            raise CommandError(exc.message) from None
        data = sentinel_stats(None, month, everything=True)
        if opts["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        median = data["median_hours_to_close"]
        self.stdout.write(
            f"{month}流动哨兵报告 {data['reports']} 件，办结 {data['closed']} 件，逾期 {data['overdue']} 件，"
            f"办结用时中位数 {'—' if median is None else f'{median} 小时'}"
        )
        for label, n in data["by_category"].items():
            self.stdout.write(f"  {label}\t{n}")
        for t in data["by_township"]:
            self.stdout.write(f"  {t['name']}（{t['code']}）\t报告 {t['reports']}\t办结 {t['closed']}")
