from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.exporting import csv_lines
from liangxin.core.import_progress import TerminalBar
from liangxin.core.models import RegionLevel
from liangxin.coverage import ledger_export
from liangxin.coverage.management.commands._common import parse_as_of, parse_region
from liangxin.registry.models import Organization


class Command(BaseCommand):
    help = (
        "导出两新组织党建摸排表（组织、党组织、党建指导员合一，截至某日）到 .xlsx 或 .csv；"
        "与摸排表导入模板同列，可修改后再导入。"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--as-of", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--region", help="只导出该区划（县或乡镇代码）内的组织")

    def handle(self, *args, file, as_of, region, **options):
        path = Path(file)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("输出文件的扩展名应为 .xlsx 或 .csv")
        day = parse_as_of(as_of)
        organizations = Organization.objects.all()
        if region:
            place = parse_region(region)
            if place.level not in (RegionLevel.PROVINCE, RegionLevel.CITY):
                organizations = organizations.filter(**{f"{place.level}_code": place.code})
        count = organizations.count()
        with TerminalBar.for_command(self, total=count) as terminal:
            if path.suffix.lower() == ".csv":
                rows = terminal.counting(ledger_export.rows(organizations, viewer=None, as_of=day))
                with path.open("w", encoding="utf-8", newline="") as fh:
                    for line in csv_lines(ledger_export.HEADERS, rows):
                        fh.write(line)
            else:
                ledger_export.write(
                    str(path), organizations, viewer=None, as_of=day, counting=terminal.counting
                )
        self.stdout.write(f"已导出 {count} 个组织的摸排表（截至 {day:%Y-%m-%d}）到 {path}")
